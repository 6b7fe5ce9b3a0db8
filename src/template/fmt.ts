// A port of the parts of Go's fmt package that templates reach: Sprint, Sprintln, Sprintf.

import { formatFloat, quote, quoteASCII, quoteRuneLiteral } from "./strconv.js";
import {
  GoComplex,
  GoFunc,
  GoInt,
  GoObject,
  isMap,
  sortedKeys,
  stringBytes,
  typeName,
  bytesToString,
} from "./value.js";

/** %v of a value; `depth` > 0 means nested inside a container. */
export function formatValue(v: unknown, depth = 0): string {
  if (v === undefined || v === null) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatFloat(v, "g", -1);
    case "boolean":
      return v ? "true" : "false";
    default:
      break;
  }
  if (v instanceof GoInt) return v.v.toString();
  if (Array.isArray(v)) {
    const parts: string[] = [];
    for (const e of v) parts.push(formatValue(e, depth + 1));
    return "[" + parts.join(" ") + "]";
  }
  if (isMap(v)) {
    const parts: string[] = [];
    for (const k of sortedKeys(v)) parts.push(k + ":" + formatValue(v.get(k), depth + 1));
    return "map[" + parts.join(" ") + "]";
  }
  if (v instanceof Uint8Array) return "[" + Array.from(v).join(" ") + "]";
  if (v instanceof GoObject) return v.format();
  if (v instanceof GoComplex) return formatComplex(v, "g", -1, false);
  if (v instanceof GoFunc) return "0x1";
  return typeof v === "bigint" ? v.toString() : "?";
}

function formatComplex(c: GoComplex, verb: "e" | "E" | "f" | "g" | "G", prec: number, plus: boolean): string {
  const re = formatFloat(c.re, verb, prec);
  let im = formatFloat(c.im, verb, prec);
  if (!im.startsWith("-") && !im.startsWith("+")) im = "+" + im;
  return "(" + (plus && !re.startsWith("-") ? "+" : "") + re + im + "i)";
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isString = typeof a === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += formatValue(a);
    prevString = isString;
  }
  return out;
}

/** fmt.Sprintln: always spaces, trailing newline. */
export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => formatValue(a)).join(" ") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Sprintf

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

function pad(s: string, f: Flags, zeroOk = true): string {
  if (f.width === undefined) return s;
  const n = runeCount(s);
  if (n >= f.width) return s;
  const fill = f.width - n;
  if (f.minus) return s + " ".repeat(fill);
  if (f.zero && zeroOk) {
    // Zero padding goes after the sign.
    if (s.startsWith("-") || s.startsWith("+") || s.startsWith(" ")) {
      return s[0] + "0".repeat(fill) + s.slice(1);
    }
    return "0".repeat(fill) + s;
  }
  return " ".repeat(fill) + s;
}

function truncRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  let out = "";
  let n = 0;
  for (const ch of s) {
    if (n >= prec) break;
    out += ch;
    n++;
  }
  return out;
}

function badVerb(verb: string, v: unknown): string {
  if (v === undefined || v === null) return "%!" + verb + "(<nil>)";
  return "%!" + verb + "(" + typeName(v) + "=" + formatValue(v) + ")";
}

function fmtInteger(n: bigint, signed: boolean, base: number, verb: string, f: Flags, upper = false): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (f.prec !== undefined) {
    if (f.prec === 0 && n === 0n) digits = "";
    else digits = digits.padStart(f.prec, "0");
  } else if (f.zero && !f.minus && f.width !== undefined) {
    // Zero padding handled via pad() below.
  }
  let prefix = "";
  if (f.sharp) {
    if (base === 8 && !digits.startsWith("0")) prefix = "0";
    else if (base === 16) prefix = verb === "X" ? "0X" : "0x";
    else if (base === 2) prefix = "0b";
  }
  if (verb === "O") prefix = "0o";
  let sign = "";
  if (neg) sign = "-";
  else if (f.plus && signed) sign = "+";
  else if (f.plus) sign = "+";
  else if (f.space) sign = " ";
  const body = prefix + digits;
  if (f.width !== undefined && f.zero && !f.minus && f.prec === undefined) {
    const total = runeCount(sign + body);
    if (total < f.width) return sign + prefix + "0".repeat(f.width - total) + digits;
    return sign + body;
  }
  return pad(sign + body, { ...f, zero: false });
}

function fmtFloatVerb(x: number, verb: string, f: Flags): string {
  let s: string;
  const prec = f.prec ?? -1;
  switch (verb) {
    case "v":
    case "g":
      s = formatFloat(x, "g", prec);
      break;
    case "G":
      s = formatFloat(x, "G", prec);
      break;
    case "e":
    case "E":
      s = formatFloat(x, verb, f.prec ?? 6);
      break;
    case "f":
    case "F":
      s = formatFloat(x, "f", f.prec ?? 6);
      break;
    default:
      s = formatFloat(x, "g", prec);
  }
  if (f.sharp && verb !== "v") {
    // Ensure a decimal point (rarely used); keep simple.
    if (!s.includes(".") && !s.includes("Inf") && !s.includes("NaN")) {
      const e = s.search(/[eE]/);
      s = e >= 0 ? s.slice(0, e) + "." + s.slice(e) : s + ".";
    }
  }
  if (!s.startsWith("-") && !s.startsWith("+")) {
    if (f.plus) s = "+" + s;
    else if (f.space) s = " " + s;
  } else if (s.startsWith("+") && !f.plus) {
    // +Inf: fmt prints +Inf only with the plus flag.
    s = f.space ? " " + s.slice(1) : s.slice(1);
  }
  if (Number.isFinite(x)) return pad(s, f);
  return pad(s, f, false);
}

