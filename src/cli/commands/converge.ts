// `converge`: turns the command line and the WERF_* environment into ConvergeOptions, makes the ports (adapters,
// the deploy) and the reporter, and runs the pipeline of src/pipeline/converge.ts.
import { resolve } from "node:path";
import process from "node:process";
import { secretKeyDirs } from "../../secret/key.js";
import { SecretMask } from "../../secret/mask.js";
import { versionLine } from "../../version.js";
import type { runBuild as RunBuild } from "../build-runner.js";
import type { CommandContext } from "../context.js";
import type { ConvergeOptions } from "../options.js";
import { convergeHelp, LogOptionsError, parseConvergeArgs } from "../options.js";
import { extraFlagsHelp, takeExtraFlags, type ExtraFlag } from "../extra-flags.js";
import { eventDetail, eventPointName, killPoint } from "../kill-point.js";
import { userParseCache } from "../../render/parse-cache.js";

export const CONVERGE_SUMMARY = "Build and push images, then deploy the application into Kubernetes";

export function parseOrHelp(args: readonly string[], ctx: CommandContext, help: (name: string) => string, command = "converge"): ConvergeOptions | undefined {
  try {
    const parsed = parseConvergeArgs(args, ctx.env, command);
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

/** One warning naming the flags that were set but that slipway only accepts. */
export function warnAcceptedOnly(options: ConvergeOptions, ctx: CommandContext): void {
  if (options.acceptedOnly.length === 0) return;
  ctx.stderr.write(`Warning: slipway accepts ${options.acceptedOnly.join(", ")} for werf compatibility but does not implement ${options.acceptedOnly.length === 1 ? "it" : "them"}: no effect\n`);
}

/** werf's frame around a command: `Version: ...` first and `Running time N.NN seconds` last (also on failure). */
export async function withRunningTime(options: ConvergeOptions, ctx: CommandContext, body: () => Promise<void>): Promise<void> {
  const started = Date.now();
  if (!options.log.logQuiet) ctx.stdout.write(`Version: ${versionLine()}\n`);
  if (options.log.logProjectDir && !options.log.logQuiet) {
    ctx.stdout.write(`Using project dir: ${resolve(ctx.env["SLIPWAY_CWD"] ?? process.cwd(), options.project.dir)}\n`);
  }
  warnAcceptedOnly(options, ctx);
  try {
    await body();
  } finally {
    if (!options.log.logQuiet) ctx.stdout.write(`Running time ${((Date.now() - started) / 1000).toFixed(2)} seconds\n`);
  }
}

/** slipway's own converge flags (werf has neither). */
export const CONVERGE_EXTRA_FLAGS: readonly ExtraFlag[] = [
  {
    name: "cleanup-on-fail",
    kind: "bool",
    env: "WERF_CLEANUP_ON_FAIL",
    description: "After a failed first install, delete the resources it created (in the spirit of Helm's --cleanup-on-fail)",
  },
  { name: "deploy-deadline", kind: "int", env: "WERF_DEPLOY_DEADLINE", description: "Seconds the whole deploy may take; 0 = no limit (--timeout limits each tracked resource)" },
];

/** converge's help: werf's flags, then slipway's own. */
export function convergeFullHelp(programName: string): string {
  return `${convergeHelp(programName)}\nslipway's own flags:\n${extraFlagsHelp(CONVERGE_EXTRA_FLAGS)}\n`;
}

export async function convergeCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const { rest, values: extra } = takeExtraFlags(args, CONVERGE_EXTRA_FLAGS, ctx.env);
  const options = parseOrHelp(rest, ctx, convergeFullHelp);
  if (options === undefined) return;
  await withRunningTime(options, ctx, async () => {
    const [{ runConverge }, { buildAdapters, readDockerConfigJson }, { Reporter }, runner] = await Promise.all([
      import("../../pipeline/converge.js"),
      import("../ports.js"),
      import("../reporter.js"),
      import("../deploy-runner.js"),
    ]);
    // The deploy printer is made before the pipeline starts (a terminal's loads ora); the reporter hands it the
    // deploy phase's events.
    // Decrypted secrets are hidden from everything the deploy prints (werf masks them too); known after the render.
    const mask = new SecretMask();
    const deployPrinter = await runner.deployPrinter(options, ctx, mask);
    const reporter = new Reporter({ write: (text) => ctx.stdout.write(text), log: options.log, env: ctx.env, deployPrinter: () => deployPrinter });
    // One connection for the render (the cluster's capabilities, the release's history) and the deploy.
    let kube: ReturnType<typeof runner.kubeClient> | undefined;
    const kubeOf = () => (kube ??= runner.kubeClient(options, ctx));
    const kill = killPoint(ctx.env);
    const emit: typeof reporter.emit =
      kill === undefined
        ? reporter.emit
        : (event) => {
            reporter.emit(event);
            kill(eventPointName(event), () => eventDetail(event));
          };
    try {
      await runConverge(
        options,
        {
          adapters: buildAdapters(options.build, ctx.env),
          cluster: (target) => runner.clusterFacts(kubeOf(), options, ctx.signal)(target),
          lookup: (ref) => runner.lookupPort(kubeOf(), ctx.signal)(ref),
          dockerConfigJson: () => readDockerConfigJson(options.build, ctx.env),
          secretKeyFiles: secretKeyFiles(options, ctx),
          parseCache: userParseCache(ctx.env),
          deploy: async (input, emit) => {
            mask.add(input.sensitive);
            await runner.runDeploy(kubeOf(), input, input.build.project, options, ctx, emit, {
              cleanupOnFail: extra["cleanup-on-fail"] === true,
              deadlineMs: typeof extra["deploy-deadline"] === "number" ? extra["deploy-deadline"] * 1000 : 0,
            });
            return { status: "deployed" };
          },
          cwd: ctx.env["SLIPWAY_CWD"] ?? process.cwd(),
          environ: ctx.env,
          signal: ctx.signal,
        },
        emit,
      );
    } catch (err) {
      throw mask.applyToError(err);
    } finally {
      kube?.close();
      reporter.finish();
    }
  });
}

/** Where converge, plan and render look for the secret key files (see secretKeyDirs). */
export function secretKeyFiles(options: ConvergeOptions, ctx: CommandContext): { workDir: string; homeDir: string } {
  return secretKeyDirs(ctx.env["SLIPWAY_CWD"] ?? process.cwd(), options.project.dir, options.project.homeDir);
}

/** The build pipeline (dockerode, the registry client) is loaded only when a command runs it, not at start-up. */
export async function loadBuildRunner(): Promise<typeof RunBuild> {
  return (await import("../build-runner.js")).runBuild;
}
