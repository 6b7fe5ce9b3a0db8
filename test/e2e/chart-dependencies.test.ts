// Chart dependencies against the real helm v3.17.3: `slipway helm dependency update|build|list` on charts whose
// dependencies come from a file:// directory, an HTTP chart repository served here (packages and index made by
// helm) and the local OCI registry (charts pushed by helm). The lock, charts/ and the rendered output are compared
// with what helm does on a copy of the same chart; converge downloads once and then reads the cache.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startCountingProxy, type CountingProxy } from "../helpers/counting-proxy.js";
import { helm, helmPackage, helmPushOci, helmRepoIndex, startChartRepo, versionedChart, writeChart, type ChartRepoServer } from "../helpers/chart-repo.js";
import { uniqueName } from "../helpers/cluster.js";
import { runSlipway } from "../helpers/slipway.js";
import { converge, deleteNamespace, kubectlJson, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const root = mkdtempSync(join(tmpdir(), "slipway-chart-deps-"));
const repoDir = join(root, "repo");
const ociPath = `e2e/${uniqueName("chartdeps")}`;
let repo: ChartRepoServer;
let oci: CountingProxy;

/** Lock text without its `generated:` line (a timestamp). */
const lockBody = (dir: string): string => readFileSync(join(dir, "Chart.lock"), "utf8").replace(/^generated: .*\n/m, "");
const chartsOf = (dir: string): string[] => (existsSync(join(dir, "charts")) ? readdirSync(join(dir, "charts")).sort() : []);

function slipway(args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}) {
  return runSlipway(args, { cwd: root, env: { SLIPWAY_CACHE: join(root, "cache"), HELM_CONFIG_HOME: join(root, "no-helm-config"), ...extraEnv } });
}

function parentChart(dir: string, deps: string): string {
  return writeChart(dir, `apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n${deps}`, {
    "values.yaml": "lib:\n  greeting: overridden by the parent\n",
    "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-parent\ndata:\n  deps: {{ range .Chart.Dependencies }}{{ .Name }}@{{ .Version }} {{ end }}\n",
  });
}

beforeAll(async () => {
  const src = join(root, "src");
  // HTTP repository: lib 1.0.0, 1.2.0, a 1.3.0 pre-release and 2.0.0; `^1.0.0` must pick 1.2.0.
  await helmPackage(["1.0.0", "1.2.0", "1.3.0-rc.1", "2.0.0"].map((v) => versionedChart(src, "lib", v)), repoDir);
  await helmRepoIndex(repoDir);
  repo = await startChartRepo(repoDir);
  // OCI registry (through a counting proxy): db 0.1.0, 0.2.0, 0.2.5; `~0.2` must pick 0.2.5.
  const ociOut = join(root, "oci");
  await helmPackage(["0.1.0", "0.2.0", "0.2.5"].map((v) => versionedChart(src, "db", v)), ociOut);
  for (const f of readdirSync(ociOut)) await helmPushOci(join(ociOut, f), `oci://${env.registry}/${ociPath}`);
  oci = await startCountingProxy(env.registry);
  versionedChart(root, "common", "3.1.4");
});

afterAll(async () => {
  await repo.close();
  await oci.close();
  rmSync(root, { recursive: true, force: true });
});

