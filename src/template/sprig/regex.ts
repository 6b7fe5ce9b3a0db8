// Go regexp (RE2 syntax, Perl flags) on top of JavaScript RegExp: the pattern is parsed with
// Go's rules (unsupported Perl syntax is rejected with Go's error text) and translated to an
// equivalent `u`-mode JS pattern; matching loops reproduce Go's FindAll/ReplaceAll/Split.

import { FuncError } from "../errors.js";
import { quote as goQuote } from "../strconv.js";
import { setSliceElemType, type GoFunc, type GoInt } from "../value.js";
import { fn } from "./conv.js";

class RegexpError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const PERL: Record<string, string> = {
  d: "0-9",
  s: "\\t\\n\\f\\r ",
  w: "0-9A-Za-z_",
};

function escLit(cp: number, inClass: boolean): string {
  const c = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f)) return `\\u{${cp.toString(16)}}`;
  if (inClass) return "\\^-[]{}()|/.*+?$".includes(c) || c === "\\" ? "\\" + c : c;
  return "\\^$.*+?()[]{}|/".includes(c) ? "\\" + c : c;
}

function unicodeClass(name: string, whole: string): string {
  if (name === "Any") return "\\u{0}-\\u{10FFFF}";
  const gc = /^(?:L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Co|Cs)$/;
  if (gc.test(name)) return `\\p{${name}}`;
  try {
    new RegExp(`\\p{Script=${name}}`, "u");
    return `\\p{Script=${name}}`;
  } catch {
    throw new RegexpError("invalid character class range", whole);
  }
}

export interface CompiledRegexp {
  re: RegExp;
  names: (string | null)[]; // index = group number
  expr: string;
}

