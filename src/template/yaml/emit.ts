// A port of the parts of go-yaml v2's emitter (emitterc.go) and encoder (encode.go) that
// sigs.k8s.io/yaml reaches: block style, 2-space indent, 80-column folding, scalar style selection.

import { isBase60Float, resolvePlain } from "./resolve.js";

/** A non-string scalar printed as is (ints, floats, bools, null). */
export class PlainScalar {
  constructor(readonly text: string) {}
}

export type EmitNode = PlainScalar | string | EmitNode[] | EmitMap;

/** A mapping in emission order: keys[i] maps to values[i]. */
export class EmitMap {
  constructor(
    readonly keys: readonly string[],
    readonly values: readonly EmitNode[],
  ) {}
}

const enum Style {
  Plain,
  Single,
  Double,
  Literal,
}

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
  /**
   * The code points of a string that has characters outside go-yaml's printable set (such a string is
   * always written double-quoted); null for all other strings, whose UTF-16 code units are their code
   * points (no surrogates), so that the writers work on the string itself.
   */
  special: number[] | null;
  /** Whether the string holds U+2028 or U+2029 (line breaks for YAML 1.1 besides \n). */
  unicodeBreaks: boolean;
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isBlank(cp: number | undefined): boolean {
  return cp === 0x20 || cp === 0x09;
}

function cps(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      out.push(s.codePointAt(i) ?? c);
      i++;
    } else out.push(c);
  }
  return out;
}

// The analysis of a string without special characters is made of regular expression tests (native
// scans) rather than a loop over its characters. Such a string has no tab, CR, NEL or surrogate; its
// line breaks are \n, U+2028 and U+2029 (isPrintable and isBreak above).
/** A character outside isPrintable (surrogates included: an astral code point is not printable). */
const SPECIAL = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
const LINE_BREAK = /[\n\u2028\u2029]/;
const UNICODE_BREAK = /[\u2028\u2029]/;
const BREAK_SPACE = /[\n\u2028\u2029] /;
const SPACE_BREAK = / [\n\u2028\u2029]/;
/**
 * Block indicators: an indicator first, "? ", ": " or "- " first (or alone), "---" or "..." first, ": "
 * (or a final ':') anywhere, " #" anywhere (a blank or break before '#').
 */
const BLOCK_INDICATORS = /^(?:[#,[\]{}&*!|>'"%@`]|[?:-](?:[ \n\u2028\u2029]|$)|---|\.\.\.)|:(?:[ \n\u2028\u2029]|$)|[ \n\u2028\u2029]#/;

/** emitterc.go yaml_emitter_analyze_scalar. */
function analyze(s: string): Analysis {
  if (s.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false, special: null, unicodeBreaks: false };
  }
  if (SPECIAL.test(s)) return analyzeSpecial(cps(s));
  const a: Analysis = { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true, special: null, unicodeBreaks: false };
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (last === 0x20) {
    a.blockPlainAllowed = false;
    a.blockAllowed = false;
  } else if (first === 0x20) a.blockPlainAllowed = false;
  if (LINE_BREAK.test(s)) {
    a.multiline = true;
    a.blockPlainAllowed = false;
    a.unicodeBreaks = UNICODE_BREAK.test(s);
    if (SPACE_BREAK.test(s)) {
      a.singleQuotedAllowed = false;
      a.blockAllowed = false;
    } else if (BREAK_SPACE.test(s)) a.singleQuotedAllowed = false;
  } else if (a.blockPlainAllowed && BLOCK_INDICATORS.test(s)) a.blockPlainAllowed = false;
  return a;
}

/** analyze for a string with special characters, over its code points (the loop of emitterc.go). */
function analyzeSpecial(v: number[]): Analysis {
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  if (
    v.length >= 3 &&
    ((v[0] === 0x2d && v[1] === 0x2d && v[2] === 0x2d) || (v[0] === 0x2e && v[1] === 0x2e && v[2] === 0x2e))
  ) {
    blockIndicators = true;
  }
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v[i]!;
    const next = v[i + 1];
    const followedByWs = i + 1 >= n || isBlank(next) || isBreak(next ?? 0);
    if (i === 0) {
      switch (c) {
        case 0x23: // #
        case 0x2c: // ,
        case 0x5b: // [
        case 0x5d:
        case 0x7b:
        case 0x7d:
        case 0x26: // &
        case 0x2a: // *
        case 0x21: // !
        case 0x7c: // |
        case 0x3e: // >
        case 0x27: // '
        case 0x22: // "
        case 0x25: // %
        case 0x40: // @
        case 0x60: // `
          blockIndicators = true;
          break;
        case 0x3f: // ?
        case 0x3a: // :
          if (followedByWs) blockIndicators = true;
          break;
        case 0x2d: // -
          if (followedByWs) blockIndicators = true;
          break;
      }
    } else {
      if (c === 0x3a && followedByWs) blockIndicators = true;
      else if (c === 0x23 && precededByWs) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(c) || isBreak(c) || c === 0;
  }
  const a: Analysis = {
    multiline: lineBreaks,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
    special: v,
    unicodeBreaks: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlainAllowed = false;
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) a.blockPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

function hex(v: number, w: number): string {
  return v.toString(16).toUpperCase().padStart(w, "0");
}

interface KeyPlan {
  readonly ka: Analysis;
  readonly style: Style;
}

/** Map keys and short strings repeat across documents (name, labels, ...): their analysis and style, kept. */
const keyPlans = new Map<string, KeyPlan>();
const KEY_PLANS_LIMIT = 20000;

function keyPlan(k: string): KeyPlan {
  let plan = keyPlans.get(k);
  if (plan === undefined) {
    plan = { ka: analyze(k), style: stringStyle(k) };
    if (keyPlans.size >= KEY_PLANS_LIMIT) keyPlans.clear();
    keyPlans.set(k, plan);
  }
  return plan;
}

/** Index of the first line break at or after `from` in a string without special characters, or its length. */
function breakAt(s: string, from: number, unicodeBreaks: boolean): number {
  if (!unicodeBreaks) {
    const j = s.indexOf("\n", from);
    return j < 0 ? s.length : j;
  }
  let j = from;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x0a || c === 0x2028 || c === 0x2029) break;
  }
  return j;
}

class Emitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  private readonly indents: number[] = [];

  private put(s: string): void {
    this.out += s;
    this.column += s.length;
  }

  private putCp(cp: number): void {
    this.out += String.fromCodePoint(cp);
    this.column++;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  private writeIndent(): void {
    const indent = this.indent < 0 ? 0 : this.indent;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    if (this.column < indent) {
      this.out += " ".repeat(indent - this.column);
      this.column = indent;
    }
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(ind: string, needWs: boolean, isWs: boolean, isIndention: boolean): void {
    if (needWs && !this.whitespace) this.put(" ");
    this.put(ind);
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  document(node: EmitNode): string {
    this.node(node, false, false);
    this.writeIndent();
    return this.out;
  }

  private node(node: EmitNode, mapping: boolean, simpleKey: boolean): void {
    if (typeof node === "string") {
      // Short strings repeat (names, labels, ports): their analysis and style are kept.
      if (node.length <= 64) {
        const plan = keyPlan(node);
        this.scalar(node, plan.ka, plan.style, simpleKey);
      } else {
        this.scalar(node, analyze(node), stringStyle(node), simpleKey);
      }
      return;
    }
    if (node instanceof EmitMap) {
      const keys = node.keys;
      const values = node.values;
      if (keys.length === 0) {
        this.writeIndicator("{", true, true, false);
        this.writeIndicator("}", false, false, false);
        return;
      }
      this.increaseIndent(false, false);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        this.writeIndent();
        const plan = keyPlan(k);
        const ka = plan.ka;
        // A UTF-16 code unit is at most 3 bytes of UTF-8.
        if (!ka.multiline && (k.length <= 42 || Buffer.byteLength(k) <= 128)) {
          this.scalar(k, ka, plan.style, true);
          this.writeIndicator(":", false, false, false);
        } else {
          this.writeIndicator("?", true, false, true);
          this.scalar(k, ka, plan.style, false);
          this.writeIndent();
          this.writeIndicator(":", true, false, true);
        }
        this.node(values[i]!, true, false);
      }
      this.popIndent();
      return;
    }
    if (node instanceof PlainScalar) {
      // Numbers, booleans and null repeat too.
      this.scalar(node.text, keyPlan(node.text).ka, Style.Plain, simpleKey);
      return;
    }
    if (node.length === 0) {
      this.writeIndicator("[", true, true, false);
      this.writeIndicator("]", false, false, false);
      return;
    }
    this.increaseIndent(false, mapping && !this.indention);
    for (let i = 0; i < node.length; i++) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(node[i]!, false, false);
    }
    this.popIndent();
  }

  private scalar(value: string, a: Analysis, requested: Style, simpleKey: boolean): void {
    let style = requested;
    if (simpleKey && a.multiline) style = Style.Double;
    if (style === Style.Plain) {
      if (!a.blockPlainAllowed) style = Style.Single;
      if (value.length === 0 && simpleKey) style = Style.Single;
    }
    if (style === Style.Single && !a.singleQuotedAllowed) style = Style.Double;
    if (style === Style.Literal && (!a.blockAllowed || simpleKey)) style = Style.Double;
    // A string with special characters always ends up double-quoted: the other writers see only strings
    // whose code units are their code points.
    this.increaseIndent(true, false);
    const allowBreaks = !simpleKey;
    switch (style) {
      case Style.Plain:
        this.writePlain(value, allowBreaks);
        break;
      case Style.Single:
        this.writeSingle(value, allowBreaks);
        break;
      case Style.Double:
        this.writeDouble(value, a.special, allowBreaks);
        break;
      case Style.Literal:
        this.writeLiteral(value, a.unicodeBreaks);
        break;
    }
    this.popIndent();
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    const n = value.length;
    if (!allowBreaks || this.column + n <= BEST_WIDTH + 1 || !value.includes(" ")) {
      // Fast path: no folding possible.
      this.out += value;
      this.column += n;
    } else {
      let spaces = false;
      for (let i = 0; i < n; i++) {
        if (value.charCodeAt(i) === 0x20) {
          if (!spaces && this.column > BEST_WIDTH && value.charCodeAt(i + 1) !== 0x20) {
            this.writeIndent();
          } else {
            this.out += " ";
            this.column++;
          }
          spaces = true;
        } else {
          // A word, copied up to the next space.
          let j = value.indexOf(" ", i + 1);
          if (j < 0) j = n;
          this.out += value.slice(i, j);
          this.column += j - i;
          i = j - 1;
          this.indention = false;
          spaces = false;
        }
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(value: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1 && value.charCodeAt(i + 1) !== 0x20) {
          this.writeIndent();
        } else {
          this.out += " ";
          this.column++;
        }
        spaces = true;
      } else if (c === 0x0a || c === 0x2028 || c === 0x2029) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) {
          this.out += "''";
          this.column += 2;
        } else {
          // A run without spaces, breaks or quotes, copied as a slice.
          let j = i + 1;
          for (; j < n; j++) {
            const d = value.charCodeAt(j);
            if (d === 0x20 || d === 0x27 || d === 0x0a || d === 0x2028 || d === 0x2029) break;
          }
          this.out += value.slice(i, j);
          this.column += j - i;
          i = j - 1;
        }
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeBreak(c: number): void {
    if (c === 0x0a) {
      this.putBreak();
    } else {
      this.out += String.fromCodePoint(c);
      this.column = 0;
    }
  }

  /** `special`: the code points of a string with special characters; null: the string's code units are its code points. */
  private writeDouble(value: string, special: number[] | null, allowBreaks: boolean): void {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    const n = special === null ? value.length : special.length;
    for (let i = 0; i < n; i++) {
      const c = special === null ? value.charCodeAt(i) : special[i]!;
      if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put("\\");
        switch (c) {
          case 0x00:
            this.put("0");
            break;
          case 0x07:
            this.put("a");
            break;
          case 0x08:
            this.put("b");
            break;
          case 0x09:
            this.put("t");
            break;
          case 0x0a:
            this.put("n");
            break;
          case 0x0b:
            this.put("v");
            break;
          case 0x0c:
            this.put("f");
            break;
          case 0x0d:
            this.put("r");
            break;
          case 0x1b:
            this.put("e");
            break;
          case 0x22:
            this.put('"');
            break;
          case 0x5c:
            this.put("\\");
            break;
          case 0x85:
            this.put("N");
            break;
          case 0xa0:
            this.put("_");
            break;
          case 0x2028:
            this.put("L");
            break;
          case 0x2029:
            this.put("P");
            break;
          default:
            if (c <= 0xff) this.put("x" + hex(c, 2));
            else if (c <= 0xffff) this.put("u" + hex(c, 4));
            else this.put("U" + hex(c, 8));
        }
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== n - 1) {
          this.writeIndent();
          if ((special === null ? value.charCodeAt(i + 1) : special[i + 1]) === 0x20) this.put("\\");
        } else {
          this.putCp(c);
        }
        spaces = true;
      } else if (special === null) {
        // A run of characters written as they are (no space, break, quote or backslash), copied as a slice.
        let j = i + 1;
        for (; j < n; j++) {
          const d = value.charCodeAt(j);
          if (d === 0x20 || d === 0x22 || d === 0x5c || d === 0x0a || d === 0x2028 || d === 0x2029) break;
        }
        this.out += value.slice(i, j);
        this.column += j - i;
        i = j - 1;
        spaces = false;
      } else {
        this.putCp(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(value: string, unicodeBreaks: boolean): void {
    this.writeIndicator("|", true, false, false);
    const n = value.length;
    // Block scalar hints.
    if (value.charCodeAt(0) === 0x20 || isBreak(value.charCodeAt(0))) this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = "";
    if (n === 0 || !isBreak(value.charCodeAt(n - 1))) chomp = "-";
    else if (n === 1 || isBreak(value.charCodeAt(n - 2))) chomp = "+";
    if (chomp !== "") this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (let i = 0; i < n; ) {
      const c = value.charCodeAt(i);
      if (c === 0x0a || c === 0x2028 || c === 0x2029) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
        i++;
      } else {
        if (breaks) this.writeIndent();
        // The rest of the line, copied as a slice.
        const j = breakAt(value, i, unicodeBreaks);
        this.out += value.slice(i, j);
        this.column += j - i;
        i = j;
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** encode.go stringv: the style the encoder asks for. */
function stringStyle(s: string): Style {
  if (s.includes("\n")) return Style.Literal;
  const r = resolvePlain(s);
  if (r.tag === "str" && !isBase60Float(s)) return Style.Plain;
  return Style.Double;
}

/** Emits one YAML document the way go-yaml v2's Marshal does (with the final newline). */
export function emitYaml(node: EmitNode): string {
  return new Emitter().document(node);
}
