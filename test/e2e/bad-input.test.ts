// Bad input everywhere: a table of broken werf.yaml, werf-giterminism.yaml, Dockerfiles, templates, values,
// Chart.yaml, manifests the server rejects, kubeconfigs, flags and environment variables, each fed to a real
// `slipway converge` against the real cluster and registry, next to a release that is already deployed. Each must
// give one clear message naming the file, line or key, exit 1, print no stack trace, and change nothing: the
// namespace's objects (with their resourceVersions, release Secrets included), the suite's namespaces and the
// suite's registry repositories are snapshotted before and after every case.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { makeGitDir, type GitDir, type GitDirFile } from "../helpers/gitdir.js";
import { runSlipway, type SlipwayResult } from "../helpers/slipway.js";
import { releaseHistory } from "../helpers/release-state.js";
import { configMapYaml, deleteNamespace, kubectl, namespaceSnapshot } from "../helpers/werf-project.js";
import { generateSecretKey, newSecretCipher } from "../../src/secret/cipher.js";
import { encryptSecretValues } from "../../src/secret/values-file.js";

const env = inject("localEnv");
const PREFIX = "e2e-badinput";
const META = `project: ${PREFIX}\nconfigVersion: 1\n`;
const FROM = `FROM ${env.registry}/base/busybox\n`;
const IMAGE = `${META}---\nimage: app\ndockerfile: Dockerfile\n`;
const CHART = "apiVersion: v2\nname: app\nversion: 0.1.0\n";
const CM = configMapYaml("settings", "{{ .Values.greeting }}");
const SECRET_KEY = generateSecretKey();
const SECRET_VALUES = encryptSecretValues("db:\n  password: s3cret\n", newSecretCipher(SECRET_KEY), "secret-values.yaml");

const BASE: Record<string, GitDirFile> = {
  "werf.yaml": META,
  ".helm/Chart.yaml": CHART,
  ".helm/values.yaml": "greeting: hello\n",
  ".helm/templates/cm.yaml": CM,
};

interface Case {
  readonly name: string;
  /** Files over the base project; null deletes one. */
  readonly files?: Readonly<Record<string, GitDirFile | null>>;
  /** Written after the commit, uncommitted. */
  readonly dirty?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Leave out --namespace/--release (the case sets them another way). */
  readonly noTarget?: boolean;
  /** Parts the error message must contain, in this order. */
  readonly expect: readonly (string | RegExp)[];
}

