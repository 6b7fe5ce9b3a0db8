// A fast path for readYaml: a line-based reader for the plain block YAML that values files and rendered
// manifests are almost always made of (block mappings and sequences, plain and single-line quoted
// scalars, literal block scalars, one-line flow collections of scalars). It gives exactly what the full
// reader gives for such documents; on anything else (anchors, tags, folded or multi-line scalars, odd
// indentation, syntax errors, ...) it reports FALLBACK and the full reader decides, including the
// error messages.
//
// Takes the document text, gives Go values (maps, []interface{}, float64, string, bool, nil) or go-yaml's
// raw values (YamlRaw), or FALLBACK.

import { YamlInt, YamlRawMap } from "./raw.js";
import { resolvePlain } from "./resolve.js";

export const FALLBACK: unique symbol = Symbol("fallback");

/** Thrown inside the reader to give up; caught by readYamlFast. */
const BAIL = new Error("yaml fast path: unsupported");

// Characters both readers treat the same way in every context: printable, no tab, no CR, none of
// YAML 1.1's extra line breaks (U+0085, U+2028, U+2029), no BOM, no surrogates (astral characters).
const UNSAFE = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

function bail(): never {
  throw BAIL;
}

/** What the reader builds: Go values (after the JSON step) or go-yaml's raw values. */
interface Output {
  map(): { set(key: string, value: never): unknown };
  int(v: bigint): unknown;
  float(v: number): unknown;
}

const GO_VALUES: Output = {
  map: () => new Map<string, unknown>(),
  int: (v) => Number(v),
  // ±Inf and NaN cannot go through JSON: the full reader reports the error.
  float: (v) => (Number.isFinite(v) ? v : bail()),
};

const RAW_VALUES: Output = {
  map: () => new YamlRawMap(),
  int: (v) => new YamlInt(v),
  float: (v) => v,
};

/** Plain scalar resolution as the full reader does it (YAML 1.1 as go-yaml resolves it). */
function plainValue(text: string, out: Output): unknown {
  const r = resolvePlain(text);
  switch (r.tag) {
    case "str":
    case "timestamp":
    case "merge":
      return text;
    case "null":
      return null;
    case "bool":
      return r.value;
    case "int":
      return out.int(r.value);
    case "float":
      return out.float(r.value);
  }
}

/** A plain mapping key: must resolve to a string (no merge keys, no bool/int/null keys). */
function plainKey(text: string): string {
  if (text === "<<" || resolvePlain(text).tag !== "str") bail();
  return text;
}

// Characters that cannot start a plain scalar here ('-' is handled by the callers).
function isIndicator(c: number): boolean {
  switch (c) {
    case 63: // ?
    case COLON:
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
      return true;
    default:
      return false;
  }
}

/** Whether s has a block sequence entry ("-" then a space or the end of the line) at column col. */
function isItem(s: string, col: number): boolean {
  return s.charCodeAt(col) === DASH && (col + 1 === s.length || s.charCodeAt(col + 1) === SPACE);
}

/** Index of the first non-space at or after i. */
function skipSpaces(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) === SPACE) i++;
  return i;
}

/** Whether the rest of the line from i is only spaces or a comment. */
function atLineEnd(s: string, i: number): boolean {
  const j = skipSpaces(s, i);
  if (j === s.length) return true;
  return s.charCodeAt(j) === HASH && (j > i || (j > 0 && s.charCodeAt(j - 1) === SPACE));
}

/** Set by quoted: the index just after the scalar it read. */
let quotedEnd = 0;

/** A single-line quoted scalar starting at s[i] (a '"' or a "'"): its value; quotedEnd is set to the index after it. */
function quoted(s: string, i: number): string {
  return s.charCodeAt(i) === 34 ? doubleQuoted(s, i) : singleQuoted(s, i);
}

function doubleQuoted(s: string, i: number): string {
  let out = "";
  let start = i + 1;
  for (;;) {
    const q = s.indexOf('"', start);
    if (q < 0) bail();
    const j = s.indexOf("\\", start);
    if (j < 0 || j > q) {
      quotedEnd = q + 1;
      return out + s.slice(start, q);
    }
    out += s.slice(start, j);
    const e = s[j + 1];
    switch (e) {
      case "\\":
        out += "\\";
        break;
      case '"':
        out += '"';
        break;
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      case "u": {
        const hex = s.slice(j + 2, j + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) bail();
        const code = Number.parseInt(hex, 16);
        if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0xd800 && code < 0xe000) || code >= 0xfffe) bail();
        out += String.fromCharCode(code);
        start = j + 6;
        continue;
      }
      default:
        bail();
    }
    start = j + 2;
  }
}

