// Sprig's list, dict, default/flow, reflection and path functions (list.go, dict.go,
// defaults.go, reflect.go and the path/filepath entries of functions.go).

import { FuncError } from "../errors.js";
import type {
  GoInt} from "../value.js";
import {
  isMap,
  kindName,
  setSliceElemType,
  sliceElemType,
  typeName,
  type GoFunc,
  type GoMap,
} from "../value.js";
import {
  conversionPanic,
  deepCopy,
  deepEqual,
  empty,
  fn,
  isSliceLike,
  kindOfForError,
  sliceItems,
  strval,
  stringList,
  toInt,
} from "./conv.js";
import { strslice } from "./strings.js";
import { compareStrings } from "../value.js";

function listOrErr(v: unknown, msg: (kind: string) => string): unknown[] {
  const k = kindOfForError(v);
  if (!isSliceLike(v)) throw new FuncError(msg(k));
  return [...sliceItems(v)];
}

const anyList = (items: unknown[]): unknown[] => items;

function push(list: unknown, v: unknown): unknown[] {
  return anyList([...listOrErr(list, (k) => `Cannot push on type ${k}`), v]);
}
function prepend(list: unknown, v: unknown): unknown[] {
  return anyList([v, ...listOrErr(list, (k) => `Cannot prepend on type ${k}`)]);
}
function chunk(size: GoInt, list: unknown): unknown[] {
  const items = listOrErr(list, (k) => `Cannot chunk type ${k}`);
  const s = Number(size.v);
  const l = items.length;
  const cs = Math.floor((l - 1) / s) + 1;
  if (!Number.isFinite(cs) || cs < 0) throw new FuncError("runtime error: makeslice: len out of range");
  const out: unknown[] = [];
  for (let i = 0; i < cs; i++) {
    let clen = s;
    if (i === cs - 1) {
      clen = Math.floor(l % s);
      if (clen === 0) clen = s;
    }
    out.push(items.slice(i * s, i * s + clen));
  }
  return setSliceElemType(out, "[]interface {}");
}
function last(list: unknown): unknown {
  const items = listOrErr(list, (k) => `Cannot find last on type ${k}`);
  return items.length === 0 ? null : items[items.length - 1];
}
function first(list: unknown): unknown {
  const items = listOrErr(list, (k) => `Cannot find first on type ${k}`);
  return items.length === 0 ? null : items[0];
}
function rest(list: unknown): unknown {
  const items = listOrErr(list, (k) => `Cannot find rest on type ${k}`);
  return items.slice(1);
}
function initial(list: unknown): unknown {
  const items = listOrErr(list, (k) => `Cannot find initial on type ${k}`);
  return items.slice(0, -1);
}
function sortAlpha(list: unknown): string[] {
  if (isSliceLike(list)) return stringList(strslice(list).sort(compareStrings));
  return stringList([strval(list)]);
}
function reverse(list: unknown): unknown[] {
  return listOrErr(list, (k) => `Cannot find reverse on type ${k}`).reverse();
}
function compact(list: unknown): unknown[] {
  return listOrErr(list, (k) => `Cannot compact on type ${k}`).filter((x) => !empty(x));
}
function inList(hay: unknown[], needle: unknown): boolean {
  return hay.some((h) => deepEqual(needle, h));
}
function uniq(list: unknown): unknown[] {
  const out: unknown[] = [];
  for (const x of listOrErr(list, (k) => `Cannot find uniq on type ${k}`)) if (!inList(out, x)) out.push(x);
  return out;
}
function without(list: unknown, ...omit: unknown[]): unknown[] {
  return listOrErr(list, (k) => `Cannot find without on type ${k}`).filter((x) => !inList(omit, x));
}
function has(needle: unknown, hay: unknown): boolean {
  if (hay === null || hay === undefined) return false;
  return inList(listOrErr(hay, (k) => `Cannot find has on type ${k}`), needle);
}
function slice(list: unknown, ...indices: unknown[]): unknown {
  const k = kindOfForError(list);
  if (!isSliceLike(list)) throw new FuncError(`list should be type of slice or array but ${k}`);
  const l = list.length;
  if (l === 0) return null;
  const start = indices.length > 0 ? Number(toInt(indices[0])) : 0;
  const end = indices.length < 2 ? l : Number(toInt(indices[1]));
  if (start < 0 || end < start || end > l) {
    throw new FuncError("reflect.Value.Slice: slice index out of bounds");
  }
  if (list instanceof Uint8Array) return list.slice(start, end);
  return setSliceElemType(list.slice(start, end), sliceElemType(list));
}
function concat(...lists: unknown[]): unknown {
  const res: unknown[] = [];
  for (const l of lists) {
    const k = kindOfForError(l);
    if (!isSliceLike(l)) throw new FuncError(`Cannot concat type ${k} as list`);
    res.push(...sliceItems(l));
  }
  return res;
}

