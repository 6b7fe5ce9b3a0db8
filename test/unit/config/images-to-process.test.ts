// werf's positional image arguments: globs select, `!` excludes, dependencies come along, werf's errors.
import { describe, expect, it } from "vitest";
import { selectImages, withDependencies } from "../../../src/config/images-to-process.js";
import { parseWerfConfig } from "../../../src/config/werf-yaml.js";

const CONFIG = parseWerfConfig(
  [
    "project: app",
    "configVersion: 1",
    "---",
    "image: base",
    "dockerfile: Dockerfile",
    "final: false",
    "---",
    "image: api-v1",
    "dockerfile: Dockerfile",
    "dependencies:",
    "- image: base",
    "  imports:",
    "  - type: ImageName",
    "    targetBuildArg: BASE",
    "---",
    "image: api-v2",
    "dockerfile: Dockerfile",
    "---",
    "image: web",
    "dockerfile: Dockerfile",
    "",
  ].join("\n"),
  "werf.yaml",
);

describe("selectImages", () => {
  it("selects every image without arguments", () => {
    expect(selectImages(CONFIG.images, [])).toEqual(["base", "api-v1", "api-v2", "web"]);
  });

  it("matches names and path.Match globs, in werf.yaml order", () => {
    expect(selectImages(CONFIG.images, ["web"])).toEqual(["web"]);
    expect(selectImages(CONFIG.images, ["web", "api-*"])).toEqual(["api-v1", "api-v2", "web"]);
    expect(selectImages(CONFIG.images, ["api-v[2-9]"])).toEqual(["api-v2"]);
  });

  it("excludes with `!`, but never an image an include names literally", () => {
    expect(selectImages(CONFIG.images, ["!api-*"])).toEqual(["base", "web"]);
    expect(selectImages(CONFIG.images, ["api-*", "!api-v1"])).toEqual(["api-v2"]);
    expect(selectImages(CONFIG.images, ["api-v1", "!api-*"])).toEqual(["api-v1"]);
  });

  it.each([
    [["nothing*"], 'no image matches pattern "nothing*"'],
    [["api/**"], "recursive glob (**) not supported"],
    [["a$b"], "special characters not allowed"],
    [["x".repeat(101)], "pattern too long"],
    [["api-[v"], 'invalid pattern "api-[v": syntax error in pattern'],
  ])("%j fails with werf's message", (args, message) => {
    expect(() => selectImages(CONFIG.images, args)).toThrow(message);
  });
});

describe("withDependencies", () => {
  it("adds the images the selection depends on, transitively", () => {
    expect(withDependencies(CONFIG.images, ["api-v1"]).map((i) => i.name)).toEqual(["base", "api-v1"]);
    expect(withDependencies(CONFIG.images, ["web"]).map((i) => i.name)).toEqual(["web"]);
  });
});
