// converge on the real cluster, seen from outside: the order in which objects appear and become ready (an API watch
// started before the converge) equals nelm's plan, and releases pass back and forth between slipway and the real
// helm v3.17.3 and nelm 1.24.3 (install by one, upgrade by the other, history, rollback, prune, the shared lock).
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { watchNamespace, type NamespaceWatch, type ObservedObject } from "../helpers/namespace-watch.js";
import { runHelm, runNelm, type OracleResult } from "../helpers/oracles.js";
import { converge, deleteNamespace, kubectl, kubectlJson, makeProject, busyboxDeployment, busyboxJob, configMapYaml } from "../helpers/werf-project.js";

const env = inject("localEnv");
const namespaces: string[] = [];
const watches: NamespaceWatch[] = [];
afterAll(() => {
  for (const w of watches) w.stop();
  for (const ns of namespaces) deleteNamespace(env, ns);
});

function fresh(prefix: string): { namespace: string; release: string } {
  const namespace = uniqueName(prefix);
  namespaces.push(namespace);
  return { namespace, release: prefix };
}

const oracle = { kubeconfig: env.kubeconfig, kubeContext: env.context };

function ok(what: string, result: OracleResult): string {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}
const helm = async (...args: string[]): Promise<string> => ok(`helm ${args.join(" ")}`, await runHelm(args, oracle));
const nelm = async (...args: string[]): Promise<string> => ok(`nelm ${args.join(" ")}`, await runNelm(args, oracle));

interface HistoryEntry {
  revision: number;
  status: string;
  chart: string;
}
const helmHistory = async (release: string, namespace: string): Promise<[number, string][]> =>
  (JSON.parse(await helm("history", release, "-n", namespace, "-o", "json")) as HistoryEntry[]).map((h) => [h.revision, h.status]);

const cmValue = (namespace: string, name: string): string => kubectl(env, "get", "configmap", name, "-n", namespace, "-o", "jsonpath={.data.value}");
const cmNames = (namespace: string): string[] =>
  kubectlJson<{ items: { metadata: { name: string } }[] }>(env, "get", "configmaps", "-n", namespace).items.map((i) => i.metadata.name);

const configMap = configMapYaml;

/** A Deployment whose pod becomes Ready `readyAfter` seconds after it starts (readiness probe delay). */
const deployment = (name: string, { annotations = "", readyAfter = 2, envFrom = "" } = {}): string =>
  busyboxDeployment(env.registry, name, { annotations, readyAfterS: readyAfter, envFrom });

const hookAnnotations = (events: string, weight: number): string =>
  `  annotations:\n    helm.sh/hook: ${events}\n    helm.sh/hook-weight: "${weight}"\n`;

const hookJob = (name: string, events: string, weight: number): string =>
  busyboxJob(env.registry, name, `echo hook ${name}; sleep 2`, { annotations: hookAnnotations(events, weight) });

const hookPod = (name: string, events: string, weight: number): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${hookAnnotations(events, weight)}spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${env.registry}/base/busybox
    command: ["sh", "-c", "echo hook ${name}; sleep 2"]
