// Helm 3 release records and werf's lock on the real cluster, checked against the real helm v3.17.3: helm writes
// → slipway reads; slipway writes → helm list/history/get show it; two lock holders exclude each other.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createKubeClient } from "../../src/kube/client.js";
import { decodeReleaseJson, releaseJson, type HelmRelease } from "../../src/release/codec.js";
import { acquireReleaseLock, lockAnnotation, parseLease, type LockHandle } from "../../src/release/lock.js";
import { createReleaseStorage } from "../../src/release/storage.js";
import { uniqueName } from "../helpers/cluster.js";

const env = inject("localEnv");
const ROOT = join(import.meta.dirname, "../..");
const helm = execFileSync(process.execPath, ["--input-type=module", "-e", `import { helmBinary } from ${JSON.stringify(join(ROOT, "scripts/helm-oracle.js"))}; process.stdout.write(helmBinary());`], { encoding: "utf8" }).trim();
const work = mkdtempSync(join(tmpdir(), "slipway-release-e2e-"));
const ns = uniqueName("release");
const kube = createKubeClient({ kubeConfigPathMergeList: [env.kubeconfig], kubeContext: env.context }, { HOME: work });

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, {
    encoding: "utf8",
    env: { PATH: process.env["PATH"], HOME: work, KUBECONFIG: env.kubeconfig, HELM_CACHE_HOME: join(work, "c"), HELM_CONFIG_HOME: join(work, "f"), HELM_DATA_HOME: join(work, "d") },
  });
}
const helmRun = (...args: string[]): string => run(helm, [...args, "--kube-context", env.context]);
const kubectl = (...args: string[]): string => run(`${env.kubeBin}/kubectl`, ["--kubeconfig", env.kubeconfig, "--context", env.context, ...args]);

const chartDir = join(work, "chart");
for (const [name, text] of Object.entries({
  "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
  "values.yaml": "greeting: hello <&>\n",
  "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tiny\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
})) {
  mkdirSync(dirname(join(chartDir, name)), { recursive: true });
  writeFileSync(join(chartDir, name), text);
}

afterAll(() => {
  try {
    kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found");
  } finally {
    kube.close();
    rmSync(work, { recursive: true, force: true });
  }
});

describe("release records shared with helm", () => {
  it("reads what helm install wrote, and helm reads what slipway writes", async () => {
    helmRun("install", "tiny", chartDir, "-n", ns, "--create-namespace", "--set", "n=1");
    const storage = createReleaseStorage(kube, ns, { driver: "secret" });
    const records = await storage.list("tiny");
    expect(records.map((r) => [r.version, r.info.status, r.info.description])).toEqual([[1, "deployed", "Install complete"]]);
    const first = records[0];
    if (first === undefined) throw new Error("no record");
    expect(first.manifest).toContain("# Source: tiny/templates/cm.yaml");
    expect(first.config).toEqual({ n: 1 });
    // Our encoder reproduces helm's JSON exactly.
    const secret = JSON.parse(kubectl("-n", ns, "get", "secret", "sh.helm.release.v1.tiny.v1", "-o", "json")) as { data: { release: string } };
    expect(releaseJson(first)).toBe(decodeReleaseJson(Buffer.from(secret.data.release, "base64").toString("utf8")));

    // Revision 2 written by slipway, revision 1 superseded, the way nelm finishes an upgrade.
    const manifest = (first.manifest ?? "").replace('"hello <&>"', '"from slipway"');
    const second: HelmRelease = {
      ...first,
      info: { ...first.info, status: "pending-upgrade", description: "" },
      config: { greeting: "from slipway" },
      manifest,
      version: 2,
    };
    delete second.labels;
    await storage.create(second);
    await storage.update({ ...second, info: { ...second.info, status: "deployed", description: "Upgrade complete" } });
    await storage.update({ ...first, info: { ...first.info, status: "superseded" } });

    const list = JSON.parse(helmRun("list", "-n", ns, "-o", "json")) as { name: string; revision: string; status: string; chart: string }[];
    expect(list).toEqual([expect.objectContaining({ name: "tiny", revision: "2", status: "deployed", chart: "tiny-0.1.0" })]);
    const hist = JSON.parse(helmRun("history", "tiny", "-n", ns, "-o", "json")) as { revision: number; status: string; description: string }[];
    expect(hist.map((h) => [h.revision, h.status, h.description])).toEqual([
      [1, "superseded", "Install complete"],
      [2, "deployed", "Upgrade complete"],
    ]);
    expect(helmRun("get", "manifest", "tiny", "-n", ns)).toBe(manifest + "\n");
    expect(JSON.parse(helmRun("get", "values", "tiny", "-n", ns, "-o", "json"))).toEqual({ greeting: "from slipway" });
    const labels = JSON.parse(kubectl("-n", ns, "get", "secret", "sh.helm.release.v1.tiny.v2", "-o", "jsonpath={.metadata.labels}")) as Record<string, string>;
    // As after helm's own install: the in-memory record carries no createdAt into the update.
    expect(Object.keys(labels).sort()).toEqual(["modifiedAt", "name", "owner", "status", "version"]);
    expect(labels).toMatchObject({ name: "tiny", owner: "helm", status: "deployed", version: "2" });

    // And helm can take it from there: its upgrade supersedes our revision and writes revision 3.
    helmRun("upgrade", "tiny", chartDir, "-n", ns);
    expect((await storage.list("tiny")).map((r) => [r.version, r.info.status])).toEqual([
      [1, "superseded"],
      [2, "superseded"],
      [3, "deployed"],
    ]);
  });
});

describe("werf's lock on the real cluster", () => {
  it("makes a second holder wait until the first releases", async () => {
    const lockNs = `${ns}-lock`;
    kubectl("create", "namespace", lockNs);
    try {
      const first = await acquireReleaseLock(kube, lockNs, "app");
      const cm = JSON.parse(kubectl("-n", lockNs, "get", "configmap", "werf-synchronization", "-o", "json")) as { metadata: { annotations?: Record<string, string> } };
      expect(parseLease(cm.metadata.annotations?.[lockAnnotation("release/app")])).toMatchObject({ uuid: first.uuid, lockName: "release/app", SharedHoldersCount: 1 });

      let waited = false;
      let second: LockHandle | undefined;
      const started = Date.now();
      const pending = acquireReleaseLock(kube, lockNs, "app", { onWait: () => (waited = true) }).then((h) => (second = h));
      // Longer than a TTL: the first holder renews, so the second must still wait.
      await new Promise((r) => setTimeout(r, 12_000));
      expect(waited).toBe(true);
      expect(second).toBeUndefined();
      expect(first.lost.aborted).toBe(false);
      await first.release();
      await pending;
      expect(Date.now() - started).toBeLessThan(12_000 + 4_000);
      expect(second?.uuid).not.toBe(first.uuid);
      await second?.release();
      const after = JSON.parse(kubectl("-n", lockNs, "get", "configmap", "werf-synchronization", "-o", "json")) as { metadata: { annotations?: Record<string, string> } };
      expect(after.metadata.annotations?.[lockAnnotation("release/app")]).toBeUndefined();
    } finally {
      kubectl("delete", "namespace", lockNs, "--wait=false", "--ignore-not-found");
    }
  }, 60_000);
});
