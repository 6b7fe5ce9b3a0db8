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
  return ascii ? s.length : utf8.encode(s).length;
}

export function stringBytes(s: string): Uint8Array {
  return utf8.encode(s);
}

const utf8Decoder = new TextDecoder("utf-8");

export function bytesToString(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** Compares two Go strings byte-wise (UTF-8 order equals code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order differs from code point order only for surrogates vs U+E000..U+FFFF.
  const n = Math.min(a.length, b.length);
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