`;

const weight = (w: number): string => `    werf.io/weight: "${w}"\n`;

/** "a happened before b" by etcd revision, with the watch log when it did not. */
function before(watch: NamespaceWatch, what: string, a: number, b: number): void {
  expect(a, `${what}\n${watch.describe()}`).toBeLessThan(b);
}
function readyOf(watch: NamespaceWatch, o: ObservedObject): number {
  if (o.ready === undefined) throw new Error(`${o.kind}/${o.name} was never seen ready\n${watch.describe()}`);
  return o.ready.rv;
}

describe("converge applies the plan in order on the cluster", () => {
  it("runs hooks by weight, weight groups in order with each group ready before the next, members of a group together", async () => {
    const { namespace, release } = fresh("order");
    const project = makeProject({
      project: "order",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: order\nversion: 0.1.0\n",
        "templates/hook-pre-a.yaml": hookJob("hook-pre-a", "pre-install,pre-upgrade", -5),
        "templates/hook-pre-b.yaml": hookPod("hook-pre-b", "pre-install,pre-upgrade", 5),
        "templates/cm.yaml": configMap("order-config", "x"),
        "templates/w-minus.yaml": deployment("w-minus", { annotations: weight(-1) }),
        "templates/w-zero-a.yaml": deployment("w-zero-a", { annotations: weight(0), envFrom: "order-config" }),
        "templates/w-zero-b.yaml": deployment("w-zero-b", { envFrom: "order-config" }),
        "templates/w-plus.yaml": deployment("w-plus", { annotations: weight(1) }),
        "templates/hook-post.yaml": hookJob("hook-post", "post-install,post-upgrade", 0),
      },
    });
    const names = new Set(["hook-pre-a", "hook-pre-b", "order-config", "w-minus", "w-zero-a", "w-zero-b", "w-plus", "hook-post", `sh.helm.release.v1.${release}.v1`]);
    const watch = await watchNamespace(env, namespace, ["ConfigMap", "Secret", "Pod", "Job", "Deployment"], (_kind, name) => names.has(name));
    watches.push(watch);

    const result = await converge(env, project, { namespace, release });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Succeeded release "${release}" (namespace: "${namespace}")`);
    // The release record's switch to `deployed` is the last thing the plan does; wait until the watch saw it.
    const record = await watch.waitReady(`Secret/sh.helm.release.v1.${release}.v1`, 30_000);
    watch.stop();

    const preA = watch.get("Job/hook-pre-a");
    const preB = watch.get("Pod/hook-pre-b");
    const cm = watch.get("ConfigMap/order-config");
    const minus = watch.get("Deployment/w-minus");
    const zeroA = watch.get("Deployment/w-zero-a");
    const zeroB = watch.get("Deployment/w-zero-b");
    const plus = watch.get("Deployment/w-plus");
    const post = watch.get("Job/hook-post");

    // init: the pending revision is written before anything of the chart.
    before(watch, "release record (pending) before hook -5", record.added.rv, preA.added.rv);
    // pre-install: hook weight -5, ready, then hook weight 5.
    before(watch, "hook -5 ready before hook 5 is created", readyOf(watch, preA), preB.added.rv);
    // install: every pre hook ready before weight -1 starts.
    before(watch, "hook 5 ready before weight -1 is created", readyOf(watch, preB), minus.added.rv);
    // weight -1 ready before anything of weight 0 (the ConfigMap and both Deployments).
    for (const o of [cm, zeroA, zeroB]) before(watch, `weight -1 ready before ${o.name} (weight 0) is created`, readyOf(watch, minus), o.added.rv);
    // Inside weight 0, the Deployments need the ConfigMap they read present (automatic dependency).
    for (const o of [zeroA, zeroB]) before(watch, `ConfigMap before ${o.name}`, cm.added.rv, o.added.rv);
    // Both members of weight 0 start together: neither waits for the other, and they appear within a second.
    before(watch, "w-zero-b created before w-zero-a is ready", zeroB.added.rv, readyOf(watch, zeroA));
    before(watch, "w-zero-a created before w-zero-b is ready", zeroA.added.rv, readyOf(watch, zeroB));
    expect(Math.abs(zeroA.added.at - zeroB.added.at), watch.describe()).toBeLessThan(1000);
    // weight 0 ready before weight 1; weight 1 ready before the post-install hook.
    for (const o of [zeroA, zeroB]) before(watch, `${o.name} ready before weight 1 is created`, readyOf(watch, o), plus.added.rv);
    before(watch, "weight 1 ready before the post hook is created", readyOf(watch, plus), post.added.rv);
    // final: deployed only after the post hook completed.
    before(watch, "post hook complete before the release is deployed", readyOf(watch, post), readyOf(watch, record));

    // The same order in wall-clock time, as a person watching would see it.
    const timeline = [preA, preB, minus, zeroA, plus, post].map((o) => o.added.at);
    expect(timeline, watch.describe()).toEqual([...timeline].sort((a, b) => a - b));

    // helm reads the hooks apart from the manifest.
    const hooks = await helm("get", "hooks", release, "-n", namespace);
    for (const name of ["hook-pre-a", "hook-pre-b", "hook-post"]) expect(hooks).toContain(`name: ${name}`);
    const manifest = await helm("get", "manifest", release, "-n", namespace);
    for (const name of ["order-config", "w-minus", "w-zero-a", "w-zero-b", "w-plus"]) expect(manifest).toContain(`name: ${name}`);
    expect(manifest).not.toContain("hook-pre-a");
    const status = JSON.parse(await helm("status", release, "-n", namespace, "-o", "json")) as { info: { status: string }; version: number };
    expect([status.version, status.info.status]).toEqual([1, "deployed"]);

    // Unchanged chart with hooks: the hooks run again (recreated, before-hook-creation) and revision 2 is written,
    // as werf does; the Deployments are left alone.
    const uid = (kind: string, name: string): string => kubectl(env, "get", kind, name, "-n", namespace, "-o", "jsonpath={.metadata.uid}");
    const before2 = { preA: uid("job", "hook-pre-a"), post: uid("job", "hook-post"), web: kubectl(env, "get", "deployment", "w-plus", "-n", namespace, "-o", "jsonpath={.metadata.generation}") };
    const second = await converge(env, project, { namespace, release });
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    expect(uid("job", "hook-pre-a")).not.toBe(before2.preA);
    expect(uid("job", "hook-post")).not.toBe(before2.post);
    expect(kubectl(env, "get", "job", "hook-post", "-n", namespace, "-o", "jsonpath={.status.succeeded}")).toBe("1");
    expect(kubectl(env, "get", "deployment", "w-plus", "-n", namespace, "-o", "jsonpath={.metadata.generation}")).toBe(before2.web);
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "deployed"]]);
  });
});

