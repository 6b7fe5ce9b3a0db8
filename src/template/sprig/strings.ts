// Sprig's string functions (strings.go plus Masterminds/goutils and huandu/xstrings helpers).

import { nodeCrypto } from "./node.js";
import { FuncError } from "../errors.js";
import { quote as goQuote } from "../strconv.js";
import type { GoInt} from "../value.js";
import { bytesToString, setMapTypeName, stringBytes, type GoFunc } from "../value.js";
import { fn, isSliceLike, sliceItems, strval, stringList } from "./conv.js";
import {
  byteLen,
  byteRune,
  goLower,
  goReplaceAll,
  goSplitN,
  goTitle,
  goUpper,
  isLetter,
  isLower,
  isNumber,
  isPunct,
  isSpace,
  isTitle,
  isUpper,
  sliceBytes,
  toLowerRune,
  toUpperRune,
  trimCutset,
  trimSpace,
} from "./text.js";
import { formatValue } from "../fmt.js";

const n = (v: unknown): number => Number((v as GoInt).v);

// --- goutils ----------------------------------------------------------------------------------

function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  if (str === "") return "";
  const b = stringBytes(str);
  const len = b.length;
  const sub = (a: number, e: number): string => bytesToString(b.subarray(a, e));
  if (len <= maxWidth) return str;
  if (offset > len) offset = len;
  if (len - offset < maxWidth - 3) offset = len - (maxWidth - 3);
  if (offset <= 4) return sub(0, maxWidth - 3) + "...";
  if (maxWidth < 7) return "";
  if (offset + maxWidth - 3 < len) return "..." + abbreviateFull(sub(offset, len), 0, maxWidth - 3);
  return "..." + sub(len - (maxWidth - 3), len);
}

function abbrev(width: number, s: string): string {
  if (width < 4) return s;
  return abbreviateFull(s, 0, width);
}

function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  return abbreviateFull(s, left, right);
}

function initials(s: string): string {
  if (s === "") return s;
  let out = "";
  let lastWasGap = true;
  for (const b of stringBytes(s)) {
    if (isSpace(b)) lastWasGap = true;
    else if (lastWasGap) {
      out += byteRune(b);
      lastWasGap = false;
    }
  }
  return out;
}

function uncapitalize(s: string): string {
  let out = "";
  let next = true;
  for (const c of s) {
    if (isSpace(c.codePointAt(0) ?? 0)) {
      next = true;
      out += c;
    } else if (next) {
      out += toLowerRune(c);
      next = false;
    } else out += c;
  }
  return out;
}

function swapCase(s: string): string {
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    if (isUpper(cp) || isTitle(cp)) out += toLowerRune(c);
    else if (isLower(cp)) out += toUpperRune(c);
    else out += c;
  }
  return out;
}

function deleteWhiteSpace(s: string): string {
  if (s === "") return s;
  const b = stringBytes(s);
  let out = "";
  let count = 0;
  for (const x of b) {
    if (!isSpace(x)) {
      out += byteRune(x);
      count++;
    }
  }
  return count === b.length ? s : out;
}

function wrapCustom(str: string, wrapLength: number, newLineStr: string, wrapLongWords: boolean): string {
  if (str === "") return "";
  if (newLineStr === "") newLineStr = "\n";
  if (wrapLength < 1) wrapLength = 1;
  const b = stringBytes(str);
  const len = b.length;
  const nl = stringBytes(newLineStr);
  const out: number[] = [];
  const write = (a: number, e: number): void => {
    for (let i = a; i < e; i++) out.push(b[i] ?? 0);
  };
  const lastSpace = (a: number, e: number): number => {
    for (let i = Math.min(e, len) - 1; i >= a; i--) if (b[i] === 0x20) return i - a;
    return -1;
  };
  let offset = 0;
  while (len - offset > wrapLength) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    let spaceToWrapAt = lastSpace(offset, end) + offset;
    if (spaceToWrapAt >= offset) {
      write(offset, spaceToWrapAt);
      out.push(...nl);
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      write(offset, wrapLength + offset);
      out.push(...nl);
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      let index = -1;
      for (let i = e; i < len; i++) {
        if (b[i] === 0x20) {
          index = i - e;
          break;
        }
      }
      if (index === -1) {
        write(offset, len);
        offset = len;
      } else {
        spaceToWrapAt = index + e;
        write(offset, spaceToWrapAt);
        out.push(...nl);
        offset = spaceToWrapAt + 1;
      }
    }
  }
  write(offset, len);
  return bytesToString(Uint8Array.from(out));
}

