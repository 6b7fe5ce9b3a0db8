/**
 * @module track/tracker
 *
 * kubedog's trackers over the KubeClient port, driven by watches: readiness (the object, its pods, their events
 * and logs), presence and absence. A tracker never prints: it emits TrackEvents and settles its promise the moment
 * the API shows the decisive change. Failures name the root cause (container, pod, reason, last log lines).
 * Readiness rules and pod problems are the pure functions of src/status.
 */
import { SlipwayError } from "../errors.js";
import type { KubeClient, KubeObject, ObjectRef } from "../kube/types.js";
import { computeStatus, failuresAllowed, hasDedicatedRule, gracedProblemKeys, podProblems, podReady, podStatusText } from "../status/status.js";
import type { PodProblem, ResourceStatus } from "../status/types.js";
import type { TrackEvent, TrackedObject } from "./events.js";
import { watchObjects } from "./watch.js";

export interface TrackLogOptions {
  readonly noPodLogs: boolean;
  readonly skipLogs: boolean;
  readonly skipLogsForContainers: readonly string[];
  readonly showLogsOnlyForContainers: readonly string[];
  readonly logRegex?: RegExp | undefined;
  readonly logRegexFor: Readonly<Record<string, RegExp>>;
  readonly logRegexSkip?: RegExp | undefined;
  readonly logRegexSkipFor: Readonly<Record<string, RegExp>>;
  readonly showLogsOnlyForNumberOfReplicas: number;
  readonly showServiceMessages: boolean;
}

export type FailMode = "FailWholeDeployProcessImmediately" | "IgnoreAndContinueDeployProcess" | "HopeUntilEndOfDeployProcess";

export interface TrackOptions {
  readonly taskId: string;
  /** Per operation; 0 = no limit (werf's --timeout). */
  readonly timeoutMs: number;
  /** Generic resources only. */
  readonly noActivityTimeoutMs: number;
  readonly failMode: FailMode;
  readonly failuresAllowedPerReplica?: number | undefined;
  readonly logs: TrackLogOptions;
}

export const DEFAULT_LOG_OPTIONS: TrackLogOptions = {
  noPodLogs: false,
  skipLogs: false,
  skipLogsForContainers: [],
  showLogsOnlyForContainers: [],
  logRegexFor: {},
  logRegexSkipFor: {},
  showLogsOnlyForNumberOfReplicas: 1,
  showServiceMessages: false,
};

