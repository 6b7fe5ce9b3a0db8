// The readiness tracker driven by a fake KubeClient: watch events in, TrackEvents and a settled promise out.
import { afterEach, describe, expect, it, vi } from "vitest";
import { KubeApiError, type ObjectRef } from "../../../src/kube/types.js";
import type { TrackEvent } from "../../../src/track/events.js";
import { DEFAULT_LOG_OPTIONS, TrackError, trackReadiness, type TrackOptions } from "../../../src/track/tracker.js";
import { FakeKube, flush } from "./fake-kube.js";
import { crashing, deployment, NS, pod, replicaSet, running } from "./objects.js";

const DEP: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "web" };

function options(overrides: Partial<TrackOptions> = {}): TrackOptions {
  return { taskId: "t1", timeoutMs: 0, noActivityTimeoutMs: 240_000, failMode: "FailWholeDeployProcessImmediately", logs: DEFAULT_LOG_OPTIONS, ...overrides };
}

interface Run {
  readonly events: TrackEvent[];
  readonly promise: Promise<void>;
  readonly controller: AbortController;
  state(): "pending" | "resolved" | "rejected";
  error(): unknown;
}

function start(kube: FakeKube, ref: ObjectRef, opts: TrackOptions): Run {
  const events: TrackEvent[] = [];
  const controller = new AbortController();
  let state: "pending" | "resolved" | "rejected" = "pending";
  let error: unknown;
  const promise = trackReadiness(kube, ref, opts, (e) => events.push(e), controller.signal);
  promise.then(
    () => (state = "resolved"),
    (err: unknown) => {
      state = "rejected";
      error = err;
    },
  );
  return { events, promise, controller, state: () => state, error: () => error };
}

const ofType = <T extends TrackEvent["type"]>(events: TrackEvent[], type: T): Extract<TrackEvent, { type: T }>[] =>
  events.filter((e): e is Extract<TrackEvent, { type: T }> => e.type === type);

afterEach(() => {
  vi.useRealTimers();
});

