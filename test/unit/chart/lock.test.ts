// Chart.lock digest and text against the real helm v3.17.3: `helm dependency update` on a chart whose file://
// dependencies carry every field the digest covers (condition, tags, import-values, alias, HTML characters).

import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatChartLock, goTimestamp, hashReq, parseChartLock } from "../../../src/chart/lock.js";
import { loadChartDir } from "../../../src/chart/load.js";
import { helmBinary } from "../../helpers/oracles.js";

function helmUpdate(dir: string): string {
  const home = mkdtempSync(join(tmpdir(), "slipway-helm-home-"));
  execFileSync(helmBinary(), ["dependency", "update", dir], {
    env: { PATH: process.env["PATH"], HOME: home, HELM_CACHE_HOME: join(home, "c"), HELM_CONFIG_HOME: join(home, "g"), HELM_DATA_HOME: join(home, "d"), TZ: "UTC" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return readFileSync(join(dir, "Chart.lock"), "utf8");
}

function chart(dir: string, name: string, version: string, deps = ""): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n${deps}`);
}

const DEPS = [
  `dependencies:
- name: sub
  version: "^1.0.0"
  repository: "file://../sub"
  condition: sub.enabled,global.sub
  tags: [a, "b<c&d>"]
  import-values:
  - child: x.y
    parent: z
  - data
  - {child: n, parent: "1.5"}
  alias: my-sub
- name: other
  version: ">=0.1.0-0 <2"
  repository: file://../other
`,
  `dependencies:
- name: other
  version: "~0.3"
  repository: "file://../other"
`,
];

describe("Chart.lock", () => {
  test.each(DEPS.map((d, i) => [i, d] as const))("digest and text equal helm dependency update's (case %i)", (_i, deps) => {
    const root = mkdtempSync(join(tmpdir(), "slipway-lock-"));
    chart(join(root, "sub"), "sub", "1.4.2");
    chart(join(root, "other"), "other", "0.3.7");
    chart(join(root, "parent"), "parent", "0.1.0", deps);
    const helmLock = helmUpdate(join(root, "parent"));
    const parent = loadChartDir(join(root, "parent"));
    const locked = parent.declaredDependencies.map((d) => ({ name: d.name, repository: d.repository ?? "", version: d.name === "sub" ? "1.4.2" : "0.3.7" }));
    const parsed = parseChartLock(helmLock, "Chart.lock");
    expect(parsed.dependencies).toEqual(locked);
    expect(hashReq(parent.declaredDependencies, locked)).toBe(parsed.digest);
    expect(formatChartLock({ digest: parsed.digest, generated: parsed.generated, dependencies: locked })).toBe(helmLock);
  });

  test("generated is Go's RFC 3339 with trimmed nanoseconds", () => {
    const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 120));
    const expected = d.getTimezoneOffset() === 0 ? "2026-01-02T03:04:05.12Z" : undefined;
    if (expected !== undefined) expect(goTimestamp(d)).toBe(expected);
    expect(goTimestamp(d, 456)).toMatch(/^2026-01-0[12]T\d\d:04:05\.120000456(Z|[+-]\d\d:\d\d)$/);
  });
});
