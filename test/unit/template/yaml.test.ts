// go-yaml v2 emitter, resolver and key order; the YAML 1.1 reader (sigs.k8s.io/yaml semantics).

import { describe, expect, test } from "vitest";
import { GoInt } from "../../../src/template/value.js";
import { keyLess, marshalYaml, readYaml, resolvePlain } from "../../../src/template/yaml/index.js";

describe("resolvePlain", () => {
  test.each([
    ["yes", "bool"],
    ["Off", "bool"],
    ["~", "null"],
    ["", "null"],
    ["0755", "int"],
    ["0x1F", "int"],
    ["08", "float"],
    ["1e3", "float"],
    [".5", "float"],
    ["2021-01-01", "timestamp"],
    ["2021-13-01", "str"],
    ["<<", "str"],
    ["hello", "str"],
  ])("%j is %s", (s, tag) => {
    expect(resolvePlain(s).tag).toBe(tag);
  });
});

describe("keyLess", () => {
  test("go-yaml natural order", () => {
    const keys = ["b", "a10", "a9", "A", "a", "_", "", "10", "9", "-x", "a-b", "a.b", "a_b"];
    expect(keys.sort((x, y) => (keyLess(x, y) ? -1 : keyLess(y, x) ? 1 : 0))).toEqual([
      "",
      "-x",
      "_",
      "9",
      "10",
      "A",
      "a",
      "a-b",
      "a.b",
      "a_b",
      "a9",
      "a10",
      "b",
    ]);
  });
});

describe("marshalYaml", () => {
  test("block style, quoting and empty collections", () => {
    const v = new Map<string, unknown>([
      ["list", ["yes", "a: b", 1.5, GoInt.int(3), null, []]],
      ["map", new Map()],
      ["multi", "a\nb\n"],
    ]);
    expect(marshalYaml(v)).toBe('list:\n- "yes"\n- \'a: b\'\n- 1.5\n- 3\n- null\n- []\nmap: {}\nmulti: |\n  a\n  b\n');
  });
  test("floats go through JSON", () => {
    expect(marshalYaml([1e6, 1e21, 0.00001, 3.0])).toBe("- 1000000\n- 1e+21\n- 1e-05\n- 3\n");
  });
  test("long plain strings fold at 80 columns", () => {
    const s = Array.from({ length: 20 }, () => "word").join(" ");
    expect(marshalYaml(new Map([["k", s]]))).toBe(`k: ${s.slice(0, 79)}\n  ${s.slice(80)}\n`);
  });
});

describe("readYaml", () => {
  test("YAML 1.1 values become Go values through JSON", () => {
    const v = readYaml("y: 1\nn: 0755\nf: 1.10\nd: 2021-01-01\nl: [on, ~]\n") as Map<string, unknown>;
    expect([...v.entries()]).toEqual([
      ["true", 1],
      ["false", 493],
      ["f", 1.1],
      ["d", "2021-01-01"],
      ["l", [true, null]],
    ]);
  });
  test(".inf cannot go through JSON", () => {
    expect(() => readYaml("a: .inf")).toThrow("error converting YAML to JSON: json: unsupported value: +Inf");
  });
});