function fmtString(s: string, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
    case "s":
      return pad(truncRunes(s, f.prec), f);
    case "q":
      if (f.sharp && !s.includes("`")) return pad("`" + s + "`", f);
      return pad(f.plus ? quoteASCII(truncRunes(s, f.prec)) : quote(truncRunes(s, f.prec)), f);
    case "x":
    case "X":
      return pad(hexBytes(stringBytes(truncRunes(s, f.prec)), verb === "X", f), f);
    default:
      return badVerb(verb, s);
  }
}

function hexBytes(b: Uint8Array, upper: boolean, f: Flags): string {
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) {
    let h = (b[i] ?? 0).toString(16).padStart(2, "0");
    if (upper) h = h.toUpperCase();
    if (f.space && i > 0) parts.push(" ");
    if (f.sharp && (f.space || i === 0)) parts.push(upper ? "0X" : "0x");
    parts.push(h);
  }
  return parts.join("");
}

function goSyntax(v: unknown, top = true): string {
  if (v === undefined || v === null) return top ? "<nil>" : "interface {}(nil)";
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") {
    const s = formatFloat(v, "g", -1);
    return s;
  }
  if (typeof v === "boolean") return String(v);
  if (v instanceof GoInt) return v.kind === "int" || top ? v.v.toString() : v.v.toString();
  if (Array.isArray(v)) {
    return typeName(v) + "{" + v.map((e) => goSyntax(e, false)).join(", ") + "}";
  }
  if (isMap(v)) {
    return (
      typeName(v) +
      "{" +
      sortedKeys(v)
        .map((k) => quote(k) + ":" + goSyntax(v.get(k), false))
        .join(", ") +
      "}"
    );
  }
  if (v instanceof Uint8Array) return "[]byte{" + Array.from(v, (b) => "0x" + b.toString(16)).join(", ") + "}";
  return formatValue(v);
}

function fmtArg(v: unknown, verb: string, f: Flags): string {
  if (verb === "T") return pad(v === undefined || v === null ? "<nil>" : typeName(v), f);
  if (verb === "p") return badVerb(verb, v);
  if (v === undefined || v === null) {
    if (verb === "v") return pad("<nil>", f);
    return badVerb(verb, v);
  }
  if (verb === "v" && f.sharp) return pad(goSyntax(v), f);
  if (typeof v === "boolean") {
    if (verb === "v" || verb === "t") return pad(v ? "true" : "false", f);
    return badVerb(verb, v);
  }
  if (v instanceof GoInt) {
    const signed = v.signed;
    switch (verb) {
      case "v":
      case "d":
        return fmtInteger(v.v, signed, 10, verb, f);
      case "b":
        return fmtInteger(v.v, signed, 2, verb, f);
      case "o":
      case "O":
        return fmtInteger(v.v, signed, 8, verb, f);
      case "x":
        return fmtInteger(v.v, signed, 16, verb, f);
      case "X":
        return fmtInteger(v.v, signed, 16, verb, f, true);
      case "c":
        return pad(String.fromCodePoint(safeRune(v.v)), f);
      case "q":
        return pad(quoteRuneLiteral(Number(v.v)), f);
      case "U": {
        let s = "U+" + (v.v < 0n ? -v.v : v.v).toString(16).toUpperCase().padStart(4, "0");
        if (f.sharp) s += " '" + String.fromCodePoint(safeRune(v.v)) + "'";
        return pad(s, f);
      }
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G":
        return badVerb(verb, v);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === "number") {
    switch (verb) {
      case "v":
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G":
        return fmtFloatVerb(v, verb, f);
      default:
        return badVerb(verb, v);
    }
  }
  if (typeof v === "string") return fmtString(v, verb, f);
  if (v instanceof Uint8Array) {
    if (verb === "s") return pad(truncRunes(bytesToString(v), f.prec), f);
    if (verb === "q") return pad(quote(bytesToString(v)), f);
    if (verb === "x" || verb === "X") return pad(hexBytes(v, verb === "X", f), f);
    if (verb === "v" || verb === "d") return pad(formatValue(v), f);
  }
  if (v instanceof GoComplex) {
    if ("vefgEFG".includes(verb)) {
      const vb = (verb === "v" ? "g" : verb === "F" ? "f" : verb) as "e" | "E" | "f" | "g" | "G";
      return pad(formatComplex(v, vb, f.prec ?? (vb === "g" || vb === "G" ? -1 : 6), f.plus), f);
    }
    return badVerb(verb, v);
  }
  if (Array.isArray(v)) {
    if (verb === "v") return pad(formatValue(v), f);
    // fmt applies the verb to each element.
    return "[" + v.map((e) => fmtArg(e, verb, { ...f, width: f.width })).join(" ") + "]";
  }
  if (isMap(v)) {
    if (verb === "v") return pad(formatValue(v), f);
    return "map[" + sortedKeys(v).map((k) => fmtArg(k, verb, f) + ":" + fmtArg(v.get(k), verb, f)).join(" ") + "]";
  }
  if (v instanceof GoObject) {
    if (verb === "v" || verb === "s") return pad(v.format(), f);
    return badVerb(verb, v);
  }
  return pad(formatValue(v), f);
}

function safeRune(n: bigint): number {
  if (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn)) return 0xfffd;
  return Number(n);
}

