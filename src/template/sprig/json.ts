// Go encoding/json as Sprig's JSON functions use it: Marshal, MarshalIndent, an Encoder without
// HTML escaping, and Unmarshal into interface{} with Go's syntax-error texts.

import { FuncError } from "../errors.js";
import { formatFloat, quote as goQuote } from "../strconv.js";
import { GoComplex, GoFunc, GoInt, GoObject, isMap, sortedKeys, stringBytes, typeName, bytesToString } from "../value.js";
import { base64Encode } from "./numeric.js";

/** A GoObject that knows its JSON form (time.Time, *semver.Version, structs). */
export interface JSONMarshaler {
  toJSONValue(): unknown;
}

function hasJSON(v: unknown): v is JSONMarshaler {
  return typeof (v as Partial<JSONMarshaler>).toJSONValue === "function";
}

export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    switch (c) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || cp === 0x2028 || cp === 0x2029 || (escapeHTML && (c === "<" || c === ">" || c === "&"))) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += "\ufffd";
    } else out += c;
  }
  return out + '"';
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  const abs = Math.abs(f);
  let fmt: "f" | "e" = "f";
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) fmt = "e";
  let s = formatFloat(f, fmt, -1);
  if (fmt === "e") s = s.replace(/e-0(\d)$/, "e-$1");
  return s;
}

export function marshalJSON(v: unknown, escapeHTML = true, indent: string | null = null): string {
  const enc = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return "null";
    if (typeof x === "string") return jsonString(x, escapeHTML);
    if (typeof x === "boolean") return x ? "true" : "false";
    if (typeof x === "number") return jsonFloat(x);
    if (x instanceof GoInt) return x.v.toString();
    if (x instanceof Uint8Array) return '"' + base64Encode(x) + '"';
    const nl = (d: number): string => (indent === null ? "" : "\n" + indent.repeat(d));
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return "[" + x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(",") + nl(depth) + "]";
    }
    if (isMap(x)) {
      if (x.size === 0) return "{}";
      const sep = indent === null ? ":" : ": ";
      return (
        "{" +
        sortedKeys(x)
          .map((k) => nl(depth + 1) + jsonString(k, escapeHTML) + sep + enc(x.get(k), depth + 1))
          .join(",") +
        nl(depth) +
        "}"
      );
    }
    if (hasJSON(x)) return enc(x.toJSONValue(), depth);
    if (x instanceof GoComplex || x instanceof GoFunc) throw new FuncError(`json: unsupported type: ${typeName(x)}`);
    if (x instanceof GoObject) return "{}";
    return "null";
  };
  return enc(v, 0);
}

// --- decoding ---------------------------------------------------------------------------------

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = goQuote(c);
  return "'" + q.slice(1, -1) + "'";
}

class JSONSyntaxError extends Error {}

/** json.Unmarshal into interface{}. */
export function unmarshalJSON(text: string): unknown {
  const s = text;
  let i = 0;
  const eof = (): never => {
    throw new JSONSyntaxError("unexpected end of JSON input");
  };
  const bad = (ctx: string): never => {
    const c = String.fromCodePoint(s.codePointAt(i) ?? 0);
    throw new JSONSyntaxError(`invalid character ${quoteChar(c)} ${ctx}`);
  };
  // At the end of input Go's scanner steps a ' ', which fails inside literals and numbers.
  const badEOF = (ctx: string): never => {
    throw new JSONSyntaxError(`invalid character ' ' ${ctx}`);
  };
  const ws = (): void => {
    while (i < s.length && " \t\r\n".includes(s[i] ?? "")) i++;
  };
  const value = (): unknown => {
    ws();
    if (i >= s.length) eof();
    const c = s[i];
    if (c === "{") {
      i++;
      const m = new Map<string, unknown>();
      ws();
      if (i >= s.length) eof();
      if (s[i] === "}") {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (i >= s.length) eof();
        if (s[i] !== '"') bad("looking for beginning of object key string");
        const k = str();
        ws();
        if (i >= s.length) eof();
        if (s[i] !== ":") bad("after object key");
        i++;
        m.set(k, value());
        ws();
        if (i >= s.length) eof();
        if (s[i] === ",") {
          i++;
          continue;
        }
        if (s[i] === "}") {
          i++;
          return m;
        }
        bad("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      const a: unknown[] = [];
      ws();
      if (i >= s.length) eof();
      if (s[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (i >= s.length) eof();
        if (s[i] === ",") {
          i++;
          continue;
        }
        if (s[i] === "]") {
          i++;
          return a;
        }
        bad("after array element");
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
    for (const [lit, val] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (c === lit[0]) {
        i++;
        for (let k = 1; k < lit.length; k++) {
          if (i >= s.length) badEOF(`in literal ${lit} (expecting ${quoteChar(lit[k] ?? "")})`);
          if (s[i] !== lit[k]) bad(`in literal ${lit} (expecting ${quoteChar(lit[k] ?? "")})`);
          i++;
        }
        return val;
      }
    }
    return bad("looking for beginning of value");
  };
  const str = (): string => {
    i++;
    let out = "";
    for (;;) {
      if (i >= s.length) eof();
      const c = s[i] ?? "";
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        i++;
        if (i >= s.length) eof();
        const e = s[i] ?? "";
        const map: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        const m = map[e];
        if (m !== undefined) {
          out += m;
          i++;
          continue;
        }
        if (e === "u") {
          i++;
          let h = "";
          for (let k = 0; k < 4; k++) {
            if (i >= s.length) eof();
            if (!/[0-9a-fA-F]/.test(s[i] ?? "")) bad("in \\u hexadecimal character escape");
            h += s[i];
            i++;
          }
          out += String.fromCharCode(parseInt(h, 16));
          continue;
        }
        bad("in string escape code");
      }
      if (c.charCodeAt(0) < 0x20) bad("in string literal");
      out += c;
      i++;
    }
  };
  const num = (): number => {
    const start = i;
    if (s[i] === "-") {
      i++;
      if (i >= s.length) badEOF("in numeric literal");
      if (!/[0-9]/.test(s[i] ?? "")) bad("in numeric literal");
    }
    if (s[i] === "0") i++;
    else while (/[0-9]/.test(s[i] ?? "")) i++;
    if (s[i] === ".") {
      i++;
      if (i >= s.length) badEOF("after decimal point in numeric literal");
      if (!/[0-9]/.test(s[i] ?? "")) bad("after decimal point in numeric literal");
      while (/[0-9]/.test(s[i] ?? "")) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      if (i >= s.length) badEOF("in exponent of numeric literal");
      if (!/[0-9]/.test(s[i] ?? "")) bad("in exponent of numeric literal");
      while (/[0-9]/.test(s[i] ?? "")) i++;
    }
    const lit = s.slice(start, i);
    const f = Number(lit);
    if (!Number.isFinite(f)) throw new JSONSyntaxError(`json: cannot unmarshal number ${lit} into Go value of type float64`);
    return f;
  };
  try {
    // Go validates the whole input first, so trailing garbage wins over type errors.
    const v = value();
    ws();
    if (i < s.length) bad("after top-level value");
    return v;
  } catch (e) {
    if (e instanceof JSONSyntaxError) throw new FuncError(e.message);
    throw e;
  }
}

export function fixInvalidUTF8(s: string): string {
  return bytesToString(stringBytes(s));
}
