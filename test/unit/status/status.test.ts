// Table tests (kstatus style: {name, yaml, expected}) for the per-kind readiness rules and the generic rules.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { caseStyles, computeStatus, hasDedicatedRule } from "../../../src/status/status.js";
import type { ResourceStatus } from "../../../src/status/types.js";

const y = (text: string): KubeObject => parse(text) as KubeObject;

interface Case {
  readonly name: string;
  readonly yaml: string;
  readonly expected: Partial<ResourceStatus>;
}

function run(cases: readonly Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(computeStatus(y(c.yaml))).toMatchObject(c.expected);
  });
}

describe("Deployment", () => {
  run([
    {
      name: "observed generation lags",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 3}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`,
      expected: { readiness: "progressing", waitingFor: ["observed generation 2 should be >= 3"] },
    },
    {
      name: "rolling out",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 4, updatedReplicas: 1, availableReplicas: 2}`,
      expected: { readiness: "progressing", waitingFor: ["up-to-date 1->3", "replicas 4->3", "available 2->3"], ready: { current: 2, desired: 3 } },
    },
    {
      name: "ready",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 2}
spec: {replicas: 3}
status: {observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}`,
      expected: { readiness: "ready", waitingFor: [], ready: { current: 3, desired: 3 } },
    },
    {
      name: "zero replicas is ready with empty status",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 1}
spec: {replicas: 0}
status: {observedGeneration: 1}`,
      expected: { readiness: "ready" },
    },
    {
      name: "ProgressDeadlineExceeded fails",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 1}
spec: {replicas: 1}
status:
  observedGeneration: 1
  replicas: 1
  updatedReplicas: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: 'ReplicaSet "app-1" has timed out progressing.'}`,
      expected: { readiness: "failed", reason: 'ProgressDeadlineExceeded: ReplicaSet "app-1" has timed out progressing.' },
    },
    {
      name: "a stale ProgressDeadlineExceeded of an older generation does not fail",
      yaml: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, generation: 2}
spec: {replicas: 1}
status:
  observedGeneration: 1
  conditions:
  - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded}`,
      expected: { readiness: "progressing", waitingFor: ["observed generation 1 should be >= 2"] },
    },
  ]);
});