function singleQuoted(s: string, i: number): string {
  let out = "";
  let j = i + 1;
  for (;;) {
    const q = s.indexOf("'", j);
    if (q < 0) bail();
    out += s.slice(j, q);
    if (s.charCodeAt(q + 1) === 39) {
      out += "'";
      j = q + 2;
      continue;
    }
    quotedEnd = q + 1;
    return out;
  }
}

/** Whether s[i] continues a flow plain scalar after '-' or ':' (a letter, digit or one of `-_./=@%+~`). */
function flowSafeNext(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === DASH || c === 95 || c === 46 || c === 47 || c === 61 || c === 64 || c === 37 || c === 43 || c === 126
  );
}

/** One-line flow collections of scalars and flow collections ({a: 1, b: [x, y]}). */
class FlowReader {
  constructor(
    private readonly s: string,
    public i: number,
    private readonly out: Output,
  ) {}

  value(): unknown {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 123) return this.map();
    if (c === 91) return this.seq();
    if (c === 34 || c === 39) {
      const v = quoted(s, this.i);
      this.i = quotedEnd;
      return v;
    }
    return plainValue(this.plain(), this.out);
  }

  /**
   * A plain scalar in flow context: ends at ',', ']' or '}'. It may start with '-' and hold ':' when a safe
   * character follows (`--flag`, `-1`, `host:port`); no '#' inside at all.
   */
  private plain(): string {
    const s = this.s;
    const start = this.i;
    const c = s.charCodeAt(start);
    if (isIndicator(c) || Number.isNaN(c) || (c === DASH && !flowSafeNext(s, start + 1))) bail();
    let j = start;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 44 || d === 93 || d === 125) break;
      if ((d === COLON && !flowSafeNext(s, j + 1)) || d === HASH || d === 91 || d === 123 || d === 34 || d === 39) bail();
    }
    this.i = j;
    const text = s.slice(start, j).trimEnd();
    if (text === "") bail();
    return text;
  }

  private key(): string {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 34 || c === 39) {
      const v = quoted(s, this.i);
      this.i = quotedEnd;
      return v;
    }
    const start = this.i;
    if (isIndicator(c) || c === DASH || Number.isNaN(c)) bail();
    let j = start;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === COLON) break;
      if (d === 44 || d === 93 || d === 125 || d === HASH || d === 91 || d === 123 || d === 34 || d === 39) bail();
    }
    this.i = j;
    const text = s.slice(start, j).trimEnd();
    if (text === "") bail();
    return plainKey(text);
  }

  private map(): unknown {
    const s = this.s;
    const m = this.out.map();
    this.i = skipSpaces(s, this.i + 1);
    if (s.charCodeAt(this.i) === 125) {
      this.i++;
      return m;
    }
    for (;;) {
      const k = this.key();
      if (s.charCodeAt(this.i) !== COLON || s.charCodeAt(this.i + 1) !== SPACE) bail();
      this.i = skipSpaces(s, this.i + 1);
      m.set(k, this.value() as never);
      this.i = skipSpaces(s, this.i);
      const c = s.charCodeAt(this.i);
      if (c === 125) {
        this.i++;
        return m;
      }
      if (c !== 44) bail();
      this.i = skipSpaces(s, this.i + 1);
    }
  }

  private seq(): unknown[] {
    const s = this.s;
    const out: unknown[] = [];
    this.i = skipSpaces(s, this.i + 1);
    if (s.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.i = skipSpaces(s, this.i);
      const c = s.charCodeAt(this.i);
      if (c === 93) {
        this.i++;
        return out;
      }
      if (c !== 44) bail();
      this.i = skipSpaces(s, this.i + 1);
    }
  }
}

class BlockReader {
  private readonly lines: string[];
  /** Index of the current line. */
  private li = 0;
  constructor(
    text: string,
    private readonly out: Output,
  ) {
    this.lines = text.split("\n");
  }

