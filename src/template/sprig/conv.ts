// Conversions Sprig relies on everywhere: strval (fmt %v with Stringer/error), spf13/cast's
// ToInt64/ToInt/ToFloat64, Sprig's `empty`, and reflect.DeepEqual over the Go value model.

import { FuncError } from "../errors.js";
import { formatValue } from "../fmt.js";
import { underscoreOK } from "../strconv.js";
import {
  GoComplex,
  GoFunc,
  GoInt,
  GoObject,
  bytesToString,
  isMap,
  mapTypeName,
  setMapTypeName,
  setSliceElemType,
  sliceElemType,
  typeName,
  type GoMap,
  type GoType,
} from "../value.js";

/** A function value, declared with its Go parameter types. */
export function fn(
  name: string,
  params: GoType[],
  variadic: GoType | null,
  impl: (...a: never[]) => unknown,
  result: GoType = "any",
): GoFunc {
  return new GoFunc(name, params, variadic, impl as (...a: unknown[]) => unknown, result);
}

/** Sprig's strval: strings as is, []byte as text, Stringers via String(), otherwise %v. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return bytesToString(v);
  return formatValue(v);
}

export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

/** reflect Kind slice/array (lists and []byte). */
export function isSliceLike(v: unknown): v is unknown[] | Uint8Array {
  return Array.isArray(v) || v instanceof Uint8Array;
}

/** Elements of a slice as interface{} values. */
export function sliceItems(v: unknown[] | Uint8Array): unknown[] {
  if (v instanceof Uint8Array) return Array.from(v, (b) => GoInt.of("uint8", b));
  return v;
}

export function stringList(items: string[]): string[] {
  return setSliceElemType(items, "string");
}

export function intList(items: number[]): GoInt[] {
  return setSliceElemType(
    items.map((i) => GoInt.int(i)),
    "int",
  );
}

/** Sprig's empty(): reflect zero-ness; structs are never empty. */
export function empty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  switch (typeof v) {
    case "string":
      return v.length === 0;
    case "number":
      return v === 0;
    case "boolean":
      return !v;
    default:
      break;
  }
  if (v instanceof GoInt) return v.v === 0n;
  if (isMap(v)) return v.size === 0;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof GoComplex) return v.re === 0 && v.im === 0;
  if (v instanceof GoObject) return v.goLen() === 0;
  return false;
}

// --- spf13/cast ------------------------------------------------------------------------------

/** strconv.ParseInt(s, base, 64); returns null on any error (syntax or range). */
export function parseGoInt(s: string, base: number, bits = 64): bigint | null {
  let i = 0;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    neg = s[0] === "-";
    i = 1;
  }
  let body = s.slice(i);
  let b = base;
  let allowUnderscore = false;
  if (base === 0) {
    b = 10;
    const lower = body.toLowerCase();
    if (lower.startsWith("0x")) {
      b = 16;
      body = body.slice(2);
      allowUnderscore = true;
    } else if (lower.startsWith("0o")) {
      b = 8;
      body = body.slice(2);
      allowUnderscore = true;
    } else if (lower.startsWith("0b")) {
      b = 2;
      body = body.slice(2);
      allowUnderscore = true;
    } else if (body.startsWith("0") && body.length > 1) {
      b = 8;
      body = body.slice(1);
      allowUnderscore = true;
    } else {
      allowUnderscore = true;
    }
  }
  if (body.length === 0) return null;
  if (allowUnderscore && body.includes("_")) {
    // Go's underscoreOK: underscores only between digits (or after the base prefix).
    const full = s.slice(i);
    if (!underscoreOK(full)) return null;
    body = body.replaceAll("_", "");
    if (body.length === 0) return null;
  } else if (body.includes("_")) {
    return null;
  }
  let v = 0n;
  const bb = BigInt(b);
  for (const c of body.toLowerCase()) {
    const d = c >= "0" && c <= "9" ? c.charCodeAt(0) - 48 : c >= "a" && c <= "z" ? c.charCodeAt(0) - 87 : 99;
    if (d >= b) return null;
    v = v * bb + BigInt(d);
  }
  if (neg) v = -v;
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -(1n << BigInt(bits - 1));
  if (v > max || v < min) return null;
  return v;
}


