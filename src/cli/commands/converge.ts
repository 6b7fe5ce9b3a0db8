// `converge`: turns the command line and the WERF_* environment into ConvergeOptions, then runs the pipeline.
// The build phase runs for real; the deploy phase does not exist yet, so after a successful build the command
// fails honestly instead of pretending to have deployed.
import { versionLine } from "../../version.js";
import type { runBuild as RunBuild } from "../build-runner.js";
import type { CommandContext } from "../context.js";
import type { ConvergeOptions } from "../options.js";
import { convergeHelp, LogOptionsError, parseConvergeArgs } from "../options.js";

export const CONVERGE_SUMMARY = "Build and push images, then deploy the application into Kubernetes";

export function parseOrHelp(args: readonly string[], ctx: CommandContext, help: (name: string) => string): ConvergeOptions | undefined {
  try {
    const parsed = parseConvergeArgs(args, ctx.env);
    if (parsed.help) {
      ctx.stdout.write(help(ctx.programName));
      return undefined;
    }
    return parsed.options;
  } catch (err) {
    // werf prints the command help before failing on a bad logging option.
    if (err instanceof LogOptionsError) ctx.stdout.write(`${help(ctx.programName)}\n`);
    throw err;
  }
}

/** werf's frame around a command: `Version: ...` first and `Running time N.NN seconds` last (also on failure). */
export async function withRunningTime(options: ConvergeOptions, ctx: CommandContext, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  if (!options.log.logQuiet) ctx.stdout.write(`Version: ${versionLine()}\n`);
  try {
    await body();
  } finally {
    if (!options.log.logQuiet) ctx.stdout.write(`Running time ${((Date.now() - started) / 1000).toFixed(2)} seconds\n`);
  }
}

export async function convergeCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const options = parseOrHelp(args, ctx, convergeHelp);
  if (options === undefined) return;
  await withRunningTime(options, ctx, async () => {
    const built = await (await loadBuildRunner())(options, ctx, { readChart: true });
    await (await import("../deploy-runner.js")).runDeploy(built, options, ctx);
  });
}

/** The build pipeline (dockerode, the registry client) is loaded only when a command runs it, not at start-up. */
export async function loadBuildRunner(): Promise<typeof RunBuild> {
  return (await import("../build-runner.js")).runBuild;
}
