// Pod problems, probe windows and the failures budget: table tests over inline YAML.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import {
  failuresAllowed,
  gracedProblemKeys,
  podProblems,
  podStatusText,
  probeEventProblem,
  problemOccurrence,
  readinessIgnoreWindowMs,
} from "../../../src/status/status.js";
import type { PodProblem } from "../../../src/status/types.js";

const y = (text: string): KubeObject => parse(text) as KubeObject;

const pod = (status: string, spec = "containers: [{name: app, image: 127.0.0.1:5000/app:1}]"): KubeObject =>
  y(`
apiVersion: v1
kind: Pod
metadata: {name: web-1}
spec: {${spec}}
status: ${status}`);

describe("podProblems", () => {
  const cases: { name: string; pod: KubeObject; expected: PodProblem[] }[] = [
    {
      name: "healthy pod",
      pod: pod(`{phase: Running, containerStatuses: [{name: app, state: {running: {}}}]}`),
      expected: [],
    },
    {
      name: "ImagePullBackOff names container and image",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: ImagePullBackOff, message: 'Back-off pulling image "127.0.0.1:5000/app:1"'}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "ImagePullBackOff", message: 'ImagePullBackOff, image "127.0.0.1:5000/app:1": Back-off pulling image "127.0.0.1:5000/app:1"' }],
    },
    {
      name: "ErrImagePull",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: ErrImagePull}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "ErrImagePull", message: 'ErrImagePull, image "127.0.0.1:5000/app:1"' }],
    },
    {
      name: "ErrImageNeverPull",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: ErrImageNeverPull}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "ErrImageNeverPull", message: 'ErrImageNeverPull, image "127.0.0.1:5000/app:1"' }],
    },
    {
      name: "CrashLoopBackOff with exit code",
      pod: pod(`{phase: Running, containerStatuses: [{name: app, restartCount: 2, state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {reason: Error, exitCode: 1}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "CrashLoopBackOff", message: "CrashLoopBackOff, exit code 1" }],
    },
    {
      name: "CrashLoopBackOff after OOMKilled says so",
      pod: pod(`{phase: Running, containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {reason: OOMKilled, exitCode: 137}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "CrashLoopBackOff", message: "CrashLoopBackOff, OOMKilled, exit code 137" }],
    },
    {
      name: "CreateContainerConfigError is fatal (clock past the grace)",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: CreateContainerConfigError, message: 'couldn''t find key k in ConfigMap ns/cm'}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "CreateContainerConfigError", message: "CreateContainerConfigError: couldn't find key k in ConfigMap ns/cm", fatal: true }],
    },
    {
      name: "the kubelet's own cache timeout under load is not a verdict on the manifest",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: CreateContainerConfigError, message: 'failed to sync configmap cache: timed out waiting for the condition'}}}]}`),
      expected: [],
    },
    {
      name: "CreateContainerError is fatal",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: CreateContainerError, message: boom}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "CreateContainerError", message: "CreateContainerError: boom", fatal: true }],
    },
    {
      name: "InvalidImageName is fatal",
      pod: pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: InvalidImageName}}}]}`),
      expected: [{ pod: "web-1", container: "app", reason: "InvalidImageName", message: 'InvalidImageName, image "127.0.0.1:5000/app:1"', fatal: true }],
    },
    {
      name: "init container Error",
      pod: pod(
        `{phase: Pending, initContainerStatuses: [{name: init, state: {terminated: {reason: Error, exitCode: 2}}}]}`,
        "initContainers: [{name: init, image: x}], containers: [{name: app, image: y}]",
      ),
      expected: [{ pod: "web-1", container: "init", reason: "InitContainerError", message: "init container failed: exit code 2" }],
    },
    {
      name: "Unschedulable",
      pod: pod(`{phase: Pending, conditions: [{type: PodScheduled, status: "False", reason: Unschedulable, message: "0/1 nodes are available: 1 Insufficient cpu."}]}`),
      expected: [{ pod: "web-1", reason: "FailedScheduling", message: "FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu.", fatal: true }],
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    expect(podProblems(c.pod)).toEqual(c.expected);
  });

  it("graced problems wait for their grace period", () => {
    const p = pod(`{phase: Pending, containerStatuses: [{name: app, state: {waiting: {reason: CreateContainerConfigError}}}], conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}`);
    expect(gracedProblemKeys(p)).toEqual(["web-1/app/CreateContainerConfigError", "web-1/Unschedulable"]);
    expect(podProblems(p, { since: () => 1000 })).toEqual([]);
    expect(podProblems(p, { since: (k) => (k.endsWith("ConfigError") ? 5000 : 9999) }).map((x) => x.reason)).toEqual(["CreateContainerConfigError"]);
    expect(podProblems(p, { since: () => 10_000 }).map((x) => x.reason)).toEqual(["CreateContainerConfigError", "FailedScheduling"]);
  });

  it("an occurrence is a restart: the same crash seen twice counts once, the next crash again", () => {
    const a = pod(`{containerStatuses: [{name: app, restartCount: 1, state: {waiting: {reason: CrashLoopBackOff}}}]}`);
    const b = pod(`{containerStatuses: [{name: app, restartCount: 2, state: {waiting: {reason: CrashLoopBackOff}}}]}`);
    const [pa] = podProblems(a);
    const [pb] = podProblems(b);
    if (pa === undefined || pb === undefined) throw new Error("expected problems");
    expect(problemOccurrence(a, pa)).toBe(problemOccurrence(a, pa));
    expect(problemOccurrence(a, pa)).not.toBe(problemOccurrence(b, pb));
  });
});