describe("trackReadiness: Deployment", () => {
  it("resolves in the same tick the API shows the last replica available, with status and pod events", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    const run = start(kube, DEP, options());
    await flush();
    expect(run.state()).toBe("pending");
    kube.put(replicaSet("h1"));
    kube.put(pod("web-h1-a", "h1", running()));
    await flush();
    expect(run.state()).toBe("pending");
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await flush();
    expect(run.state()).toBe("resolved");
    expect(run.events[0]).toMatchObject({ type: "track-start", mode: "readiness", object: { kind: "Deployment", name: "web", namespace: NS } });
    expect(ofType(run.events, "track-status").map((e) => e.status.waitingFor)).toEqual([["available 0->1"], []]);
    expect(ofType(run.events, "track-pod")).toEqual([{ type: "track-pod", taskId: "t1", pod: "web-h1-a", state: "created", status: "Running" }]);
    expect(run.events.at(-1)?.type).toBe("track-done");
    expect(kube.calls).toContain("watch Deployment metadata.name=web");
    expect(kube.calls).toContain("watch Event involvedObject.uid=dep-uid");
    expect(kube.calls).toContain("watch Event involvedObject.uid=pod-web-h1-a");
    await flush();
    expect(kube.activeWatches).toBe(0);
  });

  it("tolerates a crash loop up to the budget (1 × replicas) and fails on the next one, naming container, exit code and logs", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 0 }, 2));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options());
    kube.put(pod("a", "h1", running()));
    await flush();
    kube.log("a", "app", "starting", "2026-12-03T10:00:01.5Z");
    kube.log("a", "app", "panic: no database", "2026-12-03T10:00:01.75Z");
    await flush();
    kube.put(pod("a", "h1", crashing(1)));
    kube.put(pod("a", "h1", crashing(1))); // the same occurrence again: not counted twice
    kube.put(pod("b", "h1", crashing(1)));
    await flush();
    expect(run.state()).toBe("pending");
    expect(ofType(run.events, "track-problem").map((e) => [e.count, e.allowed])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    kube.put(pod("a", "h1", crashing(2)));
    await flush();
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    const err = run.error();
    expect(err).toBeInstanceOf(TrackError);
    expect((err as TrackError).message).toBe('waiting for resource "Deployment/web" readiness failed: container app in pod a: CrashLoopBackOff, exit code 1');
    const failed = ofType(run.events, "track-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toBe("container app in pod a: CrashLoopBackOff, exit code 1");
    expect(failed[0]?.lastLogLines).toEqual(["starting", "panic: no database"]);
  });

  it("counts each switch between ErrImagePull and ImagePullBackOff, so a pull loop exhausts any budget", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options({ failuresAllowedPerReplica: 3 }));
    const pulling = (reason: string) => pod("a", "h1", { state: { waiting: { reason, message: "not found" } } }, { phase: "Pending" });
    for (const reason of ["ErrImagePull", "ImagePullBackOff", "ImagePullBackOff", "ErrImagePull"]) {
      kube.put(pulling(reason));
      await flush();
    }
    expect(run.state()).toBe("pending");
    expect(ofType(run.events, "track-problem").map((e) => e.count)).toEqual([1, 2, 3]);
    kube.put(pulling("ImagePullBackOff"));
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    expect((run.error() as TrackError).reason).toBe('container app in pod a: ImagePullBackOff, image "127.0.0.1:5000/web:1": not found');
  });

  it("a forbidden Event watch does not fail the tracking", async () => {
    const kube = new FakeKube();
    const list = kube.list.bind(kube);
    kube.list = (query) => (query.kind === "Event" ? Promise.reject(new KubeApiError("events is forbidden", 403, "Forbidden")) : list(query));
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    const run = start(kube, DEP, options());
    await flush();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await flush();
    expect(run.state()).toBe("resolved");
  });

  it("ignores problems of pods of an old ReplicaSet", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("old", false));
    kube.put(replicaSet("new"));
    const run = start(kube, DEP, options());
    kube.put(pod("old-1", "old", crashing(5)));
    kube.put(pod("old-1", "old", crashing(6)));
    await flush();
    expect(ofType(run.events, "track-problem")).toEqual([]);
    expect(ofType(run.events, "track-pod")).toEqual([]);
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await flush();
    expect(run.state()).toBe("resolved");
  });

  it("fails on CreateContainerConfigError once its grace period is over, without another pod update", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options());
    kube.put(
      pod("a", "h1", { state: { waiting: { reason: "CreateContainerConfigError", message: "couldn't find key missing in ConfigMap app-ns/cfg" } } }, { phase: "Pending" }),
    );
    await flush();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(run.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1_500);
    expect(run.state()).toBe("rejected");
    expect((run.error() as Error).message).toBe(
      'waiting for resource "Deployment/web" readiness failed: container app in pod a: CreateContainerConfigError: couldn\'t find key missing in ConfigMap app-ns/cfg',
    );
  });

  it("fails FailedScheduling after the unschedulable grace period", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options());
    const unschedulable = pod("a", "h1", {}, { phase: "Pending", containerStatuses: [], conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes are available: 1 Insufficient cpu." }] });
    kube.put(unschedulable);
    await flush();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(run.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1_500);
    expect(run.state()).toBe("rejected");
    expect((run.error() as TrackError).reason).toBe("pod a: FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.");
  });

  it("times out per operation with what it was waiting for", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }));
    const run = start(kube, DEP, options({ timeoutMs: 90_000 }));
    await flush();
    await vi.advanceTimersByTimeAsync(89_000);
    expect(run.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(run.state()).toBe("rejected");
    expect((run.error() as TrackError).reason).toBe("timed out after 1m30s waiting for up-to-date 0->1, available 0->1");
    expect(ofType(run.events, "track-failed")).toHaveLength(1);
  });

  it("IgnoreAndContinueDeployProcess: problems beyond the budget are reported, not fatal; it still waits for readiness", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options({ failMode: "IgnoreAndContinueDeployProcess" }));
    for (let i = 1; i <= 4; i++) {
      kube.put(pod("a", "h1", crashing(i)));
      await flush();
    }
    await flush();
    expect(run.state()).toBe("pending");
    expect(ofType(run.events, "track-problem")).toHaveLength(4);
    expect(ofType(run.events, "track-ignored-failure")).toEqual([
      { type: "track-ignored-failure", taskId: "t1", reason: "container app in pod a: CrashLoopBackOff, exit code 1" },
    ]);
    kube.put(pod("a", "h1", running(4)));
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await flush();
    expect(run.state()).toBe("resolved");
  });

  it("fails on ProgressDeadlineExceeded (kubedog would wait)", async () => {
    const kube = new FakeKube();
    const run = start(kube, DEP, options());
    kube.put(
      deployment({
        replicas: 1,
        updatedReplicas: 1,
        conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "web-h1" has timed out progressing.' }],
      }),
    );
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    expect((run.error() as TrackError).reason).toBe('ProgressDeadlineExceeded: ReplicaSet "web-h1" has timed out progressing.');
  });

  it("counts a controller's Failed event (FailedCreate) but not RecreatingFailedPod; events are emitted", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }));
    const run = start(kube, DEP, options({ logs: { ...DEFAULT_LOG_OPTIONS, showServiceMessages: true } }));
    await flush();
    const event = (name: string, reason: string): void => {
      kube.put({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: NS },
        involvedObject: { kind: "Deployment", name: "web", uid: "dep-uid" },
        reason,
        message: `${reason} happened`,
        type: "Warning",
        lastTimestamp: new Date().toISOString(),
      });
    };
    event("e1", "RecreatingFailedPod");
    await flush();
    expect(run.state()).toBe("pending");
    event("e2", "FailedCreate");
    await flush();
    expect(run.state()).toBe("pending"); // budget 1
    event("e3", "FailedCreate");
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    expect((run.error() as TrackError).reason).toBe("pod web: FailedCreate: FailedCreate happened");
    expect(ofType(run.events, "track-k8s-event").map((e) => [e.involved, e.reason, e.shown])).toEqual([
      ["Deployment/web", "RecreatingFailedPod", true],
      ["Deployment/web", "FailedCreate", true],
      ["Deployment/web", "FailedCreate", true],
    ]);
  });

  it("re-lists after a 410 and keeps tracking", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }));
    const run = start(kube, DEP, options());
    await flush();
    const listsBefore = kube.calls.filter((c) => c === "list Deployment metadata.name=web").length;
    kube.expireWatches();
    await flush(50);
    expect(kube.calls.filter((c) => c === "list Deployment metadata.name=web").length).toBe(listsBefore + 1);
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await flush();
    expect(run.state()).toBe("resolved");
  });

  it("stops everything on abort", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 0, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    kube.put(pod("a", "h1", running()));
    const run = start(kube, DEP, options());
    await flush();
    expect(kube.activeWatches).toBeGreaterThan(3);
    run.controller.abort(new Error("plan canceled"));
    await flush();
    expect(run.state()).toBe("rejected");
    expect((run.error() as Error).message).toBe("plan canceled");
    expect(kube.activeWatches).toBe(0);
  });
});