describe("StatefulSet", () => {
  run([
    {
      name: "never observed",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 2}
status: {}`,
      expected: { readiness: "progressing", waitingFor: ["observed generation 0 should be >= 1"] },
    },
    {
      name: "rolling update without partition waits for the revisions to match",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2, updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, readyReplicas: 2, updatedReplicas: 1, currentRevision: db-a, updateRevision: db-b}`,
      expected: { readiness: "progressing", waitingFor: ["up-to-date 1->2"] },
    },
    {
      name: "rolling update done",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2, updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, readyReplicas: 2, updatedReplicas: 2, currentRevision: db-b, updateRevision: db-b}`,
      expected: { readiness: "ready", ready: { current: 2, desired: 2 } },
    },
    {
      name: "partition: ready once replicas - partition are updated, revisions may differ",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 3, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}}
status: {observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1, currentRevision: db-a, updateRevision: db-b}`,
      expected: { readiness: "ready" },
    },
    {
      name: "partition: waiting for the updated replicas",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 3, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}}
status: {observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1, currentRevision: db-a, updateRevision: db-b}`,
      expected: { readiness: "progressing", waitingFor: ["updated 1->2 (partition 1)"] },
    },
    {
      name: "OnDelete with old pods left asks for deleting them",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2, updateStrategy: {type: OnDelete}}
status: {observedGeneration: 2, readyReplicas: 2, updatedReplicas: 1, currentRevision: db-a, updateRevision: db-b}`,
      expected: { readiness: "progressing" },
    },
    {
      name: "not enough ready replicas",
      yaml: `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 1}
spec: {replicas: 3}
status: {observedGeneration: 1, readyReplicas: 1, currentRevision: a, updateRevision: a}`,
      expected: { readiness: "progressing", waitingFor: ["ready 1->3"] },
    },
  ]);
  it("OnDelete hint names the way out", () => {
    const status = computeStatus(
      y(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, generation: 2}
spec: {replicas: 2, updateStrategy: {type: OnDelete}}
status: {observedGeneration: 2, readyReplicas: 2, updatedReplicas: 1, currentRevision: a, updateRevision: b}`),
    );
    expect(status.waitingFor.join(" ")).toMatch(/OnDelete.*NonBlocking/);
  });
});

describe("DaemonSet, ReplicaSet", () => {
  run([
    {
      name: "DaemonSet OnDelete is ready at once",
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 5}
spec: {updateStrategy: {type: OnDelete}}
status: {observedGeneration: 1, desiredNumberScheduled: 1}`,
      expected: { readiness: "ready" },
    },
    {
      name: "DaemonSet rolling",
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1}`,
      expected: { readiness: "progressing", waitingFor: ["up-to-date 1->2", "available 1->2"] },
    },
    {
      name: "DaemonSet ready",
      yaml: `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, generation: 2}
spec: {updateStrategy: {type: RollingUpdate}}
status: {observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2}`,
      expected: { readiness: "ready", ready: { current: 2, desired: 2 } },
    },
    {
      name: "ReplicaSet waiting",
      yaml: `
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs, generation: 1}
spec: {replicas: 2}
status: {observedGeneration: 1, readyReplicas: 1}`,
      expected: { readiness: "progressing", waitingFor: ["ready 1->2"] },
    },
  ]);
});

describe("Job, Pod, Service, PVC", () => {
  run([
    {
      name: "Job running",
      yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {completions: 2}
status: {succeeded: 1, active: 1}`,
      expected: { readiness: "progressing", waitingFor: ["succeeded 1->2"] },
    },
    {
      name: "Job complete",
      yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {}
status: {succeeded: 1, conditions: [{type: Complete, status: "True"}]}`,
      expected: { readiness: "ready", ready: { current: 1, desired: 1 } },
    },
    {
      name: "Job failed: BackoffLimitExceeded",
      yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec: {backoffLimit: 0}
status:
  failed: 1
  conditions:
  - {type: Failed, status: "True", reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}`,
      expected: { readiness: "failed", reason: "Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit" },
    },
    {
      name: "Job FailureTarget fails before the pods terminate",
      yaml: `
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
status: {conditions: [{type: FailureTarget, status: "True", reason: BackoffLimitExceeded}]}`,
      expected: { readiness: "failed", reason: "Job failed: BackoffLimitExceeded" },
    },
    {
      name: "Pod Ready",
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Running, conditions: [{type: Ready, status: "True"}]}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Pod Succeeded",
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Succeeded}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Pod Failed",
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status: {phase: Failed, reason: Evicted, message: The node was low on resource}`,
      expected: { readiness: "failed", reason: "pod failed: Evicted: The node was low on resource" },
    },
    {
      name: "Pod init container Error",
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
status:
  phase: Pending
  initContainerStatuses:
  - {name: init, state: {terminated: {reason: Error, exitCode: 3}}}`,
      expected: { readiness: "failed", reason: "init container init in pod p: Error, exit code 3" },
    },
    {
      name: "Pod running, not ready",
      yaml: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: a}]}
status: {phase: Running, containerStatuses: [{name: a, ready: false}]}`,
      expected: { readiness: "progressing", waitingFor: ["phase Running", "ready containers 0->1"] },
    },
    {
      name: "Service ClusterIP is ready",
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {type: ClusterIP}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Service LoadBalancer waits for an ingress",
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {type: LoadBalancer}
status: {loadBalancer: {}}`,
      expected: { readiness: "progressing", waitingFor: ["load balancer ingress 0->1"] },
    },
    {
      name: "Service LoadBalancer with ingress",
      yaml: `
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 10.0.0.1}]}}`,
      expected: { readiness: "ready" },
    },
    {
      name: "PVC Pending",
      yaml: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status: {phase: Pending}`,
      expected: { readiness: "progressing", waitingFor: ["phase Pending->Bound"] },
    },
    {
      name: "PVC Bound",
      yaml: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status: {phase: Bound}`,
      expected: { readiness: "ready" },
    },
    {
      name: "PVC Lost",
      yaml: `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
status: {phase: Lost}`,
      expected: { readiness: "failed" },
    },
  ]);
});

