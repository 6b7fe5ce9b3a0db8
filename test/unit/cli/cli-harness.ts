// Runs the CLI in-process with captured output and an explicit environment (never process.env).
import { run } from "../../../src/cli/main.js";
import { parseConvergeArgs } from "../../../src/cli/options.js";
import type { ConvergeOptions } from "../../../src/cli/options.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  script = "/usr/local/lib/node_modules/slipway/bin/slipway.js",
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(["/usr/bin/node", script, ...args], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  });
  return { code, stdout, stderr };
}

/** Parses converge arguments and fails the test if help was requested instead. */
export function convergeOptions(args: readonly string[], env: Record<string, string> = {}): ConvergeOptions {
  const parsed = parseConvergeArgs(args, env);
  if (parsed.help) throw new Error("expected options, got a help request");
  return parsed.options;
}
