/**
 * @module status/status
 *
 * Readiness as pure functions, chosen per kind from a table with a generic fallback (kubedog's rules): a
 * Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod, Service, PVC, or anything else by its conditions and
 * phase words. Also the problems a pod shows (image pulls, crash loops, config errors, scheduling) and the
 * failures budget. No I/O; inputs are plain API objects.
 */
import type { KubeObject } from "../kube/types.js";
import type { PodProblem, ResourceStatus } from "./types.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

const ready = (extra: Partial<ResourceStatus> = {}): ResourceStatus => ({ readiness: "ready", waitingFor: [], ...extra });
const waiting = (waitingFor: string[], extra: Partial<ResourceStatus> = {}): ResourceStatus => ({ readiness: "progressing", waitingFor, ...extra });
const failed = (reason: string, extra: Partial<ResourceStatus> = {}): ResourceStatus => ({ readiness: "failed", waitingFor: [], reason, ...extra });

function condition(o: Obj, type: string): Obj | undefined {
  return arr(obj(o["status"])["conditions"]).find((c) => c["type"] === type);
}

function generationMessage(o: KubeObject): string | undefined {
  const observed = num(obj(o["status"])["observedGeneration"]);
  const generation = o.metadata.generation ?? 0;
  return observed < generation ? `observed generation ${observed} should be >= ${generation}` : undefined;
}

function deployment(o: KubeObject): ResourceStatus {
  const spec = obj(o["spec"]);
  const status = obj(o["status"]);
  const progressing = condition(o, "Progressing");
  if (progressing?.["status"] === "False" && progressing["reason"] === "ProgressDeadlineExceeded") {
    return failed(`ProgressDeadlineExceeded: ${str(progressing["message"])}`);
  }
  const desired = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  const counters = { current: num(status["availableReplicas"]), desired };
  const gen = generationMessage(o);
  if (gen !== undefined) return waiting([gen], { ready: counters });
  const wait: string[] = [];
  const up = num(status["updatedReplicas"]);
  const total = num(status["replicas"]);
  const avail = num(status["availableReplicas"]);
  if (up !== desired) wait.push(`up-to-date ${up}->${desired}`);
  if (total !== desired) wait.push(`replicas ${total}->${desired}`);
  if (avail !== desired) wait.push(`available ${avail}->${desired}`);
  return wait.length === 0 ? ready({ ready: counters }) : waiting(wait, { ready: counters });
}

function statefulSet(o: KubeObject): ResourceStatus {
  const spec = obj(o["spec"]);
  const status = obj(o["status"]);
  const desired = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  const readyReplicas = num(status["readyReplicas"]);
  const counters = { current: readyReplicas, desired };
  if (num(status["observedGeneration"]) === 0) return waiting(["observed generation 0 should be >= 1"], { ready: counters });
  const gen = generationMessage(o);
  if (gen !== undefined) return waiting([gen], { ready: counters });
  const wait: string[] = [];
  if (readyReplicas < desired) wait.push(`ready ${readyReplicas}->${desired}`);
  const strategy = obj(spec["updateStrategy"]);
  const updated = num(status["updatedReplicas"]);
  const sameRevision = str(status["updateRevision"]) === str(status["currentRevision"]);
  if (str(strategy["type"]) === "OnDelete") {
    if (!(updated >= desired || (updated === 0 && sameRevision))) wait.push(`updated ${updated}->${desired} (OnDelete: delete the old pods manually, or use werf.io/track-termination-mode: NonBlocking)`);
  } else {
    const partition = num(obj(strategy["rollingUpdate"])["partition"]);
    if (partition > 0) {
      if (updated < desired - partition) wait.push(`updated ${updated}->${desired - partition}`);
    } else if (!sameRevision) wait.push(`current revision ${str(status["currentRevision"])} -> ${str(status["updateRevision"])}`);
  }
  return wait.length === 0 ? ready({ ready: counters }) : waiting(wait, { ready: counters });
}

