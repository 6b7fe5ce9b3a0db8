/**
 * @module deploy/compare
 *
 * Whether a live object would change if slipway applied its manifest: nelm compares the live object with the
 * result of a dry-run server-side apply after stripping what always differs or does not matter (status,
 * bookkeeping metadata, managedFields timestamps, `helm.sh/*` and `*werf.io/*` annotations). Pure.
 */
import type { KubeObject } from "../kube/types.js";

const VOLATILE_METADATA = ["resourceVersion", "uid", "generation", "creationTimestamp", "finalizers", "selfLink"] as const;

function ignoredAnnotation(key: string): boolean {
  const prefix = key.split("/", 1)[0] ?? "";
  return key.startsWith("helm.sh/") || prefix === "werf.io" || prefix.endsWith(".werf.io");
}

/** A copy of `object` reduced to what decides whether an apply changes anything. */
export function comparable(object: KubeObject): unknown {
  const { metadata, ...rest } = object;
  delete rest["status"];
  const meta: Record<string, unknown> = { ...metadata };
  for (const key of VOLATILE_METADATA) delete meta[key];
  if (metadata.annotations !== undefined) {
    const annotations = Object.fromEntries(Object.entries(metadata.annotations).filter(([k]) => !ignoredAnnotation(k)));
    if (Object.keys(annotations).length > 0) meta["annotations"] = annotations;
    else delete meta["annotations"];
  }
  if (metadata.managedFields !== undefined) {
    meta["managedFields"] = metadata.managedFields.map(({ time: _time, ...entry }) => entry);
  }
  return { ...rest, metadata: meta };
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  return keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** true when applying would change the live object (live vs. its dry-run apply result). */
export function applyChanges(live: KubeObject, dryRun: KubeObject): boolean {
  return !jsonEqual(comparable(live), comparable(dryRun));
}
