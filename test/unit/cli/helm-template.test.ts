// `slipway helm template` of a werf project's chart without Chart.yaml gets werf's defaults; a bare chart keeps Helm's error.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

function chartDir(withWerfYaml: boolean): string {
  const root = mkdtempSync(join(tmpdir(), "slipway-render-"));
  if (withWerfYaml) writeFileSync(join(root, "werf.yaml"), "project: shop\nconfigVersion: 1\n");
  mkdirSync(join(root, ".helm", "templates"), { recursive: true });
  writeFileSync(join(root, ".helm", "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-{{ .Chart.Version }}\n");
  return join(root, ".helm");
}

describe("slipway helm template of a chart without Chart.yaml", () => {
  it("uses werf's defaults (project name, version 1.0.0) inside a werf project", async () => {
    const result = await runCli(["helm", "template", chartDir(true)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("# Source: shop/templates/cm.yaml");
    expect(result.stdout).toContain("name: shop-1.0.0");
  });

  it("keeps Helm's error for a bare chart directory", async () => {
    const result = await runCli(["helm", "template", chartDir(false)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("Error: Chart.yaml file is missing\n");
  });
});
