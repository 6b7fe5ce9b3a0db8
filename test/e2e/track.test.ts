// The trackers on the real cluster: readiness of good and broken workloads (logs, image pull, crash loop, config
// error, scheduling, failed Job), and absence. Objects are applied through slipway's own KubeClient adapter.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import type { KubeObject, ObjectRef } from "../../src/kube/types.js";
import type { TrackEvent } from "../../src/track/events.js";
import { DEFAULT_LOG_OPTIONS, TrackError, trackAbsence, trackReadiness, type TrackOptions } from "../../src/track/tracker.js";
import { uniqueName } from "../helpers/cluster.js";

const env = inject("localEnv");
const namespace = uniqueName("e2e-track");
const cacheDir = mkdtempSync(join(tmpdir(), "slipway-track-cache-"));
const kube = createKubeClient({ kubeConfigPathMergeList: [env.kubeconfig], kubeContext: env.context }, { HOME: cacheDir }, { cacheDir });
const busybox = `${env.registry}/base/busybox`;

const options = (taskId: string, overrides: Partial<TrackOptions> = {}): TrackOptions => ({
  taskId,
  timeoutMs: 150_000,
  noActivityTimeoutMs: 240_000,
  failMode: "FailWholeDeployProcessImmediately",
  logs: DEFAULT_LOG_OPTIONS,
  ...overrides,
});

async function apply(o: KubeObject): Promise<KubeObject> {
  return kube.apply(o, { fieldManager: "slipway-e2e", force: true });
}

function deployment(name: string, container: Record<string, unknown>, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "app", image: busybox, ...container }], ...podSpec },
      },
    },
  };
}

const ref = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, namespace, name: o.metadata.name });

/** Applies the object, tracks it, and returns the events and the outcome. */
async function track(o: KubeObject, opts: TrackOptions = options(o.metadata.name)): Promise<{ events: TrackEvent[]; error: unknown; ms: number }> {
  const events: TrackEvent[] = [];
  const started = Date.now();
  await apply(o);
  let error: unknown;
  try {
    await trackReadiness(kube, ref(o), opts, (e) => events.push(e), new AbortController().signal);
  } catch (err) {
    error = err;
  }
  return { events, error, ms: Date.now() - started };
}

const failedEvent = (events: TrackEvent[]): Extract<TrackEvent, { type: "track-failed" }> | undefined =>
  events.find((e): e is Extract<TrackEvent, { type: "track-failed" }> => e.type === "track-failed");

beforeAll(async () => {
  await apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
});

afterAll(async () => {
  await kube.delete({ apiVersion: "v1", kind: "Namespace", name: namespace }, { propagationPolicy: "Background" });
  kube.close();
});