describe("releases shared with the real helm v3.17.3", () => {
  it("slipway upgrades what helm installed (adopting without --force-adoption), helm upgrades and rolls back what slipway made", async () => {
    const { namespace, release } = fresh("helm-interop");
    const project = makeProject({
      project: "helm-interop",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: interop\nversion: 0.1.0\nappVersion: \"1.0\"\n",
        "values.yaml": "greeting: hello\n",
        "templates/cm.yaml": configMap("greeting", "{{ .Values.greeting }}"),
        "templates/gone.yaml": configMap("gone", "helm"),
        "templates/deploy.yaml": deployment("web", { readyAfter: 0 }),
      },
    });
    const chart = join(project.dir, ".helm");
    await helm("install", release, chart, "-n", namespace, "--create-namespace", "--wait", "--set", "greeting=from-helm");
    expect(cmValue(namespace, "greeting")).toBe("from-helm");

    // slipway takes over: the objects carry helm's release annotations, so no --force-adoption is needed.
    project.write({
      ".helm/Chart.yaml": "apiVersion: v2\nname: interop\nversion: 0.2.0\nappVersion: \"2.0\"\n",
      ".helm/templates/gone.yaml": null,
      ".helm/templates/added.yaml": configMap("added", "slipway"),
    });
    project.commit("slipway's version");
    const upgraded = await converge(env, project, { namespace, release, args: ["--set", "greeting=from-slipway"] });
    expect(upgraded.stderr).toBe("");
    expect(upgraded.code).toBe(0);
    expect(cmValue(namespace, "greeting")).toBe("from-slipway");
    expect(cmValue(namespace, "added")).toBe("slipway");
    expect(cmNames(namespace)).not.toContain("gone");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "deployed"]]);
    const listed = JSON.parse(await helm("list", "-n", namespace, "-o", "json")) as { name: string; revision: string; status: string; chart: string; app_version: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: release, revision: "2", status: "deployed", chart: "interop-0.2.0", app_version: "2.0" })]);
    expect(JSON.parse(await helm("get", "values", release, "-n", namespace, "-o", "json"))).toEqual({ greeting: "from-slipway" });
    expect(JSON.parse(await helm("get", "values", release, "-n", namespace, "--revision", "1", "-o", "json"))).toEqual({ greeting: "from-helm" });
    const manifest2 = await helm("get", "manifest", release, "-n", namespace);
    expect(manifest2).toContain("# Source: interop/templates/added.yaml");
    expect(manifest2).not.toContain("templates/gone.yaml");
    expect(manifest2).toContain('value: "from-slipway"');

    // helm upgrades slipway's release (its three-way merge starts from slipway's manifest: "added" is removed).
    project.write({ ".helm/templates/added.yaml": null });
    project.commit("without added");
    await helm("upgrade", release, chart, "-n", namespace, "--wait", "--set", "greeting=helm-again");
    expect(cmValue(namespace, "greeting")).toBe("helm-again");
    expect(cmNames(namespace)).not.toContain("added");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "superseded"], [3, "deployed"]]);

    // helm rolls back to slipway's revision: "added" and slipway's values come back.
    await helm("rollback", release, "2", "-n", namespace, "--wait");
    expect(cmValue(namespace, "greeting")).toBe("from-slipway");
    expect(cmValue(namespace, "added")).toBe("slipway");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "superseded"], [3, "superseded"], [4, "deployed"]]);

    // slipway continues the history after helm's rollback, pruning "added" by the rollback's manifest.
    const again = await converge(env, project, { namespace, release, args: ["--set", "greeting=slipway-again"] });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(cmValue(namespace, "greeting")).toBe("slipway-again");
    expect(cmNames(namespace)).not.toContain("added");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "superseded"], [3, "superseded"], [4, "superseded"], [5, "deployed"]]);

    // helm uninstalls what slipway deployed last.
    await helm("uninstall", release, "-n", namespace, "--wait");
    expect(cmNames(namespace)).not.toContain("greeting");
    expect(kubectl(env, "get", "deployments", "-n", namespace, "-o", "name")).toBe("");
    expect(kubectl(env, "get", "secrets", "-n", namespace, "-l", `owner=helm,name=${release}`, "-o", "name")).toBe("");
  });
});

