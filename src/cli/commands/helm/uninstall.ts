// `helm uninstall RELEASE_NAME [...]`: deletes what each release deployed and its records with slipway's uninstall
// (werf's dismiss without the namespace), printing helm 3.17.3's line per release.
import { SlipwayError } from "../../../errors.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import { goQuote } from "../../go-values.js";
import { helmFlagNames, helmSubcommandHelp, helmTarget, parseHelmArgs, type HelmCommonValues, type HelmSubcommand } from "./common.js";

interface UninstallValues extends HelmCommonValues {
  timeout: number;
  cascade: string;
  ignoreNotFound: boolean;
  wait: boolean;
}

const FLAGS: readonly FlagSpec<UninstallValues>[] = [
  { kind: "duration", name: "timeout", key: "timeout", default: 300_000, description: "time to wait for any individual Kubernetes operation (like Jobs for hooks)" },
  { kind: "string", name: "cascade", key: "cascade", default: "background", description: 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents. Defaults to background.' },
  { kind: "bool", name: "ignore-not-found", key: "ignoreNotFound", default: false, description: 'Treat "release not found" as a successful uninstall' },
  { kind: "bool", name: "wait", key: "wait", default: false, description: "accepted for helm compatibility: slipway always waits until the resources are deleted" },
];

const SUMMARY = "uninstall a release";
const help = (programName: string): string => helmSubcommandHelp(programName, { name: "uninstall", usage: "uninstall RELEASE_NAME [...] [options]", summary: SUMMARY, flags: FLAGS });

const CASCADE = { background: "Background", foreground: "Foreground", orphan: "Orphan" } as const;

async function run(args: readonly string[], ctx: CommandContext): Promise<void> {
  const parsed = parseHelmArgs(args, FLAGS, ctx);
  if (parsed.help) {
    ctx.stdout.write(help(ctx.programName));
    return;
  }
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new SlipwayError("requires at least 1 arg(s), only received 0", { code: "usage" });
  const propagation = CASCADE[v.cascade as keyof typeof CASCADE] as (typeof CASCADE)[keyof typeof CASCADE] | undefined;
  if (propagation === undefined) throw new SlipwayError(`invalid cascade value (${v.cascade}). Must be "background", "foreground", or "orphan"`, { code: "usage" });
  const target = helmTarget(v, ctx);
  try {
    const { uninstallRelease } = await import("../../../deploy/uninstall.js");
    for (const name of parsed.positionals) {
      const records = await target.storage.list(name, { signal: ctx.signal });
      if (records.length === 0) {
        if (v.ignoreNotFound) continue;
        throw new SlipwayError(`uninstall: Release not loaded: ${name}: release: not found`, { code: "deploy" });
      }
      await uninstallRelease(
        target.kube,
        { releaseName: name, namespace: target.namespace },
        { releaseStorage: target.storage.driver, withNamespace: false, timeoutMs: v.timeout, deletePropagation: propagation, networkParallelism: 30 },
        () => undefined,
        ctx.signal,
      );
      ctx.stdout.write(`release ${goQuote(name)} uninstalled\n`);
    }
  } finally {
    target.kube.close();
  }
}

export const HELM_UNINSTALL: HelmSubcommand = { name: "uninstall", aliases: ["del", "delete", "un"], summary: SUMMARY, help, run, flags: () => helmFlagNames(FLAGS) };
