// encoding/json as Go templates reach it: Marshal of Go values (sorted keys, HTML escaping, Go's
// float format, []byte as base64) and Unmarshal into interface{} with Go's error messages.

import { formatFloat, quote } from "../strconv.js";
import { GoComplex, GoFunc, GoInt, GoObject, isMap, sortedKeys, typeName } from "../value.js";

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

/** A JSON object with keys in encoding/json's (byte-wise sorted) order. */
export class JsonObject {
  constructor(readonly pairs: [string, JsonTree][]) {}
}

export type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | JsonObject;

/** A Go object that knows how json.Marshal sees it. */
export interface JsonMarshaler {
  jsonValue(): unknown;
}

function isMarshaler(v: unknown): v is JsonMarshaler {
  return typeof (v as { jsonValue?: unknown }).jsonValue === "function";
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

/** json.Marshal's view of a Go value; throws JsonError like Marshal fails. */
export function toJsonTree(v: unknown, depth = 0): JsonTree {
  if (v === undefined || v === null) return null;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return new JsonNumber(jsonFloat(v));
    default:
      break;
  }
  if (depth > 1000) throw new JsonError("json: unsupported value: encountered a cycle");
  if (v instanceof GoInt) return new JsonNumber(v.v.toString());
  if (isMap(v)) {
    const pairs: [string, JsonTree][] = [];
    for (const k of sortedKeys(v)) pairs.push([k, toJsonTree(v.get(k), depth + 1)]);
    return new JsonObject(pairs);
  }
  if (Array.isArray(v)) return v.map((e) => toJsonTree(e, depth + 1));
  if (v instanceof Uint8Array) return base64(v);
  if (v instanceof GoObject) {
    if (isMarshaler(v)) return toJsonTree(v.jsonValue(), depth + 1);
    return new JsonObject([]);
  }
  if (v instanceof GoComplex || v instanceof GoFunc) throw new JsonError(`json: unsupported type: ${typeName(v)}`);
  return null;
}

const HEX = "0123456789abcdef";

/** encoding/json's string encoding with HTML escaping. */
export function jsonString(s: string): string {
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
    else if (c === 0x3c) esc = "\\u003c";
    else if (c === 0x3e) esc = "\\u003e";
    else if (c === 0x26) esc = "\\u0026";
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

export function jsonText(t: JsonTree): string {
  if (t === null) return "null";
  if (typeof t === "boolean") return t ? "true" : "false";
  if (typeof t === "string") return jsonString(t);
  if (t instanceof JsonNumber) return t.text;
  if (Array.isArray(t)) return "[" + t.map(jsonText).join(",") + "]";
  return "{" + t.pairs.map(([k, v]) => jsonString(k) + ":" + jsonText(v)).join(",") + "}";
}

/** json.Marshal of a Go value. */
export function marshalJson(v: unknown): string {
  return jsonText(toJsonTree(v));
}

// ---------------------------------------------------------------------------------------------
// Unmarshal

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = quote(c);
  return "'" + q.slice(1, -1) + "'";
}

class Parser {
  i = 0;
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

  top(): unknown {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail("after top-level value");
    return v;
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

  private number(): number {
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
    return Number(s.slice(start, this.i));
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
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.i++;
        } else if (e === "u") {
          this.i++;
          let code = 0;
          for (let k = 0; k < 4; k++) {
            const h = s[this.i];
            if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.fail("in \\u hexadecimal character escape");
            code = code * 16 + parseInt(h, 16);
            this.i++;
          }
          out += String.fromCharCode(code);
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

/** json.Unmarshal into interface{}: objects become maps, numbers float64. Throws JsonError. */
export function parseJson(text: string): unknown {
  return new Parser(text).top();
}

/** The JSON kind name encoding/json uses in UnmarshalTypeError. */
export function jsonKind(v: unknown): string {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "array";
  return "object";
}
