// slipway against a faulty API server: a TLS proxy in front of the real kube-apiserver answers a share of the
// requests with 500, 429 (Retry-After), 409, a reset connection (before the server saw the request, or after it
// acted), a slow answer, or cuts the watch. At 10% every converge must succeed; at 30% each run must succeed or
// fail cleanly. Whatever happens: no `pending-*` release record, the lock released, no stack trace, and the next
// converge without faults succeeds.
//
// CI runs SLIPWAY_FAULT_RUNS (default 3) converges at 10% and 1 at 30%; the full count is
// `SLIPWAY_RELIABILITY_FULL=1 npx vitest run --project e2e test/e2e/faulty-apiserver.test.ts` (10 and 3).
// SLIPWAY_FAULT_SEED replays a run's fault choices (the order of concurrent requests still varies).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { startFaultyApiServer, type FaultStats, type FaultyApiServer } from "../helpers/faulty-apiserver.js";
import { lockAnnotations, releaseHistory } from "../helpers/release-state.js";
import { busyboxDeployment, configMapYaml, converge, deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";
import type { GitDir } from "../helpers/gitdir.js";
import type { SlipwayResult } from "../helpers/slipway.js";

const env = inject("localEnv");
const full = process.env["SLIPWAY_RELIABILITY_FULL"] === "1";
const RUNS_10 = full ? 10 : Number(process.env["SLIPWAY_FAULT_RUNS"] ?? 3);
const RUNS_30 = full ? 3 : 1;
const SEED = Number(process.env["SLIPWAY_FAULT_SEED"] ?? 20261203);

interface Outcome {
  readonly rate: number;
  readonly seed: number;
  readonly code: number;
  readonly seconds: number;
  readonly requests: number;
  readonly faults: number;
  readonly retried: number;
  readonly watchesResumed: number;
  readonly error: string;
}

describe("converge through a faulty API server", () => {
  let dir: string;
  let proxy: FaultyApiServer;
  let project: GitDir;
  const namespace = uniqueName("e2e-faulty");
  const release = uniqueName("faulty");
  const outcomes: Outcome[] = [];
  let run = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-faulty-"));
    proxy = await startFaultyApiServer(env, dir);
    project = makeProject({
      project: "e2e-faulty",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: faulty\nversion: 0.1.0\n",
        "values.yaml": "run: 0\n",
        "templates/cm.yaml": configMapYaml("settings", "{{ .Values.run }}"),
        "templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  run: \"{{ .Values.run }}\"\n",
        "templates/deploy.yaml": busyboxDeployment(env.registry, "app", { annotations: '    checksum/run: "{{ .Values.run }}"\n' }).replace(
          "    metadata: {labels: {app: app}}",
          '    metadata: {labels: {app: app}, annotations: {run: "{{ .Values.run }}"}}',
        ),
        "templates/hook.yaml": configMapYaml("hooked", "{{ .Values.run }}", '  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: "-1"\n'),
      },
    });
  });

  afterAll(async () => {
    await proxy.close();
    project.remove();
    rmSync(dir, { recursive: true, force: true });
    deleteNamespace(env, namespace);
    const lines = outcomes.map(
      (o) =>
        `  rate ${Math.round(o.rate * 100)}% seed ${o.seed}: exit ${o.code} in ${o.seconds.toFixed(1)} s; ${o.requests} requests, ${o.faults} faults, ${o.retried} retried, ${o.watchesResumed} watches resumed${o.error === "" ? "" : `; ${o.error}`}`,
    );
    const at = (rate: number): string => {
      const some = outcomes.filter((o) => o.rate === rate);
      return `${some.filter((o) => o.code === 0).length}/${some.length}`;
    };
    console.log(`faulty API server: ${at(0.1)} converges succeeded at 10%, ${at(0.3)} at 30%\n${lines.join("\n")}`);
  });

  const faultyConverge = async (rate: number): Promise<{ result: SlipwayResult; outcome: Outcome }> => {
    run++;
    const seed = SEED + run;
    const before: FaultStats = structuredClone(proxy.stats);
    proxy.configure(rate, seed);
    const started = performance.now();
    const result = await converge(env, project, {
      namespace,
      release,
      args: ["--set", `run=${run}`],
      env: { KUBECONFIG: proxy.kubeconfig, WERF_KUBE_CONTEXT: "faulty" },
      timeoutMs: 240_000,
    });
    proxy.configure(0, seed);
    const faults = (s: FaultStats): number => Object.values(s.faults).reduce((a, b) => a + b, 0);
    const outcome: Outcome = {
      rate,
      seed,
      code: result.code,
      seconds: (performance.now() - started) / 1000,
      requests: proxy.stats.requests - before.requests,
      faults: faults(proxy.stats) - faults(before),
      retried: proxy.stats.retried - before.retried,
      watchesResumed: proxy.stats.watchesResumed - before.watchesResumed,
      error: result.code === 0 ? "" : (result.stderr.split("\n").find((l) => l.startsWith("Error: ")) ?? "").slice(0, 300),
    };
    outcomes.push(outcome);
    return { result, outcome };
  };

  /** What must hold after any run, good or bad. */
  const expectClean = (result: SlipwayResult): void => {
    expect([0, 1], result.stderr).toContain(result.code);
    expect(result.stderr).not.toMatch(/\n\s+at .*\.(js|ts):\d+/);
    const history = releaseHistory(env, namespace, release);
    expect(history.filter(([, s]) => s.startsWith("pending")), JSON.stringify(history)).toEqual([]);
    expect(lockAnnotations(env, namespace)).toEqual({});
  };

  it(`succeeds ${RUNS_10} times out of ${RUNS_10} with 10% of the requests faulty`, async () => {
    for (let i = 0; i < RUNS_10; i++) {
      const { result, outcome } = await faultyConverge(0.1);
      expectClean(result);
      expect(result.code, `seed ${outcome.seed}:\n${result.stderr.slice(-3000)}`).toBe(0);
      expect(kubectl(env, "get", "configmap", "settings", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe(String(run));
      expect(kubectl(env, "get", "deployment", "app", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
    }
    const injected = outcomes.reduce((n, o) => n + o.faults, 0);
    expect(injected).toBeGreaterThan(0);
    expect(outcomes.reduce((n, o) => n + o.retried, 0)).toBeGreaterThan(0);
  });

  it(`at 30% each converge succeeds or fails cleanly, and the next converge without faults succeeds`, async () => {
    for (let i = 0; i < RUNS_30; i++) {
      const { result } = await faultyConverge(0.3);
      expectClean(result);
      if (result.code !== 0) expect(result.stderr.split("\n").filter((l) => l.startsWith("Error: "))).toHaveLength(1);
    }
    const { result } = await faultyConverge(0);
    expectClean(result);
    expect(result.code, result.stderr).toBe(0);
    const history = releaseHistory(env, namespace, release);
    expect(history.at(-1)?.[1]).toBe("deployed");
  });
});
