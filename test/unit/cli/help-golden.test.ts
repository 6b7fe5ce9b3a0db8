// Golden help output, plain mode: the root help and each command's help, byte for byte. A change to a flag's text or
// a command's list shows up here as a diff to review. SLIPWAY_UPDATE_GOLDEN=1 rewrites the files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

const GOLDEN = join(import.meta.dirname, "../../golden/cli");

function matchGolden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (process.env["SLIPWAY_UPDATE_GOLDEN"] === "1" || !existsSync(file)) {
    if (process.env["CI"] === "true" && !existsSync(file)) throw new Error(`golden file ${file} is missing`);
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("help output (plain)", () => {
  it.each([
    ["root", ["--help"]],
    ["converge", ["converge", "--help"]],
    ["build", ["build", "--help"]],
    ["render", ["render", "--help"]],
    ["plan", ["plan", "--help"]],
    ["helm", ["helm", "--help"]],
    ["helm-secret", ["helm", "secret", "--help"]],
  ])("%s", async (name, args) => {
    const result = await runCli(args, { WERF_LOG_COLOR_MODE: "off", COLUMNS: "120" });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    matchGolden(`${name}-help.txt`, result.stdout);
  });
});