describe("generic", () => {
  run([
    {
      name: "ConfigMap: ready as soon as it exists",
      yaml: `
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {a: b}`,
      expected: { readiness: "ready", waitingFor: [] },
    },
    {
      name: "Ready=False condition waits with a tracking hint",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {conditions: [{type: Ready, status: "False"}]}`,
      expected: { readiness: "progressing", tracking: "status.conditions[type=Ready].status=False" },
    },
    {
      name: "ready word priority: Ready beats Available",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {conditions: [{type: Available, status: "True"}, {type: Ready, status: "False"}]}`,
      expected: { readiness: "progressing", tracking: "status.conditions[type=Ready].status=False" },
    },
    {
      name: "lower-case condition type, upper-case value",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {conditions: [{type: available, status: "TRUE"}]}`,
      expected: { readiness: "ready", tracking: "status.conditions[type=available].status=TRUE" },
    },
    {
      name: "conditions win over phase",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {phase: Failed, conditions: [{type: Ready, status: "True"}]}`,
      expected: { readiness: "ready" },
    },
    {
      name: "phase in SCREAMING_SNAKE: IN_PROGRESS waits",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {phase: IN_PROGRESS}`,
      expected: { readiness: "progressing", tracking: "status.phase=IN_PROGRESS" },
    },
    {
      name: "phase in kebab-case failure",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {state: errored}`,
      expected: { readiness: "failed", reason: "status.state=errored" },
    },
    {
      name: "unknown phase word is skipped; currentHealth Healthy decides",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {phase: Sleeping, currentHealth: Healthy}`,
      expected: { readiness: "ready", tracking: "status.currentHealth=Healthy" },
    },
    {
      name: "low priority: health yellow waits",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {health: yellow}`,
      expected: { readiness: "progressing", tracking: "status.health=yellow" },
    },
    {
      name: "low priority: state Valid is ready",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {state: Valid}`,
      expected: { readiness: "ready", tracking: "status.state=Valid" },
    },
    {
      name: "a status of an older generation waits (kstatus's rule)",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, generation: 4}
status: {observedGeneration: 3, conditions: [{type: Ready, status: "True"}]}`,
      expected: { readiness: "progressing", waitingFor: ["observed generation 3 should be >= 4"] },
    },
    {
      name: "nothing known: ready",
      yaml: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
status: {phase: Sleeping, conditions: [{type: Synced, status: "False"}]}`,
      expected: { readiness: "ready" },
    },
  ]);
});

describe("contrib CRD rules", () => {
  run([
    {
      name: "cert-manager Certificate not yet issued",
      yaml: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}
status: {conditions: [{type: Ready, status: "False"}]}`,
      expected: { readiness: "progressing", tracking: "status.conditions[type=Ready].status=False" },
    },
    {
      name: "cert-manager Certificate without status waits (the contrib rule decides)",
      yaml: `
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}`,
      expected: { readiness: "progressing", tracking: "status.conditions[type=Ready].status=" },
    },
    {
      name: "Argo CD Application Degraded fails",
      yaml: `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app}
status: {health: {status: Degraded}, conditions: [{type: Ready, status: "True"}]}`,
      expected: { readiness: "failed", reason: "status.health.status=Degraded" },
    },
    {
      name: "Argo CD Application Healthy",
      yaml: `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app}
status: {health: {status: Healthy}}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Flux HelmRelease Ready",
      yaml: `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: r}
status: {conditions: [{type: Ready, status: "True"}]}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Flux Kustomization Ready=False waits (not a failure)",
      yaml: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: k}
status: {conditions: [{type: Ready, status: "False"}]}`,
      expected: { readiness: "progressing" },
    },
    {
      name: "ExternalSecret Ready=False fails",
      yaml: `
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es}
status: {conditions: [{type: Ready, status: "False"}]}`,
      expected: { readiness: "failed", reason: "status.conditions[type=Ready].status=False" },
    },
    {
      name: "SealedSecret Synced",
      yaml: `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: s}
status: {conditions: [{type: Synced, status: "True"}]}`,
      expected: { readiness: "ready" },
    },
    {
      name: "Prometheus Available=Degraded waits",
      yaml: `
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: p}
status: {conditions: [{type: Available, status: Degraded}]}`,
      expected: { readiness: "progressing" },
    },
    {
      name: "Zalando postgresql CreateFailed fails",
      yaml: `
apiVersion: acid.zalan.do/v1
kind: postgresql
metadata: {name: db}
status: {PostgresClusterStatus: CreateFailed}`,
      expected: { readiness: "failed", reason: "status.PostgresClusterStatus=CreateFailed" },
    },
  ]);
});

describe("helpers", () => {
  it("caseStyles spells a phrase in every style kubedog matches", () => {
    expect(caseStyles("in progress")).toEqual(
      expect.arrayContaining(["in progress", "inprogress", "INPROGRESS", "InProgress", "in-progress", "in.progress", "in_progress", "In Progress", "IN PROGRESS", "inProgress", "IN.PROGRESS", "IN-PROGRESS", "IN_PROGRESS"]),
    );
  });
  it("dedicated rules are keyed by group and kind", () => {
    expect(hasDedicatedRule("apps/v1", "Deployment")).toBe(true);
    expect(hasDedicatedRule("v1", "Pod")).toBe(true);
    expect(hasDedicatedRule("example.com/v1", "Deployment")).toBe(false);
    expect(hasDedicatedRule("v1", "ConfigMap")).toBe(false);
  });
});
