/**
 * @module status/workloads
 *
 * kubedog's per-kind readiness rules for the built-in kinds, as pure functions of the live object: Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, Pod, Service and PersistentVolumeClaim. Each returns a ResourceStatus
 * with werf's "waiting for" wording. Takes API objects; gives ResourceStatus. Imports only types from src/kube.
 */
import type { KubeObject } from "../kube/types.js";
import type { ResourceStatus } from "./types.js";
import { arr, conditionOf, num, obj, specReplicas, str } from "./util.js";

type Counters = { current: number; desired: number };

const ready = (counters?: Counters, tracking?: string): ResourceStatus => ({
  readiness: "ready",
  waitingFor: [],
  ...(counters === undefined ? {} : { ready: counters }),
  ...(tracking === undefined ? {} : { tracking }),
});
const progressing = (waitingFor: string[], counters?: Counters): ResourceStatus => ({
  readiness: "progressing",
  waitingFor,
  ...(counters === undefined ? {} : { ready: counters }),
});
const failedStatus = (reason: string, counters?: Counters): ResourceStatus => ({
  readiness: "failed",
  waitingFor: [],
  reason,
  ...(counters === undefined ? {} : { ready: counters }),
});

function settled(waitingFor: string[], counters: Counters): ResourceStatus {
  return waitingFor.length === 0 ? ready(counters) : progressing(waitingFor, counters);
}

/** `observed generation 2 should be >= 3` while the controller has not seen the latest spec. */
export function generationLag(o: KubeObject): string | undefined {
  const observed = num(obj(o["status"])["observedGeneration"]);
  const generation = o.metadata.generation ?? 0;
  return observed < generation ? `observed generation ${observed} should be >= ${generation}` : undefined;
}

export function deploymentStatus(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const desired = specReplicas(o) ?? 1;
  const available = num(status["availableReplicas"]);
  const counters = { current: available, desired };
  const lag = generationLag(o);
  if (lag !== undefined) return progressing([lag], counters);
  // A stale condition from an earlier generation must not fail the new rollout, hence the generation check above.
  const progress = conditionOf(o, "Progressing");
  if (progress?.["status"] === "False" && progress["reason"] === "ProgressDeadlineExceeded") {
    const message = str(progress["message"]);
    return failedStatus(`ProgressDeadlineExceeded${message === "" ? "" : `: ${message}`}`, counters);
  }
  const wait: string[] = [];
  const updated = num(status["updatedReplicas"]);
  const total = num(status["replicas"]);
  if (updated !== desired) wait.push(`up-to-date ${updated}->${desired}`);
  if (total !== desired) wait.push(`replicas ${total}->${desired}`);
  if (available !== desired) wait.push(`available ${available}->${desired}`);
  return settled(wait, counters);
}

export function statefulSetStatus(o: KubeObject): ResourceStatus {
  const spec = obj(o["spec"]);
  const status = obj(o["status"]);
  const desired = specReplicas(o) ?? 1;
  const readyReplicas = num(status["readyReplicas"]);
  const counters = { current: readyReplicas, desired };
  const observed = num(status["observedGeneration"]);
  if (observed === 0) return progressing([`observed generation 0 should be >= ${Math.max(1, o.metadata.generation ?? 1)}`], counters);
  const lag = generationLag(o);
  if (lag !== undefined) return progressing([lag], counters);
  const wait: string[] = [];
  if (readyReplicas < desired) wait.push(`ready ${readyReplicas}->${desired}`);
  const strategy = obj(spec["updateStrategy"]);
  const updated = num(status["updatedReplicas"]);
  const currentRevision = str(status["currentRevision"]);
  const updateRevision = str(status["updateRevision"]);
  if (str(strategy["type"]) === "OnDelete") {
    if (!(updated >= desired || (updated === 0 && currentRevision === updateRevision))) {
      wait.push(
        `updated ${updated}->${desired}: with updateStrategy OnDelete the old pods must be deleted by hand (or set werf.io/track-termination-mode: NonBlocking)`,
      );
    }
  } else {
    const partition = num(obj(strategy["rollingUpdate"])["partition"]);
    if (partition > 0) {
      const target = Math.max(0, desired - partition);
      if (updated < target) wait.push(`updated ${updated}->${target} (partition ${partition})`);
    } else if (currentRevision !== updateRevision) {
      wait.push(`up-to-date ${updated}->${desired}`);
    }
  }
  return settled(wait, counters);
}

