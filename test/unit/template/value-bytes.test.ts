// Go strings hold any bytes: bytesToString keeps bytes that are not UTF-8, stringBytes gives them back.

import { describe, expect, test } from "vitest";
import { byteLength, bytesToString, stringBytes } from "../../../src/template/value.js";

describe("Go string bytes", () => {
  test("valid UTF-8 decodes as text", () => {
    const b = new TextEncoder().encode("héllo 😀");
    expect(bytesToString(b)).toBe("héllo 😀");
    expect(stringBytes("héllo 😀")).toEqual(b);
  });

  test("invalid bytes survive a round trip, beside valid sequences", () => {
    const b = Uint8Array.from([0x42, 0x5a, 0x68, 0xff, 0xc3, 0xa9, 0x80, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xc3]);
    const s = bytesToString(b);
    expect(s.startsWith("BZh")).toBe(true);
    expect(s).toContain("é");
    expect(s).toContain("😀");
    expect(Array.from(stringBytes(s))).toEqual(Array.from(b));
    expect(byteLength(s)).toBe(b.length);
  });

  test("every byte value round-trips", () => {
    const b = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Array.from(stringBytes(bytesToString(b)))).toEqual(Array.from(b));
  });

  test("a lone surrogate that is not an escaped byte encodes as U+FFFD", () => {
    expect(Array.from(stringBytes("a\ud800b"))).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62]);
  });
});