function daemonSet(o: KubeObject): ResourceStatus {
  const spec = obj(o["spec"]);
  const status = obj(o["status"]);
  const desired = num(status["desiredNumberScheduled"]);
  const counters = { current: num(status["numberAvailable"]), desired };
  if (str(obj(spec["updateStrategy"])["type"]) === "OnDelete") return ready({ ready: counters });
  const gen = generationMessage(o);
  if (gen !== undefined) return waiting([gen], { ready: counters });
  const wait: string[] = [];
  const updated = num(status["updatedNumberScheduled"]);
  if (updated !== desired) wait.push(`up-to-date ${updated}->${desired}`);
  if (num(status["numberAvailable"]) !== desired) wait.push(`available ${num(status["numberAvailable"])}->${desired}`);
  return wait.length === 0 ? ready({ ready: counters }) : waiting(wait, { ready: counters });
}

function replicaSet(o: KubeObject): ResourceStatus {
  const desired = typeof obj(o["spec"])["replicas"] === "number" ? num(obj(o["spec"])["replicas"]) : 1;
  const readyReplicas = num(obj(o["status"])["readyReplicas"]);
  const counters = { current: readyReplicas, desired };
  const gen = generationMessage(o);
  if (gen !== undefined) return waiting([gen], { ready: counters });
  return readyReplicas >= desired ? ready({ ready: counters }) : waiting([`ready ${readyReplicas}->${desired}`], { ready: counters });
}

function job(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const completions = typeof obj(o["spec"])["completions"] === "number" ? num(obj(o["spec"])["completions"]) : 1;
  const counters = { current: num(status["succeeded"]), desired: completions };
  const failedCond = condition(o, "Failed");
  if (failedCond?.["status"] === "True") return failed(`Job failed: ${str(failedCond["reason"])}${failedCond["message"] ? `: ${str(failedCond["message"])}` : ""}`, { ready: counters });
  if (condition(o, "Complete")?.["status"] === "True") return ready({ ready: counters });
  return waiting([`succeeded ${num(status["succeeded"])}->${completions}`], { ready: counters });
}

function pod(o: KubeObject): ResourceStatus {
  const status = obj(o["status"]);
  const phase = str(status["phase"]);
  if (phase === "Succeeded") return ready();
  if (phase === "Failed") return failed(`pod failed${status["reason"] ? `: ${str(status["reason"])}` : ""}${status["message"] ? `: ${str(status["message"])}` : ""}`);
  for (const c of arr(status["initContainerStatuses"])) {
    const term = obj(obj(c["state"])["terminated"]);
    if (term["reason"] === "Error") return failed(`init container ${str(c["name"])} failed: exit code ${num(term["exitCode"])}`);
  }
  if (condition(o, "Ready")?.["status"] === "True") return ready();
  return waiting([`pod ${phase === "" ? "Pending" : phase}`]);
}

function service(o: KubeObject): ResourceStatus {
  if (str(obj(o["spec"])["type"]) !== "LoadBalancer") return ready();
  const ingress = arr(obj(obj(o["status"])["loadBalancer"])["ingress"]);
  return ingress.length > 0 ? ready() : waiting(["load balancer ingress"]);
}

function pvc(o: KubeObject): ResourceStatus {
  const phase = str(obj(o["status"])["phase"]);
  if (phase === "Bound") return ready();
  if (phase === "Lost") return failed("PersistentVolumeClaim lost its volume");
  // WaitForFirstConsumer claims stay Pending until a pod uses them: kubedog treats them generically.
  return ready();
}

// ---- generic (kubedog's heuristics) ----

const READY_WORDS = ["ready", "success", "succeeded", "complete", "completed", "finished", "finalized", "done", "available", "running", "ok", "active", "live", "healthy", "started", "initialized", "approved"];
const PENDING_WORDS = ["creating", "updating", "waiting", "awaiting", "pending", "finishing", "starting", "readying", "in progress", "progressing", "initialization", "initializing", "approving", "unknown"];
const FAILED_WORDS = ["failure", "failed", "abort", "aborted", "terminated", "error", "errored", "rejection", "rejected"];