describe("releases shared with the real nelm 1.24.3", () => {
  it("slipway upgrades what nelm installed and nelm upgrades what slipway made, each pruning by the other's manifest", async () => {
    const { namespace, release } = fresh("nelm-interop");
    const project = makeProject({
      project: "nelm-interop",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: ninterop\nversion: 0.1.0\n",
        "values.yaml": "greeting: hello\n",
        "templates/cm.yaml": configMap("greeting", "{{ .Values.greeting }}"),
        "templates/old.yaml": configMap("old", "nelm"),
        "templates/deploy.yaml": deployment("web", { readyAfter: 0 }),
      },
    });
    const chart = join(project.dir, ".helm");
    await nelm("release", "install", "-n", namespace, "-r", release, chart, "--set", "greeting=from-nelm");
    expect(cmValue(namespace, "greeting")).toBe("from-nelm");
    expect(await helmHistory(release, namespace)).toEqual([[1, "deployed"]]);

    project.write({ ".helm/templates/old.yaml": null, ".helm/templates/extra.yaml": configMap("extra", "slipway") });
    project.commit("slipway's version");
    const upgraded = await converge(env, project, { namespace, release, args: ["--set", "greeting=from-slipway"] });
    expect(upgraded.stderr).toBe("");
    expect(upgraded.code).toBe(0);
    expect(cmValue(namespace, "greeting")).toBe("from-slipway");
    expect(cmValue(namespace, "extra")).toBe("slipway");
    expect(cmNames(namespace)).not.toContain("old");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "deployed"]]);

    // nelm upgrades slipway's release with a chart without "extra": it prunes by slipway's stored manifest.
    project.write({ ".helm/templates/extra.yaml": null });
    project.commit("without extra");
    await nelm("release", "install", "-n", namespace, "-r", release, chart, "--set", "greeting=nelm-again");
    expect(cmValue(namespace, "greeting")).toBe("nelm-again");
    expect(cmNames(namespace)).not.toContain("extra");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "superseded"], [3, "deployed"]]);
    // nelm reads slipway's revision as a release of its own.
    expect(await nelm("release", "get", "-n", namespace, "-r", release, "2", "--print-values")).toContain("from-slipway");

    // And slipway once more on top of nelm's upgrade.
    const again = await converge(env, project, { namespace, release, args: ["--set", "greeting=slipway-again"] });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(cmValue(namespace, "greeting")).toBe("slipway-again");
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "superseded"], [3, "superseded"], [4, "deployed"]]);
  });

  it("waits while nelm holds the release lock and deploys after nelm finished", async () => {
    const { namespace, release } = fresh("nelm-lock");
    const project = makeProject({
      project: "nelm-lock",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: nlock\nversion: 0.1.0\n",
        "values.yaml": "greeting: hello\n",
        "templates/cm.yaml": configMap("greeting", "{{ .Values.greeting }}"),
        "templates/slow.yaml": deployment("slow", { readyAfter: 12 }),
      },
    });
    const chart = join(project.dir, ".helm");
    const names = new Set(["slow", `sh.helm.release.v1.${release}.v1`, `sh.helm.release.v1.${release}.v2`]);
    const watch = await watchNamespace(env, namespace, ["Secret", "Deployment"], (_kind, name) => names.has(name));
    watches.push(watch);

    const nelmRun = runNelm(["release", "install", "-n", namespace, "-r", release, chart, "--set", "greeting=from-nelm"], oracle).then((r) => ({
      ...r,
      endedAt: Date.now(),
    }));
    // nelm takes the lock before it applies anything: once the slow Deployment exists, nelm holds it.
    await watch.waitAdded("Deployment/slow", 60_000);
    const slipwayStart = Date.now();
    const slipwayRun = converge(env, project, { namespace, release, args: ["--set", "greeting=from-slipway"] }).then((r) => ({ ...r, endedAt: Date.now() }));
    const [nelmResult, slipwayResult] = await Promise.all([nelmRun, slipwayRun]);
    watch.stop();

    ok("nelm release install", nelmResult);
    expect(slipwayResult.stderr).toBe("");
    expect(slipwayResult.code).toBe(0);
    expect(slipwayResult.stdout).toContain(`Waiting for locked "release/${release}"`);
    expect(slipwayResult.endedAt).toBeGreaterThan(nelmResult.endedAt);
    // slipway really waited (the Deployment needs ~12 s to be ready) rather than failing fast or deploying at once.
    expect(slipwayResult.endedAt - slipwayStart).toBeGreaterThan(5_000);
    // slipway's revision 2 was written only after nelm's revision 1 was deployed.
    const v1 = watch.get(`Secret/sh.helm.release.v1.${release}.v1`);
    const v2 = watch.get(`Secret/sh.helm.release.v1.${release}.v2`);
    before(watch, "nelm's revision deployed before slipway's revision is created", readyOf(watch, v1), v2.added.rv);
    expect(await helmHistory(release, namespace)).toEqual([[1, "superseded"], [2, "deployed"]]);
    expect(cmValue(namespace, "greeting")).toBe("from-slipway");
  });
});
