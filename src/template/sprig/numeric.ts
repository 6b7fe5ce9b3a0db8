// Sprig's numeric and conversion functions (numeric.go), encodings and hashes.

import { nodeCrypto } from "./node.js";
import { FuncError } from "../errors.js";
import { formatFloat } from "../strconv.js";
import { formatValue } from "../fmt.js";
import { GoInt, bytesToString, stringBytes, type GoFunc } from "../value.js";
import { fn, intList, parseGoInt, toFloat64, toInt, toInt64 } from "./conv.js";

const i64 = (v: bigint): GoInt => GoInt.int64(v);

// --- shopspring/decimal subset ----------------------------------------------------------------

interface Dec {
  c: bigint; // coefficient
  e: number; // exponent (value = c * 10^e)
}

function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f)) throw new FuncError(`Cannot create a Decimal from ${formatFloat(f, "g", -1)}`);
  if (f === 0) return { c: 0n, e: 0 };
  // Shortest round-trip digits, as decimal.NewFromFloat does.
  const s = f.toExponential();
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return { c: 0n, e: 0 };
  const digits = (m[2] ?? "") + (m[3] ?? "");
  const exp = Number(m[4]) - (digits.length - 1);
  const c = BigInt(digits) * (m[1] === "-" ? -1n : 1n);
  return { c, e: exp };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e), e];
}

function decAdd(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { c: x + y, e };
}
function decSub(a: Dec, b: Dec): Dec {
  const [x, y, e] = align(a, b);
  return { c: x - y, e };
}
function decMul(a: Dec, b: Dec): Dec {
  return { c: a.c * b.c, e: a.e + b.e };
}
/** DivRound(d2, 16): half away from zero at 16 decimal places. */
function decDiv(a: Dec, b: Dec): Dec {
  if (b.c === 0n) throw new FuncError("decimal division by 0");
  const prec = 16;
  // q = a/b scaled by 10^prec, computed with one extra digit for rounding.
  let num = a.c;
  let den = b.c;
  const shift = prec + 1 + (a.e - b.e);
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const neg = num < 0n !== den < 0n;
  const absNum = num < 0n ? -num : num;
  const absDen = den < 0n ? -den : den;
  let q = absNum / absDen; // truncated, one extra digit
  const lastDigit = q % 10n;
  q = q / 10n;
  if (lastDigit >= 5n) q += 1n;
  return { c: neg ? -q : q, e: -prec };
}

function decToFloat(d: Dec): number {
  return Number(`${d.c.toString()}e${d.e}`);
}

function decimalOp(a: unknown, rest: unknown[], op: (x: Dec, y: Dec) => Dec): number {
  let acc = decFromFloat(toFloat64(a));
  for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
  return decToFloat(acc);
}

// --- numeric functions ------------------------------------------------------------------------

function untilStep(start: number, stop: number, step: number): GoInt[] {
  const v: number[] = [];
  if (stop < start) {
    if (step >= 0) return intList(v);
    for (let i = start; i > stop; i += step) v.push(i);
    return intList(v);
  }
  if (step <= 0) return intList(v);
  for (let i = start; i < stop; i += step) v.push(i);
  return intList(v);
}

function seq(...params: GoInt[]): string {
  const p = params.map((x) => Number(x.v));
  const str = (l: GoInt[]): string => l.map((x) => x.v.toString()).join(" ");
  switch (p.length) {
    case 1: {
      const start = 1;
      const end = p[0] ?? 0;
      const inc = end < start ? -1 : 1;
      return str(untilStep(start, end + inc, inc));
    }
    case 3: {
      const start = p[0] ?? 0;
      const end = p[2] ?? 0;
      const step = p[1] ?? 0;
      let inc = 1;
      if (end < start) {
        inc = -1;
        if (step > 0) return "";
      }
      return str(untilStep(start, end + inc, step));
    }
    case 2: {
      const start = p[0] ?? 0;
      const end = p[1] ?? 0;
      const step = end < start ? -1 : 1;
      return str(untilStep(start, end + step, step));
    }
    default:
      return "";
  }
}

function goMod(x: number): [number, number] {
  const t = Math.trunc(x);
  return [t, x - t];
}

function round(a: unknown, p: GoInt, ...rOpt: number[]): number {
  const roundOn = rOpt.length > 0 ? (rOpt[0] ?? 0.5) : 0.5;
  const val = toFloat64(a);
  const pow = Math.pow(10, Number(p.v));
  const digit = pow * val;
  const [, div] = goMod(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function toDecimal(v: unknown): GoInt {
  return i64(parseGoInt(formatValue(v), 8) ?? 0n);
}

function divInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError("runtime error: integer divide by zero");
  return BigInt.asIntN(64, a / b);
}
function modInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new FuncError("runtime error: integer divide by zero");
  return a % b;
}

