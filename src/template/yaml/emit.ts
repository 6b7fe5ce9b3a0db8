// A port of the parts of go-yaml v2's emitter (emitterc.go) and encoder (encode.go) that
// sigs.k8s.io/yaml reaches: block style, 2-space indent, 80-column folding, scalar style selection.

import { isBase60Float, resolvePlain } from "./resolve.js";

/** A non-string scalar printed as is (ints, floats, bools, null). */
export class PlainScalar {
  constructor(readonly text: string) {}
}

export type EmitNode = PlainScalar | string | EmitNode[] | EmitMap;

/** A mapping in emission order. */
export class EmitMap {
  constructor(readonly pairs: [string, EmitNode][]) {}
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

function analyze(v: number[]): Analysis {
  if (v.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
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
  const a: Analysis = { multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
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
  readonly kc: number[];
  readonly ka: Analysis;
  readonly style: Style;
}

/** Map keys and short strings repeat across documents (name, labels, ...): their code points, analysis and style, kept. */
const keyPlans = new Map<string, KeyPlan>();
const KEY_PLANS_LIMIT = 20000;

function keyPlan(k: string): KeyPlan {
  let plan = keyPlans.get(k);
  if (plan === undefined) {
    const kc = cps(k);
    plan = { kc, ka: analyze(kc), style: stringStyle(k) };
    if (keyPlans.size >= KEY_PLANS_LIMIT) keyPlans.clear();
    keyPlans.set(k, plan);
  }
  return plan;
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
    if (Array.isArray(node)) {
      if (node.length === 0) {
        this.writeIndicator("[", true, true, false);
        this.writeIndicator("]", false, false, false);
        return;
      }
      this.increaseIndent(false, mapping && !this.indention);
      for (const item of node) {
        this.writeIndent();
        this.writeIndicator("-", true, false, true);
        this.node(item, false, false);
      }
      this.popIndent();
      return;
    }
    if (node instanceof EmitMap) {
      if (node.pairs.length === 0) {
        this.writeIndicator("{", true, true, false);
        this.writeIndicator("}", false, false, false);
        return;
      }
      this.increaseIndent(false, false);
      for (const [k, v] of node.pairs) {
        this.writeIndent();
        const { kc, ka, style } = keyPlan(k);
        // A UTF-16 code unit is at most 3 bytes of UTF-8.
        if (!ka.multiline && (k.length <= 42 || Buffer.byteLength(k) <= 128)) {
          this.scalar(k, kc, ka, style, true);
          this.writeIndicator(":", false, false, false);
        } else {
          this.writeIndicator("?", true, false, true);
          this.scalar(k, kc, ka, style, false);
          this.writeIndent();
          this.writeIndicator(":", true, false, true);
        }
        this.node(v, true, false);
      }
      this.popIndent();
      return;
    }
    if (node instanceof PlainScalar) {
      const c = cps(node.text);
      this.scalar(node.text, c, analyze(c), Style.Plain, simpleKey);
      return;
    }
    if (node.length <= 64) {
      const { kc, ka, style } = keyPlan(node);
      this.scalar(node, kc, ka, style, simpleKey);
      return;
    }
    const c = cps(node);
    this.scalar(node, c, analyze(c), stringStyle(node), simpleKey);
  }

  private scalar(value: string, v: number[], a: Analysis, requested: Style, simpleKey: boolean): void {
    let style = requested;
    if (simpleKey && a.multiline) style = Style.Double;
    if (style === Style.Plain) {
      if (!a.blockPlainAllowed) style = Style.Single;
      if (v.length === 0 && simpleKey) style = Style.Single;
    }
    if (style === Style.Single && !a.singleQuotedAllowed) style = Style.Double;
    if (style === Style.Literal && (!a.blockAllowed || simpleKey)) style = Style.Double;
    this.increaseIndent(true, false);
    const allowBreaks = !simpleKey;
    switch (style) {
      case Style.Plain:
        this.writePlain(value, v, allowBreaks);
        break;
      case Style.Single:
        this.writeSingle(value, v, allowBreaks);
        break;
      case Style.Double:
        this.writeDouble(v, allowBreaks);
        break;
      case Style.Literal:
        this.writeLiteral(value, v);
        break;
    }
    this.popIndent();
  }

  private writePlain(value: string, v: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    if (!allowBreaks || this.column + v.length <= BEST_WIDTH + 1 || !value.includes(" ")) {
      // Fast path: no folding possible.
      this.out += value;
      this.column += v.length;
    } else {
      let spaces = false;
      // Without astral characters, code points and code units line up: words are copied as slices.
      const sliceable = value.length === v.length;
      for (let i = 0; i < v.length; i++) {
        const c = v[i]!;
        if (c === 0x20) {
          if (!spaces && this.column > BEST_WIDTH && v[i + 1] !== 0x20) {
            this.writeIndent();
          } else {
            this.putCp(c);
          }
          spaces = true;
        } else {
          if (sliceable) {
            let j = i + 1;
            while (j < v.length && v[j] !== 0x20) j++;
            this.out += value.slice(i, j);
            this.column += j - i;
            i = j - 1;
          } else {
            this.putCp(c);
          }
          this.indention = false;
          spaces = false;
        }
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(value: string, v: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const sliceable = value.length === v.length;
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] !== 0x20) {
          this.writeIndent();
        } else {
          this.putCp(c);
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        if (sliceable && c !== 0x27) {
          // A run without spaces, breaks or quotes, copied as a slice.
          let j = i + 1;
          while (j < v.length && v[j] !== 0x20 && v[j] !== 0x27 && !isBreak(v[j]!)) j++;
          this.out += value.slice(i, j);
          this.column += j - i;
          i = j - 1;
        } else {
          this.putCp(c);
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

  private writeDouble(v: number[], allowBreaks: boolean): void {
    let spaces = false;
    this.writeIndicator('"', true, false, false);
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
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
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== v.length - 1) {
          this.writeIndent();
          if (v[i + 1] === 0x20) this.put("\\");
        } else {
          this.putCp(c);
        }
        spaces = true;
      } else {
        this.putCp(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(value: string, v: number[]): void {
    this.writeIndicator("|", true, false, false);
    // Block scalar hints.
    if (v[0] === 0x20 || isBreak(v[0] ?? 0)) this.writeIndicator(String(BEST_INDENT), false, false, false);
    let chomp = "";
    const n = v.length;
    if (n === 0 || !isBreak(v[n - 1]!)) chomp = "-";
    else if (n === 1 || isBreak(v[n - 2]!)) chomp = "+";
    if (chomp !== "") this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    // Without astral characters, code points and code units line up: lines are copied as slices.
    const sliceable = value.length === n;
    for (let i = 0; i < n; i++) {
      const c = v[i]!;
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (sliceable) {
          let j = i + 1;
          while (j < n && !isBreak(v[j]!)) j++;
          this.out += value.slice(i, j);
          this.column += j - i;
          i = j - 1;
        } else {
          this.putCp(c);
        }
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