/** Parses a Go regexp and returns an equivalent JS RegExp (global, unicode). */
export function compileGo(expr: string): CompiledRegexp {
  const cps = [...expr];
  let pos = 0;
  const names: (string | null)[] = [null];
  const stack: { flags: Flags; start: number }[] = [];
  let flags: Flags = { i: false, m: false, s: false, U: false };
  let out = "";
  // Whether the previous item can take a repetition operator, and whether it already has one.
  let lastAtom: "none" | "atom" | "repeated" = "none";
  let lastRepeatText = "";
  const peek = (k = 0): string => cps[pos + k] ?? "";
  const wrapI = (s: string): string => (flags.i ? `(?i:${s})` : s);

  const parseEscape = (inClass: boolean): { cls?: string; cp?: number; raw?: string } => {
    // at backslash
    const start = pos;
    pos++;
    const c = peek();
    if (c === "") throw new RegexpError("trailing backslash at end of expression", "");
    pos++;
    if (c >= "1" && c <= "7") {
      if (!(peek() >= "0" && peek() <= "7")) throw new RegexpError("invalid escape sequence", cps.slice(start, pos).join(""));
    }
    if (c >= "0" && c <= "7") {
      let v = parseInt(c, 8);
      for (let k = 0; k < 2 && peek() >= "0" && peek() <= "7"; k++) {
        v = v * 8 + parseInt(peek(), 8);
        pos++;
      }
      return { cp: v };
    }
    switch (c) {
      case "a":
        return { cp: 7 };
      case "f":
        return { cp: 12 };
      case "t":
        return { cp: 9 };
      case "n":
        return { cp: 10 };
      case "r":
        return { cp: 13 };
      case "v":
        return { cp: 11 };
      case "x": {
        if (peek() === "{") {
          pos++;
          let h = "";
          while (/[0-9a-fA-F]/.test(peek())) h += cps[pos++] ?? "";
          if (peek() !== "}" || h === "" || parseInt(h, 16) > 0x10ffff) {
            throw new RegexpError("invalid escape sequence", cps.slice(start, pos + 1).join(""));
          }
          pos++;
          return { cp: parseInt(h, 16) };
        }
        const h = peek() + peek(1);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new RegexpError("invalid escape sequence", cps.slice(start, pos + 2).join(""));
        pos += 2;
        return { cp: parseInt(h, 16) };
      }
      case "d":
      case "s":
      case "w":
        return { cls: PERL[c] ?? "" };
      case "D":
      case "S":
      case "W":
        return { cls: "^" + (PERL[c.toLowerCase()] ?? "") };
      case "p":
      case "P": {
        let name: string;
        if (peek() === "{") {
          const end = cps.indexOf("}", pos);
          if (end < 0) throw new RegexpError("invalid character class range", cps.slice(start).join(""));
          name = cps.slice(pos + 1, end).join("");
          pos = end + 1;
        } else {
          name = peek();
          pos++;
        }
        let neg = c === "P";
        if (name.startsWith("^")) {
          neg = !neg;
          name = name.slice(1);
        }
        const cls = unicodeClass(name, cps.slice(start, pos).join(""));
        return { cls: (neg ? "^" : "") + cls };
      }
      default:
        break;
    }
    if (!inClass && "AzbBQ".includes(c)) return { raw: c };
    const cp = c.codePointAt(0) ?? 0;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { cp };
    throw new RegexpError("invalid escape sequence", cps.slice(start, pos).join(""));
  };

  const parseClass = (): string => {
    const start = pos;
    pos++; // [
    let neg = false;
    if (peek() === "^") {
      neg = true;
      pos++;
    }
    const parts: string[] = [];
    const negParts: string[] = [];
    let first = true;
    while (pos < cps.length && (peek() !== "]" || first)) {
      first = false;
      if (peek() === "[" && peek(1) === ":") {
        const end = cps.indexOf("]", pos + 2);
        const txt = end < 0 ? "" : cps.slice(pos, end + 1).join("");
        const m = /^\[:(\^?)([a-z]+):\]$/.exec(txt);
        if (m !== null) {
          const p = POSIX[m[2] ?? ""];
          if (p === undefined) throw new RegexpError("invalid character class range", txt);
          if (m[1] === "^") negParts.push(p);
          else parts.push(p);
          pos = end + 1;
          continue;
        }
      }
      let lo: number;
      if (peek() === "\\") {
        const e = parseEscape(true);
        if (e.cls !== undefined) {
          if (e.cls.startsWith("^")) negParts.push(e.cls.slice(1));
          else parts.push(e.cls);
          continue;
        }
        lo = e.cp ?? 0;
      } else {
        lo = peek().codePointAt(0) ?? 0;
        pos++;
      }
      let hi = lo;
      const rangeStart = pos;
      if (peek() === "-" && peek(1) !== "]" && peek(1) !== "") {
        pos++;
        if (peek() === "\\") {
          const e = parseEscape(true);
          if (e.cls !== undefined) throw new RegexpError("invalid character class range", cps.slice(rangeStart - 1, pos).join(""));
          hi = e.cp ?? 0;
        } else {
          hi = peek().codePointAt(0) ?? 0;
          pos++;
        }
        if (hi < lo) {
          throw new RegexpError("invalid character class range", String.fromCodePoint(lo) + "-" + String.fromCodePoint(hi));
        }
      }
      parts.push(lo === hi ? escLit(lo, true) : escLit(lo, true) + "-" + escLit(hi, true));
    }
    if (pos >= cps.length) throw new RegexpError("missing closing ]", cps.slice(start).join(""));
    pos++; // ]
    let body = parts.join("");
    if (negParts.length > 0) {
      // Union of positive parts and complemented sets: use an alternation.
      const alts = negParts.map((p) => `[^${p}]`);
      if (body !== "") alts.unshift(`[${body}]`);
      const union = `(?:${alts.join("|")})`;
      return neg ? `(?:(?!${union})[^])` : union;
    }
    if (body === "") body = "";
    return neg ? `[^${body}]` : `[${body}]`;
  };

  const repeat = (op: string, text: string): void => {
    if (lastAtom === "none") throw new RegexpError("missing argument to repetition operator", text);
    if (lastAtom === "repeated") throw new RegexpError("invalid nested repetition operator", lastRepeatText + text);
    let lazy = false;
    if (peek() === "?") {
      lazy = true;
      pos++;
      text += "?";
    }
    if (flags.U) lazy = !lazy;
    out += op + (lazy ? "?" : "");
    lastAtom = "repeated";
    lastRepeatText = text;
  };

  const atom = (s: string): void => {
    out += `(?:${s})`;
    lastAtom = "atom";
  };

  while (pos < cps.length) {
    const c = peek();
    switch (c) {
      case "(": {
        if (peek(1) === "?") {
          // (?P<name>, (?<name>, (?flags), (?flags:
          const rest = cps.slice(pos).join("");
          const nm = /^\(\?P?<([^>]*)>/.exec(rest);
          if (nm !== null && (rest.startsWith("(?P<") || rest.startsWith("(?<"))) {
            const name = nm[1] ?? "";
            if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RegexpError("invalid named capture", nm[0]);
            if (names.includes(name)) throw new RegexpError("duplicate capture group name", name);
            names.push(name);
            stack.push({ flags: { ...flags }, start: out.length });
            out += "(";
            pos += [...nm[0]].length;
            lastAtom = "none";
            continue;
          }
          if (rest.startsWith("(?P") || rest.startsWith("(?<")) {
            const end = rest.indexOf(">");
            throw new RegexpError(end < 0 ? "invalid named capture" : "invalid named capture", end < 0 ? rest : rest.slice(0, end + 1));
          }
          const fm = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
          if (fm === null || (fm[2] !== undefined && fm[2] === "") || (fm[1] === "" && fm[2] === undefined && fm[3] === ")")) {
            const m2 = /^\(\?[imsU-]*./u.exec(rest);
            throw new RegexpError("invalid or unsupported Perl syntax", m2 !== null ? m2[0] : rest);
          }
          const nf = { ...flags };
          for (const f of fm[1] ?? "") nf[f as keyof Flags] = true;
          for (const f of fm[2] ?? "") nf[f as keyof Flags] = false;
          pos += fm[0].length;
          if (fm[3] === ")") {
            flags = nf;
          } else {
            stack.push({ flags: { ...flags }, start: out.length });
            out += "(?:";
            flags = nf;
            lastAtom = "none";
          }
          continue;
        }
        names.push(null);
        stack.push({ flags: { ...flags }, start: out.length });
        out += "(";
        pos++;
        lastAtom = "none";
        continue;
      }
      case ")": {
        const top = stack.pop();
        if (top === undefined) throw new RegexpError("unexpected )", expr);
        flags = top.flags;
        out += ")";
        pos++;
        lastAtom = "atom";
        continue;
      }
      case "|":
        out += "|";
        pos++;
        lastAtom = "none";
        continue;
      case "*":
      case "+":
      case "?":
        pos++;
        repeat(c, c);
        continue;
      case "{": {
        const rest = cps.slice(pos).join("");
        const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
        if (m === null) {
          atom(escLit(0x7b, false));
          pos++;
          continue;
        }
        const lo = Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === "" ? -1 : Number(m[3]);
        if (lo > 1000 || hi > 1000 || (hi >= 0 && hi < lo)) throw new RegexpError("invalid repeat count", m[0]);
        pos += m[0].length;
        repeat(m[0], m[0]);
        continue;
      }
      case ".":
        pos++;
        atom(flags.s ? "[^]" : "[^\\n]");
        continue;
      case "^":
        pos++;
        out += flags.m ? "(?<![^\\n])" : "(?<![^])";
        lastAtom = "none";
        continue;
      case "$":
        pos++;
        out += flags.m ? "(?![^\\n])" : "(?![^])";
        lastAtom = "none";
        continue;
      case "[":
        atom(wrapI(parseClass()));
        continue;
      case "\\": {
        if (peek(1) === "Q") {
          pos += 2;
          let lit = "";
          while (pos < cps.length && !(peek() === "\\" && peek(1) === "E")) {
            lit += escLit(cps[pos]?.codePointAt(0) ?? 0, false);
            pos++;
          }
          if (pos < cps.length) pos += 2;
          if (lit !== "") atom(wrapI(lit));
          continue;
        }
        const e = parseEscape(false);
        if (e.raw !== undefined) {
          const map: Record<string, string> = { A: "(?<![^])", z: "(?![^])", b: "\\b", B: "\\B" };
          out += map[e.raw] ?? "";
          lastAtom = "none";
        } else if (e.cls !== undefined) {
          atom(wrapI(e.cls.startsWith("^") ? `[^${e.cls.slice(1)}]` : `[${e.cls}]`));
        } else {
          atom(wrapI(escLit(e.cp ?? 0, false)));
        }
        continue;
      }
      default:
        pos++;
        atom(wrapI(escLit(c.codePointAt(0) ?? 0, false)));
    }
  }
  if (stack.length > 0) throw new RegexpError("missing closing )", expr);
  return { re: new RegExp(out, "gu"), names, expr };
}

// --- matching loops ---------------------------------------------------------------------------

type Match = RegExpExecArray;

function execAt(c: CompiledRegexp, s: string, pos: number): Match | null {
  c.re.lastIndex = pos;
  return c.re.exec(s);
}

function width(s: string, pos: number): number {
  const cp = s.codePointAt(pos);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

/** Regexp.FindAllStringSubmatchIndex-like loop; returns the matches Go accepts. */
function allMatches(c: CompiledRegexp, s: string, n: number): Match[] {
  const out: Match[] = [];
  if (n < 0) n = s.length + 1;
  let pos = 0;
  let prevMatchEnd = -1;
  while (out.length < n && pos <= s.length) {
    const m = execAt(c, s, pos);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevMatchEnd) accept = false;
      pos = start < s.length ? start + width(s, start) : s.length + 1;
      if (start > pos) pos = start;
    } else {
      pos = end;
    }
    prevMatchEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

export function expandTemplate(c: CompiledRegexp, tmpl: string, m: Match): string {
  let dst = "";
  let t = tmpl;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    dst += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      dst += "$";
      t = t.slice(1);
      continue;
    }
    const ex = /^(\{)?([\p{L}\p{Nd}_]+)(\})?/u.exec(t);
    if (ex === null || (ex[1] !== undefined && ex[3] === undefined)) {
      dst += "$";
      continue;
    }
    let name = ex[2] ?? "";
    let consumed = ex[0].length;
    if (ex[1] === undefined && ex[3] !== undefined) consumed--; // '}' not part of an unbraced name
    if (ex[1] === undefined) name = ex[2] ?? "";
    t = t.slice(consumed);
    let num = -1;
    if (/^\d+$/.test(name) && !(name.startsWith("0") && name.length > 1) && name.length <= 8) num = Number(name);
    if (num >= 0) {
      if (num < m.length) dst += m[num] ?? "";
    } else {
      const idx = c.names.indexOf(name);
      if (idx > 0) dst += m[idx] ?? "";
    }
  }
  return dst + t;
}

function replaceAll(c: CompiledRegexp, src: string, repl: (m: Match) => string): string {
  let buf = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(c, src, searchPos);
    if (m === null) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    buf += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) buf += repl(m);
    lastMatchEnd = a1;
    const w = searchPos < src.length ? width(src, searchPos) : 1;
    if (searchPos + w > a1) searchPos += w;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return buf + src.slice(lastMatchEnd);
}

