/**
 * @module track/watch
 *
 * List-then-watch over the KubeClient port: the current objects first (then `onSynced`), then every change,
 * resuming from the last resourceVersion when the server ends the stream, re-listing when that version is too old
 * (410 or an ERROR event). No polling. Takes a client, a query and handlers; gives a promise that settles when the
 * signal aborts (resolves) or on an error that retrying cannot fix (rejects). Imports only src/kube types.
 */
import { KubeApiError, type KubeClient, type KubeObject, type ListQuery } from "../kube/types.js";

export interface ObjectEvent {
  readonly type: "upsert" | "delete";
  readonly object: KubeObject;
}

export interface WatchHandlers {
  readonly onEvent: (e: ObjectEvent) => void;
  /** After each (re-)list, once its objects were delivered: the caller now knows the full current state. */
  readonly onSynced?: (() => void) | undefined;
}

/** How long to wait before listing again after a transient failure; doubles up to the maximum. */
const RETRY_MS = { first: 250, max: 5_000 } as const;

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Transport failures and server-side trouble are worth another list; 4xx answers are not. */
function retryable(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return true;
  return err.status === 0 || err.status === 410 || err.status === 429 || err.status >= 500;
}

export async function watchObjects(client: KubeClient, query: ListQuery, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
  let known = new Map<string, KubeObject>();
  let resourceVersion = "";
  let retryMs: number = RETRY_MS.first;

  const relist = async (): Promise<void> => {
    const list = await client.list(query, { signal });
    if (signal.aborted) return;
    const next = new Map(list.items.map((o) => [keyOf(o), o]));
    for (const [k, o] of known) if (!next.has(k)) handlers.onEvent({ type: "delete", object: o });
    for (const o of next.values()) handlers.onEvent({ type: "upsert", object: o });
    known = next;
    resourceVersion = list.resourceVersion;
    handlers.onSynced?.();
  };

  while (!signal.aborted) {
    try {
      if (resourceVersion === "") await relist();
      if (signal.aborted) return;
      let expired = false;
      let delivered = false;
      const opened = Date.now();
      for await (const event of client.watch({ ...query, resourceVersion, timeoutSeconds: 300 }, { signal })) {
        if (signal.aborted) return;
        delivered = true;
        if (event.type === "ERROR") {
          // 410 Gone or any other Status: our resourceVersion is no good any more.
          expired = true;
          break;
        }
        const rv = event.object.metadata.resourceVersion;
        if (rv !== undefined && rv !== "") resourceVersion = rv;
        if (event.type === "BOOKMARK") continue;
        if (event.type === "DELETED") {
          known.delete(keyOf(event.object));
          handlers.onEvent({ type: "delete", object: event.object });
        } else {
          known.set(keyOf(event.object), event.object);
          handlers.onEvent({ type: "upsert", object: event.object });
        }
      }
      if (expired) resourceVersion = "";
      if (!delivered && Date.now() - opened < RETRY_MS.max) {
        // A server (or proxy) that closes watches at once must not turn this into a busy loop.
        await sleep(retryMs, signal);
        retryMs = Math.min(RETRY_MS.max, retryMs * 2);
      } else {
        retryMs = RETRY_MS.first;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (!retryable(err)) throw err;
      // Resume from where we were unless the server said that version is gone; a cut connection loses nothing.
      if (err instanceof KubeApiError && err.status === 410) resourceVersion = "";
      await sleep(retryMs, signal);
      retryMs = Math.min(RETRY_MS.max, retryMs * 2);
    }
  }
}
