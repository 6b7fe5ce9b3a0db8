// Values as Helm computes them: values files read as YAML 1.1 through JSON (chartutil.ReadValues),
// user values merged (cli/values.Options.MergeValues), then coalesced with the chart's defaults
// (chartutil.CoalesceValues: user values win, null deletes a key, globals flow to subcharts).

import { readFileSync } from "node:fs";
import { SlipwayError } from "../errors.js";
import { formatValue } from "../template/fmt.js";
import { isMap, type GoMap } from "../template/value.js";
import { readYaml } from "../template/yaml/index.js";
import { parseSet, parseSetFile, parseSetJson, parseSetLiteral, parseSetString } from "./strvals.js";
import type { Chart } from "./types.js";

export const GLOBAL_KEY = "global";

/**
 * chartutil.ReadValues: a YAML document that must be a map (empty → empty map). Errors start with
 * `what` ("failed to parse <file>" for -f files; the chart loader says "cannot load values.yaml").
 */
export function readValues(text: string, source: string, what = `failed to parse ${source}`): GoMap {
  let v: unknown;
  try {
    v = readYaml(text);
  } catch (e) {
    throw new SlipwayError(`${what}: ${(e as Error).message}`, { code: "chart", cause: e });
  }
  if (v === null || v === undefined) return new Map();
  if (!isMap(v)) {
    throw new SlipwayError(
      `${what}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v === "string" ? "string" : typeof v === "boolean" ? "bool" : "number"} into Go value of type map[string]interface {}`,
      { code: "chart" },
    );
  }
  return v;
}

/** Deep copy of maps and lists (copystructure.Copy for value trees). */
export function copyValue<T>(v: T): T {
  if (isMap(v)) {
    const m = new Map<string, unknown>();
    // forEach makes no iterator result and [key, value] pair per entry; values are copied many times a render.
    v.forEach((x, k) => {
      m.set(k, copyValue(x));
    });
    return m as T;
  }
  if (Array.isArray(v)) return v.map(copyValue) as T;
  return v;
}

/** cli/values mergeMaps: b over a, maps merged recursively. */
export function mergeMaps(a: GoMap, b: GoMap): GoMap {
  const out = new Map(a);
  for (const [k, v] of b) {
    if (isMap(v)) {
      const bv = out.get(k);
      if (isMap(bv)) {
        out.set(k, mergeMaps(bv, v));
        continue;
      }
    }
    out.set(k, v);
  }
  return out;
}

export interface ValueOptions {
  valueFiles?: readonly string[];
  values?: readonly string[];
  stringValues?: readonly string[];
  jsonValues?: readonly string[];
  fileValues?: readonly string[];
  literalValues?: readonly string[];
}

function wrapParse(kind: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new SlipwayError(`failed parsing ${kind} data: ${(e as Error).message}`, { code: "usage", cause: e });
  }
}

/** cli/values.Options.MergeValues: -f files, then --set-json, --set, --set-string, --set-file, --set-literal. */
export function mergeUserValues(opts: ValueOptions, readFile: (p: string) => string = (p) => readFileSync(p, "utf8")): GoMap {
  let base: GoMap = new Map();
  for (const f of opts.valueFiles ?? []) {
    let text: string;
    try {
      text = readFile(f);
    } catch (e) {
      throw new SlipwayError(`open ${f}: no such file or directory`, { code: "usage", cause: e });
    }
    base = mergeMaps(base, readValues(text, f));
  }
  for (const v of opts.jsonValues ?? []) {
    try {
      parseSetJson(v, base);
    } catch {
      // Helm v3.17's words: the value only, without the JSON decoder's reason.
      throw new SlipwayError(`failed parsing --set-json data ${v}`, { code: "usage" });
    }
  }
  for (const v of opts.values ?? []) wrapParse("--set", () => parseSet(v, base));
  for (const v of opts.stringValues ?? []) wrapParse("--set-string", () => parseSetString(v, base));
  for (const v of opts.fileValues ?? []) wrapParse("--set-file", () => parseSetFile(v, base, readFile));
  for (const v of opts.literalValues ?? []) wrapParse("--set-literal", () => parseSetLiteral(v, base));
  return base;
}

function concatPrefix(a: string, b: string): string {
  return a === "" ? b : `${a}.${b}`;
}

export type Warn = (msg: string) => void;

function coalesceTables(warn: Warn, dst: GoMap, src: GoMap, prefix: string, merge: boolean): GoMap {
  for (const [key, val] of src) {
    const fullkey = concatPrefix(prefix, key);
    const has = dst.has(key);
    const dv = dst.get(key);
    if (has && !merge && (dv === null || dv === undefined)) {
      dst.delete(key);
    } else if (!has) {
      dst.set(key, val);
    } else if (isMap(val)) {
      if (isMap(dv)) coalesceTables(warn, dv, val, fullkey, merge);
      else warn(`warning: cannot overwrite table with non table for ${fullkey} (${formatValue(val)})`);
    } else if (isMap(dv) && val !== null) {
      warn(`warning: destination for ${fullkey} is a table. Ignoring non-table value (${formatValue(val)})`);
    }
  }
  return dst;
}

