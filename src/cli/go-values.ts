// Value syntax of Go's strconv, time and path/filepath, as werf's flags (pflag) and WERF_* variables use it.
// Each parser throws ValueSyntaxError carrying the message Go would print, so error texts match werf's.

import { durationString, goQuote, GoTimeParseError, parseDuration } from "../template/index.js";

export class ValueSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueSyntaxError";
  }
}

/** Go's `%q` for strings (strconv.Quote): the template engine's, so both quote alike. */
export { goQuote };

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

/** time.ParseDuration, e.g. `2h`, `1h30m`, `1.5s`, `300ms`, with the template engine's parser. Returns milliseconds. */
export function parseGoDuration(value: string): number {
  try {
    return Number(parseDuration(value)) / 1e6;
  } catch (err) {
    if (err instanceof GoTimeParseError) throw new ValueSyntaxError(err.message);
    throw err;
  }
}

/** Go's Duration.String() for a value in milliseconds: `2h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  return durationString(BigInt(Math.round(ms * 1e6)));
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
