// The --set conformance set: every case of test/golden/strvals/cases.txt through slipway's values merge
// (src/chart/strvals.ts via mergeUserValues), compared with the value tree (as toJson prints it) or the error that
// helm v3.17.3 gave for the same flags (test/golden/strvals/expected.json, from scripts/gen-strvals-golden.js).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { mergeUserValues, type ValueOptions } from "../../../src/chart/values.js";
import { marshalJson } from "../../../src/template/json.js";

const root = join(import.meta.dirname, "../../..");
const fixtures = join(root, "test/fixtures/strvals");
const expected = JSON.parse(readFileSync(join(root, "test/golden/strvals/expected.json"), "utf8")) as Record<string, { json?: string; error?: string }>;

interface Case {
  readonly name: string;
  readonly flags: readonly (readonly [string, string])[];
}

function readCases(text: string): Case[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [name = "", ...rest] = line.split("\t");
      const flags: [string, string][] = [];
      for (let i = 0; i < rest.length; i += 2) flags.push([rest[i] ?? "", rest[i + 1] ?? ""]);
      return { name, flags };
    });
}

const KEYS: Readonly<Record<string, keyof ValueOptions>> = {
  "--set": "values",
  "--set-string": "stringValues",
  "--set-json": "jsonValues",
  "--set-literal": "literalValues",
  "--set-file": "fileValues",
};

function options(c: Case): ValueOptions {
  const o: Record<string, string[]> = {};
  for (const [flag, value] of c.flags) {
    const key = KEYS[flag];
    if (key === undefined) throw new Error(`${c.name}: unknown flag ${flag}`);
    (o[key] ??= []).push(value);
  }
  return o;
}

const cases = readCases(readFileSync(join(root, "test/golden/strvals/cases.txt"), "utf8"));

describe("--set conformance with helm v3.17.3", () => {
  test("has at least 100 cases, each with helm's answer", () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    for (const c of cases) expect(expected[c.name], c.name).toBeDefined();
  });

  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const want = expected[c.name];
    let got: { json?: string; error?: string };
    try {
      got = { json: marshalJson(mergeUserValues(options(c), (p) => readFileSync(join(fixtures, p), "utf8"))) };
    } catch (e) {
      got = { error: (e as Error).message };
    }
    expect(got).toEqual(want);
  });
});
