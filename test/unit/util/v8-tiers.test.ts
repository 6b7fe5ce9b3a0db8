// The tier policy of src/util/v8-tiers.ts, observed in a child Node process through V8's own optimisation status
// (%GetOptimizationStatus needs --allow-natives-syntax, which is not a tier flag).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../../../src/util/v8-tiers.ts", import.meta.url));

// Runs a hot function long enough for V8 to optimise it (when allowed), prints whether it was, then waits out the
// lean period, calls the checkpoint, runs the function again and prints the status once more.
const SCRIPT = `
const { startOnBaselineTiers, optimiseIfLongRunning } = await import(${JSON.stringify(MODULE)});
startOnBaselineTiers(process.env.TIER_TEST_FLAGS ?? "");
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + ((i * 7) ^ (s >>> 3))) | 0; return s; }
const optimised = () => (%GetOptimizationStatus(hot) & 16) !== 0;
// Many short calls (a long loop would be optimised on the stack, which the status does not show), with a pause for
// a concurrent compile to be installed.
const warm = async () => {
  for (let k = 0; k < 50000; k++) hot(50);
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let k = 0; k < 50000; k++) hot(50);
};
await warm();
const before = optimised();
while (process.uptime() < 1.05) hot(1000);
optimiseIfLongRunning();
await warm();
console.log(JSON.stringify({ before, after: optimised() }));
`;

function run(tierFlags: string): { before: boolean; after: boolean } {
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", SCRIPT], {
    encoding: "utf8",
    env: { ...process.env, TIER_TEST_FLAGS: tierFlags },
  });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as { before: boolean; after: boolean };
}

describe("V8 tiers", () => {
  it("keeps a short run on the baseline tiers and optimises once the run has been busy for a second", () => {
    expect(run("")).toEqual({ before: false, after: true });
  });

  it("leaves the tiers alone when the user chose tier flags", () => {
    // The flags are only shown to the policy here (the child runs with V8's defaults), so "left alone" is
    // "optimised early".
    expect(run("--turbofan").before).toBe(true);
    expect(run("--max-old-space-size=512 --no-opt").before).toBe(true);
  });

  it("does not take a path that contains a tier's name for a tier flag", () => {
    expect(run("--require /opt/maglev/hook.js").before).toBe(false);
  });
});
