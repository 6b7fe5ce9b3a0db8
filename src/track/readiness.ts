/**
 * @module track/readiness
 *
 * kubedog's readiness tracker over the KubeClient port, driven only by watches: the object by
 * `fieldSelector=metadata.name=<n>`, its children (a Deployment's ReplicaSets and the pods of its new ReplicaSet;
 * the pods of a StatefulSet, DaemonSet, ReplicaSet or Job by selector and owner), Kubernetes Events by
 * `fieldSelector=involvedObject.uid=<uid>`, and container logs. Every update is evaluated at once with the pure rules
 * of src/status, so the promise settles in the tick the API shows the decisive change. Problems count against the
 * failures budget; the fail mode decides what a failure does. Never prints: emits TrackEvents.
 * Takes a KubeClient, an ObjectRef, TrackOptions, an emit function and an abort signal; gives a promise.
 */
import { SlipwayError } from "../errors.js";
import type { KubeClient, KubeObject, ObjectRef } from "../kube/types.js";
import {
  computeStatus,
  failuresAllowed,
  gracedProblemKeys,
  hasDedicatedRule,
  podProblems,
  podReady,
  podStatusText,
  probeEventProblem,
  problemOccurrence,
  PROBLEM_GRACE_MS,
  readyOnceItExists,
} from "../status/status.js";
import type { PodProblem, ResourceStatus } from "../status/types.js";
import type { TrackEvent, TrackedObject } from "./events.js";
import { LogFollower } from "./logs.js";
import { goDuration, type TrackOptions } from "./options.js";
import { watchObjects } from "./watch.js";

/** kubedog lets a generic object's status settle this long after it first appears. */
/** A container restarted after a non-zero exit counts as ready only once it has run this long (ms). */
const CRASH_SETTLE_MS = 10_000;

export const GENERIC_SETTLE_MS = 2_000;
/** Built-in API groups: their objects have no asynchronous readiness for the generic rules to wait for. */
const BUILTIN_GROUP = /^(|apps|batch|policy|autoscaling|extensions|[a-z0-9.-]*\.k8s\.io)$/;
/** Controller events that count as errors although their reason contains "Failed" (kubedog's exceptions). */
const HARMLESS_FAILED_REASONS = new Set(["RecreatingFailedPod", "FailedDelete"]);
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

