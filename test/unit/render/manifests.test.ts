// releaseutil.SplitManifests and strings.TrimSpace, as Helm splits rendered files into documents.

import { describe, expect, test } from "vitest";
import { goTrimSpace, splitManifests } from "../../../src/render/manifests.js";

describe("splitManifests", () => {
  test("splits at --- lines and trims each document", () => {
    expect(splitManifests("---\na: 1\n---\n  \nb: 2\n  \n---  \nc: 3\n")).toEqual(["a: 1", "b: 2", "c: 3"]);
    // Indented, it is text.
    expect(splitManifests("a: 1\n  ---\nb: 2")).toEqual(["a: 1\n  ---\nb: 2"]);
  });

  test("a separator needs a newline right before it, except at the start", () => {
    expect(splitManifests("a: x---y\n  ---z\n")).toEqual(["a: x---y\n  ---z"]);
    expect(splitManifests("a: 1\n---b: 2")).toEqual(["a: 1", "b: 2"]);
  });

  test("the whitespace after a separator is consumed, so a following --- is text", () => {
    expect(splitManifests("a: 1\n---\n---\nb: 2")).toEqual(["a: 1", "---\nb: 2"]);
  });

  test("empty documents are dropped", () => {
    expect(splitManifests("\n---\n \n")).toEqual([]);
    expect(splitManifests(" \n\t")).toEqual([]);
    expect(splitManifests("\n---\n---\n \n---\n")).toEqual(["---"]);
  });
});

describe("goTrimSpace", () => {
  test("trims Go's Unicode spaces (with \\v and U+0085) on both ends", () => {
    expect(goTrimSpace("\u0085\v\u3000 a b \u00a0\u2028\t")).toBe("a b");
    expect(goTrimSpace(" \n ")).toBe("");
    expect(goTrimSpace("x")).toBe("x");
  });
});
