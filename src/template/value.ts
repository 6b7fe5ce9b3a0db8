// The Go value model used by the template engine.
//
// Go values are represented by JS values as follows:
//   undefined          the invalid reflect.Value ("no value")
//   null               a nil interface{} (or a nil map/slice/pointer stored in an interface)
//   string             Go string (UTF-8 text; byte semantics are computed where Go uses them)
//   number             float64
//   boolean            bool
//   GoInt              every integer kind (int, int64, uint8, ...), value as bigint
//   GoComplex          complex128
//   unknown[]          a slice; []interface{} unless a different element type is registered
//   Map<string, ...>   map[string]interface{}; a named map type can be registered (chartutil.Values)
//   Uint8Array         []byte
//   GoObject           structs and pointers to structs with fields and methods
//   GoFunc             a function value

import { isUtf8 } from "node:buffer";

export type IntKind =
  | "int"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "uintptr";

const INT_BITS: Record<IntKind, number> = {
  int: 64,
  int8: 8,
  int16: 16,
  int32: 32,
  int64: 64,
  uint: 64,
  uint8: 8,
  uint16: 16,
  uint32: 32,
  uint64: 64,
  uintptr: 64,
};

export class GoInt {
  constructor(
    readonly kind: IntKind,
    readonly v: bigint,
  ) {}

  get signed(): boolean {
    return !this.kind.startsWith("u");
  }

  /** Wraps `v` to the width of `kind`, as Go's integer conversion does. */
  static of(kind: IntKind, v: bigint | number): GoInt {
    const b = typeof v === "bigint" ? v : BigInt(v);
    const bits = INT_BITS[kind];
    const wrapped = kind.startsWith("u") ? BigInt.asUintN(bits, b) : BigInt.asIntN(bits, b);
    return new GoInt(kind, wrapped);
  }

  static int(v: bigint | number): GoInt {
    return GoInt.of("int", v);
  }

  static int64(v: bigint | number): GoInt {
    return GoInt.of("int64", v);
  }

  toNumber(): number {
    return Number(this.v);
  }
}

export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** Parameter/result types known to the evaluator for function-argument checks. */
export type GoType =
  | "any" // interface{}
  | "value" // reflect.Value (builtins that see the raw value)
  | "string"
  | "int"
  | "int64"
  | "uint8"
  | "float64"
  | "bool"
  | "map" // map[string]interface{}
  | "list" // []interface{}
  | "strings" // []string
  | "bytes"; // []byte

export function goTypeString(t: GoType): string {
  switch (t) {
    case "any":
      return "interface {}";
    case "value":
      return "reflect.Value";
    case "map":
      return "map[string]interface {}";
    case "list":
      return "[]interface {}";
    case "strings":
      return "[]string";
    case "bytes":
      return "[]uint8";
    default:
      return t;
  }
}

export type GoFuncImpl = (...args: unknown[]) => unknown;

/** A callable exposed to templates (function map entry, method, or function value). */
export class GoFunc {
  constructor(
    readonly name: string,
    readonly params: readonly GoType[],
    readonly variadic: GoType | null,
    readonly impl: GoFuncImpl,
    readonly result: GoType = "any",
  ) {}
}

/** Structs (or pointers to structs) with Go fields and methods, e.g. Helm's Capabilities. */
export abstract class GoObject {
  /** Go type name as printed by %T / typeOf, e.g. "*chartutil.Capabilities". */
  abstract readonly goType: string;
  /** reflect.Kind name: "struct" or "ptr". */
  get goKind(): string {
    return this.goType.startsWith("*") ? "ptr" : "struct";
  }
  /** Returns a method bound to this receiver, or undefined. */
  method(_name: string): GoFunc | undefined {
    return undefined;
  }
  /** Returns whether the struct has the exported field and its value. */
  field(_name: string): { value: unknown } | undefined {
    return undefined;
  }
  /**
   * len() of a map- or slice-kinded named type (Helm's `engine.files` is a map[string][]byte); undefined
   * for structs and pointers, which have no length. The builtin `len`, the truth test of if/with/and/or/not
   * and Sprig's emptiness all go through it.
   */
  goLen(): number | undefined {
    return undefined;
  }
  /** fmt %v formatting of the value. */
  abstract format(): string;
}

// Named types and typed slices.
const mapTypeNames = new WeakMap<Map<string, unknown>, string>();
const sliceElemTypes = new WeakMap<unknown[], string>();

export type GoMap = Map<string, unknown>;

export function setMapTypeName(m: GoMap, name: string): GoMap {
  mapTypeNames.set(m, name);
  return m;
}