/** A tracking failure; `reason` is the root cause without the `waiting for resource ...` prefix. */
export class TrackError extends SlipwayError {
  readonly reason: string;
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`, { code: "deploy" });
    this.name = "TrackError";
    this.reason = reason;
  }
}

export function trackedObject(ref: ObjectRef): TrackedObject {
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name };
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

/** A child controller that follows the parent signal and can be aborted on its own. */
export function childController(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort(signal.reason);
  else signal.addEventListener("abort", () => c.abort(signal.reason), { once: true });
  return c;
}

export function abortError(signal: AbortSignal, what: string): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new SlipwayError(`${what}: canceled`, { code: "interrupted" });
}

/** A label selector (matchLabels and matchExpressions) as the API's query string; undefined when absent. */
export function selectorString(selector: unknown): string | undefined {
  if (typeof selector !== "object" || selector === null) return undefined;
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.length === 0 ? undefined : parts.join(",");
}

/** JSON with sorted keys, for comparing pod templates. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** The template of a ReplicaSet without the pod-template-hash label the controller adds. */
function templateWithoutHash(rs: KubeObject): string {
  const template = structuredClone((rs["spec"] as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template ?? {});
  if (template.metadata?.labels !== undefined) {
    delete template.metadata.labels["pod-template-hash"];
  }
  return canonical(template);
}

/**
 * The Deployment's new ReplicaSet, as the deployment controller finds it: an owned ReplicaSet whose pod template
 * equals the Deployment's (ignoring pod-template-hash); else the owned one carrying the Deployment's revision.
 */
export function newReplicaSet(deployment: KubeObject, replicaSets: Iterable<KubeObject>): KubeObject | undefined {
  const uid = deployment.metadata.uid;
  const owned = [...replicaSets].filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === uid));
  const wanted = canonical((deployment["spec"] as { template?: unknown } | undefined)?.template ?? {});
  const byTemplate = owned.find((rs) => templateWithoutHash(rs) === wanted);
  if (byTemplate !== undefined) return byTemplate;
  const revision = deployment.metadata.annotations?.["deployment.kubernetes.io/revision"];
  return revision === undefined ? undefined : owned.find((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === revision);
}

interface EventObject extends KubeObject {
  involvedObject?: { kind?: string; name?: string; uid?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  series?: { lastObservedTime?: string; count?: number };
}

function eventTimeMs(e: EventObject): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "";
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function whereOf(problem: PodProblem): string {
  return problem.container === undefined ? `pod ${problem.pod}` : `container ${problem.container} in pod ${problem.pod}`;
}

/**
 * Follows an object until it is ready. Resolves when ready; rejects with a TrackError naming the root cause when it
 * failed (unless fail mode IgnoreAndContinueDeployProcess) or timed out; rejects with the abort reason on abort.
 */
export function trackReadiness(client: KubeClient, ref: ObjectRef, options: TrackOptions, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  return new ReadinessTask(client, ref, options, emit, signal).run();
}

class ReadinessTask {
  private readonly started = Date.now();
  private readonly controller: AbortController;
  private readonly inner: AbortSignal;
  private readonly namespace: string;
  private readonly ignoreFailures: boolean;
  private readonly generic: boolean;
  private readonly what: string;
  private readonly logs: LogFollower;
  private readonly timers = new Set<NodeJS.Timeout>();

  private settled = false;
  private resolve: () => void = () => undefined;
  private reject: (err: Error) => void = () => undefined;

  private root: KubeObject | undefined;
  private rootSeenAt = 0;
  private status: ResourceStatus | undefined;
  private lastStatusText = "";
  private readonly pods = new Map<string, KubeObject>();
  private readonly podShown = new Map<string, string>();
  private readonly replicaSets = new Map<string, KubeObject>();
  private newRsHash: string | undefined;
  private childrenStarted = false;
  private readonly eventWatches = new Map<string, AbortController>();
  private readonly seenEvents = new Set<string>();

  private readonly firstSeen = new Map<string, number>();
  /** Per pod/container, the problem state last counted: a problem counts when it differs (new reason or restart). */
  private readonly counted = new Map<string, string>();
  private errors = 0;
  private lastProblem: PodProblem | undefined;
  private ignoredReported = false;
  private lastActivity = Date.now();

  constructor(
    private readonly client: KubeClient,
    private readonly ref: ObjectRef,
    private readonly options: TrackOptions,
    private readonly emit: (e: TrackEvent) => void,
    private readonly signal: AbortSignal,
  ) {
    this.controller = childController(signal);
    this.inner = this.controller.signal;
    this.namespace = ref.namespace ?? "";
    this.ignoreFailures = options.failMode === "IgnoreAndContinueDeployProcess";
    this.generic = !hasDedicatedRule(ref.apiVersion, ref.kind);
    this.what = `waiting for resource "${describeRef(ref)}" readiness failed`;
    // A second of slack: the API's sinceTime has second precision and the first lines may precede our clock.
    const sinceTime = new Date(this.started - 1000).toISOString();
    this.logs = new LogFollower(client, this.namespace, options.taskId, options.logs, sinceTime, emit, this.inner, () => this.touch());
  }

  run(): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.emit({ type: "track-start", taskId: this.options.taskId, mode: "readiness", object: trackedObject(this.ref) });
    if (this.signal.aborted) {
      this.abort();
      return promise;
    }
    this.signal.addEventListener("abort", () => this.abort(), { once: true });
    const applied = this.options.applied;
    if (applied !== undefined && readyOnceItExists(this.ref.apiVersion, this.ref.kind) && applied.metadata.name === this.ref.name) {
      // A kind without status is ready once it exists, and the apply a moment ago showed it: no list, no watch.
      this.root = applied;
      this.rootSeenAt = Date.now();
      this.evaluate();
      return promise;
    }
    if (this.options.timeoutMs > 0) this.after(this.options.timeoutMs, () => this.timeout());
    if (this.generic && this.options.noActivityTimeoutMs > 0) this.after(this.options.noActivityTimeoutMs, () => this.checkActivity());
    this.watch(
      { apiVersion: this.ref.apiVersion, kind: this.ref.kind, namespace: this.namespace, fieldSelector: `metadata.name=${this.ref.name}` },
      (type, o) => this.onRoot(type, o),
    );
    return promise;
  }

  // ---- plumbing ----

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.settled) fn();
    }, ms);
    this.timers.add(t);
  }

  private touch(): void {
    this.lastActivity = Date.now();
  }

  /** A watch whose failure fails the tracking, unless it is only informative (events: RBAC may forbid them). */
  private watch(
    query: Parameters<KubeClient["list"]>[0],
    onEvent: (type: "upsert" | "delete", o: KubeObject) => void,
    signal: AbortSignal = this.inner,
    critical = true,
  ): void {
    watchObjects(this.client, query, { onEvent: (e) => onEvent(e.type, e.object) }, signal).catch((err: unknown) => {
      if (!signal.aborted && critical) this.finish(new SlipwayError(`track ${describeRef(this.ref)}: watch ${query.kind}`, { code: "kube", cause: err }));
    });
  }

  private finish(err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (err === undefined) {
      // Ready in the update that opened a log stream: fetch what the streams have not delivered yet, then stop.
      const elapsedMs = Date.now() - this.started;
      void this.logs.drain(this.inner).then(() => {
        this.controller.abort(new SlipwayError("tracking finished"));
        this.emit({ type: "track-done", taskId: this.options.taskId, elapsedMs });
        this.resolve();
      });
    } else {
      this.controller.abort(new SlipwayError("tracking finished"));
      this.reject(err);
    }
  }

  private abort(): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.controller.abort(this.signal.reason);
    this.reject(abortError(this.signal, `track ${describeRef(this.ref)}`));
  }

  /** Rejects with the reason; the failing container's last log lines go with the track-failed event. */
  private fail(reason: string, container?: { pod: string; container: string }): void {
    if (this.settled) return;
    // Settle the decision now (no other verdict may win), then collect the log lines the summary needs.
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const linesPromise = container === undefined ? Promise.resolve(this.logs.anyLastLines()) : this.logs.lastLinesOf(container.pod, container.container, this.signal);
    void linesPromise.then((lines) => {
      this.controller.abort(new SlipwayError("tracking finished"));
      this.emit({ type: "track-failed", taskId: this.options.taskId, reason, lastLogLines: lines, elapsedMs: Date.now() - this.started });
      this.reject(new TrackError(this.what, reason));
    });
  }

  // ---- decisions ----

  private budget(): number {
    return this.root === undefined ? 0 : failuresAllowed(this.root, this.options.failuresAllowedPerReplica);
  }

  /** Counts one problem; fails when it is fatal or the budget is exhausted (unless failures are ignored). */
  private record(problem: PodProblem): void {
    this.errors++;
    this.lastProblem = problem;
    const allowed = this.budget();
    this.emit({ type: "track-problem", taskId: this.options.taskId, problem, count: this.errors, allowed });
    const reason = `${whereOf(problem)}: ${problem.message}`;
    if (this.ignoreFailures) {
      if (!this.ignoredReported) {
        this.ignoredReported = true;
        this.emit({ type: "track-ignored-failure", taskId: this.options.taskId, reason });
      }
      return;
    }
    if (problem.fatal === true || this.errors > allowed) {
      this.fail(reason, problem.container === undefined ? undefined : { pod: problem.pod, container: problem.container });
    }
  }

  private relevant(p: KubeObject): boolean {
    if (this.ref.kind === "Pod") return p.metadata.name === this.ref.name;
    if (this.root === undefined) return false;
    if (this.ref.kind === "Deployment") return this.newRsHash !== undefined && p.metadata.labels?.["pod-template-hash"] === this.newRsHash;
    const uid = this.root.metadata.uid;
    return (p.metadata.ownerReferences ?? []).some((o) => o.uid === uid);
  }

  /** Pods/containers whose readiness-probe failure was already counted. */
  private readonly probeCounted = new Set<string>();

  private evaluate(): void {
    if (this.settled || this.root === undefined) return;
    const now = Date.now();
    for (const p of this.pods.values()) {
      if (!this.relevant(p) || p.metadata.deletionTimestamp !== undefined) continue;
      for (const key of gracedProblemKeys(p)) {
        if (this.firstSeen.has(key)) continue;
        this.firstSeen.set(key, now);
        // The pod may never change again (a missing ConfigMap key): look once more when the grace is over.
        const reason = key.slice(key.lastIndexOf("/") + 1);
        this.after((PROBLEM_GRACE_MS[reason] ?? 0) + 1, () => this.evaluate());
      }
      const problems = podProblems(p, { since: (key) => now - (this.firstSeen.get(key) ?? now) });
      for (const problem of problems) {
        // kubedog counts every update that still shows a reason; counting transitions (ErrImagePull <->
        // ImagePullBackOff, each new crash) keeps a loop progressing towards the budget without counting re-reads.
        const occurrence = problemOccurrence(p, problem);
        const slot = `${problem.pod}/${problem.container ?? ""}`;
        if (this.counted.get(slot) === occurrence) continue;
        this.counted.set(slot, occurrence);
        this.record(problem);
        if (this.settled) return;
      }
    }
    const settling = this.generic && !BUILTIN_GROUP.test(groupOf(this.ref.apiVersion)) && now - this.rootSeenAt < GENERIC_SETTLE_MS;
    const status = computeStatus(this.root);
    this.status = status;
    const text = JSON.stringify(status);
    if (text !== this.lastStatusText) {
      this.lastStatusText = text;
      this.emit({ type: "track-status", taskId: this.options.taskId, status });
    }
    if (status.readiness === "failed") {
      const reason = status.reason ?? "failed";
      if (this.ignoreFailures) {
        if (!this.ignoredReported) {
          this.ignoredReported = true;
          this.emit({ type: "track-ignored-failure", taskId: this.options.taskId, reason });
        }
        return;
      }
      this.fail(reason, this.failedContainer());
      return;
    }
    if (status.readiness === "ready" && !settling) {
      const wait = this.recentCrashWaitMs(now);
      if (wait > 0) {
        // A container that crashed and restarted a moment ago looks Ready until it crashes again: the API's
        // readiness alone would report a crash-looping workload (without a readiness probe) as deployed.
        this.after(wait + 1, () => this.evaluate());
        return;
      }
      this.finish();
    }
  }

  /** How long to wait until the last non-zero exit of a relevant container is CRASH_SETTLE_MS old (0: none recent). */
  private recentCrashWaitMs(now: number): number {
    if (this.ref.kind === "Job") return 0;
    let wait = 0;
    for (const p of this.pods.values()) {
      if (!this.relevant(p) || p.metadata.deletionTimestamp !== undefined) continue;
      const statuses = ((p["status"] as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ?? []) as {
        lastState?: { terminated?: { exitCode?: number; finishedAt?: string } };
        state?: { running?: { startedAt?: string } };
      }[];
      for (const c of statuses) {
        const last = c.lastState?.terminated;
        if (last === undefined || last.exitCode === 0) continue;
        const started = Date.parse(c.state?.running?.startedAt ?? last.finishedAt ?? "");
        if (Number.isNaN(started)) continue;
        wait = Math.max(wait, started + CRASH_SETTLE_MS - now);
      }
    }
    return wait;
  }

  /** For a failed Job or Pod: the container that exited non-zero last, whose logs explain the failure. */
  private failedContainer(): { pod: string; container: string } | undefined {
    let best: { pod: string; container: string; at: string } | undefined;
    for (const p of this.pods.values()) {
      if (!this.relevant(p)) continue;
      const status = p["status"] as { initContainerStatuses?: unknown[]; containerStatuses?: unknown[] } | undefined;
      for (const c of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])] as {
        name?: string;
        state?: { terminated?: { exitCode?: number; finishedAt?: string } };
        lastState?: { terminated?: { exitCode?: number; finishedAt?: string } };
      }[]) {
        const t = c.state?.terminated ?? c.lastState?.terminated;
        if (t === undefined || (t.exitCode ?? 0) === 0 || c.name === undefined) continue;
        const at = t.finishedAt ?? "";
        if (best === undefined || at > best.at) best = { pod: p.metadata.name, container: c.name, at };
      }
    }
    if (best !== undefined) return { pod: best.pod, container: best.container };
    const p = this.lastProblem;
    return p?.container === undefined ? undefined : { pod: p.pod, container: p.container };
  }

  private timeout(): void {
    const waitingFor = this.status?.waitingFor ?? [];
    const last = this.lastProblem === undefined ? "" : `; last error: ${whereOf(this.lastProblem)}: ${this.lastProblem.message}`;
    const reason = `timed out after ${goDuration(this.options.timeoutMs)}${waitingFor.length > 0 ? ` waiting for ${waitingFor.join(", ")}` : this.root === undefined ? " waiting for the resource to appear" : ""}${last}`;
    const p = this.lastProblem;
    this.fail(reason, p?.container === undefined ? undefined : { pod: p.pod, container: p.container });
  }

  private checkActivity(): void {
    const idle = Date.now() - this.lastActivity;
    if (idle < this.options.noActivityTimeoutMs) {
      this.after(this.options.noActivityTimeoutMs - idle, () => this.checkActivity());
      return;
    }
    const reason = `marking resource as failed because no activity for ${goDuration(this.options.noActivityTimeoutMs)}`;
    if (this.ignoreFailures) {
      if (!this.ignoredReported) {
        this.ignoredReported = true;
        this.emit({ type: "track-ignored-failure", taskId: this.options.taskId, reason });
      }
      return;
    }
    this.fail(reason);
  }

  // ---- watch handlers ----

  private onRoot(type: "upsert" | "delete", o: KubeObject): void {
    this.touch();
    if (type === "delete") {
      this.root = undefined;
      return;
    }
    const first = this.root === undefined;
    const uidChanged = this.root !== undefined && this.root.metadata.uid !== o.metadata.uid;
    this.root = o;
    if (first || uidChanged) {
      this.rootSeenAt = Date.now();
      if (this.generic) this.after(GENERIC_SETTLE_MS + 1, () => this.evaluate());
      this.watchEventsOf(`root:${o.metadata.uid ?? ""}`, o, true);
      this.startChildren(o);
    }
    if (this.ref.kind === "Pod") {
      this.onPod("upsert", o);
      return;
    }
    if (this.ref.kind === "Deployment") this.refreshNewReplicaSet();
    this.evaluate();
  }

  private startChildren(o: KubeObject): void {
    if (this.childrenStarted || !WORKLOAD_KINDS.has(this.ref.kind)) return;
    const selector = selectorString((o["spec"] as { selector?: unknown } | undefined)?.selector);
    if (selector === undefined) return;
    this.childrenStarted = true;
    if (this.ref.kind === "Deployment") {
      this.watch({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: this.namespace, labelSelector: selector }, (type, rs) => {
        if (type === "delete") this.replicaSets.delete(rs.metadata.name);
        else this.replicaSets.set(rs.metadata.name, rs);
        this.refreshNewReplicaSet();
        this.evaluate();
      });
    }
    this.watch({ apiVersion: "v1", kind: "Pod", namespace: this.namespace, labelSelector: selector }, (type, p) => this.onPod(type, p));
  }

  private refreshNewReplicaSet(): void {
    if (this.root === undefined) return;
    const hash = newReplicaSet(this.root, this.replicaSets.values())?.metadata.labels?.["pod-template-hash"];
    if (hash === this.newRsHash) return;
    this.newRsHash = hash;
    for (const p of this.pods.values()) this.showPod(p);
  }

  private onPod(type: "upsert" | "delete", p: KubeObject): void {
    this.touch();
    const name = p.metadata.name;
    if (type === "delete") {
      this.pods.delete(name);
      if (this.podShown.delete(name)) this.emit({ type: "track-pod", taskId: this.options.taskId, pod: name, state: "deleted", status: "Deleted" });
      this.eventWatches.get(name)?.abort();
      this.eventWatches.delete(name);
      this.evaluate();
      return;
    }
    this.pods.set(name, p);
    this.showPod(p);
    this.evaluate();
  }

  /** Emits the pod's row when it changed, follows its logs and events while it belongs to the tracked rollout. */
  private showPod(p: KubeObject): void {
    const name = p.metadata.name;
    if (!this.relevant(p)) return;
    const state = podReady(p) ? "ready" : "created";
    const statusText = podStatusText(p);
    const key = `${state}/${statusText}`;
    if (this.podShown.get(name) !== key) {
      this.podShown.set(name, key);
      this.emit({ type: "track-pod", taskId: this.options.taskId, pod: name, state, status: statusText });
    }
    this.logs.update(p, this.ref.kind === "Pod");
    if (!this.eventWatches.has(name) && this.ref.kind !== "Pod") this.watchEventsOf(name, p, false);
  }

  /** Events of one object, by uid: shown per werf.io/show-service-messages; probe and controller failures count. */
  private watchEventsOf(key: string, o: KubeObject, isRoot: boolean): void {
    const uid = o.metadata.uid;
    if (uid === undefined || uid === "") return;
    const c = childController(this.inner);
    if (!isRoot) this.eventWatches.set(key, c);
    const involvedKind = o.kind === "" ? "Pod" : o.kind;
    this.watch(
      { apiVersion: "v1", kind: "Event", namespace: this.namespace, fieldSelector: `involvedObject.uid=${uid}` },
      (type, e) => {
        if (type === "upsert") this.onEvent(e, isRoot, involvedKind);
      },
      c.signal,
      false,
    );
  }

  private onEvent(e: EventObject, isRoot: boolean, involvedKind: string): void {
    // Events from before this tracking (an earlier rollout of the same object) are history, not news.
    if (eventTimeMs(e) < this.started - 1000) return;
    const occurrence = `${e.metadata.uid ?? e.metadata.name}/${e.series?.count ?? e.count ?? 1}`;
    if (this.seenEvents.has(occurrence)) return;
    this.seenEvents.add(occurrence);
    this.touch();
    const involved = e.involvedObject ?? {};
    const reason = e.reason ?? "";
    const message = e.message ?? "";
    this.emit({
      type: "track-k8s-event",
      taskId: this.options.taskId,
      involved: `${involved.kind ?? involvedKind}/${involved.name ?? ""}`,
      reason,
      message,
      eventType: e.type === "Warning" ? "Warning" : "Normal",
      shown: this.options.logs.showServiceMessages,
    });
    if (this.settled) return;
    if (isRoot && this.ref.kind !== "Pod") {
      // kubedog: a workload controller's "Failed..." event (FailedCreate from a quota...) is an error; generic kinds' are not.
      if (WORKLOAD_KINDS.has(this.ref.kind) && reason.includes("Failed") && !HARMLESS_FAILED_REASONS.has(reason)) {
        this.record({ pod: involved.name ?? this.ref.name, reason, message: `${reason}: ${message}` });
      }
      return;
    }
    const pod = this.pods.get(involved.name ?? "");
    if (pod === undefined || !this.relevant(pod)) return;
    const problem = probeEventProblem(pod, e, Date.now(), this.options.logs.ignoreReadinessProbeFailsFor ?? {});
    if (problem === undefined) return;
    // A failing readiness probe repeats its event (count 1, 2, 3...) without restarting anything: it counts once per
    // pod and container, so a probe that times out a few times on a loaded node does not fail the deploy; one that
    // never passes ends at --timeout. Liveness/startup failures restart the container and count each time.
    if (problem.reason === "ReadinessProbeFailed") {
      const key = `${problem.pod}/${problem.container ?? ""}`;
      if (this.probeCounted.has(key)) return;
      this.probeCounted.add(key);
    }
    this.record(problem);
  }
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
