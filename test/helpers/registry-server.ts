// Starts an extra, real Docker registry (Debian's docker-registry, distribution 2.8) on a spare loopback port,
// protected by htpasswd Basic authentication, for end-to-end tests of registry credentials. The caller must
// `stop()` it: the process is killed and its state directory removed.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HTPASSWD_USER = "slipway";
export const HTPASSWD_PASSWORD = "correct-horse-battery";
// `htpasswd -nbB -C 5 slipway correct-horse-battery` (apache2-utils), generated once so the tests do not need
// htpasswd installed. Cost 5 keeps every authenticated request fast.
const HTPASSWD_LINE = "slipway:$2y$05$m6FdjAnccSWcM7y0SPEi4ePI1abBdglXX7/W./8tfknlJzX95sa4a";

export interface RegistryServer {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Everything the registry printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

async function sparePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configYaml(root: string, port: number, htpasswd: string): string {
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${root}`,
    "  delete:",
    "    enabled: true",
    "  maintenance:",
    "    uploadpurging:",
    "      enabled: false",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  secret: slipway-e2e-htpasswd",
    "auth:",
    "  htpasswd:",
    "    realm: slipway-e2e",
    `    path: ${htpasswd}`,
    "",
  ].join("\n");
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts docker-registry with htpasswd auth and waits until `/v2/` answers 401. */
export async function startHtpasswdRegistry(): Promise<RegistryServer> {
  const dir = mkdtempSync(join(tmpdir(), "slipway-registry-"));
  const htpasswd = join(dir, "htpasswd");
  writeFileSync(htpasswd, `${HTPASSWD_LINE}\n`);
  let lastError = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await sparePort();
    const config = join(dir, "config.yml");
    writeFileSync(config, configYaml(join(dir, "data"), port, htpasswd));
    const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    const host = `127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 50, undefined))]);
      if (failed !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`cannot start docker-registry: ${failed.message}`);
      }
      try {
        const response = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.status === 401) {
          ready = true;
          break;
        }
      } catch {
        // Not listening yet.
      }
    }
    if (ready) {
      return {
        host,
        port,
        user: HTPASSWD_USER,
        password: HTPASSWD_PASSWORD,
        log: () => output,
        stop: async () => {
          await stopProcess(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopProcess(child);
    lastError = output.trim().split("\n").slice(-5).join("\n");
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`docker-registry with htpasswd auth did not become ready: ${lastError}`);
}
