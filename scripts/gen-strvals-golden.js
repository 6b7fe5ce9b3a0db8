#!/usr/bin/env node
// Regenerates test/golden/strvals/expected.json from test/golden/strvals/cases.txt: each case's flags are given to
// the real `helm template` (v3.17.3) on a chart with no values whose only template prints `toJson .Values` in a
// comment, so the value tree Helm builds from --set, --set-string, --set-json, --set-literal and --set-file is
// recorded as JSON; a rejected case records Helm's error (from `Error: ` on). --set-file paths are relative to
// test/fixtures/strvals, where helm runs. test/unit/chart/strvals-conformance.test.ts compares slipway with it.
//
// Usage: node scripts/gen-strvals-golden.js
import { execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { helmBinary } from "./helm-oracle.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const helm = helmBinary();

/** The cases of cases.txt: `name<TAB>flag<TAB>value...` per line; `#` lines are comments. */
export function readCases(text) {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [name, ...rest] = line.split("\t");
      const flags = [];
      for (let i = 0; i < rest.length; i += 2) flags.push([rest[i], rest[i + 1]]);
      return { name, flags };
    });
}

const chart = mkdtempSync(join(tmpdir(), "strvals-chart-"));
mkdirSync(join(chart, "templates"));
writeFileSync(join(chart, "Chart.yaml"), "apiVersion: v2\nname: strvals\nversion: 0.1.0\n");
writeFileSync(join(chart, "templates/values.yaml"), "# {{ toJson .Values }}\n");

const cases = readCases(readFileSync(join(root, "test/golden/strvals/cases.txt"), "utf8"));
const expected = {};
for (const c of cases) {
  const args = ["template", "rn", chart, ...c.flags.flat()];
  try {
    const { stdout } = await run(helm, args, { cwd: join(root, "test/fixtures/strvals"), env: { ...process.env, TZ: "UTC" } });
    const line = stdout.split("\n").find((l) => l.startsWith("# {"));
    if (line === undefined) throw new Error(`${c.name}: no values line in ${JSON.stringify(stdout)}`);
    expected[c.name] = { json: line.slice(2) };
  } catch (e) {
    if (e.stderr === undefined) throw e;
    const i = e.stderr.indexOf("Error: ");
    expected[c.name] = { error: (i < 0 ? e.stderr : e.stderr.slice(i + "Error: ".length)).trim() };
  }
}
writeFileSync(join(root, "test/golden/strvals/expected.json"), `${JSON.stringify(expected, null, 2)}\n`);
process.stdout.write(`${cases.length} cases\n`);
