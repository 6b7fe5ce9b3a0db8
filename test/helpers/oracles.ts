// The reference tools that slipway's deploy is compared with: helm v3.17.3 (extracted from the layer zip by
// scripts/helm-oracle.js) and nelm v1.24.3 (built from the Go module proxy by scripts/build-nelm.sh, cached under
// ~/.cache/slipway/nelm/<version>/bin/nelm). Both run as child processes against a given kubeconfig.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HELM_ORACLE = join(ROOT, "scripts/helm-oracle.js");
const BUILD_NELM = join(ROOT, "scripts/build-nelm.sh");

export const HELM_VERSION = "3.17.3";
export const NELM_VERSION = "1.24.3";

/**
 * The path of helm v3.17.3. Reuses scripts/helm-oracle.js (a JS module without type declarations, so it runs in a
 * child Node process); the extracted binary is cached in .cache/tools/helm/helm and found directly next time.
 */
export function helmBinary(): string {
  const cached = join(ROOT, ".cache/tools/helm/helm");
  if (existsSync(cached)) return cached;
  const script = `import { helmBinary } from ${JSON.stringify(HELM_ORACLE)}; process.stdout.write(helmBinary());`;
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim();
}

/** Where scripts/build-nelm.sh caches nelm (it honours SLIPWAY_CACHE as the build does). */
export function nelmCachePath(version: string = NELM_VERSION): string {
  const cache = process.env["SLIPWAY_CACHE"] ?? join(homedir(), ".cache/slipway");
  return join(cache, "nelm", version, "bin/nelm");
}

/**
 * The path of nelm v1.24.3. When the cache is empty this runs scripts/build-nelm.sh, a one-time Go build of about
 * 10 minutes (its progress goes to this process's stderr); the script takes a machine-wide lock, so concurrent
 * callers wait for one build.
 */
export function nelmBinary(version: string = NELM_VERSION): string {
  const cached = nelmCachePath(version);
  if (existsSync(cached)) return cached;
  const out = execFileSync("bash", [BUILD_NELM], {
    encoding: "utf8",
    env: { ...process.env, NELM_VERSION: version },
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 40 * 60_000,
  });
  const path = out.trim().split("\n").pop() ?? "";
  if (!existsSync(path)) throw new Error(`scripts/build-nelm.sh did not print the nelm binary's path (got ${JSON.stringify(path)})`);
  return path;
}

export interface OracleRun {
  /** The kubeconfig the tool talks to (exported as KUBECONFIG). */
  readonly kubeconfig: string;
  /** Adds `--kube-context <name>` (both tools take the flag). */
  readonly kubeContext?: string;
  readonly cwd?: string;
  /** Extra environment on top of PATH, HOME and KUBECONFIG. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kills the tool with SIGKILL after this long (default 5 minutes). */
  readonly timeoutMs?: number;
}

export interface OracleResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the process, start to exit. */
  readonly ms: number;
}

/** Runs a binary with a minimal environment (PATH, HOME, KUBECONFIG) and captures its output. */
export function runTool(bin: string, args: readonly string[], options: OracleRun): Promise<OracleResult> {
  const fullArgs = options.kubeContext === undefined ? [...args] : [...args, "--kube-context", options.kubeContext];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(bin, fullArgs, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], KUBECONFIG: options.kubeconfig, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
  });
}

/** `helm <args>` (v3.17.3), e.g. `runHelm(["upgrade", "--install", "--wait", "-n", ns, name, chart], run)`. */
export function runHelm(args: readonly string[], options: OracleRun): Promise<OracleResult> {
  // Helm's cache/config/data default under HOME; keep them out of the user's real ones.
  const helmHome = join(ROOT, ".cache/tools/helm/home");
  return runTool(helmBinary(), args, {
    ...options,
    env: {
      HELM_CACHE_HOME: join(helmHome, "cache"),
      HELM_CONFIG_HOME: join(helmHome, "config"),
      HELM_DATA_HOME: join(helmHome, "data"),
      ...options.env,
    },
  });
}

/** `nelm <args>` (v1.24.3), e.g. `runNelm(["release", "install", "-n", ns, "-r", name, chart], run)`. */
export function runNelm(args: readonly string[], options: OracleRun): Promise<OracleResult> {
  // No colours or progress redraws in captured output.
  return runTool(nelmBinary(), args, { ...options, env: { NELM_COLOR_MODE: "off", ...options.env } });
}