export function daemonSetStatus(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const desired = num(status["desiredNumberScheduled"]);
  const available = num(status["numberAvailable"]);
  const counters = { current: available, desired };
  // kubedog treats every non-RollingUpdate strategy (OnDelete) as ready at once: nothing would replace the pods.
  const strategyType = str(obj(obj(o["spec"])["updateStrategy"])["type"]);
  if (strategyType !== "" && strategyType !== "RollingUpdate") return ready(counters);
  const lag = generationLag(o);
  if (lag !== undefined) return progressing([lag], counters);
  const wait: string[] = [];
  const updated = num(status["updatedNumberScheduled"]);
  if (updated !== desired) wait.push(`up-to-date ${updated}->${desired}`);
  if (available !== desired) wait.push(`available ${available}->${desired}`);
  return settled(wait, counters);
}

export function replicaSetStatus(o: KubeObject): ResourceStatus {
  const desired = specReplicas(o) ?? 1;
  const readyReplicas = num(obj(o["status"])["readyReplicas"]);
  const counters = { current: readyReplicas, desired };
  const lag = generationLag(o);
  if (lag !== undefined) return progressing([lag], counters);
  return settled(readyReplicas >= desired ? [] : [`ready ${readyReplicas}->${desired}`], counters);
}

export function jobStatus(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const completionsField = obj(o["spec"])["completions"];
  const completions = typeof completionsField === "number" ? completionsField : 1;
  const succeeded = num(status["succeeded"]);
  const counters = { current: succeeded, desired: completions };
  // FailureTarget (Kubernetes >= 1.31) comes before Failed, which waits for the pods to terminate; the verdict is the same.
  for (const type of ["Failed", "FailureTarget"]) {
    const failedCondition = conditionOf(o, type);
    if (failedCondition?.["status"] === "True") {
      const reason = str(failedCondition["reason"]);
      const message = str(failedCondition["message"]);
      return failedStatus(`Job failed: ${reason === "" ? "Failed" : reason}${message === "" ? "" : `: ${message}`}`, counters);
    }
  }
  if (conditionOf(o, "Complete")?.["status"] === "True") return ready(counters);
  return progressing([`succeeded ${succeeded}->${completions}`], counters);
}

export function podStatus(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const phase = str(status["phase"]);
  if (phase === "Succeeded") return ready();
  if (phase === "Failed") {
    const why = [str(status["reason"]), str(status["message"])].filter((s) => s !== "").join(": ");
    return failedStatus(`pod failed${why === "" ? "" : `: ${why}`}`);
  }
  for (const c of arr(status["initContainerStatuses"])) {
    const terminated = obj(obj(c["state"])["terminated"]);
    if (terminated["reason"] === "Error") {
      return failedStatus(`init container ${str(c["name"])} in pod ${o.metadata.name}: Error, exit code ${num(terminated["exitCode"])}`);
    }
  }
  if (conditionOf(o, "Ready")?.["status"] === "True") return ready();
  const statuses = arr(status["containerStatuses"]);
  const readyCount = statuses.filter((c) => c["ready"] === true).length;
  const total = arr(obj(o["spec"])["containers"]).length;
  return progressing([`phase ${phase === "" ? "Pending" : phase}`, `ready containers ${readyCount}->${total}`]);
}

export function serviceStatus(o: KubeObject): ResourceStatus {
  if (str(obj(o["spec"])["type"]) !== "LoadBalancer") return ready();
  const ingress = arr(obj(obj(o["status"])["loadBalancer"])["ingress"]);
  return ingress.length > 0 ? ready() : progressing(["load balancer ingress 0->1"]);
}

export function pvcStatus(o: KubeObject): ResourceStatus {
  const phase = str(obj(o["status"])["phase"]);
  if (phase === "Bound") return ready(undefined, "status.phase=Bound");
  if (phase === "Lost") return failedStatus("PersistentVolumeClaim lost its volume (status.phase=Lost)");
  return progressing([`phase ${phase === "" ? "Pending" : phase}->Bound`]);
}
