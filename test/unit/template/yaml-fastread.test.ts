// The fast path of readYaml against the full reader: whatever the fast path accepts, it must read exactly
// as the full reader does (same values, same key order); everything else must be left to the full reader.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { splitManifests } from "../../../src/render/manifests.js";
import { FALLBACK, readYamlFast } from "../../../src/template/yaml/fastread.js";
import { rawToGo, readYamlRawFull, YamlInt, YamlRawMap } from "../../../src/template/yaml/read.js";

const root = join(import.meta.dirname, "../../..");

/** A comparable form of a Go value that keeps map key order. */
function dump(v: unknown): unknown {
  if (v instanceof Map) return { map: [...(v as Map<string, unknown>)].map(([k, x]) => [k, dump(x)]) };
  if (Array.isArray(v)) return v.map(dump);
  return v;
}

/** A comparable form of go-yaml's raw values (exact integers, ±Inf and NaN, key kinds). */
function dumpRaw(v: unknown): unknown {
  if (v instanceof YamlRawMap) return { raw: [...v.entries].map(([id, e]) => [id, dumpRaw(e.value)]) };
  if (v instanceof YamlInt) return { int: v.v.toString() };
  if (typeof v === "number") return { float: String(v) };
  if (Array.isArray(v)) return v.map(dumpRaw);
  return v;
}

/** The full reader's results for readYaml (Go values) and readYamlRaw. */
function full(text: string): { go: unknown; raw: unknown } {
  try {
    const raw = readYamlRawFull(text);
    let go: unknown;
    try {
      go = { ok: dump(rawToGo(raw)) };
    } catch (e) {
      go = { error: (e as Error).message };
    }
    return { go, raw: { ok: dumpRaw(raw) } };
  } catch (e) {
    return { go: { error: (e as Error).message }, raw: { error: (e as Error).message } };
  }
}

