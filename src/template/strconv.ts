// Ports of the parts of Go's strconv used by fmt and the template engine.

/** Decimal digits of a float: value = 0.d1d2d3... * 10^dp. `digits` has no leading/trailing zeros. */
interface Decimal {
  digits: string;
  dp: number;
}

/** Shortest decimal that round-trips (Go's shortest mode; same digits as JS). */
function shortestDecimal(abs: number): Decimal {
  if (abs === 0) return { digits: "", dp: 0 };
  const s = abs.toExponential();
  const e = s.indexOf("e");
  const mant = s.slice(0, e).replace(".", "");
  const exp = Number(s.slice(e + 1));
  return { digits: mant.replace(/0+$/, ""), dp: exp + 1 };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The exact decimal expansion of a finite non-negative double. */
function exactDecimal(abs: number): Decimal {
  if (abs === 0) return { digits: "", dp: 0 };
  f64[0] = abs;
  const bits = u64[0] ?? 0n;
  const bexp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    // mant / 2^-e = mant * 5^-e / 10^-e
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  const stripped = digits.replace(/0+$/, "");
  return { digits: stripped, dp };
}

/** Rounds the decimal to nd digits, half to even (Go's decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0) return { digits: "", dp: 0 };
  if (nd >= d.digits.length) return d;
  const c = d.digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (c > 5) up = true;
  else if (c < 5) up = false;
  else if (nd + 1 < d.digits.length) up = true; // more than half (digits are trimmed)
  else up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  if (!up) {
    return { digits: d.digits.slice(0, nd).replace(/0+$/, ""), dp: d.digits.slice(0, nd) === "" ? 0 : d.dp };
  }
  // Round up.
  const arr = d.digits.slice(0, nd).split("");
  let i = nd - 1;
  while (i >= 0 && arr[i] === "9") i--;
  if (i < 0) {
    return { digits: "1", dp: d.dp + 1 };
  }
  arr[i] = String.fromCharCode((arr[i] ?? "0").charCodeAt(0) + 1);
  return { digits: arr.slice(0, i + 1).join(""), dp: d.dp };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? (d.digits[i] ?? "0") : "0";
}

function fmtE(neg: boolean, d: Decimal, prec: number, fmtc: string): string {
  let out = neg ? "-" : "";
  out += d.digits.length === 0 ? "0" : digitAt(d, 0);
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  out += fmtc;
  let exp = d.dp - 1;
  if (d.digits.length === 0) exp = 0;
  let sign = "+";
  if (exp < 0) {
    sign = "-";
    exp = -exp;
  }
  out += sign;
  out += exp < 10 ? "0" + String(exp) : String(exp);
  return out;
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? "-" : "";
  if (d.dp > 0) {
    let m = Math.min(d.digits.length, d.dp);
    out += d.digits.slice(0, m);
    for (; m < d.dp; m++) out += "0";
  } else {
    out += "0";
  }
  if (prec > 0) {
    out += ".";
    for (let i = 1; i <= prec; i++) out += digitAt(d, d.dp + i - 1);
  }
  return out;
}

/** strconv.FormatFloat(f, fmt, prec, 64) for fmt in e, E, f, g, G. */
export function formatFloat(f: number, fmtc: "e" | "E" | "f" | "g" | "G", prec: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  const neg = f < 0 || Object.is(f, -0);
  const abs = Math.abs(f);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    switch (fmtc) {
      case "e":
      case "E":
        prec = Math.max(d.digits.length - 1, 0);
        break;
      case "f":
        prec = Math.max(d.digits.length - d.dp, 0);
        break;
      default:
        prec = d.digits.length;
    }
  } else {
    const exact = exactDecimal(abs);
    switch (fmtc) {
      case "e":
      case "E":
        d = roundDecimal(exact, prec + 1);
        break;
      case "f":
        d = roundDecimal(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(exact, prec);
    }
    if (d.digits.length === 0) d = { digits: "", dp: 0 };
  }
  switch (fmtc) {
    case "e":
    case "E":
      return fmtE(neg, d, prec, fmtc);
    case "f":
      return fmtF(neg, d, prec);
    default: {
      let eprec = prec;
      const nd = d.digits.length;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (nd !== 0 && (exp < -4 || exp >= eprec)) {
        if (prec > nd) prec = nd;
        return fmtE(neg, d, prec - 1, fmtc === "g" ? "e" : "E");
      }
      if (nd === 0) return neg ? "-0" : "0";
      if (prec > d.dp) prec = nd;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
}

/** Go's %v / strconv 'g' -1 formatting of a float64. */
export function formatFloatV(f: number): string {
  return formatFloat(f, "g", -1);
}

/** unicode.IsPrint approximation for strconv.Quote. */
export function isPrint(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp < 0x7f) return true;
  if (cp >= 0x80 && cp < 0xa0) return false;
  if (cp === 0xad) return false;
  const ch = String.fromCodePoint(cp);
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function quoteRune(cp: number, quote: number, out: string[]): void {
  if (cp === quote || cp === 0x5c) {
    out.push("\\", String.fromCodePoint(cp));
    return;
  }
  if (isPrint(cp)) {
    out.push(String.fromCodePoint(cp));
    return;
  }
  switch (cp) {
    case 0x07:
      out.push("\\a");
      return;
    case 0x08:
      out.push("\\b");
      return;
    case 0x0c:
      out.push("\\f");
      return;
    case 0x0a:
      out.push("\\n");
      return;
    case 0x0d:
      out.push("\\r");
      return;
    case 0x09:
      out.push("\\t");
      return;
    case 0x0b:
      out.push("\\v");
      return;
    default:
      break;
  }
  if (cp < 0x20 || cp === 0x7f) out.push("\\x" + hex(cp, 2));
  else if (cp >= 0xd800 && cp <= 0xdfff) out.push("\\ufffd");
  else if (cp < 0x10000) out.push("\\u" + hex(cp, 4));
  else out.push("\\U" + hex(cp, 8));
}

// Printable ASCII other than '"' and '\\': strconv.Quote leaves such strings as they are.
const QUOTE_AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** strconv.Quote */
export function quote(s: string): string {
  if (QUOTE_AS_IS.test(s)) return '"' + s + '"';
  const out: string[] = ['"'];
  let i = 0;
  while (i < s.length) {
    // Runs that stay as they are, copied as slices.
    let j = i;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    }
    if (j > i) {
      out.push(s.slice(i, j));
      i = j;
      continue;
    }
    const cp = s.codePointAt(i) ?? 0;
    // A byte kept from invalid UTF-8 (value.ts escapes it as U+DC80..U+DCFF): Go quotes it as \xNN.
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push("\\x" + hex(cp - 0xdc00, 2));
    else quoteRune(cp, 0x22, out);
    i += cp > 0xffff ? 2 : 1;
  }
  out.push('"');
  return out.join("");
}

/** strconv.QuoteRune */
export function quoteRuneLiteral(cp: number): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0) cp = 0xfffd;
  const out: string[] = ["'"];
  quoteRune(cp, 0x27, out);
  out.push("'");
  return out.join("");
}