// --- xstrings ---------------------------------------------------------------------------------

type WordType = "invalid" | "punct" | "alphabet" | "upper" | "number" | "connector";

const isConnector = (cp: number): boolean => cp === 0x2d || cp === 0x5f || isSpace(cp);

function cpAt(s: string, i: number): number {
  return s.codePointAt(i) ?? 0;
}
function cpSize(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

function nextWord(str: string): [WordType, string, string] {
  let offset = 0;
  let r = cpAt(str, 0);
  let size = cpSize(r);
  offset += size;
  let rem = str.slice(size);
  let wt: WordType;
  const take = (pred: (cp: number) => boolean): void => {
    while (rem.length > 0) {
      r = cpAt(rem, 0);
      size = cpSize(r);
      if (!pred(r)) break;
      offset += size;
      rem = rem.slice(size);
    }
  };
  if (isConnector(r)) {
    wt = "connector";
    take(isConnector);
  } else if (isPunct(r)) {
    wt = "punct";
    take(isPunct);
  } else if (isUpper(r)) {
    wt = "upper";
    if (rem.length > 0) {
      r = cpAt(rem, 0);
      size = cpSize(r);
      if (isUpper(r)) {
        let prevSize = size;
        offset += size;
        rem = rem.slice(size);
        while (rem.length > 0) {
          r = cpAt(rem, 0);
          size = cpSize(r);
          if (!isUpper(r)) break;
          prevSize = size;
          offset += size;
          rem = rem.slice(size);
        }
        if (rem.length > 0 && isLetter(r)) {
          offset -= prevSize;
          rem = str.slice(offset);
        }
      } else if (isLetter(r)) {
        offset += size;
        rem = rem.slice(size);
        take((c) => isLetter(c) && !isUpper(c));
      }
    }
  } else if (isLetter(r)) {
    wt = "alphabet";
    take((c) => isLetter(c) && !isUpper(c));
  } else if (isNumber(r)) {
    wt = "number";
    take(isNumber);
  } else {
    wt = "invalid";
    take((c) => !(isConnector(c) || isLetter(c) || isNumber(c) || isPunct(c)));
  }
  return [wt, str.slice(0, offset), rem];
}

function camelCaseToLowerCase(str: string, connector: string): string {
  if (str.length === 0) return "";
  let buf = "";
  const toLower = (wt: WordType, s: string): void => {
    if (wt !== "upper" && wt !== "connector") {
      buf += s;
      return;
    }
    for (const c of s) {
      const cp = c.codePointAt(0) ?? 0;
      if (isConnector(cp)) buf += connector;
      else if (isUpper(cp)) buf += toLowerRune(c);
      else buf += c;
    }
  };
  let [wt, word, remaining] = nextWord(str);
  while (remaining.length > 0) {
    if (wt !== "connector") toLower(wt, word);
    const prev = wt;
    const last = word;
    [wt, word, remaining] = nextWord(remaining);
    switch (prev) {
      case "number":
        while (wt === "alphabet" || wt === "number") {
          toLower(wt, word);
          if (remaining.length === 0) {
            wt = "invalid";
            word = "";
            break;
          }
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== "invalid" && wt !== "punct" && wt !== "connector") buf += connector;
        break;
      case "connector":
        toLower(prev, last);
        break;
      case "punct":
        break;
      default: {
        if (wt !== "number") {
          if (wt !== "connector" && wt !== "punct") buf += connector;
          break;
        }
        if (remaining.length === 0) break;
        const last2 = word;
        [wt, word, remaining] = nextWord(remaining);
        if (wt !== "alphabet") {
          // A number followed by a non-lowercase word belongs to the previous word ("Bld4Floor").
          toLower("number", last2);
          if (wt !== "connector" && wt !== "punct") buf += connector;
          break;
        }
        // Lowercase letters after a number start a new word at the number ("HTTP2xx").
        buf += connector;
        toLower("number", last2);
        while (wt === "alphabet" || wt === "number") {
          toLower(wt, word);
          if (remaining.length === 0) {
            wt = "invalid";
            word = "";
            break;
          }
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== "invalid" && wt !== "connector" && wt !== "punct") buf += connector;
      }
    }
  }
  toLower(wt, word);
  return buf;
}

/** xstrings 1.4 ToCamelCase (= 1.5 ToPascalCase). */
function toCamelCase(str: string): string {
  if (str.length === 0) return "";
  const cps = [...str];
  let buf = "";
  let i = 0;
  let r0 = "";
  let firstUpper = false;
  let size = 0;
  for (; i < cps.length; ) {
    r0 = cps[i] ?? "";
    size = 1;
    i++;
    if (!isConnector(r0.codePointAt(0) ?? 0)) {
      firstUpper = isUpper(r0.codePointAt(0) ?? 0);
      r0 = toUpperRune(r0);
      break;
    }
    buf += r0;
  }
  if (i >= cps.length) {
    if (size !== 0 && !isConnector(r0.codePointAt(0) ?? 0)) buf += r0;
    return buf;
  }
  for (; i < cps.length; i++) {
    const r1 = r0;
    r0 = cps[i] ?? "";
    const c0 = isConnector(r0.codePointAt(0) ?? 0);
    const c1 = isConnector(r1.codePointAt(0) ?? 0);
    if (c0 && c1) {
      buf += r1;
      continue;
    }
    if (c1) {
      r0 = toUpperRune(r0);
      firstUpper = isUpper(cps[i]?.codePointAt(0) ?? 0);
    } else {
      if (firstUpper) {
        if (isUpper(r0.codePointAt(0) ?? 0)) r0 = toLowerRune(r0);
        else firstUpper = false;
      }
      buf += r1;
    }
  }
  buf += r0;
  return buf;
}

function shuffle(s: string): string {
  const cps = [...s];
  for (let i = cps.length - 1; i > 0; i--) {
    const j = nodeCrypto().randomInt(i + 1);
    const t = cps[i] ?? "";
    cps[i] = cps[j] ?? "";
    cps[j] = t;
  }
  return cps.join("");
}

// --- random strings (goutils CryptoRandom*) ---------------------------------------------------

function cryptoRandom(count: number, start: number, end: number, letters: boolean, numbers: boolean): string {
  if (count === 0) return "";
  if (count < 0) throw new FuncError(`Requested random string length ${count} is less than 0.`);
  if (start === 0 && end === 0) {
    end = 123;
    start = 32;
    if (!letters && !numbers) {
      start = 0;
      end = 0x10ffff;
    }
  }
  let out = "";
  let left = count;
  while (left > 0) {
    const cp = nodeCrypto().randomInt(end - start) + start;
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    if ((letters && isLetter(cp)) || (numbers && /\p{Nd}/u.test(c)) || (!letters && !numbers)) {
      out += c;
      left--;
    }
  }
  return out;
}

// --- Sprig functions --------------------------------------------------------------------------

function quote(...args: unknown[]): string {
  // One loop, no intermediate arrays: quote is among the most called functions.
  let out = "";
  let sep = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === null || a === undefined) continue;
    out += sep + goQuote(strval(a));
    sep = " ";
  }
  return out;
}

