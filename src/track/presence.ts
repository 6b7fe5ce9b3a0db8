/**
 * @module track/presence
 *
 * Presence and absence trackers: list-then-watch one object by name and settle the moment the API shows it
 * there (presence) or gone (absence). Takes a KubeClient, an ObjectRef, PresenceOptions, an emit function and an
 * abort signal; gives a promise. Never prints.
 */
import type { KubeClient, ObjectRef } from "../kube/types.js";
import type { TrackEvent } from "./events.js";
import { goDuration, type PresenceOptions } from "./options.js";
import { abortError, childController, describeRef, TrackError, trackedObject } from "./readiness.js";
import { SlipwayError } from "../errors.js";
import { watchObjects } from "./watch.js";

function waitFor(mode: "presence" | "absence", client: KubeClient, ref: ObjectRef, options: PresenceOptions, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  const controller = childController(signal);
  const what = `waiting for resource "${describeRef(ref)}" ${mode === "presence" ? "to be present" : "to be absent"} failed`;
  emit({ type: "track-start", taskId: options.taskId, mode, object: trackedObject(ref) });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let present = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      controller.abort(new SlipwayError("tracking finished"));
      if (err === undefined) {
        emit({ type: "track-done", taskId: options.taskId, elapsedMs: Date.now() - started });
        resolve();
        return;
      }
      if (err instanceof TrackError) {
        emit({ type: "track-failed", taskId: options.taskId, reason: err.reason, lastLogLines: [], elapsedMs: Date.now() - started });
      }
      reject(err);
    };
    if (signal.aborted) {
      settle(abortError(signal, `track ${describeRef(ref)}`));
      return;
    }
    signal.addEventListener("abort", () => settle(abortError(signal, `track ${describeRef(ref)}`)), { once: true });
    if (options.timeoutMs > 0) timer = setTimeout(() => settle(new TrackError(what, `timed out after ${goDuration(options.timeoutMs)}`)), options.timeoutMs);
    const decide = (): void => {
      if (mode === "presence" ? present : !present) settle();
    };
    watchObjects(
      client,
      { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` },
      {
        onEvent: (e) => {
          present = e.type === "upsert";
          if (mode === "presence" && present) settle();
          if (mode === "absence" && !present) settle();
        },
        // The list tells an object that never existed apart from one that has not been deleted yet.
        onSynced: decide,
      },
      controller.signal,
    ).catch((err: unknown) => {
      if (!controller.signal.aborted) settle(new SlipwayError(`track ${describeRef(ref)} ${mode}`, { code: "kube", cause: err }));
    });
  });
}

export function trackPresence(client: KubeClient, ref: ObjectRef, options: PresenceOptions, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  return waitFor("presence", client, ref, options, emit, signal);
}

export function trackAbsence(client: KubeClient, ref: ObjectRef, options: PresenceOptions, emit: (e: TrackEvent) => void, signal: AbortSignal): Promise<void> {
  return waitFor("absence", client, ref, options, emit, signal);
}