const deployment = (spec: string): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n${spec}`;
const podSpec = "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: main, image: busybox}\n";

const cases: Case[] = [
  // ---- werf.yaml ----
  { name: "werf.yaml: YAML syntax error", files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: [Dockerfile\n` }, expect: ["werf.yaml:5", "invalid YAML"] },
  { name: "werf.yaml: unknown key in an image", files: { "werf.yaml": `${IMAGE}dockerfil: x\n`, Dockerfile: FROM }, expect: ["werf.yaml:6", "dockerfil"] },
  { name: "werf.yaml: unknown key in the meta document", files: { "werf.yaml": `${META}deplyo: {}\n` }, expect: ["werf.yaml:3", "deplyo"] },
  { name: "werf.yaml: no project", files: { "werf.yaml": "configVersion: 1\n" }, expect: ["werf.yaml:1", "'project' field cannot be empty!"] },
  { name: "werf.yaml: bad project name", files: { "werf.yaml": "project: Bad_Project\nconfigVersion: 1\n" }, expect: ["werf.yaml:1", "Bad_Project"] },
  { name: "werf.yaml: configVersion 2", files: { "werf.yaml": `project: ${PREFIX}\nconfigVersion: 2\n` }, expect: ["werf.yaml:2", "configVersion"] },
  { name: "werf.yaml: template parse error", files: { "werf.yaml": `${META}---\nimage: {{ .Env \n` }, expect: ["werf.yaml:5", "unable to render werf config"] },
  { name: "werf.yaml: unknown template function", files: { "werf.yaml": `${META}---\nimage: {{ nosuch 1 }}\n` }, expect: ["werf.yaml:4", "nosuch"] },
  { name: "werf.yaml: duplicate image", files: { "werf.yaml": `${IMAGE}---\nimage: app\ndockerfile: Dockerfile\n`, Dockerfile: FROM }, expect: ["werf.yaml:7", 'duplicate image "app"'] },
  { name: "werf.yaml: Dockerfile missing", files: { "werf.yaml": `${META}---\nimage: app\ndockerfile: Missing.Dockerfile\n` }, expect: ["werf.yaml:4", "Missing.Dockerfile"] },
  { name: "werf.yaml: dependency on an unknown image", files: { "werf.yaml": `${IMAGE}dependencies:\n- image: nope\n`, Dockerfile: FROM }, expect: ["werf.yaml:4", '"nope"'] },
  { name: "werf.yaml: deploy is not a map", files: { "werf.yaml": `${META}deploy: 5\n` }, expect: ["werf.yaml:3", "deploy"] },
  { name: "werf.yaml: Stapel image", files: { "werf.yaml": `${META}---\nimage: a\nfrom: alpine:3\n` }, expect: ["werf.yaml:4", "Stapel images are not supported"] },
  { name: "werf.yaml: uncommitted change", dirty: { "werf.yaml": `${META}# changed\n` }, expect: ['"werf.yaml"', "must be committed"] },
  { name: "werf.yaml: missing", files: { "werf.yaml": null }, expect: ['"werf.yaml" not found'] },
  { name: "werf.yaml: env function without giterminism permission", files: { "werf.yaml": `${META}---\nimage: {{ env "HOME" }}\ndockerfile: Dockerfile\n` }, expect: ["werf.yaml", '"HOME"', "giterminism"] },
  // ---- werf-giterminism.yaml ----
  { name: "werf-giterminism.yaml: YAML syntax error", files: { "werf-giterminism.yaml": "giterminismConfigVersion: 1\nconfig: [\n" }, expect: ["werf-giterminism.yaml", /invalid|yaml/i] },
  { name: "werf-giterminism.yaml: unknown key", files: { "werf-giterminism.yaml": "giterminismConfigVersion: 1\nconfg: {}\n" }, expect: ["werf-giterminism.yaml", "confg"] },
  { name: "werf-giterminism.yaml: wrong version", files: { "werf-giterminism.yaml": "giterminismConfigVersion: 3\n" }, expect: ["werf-giterminism.yaml", "giterminismConfigVersion"] },
  { name: "werf-giterminism.yaml: wrong type", files: { "werf-giterminism.yaml": "giterminismConfigVersion: 1\nconfig:\n  allowUncommitted: maybe\n" }, expect: ["werf-giterminism.yaml", "allowUncommitted"] },
  { name: "werf-giterminism.yaml: uncommitted", dirty: { "werf-giterminism.yaml": "giterminismConfigVersion: 1\n" }, expect: ["werf-giterminism.yaml", "committed"] },
  // ---- Dockerfiles ----
  { name: "Dockerfile: unknown instruction", files: { "werf.yaml": IMAGE, Dockerfile: `${FROM}FORM x\n` }, expect: ["Dockerfile:2", "FORM"] },
  { name: "Dockerfile: no FROM", files: { "werf.yaml": IMAGE, Dockerfile: "RUN true\n" }, expect: ["Dockerfile:1", "no build stage"] },
  { name: "Dockerfile: empty", files: { "werf.yaml": IMAGE, Dockerfile: "" }, expect: ["Dockerfile", /empty|FROM|no instructions/i] },
  { name: "Dockerfile: unknown target stage", files: { "werf.yaml": `${IMAGE}target: nope\n`, Dockerfile: FROM }, expect: ["nope"] },
  { name: "Dockerfile: unterminated heredoc", files: { "werf.yaml": IMAGE, Dockerfile: `${FROM}RUN <<EOF\necho hi\n` }, expect: ["Dockerfile", /heredoc|EOF/i] },
  { name: "Dockerfile: bad FROM reference", files: { "werf.yaml": IMAGE, Dockerfile: "FROM Not:A:Valid:Ref\n" }, expect: ["Dockerfile:1", "Not:A:Valid:Ref"] },
  // ---- templates ----
  { name: "template: parse error", files: { ".helm/templates/cm.yaml": "data: {{ .Values.greeting\n" }, expect: ["templates/cm.yaml:2", "unclosed action"] },
  { name: "template: unknown function", files: { ".helm/templates/cm.yaml": "data: {{ nosuch .Values.greeting }}\n" }, expect: ["templates/cm.yaml:1", "nosuch"] },
  { name: "template: fail", files: { ".helm/templates/cm.yaml": '{{ fail "greeting is wrong" }}\n' }, expect: ["templates/cm.yaml:1", "greeting is wrong"] },
  { name: "template: required value missing", files: { ".helm/templates/cm.yaml": '{{ required "db.host is required" .Values.db }}\n' }, expect: ["templates/cm.yaml:1", "db.host is required"] },
  { name: "template: include of a missing template", files: { ".helm/templates/cm.yaml": '{{ include "nope" . }}\n' }, expect: ["templates/cm.yaml:1", '"nope"'] },
  { name: "template: rendered YAML invalid", files: { ".helm/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [b\n" }, expect: ["templates/cm.yaml", /line|yaml/i] },
  { name: "template: no kind", files: { ".helm/templates/cm.yaml": "apiVersion: v1\nmetadata:\n  name: x\n" }, expect: ["templates/cm.yaml", "kind"] },
  { name: "template: no metadata.name", files: { ".helm/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n" }, expect: ["templates/cm.yaml", "name"] },
  { name: "template: unknown kind", files: { ".helm/templates/cm.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: x\n" }, expect: ["Widget", "example.com/v1"] },
  { name: "template: the same resource twice", files: { ".helm/templates/two.yaml": CM }, expect: ["two.yaml", "duplicated resources", "ConfigMap/settings"] },
  { name: "template: bad werf.io/weight", files: { ".helm/templates/cm.yaml": configMapYaml("settings", "x", '  annotations:\n    werf.io/weight: heavy\n') }, expect: ["werf.io/weight", "heavy"] },
  { name: "template: bad helm.sh/hook", files: { ".helm/templates/cm.yaml": configMapYaml("settings", "x", '  annotations:\n    helm.sh/hook: sometime\n') }, expect: ["helm.sh/hook", "sometime"] },
  { name: "template: bad werf.io/fail-mode", files: { ".helm/templates/cm.yaml": configMapYaml("settings", "x", '  annotations:\n    werf.io/fail-mode: explode\n') }, expect: ["werf.io/fail-mode", "explode"] },
  { name: "template: bad werf.io/track-termination-mode", files: { ".helm/templates/cm.yaml": configMapYaml("settings", "x", '  annotations:\n    werf.io/track-termination-mode: never\n') }, expect: ["werf.io/track-termination-mode", "never"] },
  { name: "template: bad helm.sh/hook-weight", files: { ".helm/templates/cm.yaml": configMapYaml("settings", "x", '  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: first\n') }, expect: ["helm.sh/hook-weight", "first"] },
  // ---- values ----
  { name: "values.yaml: YAML syntax error", files: { ".helm/values.yaml": "greeting: [hello\n" }, expect: ["values.yaml", /line 1|:1/] },
  { name: "--values: missing file", args: ["--values", "nope.yaml"], expect: ["nope.yaml"] },
  { name: "--values: YAML syntax error", files: { "extra.yaml": "a: b: c\n" }, args: ["--values", "extra.yaml"], expect: ["extra.yaml"] },
  { name: "--set: no value", args: ["--set", "greeting"], expect: ["greeting"] },
  { name: "--set: bad index", args: ["--set", "list[x]=1"], expect: ["--set", "index"] },
  { name: "--set-file: missing file", args: ["--set-file", "greeting=nope.txt"], expect: ["nope.txt"] },
  { name: "--set-json: invalid JSON", args: ["--set-json", "greeting={bad"], expect: ["greeting"] },
  { name: "values.schema.json: violated", files: { ".helm/values.schema.json": '{"type":"object","properties":{"greeting":{"type":"integer"}}}' }, expect: ["greeting", /integer/] },
  { name: "values.schema.json: invalid JSON", files: { ".helm/values.schema.json": '{"type": ' }, expect: ["values.schema.json"] },
  { name: "secret-values.yaml: no secret key anywhere", files: { ".helm/secret-values.yaml": SECRET_VALUES }, env: { HOME: "/nonexistent-home" }, expect: [".helm/secret-values.yaml", "encryption key not found"] },
  { name: "secret-values.yaml: wrong secret key", files: { ".helm/secret-values.yaml": SECRET_VALUES }, env: { WERF_SECRET_KEY: generateSecretKey() }, expect: [".helm/secret-values.yaml:2", "db.password"] },
  { name: "secret-values.yaml: corrupt value", files: { ".helm/secret-values.yaml": "db:\n  password: 1000abcdef\n" }, env: { WERF_SECRET_KEY: SECRET_KEY }, expect: [".helm/secret-values.yaml:2", "db.password"] },
  { name: "werf_secret_file: no such file", files: { ".helm/templates/s.yaml": '{{ werf_secret_file "nope.txt" }}\n' }, env: { WERF_SECRET_KEY: SECRET_KEY }, expect: ["nope.txt"] },
  // ---- Chart.yaml ----
  { name: "Chart.yaml: YAML syntax error", files: { ".helm/Chart.yaml": "apiVersion: v2\nname: [app\n" }, expect: ["Chart.yaml"] },
  { name: "Chart.yaml: unknown type", files: { ".helm/Chart.yaml": `${CHART}type: service\n` }, expect: ["Chart.yaml", "type"] },
  { name: "Chart.yaml: version not SemVer", files: { ".helm/Chart.yaml": "apiVersion: v2\nname: app\nversion: one\n" }, expect: ["Chart.yaml", "version", "one"] },
  { name: "Chart.yaml: dependency not vendored", files: { ".helm/Chart.yaml": `${CHART}dependencies:\n- name: db\n  version: 1.0.0\n  repository: https://charts.invalid\n` }, expect: ["db"] },
  { name: "Chart.yaml: kubeVersion not met", files: { ".helm/Chart.yaml": `${CHART}kubeVersion: ">=2.0.0"\n` }, expect: ["kubeVersion", ">=2.0.0"] },
  { name: "Chart.yaml: wrong type", files: { ".helm/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\nkeywords: web\n" }, expect: ["Chart.yaml", "keywords"] },
  // ---- manifests the server rejects ----
  { name: "server rejects: replicas is a string", files: { ".helm/templates/web.yaml": deployment(`  replicas: two\n${podSpec}`) }, expect: ["Deployment/web", "replicas"] },
  { name: "server rejects: upper-case name", files: { ".helm/templates/cm.yaml": configMapYaml("Bad_Name", "x") }, expect: ["Bad_Name"] },
  { name: "server rejects: port out of range", files: { ".helm/templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 99999\n" }, expect: ["Service/svc", "99999"] },
  { name: "server rejects: selector does not match labels", files: { ".helm/templates/web.yaml": deployment(podSpec.replace("{app: web}}\n  template", "{app: other}}\n  template")) }, expect: ["Deployment/web", "selector"] },
  { name: "server rejects: no containers", files: { ".helm/templates/web.yaml": deployment("  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: []\n") }, expect: ["Deployment/web", "containers"] },
  { name: "server rejects: data value is a map", files: { ".helm/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: {b: c}\n" }, expect: ["ConfigMap/settings", "data"] },
  // ---- kubeconfigs ----
  { name: "kubeconfig: file missing", env: { KUBECONFIG: "/nonexistent/kubeconfig", WERF_KUBE_CONTEXT: "" }, expect: ["/nonexistent/kubeconfig"] },
  { name: "kubeconfig: YAML syntax error", env: { KUBECONFIG: "@bad-yaml", WERF_KUBE_CONTEXT: "" }, expect: ["bad-yaml", "line 3"] },
  { name: "kubeconfig: context not found", args: ["--kube-context", "nope"], expect: ['"nope"'] },
  { name: "kubeconfig: server refuses connections", env: { KUBECONFIG: "@refused", WERF_KUBE_CONTEXT: "" }, expect: ["127.0.0.1:1", "connection refused"] },
  { name: "kubeconfig: token rejected", env: { KUBECONFIG: "@bad-token", WERF_KUBE_CONTEXT: "" }, expect: [/Unauthorized|credentials/] },
  { name: "kubeconfig: certificate authority data not base64 PEM", env: { KUBECONFIG: "@bad-ca", WERF_KUBE_CONTEXT: "" }, expect: ["certificate"] },
  // ---- flags ----
  { name: "flag: unknown", args: ["--no-such-flag"], expect: ["--no-such-flag"] },
  { name: "flag: --timeout not a number", args: ["--timeout", "soon"], expect: ["--timeout", "soon"] },
  { name: "flag: --namespace invalid", noTarget: true, args: ["--namespace", "Bad_NS", "--release", "x"], expect: ["Bad_NS"] },
  { name: "flag: --release invalid", noTarget: true, args: ["--namespace", "default", "--release", "Bad_Release"], expect: ["Bad_Release"] },
  { name: "flag: --release-storage sql", args: ["--release-storage", "sql"], expect: ['"sql"'] },
  { name: "flag: unexpected argument", args: ["extra"], expect: ["extra"] },
  { name: "flag: --kube-qps-limit not a number", args: ["--kube-qps-limit", "many"], expect: ["--kube-qps-limit", "many"] },
  { name: "flag: --add-annotation without =", args: ["--add-annotation", "team"], expect: ["--add-annotation", "team"] },
  { name: "flag: --delete-propagation unknown", args: ["--delete-propagation", "Sideways"], expect: ["Sideways"] },
  // ---- environment variables ----
  { name: "env: WERF_TIMEOUT not a number", env: { WERF_TIMEOUT: "soon" }, expect: ["WERF_TIMEOUT", "soon"] },
  { name: "env: WERF_RELEASE invalid", noTarget: true, env: { WERF_NAMESPACE: "default", WERF_RELEASE: "Bad_Release" }, expect: ["Bad_Release"] },
  { name: "env: WERF_NAMESPACE invalid", noTarget: true, env: { WERF_NAMESPACE: "Bad_NS", WERF_RELEASE: "x" }, expect: ["Bad_NS"] },
  { name: "env: WERF_KUBE_CONTEXT unknown", env: { WERF_KUBE_CONTEXT: "nope" }, expect: ['"nope"'] },
  { name: "env: WERF_LOG_COLOR_MODE unknown", env: { WERF_LOG_COLOR_MODE: "purple" }, expect: ["purple"] },
  { name: "env: WERF_RELEASE_STORAGE memory", env: { WERF_RELEASE_STORAGE: "memory" }, expect: ['"memory"'] },
  { name: "env: WERF_KUBE_CONFIG missing file", env: { WERF_KUBE_CONFIG: "/nonexistent/werf-kubeconfig", WERF_KUBE_CONTEXT: "" }, expect: ["/nonexistent/werf-kubeconfig"] },
  { name: "env: WERF_SET_* without =", env: { WERF_SET_GREETING: "greeting" }, expect: ["greeting"] },
];

