// go-yaml v2's resolver (resolve.go): what a plain scalar means in YAML 1.1 as go-yaml reads it.

/** A resolved plain scalar. Integers keep their exact value (int64 or uint64 range). */
export type Resolved =
  | { tag: "str"; value: string }
  | { tag: "null"; value: null }
  | { tag: "bool"; value: boolean }
  | { tag: "int"; value: bigint }
  | { tag: "float"; value: number }
  | { tag: "timestamp"; value: string }
  | { tag: "merge"; value: string };

const MAP = new Map<string, Resolved>();
function add(r: Resolved, names: string[]): void {
  for (const n of names) MAP.set(n, r);
}
add({ tag: "bool", value: true }, ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]);
add({ tag: "bool", value: false }, ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]);
add({ tag: "null", value: null }, ["", "~", "null", "Null", "NULL"]);
add({ tag: "float", value: NaN }, [".nan", ".NaN", ".NAN"]);
add({ tag: "float", value: Infinity }, [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
add({ tag: "float", value: -Infinity }, ["-.inf", "-.Inf", "-.INF"]);
add({ tag: "merge", value: "<<" }, ["<<"]);

const enum Hint {
  None,
  Sign,
  Digit,
  Map,
  Dot,
}

/** resolve.go's hint of a scalar's first character: which resolutions may apply. */
function hint(c: number): Hint {
  switch (c) {
    case 0x2b: // +
    case 0x2d: // -
      return Hint.Sign;
    case 0x2e: // .
      return Hint.Dot;
    case 0x79: // yYnNtTfFoO~
    case 0x59:
    case 0x6e:
    case 0x4e:
    case 0x74:
    case 0x54:
    case 0x66:
    case 0x46:
    case 0x6f:
    case 0x4f:
    case 0x7e:
      return Hint.Map;
    default:
      return c >= 0x30 && c <= 0x39 ? Hint.Digit : Hint.None;
  }
}

/** A decimal integer without sign, leading zero or underscore that int64 holds: what most numbers are. */
const SIMPLE_INT = /^(?:0|[1-9][0-9]{0,17})$/;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint: returns the value or null (syntax or range error). */
export function parseGoInt(s: string, unsigned: boolean): bigint | null {
  let i = 0;
  let neg = false;
  if (!unsigned && (s[0] === "+" || s[0] === "-")) {
    neg = s[0] === "-";
    i = 1;
  }
  let body = s.slice(i);
  let base = 10;
  if (body.length >= 2 && body[0] === "0") {
    const p = body[1]?.toLowerCase();
    if (p === "x") base = 16;
    else if (p === "o") base = 8;
    else if (p === "b") base = 2;
    if (base !== 10) body = body.slice(2);
    else base = 8;
  }
  // Underscores are allowed with base 0 only between digits / after a prefix.
  if (body.includes("_")) {
    if (!/^_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/.test(body)) return null;
    if (body.startsWith("_") && !(base !== 10 && s.slice(i).length > 1 && /^0[xob]/i.test(s.slice(i)))) return null;
    body = body.replaceAll("_", "");
  }
  if (body === "") return base === 8 ? (neg ? null : 0n) : null;
  const digits = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return null;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  let v = BigInt(prefix + body);
  if (neg) v = -v;
  if (unsigned) return v <= UINT64_MAX ? v : null;
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseFloat for the decimal forms go-yaml reaches; null on syntax error. */
function parseGoFloat(s: string): number | null {
  if (/^[-+]?(inf|infinity|nan)$/i.test(s)) {
    const l = s.toLowerCase();
    if (l.endsWith("nan")) return NaN;
    return l.startsWith("-") ? -Infinity : Infinity;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  // Out of float64's range (1e400) ParseFloat fails with ErrRange, and go-yaml keeps the scalar a string.
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** go-yaml v2 parseTimestamp: the formats time.Parse accepts for the layouts go-yaml tries. */
export function isTimestamp(s: string): boolean {
  let i = 0;
  while (i < s.length && s[i]! >= "0" && s[i]! <= "9") i++;
  if (i !== 4 || i === s.length || s[i] !== "-") return false;
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (m[5] !== undefined) {
    // The space-separated layout has no zone; the T layout requires one.
    if (m[4] !== undefined && m[9] !== undefined) return false;
    if (m[4] === undefined && m[9] === undefined) return false;
    if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return false;
    if (m[8] !== undefined && m[8].length > 9) return false;
  }
  return true;
}

/** resolve("", in) of go-yaml v2 for an untagged plain scalar. */
export function resolvePlain(s: string): Resolved {
  const h = s === "" ? Hint.Map : hint(s.charCodeAt(0));
  if (h === Hint.None) return { tag: "str", value: s };
  const item = MAP.get(s);
  if (item !== undefined) return item;
  if (h === Hint.Dot) {
    const f = parseGoFloat(s);
    if (f !== null) return { tag: "float", value: f };
  } else if (h === Hint.Digit || h === Hint.Sign) {
    // What parseGoInt gives for it (it is no timestamp: those have a '-').
    if (h === Hint.Digit && SIMPLE_INT.test(s)) return { tag: "int", value: BigInt(s) };
    if (isTimestamp(s)) return { tag: "timestamp", value: s };
    const plain = s.replaceAll("_", "");
    const iv = parseGoInt(plain, false);
    if (iv !== null) return { tag: "int", value: iv };
    const uv = parseGoInt(plain, true);
    if (uv !== null) return { tag: "int", value: uv };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== null) return { tag: "float", value: f };
    }
    if (plain.startsWith("0b") || plain.startsWith("-0b")) {
      const neg = plain.startsWith("-");
      const b = plain.slice(neg ? 3 : 2);
      if (/^[01]+$/.test(b)) {
        const v = BigInt("0b" + b) * (neg ? -1n : 1n);
        if (v >= INT64_MIN && v <= INT64_MAX) return { tag: "int", value: v };
      }
    }
  }
  return { tag: "str", value: s };
}

/** go-yaml v2's isBase60Float: strings it quotes for YAML 1.1 sexagesimal compatibility. */
export function isBase60Float(s: string): boolean {
  if (s === "") return false;
  const c = s[0]!;
  if (!(c === "+" || c === "-" || (c >= "0" && c <= "9")) || !s.includes(":")) return false;
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
}