// --- encodings --------------------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

class CorruptInput extends Error {}

/** encoding/base64 StdEncoding.DecodeString with Go's error offsets. */
export function base64Decode(s: string): Uint8Array {
  const src = stringBytes(s);
  const out: number[] = [];
  let si = 0;
  const err = (off: number): never => {
    throw new CorruptInput(`illegal base64 data at input byte ${off}`);
  };
  for (;;) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let done = false;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        err(si - j);
      }
      const inb = src[si] ?? 0;
      si++;
      const d = B64.indexOf(String.fromCharCode(inb));
      if (inb < 128 && d >= 0) {
        dbuf[j] = d;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== 0x3d) err(si - 1);
      if (j === 0 || j === 1) err(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) err(src.length);
        if (src[si] !== 0x3d) err(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) err(si);
      dlen = j;
      done = true;
      break;
    }
    const val = ((dbuf[0] ?? 0) << 18) | ((dbuf[1] ?? 0) << 12) | ((dbuf[2] ?? 0) << 6) | (dbuf[3] ?? 0);
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (done) return Uint8Array.from(out);
  }
}

export function base64Encode(b: Uint8Array): string {
  return Buffer.from(b).toString("base64");
}

function base32Encode(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i += 5) {
    const chunk = [...b.subarray(i, i + 5)];
    const len = chunk.length;
    while (chunk.length < 5) chunk.push(0);
    let bits = 0n;
    for (const x of chunk) bits = (bits << 8n) | BigInt(x);
    const nChars = [0, 2, 4, 5, 7, 8][len] ?? 8;
    for (let k = 0; k < 8; k++) {
      if (k < nChars) out += B32[Number((bits >> BigInt(35 - 5 * k)) & 31n)] ?? "";
      else out += "=";
    }
  }
  return out;
}

function base32Decode(s: string): Uint8Array {
  const src = stringBytes(s).filter((x) => x !== 0x0a && x !== 0x0d);
  const olen = src.length;
  let pos = 0;
  const out: number[] = [];
  const err = (off: number): never => {
    throw new CorruptInput(`illegal base32 data at input byte ${off}`);
  };
  let end = false;
  while (pos < olen && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8; ) {
      if (pos === olen) err(olen - (olen - pos) - j);
      const inb = src[pos] ?? 0;
      pos++;
      const remaining = olen - pos;
      if (inb === 0x3d && j >= 2 && remaining < 8) {
        if (remaining + j < 8 - 1) err(olen);
        for (let k = 0; k < 8 - 1 - j; k++) {
          if (remaining > k && src[pos + k] !== 0x3d) err(olen - remaining + k - 1);
        }
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) err(olen - remaining - 1);
        break;
      }
      const d = B32.indexOf(String.fromCharCode(inb));
      if (inb >= 128 || d < 0) err(olen - remaining - 1);
      dbuf[j] = d;
      j++;
    }
    let bits = 0n;
    for (const x of dbuf) bits = (bits << 5n) | BigInt(x);
    const bytes: number[] = [];
    for (let k = 4; k >= 0; k--) bytes.push(Number((bits >> BigInt(8 * k)) & 255n));
    const nBytes = [0, 0, 1, 1, 2, 3, 3, 4, 5][dlen] ?? 5;
    out.push(...bytes.slice(0, nBytes));
  }
  return Uint8Array.from(out);
}

function adler32(b: Uint8Array): number {
  let a = 1;
  let c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  return ((c << 16) | a) >>> 0;
}

const hash = (alg: string) => (s: string) => nodeCrypto().createHash(alg).update(stringBytes(s)).digest("hex");

