/**
 * @module secret/values-file
 *
 * werf's secret values files (werf/common-go `secret.YamlEncoder` and `MergeEncodedYaml`): the YAML keeps its keys,
 * structure and comments in plaintext, and every scalar is encrypted on its own. Encrypting takes the text Go's `%v`
 * prints for the value yaml.v3 decodes (`10` → "10", `1.50` → "1.5", `0x1F` → "31"); nulls stay. Decrypting wants a
 * string in every non-null scalar, and the result is always a string. Errors name the file, the line and the key
 * path, and never hold a plaintext value. Pure: the cipher comes in.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Scalar } from "yaml";
import { SlipwayError } from "../errors.js";
import { formatFloatV } from "../template/strconv.js";
import { isBase60Float, parseGoInt } from "../template/yaml/resolve.js";
import { SecretDataError, type SecretCipher } from "./cipher.js";

/** What yaml.v3 makes of a scalar: its short tag, and the text `%v` prints for the decoded value. */
interface Resolved {
  readonly kind: "null" | "str" | "other";
  readonly text: string;
}

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
// yaml.v3's other timestamp layouts: RFC 3339 with short date fields ("T" or "t"), or a space and no zone.
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})| \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** yaml.v3's resolve() for a plain scalar (YAML 1.2 core, plus 1.1 octals such as 0777). */
function resolvePlainV3(src: string): Resolved {
  if (NULLS.has(src)) return { kind: "null", text: "<nil>" };
  if (src === "true" || src === "True" || src === "TRUE") return { kind: "other", text: "true" };
  if (src === "false" || src === "False" || src === "FALSE") return { kind: "other", text: "false" };
  if ([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].includes(src)) return { kind: "other", text: "+Inf" };
  if (["-.inf", "-.Inf", "-.INF"].includes(src)) return { kind: "other", text: "-Inf" };
  if ([".nan", ".NaN", ".NAN"].includes(src)) return { kind: "other", text: "NaN" };
  const first = src[0] ?? "";
  if (!"+-.0123456789".includes(first)) return { kind: "str", text: src };
  // A date (YYYY-M-D) decodes to a time.Time; the longer timestamp layouts are kept as their text.
  const date = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(src);
  if (date !== null) {
    const [, y, m, d] = date;
    const month = Number(m);
    const day = Number(d);
    if (month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) {
      return { kind: "other", text: `${y}-${m?.padStart(2, "0")}-${d?.padStart(2, "0")} 00:00:00 +0000 UTC` };
    }
  }
  if (TIMESTAMP.test(src)) return { kind: "other", text: src };
  const plain = src.replaceAll("_", "");
  const int = parseGoInt(plain, false) ?? parseGoInt(plain, true);
  if (int !== null) return { kind: "other", text: int.toString() };
  if (YAML_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { kind: "other", text: formatFloatV(f) };
  }
  return { kind: "str", text: src };
}

const STR_TAGS = new Set(["tag:yaml.org,2002:str", "!!str"]);
const NULL_TAGS = new Set(["tag:yaml.org,2002:null", "!!null"]);

function resolveScalar(s: Scalar): Resolved {
  const text = s.type === "PLAIN" ? (s.source ?? String(s.value)) : String(s.value);
  if (s.tag !== undefined) {
    if (STR_TAGS.has(s.tag)) return { kind: "str", text: String(s.value) };
    if (NULL_TAGS.has(s.tag)) return { kind: "null", text: "<nil>" };
    return { ...resolvePlainV3(text), kind: "other" };
  }
  if (s.type !== "PLAIN") return { kind: "str", text };
  return resolvePlainV3(text);
}

/** yaml.v3's Encode of a Go string: plain when it reads back as the same string, else quoted or a literal block. */
function styleAsV3(s: Scalar, value: string): void {
  s.value = value;
  delete s.tag;
  if (value.includes("\n")) s.type = "BLOCK_LITERAL";
  else if (resolvePlainV3(value).kind !== "str" || isBase60Float(value) || OLD_BOOLS.has(value)) s.type = "QUOTE_DOUBLE";
  else s.type = "PLAIN";
}
const OLD_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

function parse(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: false });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    throw new SlipwayError(`parse secret values: ${error.message.split("\n")[0] ?? error.message}`, {
      code: "chart",
      location: { file, ...(line === undefined ? {} : { line }) },
    });
  }
  return { doc, lines };
}

function keyName(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** Calls `visit` for each scalar value (not keys) with its key path (`a.b[2].c`); aliases are visited at their anchor. */
function walkScalars(node: unknown, path: string, visit: (s: Scalar, path: string) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyName(pair.key);
      walkScalars(pair.value, path === "" ? key : `${path}.${key}`, visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkScalars(item, `${path}[${i}]`, visit));
  } else if (isScalar(node)) {
    visit(node, path);
  }
}

/** Blank lines go and line comments of replaced values go, as in yaml.v3's re-encoding. */
function dropSpacing(doc: Document): void {
  const clear = (node: unknown): void => {
    if (isMap(node) || isSeq(node)) {
      node.spaceBefore = false;
      for (const item of node.items) {
        if (isMap(node)) {
          const pair = item as { key: unknown; value: unknown };
          if (isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key)) (pair.key as Node).spaceBefore = false;
          clear(pair.value);
        } else clear(item);
      }
    } else if (isScalar(node) || isAlias(node)) {
      node.spaceBefore = false;
    }
  };
  clear(doc.contents);
}

function stringify(doc: Document): string {
  if (doc.contents === null) return "";
  return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, singleQuote: true, flowCollectionPadding: false });
}