// --- dicts ------------------------------------------------------------------------------------

function nilMap(d: GoMap | null): GoMap {
  if (d === null) throw new FuncError("assignment to entry in nil map");
  return d;
}

function dict(...v: unknown[]): GoMap {
  const m: GoMap = new Map();
  for (let i = 0; i < v.length; i += 2) {
    const key = strval(v[i]);
    m.set(key, i + 1 >= v.length ? "" : v[i + 1]);
  }
  return m;
}

/** mergo.Merge for map[string]interface{} (with or without WithOverride). */
export function mergeMaps(dst: GoMap, src: GoMap, overwrite: boolean): void {
  // forEach makes no iterator result and [key, value] pair per entry (merge runs on every values layer).
  src.forEach((s, k) => {
    mergeEntry(dst, k, s, overwrite);
  });
}

/** One entry of mergeMaps: the src value `s` under key `k`. */
function mergeEntry(dst: GoMap, k: string, s: unknown, overwrite: boolean): void {
  if (s === null || s === undefined) {
    if (overwrite) dst.set(k, null);
    return;
  }
  const has = dst.has(k);
  const d = dst.get(k);
  if (isMap(s) && has && isMap(d)) mergeMaps(d, s, overwrite);
  // mergo's slice branch: with WithOverride (or an empty dst map) the src slice is taken.
  if (isSliceLike(s) && (overwrite || dst.size === 0)) {
    dst.set(k, s);
    return;
  }
  if (has && d !== null && !empty(d)) {
    if (isSliceLike(s)) return;
    if (isMap(s) && isMap(d)) return;
  }
  if (overwrite || !has || empty(d)) dst.set(k, s);
}

function merge(overwrite: boolean) {
  return (dst: GoMap | null, ...srcs: (GoMap | null)[]): unknown => {
    let d: GoMap = dst ?? new Map<string, unknown>();
    for (const s of srcs) {
      if (s === null) continue;
      if (dst === null && d.size === 0) d = new Map<string, unknown>();
      mergeMaps(d, s, overwrite);
    }
    return d;
  };
}

function dig(...ps: unknown[]): unknown {
  if (ps.length < 3) throw new FuncError("dig needs at least three arguments");
  const last = ps[ps.length - 1];
  if (!isMap(last) || typeName(last) !== "map[string]interface {}") throw conversionPanic(last, "map[string]interface {}");
  const def = ps[ps.length - 2];
  const ks: string[] = [];
  for (let i = 0; i < ps.length - 2; i++) {
    const k = ps[i];
    if (typeof k !== "string") throw conversionPanic(k, "string");
    ks.push(k);
  }
  let d: GoMap = last;
  for (let i = 0; ; i++) {
    const k = ks[i] ?? "";
    if (!d.has(k)) return def;
    const step = d.get(k);
    if (i === ks.length - 1) return step;
    if (!isMap(step) || typeName(step) !== "map[string]interface {}") throw conversionPanic(step, "map[string]interface {}");
    d = step;
  }
}

// --- reflection -------------------------------------------------------------------------------

function kindOf(v: unknown): string {
  const k = kindName(v);
  return k;
}

// --- paths ------------------------------------------------------------------------------------

export function pathClean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const parts = p.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}
function pathBase(p: string): string {
  if (p === "") return ".";
  p = p.replace(/\/+$/, "");
  const i = p.lastIndexOf("/");
  if (i >= 0) p = p.slice(i + 1);
  return p === "" ? "/" : p;
}
function pathDir(p: string): string {
  const i = p.lastIndexOf("/");
  return pathClean(p.slice(0, i + 1));
}
function pathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

