// Bad input never half-deploys, and interrupted or failed converges never leave the release blocked: a corpus of
// bad charts (each on a first install and over a deployed release: exit 1, one `Error:` line naming the template,
// nothing changed in the namespace, no release Secret written), two converges of one release at once (werf's lock),
// kill -9 in the middle (stale lease taken over), SIGINT (record failed, lock given back, -R rolls back), and
// --auto-rollback after a failed upgrade. Real cluster, real node, real slipway binary.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import { createReleaseStorage } from "../../src/release/storage.js";
import { uniqueName } from "../helpers/cluster.js";
import { lockAnnotations, namespaceExists, releaseHistory, releaseManifest, releaseSecrets } from "../helpers/release-state.js";
import type { SlipwayResult } from "../helpers/slipway.js";
import { converge, deleteNamespace, kubectl, makeProject, namespaceSnapshot, busyboxDeployment, configMapYaml, type BusyboxDeploymentOptions } from "../helpers/werf-project.js";
import type { GitDir } from "../helpers/gitdir.js";

const env = inject("localEnv");
const namespaces: string[] = [];
const clusterObjects: string[][] = [];
afterAll(() => {
  for (const ns of namespaces) deleteNamespace(env, ns);
  for (const args of clusterObjects) {
    try {
      kubectl(env, "delete", ...args, "--ignore-not-found", "--wait=false");
    } catch {
      // best effort cleanup
    }
  }
});

function fresh(prefix: string): { namespace: string; release: string } {
  const namespace = uniqueName(prefix);
  namespaces.push(namespace);
  return { namespace, release: prefix };
}

const configMap = configMapYaml;

const annotated = (name: string, annotations: Record<string, string>): string =>
  configMap(name, "1", `  annotations:\n${Object.entries(annotations).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join("")}`);

const deployment = (name: string, opts: BusyboxDeploymentOptions = {}): string => busyboxDeployment(env.registry, name, opts);

const chartYaml = (name: string): string => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

/** stderr is exactly one `Error: ...` line, without a stack trace, naming the template file and what else is given. */
function expectOneError(result: SlipwayResult, file: string, patterns: readonly RegExp[]): void {
  expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(1);
  expect(result.stderr).toMatch(/^Error: /);
  expect(result.stderr.trimEnd().split("\n"), "stderr is one line").toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  expect(result.stderr).toContain(file);
  for (const p of patterns) expect(result.stderr).toMatch(p);
}

interface BadCase {
  readonly name: string;
  /** Files under .helm/templates/ written over the good chart. */
  readonly files: Readonly<Record<string, string>>;
  /** The template file the error must name (relative to the chart). */
  readonly file?: string;
  readonly patterns: readonly RegExp[];
  /** Found by the server's dry-run rather than locally (werf creates the release namespace before that check). */
  readonly remote?: boolean;
  /** Only meaningful over an existing release. */
  readonly upgradeOnly?: boolean;
}

