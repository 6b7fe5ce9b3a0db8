import { describe, expect, it } from "vitest";
import { dependencySets } from "../../../src/build/phase.js";
import { parseWerfConfig } from "../../../src/config/werf-yaml.js";

function images(text: string) {
  return parseWerfConfig(`project: p\nconfigVersion: 1\n${text}`, "werf.yaml").images;
}

describe("dependencySets", () => {
  it("puts images without dependencies in Set #0 and each dependant one set after its deepest dependency", () => {
    const config = images(
      [
        "---\nimage: a\ndockerfile: D",
        "---\nimage: b\ndockerfile: D\ndependencies: [{image: a}]",
        "---\nimage: c\ndockerfile: D",
        "---\nimage: d\ndockerfile: D\ndependencies: [{image: b}, {image: c}]",
        "---\nimage: e\ndockerfile: D\ndependencies: [{image: a}]",
      ].join("\n"),
    );
    expect(dependencySets(config)).toEqual([["a", "c"], ["b", "e"], ["d"]]);
  });

  it("keeps werf.yaml order inside a set", () => {
    expect(dependencySets(images("---\nimage: zeta\ndockerfile: D\n---\nimage: alpha\ndockerfile: D\n"))).toEqual([["zeta", "alpha"]]);
  });
});
