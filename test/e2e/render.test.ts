// `slipway render` (werf render) and the live cluster during converge, on the real cluster, registry and Docker
// Engine: render of the example project prints the documents converge deployed (as the release record keeps them);
// --validate dry-runs on the server and names the file of a rejected object; converge's templates see the cluster's
// version, its API versions (group/version/Kind included, Helm's offline defaults not) and live `lookup` objects,
// while an offline render sees werf's defaults and an empty lookup.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { manifestDocuments } from "../../src/deploy/install.js";
import { formatRenderOutput } from "../../src/resource/render-output.js";
import { uniqueName, waitFor } from "../helpers/cluster.js";
import { exampleFiles, makeGitDir, type GitDir } from "../helpers/gitdir.js";
import { helmBinary } from "../helpers/oracles.js";
import { helm } from "../helpers/release-state.js";
import { runSlipway } from "../helpers/slipway.js";
import { converge, kubectl, kubectlJson, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const ROOT = join(import.meta.dirname, "../..");
const namespaces: string[] = [];
const projects: GitDir[] = [];

afterAll(() => {
  for (const ns of namespaces) kubectl(env, "delete", "namespace", ns, "--wait=false", "--ignore-not-found");
  for (const p of projects) p.remove();
});

function slipway(project: GitDir, args: readonly string[]) {
  return runSlipway(args, {
    cwd: project.dir,
    env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context, DOCKER_HOST: env.dockerHost, WERF_LOG_COLOR_MODE: "off" },
  });
}

