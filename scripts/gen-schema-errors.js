#!/usr/bin/env node
// Regenerates the `stderr` of every case in test/golden/render/schema-errors.json by running the real
// `helm template` v3.17.3 on the case's chart with its arguments. The file itself is the list of cases
// (name, chart, args); add a case with an empty stderr and run this script. Helm's whole error is kept
// (schema errors span several lines).
//
// Usage: node scripts/gen-schema-errors.js
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { helmBinary } from "./helm-oracle.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "test/golden/render/schema-errors.json");
const helm = helmBinary();
const cases = JSON.parse(readFileSync(file, "utf8"));
for (const c of cases) {
  try {
    execFileSync(helm, ["template", "rn", join("test/fixtures/charts", c.chart), "--namespace", "default", "--kube-version", "1.30.0", ...c.args], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, TZ: "UTC" },
    });
    throw new Error(`case ${c.name}: helm rendered without an error`);
  } catch (error) {
    if (error.stderr === undefined) throw error;
    c.stderr = error.stderr.toString();
  }
}
writeFileSync(file, `${JSON.stringify(cases, null, 2)}\n`);
process.stdout.write(`${cases.length} cases\n`);
