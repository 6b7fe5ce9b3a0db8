/**
 * @module status/status
 *
 * Readiness of any object: the per-kind rule from a dispatch table keyed by `group/Kind` (kstatus style), else
 * kubedog's generic rules. Re-exports the pod problem and budget functions so callers need one import.
 * Pure; takes API objects, gives ResourceStatus. Imports only types from src/kube.
 */
import type { KubeObject } from "../kube/types.js";
import { genericStatus } from "./generic.js";
import type { ResourceStatus } from "./types.js";
import { groupOf } from "./util.js";
import {
  daemonSetStatus,
  deploymentStatus,
  jobStatus,
  podStatus,
  pvcStatus,
  replicaSetStatus,
  serviceStatus,
  statefulSetStatus,
} from "./workloads.js";

export { genericStatus, CONTRIB_RULES, caseStyles } from "./generic.js";
export {
  failuresAllowed,
  gracedProblemKeys,
  podProblems,
  podReady,
  podStatusText,
  probeEventProblem,
  problemOccurrence,
  readinessIgnoreWindowMs,
  PROBLEM_GRACE_MS,
  type ProblemClock,
} from "./pod.js";

const BY_GROUP_KIND: Readonly<Record<string, (o: KubeObject) => ResourceStatus>> = {
  "apps/Deployment": deploymentStatus,
  "extensions/Deployment": deploymentStatus,
  "apps/StatefulSet": statefulSetStatus,
  "apps/DaemonSet": daemonSetStatus,
  "extensions/DaemonSet": daemonSetStatus,
  "apps/ReplicaSet": replicaSetStatus,
  "extensions/ReplicaSet": replicaSetStatus,
  "batch/Job": jobStatus,
  "/Pod": podStatus,
  "/Service": serviceStatus,
  "/PersistentVolumeClaim": pvcStatus,
};

export function computeStatus(o: KubeObject): ResourceStatus {
  return (BY_GROUP_KIND[`${groupOf(o.apiVersion)}/${o.kind}`] ?? genericStatus)(o);
}

/** Built-in kinds that have no status at all: the object is ready the moment it exists. */
const STATUSLESS = new Set([
  "/ConfigMap",
  "/Secret",
  "/ServiceAccount",
  "/Endpoints",
  "/LimitRange",
  "/PodTemplate",
  "rbac.authorization.k8s.io/Role",
  "rbac.authorization.k8s.io/RoleBinding",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/StorageClass",
  "networking.k8s.io/IngressClass",
  "discovery.k8s.io/EndpointSlice",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
]);

/** Whether readiness is existence (a built-in kind without status): what the API returned on apply settles it. */
export function readyOnceItExists(apiVersion: string, kind: string): boolean {
  return STATUSLESS.has(`${groupOf(apiVersion)}/${kind}`);
}

/** Whether the kind has a dedicated rule; the others are generic (2 s settle, no-activity timeout). */
export function hasDedicatedRule(apiVersion: string, kind: string): boolean {
  return `${groupOf(apiVersion)}/${kind}` in BY_GROUP_KIND;
}
