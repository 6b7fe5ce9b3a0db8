// A YAML 1.1 reader that yields what Helm gets from sigs.k8s.io/yaml: go-yaml v2 decodes the
// document (YAML 1.1 resolution of plain scalars, merge keys, aliases), the result goes through
// JSON, and encoding/json decodes it into interface{} (numbers become float64).
//
// The syntax is parsed by the `yaml` package with the failsafe schema; every scalar is resolved here.

import { createRequire } from "node:module";
import type * as YamlLib from "yaml";
import type { Document, Node } from "yaml";
import { formatFloat } from "../strconv.js";
import { resolvePlain } from "./resolve.js";
import { FALLBACK, readYamlFast } from "./fastread.js";
import { JsonError } from "../json.js";
import { YamlInt, YamlRawMap, type YamlRaw } from "./raw.js";

export { YamlInt, YamlRawMap, type YamlRaw } from "./raw.js";

// The `yaml` package is loaded on first use: the fast path reads most documents without it, and loading
// it costs a good part of a render's start-up.
const requireCjs = createRequire(import.meta.url);
let yamlLib: typeof YamlLib | undefined;
function yaml(): typeof YamlLib {
  yamlLib ??= requireCjs("yaml") as typeof YamlLib;
  return yamlLib;
}

export class YamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "YamlError";
  }
}

const TAG_PREFIX = "tag:yaml.org,2002:";

function lineOf(src: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

function decodeScalar(node: Node & { value: unknown; type?: string; tag?: string | undefined }): YamlRaw {
  const text = typeof node.value === "string" ? node.value : String(node.value);
  const tag = node.tag;
  const plain = node.type === "PLAIN";
  if (tag === undefined || tag === "!") {
    if (!plain || tag === "!") return text;
    const r = resolvePlain(text);
    switch (r.tag) {
      case "int":
        return new YamlInt(r.value);
      case "timestamp":
      case "merge":
        return text;
      default:
        return r.value;
    }
  }
  if (!tag.startsWith(TAG_PREFIX)) return text;
  const short = tag.slice(TAG_PREFIX.length);
  switch (short) {
    case "str":
      return text;
    case "binary":
      return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("latin1");
    case "null":
    case "bool":
    case "int":
    case "float":
    case "timestamp": {
      const r = resolvePlain(text);
      if (short === "timestamp" && (r.tag === "timestamp" || r.tag === "str")) return text;
      if (r.tag === short) return r.tag === "int" ? new YamlInt(r.value) : r.value;
      if (short === "float" && r.tag === "int") return Number(r.value);
      throw new YamlError(`yaml: cannot decode !!${r.tag} \`${text}\` as a !!${short}`);
    }
    default:
      return text;
  }
}

class Decoder {
  private readonly cache = new Map<Node, YamlRaw>();
  constructor(private readonly doc: Document.Parsed) {}

  decode(node: unknown): YamlRaw {
    if (node === null || node === undefined) return null;
    const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) throw new YamlError(`yaml: unknown anchor '${node.source}' referenced`);
      const hit = this.cache.get(target);
      if (hit !== undefined) return hit;
      return this.decode(target);
    }
    if (isScalar(node)) return decodeScalar(node as Node & { value: unknown });
    if (isSeq(node)) {
      const out: YamlRaw[] = [];
      for (const item of node.items) out.push(this.decode(item));
      this.cache.set(node, out);
      return out;
    }
    if (isMap(node)) {
      const out = new YamlRawMap();
      this.cache.set(node, out);
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = pair.key;
        if (isScalar(k) && k.type === "PLAIN" && k.value === "<<" && (k.tag === undefined || k.tag === TAG_PREFIX + "merge")) {
          this.merge(pair.value, out);
          continue;
        }
        out.set(this.decode(k), this.decode(pair.value));
      }
      return out;
    }
    return null;
  }

  private mergeOne(node: unknown, out: YamlRawMap): void {
    const { isAlias, isMap } = yaml();
    let target = node;
    if (isAlias(node)) target = node.resolve(this.doc);
    if (!isMap(target)) throw new YamlError("yaml: map merge requires map or sequence of maps as the value");
    const m = this.decode(node);
    if (m instanceof YamlRawMap) for (const [id, e] of m.entries) out.entries.set(id, e);
  }

  private merge(node: unknown, out: YamlRawMap): void {
    if (yaml().isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) this.mergeOne(node.items[i], out);
    } else {
      this.mergeOne(node, out);
    }
  }
}

