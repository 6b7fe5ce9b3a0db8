// encoding/json as Go templates reach it, for both Helm's toJson/fromJson/toYaml and Sprig's JSON
// functions: Marshal, MarshalIndent and an Encoder without HTML escaping over Go values (sorted
// keys, Go's float format, []byte as base64, cycle detection), and Unmarshal into interface{} with
// Go's error messages. Takes Go values and JSON text; imports only the value model and strconv.

import { formatFloat, quote } from "./strconv.js";
import { GoComplex, GoFunc, GoInt, GoObject, isMap, sortedKeys, typeName } from "./value.js";

export class JsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonError";
  }
}

/** A JSON number as text, exactly as encoding/json prints it. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object: keys[i] maps to values[i], in encoding/json's (byte-wise sorted) order unless asked otherwise. */
export class JsonObject {
  constructor(
    readonly keys: string[],
    readonly values: JsonTree[],
  ) {}
}

export type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | JsonObject;

/** A Go struct's JSON form: its fields in declaration order (structs are not sorted like maps). */
export class JsonStruct {
  constructor(readonly fields: readonly (readonly [string, unknown])[]) {}
}

/** A GoObject that knows its JSON form (time.Time, *semver.Version, structs). */
export interface JsonMarshaler {
  toJSONValue(): unknown;
}

function isMarshaler(v: unknown): v is JsonMarshaler {
  return typeof (v as Partial<JsonMarshaler>).toJSONValue === "function";
}

/** encoding/json's float64 format. */
export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JsonError(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    let s = formatFloat(f, "e", -1);
    const n = s.length;
    if (n >= 4 && s[n - 4] === "e" && s[n - 3] === "-" && s[n - 2] === "0") s = s.slice(0, n - 2) + s.slice(n - 1);
    return s;
  }
  return formatFloat(f, "f", -1);
}

function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

// encoding/json only starts remembering maps and slices this deep, so which container of a cycle
// the error names depends on where the walk started (checked against helm).
const CYCLE_CHECK_DEPTH = 1000;

/**
 * json.Marshal's view of a Go value; throws JsonError like Marshal fails. Given `sortKeys`, a map's keys are
 * sorted byte-wise only when `sortKeys(keys)` says so, else they stay in the map's order: for a caller that
 * sorts them its own way. Which error is thrown first may then differ from Marshal's, so such a caller
 * repeats the walk sorted when it fails.
 */
export function toJsonTree(v: unknown, sortKeys: ((keys: string[]) => boolean) | null = null): JsonTree {
  return new TreeWalk(sortKeys).walk(v, 0);
}

class TreeWalk {
  private readonly seen = new Set<object>();
  constructor(private readonly sortKeys: ((keys: string[]) => boolean) | null) {}

  walk(x: unknown, depth: number): JsonTree {
    if (x === undefined || x === null) return null;
    switch (typeof x) {
      case "string":
      case "boolean":
        return x;
      case "number":
        return new JsonNumber(jsonFloat(x));
      default:
        break;
    }
    if (x instanceof GoInt) return new JsonNumber(x.v.toString());
    if (x instanceof Uint8Array) return base64(x);
    if (Array.isArray(x) || isMap(x)) {
      const check = depth > CYCLE_CHECK_DEPTH;
      if (check) {
        if (this.seen.has(x)) throw new JsonError(`json: unsupported value: encountered a cycle via ${typeName(x)}`);
        this.seen.add(x);
      }
      try {
        if (Array.isArray(x)) {
          const out: JsonTree[] = [];
          for (let i = 0; i < x.length; i++) out.push(this.walk(x[i], depth + 1));
          return out;
        }
        let keys: string[];
        if (this.sortKeys === null) keys = sortedKeys(x);
        else {
          keys = [...x.keys()];
          if (this.sortKeys(keys)) keys = sortedKeys(x);
        }
        const values: JsonTree[] = [];
        for (let i = 0; i < keys.length; i++) values.push(this.walk(x.get(keys[i]!), depth + 1));
        return new JsonObject(keys, values);
      } finally {
        if (check) this.seen.delete(x);
      }
    }
    if (x instanceof JsonStruct) {
      const fields = x.fields;
      const keys: string[] = [];
      const values: JsonTree[] = [];
      for (let i = 0; i < fields.length; i++) {
        keys.push(fields[i]![0]);
        values.push(this.walk(fields[i]![1], depth + 1));
      }
      return new JsonObject(keys, values);
    }
    if (isMarshaler(x)) return this.walk(x.toJSONValue(), depth);
    if (x instanceof GoComplex || x instanceof GoFunc) throw new JsonError(`json: unsupported type: ${typeName(x)}`);
    if (x instanceof GoObject) return new JsonObject([], []);
    return null;
  }
}

const HEX = "0123456789abcdef";