describe(`bad input is refused with one clear message and changes nothing (${cases.length} cases)`, () => {
  const namespace = uniqueName(PREFIX);
  const release = uniqueName("bad");
  const repo = `${env.registry}/${PREFIX}/${release}`;
  let dir: string;
  const repos: GitDir[] = [];
  const kubeconfigs = new Map<string, string>();
  const seconds: number[] = [];
  let good: GitDir;
  /** The state after the previous case (each case must leave it as it found it). */
  let last: string[] = [];

  const run = (project: GitDir, c: Pick<Case, "args" | "env" | "noTarget">): Promise<SlipwayResult> => {
    const caseEnv = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, v.startsWith("@") ? (kubeconfigs.get(v) ?? v) : v]));
    return runSlipway(["converge", "--repo", repo, "--insecure-registry", ...(c.noTarget === true ? [] : ["--namespace", namespace, "--release", release]), ...(c.args ?? [])], {
      cwd: project.dir,
      env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context, DOCKER_HOST: env.dockerHost, WERF_LOG_COLOR_MODE: "off", ...caseEnv },
      timeoutMs: 120_000,
    });
  };

  /** Everything a converge could change: the namespace, the suite's namespaces, the suite's registry repositories. */
  const snapshot = async (): Promise<string[]> => {
    // Active ones only: a namespace an earlier run is still deleting may vanish between two snapshots.
    const active = kubectl(env, "get", "namespaces", "-o", 'jsonpath={range .items[?(@.status.phase=="Active")]}namespace/{.metadata.name}{"\\n"}{end}');
    const namespaces = active.split("\n").filter((n) => n.includes(PREFIX) || n.includes("bad-ns"));
    const catalog = (await (await fetch(`http://${env.registry}/v2/_catalog?n=100000`)).json()) as { repositories?: string[] };
    const ours = (catalog.repositories ?? []).filter((r) => r.startsWith(`${PREFIX}/`));
    const tags = await Promise.all(ours.map(async (r) => `${r}:${JSON.stringify(((await (await fetch(`http://${env.registry}/v2/${r}/tags/list`)).json()) as { tags?: string[] }).tags ?? [])}`));
    return [...namespaceSnapshot(env, namespace), ...namespaces, ...tags];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-bad-input-"));
    const kc = (name: string, text: string): void => {
      const file = join(dir, name);
      writeFileSync(file, text);
      kubeconfigs.set(`@${name}`, file);
    };
    kc("bad-yaml", "apiVersion: v1\nclusters: [\n");
    const cluster = (server: string, extra = ""): string =>
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server}"${extra}}\nusers:\n- name: u\n  user: {token: not-a-valid-token}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;
    kc("refused", cluster("https://127.0.0.1:1"));
    kc("bad-token", cluster("https://127.0.0.1:6443", ", insecure-skip-tls-verify: true"));
    kc("bad-ca", cluster("https://127.0.0.1:6443", ", certificate-authority-data: bm90IGEgY2VydGlmaWNhdGU="));
    good = makeGitDir(BASE);
    repos.push(good);
    const first = await run(good, {});
    expect(first.code, first.stderr).toBe(0);
    last = await snapshot();
  });

  afterAll(() => {
    for (const r of repos) r.remove();
    rmSync(dir, { recursive: true, force: true });
    deleteNamespace(env, namespace);
    const total = seconds.reduce((a, b) => a + b, 0);
    console.log(`bad input: ${seconds.length} cases in ${total.toFixed(1)} s (slowest ${Math.max(...seconds).toFixed(1)} s); every one exit 1, one message, no change to cluster or registry`);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const files: Record<string, GitDirFile> = {};
    for (const [path, text] of Object.entries({ ...BASE, ...c.files })) if (text !== null) files[path] = text;
    const project = makeGitDir(files);
    repos.push(project);
    if (c.dirty !== undefined) project.write(c.dirty);
    const before = last;
    const started = performance.now();
    const result = await run(project, c);
    seconds.push((performance.now() - started) / 1000);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("Error: "));
    expect(result.code, result.stderr).toBe(1);
    expect(errors, result.stderr).toHaveLength(1);
    const message = result.stderr.slice(result.stderr.indexOf("Error: "));
    let rest = message;
    for (const part of c.expect) {
      const index = typeof part === "string" ? rest.indexOf(part) : rest.search(part);
      expect(index, `${String(part)} in:\n${message}`).toBeGreaterThanOrEqual(0);
      rest = rest.slice(index);
    }
    expect(result.stderr).not.toMatch(/\n\s+at .*(\.js|\.ts|node:)/);
    last = await snapshot();
    expect(last).toEqual(before);
  });

  it("left the deployed release as it was", () => {
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "deployed"]]);
  });
});
