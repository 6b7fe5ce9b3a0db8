// Runs the CLI in-process with captured output and an explicit environment (never process.env).
import { run } from "../../../src/cli/main.js";
import { parseConvergeArgs } from "../../../src/cli/options.js";
import type {
  BuildOptions,
  DeployOptions,
  KubeOptions,
  LogOptions,
  ProjectOptions,
  ValuesOptions,
} from "../../../src/cli/options.js";

/** All option groups in one object, so assertions can name a field without its group. */
export type FlatOptions = ProjectOptions & BuildOptions & ValuesOptions & DeployOptions & KubeOptions & LogOptions;

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

/** Parses converge arguments, fails the test if help was requested instead, and flattens the groups. */
export function convergeOptions(args: readonly string[], env: Record<string, string> = {}): FlatOptions {
  const parsed = parseConvergeArgs(args, env);
  if (parsed.help) throw new Error("expected options, got a help request");
  const o = parsed.options;
  return { ...o.project, ...o.build, ...o.values, ...o.deploy, ...o.kube, ...o.log };
}