  /** Moves to the next line that has content (not blank, not a comment); returns its indent or -1 at the end. */
  private nextContent(): number {
    const lines = this.lines;
    for (; this.li < lines.length; this.li++) {
      const s = lines[this.li]!;
      let j = 0;
      while (j < s.length && s.charCodeAt(j) === SPACE) j++;
      if (j < s.length && s.charCodeAt(j) !== HASH) return j;
    }
    return -1;
  }

  document(): unknown {
    const lines = this.lines;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const c = l.charCodeAt(0);
      if (c === 37 || (c === DASH && l.startsWith("---")) || (c === 46 && l.startsWith("..."))) bail();
    }
    const n = this.nextContent();
    if (n < 0) return null;
    const v = this.node(n);
    if (this.nextContent() >= 0) bail();
    return v;
  }

  /** A block collection starting at column `col` of the current line (a scalar there: bail). */
  private node(col: number): unknown {
    const s = this.lines[this.li] ?? "";
    if (isItem(s, col)) return this.sequence(col);
    if (this.keyEnd(s, col) >= 0) return this.mapping(col);
    return bail();
  }

  // keyEnd's last answer, for the current line: the same entry is looked at by node or sequence, then by
  // mapping, then read by readKey (a quoted key is read once).
  private keyLine = -1;
  private keyCol = -1;
  private keyColon = -1;
  private keyText: string | null = null;

  /**
   * For a mapping entry starting at s[col] (s is the current line), the index of its ':' (followed by a
   * space or the end of the line); -1 when the text is not a key. Bails on keys it cannot read.
   */
  private keyEnd(s: string, col: number): number {
    if (this.keyLine === this.li && this.keyCol === col) return this.keyColon;
    let colon = -1;
    let text: string | null = null;
    const c = s.charCodeAt(col);
    if (c === 34 || c === 39) {
      text = quoted(s, col);
      const j = quotedEnd;
      const k = skipSpaces(s, j);
      if (s.charCodeAt(k) === COLON && (k + 1 === s.length || s.charCodeAt(k + 1) === SPACE)) colon = k;
      else if (!atLineEnd(s, j)) bail();
    } else {
      let from = col;
      for (;;) {
        const k = s.indexOf(":", from);
        if (k < 0) break;
        if (k + 1 === s.length || s.charCodeAt(k + 1) === SPACE) {
          if (k - col > 1000) bail();
          colon = k;
          break;
        }
        from = k + 1;
      }
    }
    this.keyLine = this.li;
    this.keyCol = col;
    this.keyColon = colon;
    this.keyText = text;
    return colon;
  }

  /** The key of the entry at s[col] whose ':' keyEnd found at `colon`. */
  private readKey(s: string, col: number, colon: number): string {
    const c = s.charCodeAt(col);
    if (c === 34 || c === 39) {
      return this.keyLine === this.li && this.keyCol === col && this.keyText !== null ? this.keyText : quoted(s, col);
    }
    if (isIndicator(c) || c === DASH) bail();
    const text = s.slice(col, colon).trimEnd();
    if (text.includes(" #")) bail();
    return plainKey(text);
  }

  private mapping(col: number): unknown {
    const m = this.out.map();
    for (;;) {
      const s = this.lines[this.li] ?? "";
      const colon = this.keyEnd(s, col);
      if (colon < 0) bail();
      const key = this.readKey(s, col, colon);
      m.set(key, this.value(s, colon + 1, col) as never);
      const n = this.nextContent();
      if (n < col) return m;
      if (n > col) bail();
    }
  }

  private sequence(col: number): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const s = this.lines[this.li] ?? "";
      if (!isItem(s, col)) {
        // A line at the sequence's indent that is not an item ends it (the parent decides).
        return out;
      }
      const p = skipSpaces(s, col + 1);
      if (p === s.length || s.charCodeAt(p) === HASH) {
        out.push(this.nested(col));
      } else if (isItem(s, p)) {
        out.push(this.sequence(p));
      } else if (s.charCodeAt(p) !== 123 && s.charCodeAt(p) !== 91 && this.keyEnd(s, p) >= 0) {
        out.push(this.mapping(p));
      } else {
        out.push(this.value(s, col + 1, col));
      }
      const n = this.nextContent();
      if (n < col) return out;
      if (n > col) bail();
    }
  }

  /** A value on the following lines, more indented than `col` (nothing there: null). */
  private nested(col: number): unknown {
    this.li++;
    const n = this.nextContent();
    if (n <= col) return null;
    return this.node(n);
  }

  /**
   * The value of an entry whose text continues at s[from] (after "key:" or "-"); `col` is the column of
   * the collection holding the entry. Leaves the current line just after the value.
   */
  private value(s: string, from: number, col: number): unknown {
    const p = skipSpaces(s, from);
    if (p === s.length || s.charCodeAt(p) === HASH) {
      // The value is on the next lines: a nested collection, or a sequence at the key's own indent
      // (only a mapping's value can be such an indentless sequence).
      const entryIsItem = isItem(s, col);
      this.li++;
      const n = this.nextContent();
      if (n > col) return this.node(n);
      if (n === col && isItem(this.lines[this.li] ?? "", col)) {
        if (entryIsItem) bail();
        return this.sequence(col);
      }
      return null;
    }
    const c = s.charCodeAt(p);
    let v: unknown;
    let end: number;
    switch (c) {
      case 34:
      case 39:
        v = quoted(s, p);
        end = quotedEnd;
        break;
      case 123:
      case 91: {
        const f = new FlowReader(s, p, this.out);
        v = f.value();
        end = f.i;
        break;
      }
      case 124:
        return this.literal(s, p, col);
      default: {
        if (isIndicator(c)) bail();
        if (c === DASH && (p + 1 === s.length || s.charCodeAt(p + 1) === SPACE)) bail();
        // A plain scalar up to a comment; "key: a: b" and a trailing ':' are errors the full reader reports.
        let e = s.indexOf(" #", p);
        if (e < 0) e = s.length;
        const text = s.slice(p, e).trimEnd();
        if (text.includes(": ") || text.endsWith(":")) bail();
        v = plainValue(text, this.out);
        end = s.length;
        break;
      }
    }
    if (!atLineEnd(s, end)) bail();
    this.followedBy(col);
    return v;
  }

  /** After a one-line scalar: continuation lines (multi-line plain scalars) are left to the full reader. */
  private followedBy(col: number): void {
    this.li++;
    if (this.nextContent() > col) bail();
  }

  /** A literal block scalar (`|` or `|-`) whose header is at s[p]. */
  private literal(s: string, p: number, col: number): string {
    let q = p + 1;
    let strip = false;
    if (s.charCodeAt(q) === DASH) {
      strip = true;
      q++;
    }
    if (skipSpaces(s, q) !== s.length) bail();
    const lines = this.lines;
    let i = this.li + 1;
    // Leading empty lines, then the first content line sets the indent.
    let maxBlank = 0;
    while (i < lines.length && skipSpaces(lines[i] ?? "", 0) === (lines[i] ?? "").length) {
      maxBlank = Math.max(maxBlank, (lines[i] ?? "").length);
      i++;
    }
    if (i >= lines.length) bail();
    const first = lines[i] ?? "";
    const n = skipSpaces(first, 0);
    if (n <= col || maxBlank > n) bail();
    const body: string[] = [];
    for (let j = this.li + 1; j < i; j++) body.push("");
    let last = i;
    for (; i < lines.length; i++) {
      const l = lines[i] ?? "";
      const k = skipSpaces(l, 0);
      if (k === l.length) {
        if (l.length > n) bail();
        body.push("");
        continue;
      }
      if (k < n) break;
      body.push(l.slice(n));
      last = i;
    }
    // Trailing empty lines are not content (clip and strip chomping).
    body.length = body.length - (i - 1 - last);
    this.li = last + 1;
    const text = body.join("\n");
    return strip ? text : text + "\n";
  }
}

/**
 * readYaml's result (readYamlRaw's when `raw`) for the documents the fast path understands, FALLBACK
 * otherwise.
 */
export function readYamlFast(text: string, raw: boolean): unknown {
  if (UNSAFE.test(text)) return FALLBACK;
  try {
    return new BlockReader(text, raw ? RAW_VALUES : GO_VALUES).document();
  } catch (e) {
    if (e === BAIL) return FALLBACK;
    throw e;
  }
}