// Whether jsonString may change a character: controls, '"', '\\', U+2028, U+2029, surrogates (only a lone
// one is replaced) and, with HTML escaping, '<', '>', '&'. Most strings have none. (Written as the
// characters that stay as they are.)
const JSON_ESCAPED_HTML = /[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\u2027\u202a-\ud7ff\ue000-\uffff]/;
const JSON_ESCAPED = /[^\x20\x21\x23-\x5b\x5d-\u2027\u202a-\ud7ff\ue000-\uffff]/;

/** encoding/json's string encoding; U+2028/U+2029 are escaped even without HTML escaping. */
export function jsonString(s: string, escapeHTML = true): string {
  if (!(escapeHTML ? JSON_ESCAPED_HTML : JSON_ESCAPED).test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      if (c === 0x0a) esc = "\\n";
      else if (c === 0x0d) esc = "\\r";
      else if (c === 0x09) esc = "\\t";
      else if (c === 0x08) esc = "\\b";
      else if (c === 0x0c) esc = "\\f";
      else esc = "\\u00" + HEX[c >> 4]! + HEX[c & 0xf]!;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = "\\\\";
    else if (escapeHTML && c === 0x3c) esc = "\\u003c";
    else if (escapeHTML && c === 0x3e) esc = "\\u003e";
    else if (escapeHTML && c === 0x26) esc = "\\u0026";
    else if (c === 0x2028) esc = "\\u2028";
    else if (c === 0x2029) esc = "\\u2029";
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      esc = "\ufffd";
    }
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** How json.Marshal (the default), MarshalIndent(v, "", indent) or an Encoder writes text. */
export interface JsonFormat {
  /** false as after Encoder.SetEscapeHTML(false). */
  escapeHTML?: boolean;
  indent?: string;
}

export function jsonText(t: JsonTree, format: JsonFormat = {}): string {
  return writeJson(t, 0, format.escapeHTML ?? true, format.indent);
}

function writeJson(x: JsonTree, depth: number, escapeHTML: boolean, indent: string | undefined): string {
  if (x === null) return "null";
  if (typeof x === "string") return jsonString(x, escapeHTML);
  if (typeof x === "boolean") return x ? "true" : "false";
  if (x instanceof JsonNumber) return x.text;
  const isArray = Array.isArray(x);
  const n = isArray ? x.length : x.keys.length;
  if (n === 0) return isArray ? "[]" : "{}";
  // Between items: "," alone, or "," then a new line and the indent of this depth plus one.
  const nl = indent === undefined ? "" : "\n" + indent.repeat(depth);
  const sep = indent === undefined ? "," : "," + nl + indent;
  let out = (isArray ? "[" : "{") + (indent === undefined ? "" : nl + indent);
  for (let i = 0; i < n; i++) {
    if (i > 0) out += sep;
    if (isArray) {
      out += writeJson(x[i]!, depth + 1, escapeHTML, indent);
    } else {
      out += jsonString(x.keys[i]!, escapeHTML);
      out += indent === undefined ? ":" : ": ";
      out += writeJson(x.values[i]!, depth + 1, escapeHTML, indent);
    }
  }
  return out + nl + (isArray ? "]" : "}");
}

/** json.Marshal of a Go value (or MarshalIndent / a non-escaping Encoder, per format). */
export function marshalJson(v: unknown, format: JsonFormat = {}): string {
  return jsonText(toJsonTree(v), format);
}

// ---------------------------------------------------------------------------------------------
// Unmarshal

/** The JSON kind of a value as UnmarshalTypeError names it ("null" for null). */
export type JsonKind = "object" | "array" | "string" | "number" | "bool" | "null";

/** The JSON kind of a decoded Go value. */
export function jsonKind(v: unknown): JsonKind {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  return "object";
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = quote(c);
  return "'" + q.slice(1, -1) + "'";
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  i = 0;
  /** The first number float64 cannot hold: Go decodes it as nil and reports it at the end. */
  rangeError: JsonError | null = null;
  constructor(readonly s: string) {}

  private fail(context: string, atEof = "unexpected end of JSON input"): never {
    if (this.i >= this.s.length) throw new JsonError(atEof);
    const cp = this.s.codePointAt(this.i) ?? 0;
    // The scanner works on bytes: a non-ASCII character is reported by its first byte.
    const ch = cp < 0x80 ? String.fromCharCode(cp) : String.fromCharCode(Buffer.from(String.fromCodePoint(cp))[0] ?? 0);
    throw new JsonError(`invalid character ${quoteChar(ch)} ${context}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  top(): { value: unknown; kind: JsonKind } {
    this.ws();
    const c = this.s[this.i];
    const kind: JsonKind =
      c === "{" ? "object" : c === "[" ? "array" : c === '"' ? "string" : c === "t" || c === "f" ? "bool" : c === "n" ? "null" : "number";
    const value = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail("after top-level value");
    return { value, kind };
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    return this.fail("looking for beginning of value");
  }

  private literal(word: string, v: unknown): unknown {
    for (let k = 0; k < word.length; k++) {
      if (this.s[this.i] !== word[k]) {
        if (k === 0) this.fail("looking for beginning of value");
        const ctx = `in literal ${word} (expecting ${quoteChar(word[k]!)})`;
        this.fail(ctx, `invalid character ' ' ${ctx}`);
      }
      this.i++;
    }
    return v;
  }

  private number(): number | null {
    const s = this.s;
    const start = this.i;
    if (s[this.i] === "-") this.i++;
    const digit = (): boolean => this.i < s.length && s[this.i]! >= "0" && s[this.i]! <= "9";
    if (s[this.i] === "0") this.i++;
    else if (digit()) while (digit()) this.i++;
    else this.fail("in numeric literal", "invalid character ' ' in numeric literal");
    if (s[this.i] === ".") {
      this.i++;
      if (!digit()) this.fail("after decimal point in numeric literal", "invalid character ' ' after decimal point in numeric literal");
      while (digit()) this.i++;
    }
    if (s[this.i] === "e" || s[this.i] === "E") {
      this.i++;
      if (s[this.i] === "+" || s[this.i] === "-") this.i++;
      if (!digit()) this.fail("in exponent of numeric literal", "invalid character ' ' in exponent of numeric literal");
      while (digit()) this.i++;
    }
    const lit = s.slice(start, this.i);
    const f = Number(lit);
    if (Number.isFinite(f)) return f;
    this.rangeError ??= new JsonError(`json: cannot unmarshal number ${lit} into Go value of type float64`);
    return null;
  }

  /** The four hex digits of a \u escape at i (just after "\u"), or -1 if they are not there. */
  private hex4(i: number): number {
    const h = this.s.slice(i, i + 4);
    return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = "";
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("");
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("in string literal");
      if (c === 0x5c) {
        out += s.slice(start, this.i);
        this.i++;
        const e = s[this.i];
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          this.i++;
        } else if (e === "u") {
          this.i++;
          for (let k = 0; k < 4; k++) {
            const h = s[this.i + k];
            if (h === undefined || !/[0-9a-fA-F]/.test(h)) {
              this.i += k;
              this.fail("in \\u hexadecimal character escape");
            }
          }
          const code = this.hex4(this.i);
          this.i += 4;
          if (code < 0xd800 || code > 0xdfff) out += String.fromCharCode(code);
          else {
            // A surrogate only counts as half of a \u pair; anything else decodes as U+FFFD.
            const low = s[this.i] === "\\" && s[this.i + 1] === "u" ? this.hex4(this.i + 2) : -1;
            if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(code, low);
              this.i += 6;
            } else out += "\ufffd";
          }
        } else {
          this.fail("in string escape code");
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "]") {
        this.i++;
        return out;
      }
      this.fail("after array element");
    }
  }

  private object(): Map<string, unknown> {
    this.i++;
    const out = new Map<string, unknown>();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("looking for beginning of object key string");
      const k = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("after object key");
      this.i++;
      out.set(k, this.value());
      this.ws();
      const c = this.s[this.i];
      if (c === ",") {
        this.i++;
        continue;
      }
      if (c === "}") {
        this.i++;
        return out;
      }
      this.fail("after object key:value pair");
    }
  }
}

/** What json.Unmarshal into interface{} leaves behind. */
export interface JsonDecoded {
  value: unknown;
  /** The kind of the top-level JSON value (a number stays "number" even when it decoded as nil). */
  kind: JsonKind;
  /** The error Unmarshal returns after decoding the rest: a number float64 cannot hold (it decodes as nil). */
  error: JsonError | null;
}

/** json.Unmarshal into interface{}: objects become maps, numbers float64. Throws JsonError on a syntax error. */
export function decodeJson(text: string): JsonDecoded {
  const p = new Parser(text);
  const { value, kind } = p.top();
  return { value, kind, error: p.rangeError };
}

/** json.Unmarshal into interface{}, throwing JsonError on any error. */
export function parseJson(text: string): unknown {
  const d = decodeJson(text);
  if (d.error !== null) throw d.error;
  return d.value;
}

/**
 * A parsed JSON value (JSON.parse's result) as Kubernetes' unstructured decoding leaves it for templates: objects
 * become maps, whole numbers int64, other numbers float64 (what Helm's `lookup` returns).
 */
export function goValueOfJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => goValueOfJson(x));
  if (typeof v === "number") return Number.isSafeInteger(v) ? GoInt.int64(v) : v;
  if (typeof v === "object" && v !== null) return new Map(Object.entries(v).map(([k, x]) => [k, goValueOfJson(x)]));
  return v;
}

/** goValueOfJson of a JSON object. */
export function goMapOfJson(v: Readonly<Record<string, unknown>>): Map<string, unknown> {
  return goValueOfJson(v) as Map<string, unknown>;
}
