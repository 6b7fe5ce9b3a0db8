// Sprig's JSON functions (defaults.go): toJson/fromJson (overridden by Helm), the pretty/raw
// encoders and the must* variants.

import { FuncError } from "../errors.js";
import type { GoFunc } from "../value.js";
import { fn } from "./conv.js";
import { marshalJSON, unmarshalJSON } from "./json.js";

function swallow(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof FuncError) return "";
    throw e;
  }
}

export function jsonFuncs(): GoFunc[] {
  return [
    fn(
      "fromJson",
      ["string"],
      null,
      (s: string) => {
        try {
          return unmarshalJSON(s);
        } catch (e) {
          if (e instanceof FuncError) return null;
          throw e;
        }
      },
    ),
    fn("mustFromJson", ["string"], null, unmarshalJSON),
    fn("toJson", ["any"], null, (v: unknown) => swallow(() => marshalJSON(v)), "string"),
    fn("mustToJson", ["any"], null, (v: unknown) => marshalJSON(v), "string"),
    fn("toPrettyJson", ["any"], null, (v: unknown) => swallow(() => marshalJSON(v, true, "  ")), "string"),
    fn("mustToPrettyJson", ["any"], null, (v: unknown) => marshalJSON(v, true, "  "), "string"),
    fn("toRawJson", ["any"], null, (v: unknown) => swallow(() => marshalJSON(v, false)), "string"),
    fn("mustToRawJson", ["any"], null, (v: unknown) => marshalJSON(v, false), "string"),
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
