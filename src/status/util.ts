/**
 * @module status/util
 *
 * Safe readers over untyped API JSON for the status rules. Takes plain values, gives plain values; imports nothing.
 */

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
export const num = (v: unknown): number => (typeof v === "number" ? v : 0);
export const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The API group of an apiVersion: "" for the core group. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function conditionOf(o: unknown, type: string): Obj | undefined {
  return arr(obj(obj(o)["status"])["conditions"]).find((c) => c["type"] === type);
}

/** `spec.replicas`, or undefined when the field is absent (HPA-managed objects may omit it). */
export function specReplicas(o: unknown): number | undefined {
  const replicas = obj(obj(o)["spec"])["replicas"];
  return typeof replicas === "number" ? replicas : undefined;
}