export function collectionFuncs(): GoFunc[] {
  const mustPair = (name: string, params: Parameters<typeof fn>[1], variadic: Parameters<typeof fn>[2], impl: (...a: never[]) => unknown) => [
    fn(name, params, variadic, impl),
    fn("must" + name[0]?.toUpperCase() + name.slice(1), params, variadic, impl),
  ];
  return [
    fn("list", [], "any", (...v: unknown[]) => v, "list"),
    fn("tuple", [], "any", (...v: unknown[]) => v, "list"),
    fn("dict", [], "any", dict, "map"),
    fn("get", ["map", "string"], null, (d: GoMap | null, k: string) => (d !== null && d.has(k) ? d.get(k) : ""), "any"),
    fn("set", ["map", "string", "any"], null, (d: GoMap | null, k: string, v: unknown) => nilMap(d).set(k, v), "map"),
    fn(
      "unset",
      ["map", "string"],
      null,
      (d: GoMap | null, k: string) => {
        d?.delete(k);
        return d;
      },
      "map",
    ),
    fn("hasKey", ["map", "string"], null, (d: GoMap | null, k: string) => d !== null && d.has(k), "bool"),
    fn(
      "pluck",
      ["string"],
      "map",
      (k: string, ...ds: (GoMap | null)[]) => ds.filter((d): d is GoMap => d !== null && d.has(k)).map((d) => d.get(k)),
      "list",
    ),
    fn("keys", [], "map", (...ds: (GoMap | null)[]) => stringList(ds.flatMap((d) => (d === null ? [] : [...d.keys()]))), "strings"),
    fn(
      "pick",
      ["map"],
      "string",
      (d: GoMap | null, ...ks: string[]) => {
        const res: GoMap = new Map();
        for (const k of ks) if (d?.has(k) === true) res.set(k, d.get(k));
        return res;
      },
      "map",
    ),
    fn(
      "omit",
      ["map"],
      "string",
      (d: GoMap | null, ...ks: string[]) => {
        const res: GoMap = new Map();
        for (const [k, v] of d ?? []) if (!ks.includes(k)) res.set(k, v);
        return res;
      },
      "map",
    ),
    fn("merge", ["map"], "map", merge(false)),
    fn("mustMerge", ["map"], "map", merge(false)),
    fn("mergeOverwrite", ["map"], "map", merge(true)),
    fn("mustMergeOverwrite", ["map"], "map", merge(true)),
    fn("values", ["map"], null, (d: GoMap | null) => [...(d?.values() ?? [])], "list"),
    fn("dig", [], "any", dig),
    fn("append", ["any", "any"], null, push, "list"),
    fn("push", ["any", "any"], null, push, "list"),
    fn("mustAppend", ["any", "any"], null, push, "list"),
    fn("mustPush", ["any", "any"], null, push, "list"),
    ...mustPair("prepend", ["any", "any"], null, prepend),
    ...mustPair("first", ["any"], null, first),
    ...mustPair("rest", ["any"], null, rest),
    ...mustPair("last", ["any"], null, last),
    ...mustPair("initial", ["any"], null, initial),
    ...mustPair("reverse", ["any"], null, reverse),
    ...mustPair("uniq", ["any"], null, uniq),
    ...mustPair("without", ["any"], "any", without),
    ...mustPair("has", ["any", "any"], null, has),
    ...mustPair("slice", ["any"], "any", slice),
    ...mustPair("compact", ["any"], null, compact),
    fn("concat", [], "any", concat),
    fn("chunk", ["int", "any"], null, chunk),
    fn("mustChunk", ["int", "any"], null, chunk),
    fn("sortAlpha", ["any"], null, sortAlpha, "strings"),
    // defaults / flow
    fn("default", ["any"], "any", (d: unknown, ...given: unknown[]) => (given.length === 0 || empty(given[0]) ? d : given[0])),
    fn("empty", ["any"], null, empty, "bool"),
    fn("coalesce", [], "any", (...v: unknown[]) => v.find((x) => !empty(x)) ?? null),
    fn("all", [], "any", (...v: unknown[]) => v.every((x) => !empty(x)), "bool"),
    fn("any", [], "any", (...v: unknown[]) => v.some((x) => !empty(x)), "bool"),
    fn("ternary", ["any", "any", "bool"], null, (t: unknown, f: unknown, c: boolean) => (c ? t : f)),
    fn("deepCopy", ["any"], null, (v: unknown) => deepCopyChecked(v)),
    fn("mustDeepCopy", ["any"], null, (v: unknown) => deepCopyChecked(v)),
    // reflection
    fn("typeOf", ["any"], null, (v: unknown) => typeName(v), "string"),
    fn("typeIs", ["string", "any"], null, (t: string, v: unknown) => t === typeName(v), "bool"),
    fn("typeIsLike", ["string", "any"], null, (t: string, v: unknown) => t === typeName(v) || "*" + t === typeName(v), "bool"),
    fn("kindOf", ["any"], null, kindOf, "string"),
    fn("kindIs", ["string", "any"], null, (t: string, v: unknown) => t === kindOf(v), "bool"),
    fn("deepEqual", ["any", "any"], null, deepEqual, "bool"),
    // paths (path and path/filepath are the same on Linux)
    fn("base", ["string"], null, pathBase, "string"),
    fn("dir", ["string"], null, pathDir, "string"),
    fn("clean", ["string"], null, pathClean, "string"),
    fn("ext", ["string"], null, pathExt, "string"),
    fn("isAbs", ["string"], null, (p: string) => p.startsWith("/"), "bool"),
    fn("osBase", ["string"], null, pathBase, "string"),
    fn("osDir", ["string"], null, pathDir, "string"),
    fn("osClean", ["string"], null, pathClean, "string"),
    fn("osExt", ["string"], null, pathExt, "string"),
    fn("osIsAbs", ["string"], null, (p: string) => p.startsWith("/"), "bool"),
  ];
}

function deepCopyChecked(v: unknown): unknown {
  if (v === undefined) return null;
  return deepCopy(v);
}

