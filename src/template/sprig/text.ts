// Go strings/unicode helpers with Go's semantics (byte offsets, per-rune case mapping,
// unicode.IsSpace) used by Sprig's string functions.

import { FuncError } from "../errors.js";
import { byteLength, bytesToString, stringBytes } from "../value.js";

/** unicode.IsSpace */
export function isSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

export function isUpper(cp: number): boolean {
  return /\p{Lu}/u.test(String.fromCodePoint(cp));
}
export function isLower(cp: number): boolean {
  return /\p{Ll}/u.test(String.fromCodePoint(cp));
}
export function isTitle(cp: number): boolean {
  return /\p{Lt}/u.test(String.fromCodePoint(cp));
}
export function isLetter(cp: number): boolean {
  return /\p{L}/u.test(String.fromCodePoint(cp));
}
export function isNumber(cp: number): boolean {
  return /\p{N}/u.test(String.fromCodePoint(cp));
}
export function isDigit(cp: number): boolean {
  return /\p{Nd}/u.test(String.fromCodePoint(cp));
}
export function isPunct(cp: number): boolean {
  return /\p{P}/u.test(String.fromCodePoint(cp));
}

/** unicode.ToUpper of one rune (simple case mapping only). */
export function toUpperRune(c: string): string {
  const u = c.toUpperCase();
  return [...u].length === 1 ? u : c;
}
/** unicode.ToLower of one rune. */
export function toLowerRune(c: string): string {
  if (c === "\u0130") return "i";
  const l = c.toLowerCase();
  return [...l].length === 1 ? l : c;
}
/** unicode.ToTitle of one rune. */
export function toTitleRune(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  // Digraphs with a distinct titlecase form.
  const titles: Record<number, number> = {
    0x1c4: 0x1c5,
    0x1c5: 0x1c5,
    0x1c6: 0x1c5,
    0x1c7: 0x1c8,
    0x1c8: 0x1c8,
    0x1c9: 0x1c8,
    0x1ca: 0x1cb,
    0x1cb: 0x1cb,
    0x1cc: 0x1cb,
    0x1f1: 0x1f2,
    0x1f2: 0x1f2,
    0x1f3: 0x1f2,
  };
  const t = titles[cp];
  return t !== undefined ? String.fromCodePoint(t) : toUpperRune(c);
}

export function goUpper(s: string): string {
  let out = "";
  for (const c of s) out += toUpperRune(c);
  return out;
}
export function goLower(s: string): string {
  let out = "";
  for (const c of s) out += toLowerRune(c);
  return out;
}

/** strings.Title */
export function goTitle(s: string): string {
  let prev = 0x20;
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    out += isSeparator(prev) ? toTitleRune(c) : c;
    prev = cp;
  }
  return out;
}

function isSeparator(r: number): boolean {
  if (r <= 0x7f) {
    if (r >= 0x30 && r <= 0x39) return false;
    if (r >= 0x61 && r <= 0x7a) return false;
    if (r >= 0x41 && r <= 0x5a) return false;
    if (r === 0x5f) return false;
    return true;
  }
  if (isLetter(r) || isDigit(r)) return false;
  return isSpace(r);
}

export function trimSpace(s: string): string {
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && isSpace(cps[a]?.codePointAt(0) ?? 0)) a++;
  while (b > a && isSpace(cps[b - 1]?.codePointAt(0) ?? 0)) b--;
  return cps.slice(a, b).join("");
}

/** strings.Trim(s, cutset) */
export function trimCutset(s: string, cutset: string): string {
  if (s === "" || cutset === "") return s;
  const set = new Set([...cutset]);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a] ?? "")) a++;
  while (b > a && set.has(cps[b - 1] ?? "")) b--;
  return cps.slice(a, b).join("");
}

/** strings.Split / strings.SplitN (n < 0: all). */
export function goSplitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const cps = [...s];
    if (n < 0 || n > cps.length) return cps;
    return [...cps.slice(0, n - 1), cps.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** strings.Replace(s, old, new, -1) */
export function goReplaceAll(s: string, old: string, nw: string): string {
  if (old === "") {
    const cps = [...s];
    return nw + cps.map((c) => c + nw).join("");
  }
  return s.split(old).join(nw);
}

// --- byte-level slicing with Go's panics ------------------------------------------------------

export function sliceBytes(s: string, lo: number | null, hi: number | null): string {
  // One byte per code unit (ASCII, or bytes kept from binary data): the string slices as its bytes do.
  const oneByte = byteLength(s) === s.length;
  const b = oneByte ? null : stringBytes(s);
  const len = b === null ? s.length : b.length;
  const h = hi ?? len;
  const l = lo ?? 0;
  if (hi !== null && (h > len || h < 0)) {
    throw new FuncError(
      h < 0 ? `runtime error: slice bounds out of range [:${h}]` : `runtime error: slice bounds out of range [:${h}] with length ${len}`,
    );
  }
  if (lo !== null && l < 0) throw new FuncError(`runtime error: slice bounds out of range [${l}:]`);
  if (l > h) {
    if (hi === null) throw new FuncError(`runtime error: slice bounds out of range [${l}:${h}]`);
    throw new FuncError(`runtime error: slice bounds out of range [${l}:${h}]`);
  }
  return b === null ? s.slice(l, h) : bytesToString(b.subarray(l, h));
}

export const byteLen = byteLength;

/** Writes a byte as the rune U+00XX, as goutils' byte loops do. */
export function byteRune(b: number): string {
  return String.fromCharCode(b);
}
