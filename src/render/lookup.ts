/**
 * @module render/lookup
 *
 * Helm's `lookup` against a live cluster for the synchronous template engine: the cluster is read through a port
 * (`LookupPort`, an adapter in src/cli), and the render is repeated until it asks for nothing it has not read.
 */
import { SlipwayError } from "../errors.js";
import type { LookupReader } from "../template/helm/data.js";
import { goMapOfJson } from "../template/json.js";
import type { RenderResult } from "./render.js";

/** What a template's `lookup` asks for; name "" asks for the list (every namespace when namespace is ""). */
export interface LookupRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** Reads a live object or list for `lookup`, as its JSON; undefined when it does not exist. */
export type LookupPort = (ref: LookupRef) => Promise<Record<string, unknown> | undefined>;

/** Renders needed at most to settle the objects `lookup` asks for (each may ask for ones that depend on the last). */
const MAX_LOOKUP_ROUNDS = 10;

/**
 * `lookup` against the cluster for a synchronous template engine: a render reads what it has fetched and notes what
 * it has not (`{}` meanwhile); `settle` fetches the noted objects and renders again until a render asks for nothing
 * new. A render that failed while objects were missing is retried with them.
 */
export function lookupCache(port: LookupPort | undefined): { reader: LookupReader; settle: (render: () => RenderResult) => Promise<RenderResult> } | undefined {
  if (port === undefined) return undefined;
  const fetched = new Map<string, { value: Record<string, unknown> | undefined } | { error: unknown }>();
  const missing = new Map<string, LookupRef>();
  const reader: LookupReader = (apiVersion, kind, namespace, name) => {
    const key = JSON.stringify([apiVersion, kind, namespace, name]);
    const hit = fetched.get(key);
    if (hit === undefined) {
      missing.set(key, { apiVersion, kind, namespace, name });
      return new Map<string, unknown>();
    }
    if ("error" in hit) throw hit.error;
    return hit.value === undefined ? new Map<string, unknown>() : goMapOfJson(hit.value);
  };
  const settle = async (render: () => RenderResult): Promise<RenderResult> => {
    for (let round = 1; ; round++) {
      let result: RenderResult | undefined;
      let failure: unknown;
      try {
        result = render();
      } catch (error) {
        failure = error;
      }
      if (missing.size === 0) {
        if (result === undefined) throw failure;
        return result;
      }
      if (round > MAX_LOOKUP_ROUNDS) {
        throw new SlipwayError(`lookup: the templates still asked for new objects after ${MAX_LOOKUP_ROUNDS} renders`, { code: "template" });
      }
      const batch = [...missing];
      missing.clear();
      await Promise.all(
        batch.map(async ([key, ref]) => {
          try {
            fetched.set(key, { value: await port(ref) });
          } catch (error) {
            fetched.set(key, { error });
          }
        }),
      );
    }
  };
  return { reader, settle };
}
