#!/usr/bin/env node
// Regenerates test/golden/werf-render/<case>.out: what nelm v1.24.3's `chart render` (werf render's engine) prints
// for the charts under test/fixtures/werf-render/, with the release name and namespace pinned. The unit test
// test/unit/resource/render-output.test.ts compares slipway's normalised render output with these files.
//
// Usage: node scripts/gen-werf-render-golden.js (builds nelm once through scripts/build-nelm.sh if it is not cached)
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nelm = execFileSync("bash", [join(root, "scripts/build-nelm.sh")], { encoding: "utf8" }).trim().split("\n").at(-1);
const fixtures = join(root, "test/fixtures/werf-render");
export const CASES = [
  { name: "normalise", chart: "normalise", args: ["--show-crds"] },
  { name: "normalise-no-crds", chart: "normalise", args: [] },
  { name: "normalise-extra-metadata", chart: "normalise", args: ["--show-crds", "--annotations", "team=a,num=1", "--labels", "tier=web"] },
  { name: "normalise-show-only", chart: "normalise", args: ["--show-only", "templates/b.yaml"] },
];

for (const c of CASES) {
  const out = execFileSync(nelm, ["chart", "render", join(fixtures, c.chart), "--release", "rn", "--namespace", "ns1", ...c.args], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC", NO_COLOR: "1" },
  });
  writeFileSync(join(root, "test/golden/werf-render", `${c.name}.out`), out);
  process.stdout.write(`${c.name}: ${out.length} bytes\n`);
}

