// The release commands beside converge: `plan` (what converge would change; `--exit-code` gives 2 on changes),
// `rollback` (`--revision N`, default the last deployed revision before the current one) and `dismiss`
// (uninstall; `--with-namespace`). They take converge's flags, read werf.yaml for the release name and namespace,
// and share the deploy engine of src/deploy.
import { ChangesPlannedError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { extraFlagsHelp, takeExtraFlags, type ExtraFlag } from "../extra-flags.js";
import { commandHelp, type ConvergeOptions } from "../options.js";
import { loadBuildRunner, parseOrHelp, secretKeyFiles, withRunningTime } from "./converge.js";
import { userParseCache } from "../../render/parse-cache.js";

export const PLAN_SUMMARY = "Show what converge would change in the cluster, without changing anything";
export const ROLLBACK_SUMMARY = "Roll the release back to an earlier revision";
export const DISMISS_SUMMARY = "Delete the release and what it deployed from Kubernetes";

export const PLAN_FLAGS: readonly ExtraFlag[] = [{ name: "exit-code", kind: "bool", env: "WERF_EXIT_CODE", description: "Exit with code 2 when there are changes" }];
export const ROLLBACK_FLAGS: readonly ExtraFlag[] = [{ name: "revision", kind: "int", env: "WERF_REVISION", description: "The revision to roll back to (default: the last deployed one before the current)" }];
export const DISMISS_FLAGS: readonly ExtraFlag[] = [{ name: "with-namespace", kind: "bool", env: "WERF_WITH_NAMESPACE", description: "Delete the release namespace too" }];

function helpFor(command: string, summary: string, flags: readonly ExtraFlag[], example: string, exampleArgs: string) {
  return (programName: string): string => `${commandHelp(programName, { command, summary, example, exampleArgs })}\n${command} flags:\n${extraFlagsHelp(flags)}\n`;
}

export const planHelp = helpFor("plan", PLAN_SUMMARY, PLAN_FLAGS, "# What a converge to production would change; exit code 2 when something would", "--env production --exit-code");
export const rollbackHelp = helpFor("rollback", ROLLBACK_SUMMARY, ROLLBACK_FLAGS, "# Re-apply revision 3 of the production release as a new revision", "--env production --revision 3");
export const dismissHelp = helpFor("dismiss", DISMISS_SUMMARY, DISMISS_FLAGS, "# Delete the production release, and its namespace", "--env production --with-namespace");

export async function planCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const { rest, values } = takeExtraFlags(args, PLAN_FLAGS, ctx.env);
  const options = parseOrHelp(rest, ctx, planHelp, "plan");
  if (options === undefined) return;
  let changed = false;
  await withRunningTime(options, ctx, async () => {
    const built = await (await loadBuildRunner())(options, ctx, { readChart: true });
    const [runner, { renderRelease }] = await Promise.all([import("../deploy-runner.js"), import("../../pipeline/converge.js")]);
    const kube = runner.kubeClient(options, ctx);
    try {
      const { readDockerConfigJson } = await import("../ports.js");
      const rendered = await renderRelease(built, options, { cluster: runner.clusterFacts(kube, options, ctx.signal), lookup: runner.lookupPort(kube, ctx.signal), dockerConfigJson: () => readDockerConfigJson(options.build, ctx.env), secretKeyFiles: secretKeyFiles(options, ctx), parseCache: userParseCache(ctx.env) });
      changed = await runner.runPlan(kube, rendered, built.project, options, ctx);
    } finally {
      kube.close();
    }
  });
  if (changed && values["exit-code"] === true) throw new ChangesPlannedError();
}

/** Release name and namespace need werf.yaml (templates, env) unless both flags are given. */
async function target(options: ConvergeOptions, ctx: CommandContext) {
  const runner = await import("../deploy-runner.js");
  if (options.deploy.release !== "" && options.deploy.namespace !== "") return { release: options.deploy.release, namespace: options.deploy.namespace, project: "", runner };
  const built = await (await loadBuildRunner())({ ...options, build: { ...options.build, withoutImages: true } }, ctx);
  return { ...runner.releaseTarget(built, options), project: built.project, runner };
}

export async function rollbackCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const { rest, values } = takeExtraFlags(args, ROLLBACK_FLAGS, ctx.env);
  const options = parseOrHelp(rest, ctx, rollbackHelp, "rollback");
  if (options === undefined) return;
  await withRunningTime(options, ctx, async () => {
    const t = await target(options, ctx);
    const { rollbackRelease } = await import("../../deploy/install.js");
    const kube = t.runner.kubeClient(options, ctx);
    try {
      const revision = typeof values["revision"] === "number" ? values["revision"] : undefined;
      await t.runner.withPrinter(options, ctx, (emit) =>
        rollbackRelease(kube, { releaseName: t.release, namespace: t.namespace, revision }, t.runner.deployOptions(options, t.project), emit, ctx.signal),
      );
    } finally {
      kube.close();
    }
  });
}

export async function dismissCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const { rest, values } = takeExtraFlags(args, DISMISS_FLAGS, ctx.env);
  const options = parseOrHelp(rest, ctx, dismissHelp, "dismiss");
  if (options === undefined) return;
  await withRunningTime(options, ctx, async () => {
    const t = await target(options, ctx);
    const { uninstallRelease } = await import("../../deploy/uninstall.js");
    const kube = t.runner.kubeClient(options, ctx);
    const printer = await t.runner.deployPrinter(options, ctx);
    try {
      const d = t.runner.deployOptions(options, t.project);
      await uninstallRelease(
        kube,
        { releaseName: t.release, namespace: t.namespace },
        { releaseStorage: d.releaseStorage, withNamespace: values["with-namespace"] === true, timeoutMs: d.timeoutMs, deletePropagation: d.deletePropagation, networkParallelism: d.networkParallelism },
        (e) => printer.handle(e),
        ctx.signal,
      );
      printer.finish();
      ctx.stdout.write(`Uninstalled release "${t.release}" (namespace: "${t.namespace}")\n`);
    } catch (err) {
      printer.finish();
      throw err;
    } finally {
      kube.close();
    }
  });
}