/** The word in every case style kubedog accepts: camel, pascal, snake, kebab, upper, title, dotted. */
function variants(word: string): string[] {
  const parts = word.split(" ");
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return [
    parts.join(" "),
    parts.map(cap).join(" "),
    parts[0] + parts.slice(1).map(cap).join(""),
    parts.map(cap).join(""),
    parts.join("_"),
    parts.join("-"),
    parts.join(".").toUpperCase(),
    parts.join("_").toUpperCase(),
    parts.join(" ").toUpperCase(),
    parts.join("."),
  ];
}
const wordSet = (words: string[]): Set<string> => new Set(words.flatMap(variants));
const READY = wordSet(READY_WORDS);
const PENDING = wordSet(PENDING_WORDS);
const FAILED = wordSet(FAILED_WORDS);

/** A CRD rule as data: ready/failed when a JSON path has one of the values. */
interface ContribRule {
  readonly group: string;
  readonly kind?: string;
  readonly path: readonly string[];
  readonly ready: readonly string[];
  readonly failed: readonly string[];
}

const CONTRIB_RULES: readonly ContribRule[] = [
  { group: "acid.zalan.do", kind: "postgresql", path: ["status", "PostgresClusterStatus"], ready: ["Running"], failed: ["CreateFailed", "UpdateFailed", "DeleteFailed", "SyncFailed"] },
  { group: "bitnami.com", kind: "SealedSecret", path: ["status", "conditions", "type=Synced", "status"], ready: ["True"], failed: ["False"] },
  { group: "external-secrets.io", path: ["status", "conditions", "type=Ready", "status"], ready: ["True"], failed: ["False"] },
  { group: "argoproj.io", kind: "Application", path: ["status", "health", "status"], ready: ["Healthy"], failed: ["Degraded", "Missing"] },
  { group: "cert-manager.io", path: ["status", "conditions", "type=Ready", "status"], ready: ["True"], failed: [] },
  { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease", path: ["status", "conditions", "type=Ready", "status"], ready: ["True"], failed: [] },
  { group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization", path: ["status", "conditions", "type=Ready", "status"], ready: ["True"], failed: [] },
  { group: "monitoring.coreos.com", kind: "Prometheus", path: ["status", "conditions", "type=Available", "status"], ready: ["True"], failed: [] },
  { group: "monitoring.coreos.com", kind: "Alertmanager", path: ["status", "conditions", "type=Available", "status"], ready: ["True"], failed: [] },
  { group: "longhorn.io", kind: "Volume", path: ["status", "robustness"], ready: ["healthy"], failed: ["faulted"] },
];

function atPath(o: unknown, path: readonly string[]): unknown {
  let current: unknown = o;
  for (const step of path) {
    const m = /^(\w+)=(.+)$/.exec(step);
    if (m !== null) current = Array.isArray(current) ? current.find((c) => isObj(c) && c[m[1] ?? ""] === m[2]) : undefined;
    else current = isObj(current) ? current[step] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

function generic(o: KubeObject): ResourceStatus {
  const group = o.apiVersion.includes("/") ? o.apiVersion.slice(0, o.apiVersion.indexOf("/")) : "";
  for (const rule of CONTRIB_RULES) {
    if (rule.group !== group || (rule.kind !== undefined && rule.kind !== o.kind)) continue;
    const value = atPath(o, rule.path);
    if (typeof value !== "string") continue;
    const tracking = `${rule.path.join(".")}=${value}`;
    if (rule.ready.includes(value)) return ready({ tracking });
    if (rule.failed.includes(value)) return failed(`${o.kind}/${o.metadata.name}: ${tracking}`, { tracking });
    return waiting([tracking], { tracking });
  }
  const status = obj(o["status"]);
  const conditions = arr(status["conditions"]);
  for (const word of READY_WORDS) {
    for (const type of variants(word)) {
      const c = conditions.find((x) => x["type"] === type);
      if (c === undefined) continue;
      const tracking = `status.conditions[type=${type}].status=${str(c["status"])}`;
      return c["status"] === "True" ? ready({ tracking }) : waiting([tracking], { tracking });
    }
  }
  for (const field of ["phase", "currentPhase", "state", "currentState", "status", "currentStatus", "health", "currentHealth"]) {
    const value = field === "status" ? status["status"] : status[field];
    if (typeof value !== "string") continue;
    const tracking = `status.${field}=${value}`;
    if (READY.has(value)) return ready({ tracking });
    if (FAILED.has(value)) return failed(`${o.kind}/${o.metadata.name}: ${tracking}`, { tracking });
    if (PENDING.has(value)) return waiting([tracking], { tracking });
  }
  for (const field of ["state", "currentState"]) {
    const value = str(status[field]).toLowerCase();
    if (value === "valid") return ready({ tracking: `status.${field}=${value}` });
    if (value === "invalid") return waiting([`status.${field}=${value}`]);
  }
  for (const field of ["health", "currentHealth"]) {
    const value = str(status[field]).toLowerCase();
    if (value === "green") return ready({ tracking: `status.${field}=${value}` });
    if (value === "yellow" || value === "red") return waiting([`status.${field}=${value}`]);
  }
  return ready();
}

const BY_KIND: Readonly<Record<string, (o: KubeObject) => ResourceStatus>> = {
  "apps/Deployment": deployment,
  "extensions/Deployment": deployment,
  "apps/StatefulSet": statefulSet,
  "apps/DaemonSet": daemonSet,
  "extensions/DaemonSet": daemonSet,
  "apps/ReplicaSet": replicaSet,
  "batch/Job": job,
  "/Pod": pod,
  "/Service": service,
  "/PersistentVolumeClaim": pvc,
};

export function computeStatus(o: KubeObject): ResourceStatus {
  const group = o.apiVersion.includes("/") ? o.apiVersion.slice(0, o.apiVersion.indexOf("/")) : "";
  return (BY_KIND[`${group}/${o.kind}`] ?? generic)(o);
}

/** Whether the kind has a dedicated status rule (the generic one waits 2 s for its status to settle). */
export function hasDedicatedRule(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return `${group}/${kind}` in BY_KIND;
}

// ---- pods ----

export const UNSCHEDULABLE_GRACE_MS = 10_000;
export const CONFIG_ERROR_GRACE_MS = 5_000;

const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"]);
const CONFIG_REASONS = new Set(["CreateContainerConfigError", "CreateContainerError"]);

/**
 * The problems a pod shows now. `since(key)` tells how long (ms) a condition has been seen, so the caller can apply
 * grace periods to conditions that may clear by themselves (a ConfigMap created a moment later, a node scaling up).
 */
export function podProblems(p: KubeObject, since: (key: string) => number = () => Infinity): PodProblem[] {
  const name = p.metadata.name;
  const status = obj(p["status"]);
  const out: PodProblem[] = [];
  const specContainers = new Map(arr(obj(p["spec"])["containers"]).map((c) => [str(c["name"]), c]));
  for (const c of [...arr(status["initContainerStatuses"]), ...arr(status["containerStatuses"])]) {
    const container = str(c["name"]);
    const state = obj(c["state"]);
    const waitingState = obj(state["waiting"]);
    const reason = str(waitingState["reason"]);
    const message = str(waitingState["message"]);
    if (PULL_REASONS.has(reason)) {
      const image = str(specContainers.get(container)?.["image"]) || str(c["image"]);
      out.push({ pod: name, container, reason, message: `image ${image}: ${message || reason}` });
    } else if (reason === "CrashLoopBackOff") {
      const last = obj(obj(c["lastState"])["terminated"]);
      const detail = last["reason"] !== undefined ? `${str(last["reason"])}, exit code ${num(last["exitCode"])}` : `exit code ${num(last["exitCode"])}`;
      out.push({ pod: name, container, reason, message: `${reason}, ${detail}` });
    } else if (CONFIG_REASONS.has(reason)) {
      const key = `${name}/${container}/${reason}`;
      if (since(key) >= CONFIG_ERROR_GRACE_MS) out.push({ pod: name, container, reason, message: message || reason, fatal: true });
    }
    const terminated = obj(state["terminated"]);
    if (terminated["reason"] === "OOMKilled") out.push({ pod: name, container, reason: "OOMKilled", message: `OOMKilled, exit code ${num(terminated["exitCode"])}` });
  }
  const scheduled = arr(status["conditions"]).find((c) => c["type"] === "PodScheduled");
  if (scheduled?.["status"] === "False" && scheduled["reason"] === "Unschedulable") {
    const key = `${name}/Unschedulable`;
    if (since(key) >= UNSCHEDULABLE_GRACE_MS) out.push({ pod: name, reason: "FailedScheduling", message: str(scheduled["message"]) || "pod cannot be scheduled", fatal: true });
  }
  return out;
}

/** The keys podProblems asks `since` about, for the caller's first-seen bookkeeping. */
export function podProblemKeys(p: KubeObject): string[] {
  const name = p.metadata.name;
  const status = obj(p["status"]);
  const keys: string[] = [];
  for (const c of [...arr(status["initContainerStatuses"]), ...arr(status["containerStatuses"])]) {
    const reason = str(obj(obj(c["state"])["waiting"])["reason"]);
    if (CONFIG_REASONS.has(reason)) keys.push(`${name}/${str(c["name"])}/${reason}`);
  }
  const scheduled = arr(status["conditions"]).find((c) => c["type"] === "PodScheduled");
  if (scheduled?.["status"] === "False" && scheduled["reason"] === "Unschedulable") keys.push(`${name}/Unschedulable`);
  return keys;
}

/** kubectl's STATUS column for a pod: `Running`, `CrashLoopBackOff`, `Init:0/1`, `Completed`... */
export function podStatusText(p: KubeObject): string {
  const status = obj(p["status"]);
  if (p.metadata.deletionTimestamp !== undefined) return "Terminating";
  const inits = arr(status["initContainerStatuses"]);
  for (const [i, c] of inits.entries()) {
    const state = obj(c["state"]);
    if (obj(state["terminated"])["exitCode"] === 0) continue;
    const reason = str(obj(state["waiting"])["reason"]) || str(obj(state["terminated"])["reason"]);
    return reason !== "" && reason !== "PodInitializing" ? `Init:${reason}` : `Init:${i}/${inits.length}`;
  }
  let text = str(status["reason"]) || str(status["phase"]) || "Pending";
  for (const c of arr(status["containerStatuses"])) {
    const state = obj(c["state"]);
    const reason = str(obj(state["waiting"])["reason"]) || str(obj(state["terminated"])["reason"]);
    if (reason !== "") text = reason;
  }
  return text;
}

export function podReady(p: KubeObject): boolean {
  return arr(obj(p["status"])["conditions"]).some((c) => c["type"] === "Ready" && c["status"] === "True");
}

/** kubedog's budget: per replica (0 for Jobs and restartPolicy Never; default 1 for Deployment/STS/DS), × replicas. */
export function failuresAllowed(o: KubeObject, perReplica: number | undefined): number {
  const spec = obj(o["spec"]);
  const template = obj(spec["template"]);
  if (o.kind === "Job" || str(obj(template["spec"])["restartPolicy"]) === "Never") return 0;
  const base = perReplica ?? (["Deployment", "StatefulSet", "DaemonSet", "Canary"].includes(o.kind) ? 1 : 0);
  const replicas = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  return base * Math.max(1, replicas);
}