const BAD: readonly BadCase[] = [
  { name: "unknown kind", files: { "bad.yaml": "apiVersion: v1\nkind: Frobnicator\nmetadata:\n  name: x\n" }, patterns: [/Frobnicator\/x/, /no matches for kind "Frobnicator"/] },
  {
    name: "spec.replicas is a string",
    files: { "bad.yaml": deployment("web").replace("replicas: 1", 'replicas: "x"') },
    patterns: [/Deployment\/web/, /\.spec\.replicas/],
    remote: true,
  },
  {
    name: "a field the schema does not declare",
    files: { "bad.yaml": configMap("strict", "1", "", "bogusField: 1\n") },
    patterns: [/ConfigMap\/strict/, /bogusField/],
    remote: true,
  },
  { name: "a duplicate resource", files: { "bad.yaml": configMap("base", "other") }, patterns: [/duplicated resources/, /ConfigMap\/base/] },
  { name: "werf.io/weight not an integer", files: { "bad.yaml": annotated("w", { "werf.io/weight": "abc" }) }, patterns: [/werf\.io\/weight/, /"abc"/, /ConfigMap\/w/] },
  { name: "helm.sh/hook with an unknown event", files: { "bad.yaml": annotated("h", { "helm.sh/hook": "pre-frobnicate" }) }, patterns: [/helm\.sh\/hook/, /pre-frobnicate/] },
  { name: "werf.io/deploy-on with an unknown stage", files: { "bad.yaml": annotated("d", { "werf.io/deploy-on": "sometimes" }) }, patterns: [/werf\.io\/deploy-on/, /"sometimes"/, /ConfigMap\/d/] },
  {
    name: "werf.io/deploy-dependency-* without a target",
    files: { "bad.yaml": annotated("dd", { "werf.io/deploy-dependency-db": "state=ready" }) },
    patterns: [/werf\.io\/deploy-dependency-db/, /ConfigMap\/dd/],
  },
  { name: "werf.io/fail-mode unknown", files: { "bad.yaml": annotated("f", { "werf.io/fail-mode": "Explode" }) }, patterns: [/werf\.io\/fail-mode/, /"Explode"/] },
  {
    name: "werf.io/replicas-on-creation not a number",
    files: { "bad.yaml": annotated("r", { "werf.io/replicas-on-creation": "many" }) },
    patterns: [/werf\.io\/replicas-on-creation/, /"many"/],
  },
  { name: "werf.io/delete-policy unknown", files: { "bad.yaml": annotated("dp", { "werf.io/delete-policy": "whenever" }) }, patterns: [/werf\.io\/delete-policy/, /"whenever"/] },
  {
    name: "werf.io/track-termination-mode unknown",
    files: { "bad.yaml": annotated("tt", { "werf.io/track-termination-mode": "Sometimes" }) },
    patterns: [/werf\.io\/track-termination-mode/, /"Sometimes"/],
  },
  { name: "no metadata.name", files: { "bad.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\ndata:\n  value: "1"\n' }, patterns: [/metadata\.name/] },
  { name: "an invalid name", files: { "bad.yaml": configMap("Bad_Name", "1") }, patterns: [/ConfigMap\/Bad_Name/, /RFC 1123/], remote: true },
  { name: "no kind", files: { "bad.yaml": 'apiVersion: v1\nmetadata:\n  name: nokind\ndata:\n  value: "1"\n' }, patterns: [/\bkind\b/] },
  { name: "no apiVersion", files: { "bad.yaml": 'kind: ConfigMap\nmetadata:\n  name: noapi\ndata:\n  value: "1"\n' }, patterns: [/apiVersion/] },
  { name: "broken YAML", files: { "bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n data:\n  a: [1\n" }, patterns: [/YAML/] },
  { name: "{{ fail }} in a template", files: { "bad.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ fail "the chart says no" }}\n' }, patterns: [/the chart says no/] },
  { name: "an undefined template function", files: { "bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\ndata:\n  value: {{ nosuchfunc 1 }}\n" }, patterns: [/nosuchfunc/] },
  {
    name: "the release namespace as a Namespace object",
    files: { "bad.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Release.Namespace }}\n" },
    patterns: [/release namespace .* cannot be deployed as part of the release/],
  },
  {
    name: "an immutable field change without recreation",
    files: { "frozen.yaml": configMap("frozen", "2", "", "immutable: true\n") },
    file: "templates/frozen.yaml",
    patterns: [/ConfigMap\/frozen/, /immutable/],
    remote: true,
    upgradeOnly: true,
  },
];

const GOOD: Readonly<Record<string, string>> = {
  "cm.yaml": configMap("base", "1"),
  "frozen.yaml": configMap("frozen", "1", "", "immutable: true\n"),
};
const CHANGED: Readonly<Record<string, string>> = { "cm.yaml": configMap("base", "2") };

function writeChart(project: GitDir, files: Readonly<Record<string, string>>, message: string): void {
  const all: Record<string, string | null> = { ".helm/templates/bad.yaml": null };
  for (const [path, text] of Object.entries(files)) all[`.helm/templates/${path}`] = text;
  project.write(all);
  project.commit(message);
}

describe("converge refuses bad charts and leaves the cluster as it was", () => {
  it("has a corpus of at least 15 bad charts", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(15);
  });

  describe("on a first install", () => {
    it.each(BAD.filter((c) => c.upgradeOnly !== true).map((c) => [c.name, c] as const))("%s", async (_name, bad) => {
      const { namespace, release } = fresh("bad-first");
      const project = makeProject({ project: "bad-first", chart: { "Chart.yaml": chartYaml("first"), ...prefixed(GOOD), ...prefixed(CHANGED), ...prefixed(bad.files) } });
      const result = await converge(env, project, { namespace, release, timeoutMs: 60_000 });
      expectOneError(result, `first/${bad.file ?? "templates/bad.yaml"}`, bad.patterns);
      expect(releaseSecrets(env, namespace, release)).toEqual([]);
      // werf creates the release namespace before the server's checks (§1.2 step 6), and nothing else.
      expect(namespaceExists(env, namespace)).toBe(bad.remote === true);
      // The API server gives every namespace its ServiceAccount "default"; nothing else may be there.
      expect(namespaceSnapshot(env, namespace).filter((line) => !line.startsWith("ServiceAccount/default@"))).toEqual([]);
      expect(lockAnnotations(env, namespace)).toEqual({});
    });
  });

  describe("over a deployed release", () => {
    const { namespace, release } = fresh("bad-upgrade");
    let project: GitDir;
    beforeAll(async () => {
      project = makeProject({ project: "bad-upgrade", chart: { "Chart.yaml": chartYaml("upgrade"), ...prefixed(GOOD) } });
      const good = await converge(env, project, { namespace, release });
      expect(good.stderr).toBe("");
      expect(good.code).toBe(0);
    });

    it.each(BAD.map((c, i) => [c.name, c, i] as const))("%s", async (_name, bad, i) => {
      // Each bad revision also changes a good object to a value of its own: a partial deploy would show.
      writeChart(project, { ...GOOD, "cm.yaml": configMap("base", `bad-${i}`), ...bad.files }, bad.name);
      const before = namespaceSnapshot(env, namespace);
      const secretsBefore = releaseSecrets(env, namespace, release);
      const historyBefore = releaseHistory(env, namespace, release);
      const valueBefore = kubectl(env, "get", "configmap", "base", "-n", namespace, "-o", "jsonpath={.data.value}");
      expect(secretsBefore.length).toBeGreaterThan(0);
      const result = await converge(env, project, { namespace, release, timeoutMs: 60_000 });
      expectOneError(result, `upgrade/${bad.file ?? "templates/bad.yaml"}`, bad.patterns);
      expect(namespaceSnapshot(env, namespace)).toEqual(before);
      expect(releaseSecrets(env, namespace, release)).toEqual(secretsBefore);
      expect(kubectl(env, "get", "configmap", "base", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe(valueBefore);
      expect(releaseHistory(env, namespace, release)).toEqual(historyBefore);
      expect(lockAnnotations(env, namespace)).toEqual({});
      writeChart(project, GOOD, "back to good");
    });

    it("still deploys the good chart afterwards", async () => {
      writeChart(project, { ...GOOD, ...CHANGED }, "good change");
      const result = await converge(env, project, { namespace, release });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(kubectl(env, "get", "configmap", "base", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("2");
      const h = releaseHistory(env, namespace, release);
      expect(h.at(-1)?.[1]).toBe("deployed");
      expect(h.filter(([, s]) => s === "deployed")).toHaveLength(1);
    });
  });

  it("deploys a cluster-scoped kind that names a namespace as werf does: the namespace is ignored", async () => {
    // nelm 1.24.3 (run on this cluster) and Helm both accept this; it is not bad input for a drop-in.
    const { namespace, release } = fresh("bad-scope");
    const role = uniqueName("slipway-e2e-role");
    clusterObjects.push(["clusterrole", role]);
    const project = makeProject({
      project: "bad-scope",
      chart: { "Chart.yaml": chartYaml("scope"), "templates/role.yaml": `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${role}\n  namespace: elsewhere\nrules: []\n` },
    });
    const result = await converge(env, project, { namespace, release });
    expect(result.code).toBe(0);
    expect(kubectl(env, "get", "clusterrole", role, "-o", "jsonpath={.metadata.namespace}|{.metadata.annotations.meta\\.helm\\.sh/release-name}")).toBe(`|${release}`);
  });
});

function prefixed(files: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [`templates/${k}`, v]));
}

const BIN = fileURLToPath(new URL("../../bin/slipway.js", import.meta.url));

/** slipway converge as a child process whose stdout can be watched, to kill it at a chosen moment. */
function spawnConverge(project: GitDir, namespace: string, release: string, args: readonly string[] = []): {
  waitForStdout(re: RegExp, timeoutMs: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<SlipwayResult>;
} {
  const child = spawn(
    process.execPath,
    [BIN, "converge", "--repo", `${env.registry}/e2e/${release}`, "--insecure-registry", "--namespace", namespace, "--release", release, ...args],
    {
      cwd: project.dir,
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context, DOCKER_HOST: env.dockerHost, WERF_LOG_COLOR_MODE: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const l of listeners) l();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<SlipwayResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal === null ? -1 : 128 + (signal === "SIGKILL" ? 9 : 0)), stdout, stderr }));
  });
  return {
    done,
    kill: (signal) => child.kill(signal),
    waitForStdout: (re, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!re.test(stdout)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`slipway did not print ${String(re)} in ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        void done.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`slipway ended before printing ${String(re)}; stdout:\n${stdout}\nstderr:\n${stderr}`));
          }
        });
        check();
      }),
  };
}

const image = (namespace: string, name: string): string =>
  kubectl(env, "get", "deployment", name, "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].image}|{.spec.template.spec.containers[0].command[2]}");

describe("converge never leaves a release blocked", () => {
  it("serialises two converges of one release on werf's lock; history stays consistent", async () => {
    const { namespace, release } = fresh("lock-two");
    const project = makeProject({
      project: "lock-two",
      chart: {
        "Chart.yaml": chartYaml("two"),
        "templates/cm.yaml": configMap("who", "{{ .Values.who }}"),
        // Both render before the lock; the one that waited renders again for the revision it really writes.
        "templates/rev.yaml": configMap("rev", "{{ .Release.Revision }}-{{ .Release.IsUpgrade }}"),
        "templates/slow.yaml": deployment("slow", { readyAfterS: 6 }),
      },
    });
    kubectl(env, "create", "namespace", namespace);
    const [a, b] = await Promise.all([
      converge(env, project, { namespace, release, args: ["--set", "who=a"] }),
      converge(env, project, { namespace, release, args: ["--set", "who=b"] }),
    ]);
    expect(a.stderr).toBe("");
    expect(b.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const waiting = `Waiting for locked "release/${release}"`;
    const waiters = [a, b].filter((r) => r.stdout.includes(waiting));
    expect(waiters, `a:\n${a.stdout}\nb:\n${b.stdout}`).toHaveLength(1);
    // The one that waited deployed last: its value is in the cluster and in the deployed revision.
    const last = waiters[0] === a ? "a" : "b";
    expect(kubectl(env, "get", "configmap", "who", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe(last);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "superseded"], [2, "deployed"]]);
    expect(releaseManifest(env, namespace, release, 2)).toContain(`value: "${last}"`);
    expect(releaseManifest(env, namespace, release, 2)).toContain('value: "2-true"');
    expect(kubectl(env, "get", "configmap", "rev", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("2-true");
    expect(lockAnnotations(env, namespace)).toEqual({});
  });

  it("recovers from kill -9 in the middle of a converge without a manual step", async () => {
    const { namespace, release } = fresh("kill-nine");
    const project = makeProject({ project: "kill-nine", chart: { "Chart.yaml": chartYaml("nine"), "templates/slow.yaml": deployment("slow", { readyAfterS: 20 }) } });
    const run = spawnConverge(project, namespace, release);
    await run.waitForStdout(/Create: Deployment\/slow/, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    run.kill("SIGKILL");
    const killed = await run.done;
    expect(killed.stdout).not.toMatch(/Succeeded release/);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "pending-install"]]);
    expect(Object.keys(lockAnnotations(env, namespace))).toHaveLength(1); // the dead holder's lease

    const started = Date.now();
    const next = await converge(env, project, { namespace, release });
    expect(next.stderr).toBe("");
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(`Succeeded release "${release}"`);
    // At most one lease TTL (10 s) of waiting on top of the deploy itself.
    expect(Date.now() - started).toBeLessThan(60_000);
    // The revision the dead run left pending is marked failed under the lock, so helm is not blocked by it.
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "failed"], [2, "deployed"]]);
    expect(next.stdout).toContain(`release "${release}" revision 1 was left pending-install by a run that did not finish: marked failed`);
    expect(kubectl(env, "get", "deployment", "slow", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
    expect(lockAnnotations(env, namespace)).toEqual({});
  });

  // plain helm takes no werf lock: a pending record found under a lock that nobody died holding may be a helm upgrade
  // still running, and is left as it is (the history counts it as failed, as nelm does).
  it("leaves alone a pending revision that no dead werf-family run left (another tool's, maybe in progress)", async () => {
    const { namespace, release } = fresh("foreign-pending");
    const project = makeProject({ project: "foreign-pending", chart: { "Chart.yaml": chartYaml("foreign"), "templates/cm.yaml": configMap("cm", "1") } });
    expect((await converge(env, project, { namespace, release })).code).toBe(0);
    // What `helm upgrade` writes first: revision 2, pending-upgrade.
    const kube = createKubeClient({ kubeConfigPathMergeList: [env.kubeconfig], kubeContext: env.context }, { HOME: process.env["HOME"] ?? "" });
    try {
      const storage = createReleaseStorage(kube, namespace, { driver: "secret" });
      const [deployed] = await storage.list(release);
      if (deployed === undefined) throw new Error("no revision 1");
      await storage.create({ ...deployed, version: 2, info: { ...deployed.info, status: "pending-upgrade", description: "Preparing upgrade" } });
    } finally {
      kube.close();
    }
    const next = await converge(env, project, { namespace, release });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).not.toContain("by a run that did not finish");
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "superseded"], [2, "pending-upgrade"], [3, "deployed"]]);
    expect(lockAnnotations(env, namespace)).toEqual({});
  });

  it("on SIGINT exits 130, marks the revision failed, gives the lock back; -R rolls back; then converges normally", async () => {
    const { namespace, release } = fresh("sigint");
    const project = makeProject({ project: "sigint", chart: { "Chart.yaml": chartYaml("sigint"), "templates/app.yaml": deployment("app", { message: "one" }) } });
    const first = await converge(env, project, { namespace, release });
    expect(first.code).toBe(0);
    const v1 = image(namespace, "app");

    // Revision 2 takes 15 s to become ready; Ctrl-C while it is tracked.
    project.write({ ".helm/templates/app.yaml": deployment("app", { message: "two", readyAfterS: 15 }) });
    project.commit("slow two");
    const interrupted = spawnConverge(project, namespace, release);
    await interrupted.waitForStdout(/Update: Deployment\/app/, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    interrupted.kill("SIGINT");
    const r2 = await interrupted.done;
    expect(r2.code, `stdout:\n${r2.stdout}\nstderr:\n${r2.stderr}`).toBe(130);
    expect(r2.stderr).not.toMatch(/^\s+at /m);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "deployed"], [2, "failed"]]);
    expect(lockAnnotations(env, namespace)).toEqual({});

    // With -R the last deployed revision (1) comes back as a new deployed revision.
    project.write({ ".helm/templates/app.yaml": deployment("app", { message: "three", readyAfterS: 15 }) });
    project.commit("slow three");
    const rolling = spawnConverge(project, namespace, release, ["--auto-rollback"]);
    await rolling.waitForStdout(/Update: Deployment\/app/, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    rolling.kill("SIGINT");
    const r3 = await rolling.done;
    expect(r3.code, `stdout:\n${r3.stdout}\nstderr:\n${r3.stderr}`).toBe(130);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "superseded"], [2, "failed"], [3, "failed"], [4, "deployed"]]);
    expect(releaseManifest(env, namespace, release, 4)).toBe(releaseManifest(env, namespace, release, 1));
    expect(image(namespace, "app")).toBe(v1);
    expect(lockAnnotations(env, namespace)).toEqual({});

    const normal = await converge(env, project, { namespace, release });
    expect(normal.stderr).toBe("");
    expect(normal.code).toBe(0);
    expect(image(namespace, "app")).toMatch(/\|echo three; exec sleep 3600$/);
    expect(releaseHistory(env, namespace, release).at(-1)?.[1]).toBe("deployed");
  });

  it("--auto-rollback after a failed upgrade: exit 1, failed revision, rollback revision deployed, old spec running", async () => {
    const { namespace, release } = fresh("rollback");
    const project = makeProject({ project: "rollback", chart: { "Chart.yaml": chartYaml("rollback"), "templates/app.yaml": deployment("app", { message: "good" }) } });
    const first = await converge(env, project, { namespace, release });
    expect(first.code).toBe(0);
    const good = image(namespace, "app");

    project.write({ ".helm/templates/app.yaml": deployment("app", { message: "bad", image: `${env.registry}/base/does-not-exist:never` }) });
    project.commit("unpullable image");
    const failed = await converge(env, project, { namespace, release, args: ["--auto-rollback", "--timeout", "30"] });
    expect(failed.code, `stdout:\n${failed.stdout}\nstderr:\n${failed.stderr}`).toBe(1);
    expect(failed.stderr).toMatch(/^Error: /);
    expect(failed.stderr).toContain(`failed release "${release}"`);
    expect(failed.stderr).not.toMatch(/^\s+at /m);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "superseded"], [2, "failed"], [3, "deployed"]]);
    expect(releaseManifest(env, namespace, release, 3)).toBe(releaseManifest(env, namespace, release, 1));
    expect(image(namespace, "app")).toBe(good);
    expect(kubectl(env, "rollout", "status", "deployment/app", "-n", namespace, "--timeout=60s")).toMatch(/successfully rolled out/);
    expect(lockAnnotations(env, namespace)).toEqual({});
  });
});
