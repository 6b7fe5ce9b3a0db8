/**
 * @module deploy/unchanged
 *
 * Proves without a request, when it can, that a forced server-side apply of `desired` by slipway's field manager
 * would leave `live` as it is, so the dry-run apply nelm makes for every resource can be skipped. The proof: the
 * manager's Apply entry in managedFields owns exactly the fields `desired` sets (nothing would be removed, nothing
 * taken over from another manager), and every one of them already has the desired value. Sound rather than complete:
 * `false` only means "ask the server" (values the server normalises, such as quantities, and lists the live object
 * holds more of fall back to the dry-run).
 *
 * Two leniencies need the caller's guarantee that `desired` is the object the previous, successfully deployed
 * revision applied: an atomic field (a leaf of the field set, e.g. `selector` or `fieldRef`) may hold more in the
 * live object than in `desired` (the server's defaults), and a list key may name a field `desired` leaves to the
 * default (`protocol: TCP` in a port's key). Pure.
 */
import type { KubeObject } from "../kube/types.js";
import { jsonEqual } from "./compare.js";
import { FIELD_MANAGER } from "./managed-fields.js";

type Trie = Record<string, unknown>;
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The trie's members other than "." (the node itself). */
function members(trie: Trie): string[] {
  return Object.keys(trie).filter((k) => k !== ".");
}

/** true when applying `desired` (see the module comment for the caller's guarantee) changes nothing on `live`. */
export function applyIsNoop(live: KubeObject, desired: KubeObject): boolean {
  if (live.apiVersion !== desired.apiVersion || live.kind !== desired.kind) return false;
  const appliers = (live.metadata.managedFields ?? []).filter((e) => e.manager === FIELD_MANAGER && e.operation === "Apply" && (e.subresource ?? "") === "");
  const applier = appliers[0];
  if (appliers.length !== 1 || applier === undefined || applier.apiVersion !== desired.apiVersion || !isObject(applier.fieldsV1)) return false;
  const trie = applier.fieldsV1;
  // apiVersion, kind, name and namespace identify the object; they are not in any field set.
  const body: Json = { ...(desired as unknown as Json) };
  delete body["apiVersion"];
  delete body["kind"];
  const meta: Json = { ...(desired.metadata as Json) };
  delete meta["name"];
  delete meta["namespace"];
  if (Object.keys(meta).length > 0) body["metadata"] = meta;
  else delete body["metadata"];
  return ownedAndEqual(body, live, trie) && covered(trie, body);
}

/** Every field of `d` is owned (in `trie`) and equal in `l`. */
function ownedAndEqual(d: Json, l: unknown, trie: Trie): boolean {
  if (!isObject(l)) return false;
  for (const [key, value] of Object.entries(d)) {
    if (value === undefined) continue;
    const child = trie[`f:${key}`];
    if (!isObject(child) || !valueOk(value, l[key], child)) return false;
  }
  return true;
}

function valueOk(d: unknown, l: unknown, trie: Trie): boolean {
  if (d === null) return false;
  if (members(trie).length === 0) return subsetEqual(d, l);
  if (isObject(d)) return ownedAndEqual(d, l, trie);
  if (Array.isArray(d)) return Array.isArray(l) && listOk(d, l, trie);
  return false;
}

/** A list item's key (`k:{"name":"web"}`) against an item: exact, or `lenient` when a key field is left to the default. */
function keyMatches(item: unknown, key: Json, lenient: boolean): boolean {
  if (!isObject(item)) return false;
  return Object.entries(key).every(([f, v]) => jsonEqual(item[f], v) || (lenient && item[f] === undefined));
}

function parseKey(member: string): unknown {
  try {
    return JSON.parse(member.slice(2)) as unknown;
  } catch {
    return undefined;
  }
}

/** The one member of `trie` that names `item` (`k:` for maps, `v:` for scalars), or undefined. */
function memberFor(item: unknown, trie: Trie): string | undefined {
  const found = members(trie).filter((m) => {
    if (m.startsWith("k:")) {
      const key = parseKey(m);
      return isObject(key) && keyMatches(item, key, true);
    }
    return m.startsWith("v:") && jsonEqual(parseKey(m), item);
  });
  return found.length === 1 ? found[0] : undefined;
}

/** An associative or set list: the same items in the same order, each owned and equal. */
function listOk(d: readonly unknown[], l: readonly unknown[], trie: Trie): boolean {
  if (d.length !== l.length) return false;
  const used = new Set<string>();
  for (let i = 0; i < d.length; i++) {
    const member = memberFor(d[i], trie);
    if (member === undefined || used.has(member)) return false;
    used.add(member);
    if (member.startsWith("v:")) {
      if (!jsonEqual(d[i], l[i])) return false;
      continue;
    }
    const key = parseKey(member) as Json;
    const child = trie[member];
    if (!keyMatches(l[i], key, false) || !isObject(child) || !isObject(d[i]) || !ownedAndEqual(d[i] as Json, l[i], child)) return false;
  }
  return true;
}

/** Every field the trie owns is set by `d` (so the apply removes nothing). */
function covered(trie: Trie, d: unknown): boolean {
  for (const member of members(trie)) {
    const child = trie[member];
    if (!isObject(child)) return false;
    let next: unknown;
    if (member.startsWith("f:")) {
      next = isObject(d) ? d[member.slice(2)] : undefined;
    } else if (member.startsWith("k:")) {
      const key = parseKey(member);
      next = Array.isArray(d) && isObject(key) ? d.find((item) => keyMatches(item, key, true)) : undefined;
    } else if (member.startsWith("v:")) {
      const value = parseKey(member);
      next = Array.isArray(d) ? d.find((item) => jsonEqual(item, value)) : undefined;
    } else return false;
    if (next === undefined || next === null) return false;
    if (members(child).length > 0 && !covered(child, next)) return false;
  }
  return true;
}

/** `d` equals `l`, where maps of `l` may hold more keys (an atomic field's server defaults). */
function subsetEqual(d: unknown, l: unknown): boolean {
  if (isObject(d)) return isObject(l) && Object.entries(d).every(([k, v]) => v === undefined || subsetEqual(v, l[k]));
  if (Array.isArray(d)) return Array.isArray(l) && d.length === l.length && d.every((item, i) => subsetEqual(item, l[i]));
  return d === l;
}