function split(c: CompiledRegexp, s: string, n: number): string[] {
  if (n === 0) return [];
  if (c.expr.length > 0 && s.length === 0) return [""];
  const matches = allMatches(c, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => "\\" + c);
}

function canBackquote(s: string): boolean {
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    if (c === "`" || cp === 0xfeff) return false;
    if (cp < 0x20 && c !== "\t") return false;
    if (cp === 0x7f) return false;
  }
  return true;
}

/** regexp.MustCompile: panics with regexp's message. */
function mustCompile(expr: string): CompiledRegexp {
  try {
    return compileGo(expr);
  } catch (e) {
    if (e instanceof RegexpError) {
      const q = canBackquote(expr) ? "`" + expr + "`" : goQuote(expr);
      throw new FuncError(`regexp: Compile(${q}): ${e.message}`);
    }
    throw e;
  }
}

function compile(expr: string): CompiledRegexp {
  try {
    return compileGo(expr);
  } catch (e) {
    if (e instanceof RegexpError) throw new FuncError(e.message);
    throw e;
  }
}

const strs = (a: string[]): string[] => setSliceElemType(a, "string");
const findAll = (c: CompiledRegexp, s: string, n: GoInt): string[] | null => {
  const ms = allMatches(c, s, Number(n.v));
  return ms.length === 0 ? null : strs(ms.map((m) => m[0]));
};
const findOne = (c: CompiledRegexp, s: string): string => execAt(c, s, 0)?.[0] ?? "";