describe("trackReadiness: logs", () => {
  it("emits lines as they arrive and continues after a restart without repeating a line", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options());
    const now = new Date(Date.now()).toISOString().slice(0, 19);
    kube.put(pod("a", "h1", running(0)));
    await flush();
    kube.log("a", "app", "one", `${now}.1Z`);
    kube.log("a", "app", "two", `${now}.25Z`);
    await flush();
    expect(ofType(run.events, "track-log").map((e) => e.line)).toEqual(["one", "two"]);
    kube.endLogs("a", "app");
    kube.put(pod("a", "h1", crashing(1)));
    await flush();
    // The new instance logs in the same second: the reopened stream (sinceTime is whole seconds) repeats one and two.
    kube.log("a", "app", "three", `${now}.5Z`);
    kube.put(pod("a", "h1", running(1)));
    await flush();
    kube.log("a", "app", "four", `${now}.75Z`);
    await flush();
    expect(ofType(run.events, "track-log").map((e) => e.line)).toEqual(["one", "two", "three", "four"]);
    expect(ofType(run.events, "track-log")[0]).toMatchObject({ pod: "a", container: "app", time: `${now}.1Z` });
    expect(kube.calls.filter((c) => c.startsWith("logs a/app")).length).toBeGreaterThanOrEqual(2);
    run.controller.abort();
    await flush();
  });

  it("reopens a long stream the server cut while the container still runs, without repeating lines", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options());
    kube.put(pod("a", "h1", running(0)));
    await flush();
    const t = new Date().toISOString();
    kube.log("a", "app", "before the cut", t);
    await flush();
    await vi.advanceTimersByTimeAsync(31_000);
    kube.endLogs("a", "app"); // the server ends the stream; the fake's container counts as exited, so the reopen ends too
    await flush();
    expect(kube.calls.filter((c) => c.startsWith("logs a/app")).length).toBe(2);
    expect(ofType(run.events, "track-log").map((e) => e.line)).toEqual(["before the cut"]);
    run.controller.abort();
    await flush();
  });

  it("follows only the first N pods and applies the regex filters", async () => {
    const kube = new FakeKube();
    kube.put(deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 0 }, 2));
    kube.put(replicaSet("h1"));
    const run = start(kube, DEP, options({ logs: { ...DEFAULT_LOG_OPTIONS, logRegexSkip: /^debug/ } }));
    const now = new Date().toISOString();
    kube.put(pod("a", "h1", running()));
    kube.put(pod("b", "h1", running()));
    await flush();
    kube.log("a", "app", "debug: noise", now);
    kube.log("a", "app", "served", now);
    kube.log("b", "app", "from b", now);
    await flush();
    expect(ofType(run.events, "track-log").map((e) => `${e.pod}:${e.line}`)).toEqual(["a:served"]);
    expect(kube.calls.some((c) => c.startsWith("logs b/"))).toBe(false);
    run.controller.abort();
    await flush();
  });
});