function location(file: string, lines: LineCounter, s: Scalar, path: string): { file: string; line?: number; key?: string } {
  const offset = s.range?.[0];
  return { file, ...(offset === undefined ? {} : { line: lines.linePos(offset).line }), ...(path === "" ? {} : { key: path }) };
}

/** `helm secret values encrypt`: every non-null scalar replaced by its ciphertext. */
export function encryptSecretValues(text: string, cipher: SecretCipher, file: string): string {
  const { doc } = parse(text, file);
  walkScalars(doc.contents, "", (s) => {
    const r = resolveScalar(s);
    if (r.kind === "null") return;
    s.value = cipher.encrypt(Buffer.from(r.text, "utf8"));
    delete s.tag;
    s.type = "PLAIN";
    delete s.comment;
  });
  dropSpacing(doc);
  return stringify(doc);
}

export type DecryptedStyle = "werf" | "render";

export interface DecryptOptions {
  /** null: --ignore-secret-key, the values stay encrypted (still checked to be strings). */
  readonly cipher: SecretCipher | null;
  readonly file: string;
  /** `werf`: yaml.v3's styles (the decrypt command, the editor); `render`: every value double-quoted, for the values reader. */
  readonly style: DecryptedStyle;
}

/** Decrypts every non-null scalar of a secret values file; throws a SlipwayError naming the file, line and key. */
export function decryptSecretValues(text: string, options: DecryptOptions): string {
  const { doc, lines } = parse(text, options.file);
  walkScalars(doc.contents, "", (s, path) => {
    const r = resolveScalar(s);
    if (r.kind === "null") return;
    const where = location(options.file, lines, s, path);
    if (r.kind !== "str") {
      throw new SlipwayError("expected an encrypted value (a hex string), found an unencrypted non-string value", { code: "chart", location: where });
    }
    let plain: string;
    try {
      plain = options.cipher === null ? r.text : options.cipher.decrypt(r.text).toString("utf8");
    } catch (error) {
      if (!(error instanceof SecretDataError)) throw error;
      const hint = error.message.startsWith("inconsistent data") ? " (wrong secret key or corrupt value)" : " (corrupt value)";
      throw new SlipwayError(`decrypt secret value: ${error.message}${hint}`, { code: "chart", location: where });
    }
    if (options.style === "render") {
      s.value = plain;
      delete s.tag;
      s.type = "QUOTE_DOUBLE";
    } else styleAsV3(s, plain);
    delete s.comment;
  });
  dropSpacing(doc);
  return stringify(doc);
}

type Kind = "map" | "seq" | "scalar" | "alias" | "none";
function kindOf(n: unknown): Kind {
  if (isMap(n)) return "map";
  if (isSeq(n)) return "seq";
  if (isScalar(n)) return "scalar";
  if (isAlias(n)) return "alias";
  return "none";
}

function childByKey(n: unknown, key: string): unknown {
  if (!isMap(n)) return undefined;
  return n.items.find((p) => keyName(p.key) === key)?.value ?? undefined;
}

function childAt(n: unknown, i: number): unknown {
  return isSeq(n) ? n.items[i] : undefined;
}

function scalarText(n: unknown): string | undefined {
  if (!isScalar(n)) return undefined;
  return n.type === "PLAIN" ? (n.source ?? String(n.value)) : String(n.value);
}

/** MergeEncodedYamlNode: where a value did not change, its old ciphertext is kept. */
function mergeNode(oldPlain: unknown, newPlain: unknown, oldEnc: unknown, newEnc: unknown): unknown {
  if (oldPlain === undefined || oldPlain === null) return newEnc;
  if (kindOf(newPlain) !== kindOf(oldPlain)) return newEnc;
  if (isMap(newEnc)) {
    newEnc.items.forEach((pair, i) => {
      const key = keyName(pair.key);
      const np = isMap(newPlain) ? newPlain.items[i]?.value : undefined;
      pair.value = mergeNode(childByKey(oldPlain, key), np, childByKey(oldEnc, key), pair.value);
    });
  } else if (isSeq(newEnc)) {
    newEnc.items = newEnc.items.map((item, i) => mergeNode(childAt(oldPlain, i), childAt(newPlain, i), childAt(oldEnc, i), item));
  } else if (isScalar(newEnc)) {
    if (oldEnc !== undefined && scalarText(oldPlain) === scalarText(newPlain)) return oldEnc;
  }
  return newEnc;
}

/**
 * `helm secret values edit`: the newly encrypted file, with the old ciphertext kept for every value whose decrypted
 * text did not change (so an edit touches only the lines that changed).
 */
export function mergeSecretValues(oldPlain: string, newPlain: string, oldEncrypted: string, newEncrypted: string, file: string): string {
  const docs = [oldPlain, newPlain, oldEncrypted, newEncrypted].map((t) => parse(t, file).doc);
  const [op, np, oe, ne] = docs as [Document, Document, Document, Document];
  ne.contents = mergeNode(op.contents, np.contents, oe.contents, ne.contents) as typeof ne.contents;
  return stringify(ne);
}

/** The decrypted values of a chart's secret file: trailing whitespace of the ciphertext is ignored, as in werf. */
export function decryptSecretFile(data: Uint8Array, cipher: SecretCipher | null, file: string): string {
  const text = Buffer.from(data).toString("utf8").replace(/\s+$/u, "");
  if (cipher === null) return text;
  try {
    return cipher.decrypt(text).toString("utf8");
  } catch (error) {
    if (!(error instanceof SecretDataError)) throw error;
    const hint = error.message.startsWith("inconsistent data") ? " (wrong secret key or corrupt file)" : " (corrupt file)";
    throw new SlipwayError(`decrypt secret file: ${error.message}${hint}`, { code: "chart", location: { file } });
  }
}
