// Concurrent converges: five of one release serialise on werf's lock (each run ends with exit 0 and writes exactly
// one revision, and the API server's own order of events shows no interleaving: revision N is deployed before
// revision N+1 is created), two releases in one namespace do not wait for each other, and a lock written by the
// test exactly as werf's lockgate v0.1.1 writes it (annotation `lockgate.io/<sha3-224 of "release/<name>">` on
// ConfigMap werf-synchronization) makes slipway wait until it is released, or until its lease expires when its
// holder died; and the real nelm 1.24.3 waits out the lease of a slipway killed while holding the lock.
// Real cluster, real slipway binary; the release history is read with the real helm 3.17.3.
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { watchNamespace, type NamespaceWatch } from "../helpers/namespace-watch.js";
import { runNelm } from "../helpers/oracles.js";
import { Figures, historyProblems, killAt } from "../helpers/reliability.js";
import { lockAnnotations, releaseHistory, releaseManifest } from "../helpers/release-state.js";
import type { SlipwayResult } from "../helpers/slipway.js";
import { busyboxDeployment, configMapYaml, converge, deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const namespaces: string[] = [];
const watches: NamespaceWatch[] = [];
const figures = new Figures("concurrency", ["case", "runs", "exit codes", "waited", "wall time", "history"]);
afterAll(() => {
  figures.print("all cases checked");
  for (const w of watches) w.stop();
  for (const ns of namespaces) deleteNamespace(env, ns);
});

function fresh(prefix: string): string {
  const namespace = uniqueName(prefix);
  namespaces.push(namespace);
  kubectl(env, "create", "namespace", namespace);
  return namespace;
}

const chart = (name: string): Record<string, string> => ({
  "Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
  "templates/who.yaml": configMapYaml(`${name}-who`, "{{ .Values.who }}"),
  // Rendered before the lock; a run that waited renders again for the revision it really writes.
  "templates/rev.yaml": configMapYaml(`${name}-rev`, "{{ .Release.Revision }}"),
  // Each revision rolls the Deployment out (a few seconds), so overlapping deploys would show.
  "templates/app.yaml": busyboxDeployment(env.registry, `${name}-app`, { message: "{{ .Values.who }}", readyAfterS: 1 }),
});
const out = (r: SlipwayResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const waited = (r: SlipwayResult, release: string): boolean => r.stdout.includes(`Waiting for locked "release/${release}"`);
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The lease lockgate v0.1.1 (werf v2, nelm 1.24.3) writes for a lock, as werf would hold it: written here, not by slipway. */
function holdWerfLock(namespace: string, release: string, expireInS: number): { key: string; uuid: string } {
  const lockName = `release/${release}`;
  const key = `lockgate.io/${createHash("sha3-224").update(lockName).digest("hex")}`;
  const uuid = randomUUID();
  const lease = JSON.stringify({ uuid, lockName, ExpireAtTimestamp: Math.floor(Date.now() / 1000) + expireInS, SharedHoldersCount: 1, IsShared: false });
  kubectl(env, "create", "configmap", "werf-synchronization", "-n", namespace);
  kubectl(env, "annotate", "configmap", "werf-synchronization", "-n", namespace, `${key}=${lease}`);
  return { key, uuid };
}

/** The release's only revision is deployed and was created no earlier than `at` (to the API server's second); the lock is free. */
function expectFirstRevisionAfter(namespace: string, release: string, at: number): void {
  const created = kubectl(env, "get", "secret", `sh.helm.release.v1.${release}.v1`, "-n", namespace, "-o", "jsonpath={.metadata.creationTimestamp}");
  expect(Date.parse(created)).toBeGreaterThanOrEqual(Math.floor(at / 1000) * 1000 - 1000);
  expect(releaseHistory(env, namespace, release)).toEqual([[1, "deployed"]]);
  expect(lockAnnotations(env, namespace)).toEqual({});
}

describe("concurrent converges", () => {
  it("five converges of one release serialise on the lock: one revision each, no interleaving", async () => {
    const namespace = fresh("conc-five");
    const release = "five";
    const project = makeProject({ project: "conc-five", chart: chart("five") });
    const names = new Set(Array.from({ length: 6 }, (_, i) => `sh.helm.release.v1.${release}.v${i + 1}`));
    const watch = await watchNamespace(env, namespace, ["Secret"], (_kind, name) => names.has(name));
    watches.push(watch);
    const started = Date.now();
    const runs = await Promise.all(["a", "b", "c", "d", "e"].map((who) => converge(env, project, { namespace, release, args: ["--set", `who=${who}`], timeoutMs: 240_000 })));
    const wall = Date.now() - started;
    for (const r of runs) {
      expect(r.code, out(r)).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`Succeeded release "${release}"`);
    }
    const history = releaseHistory(env, namespace, release);
    figures.add("5 × one release", 5, runs.map((r) => r.code).join(","), runs.filter((r) => waited(r, release)).length, secs(wall), history.map(([n, s]) => `${n} ${s}`).join(", "));
    expect(history).toEqual([[1, "superseded"], [2, "superseded"], [3, "superseded"], [4, "superseded"], [5, "deployed"]]);
    expect(historyProblems(history)).toEqual([]);
    // Every run wrote exactly one revision, rendered for that revision.
    const writers = history.map(([n]) => {
      const manifest = releaseManifest(env, namespace, release, n);
      expect(manifest).toContain(`name: five-rev\ndata:\n  value: "${n}"`);
      return /name: five-who\ndata:\n {2}value: "(\w)"/.exec(manifest)?.[1];
    });
    expect([...writers].sort()).toEqual(["a", "b", "c", "d", "e"]);
    // In etcd's order: revision N is deployed before revision N+1 is created (the pending record).
    for (let n = 1; n < 5; n++) {
      const done = watch.get(`Secret/sh.helm.release.v1.${release}.v${n}`).ready;
      const next = watch.get(`Secret/sh.helm.release.v1.${release}.v${n + 1}`).added;
      expect(done, watch.describe()).toBeDefined();
      expect(done?.rv ?? Infinity, `revision ${n} deployed before ${n + 1} was created\n${watch.describe()}`).toBeLessThan(next.rv);
    }
    expect(kubectl(env, "get", "configmap", "five-who", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe(writers.at(-1));
    expect(runs.filter((r) => waited(r, release)).length).toBeGreaterThanOrEqual(1);
    expect(lockAnnotations(env, namespace)).toEqual({});
  });

  it("two releases in one namespace do not wait for each other", async () => {
    const namespace = fresh("conc-two");
    const projects = ["one", "two"].map((name) => ({ name, project: makeProject({ project: `conc-${name}`, chart: chart(name) }) }));
    const started = Date.now();
    const runs = await Promise.all(projects.map(({ name, project }) => converge(env, project, { namespace, release: name, args: ["--set", `who=${name}`] })));
    const wall = Date.now() - started;
    runs.forEach((r, i) => {
      expect(r.code, out(r)).toBe(0);
      expect(r.stderr).toBe("");
      expect(waited(r, projects[i]?.name ?? "")).toBe(false);
    });
    const histories = projects.map(({ name }) => releaseHistory(env, namespace, name));
    figures.add("2 releases, one namespace", 2, runs.map((r) => r.code).join(","), runs.filter((r, i) => waited(r, projects[i]?.name ?? "")).length, secs(wall), histories.map((h) => JSON.stringify(h)).join(" "));
    expect(histories).toEqual([[[1, "deployed"]], [[1, "deployed"]]]);
    expect(lockAnnotations(env, namespace)).toEqual({});
  });
});

describe("a lock held in werf's format", () => {
  it("slipway waits while werf holds the lock and proceeds once werf releases it", async () => {
    const namespace = fresh("werf-lock");
    const release = "held";
    const project = makeProject({ project: "werf-lock", chart: chart("held") });
    // A live holder renews its lease; the test renews it as lockgate does (every 3 s, 10 s TTL) for 8 s.
    const { key } = holdWerfLock(namespace, release, 10);
    const renew = setInterval(() => {
      const live = JSON.parse(lockAnnotations(env, namespace)[key] ?? "{}") as Record<string, unknown>;
      live["ExpireAtTimestamp"] = Math.floor(Date.now() / 1000) + 10;
      kubectl(env, "annotate", "--overwrite", "configmap", "werf-synchronization", "-n", namespace, `${key}=${JSON.stringify(live)}`);
    }, 3000);
    const started = Date.now();
    let releasedAt = 0;
    const releasing = new Promise<void>((resolve) =>
      setTimeout(() => {
        clearInterval(renew);
        // lockgate's Release with one holder: the annotation is removed.
        kubectl(env, "annotate", "configmap", "werf-synchronization", "-n", namespace, `${key}-`);
        releasedAt = Date.now();
        resolve();
      }, 8000),
    );
    const [r] = await Promise.all([converge(env, project, { namespace, release, args: ["--set", "who=x"] }), releasing]);
    const wall = Date.now() - started;
    figures.add("werf holds, then releases after 8 s", 1, r.code, waited(r, release) ? 1 : 0, secs(wall), JSON.stringify(releaseHistory(env, namespace, release)));
    expect(r.code, out(r)).toBe(0);
    expect(waited(r, release)).toBe(true);
    // Nothing was written while werf held the lock.
    expectFirstRevisionAfter(namespace, release, releasedAt);
  });

  it("slipway takes over the lease of a werf holder that died once it expires", async () => {
    const namespace = fresh("werf-dead");
    const release = "dead";
    const project = makeProject({ project: "werf-dead", chart: chart("dead") });
    const expireInS = 8;
    holdWerfLock(namespace, release, expireInS);
    const expiresAt = (Math.floor(Date.now() / 1000) + expireInS) * 1000;
    const started = Date.now();
    const r = await converge(env, project, { namespace, release, args: ["--set", "who=y"] });
    const wall = Date.now() - started;
    figures.add(`dead werf holder, lease expires in ${expireInS} s`, 1, r.code, waited(r, release) ? 1 : 0, secs(wall), JSON.stringify(releaseHistory(env, namespace, release)));
    expect(r.code, out(r)).toBe(0);
    expect(waited(r, release)).toBe(true);
    expectFirstRevisionAfter(namespace, release, expiresAt);
  });

  it("the real nelm 1.24.3 honours a lease slipway wrote: it waits until the lease of a killed slipway expires", async () => {
    const namespace = fresh("nelm-waits");
    const release = "waits";
    const project = makeProject({ project: "nelm-waits", chart: chart("waits") });
    const killed = await converge(env, project, { namespace, release, args: ["--set", "who=slipway"], env: killAt("lock-acquired") });
    expect(killed.signal, out(killed)).toBe("SIGKILL");
    const lease = Object.values(lockAnnotations(env, namespace));
    expect(lease).toHaveLength(1);
    const expiresAt = (JSON.parse(lease[0] ?? "{}") as { ExpireAtTimestamp: number }).ExpireAtTimestamp * 1000;
    const started = Date.now();
    const nelm = await runNelm(["release", "install", "-n", namespace, "-r", release, join(project.dir, ".helm"), "--set", "who=nelm"], { kubeconfig: env.kubeconfig, kubeContext: env.context });
    const wall = Date.now() - started;
    figures.add("nelm after a killed slipway holder", 1, nelm.code, "-", `${(wall / 1000).toFixed(1)} s`, JSON.stringify(releaseHistory(env, namespace, release)));
    expect(nelm.code, `${nelm.stdout}\n${nelm.stderr}`).toBe(0);
    expectFirstRevisionAfter(namespace, release, expiresAt);
  });
});
