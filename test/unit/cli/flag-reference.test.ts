// The README's flag reference is generated from the flag table; this fails when README.md is stale
// (run `npm run docs:flags`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderFlagReference, withFlagReference } from "../../../src/cli/flag-reference.js";
import { CONVERGE_FLAGS } from "../../../src/cli/options.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("the README's flag reference", () => {
  it("is what `npm run docs:flags` generates from the flag table", () => {
    expect(withFlagReference(README)).toBe(README);
  });

  it("has one row per flag, with its variables and whether it is implemented", () => {
    const reference = renderFlagReference();
    const rows = reference.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows).toHaveLength(CONVERGE_FLAGS.length);
    expect(reference).toContain("| `--repo` | string | `''` | $WERF_REPO | implemented |");
    expect(reference).toMatch(/\| `--follow` \| bool \| `false` \| \$WERF_FOLLOW \| accepted only \|/);
    expect(reference).toContain("`-t`, `--timeout`");
  });

  it("a changed table makes the README stale", () => {
    expect(withFlagReference(README, renderFlagReference().replace("--repo", "--repository"))).not.toBe(README);
  });
});