function parseNum(format: string, i: number): { num: number | undefined; end: number } {
  let j = i;
  let num = 0;
  while (j < format.length) {
    const c = format.charCodeAt(j);
    if (c < 48 || c > 57) break;
    num = num * 10 + (c - 48);
    if (num > 1e6) return { num: undefined, end: format.length };
    j++;
  }
  return j === i ? { num: undefined, end: i } : { num, end: j };
}

/** fmt.Sprintf */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let afterIndex = false;
  let goodArgNum = true;
  const end = format.length;
  let i = 0;

  const argNumber = (idx: number): { n: number; i: number; ok: boolean; found: boolean } => {
    if (idx >= end || format[idx] !== "[") return { n: argNum, i: idx, ok: true, found: false };
    reordered = true;
    // find closing bracket
    for (let j = idx + 1; j < end; j++) {
      if (format[j] === "]") {
        const { num, end: e } = parseNum(format, idx + 1);
        if (num === undefined || e !== j) {
          return { n: argNum, i: j + 1, ok: false, found: true };
        }
        const n = num - 1;
        if (n >= 0 && n < args.length) return { n, i: j + 1, ok: true, found: true };
        return { n: argNum, i: j + 1, ok: false, found: true };
      }
    }
    return { n: argNum, i: idx + 1, ok: false, found: true };
  };

  while (i < end) {
    goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== "%") i++;
    if (i > lasti) out += format.slice(lasti, i);
    if (i >= end) break;
    i++; // skip %
    const f: Flags = {
      plus: false,
      minus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      prec: undefined,
    };
    // flags
    for (; i < end; i++) {
      const c = format[i];
      if (c === "#") f.sharp = true;
      else if (c === "0") f.zero = !f.minus;
      else if (c === "+") f.plus = true;
      else if (c === "-") {
        f.minus = true;
        f.zero = false;
      } else if (c === " ") f.space = true;
      else break;
    }
    // argument index
    let r = argNumber(i);
    argNum = r.n;
    i = r.i;
    if (!r.ok) goodArgNum = false;
    afterIndex = r.found;
    // width
    if (i < end && format[i] === "*") {
      i++;
      const a = args[argNum];
      if (argNum < args.length && a instanceof GoInt) {
        let w = Number(a.v);
        if (w < 0) {
          f.minus = true;
          f.zero = false;
          w = -w;
        }
        f.width = w;
        argNum++;
      } else {
        if (argNum < args.length) argNum++;
        out += "%!(BADWIDTH)";
      }
      afterIndex = false;
    } else {
      const { num, end: e } = parseNum(format, i);
      if (num !== undefined) {
        f.width = num;
        if (afterIndex) goodArgNum = false;
      }
      i = e;
    }
    // precision
    if (i + 1 <= end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(i);
      argNum = r.n;
      i = r.i;
      if (!r.ok) goodArgNum = false;
      afterIndex = r.found;
      if (i < end && format[i] === "*") {
        i++;
        const a = args[argNum];
        if (argNum < args.length && a instanceof GoInt) {
          const p = Number(a.v);
          f.prec = p < 0 ? undefined : p;
          argNum++;
        } else {
          if (argNum < args.length) argNum++;
          out += "%!(BADPREC)";
        }
        afterIndex = false;
      } else {
        const { num, end: e } = parseNum(format, i);
        f.prec = num ?? 0;
        i = e;
      }
    }
    if (!afterIndex) {
      r = argNumber(i);
      argNum = r.n;
      i = r.i;
      if (!r.ok) goodArgNum = false;
      afterIndex = r.found;
    }
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i) ?? 0;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodArgNum) {
      out += "%!" + verb + "(BADINDEX)";
      continue;
    }
    if (argNum >= args.length) {
      out += "%!" + verb + "(MISSING)";
      continue;
    }
    if (verb === "w") {
      out += badVerb(verb, args[argNum]);
      argNum++;
      continue;
    }
    out += fmtArg(args[argNum], verb, f);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    out += "%!(EXTRA ";
    const extras: string[] = [];
    for (let k = argNum; k < args.length; k++) {
      const a = args[k];
      if (a === undefined || a === null) extras.push("<nil>");
      else extras.push(typeName(a) + "=" + formatValue(a));
    }
    out += extras.join(", ") + ")";
  }
  return out;
}