describe("trackReadiness on the real cluster", () => {
  it("a good Deployment becomes ready and its log lines are emitted as they arrive", async () => {
    const { events, error } = await track(
      deployment("good", {
        command: ["sh", "-c", "echo good-line-1; echo good-line-2; sleep 2; touch /tmp/ready; exec sleep 3600"],
        readinessProbe: { exec: { command: ["test", "-f", "/tmp/ready"] }, periodSeconds: 1 },
      }),
    );
    expect(error).toBeUndefined();
    const lines = events.flatMap((e) => (e.type === "track-log" ? [`${e.container}:${e.line}`] : []));
    expect(lines).toEqual(["app:good-line-1", "app:good-line-2"]);
    const log = events.find((e) => e.type === "track-log");
    expect(log?.type === "track-log" ? log.time : "").toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(events.some((e) => e.type === "track-pod" && e.state === "ready")).toBe(true);
    expect(events.at(-1)?.type).toBe("track-done");
  });

  it("a missing image fails on the image pull, naming the container and the image", async () => {
    const image = `${env.registry}/e2e/does-not-exist:nope`;
    const { events, error } = await track(deployment("missing-image", { image, command: ["sh"] }));
    expect(error).toBeInstanceOf(TrackError);
    const reason = (error as TrackError).reason;
    expect(reason).toMatch(new RegExp(`^container app in pod missing-image-[a-z0-9]+-[a-z0-9]+: (ErrImagePull|ImagePullBackOff), image "${image.replace(/[.]/g, "\\.")}"`));
    expect((error as Error).message).toContain('waiting for resource "Deployment/missing-image" readiness failed: ');
    expect(failedEvent(events)?.reason).toBe(reason);
  });

  it("a container exiting 1 fails as CrashLoopBackOff with its last log lines", async () => {
    // minReadySeconds keeps the Deployment unavailable while the first run starts and exits: on a loaded node the
    // kubelet can report that run as Running and Ready before it reports the exit (no readiness probe here).
    const crasher = deployment("crasher", { command: ["sh", "-c", "echo connecting to db; echo fatal: cannot start; exit 1"] });
    (crasher["spec"] as Record<string, unknown>)["minReadySeconds"] = 30;
    const { events, error } = await track(crasher);
    expect(error).toBeInstanceOf(TrackError);
    expect((error as TrackError).reason).toMatch(/^container app in pod crasher-[a-z0-9]+-[a-z0-9]+: CrashLoopBackOff, exit code 1$/);
    expect(failedEvent(events)?.lastLogLines.slice(-2)).toEqual(["connecting to db", "fatal: cannot start"]);
    const problems = events.filter((e) => e.type === "track-problem");
    expect(problems.length).toBe(2); // the budget of 1 × 1 replica tolerates the first
    // Every line of the restarts printed once per container instance, never twice in a row from a reopened stream.
    const lines = events.flatMap((e) => (e.type === "track-log" ? [e.time ?? ""] : []));
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("env from a missing ConfigMap key fails with CreateContainerConfigError (werf waits out the timeout)", async () => {
    await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace }, data: { present: "yes" } });
    const { error, ms } = await track(
      deployment("config-error", { command: ["sleep", "3600"], env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "missing" } } }] }),
    );
    expect(error).toBeInstanceOf(TrackError);
    expect((error as TrackError).reason).toMatch(/^container app in pod config-error-\S+: CreateContainerConfigError: couldn't find key missing in ConfigMap e2e-track-\S+\/cfg$/);
    expect(ms).toBeLessThan(60_000);
  });

  it("a pod asking for 1000 CPUs fails with FailedScheduling after the grace period", async () => {
    const { error, ms } = await track(deployment("too-big", { command: ["sleep", "3600"], resources: { requests: { cpu: "1000" } } }));
    expect(error).toBeInstanceOf(TrackError);
    expect((error as TrackError).reason).toMatch(/^pod too-big-\S+: FailedScheduling: 0\/1 nodes are available: 1 Insufficient cpu/);
    expect(ms).toBeGreaterThanOrEqual(10_000);
    expect(ms).toBeLessThan(60_000);
  });

  it("a failing Job fails with BackoffLimitExceeded and the job's logs", async () => {
    const job: KubeObject = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "migrate", namespace },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 0, containers: [{ name: "migrate", image: busybox, command: ["sh", "-c", "echo applying 0042; echo migration failed; exit 3"] }] } },
      },
    };
    const { events, error } = await track(job);
    expect(error).toBeInstanceOf(TrackError);
    expect((error as TrackError).reason).toBe("Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
    expect(failedEvent(events)?.lastLogLines).toEqual(["applying 0042", "migration failed"]);
  });
});

describe("trackAbsence on the real cluster", () => {
  it("resolves when the object is deleted", async () => {
    const cm = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "doomed", namespace }, data: {} });
    const events: TrackEvent[] = [];
    const gone = trackAbsence(kube, ref(cm), { taskId: "gone", timeoutMs: 30_000 }, (e) => events.push(e), new AbortController().signal);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.map((e) => e.type)).toEqual(["track-start"]);
    await kube.delete(ref(cm));
    await gone;
    expect(events.map((e) => e.type)).toEqual(["track-start", "track-done"]);
  });
});