function files(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

/** Fixture charts' files and the documents of the helm-rendered golden outputs. */
function corpus(): string[] {
  const docs: string[] = [];
  for (const f of files(join(root, "test/fixtures/charts"))) docs.push(readFileSync(f, "utf8"));
  for (const f of files(join(root, "test/golden/render"))) docs.push(...splitManifests(readFileSync(f, "utf8")));
  return docs;
}

/** A small deterministic PRNG (LCG). */
function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

const SCALARS = [
  "a", "yes", "1", "1.5", "0x1F", "~", "null", "''", '""', "'it''s'", '"q\\"x"', '"\\u00e9\\n\\t"', "x y", "a:b",
  "http://x", "-1", "-x", "2024-01-01", "{}", "[]", "{a: 1, b: [x, y]}", "[1, 'two', \"3\"]", "[--leader-elect, -1, --addr=:8443]", "[a:b, x:, -, - x, -.inf, :x]", "{k: -v, u: http://h:80}", "<<", "on", "é",
  "a #c", "'a: b'", ".inf", "1e3", "0o17", "+1", "&a x", "*a", "!!str 1", ">", "|", "- x", "a: b", "\"\\x41\"",
];
const KEYS = ["k", "key", "a.b/c", '"q"', "'s'", "1", "yes", "x y", "<<", "-k", "k-", "_", "? k", "&a k"];

/** Random block YAML: nested mappings, sequences, scalars, literal blocks, comments, blank lines. */
function generate(rand: (n: number) => number, depth: number, indent: string): string {
  const kind = rand(depth > 3 ? 1 : 4);
  if (kind === 0) return " " + (SCALARS[rand(SCALARS.length)] ?? "") + "\n";
  if (kind === 3) {
    let t = " |" + (["", "-", "+", "2"][rand(4)] ?? "") + "\n";
    for (let i = 0; i < 1 + rand(3); i++) t += indent + "  " + (["line", "", "  more", "# x", "a: b"][rand(5)] ?? "") + "\n";
    return t;
  }
  let t = "\n";
  const sub = indent + " ".repeat(rand(3) + 1);
  for (let i = 0; i < 1 + rand(3); i++) {
    if (kind === 1) t += sub + (KEYS[rand(KEYS.length)] ?? "k") + String(i) + ":" + generate(rand, depth + 1, sub);
    else t += sub + "-" + generate(rand, depth + 1, sub);
    if (rand(6) === 0) t += sub + "# comment\n";
    if (rand(8) === 0) t += "\n";
  }
  return t;
}

const FRAGMENTS = [" ", "  ", "#", " #", ": ", ":", "-", "- ", "'", '"', "|", ">", "{", "}", "[", "]", ",", "\n", "\n  ",
  "&a", "*a", "!", "?", "\\", "yes", "1", "~", "<<", "|-", "|+", "\n\n", "\t", "%", "---", "\r"];

/** Small random edits (insert, delete, overwrite) of a document. */
function mutate(rand: (n: number) => number, doc: string): string {
  let m = doc;
  for (let j = 0; j < 1 + rand(3); j++) {
    const pos = rand(m.length + 1);
    const fr = FRAGMENTS[rand(FRAGMENTS.length)] ?? "";
    switch (rand(3)) {
      case 0:
        m = m.slice(0, pos) + fr + m.slice(pos);
        break;
      case 1:
        m = m.slice(0, pos) + m.slice(pos + 1 + rand(3));
        break;
      default:
        m = m.slice(0, pos) + fr + m.slice(pos + fr.length);
    }
  }
  return m;
}

describe("readYamlFast", () => {
  test("reads what the full reader reads, or falls back (fixtures, generated and mutated documents)", () => {
    const rand = prng(20240611);
    const docs = corpus();
    for (let i = 0; i < 1500; i++) {
      const g = generate(rand, 0, "");
      docs.push("root:" + g, "- x\n-" + g);
    }
    const all = [...docs];
    for (const d of docs) if (d.length < 3000) for (let k = 0; k < 12; k++) all.push(mutate(rand, d));
    let fast = 0;
    const mismatches: string[] = [];
    for (const d of all) {
      const v = readYamlFast(d, false);
      const raw = readYamlFast(d, true);
      if (v === FALLBACK && raw === FALLBACK) continue;
      fast++;
      const want = full(d);
      if (v !== FALLBACK && JSON.stringify(want.go) !== JSON.stringify({ ok: dump(v) })) mismatches.push(JSON.stringify(d));
      if (raw !== FALLBACK && JSON.stringify(want.raw) !== JSON.stringify({ ok: dumpRaw(raw) })) {
        mismatches.push("raw " + JSON.stringify(d));
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The comparison means something only if the fast path took a good share of the documents.
    expect(fast).toBeGreaterThan(all.length / 4);
  });

  test("takes the documents charts are made of", () => {
    const values = readFileSync(join(root, "test/fixtures/charts/webapp/values.yaml"), "utf8");
    expect(readYamlFast(values, false)).not.toBe(FALLBACK);
    const chartYaml = readFileSync(join(root, "test/fixtures/charts/umbrella/Chart.yaml"), "utf8");
    expect(readYamlFast(chartYaml, true)).not.toBe(FALLBACK);
    const rendered = splitManifests(readFileSync(join(root, "test/golden/render/webapp.out"), "utf8"));
    expect(rendered.length).toBeGreaterThan(2);
    for (const d of rendered) expect(readYamlFast(d, false)).not.toBe(FALLBACK);
  });

  test("values", () => {
    const v = readYamlFast(
      [
        "# values",
        "a: 1",
        "b:",
        "  c: [x, 'y z', {d: on}]",
        "  e: \"q\\\"\\u00e9\"",
        "list:",
        "- k: v",
        "  m: ~",
        "-",
        "- - 1.5",
        "lit: |-",
        "  one",
        "",
        "    two",
        "url: http://x:80/ # comment",
        "",
      ].join("\n"),
      false,
    );
    expect(dump(v)).toEqual(
      dump(
        new Map<string, unknown>([
          ["a", 1],
          ["b", new Map<string, unknown>([["c", ["x", "y z", new Map([["d", true]])]], ["e", 'q"é']])],
          ["list", [new Map([["k", "v"], ["m", null]]), null, [1.5]]],
          ["lit", "one\n\n  two"],
          ["url", "http://x:80/"],
        ]),
      ),
    );
  });

  test.each([
    ["anchors", "a: &x 1\nb: *x\n"],
    ["tags", "a: !!str 1\n"],
    ["folded scalars", "a: >\n  x\n"],
    ["multi-line plain scalars", "a: b\n  c\n"],
    ["tabs", "a:\tb\n"],
    ["merge keys", "<<: {a: 1}\n"],
    ["non-string keys", "1: a\n"],
    ["several documents", "a: 1\n---\nb: 2\n"],
    ["syntax errors", "a: b: c\n"],
    ["bad indentation", "a:\n    b: 1\n  c: 2\n"],
    ["scalar documents", "just text\n"],
  ])("leaves %s to the full reader", (_what, text) => {
    expect(readYamlFast(text, false)).toBe(FALLBACK);
    expect(readYamlFast(text, true)).toBe(FALLBACK);
  });

  test("raw values keep go-yaml's integers and infinities", () => {
    const raw = readYamlFast("a: 0x10\nb: .inf\nc: 1.0\n", true);
    expect(dumpRaw(raw)).toEqual({ raw: [["s:a", { int: "16" }], ["s:b", { float: "Infinity" }], ["s:c", { float: "1" }]] });
    // Through JSON, +Inf is an error the full reader words.
    expect(readYamlFast("b: .inf\n", false)).toBe(FALLBACK);
  });
});