export class TrackError extends SlipwayError {
  readonly reason: string;
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`, { code: "deploy" });
    this.name = "TrackError";
    this.reason = reason;
  }
}

const LAST_LINES = 20;

function tracked(ref: ObjectRef): TrackedObject {
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

function selectorOf(o: KubeObject): string | undefined {
  const spec = o["spec"] as { selector?: { matchLabels?: Record<string, string> } } | undefined;
  const labels = spec?.selector?.matchLabels;
  if (labels === undefined) return undefined;
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

function linked(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort(signal.reason);
  else signal.addEventListener("abort", () => c.abort(signal.reason), { once: true });
  return c;
}

/** Splits `2026-12-03T05:00:00.123456789Z message` into time and text. */
function splitTimestamp(line: string): { time: string; text: string } {
  const i = line.indexOf(" ");
  if (i > 0 && /^\d{4}-\d\d-\d\dT/.test(line)) return { time: line.slice(0, i), text: line.slice(i + 1) };
  return { time: "", text: line };
}

function logAllowed(options: TrackLogOptions, container: string, text: string): boolean {
  if (options.noPodLogs || options.skipLogs) return false;
  if (options.skipLogsForContainers.includes(container)) return false;
  if (options.showLogsOnlyForContainers.length > 0 && !options.showLogsOnlyForContainers.includes(container)) return false;
  if (options.logRegexSkip?.test(text) === true) return false;
  if (options.logRegexSkipFor[container]?.test(text) === true) return false;
  if (options.logRegex !== undefined && !options.logRegex.test(text)) return false;
  const only = options.logRegexFor[container];
  if (only !== undefined && !only.test(text)) return false;
  return true;
}

/**
 * Follows a resource until it is ready. Resolves when ready; rejects with a TrackError naming the root cause when it
 * failed or timed out (unless fail mode IgnoreAndContinueDeployProcess, which only a timeout can fail).
 */
export function trackReadiness(client: KubeClient, ref: ObjectRef, options: TrackOptions, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  const sinceTime = new Date(started - 1000).toISOString();
  const { taskId } = options;
  const controller = linked(signal);
  const inner = controller.signal;
  const namespace = ref.namespace ?? "";
  const ignoreFailures = options.failMode === "IgnoreAndContinueDeployProcess";
  const generic = !hasDedicatedRule(ref.apiVersion, ref.kind);

  emit({ type: "track-start", taskId, mode: "readiness", object: tracked(ref) });

  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let root: KubeObject | undefined;
    let lastStatus = "";
    let status: ResourceStatus | undefined;
    const pods = new Map<string, KubeObject>();
    const podState = new Map<string, string>();
    const firstSeen = new Map<string, number>();
    const counted = new Set<string>();
    let problems = 0;
    let lastProblem: PodProblem | undefined;
    let ignoredReported = false;
    const lastLines = new Map<string, string[]>();
    const logStreams = new Map<string, { lastTime: string; running: boolean }>();
    const logPods: string[] = [];
    let newRsHash: string | undefined;
    const replicaSets = new Map<string, KubeObject>();
    let lastActivity = Date.now();
    let genericSettleUntil = 0;
    const timers: NodeJS.Timeout[] = [];

    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      controller.abort(new Error("tracking finished"));
      if (err === undefined) {
        emit({ type: "track-done", taskId, elapsedMs: Date.now() - started });
        resolve();
      } else reject(err as Error);
    };
    const fail = (reason: string, container?: { pod: string; container: string }): void => {
      const key = container === undefined ? [...lastLines.keys()].at(-1) : `${container.pod}/${container.container}`;
      const lines = key === undefined ? [] : (lastLines.get(key) ?? []);
      emit({ type: "track-failed", taskId, reason, lastLogLines: [...lines], elapsedMs: Date.now() - started });
      finish(new TrackError(`waiting for resource "${describe(ref)}" readiness failed`, reason));
    };
    const budget = (): number => (root === undefined ? 0 : failuresAllowed(root, options.failuresAllowedPerReplica));

    const relevantPod = (p: KubeObject): boolean => {
      if (ref.kind === "Pod") return p.metadata.name === ref.name;
      if (ref.kind === "Deployment") return newRsHash !== undefined && p.metadata.labels?.["pod-template-hash"] === newRsHash;
      if (root === undefined) return false;
      const uid = root.metadata.uid;
      return (p.metadata.ownerReferences ?? []).some((o) => o.uid === uid) || ref.kind === "Job";
    };

    const evaluate = (): void => {
      if (settled || root === undefined) return;
      // Problems on the relevant pods count against the budget, once per container restart / occurrence.
      for (const p of pods.values()) {
        if (!relevantPod(p)) continue;
        const now = Date.now();
        for (const k of gracedProblemKeys(p)) if (!firstSeen.has(k)) firstSeen.set(k, now);
        for (const problem of podProblems(p, { since: (k: string) => now - (firstSeen.get(k) ?? now) })) {
          const containerStatus = ((p["status"] as { containerStatuses?: { name: string; restartCount?: number }[] } | undefined)?.containerStatuses ?? []).find((c) => c.name === problem.container);
          const occurrence = `${problem.pod}/${problem.container ?? ""}/${problem.reason}/${containerStatus?.restartCount ?? 0}`;
          if (counted.has(occurrence)) continue;
          counted.add(occurrence);
          problems++;
          lastProblem = problem;
          emit({ type: "track-problem", taskId, problem, count: problems, allowed: budget() });
          const where = problem.container === undefined ? `pod ${problem.pod}` : `container ${problem.container} in pod ${problem.pod}`;
          if (ignoreFailures) {
            if (!ignoredReported) {
              ignoredReported = true;
              emit({ type: "track-ignored-failure", taskId, reason: `${where}: ${problem.message}` });
            }
            continue;
          }
          if (problem.fatal === true || problems > budget()) {
            fail(`${where}: ${problem.message}`, problem.container === undefined ? undefined : { pod: problem.pod, container: problem.container });
            return;
          }
        }
      }
      status = computeStatus(root);
      const text = JSON.stringify(status);
      if (text !== lastStatus) {
        lastStatus = text;
        emit({ type: "track-status", taskId, status });
      }
      if (status.readiness === "failed") {
        if (!ignoreFailures) {
          const p = lastProblem;
          fail(status.reason ?? "failed", p?.container === undefined ? undefined : { pod: p.pod, container: p.container });
        }
        return;
      }
      if (status.readiness === "ready" && Date.now() >= genericSettleUntil) finish();
    };

    // ---- logs ----
    const followLogs = (p: KubeObject): void => {
      if (options.logs.noPodLogs || options.logs.skipLogs) return;
      const name = p.metadata.name;
      if (!logPods.includes(name)) {
        if (logPods.length >= Math.max(0, options.logs.showLogsOnlyForNumberOfReplicas) && ref.kind !== "Pod") return;
        logPods.push(name);
      }
      const statuses = [
        ...(((p["status"] as { initContainerStatuses?: unknown[] } | undefined)?.initContainerStatuses ?? []) as { name: string; state?: Record<string, unknown> }[]),
        ...(((p["status"] as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ?? []) as { name: string; state?: Record<string, unknown> }[]),
      ];
      for (const c of statuses) {
        const started = c.state?.["running"] !== undefined || c.state?.["terminated"] !== undefined;
        if (!started) continue;
        const key = `${name}/${c.name}`;
        let stream = logStreams.get(key);
        if (stream?.running === true) continue;
        if (stream === undefined) logStreams.set(key, (stream = { lastTime: sinceTime, running: false }));
        const s = stream;
        s.running = true;
        void (async () => {
          try {
            for await (const raw of client.logs({ namespace, pod: name, container: c.name, follow: true, timestamps: true, sinceTime: s.lastTime }, { signal: inner })) {
              const { time, text } = splitTimestamp(raw);
              if (time !== "" && time <= s.lastTime && s.lastTime !== sinceTime) continue;
              if (time !== "") s.lastTime = time;
              const kept = lastLines.get(key) ?? [];
              kept.push(text);
              if (kept.length > LAST_LINES) kept.shift();
              lastLines.set(key, kept);
              lastActivity = Date.now();
              if (logAllowed(options.logs, c.name, text)) emit({ type: "track-log", taskId, pod: name, container: c.name, line: text, time: time === "" ? undefined : time });
            }
          } catch {
            // A container that is not started yet or was replaced: the next pod update reopens the stream.
          } finally {
            s.running = false;
          }
        })();
      }
    };

    const onPod = (type: "upsert" | "delete", p: KubeObject): void => {
      lastActivity = Date.now();
      const name = p.metadata.name;
      if (type === "delete") {
        pods.delete(name);
        if (podState.has(name)) emit({ type: "track-pod", taskId, pod: name, state: "deleted", status: "Deleted" });
        podState.delete(name);
        evaluate();
        return;
      }
      pods.set(name, p);
      if (!relevantPod(p)) return;
      const state = podReady(p) ? "ready" : "created";
      const text = `${state}/${podStatusText(p)}`;
      if (podState.get(name) !== text) {
        podState.set(name, text);
        emit({ type: "track-pod", taskId, pod: name, state, status: podStatusText(p) });
      }
      followLogs(p);
      evaluate();
    };

    const onRoot = (type: "upsert" | "delete", o: KubeObject): void => {
      lastActivity = Date.now();
      if (type === "delete") {
        root = undefined;
        return;
      }
      const firstTime = root === undefined;
      root = o;
      if (firstTime) {
        if (generic) {
          genericSettleUntil = Date.now() + 2000;
          timers.push(setTimeout(evaluate, 2050));
        }
        startChildren(o);
      }
      if (ref.kind === "Pod") onPod("upsert", o);
      else evaluate();
    };

    let childrenStarted = false;
    const startChildren = (o: KubeObject): void => {
      if (childrenStarted) return;
      childrenStarted = true;
      const selector = selectorOf(o);
      const run = (p: Promise<void>): void => {
        p.catch((err: unknown) => {
          if (!inner.aborted) finish(new SlipwayError(`track ${describe(ref)}`, { code: "deploy", cause: err }));
        });
      };
      if (ref.kind === "Deployment" && selector !== undefined) {
        run(
          watchObjects(client, { apiVersion: "apps/v1", kind: "ReplicaSet", namespace, labelSelector: selector }, (e) => {
            if (e.type === "delete") replicaSets.delete(e.object.metadata.name);
            else replicaSets.set(e.object.metadata.name, e.object);
            const revision = root?.metadata.annotations?.["deployment.kubernetes.io/revision"];
            const current = [...replicaSets.values()].find((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === revision && (rs.metadata.ownerReferences ?? []).some((x) => x.uid === root?.metadata.uid));
            const hash = current?.metadata.labels?.["pod-template-hash"];
            if (hash !== newRsHash) {
              newRsHash = hash;
              for (const p of pods.values()) onPod("upsert", p);
            }
          }, inner),
        );
      }
      if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(ref.kind) && selector !== undefined) {
        run(watchObjects(client, { apiVersion: "v1", kind: "Pod", namespace, labelSelector: selector }, (e) => onPod(e.type, e.object), inner));
      }
      run(
        watchObjects(client, { apiVersion: "v1", kind: "Event", namespace }, (e) => {
          if (e.type === "delete") return;
          const ev = e.object as KubeObject & { involvedObject?: { kind?: string; name?: string; uid?: string }; reason?: string; message?: string; type?: string; lastTimestamp?: string; eventTime?: string };
          const involved = ev.involvedObject;
          if (involved === undefined) return;
          const mine = involved.uid === root?.metadata.uid || (involved.kind === "Pod" && pods.has(involved.name ?? "") && relevantPod(pods.get(involved.name ?? "") as KubeObject));
          if (!mine) return;
          const when = Date.parse(ev.lastTimestamp ?? ev.eventTime ?? "") || Date.now();
          if (when < started - 1000) return;
          lastActivity = Date.now();
          const warning = ev.type === "Warning";
          emit({
            type: "track-k8s-event",
            taskId,
            involved: `${involved.kind ?? ""}/${involved.name ?? ""}`,
            reason: ev.reason ?? "",
            message: ev.message ?? "",
            eventType: warning ? "Warning" : "Normal",
            shown: options.logs.showServiceMessages,
          });
          // Controller events about failures (e.g. FailedCreate from a quota) count as errors, as in kubedog.
          const reason = ev.reason ?? "";
          if (involved.uid === root?.metadata.uid && reason.includes("Failed") && reason !== "RecreatingFailedPod" && reason !== "FailedDelete" && !ignoreFailures && ref.kind !== "Pod") {
            problems++;
            if (problems > budget()) fail(`${reason}: ${ev.message ?? ""}`);
          }
        }, inner),
      );
    };

    if (options.timeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          const waitingFor = status?.waitingFor.join(", ");
          const cause = lastProblem === undefined ? "" : `; last problem: ${lastProblem.container === undefined ? "" : `container ${lastProblem.container} in `}pod ${lastProblem.pod}: ${lastProblem.message}`;
          fail(`timed out after ${Math.round(options.timeoutMs / 1000)}s${waitingFor ? ` waiting for ${waitingFor}` : ""}${cause}`);
        }, options.timeoutMs),
      );
    }
    if (generic && options.noActivityTimeoutMs > 0) {
      const check = (): void => {
        if (settled) return;
        const idle = Date.now() - lastActivity;
        if (idle >= options.noActivityTimeoutMs) {
          if (!ignoreFailures) fail(`marking resource as failed because no activity for ${Math.round(options.noActivityTimeoutMs / 1000)}s`);
          return;
        }
        timers.push(setTimeout(check, options.noActivityTimeoutMs - idle));
      };
      timers.push(setTimeout(check, options.noActivityTimeoutMs));
    }
    inner.addEventListener("abort", () => {
      if (!settled) {
        settled = true;
        for (const t of timers) clearTimeout(t);
        reject(signal.reason as Error);
      }
    });

    watchObjects(client, { apiVersion: ref.apiVersion, kind: ref.kind, namespace, fieldSelector: `metadata.name=${ref.name}` }, (e) => onRoot(e.type, e.object), inner).catch(
      (err: unknown) => {
        if (!inner.aborted) finish(new SlipwayError(`track ${describe(ref)}`, { code: "deploy", cause: err }));
      },
    );
  });
}

function waitFor(
  mode: "presence" | "absence",
  client: KubeClient,
  ref: ObjectRef,
  options: { taskId: string; timeoutMs: number },
  emit: (e: TrackEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  const controller = linked(signal);
  emit({ type: "track-start", taskId: options.taskId, mode, object: tracked(ref) });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let present = false;
    const timer =
      options.timeoutMs > 0
        ? setTimeout(() => settle(new TrackError(`waiting for resource "${describe(ref)}" ${mode === "presence" ? "to appear" : "to be gone"}`, `timed out after ${Math.round(options.timeoutMs / 1000)}s`)), options.timeoutMs)
        : undefined;
    function settle(err?: unknown): void {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      controller.abort(new Error("tracking finished"));
      if (err === undefined) {
        emit({ type: "track-done", taskId: options.taskId, elapsedMs: Date.now() - started });
        resolve();
      } else reject(err as Error);
    }
    let listed = false;
    watchObjects(
      client,
      { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` },
      (e) => {
        present = e.type === "upsert";
        if (mode === "presence" && present) settle();
        if (mode === "absence" && !present && listed) settle();
      },
      controller.signal,
    ).catch((err: unknown) => {
      if (!controller.signal.aborted) settle(err);
    });
    // The first list decides absence of an object that was never there.
    void client
      .get(ref, { signal: controller.signal })
      .then((o) => {
        listed = true;
        if (mode === "absence" && o === undefined) settle();
        if (mode === "presence" && o !== undefined) settle();
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) settle(err);
      });
    signal.addEventListener("abort", () => settle(signal.reason), { once: true });
  });
}

export function trackPresence(client: KubeClient, ref: ObjectRef, options: { taskId: string; timeoutMs: number }, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  return waitFor("presence", client, ref, options, emit, signal);
}

export function trackAbsence(client: KubeClient, ref: ObjectRef, options: { taskId: string; timeoutMs: number }, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  return waitFor("absence", client, ref, options, emit, signal);
}
