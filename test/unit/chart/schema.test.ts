// values.schema.json validation against `helm template` v3.17.3: the cases of
// test/golden/render/schema-errors.json hold helm's whole stderr (the render golden files keep only
// the first line of an error), and the single-schema checks below use messages helm printed for them.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { validateAgainstSingleSchema } from "../../../src/chart/schema.js";
import { run } from "../../../src/cli/main.js";
import { GoInt } from "../../../src/template/value.js";

const root = join(import.meta.dirname, "../../..");

interface ErrorCase {
  name: string;
  chart: string;
  args: string[];
  stderr: string;
}

async function renderStderr(c: ErrorCase): Promise<string> {
  let stderr = "";
  const code = await run(
    ["node", "slipway", "helm", "template", join(root, "test/fixtures/charts", c.chart), "--release", "rn", "--namespace", "default", "--kube-version", "1.30.0", ...c.args],
    {
      stdout: { write: () => true },
      stderr: { write: (s: string) => ((stderr += s), true) },
      env: { TZ: "UTC" },
    },
  );
  return `exit: ${code}\n${stderr}`;
}

const cases = JSON.parse(readFileSync(join(root, "test/golden/render/schema-errors.json"), "utf8")) as ErrorCase[];

describe("values.schema.json errors = helm template", () => {
  for (const c of cases) {
    test(c.name, async () => {
      expect(await renderStderr(c)).toBe(`exit: 1\n${c.stderr}`);
    });
  }
});

describe("validateAgainstSingleSchema", () => {
  const check = (schema: string, values: [string, unknown][]): string => validateAgainstSingleSchema(new Map(values), schema);

  test("bounds print as Go prints a *big.Float", () => {
    expect(check('{"properties":{"a":{"maximum":12345678901}}}', [["a", GoInt.int64(12345678902n)]])).toBe(
      "- a: Must be less than or equal to 1.2345678901e+10\n",
    );
    expect(check('{"properties":{"d":{"multipleOf":0.3}}}', [["d", GoInt.int64(1)]])).toBe("- d: Must be a multiple of 0.3\n");
    expect(check('{"properties":{"b":{"minimum":0.1,"exclusiveMinimum":true}}}', [["b", 0.1]])).toBe("- b: Must be greater than 0.1\n");
  });

  test("integer is decided by the number's value", () => {
    expect(check('{"properties":{"l":{"type":"integer"}}}', [["l", 2.0]])).toBe("");
    expect(check('{"properties":{"l":{"type":"integer"}}}', [["l", 1.5]])).toBe("- l: Invalid type. Expected: integer, given: number\n");
    expect(check('{"properties":{"l":{"type":"integer"}}}', [["l", null]])).toBe("- l: Invalid type. Expected: integer, given: null\n");
  });

  test("keywords beyond the fixture chart", () => {
    expect(check('{"properties":{"p":{"dependencies":{"a":["b"]}}}}', [["p", new Map([["a", GoInt.int64(1)]])]])).toBe(
      "- p: Has a dependency on b\n",
    );
    expect(check('{"properties":{"q":{"if":{"type":"string"},"then":{"minLength":3}}}}', [["q", "ab"]])).toBe(
      '- q: Must validate "then" as "if" was valid\n- q: String length must be greater than or equal to 3\n',
    );
    expect(check('{"properties":{"s":{"contains":{"type":"string"}}}}', [["s", [GoInt.int64(1)]]])).toBe(
      "- s: At least one of the items must match\n- s.0: Invalid type. Expected: string, given: integer\n",
    );
    expect(check('{"properties":{"n":false}}', [["n", GoInt.int64(1)]])).toBe("- n: False always fails validation\n");
    expect(check('{"properties":{"u":{"minLength":2}}}', [["u", "é"]])).toBe("- u: String length must be greater than or equal to 2\n");
    expect(check('{"properties":{"k":{"enum":[1.5,"x",{"b":1,"a":2},[1]]}}}', [["k", GoInt.int64(1)]])).toBe(
      '- k: k must be one of the following: 1.5, "x", {"a":2,"b":1}, [1]\n',
    );
  });

  test("schemas that do not compile", () => {
    expect(check("", [])).toBe("EOF");
    expect(check('{"type":"array"', [])).toBe("unexpected EOF");
    expect(check('{"type":"foo"}', [])).toBe(
      "has a primitive type that is NOT VALID -- given: /foo/ Expected valid values are:[array boolean integer number null object string]",
    );
    expect(check('{"properties":{"a":{"$ref":"#/definitions/x"}}}', [])).toBe("Object has no key 'definitions'");
    expect(check('{"minProperties":2,"maxProperties":0}', [])).toBe("minProperties cannot be greater than maxProperties");
  });
});
