// Parsed templates through treecodec and the engine's ParseCache: every conformance case (expectations recorded
// from helm 3.17.3) renders the same from cached trees as from parsed ones, and a cached render parses nothing.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import { renderTemplates, type ParseCache, type Renderable } from "../../../src/template/helm/engine.js";
import { helmFuncMap } from "../../../src/template/helm/funcs.js";
import { Capabilities, renderRoot, valuesMap } from "../../../src/template/helm/objects.js";
import { parse } from "../../../src/template/parse.js";
import { TemplateSet } from "../../../src/template/template.js";
import { decodeTrees, encodeTrees } from "../../../src/template/treecodec.js";

const root = join(import.meta.dirname, "../../..");
const expectedDir = join(root, "test/golden/template/expected");

interface Expected {
  template: string;
  output?: string;
}

/** A ParseCache in memory that counts its hits. */
class MemoryCache implements ParseCache {
  readonly entries = new Map<string, string>();
  hits = 0;
  read(key: string): string | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }
  write(key: string, text: string): void {
    this.entries.set(key, text);
  }
}

function renderWith(template: string, cache: ParseCache): string {
  const name = "golden/templates/t.yaml";
  const vals = renderRoot({
    values: valuesMap([["a", 1]]),
    release: { name: "rn", namespace: "default" },
    chart: new Map([["Name", "golden"]]),
    capabilities: new Capabilities("v1.30.0", []),
  });
  const tpls = new Map<string, Renderable>([
    [name, { text: template, vals, basePath: "golden/templates" }],
    ["golden/templates/_helpers.tpl", { text: '{{- define "h" }}[{{ . }}]{{ end -}}', vals, basePath: "golden/templates" }],
  ]);
  return renderTemplates(tpls, { funcs: helmFuncMap(), parseCache: cache }).get(name) ?? "";
}

/** The output, or the error (such cases need their own values; their parse is what is compared). */
function renderOrError(template: string, cache: ParseCache): string {
  try {
    return renderWith(template, cache);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

const cases: Expected[] = readdirSync(expectedDir)
  .filter((f) => f.endsWith(".json"))
  .flatMap((f) => Object.values((JSON.parse(readFileSync(join(expectedDir, f), "utf8")) as { cases: Record<string, Expected> }).cases))
  .filter((c) => c.output !== undefined)
  // Key generation and hashing take long and are not about parsing.
  .filter((c) => !/gen[A-Z]|rand|uuid|derivePassword|bcrypt|htpasswd/.test(c.template));

afterEach(() => vi.restoreAllMocks());

describe("treecodec", () => {
  test("every conformance template renders alike from the cache, which parses nothing", () => {
    expect(cases.length).toBeGreaterThan(200);
    const cache = new MemoryCache();
    const first = cases.map((c) => renderOrError(c.template, cache));
    expect(first.filter((out) => !out.startsWith("error: ")).length).toBeGreaterThan(200);
    expect(cache.entries.size).toBe(cases.length);
    const parses = vi.spyOn(TemplateSet.prototype, "parseTrees");
    const second = cases.map((c) => renderOrError(c.template, cache));
    expect(second).toEqual(first);
    expect(cache.hits).toBe(cases.length);
    // `tpl` parses its text when it runs, as Helm's does; the chart's templates come from the cache.
    expect(parses.mock.calls.map((call) => call[0]).filter((n) => n !== "gotpl")).toEqual([]);
  }, 60_000);

  test("trees survive JSON: same printed form, same encoding, numbers' -0, NaN and big integers", () => {
    const text =
      '{{ $x := -0.0 }}{{ $y := 0x1F }}{{ $z := 1e300 }}{{ $c := \'a\' }}{{ $i := 2i }}{{ $u := 18446744073709551615 }}' +
      "{{- range $k, $v := .Values.m }}{{ if eq $k \"a\" }}{{ break }}{{ else if $v }}{{ continue }}{{ end }}{{ end -}}" +
      '{{ with .Values.a }}{{ (.b).c.d }}{{ else }}{{ template "t" . }}{{ end }}{{/* note */}}' +
      '{{ define "t" }}{{ $x = nil }}{{ true | not }}{{ printf "%q" `raw` }}{{ end }}';
    const trees = parse("f.yaml", text, () => true);
    const encoded = JSON.parse(JSON.stringify(encodeTrees(trees))) as unknown;
    const back = decodeTrees(encoded, "f.yaml", text);
    expect(back).toBeDefined();
    expect([...(back ?? [])].map(([k, t]) => [k, t.name, t.parseName, t.text, t.root.toString()])).toEqual(
      [...trees].map(([k, t]) => [k, t.name, t.parseName, t.text, t.root.toString()]),
    );
    expect(encodeTrees(back ?? new Map())).toEqual(encodeTrees(trees));
    expect(JSON.stringify(encoded)).toContain('"-0"');
    // Text that is a slice of the source is kept as its length.
    const small = JSON.stringify(encodeTrees(parse("g", "hello {{ . }} world", () => true)));
    expect(small).toContain('["t",0,6]');
    expect(small).toContain('["t",13,6]');
    expect(small).not.toContain("hello");
  });

  test("a damaged or foreign entry is not trusted", () => {
    expect(decodeTrees({ not: "trees" }, "f", "x")).toBeUndefined();
    expect(decodeTrees([["f", "f", ["?", 0]]], "f", "x")).toBeUndefined();
    expect(decodeTrees([["f", "f", ["l", "zero", []]]], "f", "x")).toBeUndefined();
    const cache = new MemoryCache();
    expect(renderWith("{{ .Values.a }}", cache)).toBe("1");
    for (const k of cache.entries.keys()) cache.entries.set(k, '{"golden/templates/t.yaml": [["x"]]');
    expect(renderWith("{{ .Values.a }}", cache)).toBe("1");
    expect([...cache.entries.values()][0]).toContain('"golden/templates/t.yaml"');
    expect(JSON.parse([...cache.entries.values()][0] ?? "")).toBeTypeOf("object");
  });

  test("a changed template is another entry", () => {
    const cache = new MemoryCache();
    renderWith("{{ .Values.a }}", cache);
    renderWith("{{ .Values.a }}!", cache);
    expect(cache.entries.size).toBe(2);
    expect(cache.hits).toBe(0);
  });
});