describe("slipway helm dependency", () => {
  const deps = () =>
    `- name: lib\n  version: "^1.0.0"\n  repository: ${repo.url}\n` +
    `- name: db\n  version: "~0.2"\n  repository: oci://${oci.address}/${ociPath}\n  alias: database\n` +
    `- name: common\n  version: ">=3.0.0"\n  repository: file://../common-3.1.4\n  condition: common.enabled\n`;

  it("update writes the Chart.lock and charts/ helm writes; slipway helm template equals helm template's", async () => {
    const mine = parentChart(join(root, "mine"), deps());
    const theirs = join(root, "theirs");
    cpSync(mine, theirs, { recursive: true });
    await helm(["dependency", "update", theirs, "--plain-http"], root);
    const requestsBefore = repo.requests.length;
    const run = await slipway(["helm", "dependency", "update", mine]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Saving 3 charts");
    expect(repo.requests.slice(requestsBefore)).toEqual(["/charts/index.yaml", "/charts/lib-1.2.0.tgz"]);
    expect(lockBody(mine)).toBe(lockBody(theirs));
    expect(lockBody(mine)).toContain("version: 1.2.0");
    expect(lockBody(mine)).toContain("version: 0.2.5");
    expect(chartsOf(mine)).toEqual(chartsOf(theirs));
    expect(chartsOf(mine)).toEqual(["common-3.1.4.tgz", "db-0.2.5.tgz", "lib-1.2.0.tgz"]);

    const expected = (await helm(["template", "rn", theirs], root)).stdout;
    expect(expected).toContain("hello from db 0.2.5");
    expect((await helm(["template", "rn", mine], root)).stdout).toBe(expected);
    const rendered = await slipway(["helm", "template", "rn", mine]);
    expect(rendered.stderr).toBe("");
    expect(rendered.stdout).toBe(expected);

    const list = await slipway(["helm", "dependency", "list", mine]);
    expect(list.stdout).toBe((await helm(["dependency", "list", mine], root)).stdout);
  });

  it("update leaves an unchanged Chart.lock alone, and build uses the locked versions", async () => {
    const dir = parentChart(join(root, "build"), deps());
    expect((await slipway(["helm", "dependency", "update", dir])).code).toBe(0);
    const lock = readFileSync(join(dir, "Chart.lock"), "utf8");
    expect((await slipway(["helm", "dependency", "update", dir])).code).toBe(0);
    expect(readFileSync(join(dir, "Chart.lock"), "utf8")).toBe(lock);

    // A newer lib in range appears; build keeps the locked 1.2.0 and, with a fresh cache, downloads it again.
    const newer = join(root, "newer");
    await helmPackage([versionedChart(join(root, "src2"), "lib", "1.4.0")], newer);
    cpSync(join(newer, "lib-1.4.0.tgz"), join(repoDir, "lib-1.4.0.tgz"));
    await helmRepoIndex(repoDir);
    rmSync(join(dir, "charts"), { recursive: true });
    const before = repo.requests.length;
    const built = await slipway(["helm", "dependency", "build", dir], { SLIPWAY_CACHE: join(root, "cache-build") });
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    expect(chartsOf(dir)).toEqual(["common-3.1.4.tgz", "db-0.2.5.tgz", "lib-1.2.0.tgz"]);
    expect(repo.requests.slice(before)).toEqual(["/charts/index.yaml", "/charts/lib-1.2.0.tgz"]);

    // helm's build of the same lock (it wants the HTTP repository added) renders what slipway renders.
    const theirsBuilt = join(root, "build-helm");
    cpSync(dir, theirsBuilt, { recursive: true });
    rmSync(join(theirsBuilt, "charts"), { recursive: true });
    const config = join(root, "build-repositories.yaml");
    writeFileSync(config, `apiVersion: ""\ngenerated: "0001-01-01T00:00:00Z"\nrepositories:\n- name: local\n  url: ${repo.url}\n`);
    await helm(["dependency", "build", theirsBuilt, "--plain-http"], root, false, { HELM_REPOSITORY_CONFIG: config });
    expect(chartsOf(theirsBuilt)).toEqual(chartsOf(dir));
    const helmTemplate = (await helm(["template", "rn", theirsBuilt], root)).stdout;
    expect(helmTemplate).toContain("hello from db 0.2.5");
    expect((await slipway(["helm", "template", "rn", dir])).stdout).toBe(helmTemplate);

    // The same build again reads the cache: no request at all.
    const ociBefore = oci.requests.length;
    const httpBefore = repo.requests.length;
    const again = await slipway(["helm", "dependency", "build", dir], { SLIPWAY_CACHE: join(root, "cache-build") });
    expect(again.code).toBe(0);
    expect(repo.requests.length).toBe(httpBefore);
    expect(oci.requests.length).toBe(ociBefore);

    // An update now moves to 1.4.0, as helm's does.
    const theirs = join(root, "build-theirs");
    cpSync(dir, theirs, { recursive: true });
    expect((await slipway(["helm", "dependency", "update", dir])).code).toBe(0);
    await helm(["dependency", "update", theirs, "--plain-http"], root);
    expect(lockBody(dir)).toContain("version: 1.4.0");
    expect(lockBody(dir)).toBe(lockBody(theirs));
    expect(chartsOf(dir)).toEqual(["common-3.1.4.tgz", "db-0.2.5.tgz", "lib-1.4.0.tgz"]);
    expect(chartsOf(dir)).toEqual(chartsOf(theirs));
  });

  it("build fails as helm does when Chart.yaml changed after the lock", async () => {
    const dir = parentChart(join(root, "stale"), deps());
    expect((await slipway(["helm", "dependency", "update", dir])).code).toBe(0);
    writeFileSync(join(dir, "Chart.yaml"), readFileSync(join(dir, "Chart.yaml"), "utf8").replace('"~0.2"', '"~0.1"'));
    const theirs = join(root, "stale-theirs");
    cpSync(dir, theirs, { recursive: true });
    const helmRun = await helm(["dependency", "build", theirs, "--plain-http"], root, true);
    expect(helmRun.code).toBe(1);
    const run = await slipway(["helm", "dependency", "build", dir]);
    expect(run.code).toBe(1);
    const helmMessage = helmRun.stderr.replace(/^Error: /, "").trim();
    expect(helmMessage).toBe("the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies");
    expect(run.stderr).toBe(`Error: ${join(dir, "Chart.lock")}: ${helmMessage}\n`);
  });

  it.each([
    ["an unreachable repository", () => `- name: lib\n  version: "^1.0.0"\n  repository: http://127.0.0.1:9/charts\n`, /dependency "lib" \(repository "http:\/\/127\.0\.0\.1:9\/charts", version "\^1\.0\.0"\): Get "http:\/\/127\.0\.0\.1:9\/charts\/index\.yaml": connect ECONNREFUSED/],
    ["a version that is not in the repository", () => `- name: lib\n  version: "^9.0.0"\n  repository: ${repo.url}\n`, /can't get a valid version for 1 subchart\(s\): "lib" \(repository "http:\/\/127\.0\.0\.1:\d+\/charts", version "\^9\.0\.0"\)/],
    ["a chart the OCI registry does not have", () => `- name: nope\n  version: "1.0.0"\n  repository: oci://${oci.address}/${ociPath}\n`, /dependency "nope" \(repository "oci:\/\/127\.0\.0\.1:\d+\/e2e\/chartdeps-[a-z0-9-]+", version "1\.0\.0"\): .*nope:1\.0\.0: not found/],
    ["an invalid constraint", () => `- name: lib\n  version: "one"\n  repository: ${repo.url}\n`, /Chart\.yaml:5 \(key: dependencies\[0\]\): dependency "lib" has an invalid version\/constraint format: improper constraint: one/],
  ])("%s is one error naming Chart.yaml and the dependency, exit 1", async (_name, depsOf, message) => {
    const dir = parentChart(join(root, uniqueName("err")), depsOf());
    const run = await slipway(["helm", "dependency", "update", dir]);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
    expect(run.stderr).toContain(`Error: ${join(dir, "Chart.yaml")}`);
    expect(run.stderr).toMatch(message);
  });

  it("a repository named @name or alias:name is the URL Helm's repositories.yaml gives it", async () => {
    const config = join(root, "repositories.yaml");
    writeFileSync(config, `apiVersion: ""\ngenerated: "0001-01-01T00:00:00Z"\nrepositories:\n- name: local\n  url: ${repo.url}\n`);
    const named = `- name: lib\n  version: "~1.2.0"\n  repository: "@local"\n`;
    const mine = parentChart(join(root, "named"), named);
    const theirs = join(root, "named-theirs");
    cpSync(mine, theirs, { recursive: true });
    await helm(["dependency", "update", theirs], root, false, { HELM_REPOSITORY_CONFIG: config });
    const run = await slipway(["helm", "dependency", "update", mine], { HELM_REPOSITORY_CONFIG: config });
    expect(run.stderr).toBe("");
    expect(lockBody(mine)).toBe(lockBody(theirs));
    expect(lockBody(mine)).toContain(`repository: ${repo.url}\n  version: 1.2.0`);
    const unknown = await slipway(["helm", "dependency", "update", parentChart(join(root, "unnamed"), named.replace("@local", "alias:nope"))], { HELM_REPOSITORY_CONFIG: config });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no repository definition for alias:nope");
  });

  it("a corrupt archive in the repository is refused and not cached", async () => {
    const badDir = join(root, "bad-repo");
    await helmPackage([versionedChart(join(root, "src3"), "broken", "1.0.0")], badDir);
    await helmRepoIndex(badDir);
    writeFileSync(join(badDir, "broken-1.0.0.tgz"), "this is not a gzip file");
    const bad = await startChartRepo(badDir);
    try {
      const dir = parentChart(join(root, "corrupt"), `- name: broken\n  version: "1.0.0"\n  repository: ${bad.url}\n`);
      const run = await slipway(["helm", "dependency", "update", dir]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: .*Chart\.yaml:5 \(key: dependencies\[0\]\): dependency "broken" .*: the downloaded archive is not a valid chart: /);
      expect(readdirSync(join(root, "cache")).some((f) => f.includes("tmp"))).toBe(false);
      const again = await slipway(["helm", "dependency", "update", dir]);
      expect(again.code).toBe(1);
      expect(bad.requests.filter((p) => p.endsWith(".tgz"))).toHaveLength(2);
    } finally {
      await bad.close();
    }
  });
});

describe("converge with a Chart.lock", () => {
  const namespace = uniqueName("chartdeps");
  afterAll(() => deleteNamespace(env, namespace));

  it("deploys the locked dependencies; a second converge downloads nothing", async () => {
    // The lock is made by `helm dependency update` on the chart; charts/ stays out of Git, as werf's docs advise.
    // A file:// dependency is read from the project (from Git, as werf does), next to the chart.
    const projectDir = join(root, "werf-project");
    const chartDir = parentChart(
      join(projectDir, ".helm"),
      `- name: lib\n  version: "^1.0.0"\n  repository: ${repo.url}\n- name: db\n  version: "~0.2"\n  repository: oci://${oci.address}/${ociPath}\n` +
        `- name: common\n  version: "3.x"\n  repository: file://../common-3.1.4\n`,
    );
    versionedChart(projectDir, "common", "3.1.4");
    await helm(["dependency", "update", chartDir, "--plain-http"], root);
    const chart: Record<string, string> = {};
    for (const name of ["Chart.yaml", "Chart.lock", "values.yaml", "templates/cm.yaml"]) chart[name] = readFileSync(join(chartDir, name), "utf8");
    const files: Record<string, string> = { ".gitignore": ".helm/charts/\n" };
    for (const name of ["Chart.yaml", "values.yaml", "templates/cm.yaml"]) files[`common-3.1.4/${name}`] = readFileSync(join(projectDir, "common-3.1.4", name), "utf8");
    const project = makeProject({ project: "chartdeps", chart, files });
    const cache = join(root, "cache-converge");
    const httpBefore = repo.requests.length;
    const ociBefore = oci.requests.length;
    const libVersion = /- name: lib\n {2}repository: .*\n {2}version: (.*)\n/.exec(chart["Chart.lock"] ?? "")?.[1];
    expect(libVersion).toMatch(/^1\.\d+\.0$/);
    const release = uniqueName("deps");
    const first = await converge(env, project, { namespace, release, env: { SLIPWAY_CACHE: cache } });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(repo.requests.slice(httpBefore)).toEqual(["/charts/index.yaml", `/charts/lib-${libVersion}.tgz`]);
    expect(oci.requests.length).toBeGreaterThan(ociBefore);
    const cm = kubectlJson<{ data: Record<string, string> }>(env, "get", "configmap", `${release}-lib`, "-n", namespace);
    expect(cm.data).toEqual({ version: libVersion, greeting: "overridden by the parent" });
    const db = kubectlJson<{ data: Record<string, string> }>(env, "get", "configmap", `${release}-db`, "-n", namespace);
    expect(db.data["version"]).toBe("0.2.5");
    const common = kubectlJson<{ data: Record<string, string> }>(env, "get", "configmap", `${release}-common`, "-n", namespace);
    expect(common.data["version"]).toBe("3.1.4");

    const httpAfter = repo.requests.length;
    const ociAfter = oci.requests.length;
    const second = await converge(env, project, { namespace, release, env: { SLIPWAY_CACHE: cache } });
    expect(second.code).toBe(0);
    expect(repo.requests.length).toBe(httpAfter);
    expect(oci.requests.length).toBe(ociAfter);
  });

  it("warns, as werf does, when Chart.yaml has dependencies but there is no Chart.lock", async () => {
    const project = makeProject({
      project: "chartdeps",
      chart: { "Chart.yaml": `apiVersion: v2\nname: nolock\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: "^1.0.0"\n  repository: ${repo.url}\n`, "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" },
    });
    const run = await converge(env, project, { namespace, release: uniqueName("nolock"), env: { SLIPWAY_CACHE: join(root, "cache-converge") } });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain("Cannot automatically download chart dependencies without Chart.lock or requirements.lock.");
    expect(run.stderr).toContain("found in Chart.yaml, but missing in charts/ directory: lib");
  });
});