function coalesceValuesOf(warn: Warn, c: Chart, v: GoMap, prefix: string, merge: boolean): void {
  const subPrefix = concatPrefix(prefix, c.name);
  const vc = copyValue(c.values);
  for (const [key, val] of vc) {
    if (v.has(key)) {
      const value = v.get(key);
      if ((value === null || value === undefined) && !merge) {
        v.delete(key);
      } else if (isMap(value)) {
        if (!isMap(val)) {
          if (val !== null) warn(`warning: skipped value for ${subPrefix}.${key}: Not a table.`);
        } else {
          const childMerge = merge || c.dependencies.some((d) => d.name === key);
          coalesceTables(warn, value, val, concatPrefix(subPrefix, key), childMerge);
        }
      }
    } else {
      v.set(key, val);
    }
  }
}

function coalesceGlobals(warn: Warn, dest: GoMap, src: GoMap, prefix: string): void {
  let dg: GoMap;
  let sg: GoMap;
  const destglob = dest.get(GLOBAL_KEY);
  if (!dest.has(GLOBAL_KEY)) dg = new Map();
  else if (isMap(destglob)) dg = destglob;
  else {
    warn(`warning: skipping globals because destination ${GLOBAL_KEY} is not a table.`);
    return;
  }
  const srcglob = src.get(GLOBAL_KEY);
  if (!src.has(GLOBAL_KEY)) sg = new Map();
  else if (isMap(srcglob)) sg = srcglob;
  else {
    warn(`warning: skipping globals because source ${GLOBAL_KEY} is not a table.`);
    return;
  }
  for (const [key, val] of sg) {
    if (isMap(val)) {
      const vv = new Map(val);
      const destv = dg.get(key);
      if (!dg.has(key)) dg.set(key, vv);
      else if (!isMap(destv)) warn(`Conflict: cannot merge map onto non-map for "${key}". Skipping.`);
      else {
        coalesceTables(warn, vv, destv, concatPrefix(prefix, key), true);
        dg.set(key, vv);
      }
    } else if (isMap(dg.get(key))) {
      warn(`key ${key} is table. Skipping`);
    } else {
      dg.set(key, val);
    }
  }
  dest.set(GLOBAL_KEY, dg);
}

function coalesce(warn: Warn, c: Chart, dest: GoMap, prefix: string, merge: boolean): GoMap {
  coalesceValuesOf(warn, c, dest, prefix, merge);
  for (const sub of c.dependencies) {
    const cur = dest.get(sub.name);
    if (!dest.has(sub.name)) dest.set(sub.name, new Map());
    else if (!isMap(cur)) {
      throw new SlipwayError(`type mismatch on ${sub.name}: %!t(${typeof cur}=${String(cur)})`, { code: "chart" });
    }
    const dvmap = dest.get(sub.name) as GoMap;
    const subPrefix = concatPrefix(prefix, c.name);
    coalesceGlobals(warn, dvmap, dest, subPrefix);
    dest.set(sub.name, coalesce(warn, sub, dvmap, subPrefix, merge));
  }
  return dest;
}

/** chartutil.MergeTables: `src` under `dst`, keeping nulls; mutates and returns `dst`. */
export function mergeTables(dst: GoMap, src: GoMap, warn: Warn = () => {}): GoMap {
  return coalesceTables(warn, dst, src, "", true);
}

/** chartutil.MergeValues: the chart's values merged with its subcharts' defaults, nulls kept. */
export function mergeValues(chart: Chart, userValues: GoMap, warn: Warn = () => {}): GoMap {
  return coalesce(warn, chart, copyValue(userValues), "", true);
}

/** chartutil.CoalesceValues: the chart's final values for the given user values. */
export function coalesceValues(chart: Chart, userValues: GoMap, warn: Warn = () => {}): GoMap {
  return coalesce(warn, chart, copyValue(userValues), "", false);
}

/** chartutil.CoalesceTables: `src` under `dst` (dst wins, a null in dst deletes the key); mutates and returns `dst`. */
export function coalesceTablesInto(dst: GoMap, src: GoMap, warn: Warn = () => {}): GoMap {
  return coalesceTables(warn, dst, src, "", false);
}

/**
 * nelm's MergeInternal, the user-level values a werf chart renders with: werf's service values first, then the
 * decrypted secret values, then the user's values (--values files and the --set family), each coalesced under the
 * ones before. So a service value beats a secret value, which beats the same key given with --set or --values;
 * the chart's values.yaml comes under all of them when the chart is coalesced.
 */
export function mergeWerfValues(user: GoMap, service: GoMap, secret: GoMap | undefined, warn: Warn = () => {}): GoMap {
  const vals: GoMap = new Map();
  coalesceTablesInto(vals, copyValue(service), warn);
  if (secret !== undefined) coalesceTablesInto(vals, copyValue(secret), warn);
  coalesceTablesInto(vals, copyValue(user), warn);
  return vals;
}
