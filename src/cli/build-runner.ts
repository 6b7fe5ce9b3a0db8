// Runs the build half of converge for a command: maps ConvergeOptions to the pipeline's options, prints the
// werf-style build log, and returns the pipeline's result.
import process from "node:process";
import { runBuildPipeline, type BuildPipelineOptions, type BuildPipelineResult } from "../pipeline/build.js";
import { BuildLog } from "../ui/build-log.js";
import type { CommandContext } from "./context.js";
import type { ConvergeOptions } from "./options.js";

export function buildPipelineOptions(o: ConvergeOptions): BuildPipelineOptions {
  return {
    dir: o.dir,
    gitWorkTree: o.gitWorkTree,
    config: o.config,
    configTemplatesDir: o.configTemplatesDir,
    configRenderPath: o.configRenderPath,
    giterminismConfig: o.giterminismConfig,
    dev: o.dev,
    looseGiterminism: o.looseGiterminism,
    env: o.env,
    repo: o.repo,
    finalRepo: o.finalRepo,
    insecureRegistry: o.insecureRegistry,
    skipTlsVerifyRegistry: o.skipTlsVerifyRegistry,
    dockerConfig: o.dockerConfig,
    requireBuiltImages: o.requireBuiltImages,
    withoutImages: o.withoutImages,
    useBuildReport: o.useBuildReport,
    saveBuildReport: o.saveBuildReport,
    buildReportPath: o.buildReportPath,
    buildReportFormat: o.buildReportFormat,
    buildReportPathExplicit: o.buildReportPathExplicit,
    parallel: o.parallel,
    parallelTasksLimit: o.parallelTasksLimit,
    platform: o.platform,
    backendNetwork: o.backendNetwork,
    projectName: "",
  };
}

function colorEnabled(mode: string): boolean {
  if (mode === "on") return true;
  if (mode === "off") return false;
  return process.stdout.isTTY === true;
}

export async function runBuild(options: ConvergeOptions, ctx: CommandContext, extra: { readChart?: boolean } = {}): Promise<BuildPipelineResult> {
  const log = new BuildLog({
    write: (text) => ctx.stdout.write(text),
    pretty: options.logPretty,
    color: colorEnabled(options.logColorMode),
    quiet: options.logQuiet,
  });
  const cwd = ctx.env["SLIPWAY_CWD"] ?? process.cwd();
  try {
    return await runBuildPipeline(
      { ...buildPipelineOptions(options), projectName: ctx.env["WERF_PROJECT_NAME"] ?? "", ...(extra.readChart === true ? { readChart: true } : {}) },
      { cwd, environ: ctx.env, emit: log.handle, signal: ctx.signal },
    );
  } finally {
    log.finish();
  }
}