function squote(...args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => "'" + formatValue(a) + "'")
    .join(" ");
}

function cat(...args: unknown[]): string {
  return args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => formatValue(a))
    .join(" ");
}

function indent(spaces: number, s: string): string {
  if (spaces < 0) throw new FuncError("strings: negative Repeat count");
  const pad = " ".repeat(spaces);
  return pad + s.replaceAll("\n", "\n" + pad);
}

function trunc(c: number, s: string): string {
  const len = byteLen(s);
  if (c < 0 && len + c > 0) return sliceBytes(s, len + c, null);
  if (c >= 0 && len > c) return sliceBytes(s, null, c);
  return s;
}

function substring(start: number, end: number, s: string): string {
  if (start < 0) return sliceBytes(s, null, end);
  if (end < 0 || end > byteLen(s)) return sliceBytes(s, start, null);
  return sliceBytes(s, start, end);
}

function splitMap(parts: string[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  parts.forEach((p, i) => m.set("_" + String(i), p));
  return setMapTypeName(m, "map[string]string");
}

/** strslice: lists to []string dropping nils; a scalar becomes a one-element list. */
export function strslice(v: unknown): string[] {
  if (isSliceLike(v)) {
    return stringList(
      sliceItems(v)
        .filter((x) => x !== null && x !== undefined)
        .map(strval),
    );
  }
  if (v === null || v === undefined) return stringList([]);
  return stringList([strval(v)]);
}

function repeat(count: number, s: string): string {
  if (count < 0) throw new FuncError("strings: negative Repeat count");
  if (s.length * count > 1 << 28) throw new FuncError("strings: Repeat output length overflow");
  return s.repeat(count);
}

export function stringFuncs(): GoFunc[] {
  return [
    fn("abbrev", ["int", "string"], null, (w: GoInt, s: string) => abbrev(n(w), s), "string"),
    fn("abbrevboth", ["int", "int", "string"], null, (l: GoInt, r: GoInt, s: string) => abbrevboth(n(l), n(r), s), "string"),
    fn("trunc", ["int", "string"], null, (c: GoInt, s: string) => trunc(n(c), s), "string"),
    fn("trim", ["string"], null, trimSpace, "string"),
    fn("upper", ["string"], null, goUpper, "string"),
    fn("lower", ["string"], null, goLower, "string"),
    fn("title", ["string"], null, goTitle, "string"),
    fn("untitle", ["string"], null, uncapitalize, "string"),
    fn("substr", ["int", "int", "string"], null, (a: GoInt, b: GoInt, s: string) => substring(n(a), n(b), s), "string"),
    fn("repeat", ["int", "string"], null, (c: GoInt, s: string) => repeat(n(c), s), "string"),
    fn("trimall", ["string", "string"], null, (a: string, b: string) => trimCutset(b, a), "string"),
    fn("trimAll", ["string", "string"], null, (a: string, b: string) => trimCutset(b, a), "string"),
    fn("trimSuffix", ["string", "string"], null, (a: string, b: string) => (a !== "" && b.endsWith(a) ? b.slice(0, b.length - a.length) : b), "string"),
    fn("trimPrefix", ["string", "string"], null, (a: string, b: string) => (b.startsWith(a) ? b.slice(a.length) : b), "string"),
    fn("nospace", ["string"], null, deleteWhiteSpace, "string"),
    fn("initials", ["string"], null, initials, "string"),
    fn("randAlphaNum", ["int"], null, (c: GoInt) => cryptoRandom(n(c), 0, 0, true, true), "string"),
    fn("randAlpha", ["int"], null, (c: GoInt) => cryptoRandom(n(c), 0, 0, true, false), "string"),
    fn("randAscii", ["int"], null, (c: GoInt) => cryptoRandom(n(c), 32, 127, false, false), "string"),
    fn("randNumeric", ["int"], null, (c: GoInt) => cryptoRandom(n(c), 0, 0, false, true), "string"),
    fn("swapcase", ["string"], null, swapCase, "string"),
    fn("shuffle", ["string"], null, shuffle, "string"),
    fn("snakecase", ["string"], null, (s: string) => camelCaseToLowerCase(s, "_"), "string"),
    fn("camelcase", ["string"], null, toCamelCase, "string"),
    fn("kebabcase", ["string"], null, (s: string) => camelCaseToLowerCase(s, "-"), "string"),
    fn("wrap", ["int", "string"], null, (l: GoInt, s: string) => wrapCustom(s, n(l), "", false), "string"),
    fn("wrapWith", ["int", "string", "string"], null, (l: GoInt, sep: string, s: string) => wrapCustom(s, n(l), sep, true), "string"),
    fn("contains", ["string", "string"], null, (a: string, b: string) => b.includes(a), "bool"),
    fn("hasPrefix", ["string", "string"], null, (a: string, b: string) => b.startsWith(a), "bool"),
    fn("hasSuffix", ["string", "string"], null, (a: string, b: string) => b.endsWith(a), "bool"),
    fn("quote", [], "any", quote, "string"),
    fn("squote", [], "any", squote, "string"),
    fn("cat", [], "any", cat, "string"),
    fn("indent", ["int", "string"], null, (c: GoInt, s: string) => indent(n(c), s), "string"),
    fn("nindent", ["int", "string"], null, (c: GoInt, s: string) => "\n" + indent(n(c), s), "string"),
    fn("replace", ["string", "string", "string"], null, (o: string, nw: string, s: string) => goReplaceAll(s, o, nw), "string"),
    fn("plural", ["string", "string", "int"], null, (one: string, many: string, c: GoInt) => (c.v === 1n ? one : many), "string"),
    fn("toString", ["any"], null, strval, "string"),
    fn("split", ["string", "string"], null, (sep: string, s: string) => splitMap(goSplitN(s, sep, -1)), "any"),
    fn("splitList", ["string", "string"], null, (sep: string, s: string) => stringList(goSplitN(s, sep, -1)), "strings"),
    fn("splitn", ["string", "int", "string"], null, (sep: string, c: GoInt, s: string) => splitMap(goSplitN(s, sep, n(c))), "any"),
    fn("toStrings", ["any"], null, strslice, "strings"),
    fn("join", ["string", "any"], null, (sep: string, v: unknown) => strslice(v).join(sep), "string"),
    fn("hello", [], null, () => "Hello!", "string"),
  ];
}