export function mapTypeName(m: GoMap): string {
  return mapTypeNames.get(m) ?? "map[string]interface {}";
}

export function setSliceElemType<T extends unknown[]>(s: T, elem: string): T {
  sliceElemTypes.set(s, elem);
  return s;
}

export function sliceElemType(s: unknown[]): string {
  return sliceElemTypes.get(s) ?? "interface {}";
}

export function isMap(v: unknown): v is GoMap {
  return v instanceof Map;
}

/** Go type name as %T prints it (typeOf). undefined/null print as <nil>. */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      break;
  }
  if (v instanceof GoInt) return v.kind;
  if (isMap(v)) return mapTypeName(v);
  if (Array.isArray(v)) return "[]" + sliceElemType(v);
  if (v instanceof Uint8Array) return "[]uint8";
  if (v instanceof GoObject) return v.goType;
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof GoFunc) return "func";
  return "interface {}";
}

/** reflect.Kind name (kindOf). */
export function kindName(v: unknown): string {
  if (v === undefined || v === null) return "invalid";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    default:
      break;
  }
  if (v instanceof GoInt) return v.kind;
  if (v instanceof Map) return "map";
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof GoObject) return v.goKind;
  if (v instanceof GoComplex) return "complex128";
  if (v instanceof GoFunc) return "func";
  return "invalid";
}

/** text/template truth: false, 0, "", nil, empty collections are false; structs are true. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "boolean":
      return v;
    default:
      break;
  }
  if (v instanceof GoInt) return v.v !== 0n;
  if (v instanceof Map) return v.size > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  if (v instanceof GoObject) {
    const n = v.goLen();
    return n === undefined || n > 0;
  }
  return true;
}

const utf8 = new TextEncoder();

/** Length of a Go string in bytes. */
export function byteLength(s: string): number {
  // Fast path for ASCII.
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? s.length : stringBytes(s).length;
}

/*
 * A Go string is any sequence of bytes; a JS string holds UTF-16. Bytes that are not valid UTF-8 (a binary file
 * read with .Files.Get, b64dec of binary data) are kept as lone low surrogates U+DC80..U+DCFF, one per byte, which
 * valid UTF-8 never decodes to; stringBytes turns them back into the bytes.
 */
const ESCAPE_BASE = 0xdc00;
const SURROGATE = /[\ud800-\udfff]/;

/** The bytes of a Go string (UTF-8, with escaped bytes restored). */
export function stringBytes(s: string): Uint8Array {
  if (!SURROGATE.test(s)) return utf8.encode(s);
  const out: number[] = [];
  let start = 0;
  const flush = (end: number): void => {
    if (end > start) for (const b of utf8.encode(s.slice(start, end))) out.push(b);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    } else if (c < 0xdc00 || c > 0xdfff) {
      continue;
    }
    // A lone surrogate: an escaped byte, or U+FFFD as Go encodes an invalid rune.
    flush(i);
    if (c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xff) out.push(c - ESCAPE_BASE);
    else out.push(0xef, 0xbf, 0xbd);
    start = i + 1;
  }
  flush(s.length);
  return Uint8Array.from(out);
}

const utf8Decoder = new TextDecoder("utf-8");

/** The length of the valid UTF-8 sequence at b[i] (Go's rules: no overlongs, surrogates or > U+10FFFF), or 0. */
function utf8SequenceAt(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + j];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Go's string(b): valid UTF-8 decodes as usual, other bytes are kept (escaped, see stringBytes). */
export function bytesToString(b: Uint8Array): string {
  if (isUtf8(b)) return utf8Decoder.decode(b);
  let out = "";
  let start = 0;
  let i = 0;
  while (i < b.length) {
    const n = utf8SequenceAt(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) out += utf8Decoder.decode(b.subarray(start, i));
    out += String.fromCharCode(ESCAPE_BASE + b[i]!);
    i++;
    start = i;
  }
  if (i > start) out += utf8Decoder.decode(b.subarray(start, i));
  return out;
}

/** Compares two Go strings byte-wise (UTF-8 order equals code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  // Fast path: below U+D800 a UTF-16 unit is the code point, so the first differing unit decides.
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i < n) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca < 0xd800 && cb < 0xd800) return ca < cb ? -1 : 1;
  } else {
    return a.length < b.length ? -1 : 1;
  }
  // UTF-16 order differs from code point order only for surrogates vs U+E000..U+FFFF.
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Map keys in Go's fmtsort order (string keys: byte-wise). */
export function sortedKeys(m: GoMap): string[] {
  return [...m.keys()].sort(compareStrings);
}
