// Version resolution of chart dependencies. The constraint table is checked against the real helm v3.17.3: Helm
// resolves Chart.yaml ranges with the same Masterminds semver library its `semverCompare` template function uses,
// so one `helm template` run answers every (constraint, version) pair.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { chartUrl, dependencyConstraint, ociTagVersions, parseRepoIndex, pickVersion } from "../../../src/chartdeps/resolve.js";
import { helmBinary } from "../../helpers/oracles.js";

const VERSIONS = ["0.0.3", "0.1.0", "0.1.5", "0.2.0-beta.1", "0.2.0", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.2.3", "1.3.0-rc.1", "1.10.0", "2.0.0", "2.0.0-alpha", "v3.1", "3.1.0+build.7"];
const CONSTRAINTS = [
  "^1.0.0", "^1.2", "^0.1.0", "^0.0.3", "^0", "^1.0.0-0", "~1.2", "~1.2.0", "~1", "~0.1", ">=1.0.0", ">=1.0.0-0", ">1.2", "<2.0.0",
  "<=1.2", ">= 1.2, < 2.0", ">=0.1.0 <1.0.0 || >=2.0.0", "1.2.x", "1.x", "*", "x", "1.2.3", "=1.2.3", "!=1.2.3", "1.0.0 - 1.2.3",
  "~>1.2", "=>1.2", "1.2.3-0", "3.1.0", ">=2.0.0-alpha", "0.2.0-beta.1", ">=1.0.0-0 <2.0.0", "^1.0.0-0 <2",
];

function helmAnswers(): boolean[][] {
  const dir = mkdtempSync(join(tmpdir(), "slipway-semver-"));
  mkdirSync(join(dir, "templates"));
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: semver\nversion: 0.1.0\n");
  const lines = CONSTRAINTS.map((c, i) => `  c${i}: "${VERSIONS.map((v) => `{{ semverCompare ${JSON.stringify(c)} ${JSON.stringify(v)} }}`).join(" ")}"`);
  writeFileSync(join(dir, "templates/out.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${lines.join("\n")}\n`);
  const out = execFileSync(helmBinary(), ["template", "x", dir], { encoding: "utf8", env: { PATH: process.env["PATH"], HOME: dir } });
  const body = [...out.matchAll(/^ {2}c\d+: "(.*)"$/gm)].map((m) => m[1] ?? "");
  return body.map((l) => l.split(" ").map((w) => w === "true"));
}

describe("dependency constraints", () => {
  test("agree with helm's semver on every pair", () => {
    const expected = helmAnswers();
    expect(expected).toHaveLength(CONSTRAINTS.length);
    const actual = CONSTRAINTS.map((c) => VERSIONS.map((v) => dependencyConstraint("d", c)(v)));
    const diff = CONSTRAINTS.flatMap((c, i) => VERSIONS.filter((_, j) => actual[i]?.[j] !== expected[i]?.[j]).map((v) => `${c} ${v}`));
    expect(diff).toEqual([]);
    expect(expected.flat().filter(Boolean).length).toBeGreaterThan(50);
  });

  test("an invalid constraint is Helm's error", () => {
    expect(() => dependencyConstraint("lib", "one")).toThrow('dependency "lib" has an invalid version/constraint format: improper constraint: one');
  });

  test("the newest satisfying version wins; pre-releases only for constraints that carry one", () => {
    const newestFirst = ["2.0.0", "1.3.0-rc.1", "1.2.0", "1.0.0"];
    expect(pickVersion("lib", "^1.0.0", newestFirst)).toBe("1.2.0");
    expect(pickVersion("lib", "^1.3.0-0", newestFirst)).toBe("1.3.0-rc.1");
    expect(pickVersion("lib", "^3", newestFirst)).toBeUndefined();
  });
});

describe("repositories", () => {
  test("an index's entries are sorted newest first; OCI tags are strict semver with _ for +", () => {
    const index = parseRepoIndex("apiVersion: v1\nentries:\n  lib:\n  - version: 1.2.0\n    urls: [lib-1.2.0.tgz]\n  - version: 1.10.0\n    urls: [lib-1.10.0.tgz]\n  - version: 1.9.0-rc.1\n    urls: []\n");
    expect(index.get("lib")?.map((v) => v.version)).toEqual(["1.10.0", "1.9.0-rc.1", "1.2.0"]);
    expect(ociTagVersions(["latest", "1.0.0", "v2.0.0", "1.2.0_build.3", "1.10.0", "01.0.0"])).toEqual(["1.10.0", "1.2.0+build.3", "1.0.0"]);
  });

  test("relative chart URLs resolve against the repository URL", () => {
    expect(chartUrl("http://h:1/charts", "lib-1.0.0.tgz")).toBe("http://h:1/charts/lib-1.0.0.tgz");
    expect(chartUrl("http://h:1/charts/", "../pkg/lib-1.0.0.tgz")).toBe("http://h:1/pkg/lib-1.0.0.tgz");
    expect(chartUrl("http://h:1/charts", "https://cdn/x/lib-1.0.0.tgz")).toBe("https://cdn/x/lib-1.0.0.tgz");
  });
});
