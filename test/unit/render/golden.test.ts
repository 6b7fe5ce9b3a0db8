// `slipway render` against `helm template` v3.17.3 on the fixture charts (regenerate the expectations with
// `node scripts/gen-render-golden.js`). Runs the CLI in-process; byte-for-byte comparison.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "../../../src/cli/main.js";

const root = join(import.meta.dirname, "../../..");
const goldenDir = join(root, "test/golden/render");

interface Case {
  name: string;
  chart: string;
  args: string[];
}

const BASE_ARGS = ["--namespace", "default", "--kube-version", "1.30.0"];

/** Runs `slipway render` with helm-template-equivalent flags; returns stdout or `exit` + the error line. */
export async function slipwayRender(c: Case): Promise<string> {
  let stdout = "";
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const code = await run(
      ["node", "slipway", "render", join(root, "test/fixtures/charts", c.chart), "--release", "rn", ...BASE_ARGS, ...c.args],
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
        env: { TZ: "UTC" },
      },
    );
    if (code !== 0) return `exit: ${code}\n${stderr}`;
    return stdout;
  } finally {
    process.chdir(cwd);
  }
}

const cases = JSON.parse(readFileSync(join(goldenDir, "cases.json"), "utf8")) as Case[];

describe("slipway render = helm template", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const expected = readFileSync(join(goldenDir, `${c.name}.out`), "utf8");
      expect(await slipwayRender(c)).toBe(expected);
    });
  }
});
