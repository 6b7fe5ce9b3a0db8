// Runs the real slipway binary (bin/slipway.js over dist/bundle, built by `npm run build`) as a child process.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/slipway.js", import.meta.url));
const DIST = fileURLToPath(new URL("../../dist/bundle/main.js", import.meta.url));

export interface SlipwayResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended slipway (SIGKILL from a kill point), when one did. */
  readonly signal?: NodeJS.Signals | null;
}

export function runSlipway(
  args: readonly string[],
  options: {
    cwd: string;
    env?: Readonly<Record<string, string | undefined>>;
    timeoutMs?: number;
    /** Piped to slipway's standard input (else stdin is closed). */
    input?: string | Buffer;
    /** Sends a signal to slipway after a delay, as a user pressing Ctrl-C would. */
    signalAfterMs?: { readonly signal: NodeJS.Signals; readonly ms: number };
  },
): Promise<SlipwayResult> {
  if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` before the end-to-end tests");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ...options.env },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    const signal = options.signalAfterMs;
    const signalTimer = signal ? setTimeout(() => child.kill(signal.signal), signal.ms) : undefined;
    child.on("error", reject);
    child.on("close", (code, killedBy) => {
      clearTimeout(timer);
      if (signalTimer) clearTimeout(signalTimer);
      resolve({ code: code ?? -1, stdout, stderr, signal: killedBy });
    });
  });
}
