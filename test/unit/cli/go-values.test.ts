import { describe, expect, it } from "vitest";
import {
  ValueSyntaxError,
  formatGoDuration,
  goExt,
  goQuote,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
  parseKeyValuePairs,
} from "../../../src/cli/go-values.js";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValueSyntaxError) return err.message;
    throw err;
  }
  throw new Error("expected a ValueSyntaxError");
}

describe("parseGoInt", () => {
  it.each([
    ["0", 0],
    ["42", 42],
    ["-7", -7],
    ["+7", 7],
    ["0x1F", 31],
    ["0X_1f", 31],
    ["0o17", 15],
    ["017", 15],
    ["0b101", 5],
    ["1_000", 1000],
  ])("base 0: %s → %d", (input, expected) => {
    expect(parseGoInt(input, 0)).toBe(expected);
  });

  it.each(["", "abc", "1.5", "1__0", "_1", "08", "0x", "1e3", " 1"])("base 0 rejects %j", (input) => {
    expect(message(() => parseGoInt(input, 0))).toBe(`strconv.ParseInt: parsing ${JSON.stringify(input)}: invalid syntax`);
  });

  it("base 10 accepts only decimal digits", () => {
    expect(parseGoInt("010", 10)).toBe(10);
    expect(parseGoInt("-3", 10)).toBe(-3);
    expect(message(() => parseGoInt("0x10", 10))).toBe('strconv.ParseInt: parsing "0x10": invalid syntax');
    expect(message(() => parseGoInt("1_0", 10))).toBe('strconv.ParseInt: parsing "1_0": invalid syntax');
  });

  it("reports values that do not fit", () => {
    expect(message(() => parseGoInt("99999999999999999999", 10))).toBe(
      'strconv.ParseInt: parsing "99999999999999999999": value out of range',
    );
  });
});

describe("parseGoBool", () => {
  it.each(["1", "t", "T", "TRUE", "true", "True"])("%s is true", (v) => expect(parseGoBool(v)).toBe(true));
  it.each(["0", "f", "F", "FALSE", "false", "False"])("%s is false", (v) => expect(parseGoBool(v)).toBe(false));
  it.each(["yes", "on", "", "tRuE"])("%j is invalid", (v) => {
    expect(message(() => parseGoBool(v))).toBe(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
  });
});

describe("parseGoDuration", () => {
  it.each([
    ["0", 0],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    [".5s", 500],
    ["300ms", 300],
    ["-2m", -120_000],
    ["1500us", 1.5],
    ["2\u00b5s", 0.002],
  ])("%s → %d ms", (input, expected) => {
    expect(parseGoDuration(input)).toBeCloseTo(expected, 9);
  });

  it.each([
    ["", 'time: invalid duration ""'],
    ["abc", 'time: invalid duration "abc"'],
    ["5", 'time: missing unit in duration "5"'],
    ["1h2", 'time: missing unit in duration "1h2"'],
    ["3d", 'time: unknown unit "d" in duration "3d"'],
  ])("%j → %s", (input, expected) => {
    expect(message(() => parseGoDuration(input))).toBe(expected);
  });

  it.each([
    [0, "0s"],
    [7_200_000, "2h0m0s"],
    [172_800_000, "48h0m0s"],
    [90_000, "1m30s"],
    [1500, "1.5s"],
    [300, "300ms"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe("goExt", () => {
  it.each([
    ["report.json", ".json"],
    ["dir/report", ""],
    ["dir.d/report", ""],
    [".json", ".json"],
    ["a.tar.gz", ".gz"],
    ["report.", "."],
  ])("%s → %j", (path, ext) => expect(goExt(path)).toBe(ext));
});

describe("goQuote", () => {
  it("quotes like Go's %q", () => {
    expect(goQuote("plain")).toBe('"plain"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("tab\tnew\nline\u0001")).toBe('"tab\\tnew\\nline\\x01"');
    expect(goQuote("ünï")).toBe('"ünï"');
  });
});

describe("parseKeyValuePairs", () => {
  it("reads one pair as is and several as a CSV record", () => {
    expect(parseKeyValuePairs("a=1")).toEqual([["a", "1"]]);
    expect(parseKeyValuePairs('"a=1"')).toEqual([["a", "1"]]);
    expect(parseKeyValuePairs("a=1,b=2")).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(parseKeyValuePairs('"a=x,y",b=2')).toEqual([
      ["a", "x,y"],
      ["b", "2"],
    ]);
    expect(parseKeyValuePairs('"say ""hi""=1",b=2')).toEqual([
      ['say "hi"', "1"],
      ["b", "2"],
    ]);
  });

  it("rejects items without = and malformed quoting", () => {
    expect(message(() => parseKeyValuePairs("novalue"))).toBe("novalue must be formatted as key=value");
    expect(message(() => parseKeyValuePairs("a=1,b,c=3"))).toBe("b must be formatted as key=value");
    expect(message(() => parseKeyValuePairs('a=1,b="2"'))).toBe('parse error on line 1, column 7: bare " in non-quoted-field');
  });
});
