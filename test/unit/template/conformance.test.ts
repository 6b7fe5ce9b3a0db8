// Conformance: the engine against expectations recorded from the real `helm template` v3.17.3
// (regenerate with `node scripts/gen-template-golden.js`).

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, test } from "vitest";
import YAML from "yaml";
import { HelmRenderError, renderTemplates, type Renderable } from "../../../src/template/helm/engine.js";
import { Capabilities, renderRoot, valuesMap } from "../../../src/template/helm/objects.js";
import { helmFuncMap } from "../../../src/template/helm/funcs.js";
import type { GoMap } from "../../../src/template/value.js";

const root = join(import.meta.dirname, "../../..");
const casesDir = join(root, "test/golden/template/cases");
const expectedDir = join(root, "test/golden/template/expected");

interface Expected {
  template: string;
  values: string;
  output?: string;
  error?: string;
}

/** values.yaml as Helm reads it: YAML 1.1, then JSON (numbers become float64, keys strings). */
function goValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(goValue);
  if (typeof v === "object") {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) m.set(k, goValue(x));
    return m;
  }
  return v;
}

function parseValues(text: string): GoMap {
  const doc: unknown = YAML.parse(text, {
    version: "1.1",
    uniqueKeys: false,
    customTags: (tags) => tags.filter((t) => typeof t === "object" && t.tag !== "tag:yaml.org,2002:timestamp"),
  });
  const m = goValue(doc ?? {});
  return valuesMap(m instanceof Map ? (m as GoMap) : []);
}

function render(id: string, template: string, valuesText: string): { output?: string; error?: string } {
  const begin = `@@SLIPWAY-BEGIN ${id}@@`;
  const end = `@@SLIPWAY-END ${id}@@`;
  const name = `golden/templates/${id}.yaml`;
  const vals = renderRoot({
    values: parseValues(valuesText),
    release: { name: "rn", namespace: "default" },
    chart: new Map([
      ["Name", "golden"],
      ["Version", "0.1.0"],
      ["APIVersion", "v2"],
    ]),
    capabilities: new Capabilities("v1.30.0", []),
  });
  const tpls = new Map<string, Renderable>([[name, { text: begin + template + end, vals, basePath: "golden/templates" }]]);
  try {
    const out = renderTemplates(tpls, { funcs: helmFuncMap() }).get(name) ?? "";
    return { output: out.slice(out.indexOf(begin) + begin.length, out.lastIndexOf(end)) };
  } catch (e) {
    if (e instanceof HelmRenderError) return { error: e.message };
    throw e;
  }
}

const files = readdirSync(casesDir).filter((f) => f.endsWith(".yaml"));

for (const file of files) {
  const base = basename(file, ".yaml");
  const expected = JSON.parse(readFileSync(join(expectedDir, `${base}.json`), "utf8")) as {
    cases: Record<string, Expected>;
  };
  const doc = YAML.parse(readFileSync(join(casesDir, file), "utf8")) as { cases: { name: string; template: string }[] };
  describe(`conformance/${base}`, () => {
    for (const c of doc.cases) {
      test(c.name, () => {
        const exp = expected.cases[c.name];
        expect(exp, `no expectation for ${c.name}; run scripts/gen-template-golden.js`).toBeDefined();
        if (exp === undefined) return;
        expect(exp.template, "case changed since expectations were generated").toBe(c.template);
        const got = render(`${base}_${c.name}`, exp.template, exp.values);
        if (exp.error !== undefined) expect(got).toEqual({ error: exp.error });
        else expect(got).toEqual({ output: exp.output });
      });
    }
  });
}