/** go-yaml v2's Unmarshal of the first document into interface{}. */
export function readYamlRaw(text: string): YamlRaw {
  const fast = readYamlFast(text, true);
  if (fast !== FALLBACK) return fast as YamlRaw;
  return readYamlRawFull(text);
}

/** readYamlRaw without the fast path (the `yaml` package parses the syntax). */
export function readYamlRawFull(text: string): YamlRaw {
  const docs = yaml().parseAllDocuments(text, {
    schema: "failsafe",
    version: "1.1",
    uniqueKeys: false,
    merge: false,
    strict: false,
    prettyErrors: false,
    logLevel: "silent",
  });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (doc === undefined) return null;
  const err = doc.errors[0];
  if (err !== undefined) throw new YamlError(`yaml: ${yamlErrorText(text, err.code, err.message, err.pos)}`);
  return new Decoder(doc).decode(doc.contents);
}

/** The offset of the next token at or after `pos`: blanks, line breaks and comments skipped. */
function nextToken(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 && (i === 0 || " \t\r\n".includes(src.charAt(i - 1)))) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl;
    } else break;
  }
  return i;
}

/** The offset of the ':' that makes the plain scalar starting at `pos` a mapping key (go-yaml's error mark). */
function mappingIndicator(src: string, pos: number): number {
  const re = /:(?=[ \t\r\n]|$)/g;
  re.lastIndex = pos;
  return re.exec(src)?.index ?? pos;
}

/** Whether the content line above the token at `pos` that is not deeper than it is a block sequence entry. */
function inBlockSequence(src: string, pos: number): boolean {
  const lineStart = src.lastIndexOf("\n", pos - 1) + 1;
  const col = pos - lineStart;
  for (let end = lineStart - 1; end > 0; ) {
    const start = src.lastIndexOf("\n", end - 1) + 1;
    const text = src.slice(start, end);
    const indent = text.length - text.trimStart().length;
    const first = text.charAt(indent);
    if (first !== "" && first !== "#" && indent <= col) return first === "-" && " \t".includes(text.charAt(indent + 1) || " ");
    end = start - 1;
  }
  return false;
}

/**
 * go-yaml v2's wording and line numbers for the common syntax errors, from the `yaml` package's error. Scanner
 * errors name the line of the scanner's position, parser errors the line above the token they stopped at.
 */
function yamlErrorText(src: string, code: string, message: string, pos: readonly [number, number]): string {
  const line = lineOf(src, pos[0]);
  const scanner = (msg: string, at: number = line): string => (at > 1 ? `line ${at}: ${msg}` : msg);
  const parser = (msg: string): string => `line ${Math.max(1, line - 1)}: ${msg}`;
  if (/^Flow sequence/.test(message)) return parser("did not find expected ',' or ']'");
  if (/^Flow map/.test(message)) return parser("did not find expected ',' or '}'");
  if (/^Missing closing/.test(message)) return scanner("found unexpected end of stream");
  switch (code) {
    case "BLOCK_AS_IMPLICIT_KEY":
      return scanner("mapping values are not allowed in this context", lineOf(src, mappingIndicator(src, pos[0])));
    case "TAB_AS_INDENT":
      return scanner("found character that cannot start any token");
    case "MULTILINE_IMPLICIT_KEY":
    case "MISSING_CHAR":
      if (code === "MULTILINE_IMPLICIT_KEY" || /^Implicit map keys need to be followed/.test(message)) {
        // The scanner drops the key candidate at the first token of a later line.
        const eol = src.indexOf("\n", pos[0]);
        return scanner("could not find expected ':'", lineOf(src, nextToken(src, eol < 0 ? src.length : eol)));
      }
      return parser("did not find expected key");
    case "BAD_INDENT": {
      const at = nextToken(src, pos[0]);
      const msg = inBlockSequence(src, at) ? "did not find expected '-' indicator" : "did not find expected key";
      return `line ${Math.max(1, lineOf(src, at) - 1)}: ${msg}`;
    }
    default:
      return parser("did not find expected key");
  }
}

