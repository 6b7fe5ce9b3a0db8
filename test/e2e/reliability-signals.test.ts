// SIGINT and SIGTERM at chosen points of a converge, sent by slipway to itself at a point named by its events or
// Kubernetes requests (the test-only SLIPWAY_TEST_KILL_AT with SLIPWAY_TEST_KILL_SIGNAL, src/cli/kill-point.ts), as
// Ctrl-C or a CI runner's stop would. Each run exits 130 (SIGINT) or 143 (SIGTERM) without a stack trace, gives
// werf's lock back (and leaves another holder's lease alone), leaves no pending-* revision (a revision it wrote is
// failed), and with --auto-rollback rolls back to the last deployed revision. The next converge succeeds.
// Real cluster, Docker Engine, registry and slipway binary; histories are read with the real helm 3.17.3.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { Figures, historyProblems, killAt, releaseState, reliabilityChart, reliabilityDockerfile, reliabilitySets } from "../helpers/reliability.js";
import { helm, lockAnnotations, releaseHistory } from "../helpers/release-state.js";
import type { SlipwayResult } from "../helpers/slipway.js";
import { converge, deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";
import type { GitDir } from "../helpers/gitdir.js";

const env = inject("localEnv");
const namespace = uniqueName("signals");
const release = "signals";
afterAll(() => deleteNamespace(env, namespace));

interface SignalPoint {
  readonly name: string;
  readonly at: string;
  readonly signal: "SIGINT" | "SIGTERM";
  readonly set?: readonly string[];
  readonly args?: readonly string[];
  readonly rebuild?: boolean;
  /** What the history gains: nothing, a failed revision, or a failed one and a deployed rollback revision. */
  readonly writes: "nothing" | "failed" | "rolled back";
  /** A werf lease on the release's lock is in place during the run (the run waits on it). */
  readonly werfHolds?: boolean;
}

const secrets = `/api/v1/namespaces/${namespace}/secrets`;
const failingHook = ["hook=true", "failHook=true"];
const POINTS: readonly SignalPoint[] = [
  { name: "during the docker build", at: "build-output@2", signal: "SIGINT", rebuild: true, writes: "nothing" },
  { name: "while waiting for werf's lock", at: "lock-wait", signal: "SIGTERM", writes: "nothing", werfHolds: true },
  { name: "the lock is taken", at: "lock-acquired", signal: "SIGTERM", writes: "nothing" },
  { name: "the pending record is written", at: `kube~POST ${secrets}`, signal: "SIGINT", writes: "failed" },
  { name: "while a hook runs", at: 'track-start~"name":"pre"', signal: "SIGTERM", set: ["hook=true"], writes: "failed" },
  { name: "while a Deployment is tracked", at: 'track-start~"name":"app"', signal: "SIGINT", set: ["appRev=__REV__"], writes: "failed" },
  { name: "while a Deployment is tracked, --auto-rollback", at: 'track-start~"name":"app"', signal: "SIGTERM", set: ["appRev=__REV__"], args: ["--auto-rollback"], writes: "rolled back" },
  { name: "while removed resources are deleted, -R", at: 'operation-start~"opType":"delete"', signal: "SIGINT", set: ["extra=false"], args: ["-R"], writes: "rolled back" },
  { name: "during the auto-rollback", at: 'release-start~"action":"rollback"', signal: "SIGTERM", set: failingHook, args: ["--auto-rollback"], writes: "rolled back" },
];

const out = (r: SlipwayResult): string => `exit ${r.code} signal ${r.signal ?? "-"}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const value = (name: string): string => kubectl(env, "get", "configmap", name, "-n", namespace, "-o", "jsonpath={.data.value}");
const appMessage = (): string => kubectl(env, "get", "deployment", "app", "-n", namespace, "-o", "jsonpath={.spec.template.spec.containers[0].command[2]}");

/** A live werf holder's lease on the release's lock, written as lockgate v0.1.1 writes it. */
function werfLease(): { key: string; text: string } {
  const lockName = `release/${release}`;
  const key = `lockgate.io/${createHash("sha3-224").update(lockName).digest("hex")}`;
  const text = JSON.stringify({ uuid: "werf-holder", lockName, ExpireAtTimestamp: Math.floor(Date.now() / 1000) + 120, SharedHoldersCount: 1, IsShared: false });
  return { key, text };
}

const figures = new Figures("signals", ["#", "point", "signal", "exit", "time to exit", "left"]);
let passed = 0;
afterAll(() => figures.print(`${passed}/${POINTS.length} points`));

describe("SIGINT and SIGTERM: exit 130/143, lock given back, no pending revision, rollback with -R", () => {
  let project: GitDir;
  beforeAll(async () => {
    project = makeProject({ project: "signals", images: "image: app\ndockerfile: Dockerfile\n", chart: reliabilityChart(env.registry, "signals"), files: { Dockerfile: reliabilityDockerfile(env.registry, namespace) } });
    const first = await converge(env, project, { namespace, release, args: reliabilitySets(0, []) });
    expect(first.code, out(first)).toBe(0);
  });

  it.each(POINTS.map((p, i) => [p.name, p, i + 1] as const))("%s", async (_name, point, rev) => {
    if (point.rebuild === true) {
      project.write({ Dockerfile: reliabilityDockerfile(env.registry, `${namespace}-${rev}`) });
      project.commit(`stamp ${rev}`);
    }
    const before = releaseHistory(env, namespace, release);
    const deployedBefore = before.find(([, s]) => s === "deployed")?.[0];
    const earlyBefore = value("early");
    const lease = point.werfHolds === true ? werfLease() : undefined;
    if (lease !== undefined) kubectl(env, "annotate", "--overwrite", "configmap", "werf-synchronization", "-n", namespace, `${lease.key}=${lease.text}`);

    const t0 = Date.now();
    const r = await converge(env, project, { namespace, release, args: [...reliabilitySets(rev, point.set ?? []), ...(point.args ?? [])], env: killAt(point.at, point.signal), timeoutMs: 180_000 });
    const ms = Date.now() - t0;
    const left = releaseState(env, namespace, release);
    const code = point.signal === "SIGINT" ? 130 : 143;
    figures.add(rev, `${point.name} (${point.at})`, point.signal, r.code, `${(ms / 1000).toFixed(1)} s`, left);
    expect(r.code, out(r)).toBe(code);
    expect(r.stderr).not.toMatch(/^\s+at /m);

    const after = releaseHistory(env, namespace, release);
    expect(historyProblems(after, false), JSON.stringify(after)).toEqual([]);
    const gained = after.filter(([n]) => n > (before.at(-1)?.[0] ?? 0));
    const next = (before.at(-1)?.[0] ?? 0) + 1;
    if (point.writes === "nothing") {
      expect(gained).toEqual([]);
      expect(value("early")).toBe(earlyBefore);
    } else if (point.writes === "failed") {
      expect(gained).toEqual([[next, "failed"]]);
      expect(after.find(([, s]) => s === "deployed")?.[0]).toBe(deployedBefore);
    } else {
      expect(gained).toEqual([[next, "failed"], [next + 1, "deployed"]]);
      // The revision deployed before the run is back in the cluster, with the values it was deployed with.
      const values = JSON.parse(helm(env, "get", "values", release, "-n", namespace, "-o", "json", "--revision", String(deployedBefore))) as { rev?: number; appRev?: number };
      expect([value("early"), appMessage()]).toEqual([String(values.rev ?? 0), `echo app-${values.appRev ?? 0}; exec sleep 3600`]);
      expect(kubectl(env, "get", "configmaps", "-n", namespace, "-o", "name")).toMatch(/configmap\/extra-1/);
    }
    if (lease !== undefined) {
      // Someone else's lease is left exactly as it was; then that holder gives it back.
      expect(lockAnnotations(env, namespace)).toEqual({ [lease.key]: lease.text });
      kubectl(env, "annotate", "configmap", "werf-synchronization", "-n", namespace, `${lease.key}-`);
    }
    expect(lockAnnotations(env, namespace)).toEqual({});
    passed++;
  });

  it("the next converge succeeds and settles the history", async () => {
    const r = await converge(env, project, { namespace, release, args: reliabilitySets(100, ["appRev=100"]) });
    expect(r.code, out(r)).toBe(0);
    expect(r.stderr).toBe("");
    const history = releaseHistory(env, namespace, release);
    expect(historyProblems(history), JSON.stringify(history)).toEqual([]);
    expect(value("late")).toBe("100");
    expect(lockAnnotations(env, namespace)).toEqual({});
  });
});
