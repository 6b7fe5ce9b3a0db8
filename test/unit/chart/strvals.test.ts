// Helm's strvals (--set and friends) and values coalescing.

import { describe, expect, test } from "vitest";
import { parseSet, parseSetJson, parseSetLiteral, parseSetString } from "../../../src/chart/strvals.js";
import { IgnoreRules } from "../../../src/chart/helmignore.js";
import { coalesceValues } from "../../../src/chart/values.js";
import type { Chart } from "../../../src/chart/types.js";
import { GoInt, type GoMap } from "../../../src/template/value.js";

function set(f: (s: string, d: GoMap) => void, s: string): GoMap {
  const d: GoMap = new Map();
  f(s, d);
  return d;
}

describe("strvals", () => {
  test("--set types and paths", () => {
    const d = set(parseSet, "a=1,b=true,c=null,d=0755,e=1.5,f.g=x,h[1].i=y,j={k,l},m=a\\,b");
    expect(d.get("a")).toEqual(GoInt.int64(1));
    expect(d.get("b")).toBe(true);
    expect(d.get("c")).toBeNull();
    expect(d.get("d")).toBe("0755");
    expect(d.get("e")).toBe("1.5");
    expect(d.get("f")).toEqual(new Map([["g", "x"]]));
    expect(d.get("h")).toEqual([null, new Map([["i", "y"]])]);
    expect(d.get("j")).toEqual(["k", "l"]);
    expect(d.get("m")).toBe("a,b");
  });
  test("--set-string, --set-json, --set-literal", () => {
    expect(set(parseSetString, "a=1").get("a")).toBe("1");
    expect(set(parseSetJson, 'a={"b":[1,2]},c=null').get("a")).toEqual(new Map([["b", [1, 2]]]));
    expect(set(parseSetLiteral, "a=x,y=z").get("a")).toBe("x,y=z");
  });
  test("errors", () => {
    expect(() => set(parseSet, "a")).toThrow('key "a" has no value');
    expect(() => set(parseSet, "a,")).toThrow('key "a" has no value (cannot end with ,)');
  });
});

describe("helmignore", () => {
  test("base name, path and negation rules", () => {
    const r = IgnoreRules.parse("*.bak\nsecrets/ignored-*\n").addDefaults();
    expect(r.ignore("files/x.bak", false)).toBe(true);
    expect(r.ignore("secrets/ignored-key", false)).toBe(true);
    expect(r.ignore("secrets/key", false)).toBe(false);
    expect(r.ignore("templates/.hidden", false)).toBe(true);
  });
});

describe("coalesceValues", () => {
  test("user values win, null deletes, globals reach subcharts", () => {
    const sub = { name: "sub", values: new Map<string, unknown>([["x", 1], ["gone", 2]]), dependencies: [] } as unknown as Chart;
    const chart = {
      name: "top",
      values: new Map<string, unknown>([["a", 1], ["global", new Map([["g", 1]])]]),
      dependencies: [sub],
    } as unknown as Chart;
    const user: GoMap = new Map<string, unknown>([["a", 2], ["sub", new Map<string, unknown>([["gone", null]])]]);
    const v = coalesceValues(chart, user);
    expect(v.get("a")).toBe(2);
    const s = v.get("sub") as GoMap;
    expect(s.get("x")).toBe(1);
    expect(s.has("gone")).toBe(false);
    expect((s.get("global") as GoMap).get("g")).toBe(1);
  });
});
