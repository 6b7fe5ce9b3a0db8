/**
 * @module track/watch
 *
 * List-then-watch over the KubeClient port: the current objects first, then every change, resuming from the last
 * resourceVersion when the server closes the stream and re-listing when that version is too old (410). No polling.
 */
import { KubeApiError, type KubeClient, type KubeObject, type ListQuery } from "../kube/types.js";

export type ObjectEvent = { type: "upsert" | "delete"; object: KubeObject };

export async function watchObjects(client: KubeClient, query: ListQuery, onEvent: (e: ObjectEvent) => void, signal: AbortSignal): Promise<void> {
  let known = new Map<string, KubeObject>();
  const key = (o: KubeObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  let resourceVersion = "";
  const relist = async (): Promise<void> => {
    const list = await client.list(query, { signal });
    const next = new Map(list.items.map((o) => [key(o), o]));
    for (const [k, o] of known) if (!next.has(k)) onEvent({ type: "delete", object: o });
    for (const o of next.values()) onEvent({ type: "upsert", object: o });
    known = next;
    resourceVersion = list.resourceVersion;
  };
  while (!signal.aborted) {
    try {
      if (resourceVersion === "") await relist();
      let gone = false;
      for await (const event of client.watch({ ...query, resourceVersion, timeoutSeconds: 300 }, { signal })) {
        if (event.type === "ERROR") {
          gone = true;
          break;
        }
        const rv = event.object.metadata.resourceVersion;
        if (rv !== undefined) resourceVersion = rv;
        if (event.type === "BOOKMARK") continue;
        if (event.type === "DELETED") {
          known.delete(key(event.object));
          onEvent({ type: "delete", object: event.object });
        } else {
          known.set(key(event.object), event.object);
          onEvent({ type: "upsert", object: event.object });
        }
      }
      if (gone) resourceVersion = "";
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof KubeApiError && err.status === 410) {
        resourceVersion = "";
        continue;
      }
      // Transient API trouble: back off a little, then list again.
      await new Promise((r) => setTimeout(r, 500));
      resourceVersion = "";
      if (!(err instanceof KubeApiError) || err.status >= 500 || err.status === 0) continue;
      throw err;
    }
  }
}