export function numericFuncs(): GoFunc[] {
  return [
    fn("atoi", ["string"], null, (s: string) => GoInt.int(parseGoInt(s, 10) ?? 0n), "int"),
    fn("int64", ["any"], null, (v: unknown) => i64(toInt64(v)), "int64"),
    fn("int", ["any"], null, (v: unknown) => GoInt.int(toInt(v)), "int"),
    fn("float64", ["any"], null, toFloat64, "float64"),
    fn("seq", [], "int", seq, "string"),
    fn("toDecimal", ["any"], null, toDecimal, "int64"),
    fn("until", ["int"], null, (c: GoInt) => untilStep(0, Number(c.v), c.v < 0n ? -1 : 1), "any"),
    fn("untilStep", ["int", "int", "int"], null, (a: GoInt, b: GoInt, s: GoInt) => untilStep(Number(a.v), Number(b.v), Number(s.v)), "any"),
    fn("add1", ["any"], null, (v: unknown) => i64(toInt64(v) + 1n), "int64"),
    fn("add", [], "any", (...v: unknown[]) => i64(v.reduce<bigint>((a, b) => a + toInt64(b), 0n)), "int64"),
    fn("sub", ["any", "any"], null, (a: unknown, b: unknown) => i64(toInt64(a) - toInt64(b)), "int64"),
    fn("div", ["any", "any"], null, (a: unknown, b: unknown) => i64(divInt(toInt64(a), toInt64(b))), "int64"),
    fn("mod", ["any", "any"], null, (a: unknown, b: unknown) => i64(modInt(toInt64(a), toInt64(b))), "int64"),
    fn("mul", ["any"], "any", (a: unknown, ...v: unknown[]) => i64(v.reduce<bigint>((x, b) => x * toInt64(b), toInt64(a))), "int64"),
    fn(
      "randInt",
      ["int", "int"],
      null,
      (min: GoInt, max: GoInt) => {
        const span = Number(max.v - min.v);
        if (span <= 0) throw new FuncError("invalid argument to Intn");
        return GoInt.int(BigInt(nodeCrypto().randomInt(Math.min(span, 2 ** 48 - 1))) + min.v);
      },
      "int",
    ),
    fn("add1f", ["any"], null, (v: unknown) => decimalOp(v, [GoInt.int(1)], decAdd), "float64"),
    fn("addf", [], "any", (...v: unknown[]) => decimalOp(0, v, decAdd), "float64"),
    fn("subf", ["any"], "any", (a: unknown, ...v: unknown[]) => decimalOp(a, v, decSub), "float64"),
    fn("divf", ["any"], "any", (a: unknown, ...v: unknown[]) => decimalOp(a, v, decDiv), "float64"),
    fn("mulf", ["any"], "any", (a: unknown, ...v: unknown[]) => decimalOp(a, v, decMul), "float64"),
    fn("biggest", ["any"], "any", (a: unknown, ...v: unknown[]) => i64(v.map(toInt64).reduce((x, y) => (y > x ? y : x), toInt64(a))), "int64"),
    fn("max", ["any"], "any", (a: unknown, ...v: unknown[]) => i64(v.map(toInt64).reduce((x, y) => (y > x ? y : x), toInt64(a))), "int64"),
    fn("min", ["any"], "any", (a: unknown, ...v: unknown[]) => i64(v.map(toInt64).reduce((x, y) => (y < x ? y : x), toInt64(a))), "int64"),
    fn("maxf", ["any"], "any", (a: unknown, ...v: unknown[]) => v.map(toFloat64).reduce((x, y) => goMax(x, y), toFloat64(a)), "float64"),
    fn("minf", ["any"], "any", (a: unknown, ...v: unknown[]) => v.map(toFloat64).reduce((x, y) => goMin(x, y), toFloat64(a)), "float64"),
    fn("ceil", ["any"], null, (v: unknown) => Math.ceil(toFloat64(v)), "float64"),
    fn("floor", ["any"], null, (v: unknown) => Math.floor(toFloat64(v)), "float64"),
    fn("round", ["any", "int"], "float64", round, "float64"),
    // encodings and hashes
    fn("b64enc", ["string"], null, (s: string) => base64Encode(stringBytes(s)), "string"),
    fn("b64dec", ["string"], null, (s: string) => decodeOrMessage(() => base64Decode(s)), "string"),
    fn("b32enc", ["string"], null, (s: string) => base32Encode(stringBytes(s)), "string"),
    fn("b32dec", ["string"], null, (s: string) => decodeOrMessage(() => base32Decode(s)), "string"),
    fn("sha1sum", ["string"], null, hash("sha1"), "string"),
    fn("sha256sum", ["string"], null, hash("sha256"), "string"),
    fn("adler32sum", ["string"], null, (s: string) => String(adler32(stringBytes(s))), "string"),
  ];
}

function goMax(x: number, y: number): number {
  if (x === Infinity || y === Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return Math.max(x, y);
}
function goMin(x: number, y: number): number {
  if (x === -Infinity || y === -Infinity) return -Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return Math.min(x, y);
}

function decodeOrMessage(f: () => Uint8Array): string {
  try {
    return bytesToString(f());
  } catch (e) {
    if (e instanceof CorruptInput) return e.message;
    throw e;
  }
}