export function regexFuncs(): GoFunc[] {
  return [
    fn(
      "regexMatch",
      ["string", "string"],
      null,
      (r: string, s: string) => {
        try {
          return execAt(compileGo(r), s, 0) !== null;
        } catch (e) {
          if (e instanceof RegexpError) return false;
          throw e;
        }
      },
      "bool",
    ),
    fn("mustRegexMatch", ["string", "string"], null, (r: string, s: string) => execAt(compile(r), s, 0) !== null, "bool"),
    fn("regexFindAll", ["string", "string", "int"], null, (r: string, s: string, n: GoInt) => findAll(mustCompile(r), s, n) ?? strs([]), "strings"),
    fn("mustRegexFindAll", ["string", "string", "int"], null, (r: string, s: string, n: GoInt) => findAll(compile(r), s, n) ?? strs([]), "strings"),
    fn("regexFind", ["string", "string"], null, (r: string, s: string) => findOne(mustCompile(r), s), "string"),
    fn("mustRegexFind", ["string", "string"], null, (r: string, s: string) => findOne(compile(r), s), "string"),
    fn(
      "regexReplaceAll",
      ["string", "string", "string"],
      null,
      (r: string, s: string, repl: string) => {
        const c = mustCompile(r);
        return replaceAll(c, s, (m) => expandTemplate(c, repl, m));
      },
      "string",
    ),
    fn(
      "mustRegexReplaceAll",
      ["string", "string", "string"],
      null,
      (r: string, s: string, repl: string) => {
        const c = compile(r);
        return replaceAll(c, s, (m) => expandTemplate(c, repl, m));
      },
      "string",
    ),
    fn("regexReplaceAllLiteral", ["string", "string", "string"], null, (r: string, s: string, repl: string) => replaceAll(mustCompile(r), s, () => repl), "string"),
    fn("mustRegexReplaceAllLiteral", ["string", "string", "string"], null, (r: string, s: string, repl: string) => replaceAll(compile(r), s, () => repl), "string"),
    fn("regexSplit", ["string", "string", "int"], null, (r: string, s: string, n: GoInt) => strs(split(mustCompile(r), s, Number(n.v))), "strings"),
    fn("mustRegexSplit", ["string", "string", "int"], null, (r: string, s: string, n: GoInt) => strs(split(compile(r), s, Number(n.v))), "strings"),
    fn("regexQuoteMeta", ["string"], null, quoteMeta, "string"),
  ];
}
