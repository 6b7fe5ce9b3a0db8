/**
 * @module status/pod
 *
 * What a pod shows that counts against a failures budget (kubedog's pod "errors", plus the ones kubedog misses:
 * CreateContainerConfigError, CreateContainerError, Unschedulable), readiness/liveness probe events with kubedog's
 * ignore window, kubectl's STATUS column, and the failures budget itself. Pure: time comes in as arguments.
 * Takes API objects (Pod, Event, workload); gives PodProblem values and numbers. Imports only types from src/kube.
 */
import type { KubeObject } from "../kube/types.js";
import type { PodProblem } from "./types.js";
import { arr, conditionOf, num, obj, specReplicas, str, type Obj } from "./util.js";

/**
 * How long a condition that may clear by itself must last before it counts (ms). A ConfigMap applied a moment later
 * or a node that is still registering resolve within seconds; a missing key or 1000 CPUs do not.
 */
export const PROBLEM_GRACE_MS: Readonly<Record<string, number>> = {
  Unschedulable: 10_000,
  CreateContainerConfigError: 5_000,
  CreateContainerError: 10_000,
};

/** kubedog's errors: they count once per occurrence against the budget. */
const COUNTED_WAITING = new Set(["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "CrashLoopBackOff"]);
/** Never resolve without a new spec: fail at once. */
const FATAL_WAITING = new Set(["InvalidImageName"]);
/** kubedog waits for these until the timeout (werf/kubedog#198); slipway fails after the grace period. */
const GRACED_WAITING = new Set(["CreateContainerConfigError", "CreateContainerError"]);
/**
 * The kubelet's own hiccups under load (its ConfigMap/Secret cache not synced in time): the next pod sync retries
 * and usually succeeds, so they are not a verdict on the manifest. The grace clock keeps running meanwhile, and a
 * real cause shown afterwards counts at once.
 */
const TRANSIENT_KUBELET_MESSAGE = /failed to sync \S+ cache|timed out waiting for the condition/;

export interface ProblemClock {
  /** ms since the keyed condition was first seen by the caller (`pod/container/reason` or `pod/Unschedulable`). */
  readonly since: (key: string) => number;
}

const ALWAYS_DUE: ProblemClock = { since: () => Number.POSITIVE_INFINITY };

/** The keys of graced conditions present on the pod now: the caller records when it first saw each. */
export function gracedProblemKeys(p: KubeObject): string[] {
  const keys: string[] = [];
  for (const c of containerStatuses(p)) {
    const reason = str(obj(obj(c.status["state"])["waiting"])["reason"]);
    if (GRACED_WAITING.has(reason)) keys.push(`${p.metadata.name}/${c.name}/${reason}`);
  }
  if (unschedulable(p) !== undefined) keys.push(`${p.metadata.name}/Unschedulable`);
  return keys;
}

interface ContainerStatusView {
  readonly name: string;
  readonly init: boolean;
  readonly status: Obj;
}

function containerStatuses(p: KubeObject): ContainerStatusView[] {
  const status = obj(p["status"]);
  return [
    ...arr(status["initContainerStatuses"]).map((s) => ({ name: str(s["name"]), init: true, status: s })),
    ...arr(status["containerStatuses"]).map((s) => ({ name: str(s["name"]), init: false, status: s })),
  ];
}

function unschedulable(p: KubeObject): Obj | undefined {
  const scheduled = conditionOf(p, "PodScheduled");
  return scheduled?.["status"] === "False" && scheduled["reason"] === "Unschedulable" ? scheduled : undefined;
}

function imageOf(p: KubeObject, container: string, status: Obj): string {
  const spec = obj(p["spec"]);
  const declared = [...arr(spec["initContainers"]), ...arr(spec["containers"])].find((c) => c["name"] === container);
  return str(declared?.["image"]) || str(status["image"]);
}

function exitDetail(terminated: Obj): string {
  const reason = str(terminated["reason"]);
  const code = `exit code ${num(terminated["exitCode"])}`;
  // "Error" only restates a non-zero exit; OOMKilled, ContainerCannotRun and the like say why.
  return reason === "" || reason === "Error" || reason === "Completed" ? code : `${reason}, ${code}`;
}

/**
 * The problems the pod shows now. Graced conditions (see PROBLEM_GRACE_MS) are reported only once `clock.since`
 * says they lasted long enough; they are fatal then.
 */
export function podProblems(p: KubeObject, clock: ProblemClock = ALWAYS_DUE): PodProblem[] {
  const pod = p.metadata.name;
  const out: PodProblem[] = [];
  for (const c of containerStatuses(p)) {
    const container = c.name;
    const state = obj(c.status["state"]);
    const waiting = obj(state["waiting"]);
    const reason = str(waiting["reason"]);
    const message = str(waiting["message"]);
    if (reason === "CrashLoopBackOff") {
      const last = obj(obj(c.status["lastState"])["terminated"]);
      out.push({ pod, container, reason, message: `CrashLoopBackOff, ${exitDetail(last)}` });
    } else if (COUNTED_WAITING.has(reason) || FATAL_WAITING.has(reason)) {
      const image = imageOf(p, container, c.status);
      out.push({
        pod,
        container,
        reason,
        message: `${reason}, image "${image}"${message === "" ? "" : `: ${message}`}`,
        ...(FATAL_WAITING.has(reason) ? { fatal: true } : {}),
      });
    } else if (GRACED_WAITING.has(reason) && !TRANSIENT_KUBELET_MESSAGE.test(message)) {
      if (clock.since(`${pod}/${container}/${reason}`) >= (PROBLEM_GRACE_MS[reason] ?? 0)) {
        out.push({ pod, container, reason, message: `${reason}${message === "" ? "" : `: ${message}`}`, fatal: true });
      }
    }
    const terminated = obj(state["terminated"]);
    if (c.init && terminated["reason"] === "Error") {
      out.push({ pod, container, reason: "InitContainerError", message: `init container failed: ${exitDetail(terminated)}` });
    }
  }
  const scheduling = unschedulable(p);
  if (scheduling !== undefined && clock.since(`${pod}/Unschedulable`) >= (PROBLEM_GRACE_MS["Unschedulable"] ?? 0)) {
    const message = str(scheduling["message"]);
    out.push({ pod, reason: "FailedScheduling", message: `FailedScheduling${message === "" ? "" : `: ${message}`}`, fatal: true });
  }
  return out;
}

/**
 * Identifies one occurrence of a problem, so a problem still shown by the next pod update is not counted twice but a
 * new crash (a higher restartCount) or a new pull state is.
 */
export function problemOccurrence(p: KubeObject, problem: PodProblem): string {
  const status = containerStatuses(p).find((c) => c.name === problem.container)?.status;
  return `${problem.pod}/${problem.container ?? ""}/${problem.reason}/${num(status?.["restartCount"])}`;
}

// ---- probe events ----

interface Probe {
  readonly initialDelaySeconds: number;
  readonly timeoutSeconds: number;
  readonly periodSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

function probeOf(v: unknown): Probe | undefined {
  if (v === undefined || v === null || typeof v !== "object") return undefined;
  const o = obj(v);
  const or = (key: string, fallback: number): number => (typeof o[key] === "number" ? (o[key]) : fallback);
  // The API server's defaults, for objects built by hand.
  return {
    initialDelaySeconds: or("initialDelaySeconds", 0),
    timeoutSeconds: or("timeoutSeconds", 1),
    periodSeconds: or("periodSeconds", 10),
    successThreshold: or("successThreshold", 1),
    failureThreshold: or("failureThreshold", 3),
  };
}

/**
 * kubedog's window (ms, from container start) during which readiness probe failures are expected and ignored:
 * the first probes of a starting app fail by design. 0 when failureThreshold is 1.
 */
export function readinessIgnoreWindowMs(container: unknown): number {
  const c = obj(container);
  const readiness = probeOf(c["readinessProbe"]);
  if (readiness === undefined || readiness.failureThreshold === 1) return 0;
  const startup = probeOf(c["startupProbe"]);
  let initialDelay = readiness.initialDelaySeconds;
  if (startup !== undefined) {
    // initialDelaySeconds counts from container creation, not from the end of the startup probe: wait for the longer.
    const readinessStart = readiness.periodSeconds + readiness.initialDelaySeconds;
    const startupEnd =
      startup.periodSeconds +
      startup.initialDelaySeconds +
      (startup.failureThreshold + startup.successThreshold - 1) * startup.periodSeconds +
      startup.timeoutSeconds +
      readiness.periodSeconds;
    initialDelay = startupEnd > readinessStart ? readiness.periodSeconds : readinessStart - startupEnd;
  }
  const seconds =
    initialDelay +
    readiness.timeoutSeconds +
    (readiness.failureThreshold + readiness.successThreshold - 3) * readiness.periodSeconds +
    Math.trunc(readiness.periodSeconds / 2) +
    readiness.timeoutSeconds;
  return Math.max(0, seconds) * 1000;
}

/** `spec.containers{app}` → `app`. */
function containerOfFieldPath(fieldPath: string): string | undefined {
  return /^spec\.(?:initContainers|containers)\{(.+)\}$/.exec(fieldPath)?.[1];
}

/**
 * A problem from a Kubernetes Event about a pod, or undefined: failed liveness/startup probes that restart the
 * container, and readiness probe failures outside the ignore window (`ignoreForMs` per container overrides it).
 * `nowMs` is the caller's clock, compared with the container's `state.running.startedAt`.
 */
export function probeEventProblem(p: KubeObject, event: KubeObject, nowMs: number, ignoreForMs: Readonly<Record<string, number>> = {}): PodProblem | undefined {
  if (p.metadata.deletionTimestamp !== undefined) return undefined;
  const message = str(event["message"]);
  const container = containerOfFieldPath(str(obj(event["involvedObject"])["fieldPath"]));
  const pod = p.metadata.name;
  if (/failed (startup|liveness) probe, will be restarted/.test(message)) {
    return { pod, container, reason: "ProbeFailed", message };
  }
  if (!message.startsWith("Readiness probe failed:") || container === undefined) return undefined;
  const spec = arr(obj(p["spec"])["containers"]).find((c) => c["name"] === container);
  const window = ignoreForMs[container] ?? readinessIgnoreWindowMs(spec);
  if (window > 0) {
    const status = containerStatuses(p).find((c) => c.name === container)?.status;
    const startedAt = Date.parse(str(obj(obj(status?.["state"])["running"])["startedAt"]));
    // Without a start time the container has not started: kubedog ignores the failure then.
    if (Number.isNaN(startedAt) || nowMs < startedAt + window) return undefined;
  }
  return { pod, container, reason: "ReadinessProbeFailed", message };
}

// ---- display ----

/** kubectl's STATUS column for a pod: `Running`, `CrashLoopBackOff`, `Init:0/1`, `Completed`, `Terminating`... */
export function podStatusText(p: KubeObject): string {
  if (p.metadata.deletionTimestamp !== undefined) return "Terminating";
  const status = obj(p["status"]);
  const inits = arr(status["initContainerStatuses"]);
  for (const [i, c] of inits.entries()) {
    const state = obj(c["state"]);
    const terminated = obj(state["terminated"]);
    if (terminated["exitCode"] === 0) continue;
    const reason = str(obj(state["waiting"])["reason"]) || str(terminated["reason"]);
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
  return conditionOf(p, "Ready")?.["status"] === "True";
}

// ---- budget ----

const BUDGETED_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Canary"]);
export const FAILURES_ALLOWED_ANNOTATION = "werf.io/failures-allowed-per-replica";

/**
 * kubedog's failures budget: per replica `werf.io/failures-allowed-per-replica` (given, else read from the object's
 * annotation, else 1 for Deployment/StatefulSet/DaemonSet/Canary and 0 otherwise), forced to 0 for Jobs and pod
 * templates with restartPolicy Never, times spec.replicas when the object has that field.
 */
export function failuresAllowed(o: KubeObject, perReplica?: number): number {
  const spec = obj(o["spec"]);
  const restartPolicy = str(obj(obj(spec["template"])["spec"])["restartPolicy"]);
  if (o.kind === "Job" || restartPolicy === "Never") return 0;
  let base = perReplica;
  if (base === undefined) {
    const annotated = o.metadata.annotations?.[FAILURES_ALLOWED_ANNOTATION];
    const parsed = annotated !== undefined && /^\d+$/.test(annotated.trim()) ? Number(annotated.trim()) : undefined;
    base = parsed ?? (BUDGETED_KINDS.has(o.kind) ? 1 : 0);
  }
  return base * (specReplicas(o) ?? 1);
}