/** strconv.QuoteToASCII */
export function quoteASCII(s: string): string {
  const out: string[] = ['"'];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) quoteRune(cp, 0x22, out);
    else if (cp < 0x10000) out.push("\\u" + hex(cp, 4));
    else out.push("\\U" + hex(cp, 8));
  }
  out.push('"');
  return out.join("");
}

export class SyntaxError_ extends Error {}

// What makes a "..." literal need the full decoder: escapes, quotes, surrogates (re-encoded as U+FFFD).
const UNQUOTE_SLOW = /[\\"\ud800-\udfff]/;

/** strconv.Unquote for "..." , `...` and '...' literals; returns the string (or code point for chars). */
export function unquote(s: string): string {
  const n = s.length;
  if (n < 2) throw new SyntaxError_("invalid syntax");
  const q = s[0];
  if (q !== s[n - 1]) throw new SyntaxError_("invalid syntax");
  const body = s.slice(1, n - 1);
  if (q === "`") {
    if (body.includes("`")) throw new SyntaxError_("invalid syntax");
    return body.replace(/\r/g, "");
  }
  if (q !== '"' && q !== "'") throw new SyntaxError_("invalid syntax");
  if (body.includes("\n")) throw new SyntaxError_("invalid syntax");
  // Most literals have no escapes and nothing to re-encode.
  if (q === '"' && !UNQUOTE_SLOW.test(body)) return body;
  // Decode escapes into bytes/code points.
  const out: number[] = []; // UTF-8 bytes
  const enc = new TextEncoder();
  let i = 0;
  let runes = 0;
  while (i < body.length) {
    const c = body[i] ?? "";
    if (c === q) throw new SyntaxError_("invalid syntax");
    if (c !== "\\") {
      const cp = body.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of enc.encode(ch)) out.push(b);
      i += ch.length;
      runes++;
      continue;
    }
    i++;
    const e = body[i];
    i++;
    runes++;
    switch (e) {
      case "a":
        out.push(7);
        break;
      case "b":
        out.push(8);
        break;
      case "f":
        out.push(12);
        break;
      case "n":
        out.push(10);
        break;
      case "r":
        out.push(13);
        break;
      case "t":
        out.push(9);
        break;
      case "v":
        out.push(11);
        break;
      case "\\":
        out.push(0x5c);
        break;
      case "'":
      case '"':
        if (e !== q) throw new SyntaxError_("invalid syntax");
        out.push(e.charCodeAt(0));
        break;
      case "x":
      case "u":
      case "U": {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const h = body.slice(i, i + len);
        if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) throw new SyntaxError_("invalid syntax");
        i += len;
        const v = parseInt(h, 16);
        if (e === "x") {
          if (q === "'") {
            for (const b of enc.encode(String.fromCodePoint(v))) out.push(b);
          } else out.push(v);
        } else {
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new SyntaxError_("invalid syntax");
          for (const b of enc.encode(String.fromCodePoint(v))) out.push(b);
        }
        break;
      }
      case "0":
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "6":
      case "7": {
        const o = body.slice(i - 1, i + 2);
        if (!/^[0-7]{3}$/.test(o)) throw new SyntaxError_("invalid syntax");
        i += 2;
        const v = parseInt(o, 8);
        if (v > 255) throw new SyntaxError_("invalid syntax");
        if (q === "'") {
          for (const b of enc.encode(String.fromCodePoint(v))) out.push(b);
        } else out.push(v);
        break;
      }
      default:
        throw new SyntaxError_("invalid syntax");
    }
  }
  if (q === "'" && runes !== 1) throw new SyntaxError_("invalid syntax");
  return new TextDecoder().decode(new Uint8Array(out));
}

/** Go's strconv.underscoreOK: in a number literal, underscores only between digits or after a base prefix. */
export function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1] ?? "")) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? "";
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}
