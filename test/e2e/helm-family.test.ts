// `slipway helm list|history|get|rollback|uninstall` on releases that the real helm v3.17.3 installed and upgraded:
// each read command prints exactly what helm prints for the same release, and what slipway's rollback and uninstall
// write is what helm then reads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { helm, releaseHistory } from "../helpers/release-state.js";
import { runSlipway, type SlipwayResult } from "../helpers/slipway.js";
import { deleteNamespace, kubectl } from "../helpers/werf-project.js";

const env = inject("localEnv");
const namespace = uniqueName("e2e-helm");
const release = "helm-family";
const other = "helm-family-2";
let chartDir = "";

function writeChart(dir: string, version: string): void {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), `apiVersion: v2\nname: family\nversion: ${version}\nappVersion: "1.${version}"\n`);
  writeFileSync(join(dir, "values.yaml"), "greeting: hello\nnested:\n  a: 1\n  b: [x, y]\n");
  writeFileSync(join(dir, "templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n");
  writeFileSync(
    join(dir, "templates/hook.yaml"),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    "helm.sh/hook": post-install,post-upgrade\n    "helm.sh/hook-weight": "1"\ndata:\n  x: "1"\n',
  );
  writeFileSync(join(dir, "templates/NOTES.txt"), "Release {{ .Release.Name }} says {{ .Values.greeting }}.\n");
}

const slipway = (...args: string[]): Promise<SlipwayResult> =>
  runSlipway(["helm", ...args, "-n", namespace], { cwd: tmpdir(), env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context } });

async function same(...args: string[]): Promise<string> {
  const ours = await slipway(...args);
  expect(ours.stderr).toBe("");
  expect(ours.code).toBe(0);
  expect(ours.stdout).toBe(helm(env, ...args, "-n", namespace));
  return ours.stdout;
}

describe("slipway helm: the same output as helm 3.17.3 on the same release", () => {
  beforeAll(() => {
    chartDir = mkdtempSync(join(tmpdir(), "slipway-helm-family-"));
    writeChart(chartDir, "0.1.0");
    helm(env, "install", release, chartDir, "-n", namespace, "--create-namespace", "--set", "greeting=first", "--set-json", 'extra={"k":[1,2.5,"s"]}');
    writeChart(chartDir, "0.2.0");
    helm(env, "upgrade", release, chartDir, "-n", namespace, "--set", "greeting=second");
    helm(env, "install", other, chartDir, "-n", namespace);
  });

  afterAll(() => {
    deleteNamespace(env, namespace);
    rmSync(chartDir, { recursive: true, force: true });
  });

  it("list: table, short, json, yaml and --all", async () => {
    const table = await same("list");
    expect(table.split("\n")[0]).toMatch(/^NAME\s*\tNAMESPACE\s*\tREVISION\t/);
    expect(table).toContain(release);
    await same("list", "-q");
    await same("list", "-o", "json");
    await same("list", "-o", "yaml");
    await same("list", "--all", "--no-headers", "-r");
    await same("list", "--filter", "family-2$");
  });

  it("history: table, json and --max", async () => {
    const table = await same("history", release);
    expect(table.split("\n")).toHaveLength(4);
    await same("history", release, "-o", "json");
    await same("history", release, "-o", "yaml");
    await same("history", release, "--max", "1");
  });

  it("get values, manifest, notes, hooks and all, for the latest and an earlier revision", async () => {
    const values = await same("get", "values", release);
    expect(values).toContain("greeting: second");
    await same("get", "values", release, "--all");
    await same("get", "values", release, "--revision", "1", "-o", "json");
    await same("get", "values", other);
    await same("get", "manifest", release);
    await same("get", "manifest", release, "--revision", "1");
    await same("get", "notes", release);
    await same("get", "hooks", release);
    await same("get", "all", release);
  });

  it("an unknown release fails as helm fails", async () => {
    const ours = await slipway("history", "no-such-release");
    expect(ours.code).toBe(1);
    expect(ours.stderr).toBe("Error: release: not found\n");
  });

  it("rollback writes a revision helm reads as its own rollback", async () => {
    const ours = await slipway("rollback", release, "1");
    expect(ours.stderr).toBe("");
    expect(ours.stdout).toBe("Rollback was a success! Happy Helming!\n");
    expect(releaseHistory(env, namespace, release)).toEqual([
      [1, "superseded"],
      [2, "superseded"],
      [3, "deployed"],
    ]);
    expect(kubectl(env, "-n", namespace, "get", "configmap", `${release}-cm`, "-o", "jsonpath={.data.greeting}")).toBe("first");
    // helm's view of the new revision and slipway's agree.
    await same("history", release);
    await same("get", "values", release);
  });

  it("uninstall removes the release and its resources; helm no longer lists it", async () => {
    const ours = await slipway("uninstall", other);
    expect(ours.stderr).toBe("");
    expect(ours.stdout).toBe(`release "${other}" uninstalled\n`);
    expect(helm(env, "list", "-q", "-n", namespace)).toBe(`${release}\n`);
    expect(() => kubectl(env, "-n", namespace, "get", "configmap", `${other}-cm`)).toThrow(/NotFound/);
    const again = await slipway("uninstall", other);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error: uninstall: Release not loaded: ${other}: release: not found\n`);
  });
});