describe("slipway render", () => {
  it("prints, for examples/quickstart, the documents converge deployed", async () => {
    const project = makeGitDir(exampleFiles("quickstart"));
    projects.push(project);
    const ns = uniqueName("render-qs");
    namespaces.push(ns);
    // converge pushes to <registry>/e2e/<release>.
    const release = ns;
    const repo = `${env.registry}/e2e/${ns}`;
    // Before anything is built the repo has no image: render says so and prints nothing.
    const missing = await slipway(project, ["render", "--repo", repo, "--insecure-registry", "--namespace", ns, "--release", release]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^Error: take the images from "[^"]+" \(render builds nothing: build or converge first\): stages required\n\n {2}- backend\/dockerfile with digest [0-9a-f]{56} is not exist in repo\n {2}- frontend\/dockerfile with digest [0-9a-f]{56} is not exist in repo\n/);

    const deployed = await converge(env, project, { namespace: ns, release });
    expect(deployed.code, deployed.stderr).toBe(0);
    const rendered = await slipway(project, ["render", "--repo", repo, "--insecure-registry", "--namespace", ns, "--release", release]);
    expect(rendered.stderr).toBe("");
    expect(rendered.code).toBe(0);
    const docs = [
      ...manifestDocuments(helm(env, "get", "manifest", release, "-n", ns)),
      ...manifestDocuments(helm(env, "get", "hooks", release, "-n", ns), "hook"),
    ];
    const fromRecord = formatRenderOutput(docs, { releaseNamespace: ns, chartName: "quickstart", includeCrds: true, showOnly: [], extra: { annotations: {}, labels: {} } });
    expect(rendered.stdout).toBe(fromRecord);
    expect(rendered.stdout).toMatch(new RegExp(`image: ${repo.replace(/[.]/g, "\\.")}:[0-9a-f]{56}-\\d+\\n`));

    // Without a repo the images get werf's placeholders; --show-only and --output narrow and redirect the output.
    // templates/backend.yaml names its image with werf_image.
    const stub = await slipway(project, ["render", "--namespace", ns, "--show-only", "templates/backend.yaml", "--output", "out.yaml"]);
    expect(stub.code, stub.stderr).toBe(0);
    expect(stub.stdout).toBe("");
    const written = readFileSync(join(project.dir, "out.yaml"), "utf8");
    expect(written).toContain("image: REPO:TAG\n");
    expect(written.match(/^# Source: quickstart\/templates\/backend\.yaml$/gm)).toHaveLength(2);
    expect(written.match(/^# Source: /gm)).toHaveLength(2);
  });

  it("--validate dry-runs every object on the server and names the file of a rejected one", async () => {
    const ns = uniqueName("render-validate");
    namespaces.push(ns);
    kubectl(env, "create", "namespace", ns);
    const chart = {
      "templates/ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: b\n",
      "templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: {{ .Values.port }}\n",
    };
    const project = makeProject({ project: "render-validate", chart: { ...chart, "values.yaml": "port: 80\n" } });
    projects.push(project);
    const good = await slipway(project, ["render", "--validate", "--namespace", ns]);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    expect(good.stdout).toContain("# Source: render-validate/templates/svc.yaml\n");
    // Nothing was created by the dry-run.
    expect(kubectl(env, "get", "configmaps,services", "-n", ns, "-o", "name")).not.toMatch(/configmap\/ok|service\/svc/);

    const bad = await slipway(project, ["render", "--validate", "--namespace", ns, "--set", "port=99999"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("render-validate/templates/svc.yaml");
    expect(bad.stderr).toContain('Service "svc" is invalid');
    expect(bad.stderr).toContain("must be between 1 and 65535");
    // The same render offline does not ask the server.
    const offline = await slipway(project, ["render", "--namespace", ns, "--set", "port=99999"]);
    expect(offline.code, offline.stderr).toBe(0);
  });
});

describe("the live cluster in templates", () => {
  const probe = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: probe",
    "data:",
    "  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}",
    '  hasDeploymentKind: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}',
    '  hasOfflineDefault: {{ .Capabilities.APIVersions.Has "policy/v1beta1" | quote }}',
    '  hasExtra: {{ .Capabilities.APIVersions.Has "example.com/v9" | quote }}',
    '  {{- $seed := lookup "v1" "ConfigMap" .Release.Namespace "seed" }}',
    '  seed: {{ dig "data" "value" "none" $seed | quote }}',
    // The second lookup's name comes from the first: it is fetched in a later render round.
    '  chained: {{ dig "data" "value" "none" (lookup "v1" "ConfigMap" .Release.Namespace (dig "data" "next" "x" $seed)) | quote }}',
    '  absent: {{ lookup "v1" "Secret" .Release.Namespace "no-such-secret" | toJson | quote }}',
    '  listed: {{ dig "items" (list) (lookup "v1" "ConfigMap" .Release.Namespace "") | len | quote }}',
    '  listKind: {{ dig "kind" "none" (lookup "v1" "ConfigMap" .Release.Namespace "") | quote }}',
    '  portType: {{ with lookup "v1" "Service" "default" "kubernetes" }}{{ typeOf (index .spec.ports 0).port | quote }}{{ else }}"none"{{ end }}',
    '  clusterScoped: {{ dig "metadata" "name" "none" (lookup "v1" "Namespace" "" .Release.Namespace) | quote }}',
    "",
  ].join("\n");

  it("converge renders against the cluster's version, API versions and objects; render without --validate does not", async () => {
    const ns = uniqueName("render-live");
    namespaces.push(ns);
    kubectl(env, "create", "namespace", ns);
    kubectl(env, "-n", ns, "create", "configmap", "seed", "--from-literal=value=42", "--from-literal=next=second");
    kubectl(env, "-n", ns, "create", "configmap", "second", "--from-literal=value=chained-ok");
    // The controller manager adds kube-root-ca.crt to a new namespace soon after; the list lookup counts it.
    await waitFor("kube-root-ca.crt", () => Promise.resolve(/kube-root-ca/.test(kubectl(env, "-n", ns, "get", "configmaps", "-o", "name")) ? true : undefined));
    const project = makeProject({ project: "render-live", chart: { "templates/probe.yaml": probe } });
    projects.push(project);
    const result = await converge(env, project, { namespace: ns, release: "live" });
    expect(result.code, result.stderr).toBe(0);
    const data = kubectlJson<{ data: Record<string, string> }>(env, "-n", ns, "get", "configmap", "probe").data;
    const server = kubectlJson<{ serverVersion: { gitVersion: string } }>(env, "version").serverVersion;
    // Before this converge the namespace held seed, second and kube-root-ca.crt.
    expect(data).toEqual({
      kubeVersion: server.gitVersion,
      hasDeploymentKind: "true",
      hasOfflineDefault: "false",
      hasExtra: "false",
      seed: "42",
      chained: "chained-ok",
      absent: "{}",
      listed: "3",
      listKind: "ConfigMapList",
      portType: "int64",
      clusterScoped: ns,
    });

    const offline = await slipway(project, ["render", "--namespace", ns, "--extra-apiversions", "example.com/v9"]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain("kubeVersion: v1.20.0\n");
    expect(offline.stdout).toContain('hasOfflineDefault: "true"\n');
    expect(offline.stdout).toContain('hasExtra: "true"\n');
    expect(offline.stdout).toContain("seed: none\n");
    expect(offline.stdout).toContain("absent: '{}'\n");

    const live = await slipway(project, ["render", "--validate", "--namespace", ns, "--kube-version", "1.25.0"]);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toContain(`kubeVersion: ${server.gitVersion}\n`);
    expect(live.stdout).toContain('seed: "42"\n');
    expect(live.stdout).toContain("chained: chained-ok\n");
  });

  it("render --debug prints what the templates produced when it is not YAML", async () => {
    const project = makeProject({
      project: "render-debug",
      chart: { "templates/broken.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: {{ "b: c" }}\n' },
    });
    projects.push(project);
    const plain = await slipway(project, ["render"]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toContain("YAML parse error on render-debug/templates/broken.yaml");
    const debug = await slipway(project, ["render", "--debug"]);
    expect(debug.code).toBe(1);
    expect(debug.stdout).toBe("---\n# Source: render-debug/templates/broken.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: b: c\n\n");
    expect(debug.stderr).toContain("YAML parse error on render-debug/templates/broken.yaml");
  });
});

describe("slipway helm template", () => {
  it("--debug prints the rendered files of a chart that is not valid YAML exactly as helm template --debug", () => {
    const chart = makeGitDir({
      "Chart.yaml": "apiVersion: v2\nname: broken\nversion: 0.1.0\n",
      "templates/_h.tpl": '{{- define "x" }}y{{ end }}\n',
      "templates/broken.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: {{ "b: c" }}\n',
    });
    projects.push(chart);
    const run = (bin: string, args: string[]) => spawnSync(bin, args, { cwd: chart.dir, encoding: "utf8" });
    const helmOut = run(helmBinary(), ["template", "rn", ".", "--debug"]);
    const ours = run(process.execPath, [join(ROOT, "bin/slipway.js"), "helm", "template", "rn", ".", "--debug"]);
    expect(helmOut.status).toBe(1);
    expect(ours.status).toBe(1);
    expect(ours.stdout).toBe(helmOut.stdout);
    expect(helmOut.stdout).toContain("a: b: c");
    expect(ours.stderr).toContain("Error: YAML parse error on broken/templates/broken.yaml");
    // Without --debug both print nothing and point at the flag.
    const plain = run(process.execPath, [join(ROOT, "bin/slipway.js"), "helm", "template", "rn", "."]);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toContain("Use --debug flag to render out invalid YAML");
  });
});
