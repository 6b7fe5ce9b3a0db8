// BurntSushi/toml's encoder as Helm's toToml uses it (maps of Go values).

import { formatFloat } from "../strconv.js";
import { GoInt, isMap, sortedKeys, typeName } from "../value.js";

const BARE = /^[A-Za-z0-9_-]+$/;

function quoteKey(k: string): string {
  return BARE.test(k) ? k : tomlString(k);
}

function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\f":
        out += "\\f";
        break;
      case "\r":
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c === 0x7f) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
        else out += ch;
    }
  }
  return out + '"';
}

function isTable(v: unknown): v is Map<string, unknown> {
  return isMap(v);
}

function isArrayOfTables(v: unknown): v is Map<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((e) => isMap(e));
}

function isNil(v: unknown): boolean {
  return v === null || v === undefined;
}

function scalar(v: unknown): string {
  if (typeof v === "string") return tomlString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof GoInt) return v.v.toString();
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    const s = formatFloat(v, "f", -1);
    return s.includes(".") ? s : s + ".0";
  }
  if (Array.isArray(v)) return "[" + v.filter((e) => !isNil(e)).map(scalar).join(", ") + "]";
  if (isMap(v)) {
    return "{" + sortedKeys(v).filter((k) => !isNil(v.get(k))).map((k) => `${quoteKey(k)} = ${scalar(v.get(k))}`).join(", ") + "}";
  }
  throw new Error(`toml: unsupported type: ${typeName(v)}`);
}

class TomlEncoder {
  out = "";

  private newline(): void {
    if (this.out !== "") this.out += "\n";
  }

  table(m: Map<string, unknown>, path: string[]): void {
    const keys = sortedKeys(m);
    const indent = "  ".repeat(path.length);
    for (const k of keys) {
      const v = m.get(k);
      if (isNil(v) || isTable(v) || isArrayOfTables(v)) continue;
      this.out += `${indent}${quoteKey(k)} = ${scalar(v)}\n`;
    }
    for (const k of keys) {
      const v = m.get(k);
      const sub = [...path, k];
      const header = sub.map(quoteKey).join(".");
      const hIndent = "  ".repeat(path.length);
      if (isTable(v)) {
        if (sub.length === 1) this.newline();
        this.out += `${hIndent}[${header}]\n`;
        this.table(v, sub);
      } else if (isArrayOfTables(v)) {
        for (const t of v) {
          this.newline();
          this.out += `${hIndent}[[${header}]]\n`;
          this.table(t, sub);
        }
      }
    }
  }
}

/** toml.NewEncoder(b).Encode(v); throws an Error with the encoder's message. */
export function marshalToml(v: unknown): string {
  if (!isMap(v)) return scalar(v);
  const e = new TomlEncoder();
  e.table(v, []);
  return e.out;
}
