// Chart dependency fixtures made by the real helm v3.17.3: charts packaged with `helm package`, an HTTP chart
// repository (index.yaml from `helm repo index`) served by a small Node server that records every request, and
// charts pushed with `helm push` to an OCI registry.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { runHelm, type OracleResult } from "./oracles.js";

/** A throwaway HELM_*_HOME set, so helm never sees the user's repositories or cache. */
export function helmHome(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "slipway-helm-home-"));
  return { HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data"), TZ: "UTC" };
}

/** `helm <args>` with a fresh helm home; fails the test when helm fails unless `allowFailure`. */
export async function helm(args: readonly string[], cwd: string, allowFailure = false, env: Readonly<Record<string, string>> = {}): Promise<OracleResult> {
  const result = await runHelm(args, { kubeconfig: "/dev/null", cwd, env: { ...helmHome(), ...env } });
  if (result.code !== 0 && !allowFailure) throw new Error(`helm ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return result;
}

/** Writes a chart directory: Chart.yaml, values.yaml and the given templates. */
export function writeChart(dir: string, chartYaml: string, files: Readonly<Record<string, string>> = {}): string {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), chartYaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A small application chart whose ConfigMap names its chart, version and a value. */
export function versionedChart(root: string, name: string, version: string): string {
  return writeChart(join(root, `${name}-${version}`), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`, {
    "values.yaml": `greeting: hello from ${name} ${version}\n`,
    "templates/cm.yaml":
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n` +
      `data:\n  version: {{ .Chart.Version | quote }}\n  greeting: {{ .Values.greeting | quote }}\n`,
  });
}

/** `helm package` of each chart directory into `out`. */
export async function helmPackage(dirs: readonly string[], out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  for (const dir of dirs) await helm(["package", dir, "-d", out], out);
}

export interface ChartRepoServer {
  /** `http://127.0.0.1:<port>/charts` (the repository URL Chart.yaml names). */
  readonly url: string;
  /** Every request path, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves the files of `dir` under /charts/ (index.yaml from `helm repo index`, run here again on each call). */
export async function startChartRepo(dir: string): Promise<ChartRepoServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
    const rel = normalize(decodeURIComponent(path.split("?")[0] ?? "")).replace(/^\/charts\/?/, "");
    try {
      const body = readFileSync(join(dir, rel));
      res.writeHead(200, { "content-type": rel.endsWith(".yaml") ? "text/yaml" : "application/gzip", "content-length": body.length });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** (Re)writes the repository's index.yaml with `helm repo index` (relative URLs, as most repositories have). */
export async function helmRepoIndex(dir: string): Promise<void> {
  await helm(["repo", "index", dir], dir);
}

/** `helm push` of a packaged chart to `oci://<registry>/<path>` (plain HTTP, as the local registry speaks). */
export async function helmPushOci(tgz: string, ociRepo: string): Promise<void> {
  await helm(["push", tgz, ociRepo, "--plain-http"], tmpdir());
}
