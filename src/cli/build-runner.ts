// Runs the build half of converge for a command: hands the project and build option groups to the pipeline, prints the
// werf-style build log, and returns the pipeline's result.
import process from "node:process";
import { runBuildPipeline, type BuildPipelineResult } from "../pipeline/build.js";
import type { CommandContext } from "./context.js";
import type { ConvergeOptions } from "./options.js";
import { buildAdapters } from "./ports.js";
import { Reporter } from "./reporter.js";

export async function runBuild(options: ConvergeOptions, ctx: CommandContext, extra: { readChart?: boolean } = {}): Promise<BuildPipelineResult> {
  const reporter = new Reporter({ write: (text) => ctx.stdout.write(text), log: options.log, env: ctx.env });
  const cwd = ctx.env["SLIPWAY_CWD"] ?? process.cwd();
  try {
    return await runBuildPipeline(
      {
        // The project name comes from $WERF_PROJECT_NAME only: --project-name is werf's host-cleanup flag.
        project: { ...options.project, projectName: ctx.env["WERF_PROJECT_NAME"] ?? "" },
        build: options.build,
        ...(extra.readChart === true ? { readChart: true } : {}),
      },
      { adapters: buildAdapters(options.build, ctx.env), cwd, environ: ctx.env, emit: reporter.emit, signal: ctx.signal },
    );
  } finally {
    reporter.finish();
  }
}
