// go-yaml v2's map key order (sorter.go keyList.Less) for string keys: letters sort after
// non-letters and runs of digits compare numerically.

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function isLetter(cp: number): boolean {
  return cp < 0x80 ? (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) : LETTER.test(String.fromCodePoint(cp));
}

function isDigit(cp: number): boolean {
  return cp < 0x80 ? cp >= 0x30 && cp <= 0x39 : DIGIT.test(String.fromCodePoint(cp));
}

const SURROGATE = /[\ud800-\udfff]/;

/** The runes of `s`, or null when its UTF-16 code units are its runes (no surrogates: the usual key). */
function runes(s: string): number[] | null {
  if (!SURROGATE.test(s)) return null;
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0) ?? 0);
  return out;
}

/** keyList.Less for two string keys. */
export function keyLess(a: string, b: string): boolean {
  // The usual case, decided here: the keys first differ at two ASCII characters that are not digits, or one
  // key is the other plus more (and does not end with half of a surrogate pair).
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i < n) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x < 0x80 && y < 0x80 && !(x >= 0x30 && x <= 0x39) && !(y >= 0x30 && y <= 0x39)) {
      const xl = isLetter(x);
      const yl = isLetter(y);
      // Letters sort after the other characters; else by code.
      return xl === yl ? x < y : yl;
    }
  } else if (a.length !== b.length) {
    const last = (a.length < b.length ? a : b).charCodeAt(n - 1);
    if (n === 0 || !(last >= 0xd800 && last <= 0xdbff)) return a.length < b.length;
  }
  return keyLessRunes(a, b);
}

/** keyList.Less over the runes of the keys. */
function keyLessRunes(a: string, b: string): boolean {
  const ra = runes(a);
  const rb = runes(b);
  const at = (i: number): number => (ra === null ? a.charCodeAt(i) : ra[i]!);
  const bt = (i: number): number => (rb === null ? b.charCodeAt(i) : rb[i]!);
  const alen = ra === null ? a.length : ra.length;
  const blen = rb === null ? b.length : rb.length;
  for (let i = 0; i < alen && i < blen; i++) {
    const ai0 = at(i);
    const bi0 = bt(i);
    if (ai0 === bi0) continue;
    const al = isLetter(ai0);
    const bl = isLetter(bi0);
    if (al && bl) return ai0 < bi0;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ai0 === 0x30 || bi0 === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(at(j)); j--) {
        if (at(j) !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < alen && isDigit(at(ai)); ai++) an = BigInt.asIntN(64, an * 10n + BigInt(at(ai) - 0x30));
    let bi = i;
    for (; bi < blen && isDigit(bt(bi)); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt(bt(bi) - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ai0 < bi0;
  }
  return alen < blen;
}

/** keyList.Less as a comparator: Less is a strict order (at the first difference exactly one side is less). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : 1;
}

/** Sorts keys as go-yaml v2 does before emitting a map. Fast path for plain lowercase ASCII keys. */
export function sortYamlKeys(keys: string[]): string[] {
  return keys.sort(compareKeys);
}
