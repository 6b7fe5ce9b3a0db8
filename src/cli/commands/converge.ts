// `converge`: turns the command line and the WERF_* environment into ConvergeOptions, then hands them to the
// converge pipeline. The pipeline does not exist yet, so the command fails honestly instead of pretending.
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import type { ConvergeOptions } from "../options.js";
import { convergeHelp, LogOptionsError, parseConvergeArgs } from "../options.js";

export const CONVERGE_SUMMARY = "Build and push images, then deploy the application into Kubernetes";

export function convergeCommand(args: readonly string[], ctx: CommandContext): void {
  let options: ConvergeOptions;
  try {
    const parsed = parseConvergeArgs(args, ctx.env);
    if (parsed.help) {
      ctx.stdout.write(convergeHelp(ctx.programName));
      return;
    }
    options = parsed.options;
  } catch (err) {
    // werf prints the command help before failing on a bad logging option.
    if (err instanceof LogOptionsError) ctx.stdout.write(`${convergeHelp(ctx.programName)}\n`);
    throw err;
  }
  runConvergePipeline(options, ctx);
}

/** The seam for src/pipeline/converge.ts: it will take the options and the context and do the work. */
function runConvergePipeline(_options: ConvergeOptions, _ctx: CommandContext): never {
  throw new SlipwayError("converge is not implemented yet", { code: "not-implemented" });
}