describe("trackReadiness: Job, Pod, generic", () => {
  const JOB: ObjectRef = { apiVersion: "batch/v1", kind: "Job", namespace: NS, name: "migrate" };
  const job = (status: Record<string, unknown>) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "migrate", namespace: NS, uid: "job-uid" },
    spec: { backoffLimit: 0, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "job-uid" } }, template: { spec: { restartPolicy: "Never" } } },
    status,
  });

  it("a failed Job names the condition and carries the failed container's last lines", async () => {
    const kube = new FakeKube();
    kube.put(job({ active: 1 }));
    const run = start(kube, JOB, options());
    kube.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "migrate-x", namespace: NS, uid: "pod-x", labels: { "batch.kubernetes.io/controller-uid": "job-uid" }, ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "migrate", uid: "job-uid", controller: true }] },
      spec: { containers: [{ name: "migrate", image: "x" }], restartPolicy: "Never" },
      status: { phase: "Running", containerStatuses: [{ name: "migrate", restartCount: 0, state: { running: {} } }] },
    });
    await flush();
    kube.log("migrate-x", "migrate", "migration 42 failed", new Date().toISOString());
    await flush();
    kube.endLogs("migrate-x", "migrate");
    kube.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "migrate-x", namespace: NS, uid: "pod-x", labels: { "batch.kubernetes.io/controller-uid": "job-uid" }, ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: "migrate", uid: "job-uid", controller: true }] },
      spec: { containers: [{ name: "migrate", image: "x" }], restartPolicy: "Never" },
      status: { phase: "Failed", containerStatuses: [{ name: "migrate", restartCount: 0, state: { terminated: { exitCode: 3, reason: "Error", finishedAt: "2026-12-03T10:00:05Z" } } }] },
    });
    kube.put(job({ failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] }));
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    expect((run.error() as TrackError).reason).toBe("Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit");
    expect(ofType(run.events, "track-failed")[0]?.lastLogLines).toEqual(["migration 42 failed"]);
  });

  it("a ConfigMap is ready as soon as it exists; a missing one is awaited", async () => {
    const kube = new FakeKube();
    const run = start(kube, { apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "cfg" }, options());
    await flush();
    expect(run.state()).toBe("pending");
    kube.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: NS }, data: {} });
    await flush();
    expect(run.state()).toBe("resolved");
  });

  it("a custom resource settles 2 s, then follows its Ready condition", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    const ref: ObjectRef = { apiVersion: "example.com/v1", kind: "Widget", namespace: NS, name: "w" };
    const widget = (status: string) => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: NS }, status: { conditions: [{ type: "Ready", status }] } });
    kube.put(widget("True"));
    const run = start(kube, ref, options());
    await flush();
    expect(run.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(2_100);
    expect(run.state()).toBe("resolved");
  });

  it("generic no-activity timeout fails with werf's wording, and IgnoreAndContinue does not", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const kube = new FakeKube();
    const ref: ObjectRef = { apiVersion: "example.com/v1", kind: "Widget", namespace: NS, name: "w" };
    kube.put({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: NS }, status: { phase: "Pending" } });
    const run = start(kube, ref, options({ noActivityTimeoutMs: 60_000 }));
    const ignored = start(kube, ref, options({ taskId: "t2", noActivityTimeoutMs: 60_000, failMode: "IgnoreAndContinueDeployProcess" }));
    await flush();
    await vi.advanceTimersByTimeAsync(61_000);
    expect(run.state()).toBe("rejected");
    expect((run.error() as TrackError).reason).toBe("marking resource as failed because no activity for 1m0s");
    expect(ignored.state()).toBe("pending");
    ignored.controller.abort();
    await flush();
  });

  it("a standalone Pod with a readiness probe failing after kubedog's window fails", async () => {
    const kube = new FakeKube();
    const ref: ObjectRef = { apiVersion: "v1", kind: "Pod", namespace: NS, name: "solo" };
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    kube.put({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "solo", namespace: NS, uid: "solo-uid" },
      spec: { containers: [{ name: "app", image: "x", readinessProbe: { httpGet: { port: 80 }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1, successThreshold: 1 } }] },
      status: { phase: "Running", containerStatuses: [{ name: "app", restartCount: 0, ready: false, state: { running: { startedAt } } }] },
    });
    const run = start(kube, ref, options());
    await flush();
    kube.put({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "solo.1", namespace: NS },
      involvedObject: { kind: "Pod", name: "solo", uid: "solo-uid", fieldPath: "spec.containers{app}" },
      reason: "Unhealthy",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 503",
      type: "Warning",
      lastTimestamp: new Date().toISOString(),
    });
    await vi.waitFor(() => expect(run.state()).toBe("rejected"));
    expect((run.error() as TrackError).reason).toBe("container app in pod solo: Readiness probe failed: HTTP probe failed with statuscode: 503");
  });
});

describe("trackReadiness: kinds without status", () => {
  const CM: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace: NS, name: "settings" };
  const applied = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: NS, uid: "cm-uid" }, data: { a: "1" } };

  it("a ConfigMap the deploy has just applied is ready without a request", async () => {
    const kube = new FakeKube();
    const run = start(kube, CM, options({ applied }));
    await flush();
    expect(run.state()).toBe("resolved");
    expect(kube.calls).toEqual([]);
    expect(ofType(run.events, "track-done")).toHaveLength(1);
  });

  it("without the applied object, or for a kind with status, it watches as usual", async () => {
    const kube = new FakeKube();
    const run = start(kube, CM, options());
    await flush();
    expect(run.state()).toBe("pending");
    kube.put(applied);
    await flush();
    expect(run.state()).toBe("resolved");
    expect(kube.calls.length).toBeGreaterThan(0);

    const withStatus = new FakeKube();
    const dep = start(withStatus, DEP, options({ applied: deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }) }));
    await flush();
    expect(dep.state()).toBe("pending");
    dep.controller.abort();
  });
});
