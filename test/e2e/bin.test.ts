// bin/slipway.js as shipped: the V8 heap setting it applies to every run takes effect, and a user's own wins.
// A preload (NODE_OPTIONS=--import) keeps 300,000 objects alive at exit, which makes V8 grow a growable young
// generation, then prints the size of the young generation's space.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSlipway } from "../helpers/slipway.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-bin-"));
const hook = join(dir, "hook.mjs");
writeFileSync(
  hook,
  `import v8 from "node:v8";
process.on("exit", () => {
  const kept = [];
  for (let i = 0; i < 300_000; i++) kept.push({ i, s: "x" + i });
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  console.error("new_space " + kept.length + " " + space.space_size);
});
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function youngGenerationBytes(nodeOptions: string): Promise<number> {
  const r = await runSlipway(["version"], { cwd: dir, env: { NODE_OPTIONS: `--import ${hook} ${nodeOptions}` } });
  expect(r.code).toBe(0);
  const m = /new_space 300000 (\d+)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return Number(m?.[1]);
}

describe("bin/slipway.js", () => {
  it("keeps V8's young generation at its initial 2 MB (two 1 MB semi-spaces) instead of 32 MB", async () => {
    expect(await youngGenerationBytes("")).toBe(2 * 1024 * 1024);
  });

  it("leaves the young generation to the user's own --max-semi-space-size", async () => {
    expect(await youngGenerationBytes("--max-semi-space-size=8")).toBe(16 * 1024 * 1024);
  });
});