/** sigs.k8s.io/yaml's conversion of a map key to a JSON object key. */
function jsonKey(k: YamlRaw): string {
  if (typeof k === "string") return k;
  if (k instanceof YamlInt) return k.v.toString();
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "number") {
    const s = formatFloat32(k);
    return s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s;
  }
  throw new YamlError(`unsupported map key of type: ${k === null ? "%!s(<nil>)" : "object"}, key: <nil>, value: `);
}

/** strconv.FormatFloat(f, 'g', -1, 32). */
export function formatFloat32(f: number): string {
  if (!Number.isFinite(f)) return formatFloat(f, "g", -1);
  const f32 = Math.fround(f);
  if (f32 === 0) return Object.is(f32, -0) ? "-0" : "0";
  for (let p = 1; p <= 9; p++) {
    const d = Number(f32.toPrecision(p));
    if (Math.fround(d) === f32) return formatFloat(d, "g", -1);
  }
  return formatFloat(f32, "g", -1);
}

/** The Go value encoding/json yields after sigs.k8s.io/yaml's YAML→JSON conversion. */
export function rawToGo(v: YamlRaw): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new JsonError(`json: unsupported value: ${formatFloat(v, "g", -1)}`);
    return v;
  }
  if (v instanceof YamlInt) return Number(v.v);
  if (Array.isArray(v)) return v.map(rawToGo);
  const m = new Map<string, unknown>();
  for (const { key, value } of v.entries.values()) {
    let k: string;
    try {
      k = jsonKey(key);
    } catch (e) {
      if (e instanceof YamlError) throw new YamlError(e.message + goSyntax(value));
      throw e;
    }
    m.set(k, rawToGo(value));
  }
  return m;
}

/**
 * sigs.k8s.io/yaml.Unmarshal into interface{}: Go values (maps, []interface{}, float64, string,
 * bool, nil). Throws YamlError/JsonError with sigs.k8s.io/yaml's messages.
 */
export function readYaml(text: string): unknown {
  const fast = readYamlFast(text, false);
  if (fast !== FALLBACK) return fast;
  let raw: YamlRaw;
  try {
    raw = readYamlRawFull(text);
  } catch (e) {
    if (e instanceof YamlError) throw new YamlError(`error converting YAML to JSON: ${e.message}`);
    throw e;
  }
  try {
    return rawToGo(raw);
  } catch (e) {
    if (e instanceof JsonError || e instanceof YamlError) {
      throw new YamlError(e.message.startsWith("error converting") ? e.message : `error converting YAML to JSON: ${e.message}`);
    }
    throw e;
  }
}

/**
 * A manifest as a Kubernetes client decodes it (sigs.k8s.io/yaml into unstructured): readYaml's value with plain
 * objects for maps. Throws YamlError as readYaml does.
 */
export function readYamlObject(text: string): unknown {
  return mapsToObjects(readYaml(text));
}

function mapsToObjects(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, item] of v as Map<string, unknown>) {
      // A "__proto__" key is data, not the prototype.
      if (k === "__proto__") Object.defineProperty(o, k, { value: mapsToObjects(item), enumerable: true, writable: true, configurable: true });
      else o[k] = mapsToObjects(item);
    }
    return o;
  }
  return Array.isArray(v) ? v.map(mapsToObjects) : v;
}

/** fmt's %+#v of a decoded YAML value (scalars). */
function goSyntax(v: YamlRaw): string {
  if (v === null) return "<nil>";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return formatFloat(v, "g", -1);
  if (v instanceof YamlInt) return v.v.toString();
  return Array.isArray(v) ? "[]interface {}{...}" : "map[interface {}]interface {}{...}";
}
