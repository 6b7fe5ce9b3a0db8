// Sprig's JSON functions (defaults.go): toJson/fromJson (overridden by Helm), the pretty/raw
// encoders and the must* variants.

import { FuncError } from "../errors.js";
import { decodeJson, JsonError, marshalJson, parseJson, type JsonFormat } from "../json.js";
import type { GoFunc } from "../value.js";
import { fn } from "./conv.js";

/** Reports a JsonError as the function's error. */
function funcError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof JsonError) throw new FuncError(e.message);
    throw e;
  }
}

const mustMarshal = (v: unknown, format: JsonFormat = {}): string => funcError(() => marshalJson(v, format));

function swallow(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof FuncError) return "";
    throw e;
  }
}

// toJson and toPrettyJson drop the error; toRawJson panics with it, which text/template reports
// like a returned error (checked against helm).
const PRETTY: JsonFormat = { indent: "  " };
const RAW: JsonFormat = { escapeHTML: false };

export function jsonFuncs(): GoFunc[] {
  return [
    fn(
      "fromJson",
      ["string"],
      null,
      // Unmarshal's output even with an error: nil after a syntax error, nils for numbers out of range.
      (s: string) => {
        try {
          return decodeJson(s).value;
        } catch (e) {
          if (e instanceof JsonError) return null;
          throw e;
        }
      },
    ),
    fn("mustFromJson", ["string"], null, (s: string) => funcError(() => parseJson(s))),
    fn("toJson", ["any"], null, (v: unknown) => swallow(() => mustMarshal(v)), "string"),
    fn("mustToJson", ["any"], null, (v: unknown) => mustMarshal(v), "string"),
    fn("toPrettyJson", ["any"], null, (v: unknown) => swallow(() => mustMarshal(v, PRETTY)), "string"),
    fn("mustToPrettyJson", ["any"], null, (v: unknown) => mustMarshal(v, PRETTY), "string"),
    fn("toRawJson", ["any"], null, (v: unknown) => mustMarshal(v, RAW), "string"),
    fn("mustToRawJson", ["any"], null, (v: unknown) => mustMarshal(v, RAW), "string"),
    fn(
      "fail",
      ["string"],
      null,
      (msg: string) => {
        throw new FuncError(msg);
      },
      "string",
    ),
  ];
}
