// kill -9 at chosen points of a converge: slipway SIGKILLs itself at a point named by the events it emits or the
// Kubernetes requests it makes (the test-only SLIPWAY_TEST_KILL_AT, src/cli/kill-point.ts), at 20 points from the
// build to the end (plus seeded random ones). After each kill the next converge, with no manual step, succeeds;
// then the real helm 3.17.3 reads a sound history (no pending-* revision, consecutive revisions, exactly one
// deployed and it is the last), werf's lock is free and the cluster holds what the chart says.
// CI runs the points marked `ci`; SLIPWAY_RELIABILITY_FULL=1 runs all of them (SLIPWAY_RELIABILITY_SEED picks the
// random ones, default 11). Real cluster, Docker Engine, registry and slipway binary.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { FULL, Figures, historyProblems, killAt, releaseState, reliabilityChart, reliabilityDockerfile, reliabilitySets, seededRandom } from "../helpers/reliability.js";
import { helm, lockAnnotations, releaseHistory } from "../helpers/release-state.js";
import type { SlipwayResult } from "../helpers/slipway.js";
import { converge, deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";
import type { GitDir } from "../helpers/gitdir.js";

const env = inject("localEnv");
const namespace = uniqueName("kill9");
const release = "kill9";
afterAll(() => deleteNamespace(env, namespace));

interface Point {
  readonly name: string;
  /** SLIPWAY_TEST_KILL_AT for the killed run. */
  readonly at: string;
  /** --set values of the killed run (rev=<point> is always set). */
  readonly set?: readonly string[];
  readonly args?: readonly string[];
  /** --set values of the recovery run, when not `set`. */
  readonly recoverSet?: readonly string[];
  /** A new Dockerfile, so the image is built and pushed again. */
  readonly rebuild?: boolean;
  /** Runs in CI; the others only with SLIPWAY_RELIABILITY_FULL=1. */
  readonly ci?: boolean;
}

const secrets = `/api/v1/namespaces/${namespace}/secrets`;
const lockCm = `/api/v1/namespaces/${namespace}/configmaps/werf-synchronization`;
const tracking = ["appRev=__REV__"];
const failingHook = ["hook=true", "failHook=true"];

const POINTS: readonly Point[] = [
  { name: "the build starts", at: "image-start", rebuild: true },
  { name: "during the docker build", at: "build-output@2", rebuild: true, ci: true },
  { name: "before the push", at: "push", rebuild: true },
  { name: "after the push", at: "image-done", rebuild: true, set: tracking },
  { name: "the deploy phase starts", at: 'phase-start~"phase":"deploy"' },
  { name: "the lock ConfigMap is read", at: `kube~GET ${lockCm}` },
  { name: "the lock is taken", at: "lock-acquired", ci: true },
  { name: "the history is read under the lock", at: "release-start" },
  { name: "the pending record is written", at: `kube~POST ${secrets}`, ci: true },
  { name: "the first resource is applied", at: "operation-done" },
  { name: "between weight groups", at: "operation-done~ConfigMap/early" },
  { name: "while a hook runs", at: 'track-start~"name":"pre"', set: ["hook=true"], ci: true },
  { name: "while a Deployment is tracked", at: 'track-start~"name":"app"', set: tracking, ci: true },
  { name: "after the Deployment is ready", at: "track-done~:apps:Deployment:app", set: tracking },
  { name: "the new revision is deployed, the old not yet superseded", at: `kube~PUT ${secrets}@1`, ci: true },
  { name: "the old revision is superseded, the lock still held", at: `kube~PUT ${secrets}@2` },
  { name: "the release succeeded, the lock not yet given back", at: "release-succeeded" },
  { name: "while removed resources are deleted", at: 'operation-start~"opType":"delete"', set: ["extra=false"], ci: true },
  { name: "a hook failed, the record not yet marked failed", at: "track-failed", set: failingHook, recoverSet: [] },
  { name: "the failed revision is marked, the lock still held", at: "release-failed", set: failingHook, recoverSet: [] },
  { name: "during the auto-rollback", at: 'release-start~"action":"rollback"', set: failingHook, args: ["--auto-rollback"], recoverSet: [], ci: true },
  { name: "the rollback's pending record is written", at: `kube~POST ${secrets}@2`, set: failingHook, args: ["--auto-rollback"], recoverSet: [] },
];
const RANDOM_POINTS = FULL ? 3 : 1;
const SEED = Number(process.env["SLIPWAY_RELIABILITY_SEED"] ?? "11");

const sets = reliabilitySets;
const out = (r: SlipwayResult): string => `exit ${r.code} signal ${r.signal ?? "-"}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const value = (name: string): string => kubectl(env, "get", "configmap", name, "-n", namespace, "-o", "jsonpath={.data.value}");

const figures = new Figures(`kill -9 (${FULL ? "full" : "CI share"}, seed ${SEED})`, ["#", "point", "left by the kill", "kill run", "next run", "result"]);
let passed = 0;
let total = 0;
afterAll(() => figures.print(`${passed}/${total} points recovered`));

describe("kill -9 at any point of a converge: the next converge recovers with no manual step", () => {
  let project: GitDir;
  /** Kubernetes requests of a plain upgrade: the range the random points are drawn from. */
  let requests = 0;

  beforeAll(async () => {
    project = makeProject({ project: "kill9", images: "image: app\ndockerfile: Dockerfile\n", chart: reliabilityChart(env.registry, "kill9"), files: { Dockerfile: reliabilityDockerfile(env.registry, namespace) } });
    const first = await converge(env, project, { namespace, release, args: sets(0, []) });
    expect(first.code, out(first)).toBe(0);
    const calibration = await converge(env, project, { namespace, release, args: [...sets(0, ["appRev=calibrate"]), "--log-debug"] });
    expect(calibration.code, out(calibration)).toBe(0);
    requests = calibration.stderr.split("\n").filter((l) => l.startsWith("kube: ")).length;
    expect(requests).toBeGreaterThan(10);
  });

  const random = seededRandom(SEED);
  const draws = Array.from({ length: RANDOM_POINTS }, () => random());
  const chosen = [
    ...POINTS.filter((p) => FULL || p.ci === true),
    ...draws.map((d, i): Point & { readonly draw: number } => ({ name: `random #${i + 1}`, at: "", draw: d, ...(i % 2 === 1 ? { set: tracking } : {}) })),
  ];

  it.each(chosen.map((p, i) => [p.name, p, i + 1] as const))("%s", async (_name, given, rev) => {
    total++;
    const point: Point = "draw" in given ? { ...given, at: `kube@${1 + Math.floor((given.draw as number) * requests)}` } : given;
    if (point.rebuild === true) {
      project.write({ Dockerfile: reliabilityDockerfile(env.registry, `${namespace}-${rev}`) });
      project.commit(`stamp ${rev}`);
    }
    const t0 = Date.now();
    const killed = await converge(env, project, { namespace, release, args: [...sets(rev, point.set ?? []), ...(point.args ?? [])], env: killAt(point.at), timeoutMs: 180_000 });
    const killMs = Date.now() - t0;
    const label = `${point.name} (${point.at})`;
    if (killed.signal !== "SIGKILL") figures.add(rev, label, "not reached", `${(killMs / 1000).toFixed(1)} s`, "-", "FAILED");
    expect(killed.signal, `the kill point ${point.at} was not reached: ${out(killed)}`).toBe("SIGKILL");
    const left = releaseState(env, namespace, release);

    const t1 = Date.now();
    const recoverSet = point.recoverSet ?? point.set ?? [];
    const next = await converge(env, project, { namespace, release, args: sets(rev, recoverSet), timeoutMs: 180_000 });
    const nextMs = Date.now() - t1;
    const ok = next.code === 0;
    figures.add(rev, label, left, `${(killMs / 1000).toFixed(1)} s`, `${(nextMs / 1000).toFixed(1)} s`, ok ? "ok" : `exit ${next.code}`);
    expect(next.code, out(next)).toBe(0);
    expect(next.stderr).toBe("");

    const history = releaseHistory(env, namespace, release);
    expect(historyProblems(history), JSON.stringify(history)).toEqual([]);
    expect(helm(env, "status", release, "-n", namespace)).toMatch(/STATUS: deployed/);
    expect(lockAnnotations(env, namespace)).toEqual({});
    expect([value("early"), value("late")]).toEqual([String(rev), String(rev)]);
    const extras = kubectl(env, "get", "configmaps", "-n", namespace, "-o", "name").split("\n").filter((l) => l.startsWith("configmap/extra-"));
    expect(extras).toHaveLength(recoverSet.includes("extra=false") ? 0 : 3);
    expect(kubectl(env, "rollout", "status", "deployment/app", "-n", namespace, "--timeout=60s")).toMatch(/successfully rolled out/);
    passed++;
  });

  it("runs 20 deterministic points and a seeded random one (CI: the share marked ci)", () => {
    expect(POINTS.length).toBeGreaterThanOrEqual(20);
    expect(chosen.length).toBe(FULL ? POINTS.length + RANDOM_POINTS : POINTS.filter((p) => p.ci === true).length + RANDOM_POINTS);
  });
});
