// Value syntax of Go's strconv, time and path/filepath, as werf's flags (pflag) and WERF_* variables use it.
// Each parser throws ValueSyntaxError carrying the message Go would print, so error texts match werf's.

export class ValueSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueSyntaxError";
  }
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  "\u0007": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's `%q` for strings: double quotes, backslash escapes for quotes, backslashes and control characters. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const escaped = GO_ESCAPES[ch];
    if (escaped !== undefined) {
      out += escaped;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    } else if (code >= 0x80 && code < 0xa0) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** strconv.ParseBool: 1, t, T, TRUE, true, True and their false counterparts. */
export function parseGoBool(value: string): boolean {
  switch (value) {
    case "1":
    case "t":
    case "T":
    case "TRUE":
    case "true":
    case "True":
      return true;
    case "0":
    case "f":
    case "F":
    case "FALSE":
    case "false":
    case "False":
      return false;
    default:
      throw new ValueSyntaxError(`strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * strconv.ParseInt(value, base, 64). Base 0 (what pflag uses for flags) accepts the `0x`, `0o`, `0b` and
 * leading-`0` octal prefixes and `_` digit separators; base 10 (what werf uses for WERF_* variables) accepts
 * plain decimal only. Values outside the safe JavaScript integer range are reported as out of range.
 */
export function parseGoInt(value: string, base: 0 | 10): number {
  const syntax = (): ValueSyntaxError =>
    new ValueSyntaxError(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  let body = value;
  let negative = false;
  if (body.startsWith("+") || body.startsWith("-")) {
    negative = body.startsWith("-");
    body = body.slice(1);
  }
  let literal: string;
  if (base === 10) {
    if (!/^[0-9]+$/.test(body)) throw syntax();
    literal = body;
  } else if (/^0[xX](_?[0-9a-fA-F])+$/.test(body)) {
    literal = `0x${body.slice(2).replaceAll("_", "")}`;
  } else if (/^0[oO](_?[0-7])+$/.test(body)) {
    literal = `0o${body.slice(2).replaceAll("_", "")}`;
  } else if (/^0[bB](_?[01])+$/.test(body)) {
    literal = `0b${body.slice(2).replaceAll("_", "")}`;
  } else if (/^0(_?[0-7])+$/.test(body)) {
    literal = `0o${body.slice(1).replaceAll("_", "")}`;
  } else if (/^(0|[1-9](_?[0-9])*)$/.test(body)) {
    literal = body.replaceAll("_", "");
  } else {
    throw syntax();
  }
  const magnitude = BigInt(literal);
  const parsed = negative ? -magnitude : magnitude;
  if (parsed < INT64_MIN || parsed > INT64_MAX || parsed < BigInt(Number.MIN_SAFE_INTEGER) || parsed > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValueSyntaxError(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  }
  return Number(parsed);
}

const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  "\u00b5s": 1e3,
  "\u03bcs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** time.ParseDuration, e.g. `2h`, `1h30m`, `1.5s`, `300ms`. Returns milliseconds. */
export function parseGoDuration(value: string): number {
  const invalid = (): ValueSyntaxError => new ValueSyntaxError(`time: invalid duration ${goQuote(value)}`);
  let rest = value;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let totalNs = 0;
  while (rest !== "") {
    const match = /^([0-9]*)(\.([0-9]*))?/.exec(rest);
    const whole = match?.[1] ?? "";
    const fraction = match?.[3];
    if (whole === "" && (fraction === undefined || fraction === "")) throw invalid();
    rest = rest.slice(match?.[0].length ?? 0);
    const unitMatch = /^[^0-9.]*/.exec(rest);
    const unit = unitMatch?.[0] ?? "";
    rest = rest.slice(unit.length);
    if (unit === "") {
      throw new ValueSyntaxError(`time: missing unit in duration ${goQuote(value)}`);
    }
    const scale = DURATION_UNITS_NS[unit];
    if (scale === undefined) {
      throw new ValueSyntaxError(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(value)}`);
    }
    totalNs += Number(`${whole === "" ? "0" : whole}.${fraction ?? ""}0`) * scale;
  }
  const ms = totalNs / 1e6;
  return negative ? -ms : ms;
}

/** Go's Duration.String() for a value in milliseconds: `2h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trimNumber(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${trimNumber(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimNumber(value: number): string {
  return Number(value.toFixed(9)).toString();
}

/** filepath.Ext: the suffix from the last `.` of the final path element, `.json` for `.json` too. */
export function goExt(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== "/"; i--) {
    if (path[i] === ".") return path.slice(i);
  }
  return "";
}

/**
 * The value syntax of pflag's stringToString flags (`--runtime-annotations a=1,b=2`): one pair as is (surrounding
 * quotes trimmed), several pairs as one CSV record. Returns the pairs in order.
 */
export function parseKeyValuePairs(value: string): Array<[string, string]> {
  const equalSigns = value.split("=").length - 1;
  let items: string[];
  if (equalSigns === 0) {
    throw new ValueSyntaxError(`${value} must be formatted as key=value`);
  } else if (equalSigns === 1) {
    items = [value.replace(/^"+|"+$/g, "")];
  } else {
    items = parseCsvRecord(value);
  }
  return items.map((item) => {
    const at = item.indexOf("=");
    if (at < 0) throw new ValueSyntaxError(`${item} must be formatted as key=value`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** One record of encoding/csv with the default settings (comma separator, `"` quoting, `""` escapes). */
function parseCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    const fieldStart = i;
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) {
          throw new ValueSyntaxError(`parse error on line 1, column ${line.length + 1}: extraneous or missing " in quoted-field`);
        }
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i];
        i++;
      }
      if (i < line.length && line[i] !== ",") {
        throw new ValueSyntaxError(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
      }
    } else {
      const end = line.indexOf(",", i);
      field = end < 0 ? line.slice(i) : line.slice(i, end);
      const quoteAt = field.indexOf('"');
      if (quoteAt >= 0) {
        throw new ValueSyntaxError(`parse error on line 1, column ${fieldStart + quoteAt + 1}: bare " in non-quoted-field`);
      }
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