describe("probes", () => {
  it("ignore window: defaults (3 failures, period 10, timeout 1)", () => {
    // 0 + 1 + (3+1-3)*10 + 5 + 1 = 17 s
    expect(readinessIgnoreWindowMs({ readinessProbe: { httpGet: {} } })).toBe(17_000);
  });
  it("ignore window: failureThreshold 1 means no window", () => {
    expect(readinessIgnoreWindowMs({ readinessProbe: { failureThreshold: 1, periodSeconds: 10 } })).toBe(0);
  });
  it("ignore window: initialDelay counts", () => {
    // 20 + 2 + (5+1-3)*4 + 2 + 2 = 38 s
    expect(readinessIgnoreWindowMs({ readinessProbe: { initialDelaySeconds: 20, timeoutSeconds: 2, periodSeconds: 4, failureThreshold: 5 } })).toBe(38_000);
  });
  it("ignore window: a long startup probe shortens the readiness initial delay to one period", () => {
    // startup end 10+0+(30+1-1)*10+1+10 = 321 > readiness start 10 → initial delay = period 10: 10+1+10+5+1 = 27 s
    expect(readinessIgnoreWindowMs({ readinessProbe: {}, startupProbe: { failureThreshold: 30 } })).toBe(27_000);
  });
  it("no readiness probe: no window", () => {
    expect(readinessIgnoreWindowMs({})).toBe(0);
  });

  const probed = pod(
    `{phase: Running, containerStatuses: [{name: app, state: {running: {startedAt: "2026-12-03T10:00:00Z"}}}]}`,
    "containers: [{name: app, image: x, readinessProbe: {httpGet: {port: 80}, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1, successThreshold: 1}}]",
  );
  const event = (message: string): KubeObject =>
    ({ apiVersion: "v1", kind: "Event", metadata: { name: "e" }, involvedObject: { kind: "Pod", name: "web-1", fieldPath: "spec.containers{app}" }, message, reason: "Unhealthy" });
  const start = Date.parse("2026-12-03T10:00:00Z");

  it("readiness failure inside the window is ignored, after it counts", () => {
    expect(probeEventProblem(probed, event("Readiness probe failed: HTTP probe failed with statuscode: 500"), start + 16_000)).toBeUndefined();
    expect(probeEventProblem(probed, event("Readiness probe failed: HTTP probe failed with statuscode: 500"), start + 17_000)).toEqual({
      pod: "web-1",
      container: "app",
      reason: "ReadinessProbeFailed",
      message: "Readiness probe failed: HTTP probe failed with statuscode: 500",
    });
  });
  it("werf.io/ignore-readiness-probe-fails-for-<container> overrides the window", () => {
    expect(probeEventProblem(probed, event("Readiness probe failed: x"), start + 17_000, { app: 60_000 })).toBeUndefined();
    expect(probeEventProblem(probed, event("Readiness probe failed: x"), start + 1, { app: 0 })?.reason).toBe("ReadinessProbeFailed");
  });
  it("liveness failures that restart the container count at once", () => {
    expect(probeEventProblem(probed, event("Container app failed liveness probe, will be restarted"), start)?.reason).toBe("ProbeFailed");
  });
  it("events of a terminating pod are ignored", () => {
    const terminating = { ...probed, metadata: { ...probed.metadata, deletionTimestamp: "2026-12-03T10:00:00Z" } };
    expect(probeEventProblem(terminating, event("Container app failed liveness probe, will be restarted"), start)).toBeUndefined();
  });
});

describe("podStatusText", () => {
  it.each([
    ["Running", `{phase: Running, containerStatuses: [{name: app, state: {running: {}}}]}`],
    ["CrashLoopBackOff", `{phase: Running, containerStatuses: [{name: app, state: {waiting: {reason: CrashLoopBackOff}}}]}`],
    ["Init:0/1", `{phase: Pending, initContainerStatuses: [{name: i, state: {running: {}}}]}`],
    ["Init:Error", `{phase: Pending, initContainerStatuses: [{name: i, state: {terminated: {reason: Error, exitCode: 1}}}]}`],
    ["Completed", `{phase: Succeeded, containerStatuses: [{name: app, state: {terminated: {reason: Completed, exitCode: 0}}}]}`],
  ])("%s", (expected, status) => {
    expect(podStatusText(pod(status))).toBe(expected);
  });
});

describe("failuresAllowed", () => {
  const cases: { name: string; yaml: string; perReplica?: number; expected: number }[] = [
    { name: "Deployment default 1 × replicas", yaml: `{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 3}}`, expected: 3 },
    { name: "Deployment without spec.replicas (HPA)", yaml: `{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {}}`, expected: 1 },
    { name: "StatefulSet annotation 2 × 2", yaml: `{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s, annotations: {werf.io/failures-allowed-per-replica: "2"}}, spec: {replicas: 2}}`, expected: 4 },
    { name: "explicit value wins over the annotation", yaml: `{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: s, annotations: {werf.io/failures-allowed-per-replica: "2"}}, spec: {}}`, perReplica: 0, expected: 0 },
    { name: "Job is always 0", yaml: `{apiVersion: batch/v1, kind: Job, metadata: {name: j, annotations: {werf.io/failures-allowed-per-replica: "5"}}, spec: {}}`, perReplica: 5, expected: 0 },
    { name: "restartPolicy Never is 0", yaml: `{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: 2, template: {spec: {restartPolicy: Never}}}}`, expected: 0 },
    { name: "other kinds default 0", yaml: `{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: r}, spec: {replicas: 4}}`, expected: 0 },
  ];
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    expect(failuresAllowed(y(c.yaml), c.perReplica)).toBe(c.expected);
  });
});
