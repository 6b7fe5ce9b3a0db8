// `converge`: turns the command line and the WERF_* environment into ConvergeOptions, then runs the pipeline.
// The build phase runs for real; the deploy phase does not exist yet, so after a successful build the command
// fails honestly instead of pretending to have deployed.
import { SlipwayError } from "../../errors.js";
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

export async function convergeCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const options = parseOrHelp(args, ctx, convergeHelp);
  if (options === undefined) return;
  const started = Date.now();
  if (!options.logQuiet) ctx.stdout.write(`Version: ${versionLine()}\n`);
  try {
    await (await loadBuildRunner())(options, ctx);
    throw new SlipwayError("the deploy phase of converge is not implemented yet (images were built and pushed; nothing was deployed)", {
      code: "not-implemented",
    });
  } finally {
    if (!options.logQuiet) ctx.stdout.write(`Running time ${((Date.now() - started) / 1000).toFixed(2)} seconds\n`);
  }
}

/** The build pipeline (dockerode, the registry client) is loaded only when a command runs it, not at start-up. */
export async function loadBuildRunner(): Promise<typeof RunBuild> {
  return (await import("../build-runner.js")).runBuild;
}