function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") {
      foundZero = true;
    } else {
      return s;
    }
  }
  return s;
}

/** Go's float64 -> int64 conversion as amd64 does it (out of range: MinInt64). */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

/** cast.ToInt64 (errors give 0). */
export function toInt64(v: unknown): bigint {
  if (v === undefined || v === null) return 0n;
  if (v instanceof GoInt) return BigInt.asIntN(64, v.v);
  if (typeof v === "number") return floatToInt64(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") return parseGoInt(trimZeroDecimal(v), 0) ?? 0n;
  return 0n;
}

/** cast.ToInt (int is 64-bit). */
export function toInt(v: unknown): bigint {
  return toInt64(v);
}

/** strconv.ParseFloat(s, 64); null on error. */
export function parseGoFloat(s: string): number | null {
  let t = s;
  let sign = 1;
  if (t.startsWith("+") || t.startsWith("-")) {
    if (t[0] === "-") sign = -1;
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  if (lower === "inf" || lower === "infinity") return sign * Infinity;
  if (lower === "nan") return NaN;
  if (t.includes("_")) {
    if (!underscoreOK(t)) return null;
    t = t.replaceAll("_", "");
  }
  if (/^0x/i.test(t)) {
    const m = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(t);
    if (m === null) return null;
    const ip = m[1] ?? "";
    const fp = m[2] ?? "";
    if (ip.length + fp.length === 0) return null;
    let mant = 0;
    for (const c of ip + fp) mant = mant * 16 + parseInt(c, 16);
    return sign * mant * Math.pow(2, Number(m[3]) - 4 * fp.length);
  }
  if (!/^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return null;
  const f = Number(t);
  if (!Number.isFinite(f)) return null; // range error
  return sign * f;
}

/** cast.ToFloat64 (errors give 0). */
export function toFloat64(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === "number") return v;
  if (v instanceof GoInt) return Number(v.v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return parseGoFloat(v) ?? 0;
  return 0;
}

// --- reflect.DeepEqual -----------------------------------------------------------------------

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeName(a) !== typeName(b)) return false;
  if (typeof a === "number") return a === b; // NaN != NaN as in Go
  if (typeof a !== "object") return a === b;
  if (a instanceof GoInt) return b instanceof GoInt && a.v === b.v;
  if (a instanceof GoComplex) return b instanceof GoComplex && a.re === b.re && a.im === b.im;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    if (a === b) return true;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (isMap(a)) {
    if (!isMap(b) || a.size !== b.size) return false;
    if (a === b) return true;
    for (const [k, v] of a) {
      if (!b.has(k)) return false;
      if (!deepEqual(v, b.get(k))) return false;
    }
    return true;
  }
  if (a instanceof GoObject && b instanceof GoObject) {
    const ea = (a as { equals?: (o: unknown) => boolean }).equals;
    if (typeof ea === "function") return ea.call(a, b);
    return a === b;
  }
  return a === b;
}

// --- deep copy (copystructure) --------------------------------------------------------------

export function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = v.map(deepCopy);
    return setSliceElemType(out, sliceElemType(v));
  }
  if (v instanceof Uint8Array) return v.slice();
  if (isMap(v)) {
    const out: GoMap = new Map();
    for (const [k, x] of v) out.set(k, deepCopy(x));
    const tn = mapTypeName(v);
    if (tn !== "map[string]interface {}") {
      // Keep the named type (deepCopy .Values stays chartutil.Values).
      return setMapTypeName(out, tn);
    }
    return out;
  }
  return v;
}


/** Go type-assertion failure text: interface conversion: interface {} is X, not Y. */
export function conversionPanic(v: unknown, want: string): FuncError {
  return new FuncError(`interface conversion: interface {} is ${typeName(v)}, not ${want}`);
}

/** reflect.TypeOf(nil).Kind() panics with a nil-pointer runtime error. */
export const NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference";

/** reflect Kind name as Sprig's error messages print it (`Cannot push on type string`). */
export function kindOfForError(v: unknown): string {
  if (v === undefined || v === null) throw new FuncError(NIL_DEREF);
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (v instanceof GoInt) return v.kind;
  if (isMap(v)) return "map";
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof GoObject) return v.goKind;
  if (v instanceof GoFunc) return "func";
  return "invalid";
}
