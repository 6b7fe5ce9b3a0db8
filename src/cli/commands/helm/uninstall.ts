// `helm uninstall RELEASE_NAME [...]`: deletes what each release deployed and its records with slipway's uninstall
// (werf's dismiss without the namespace), printing helm 3.17.3's line per release.
import { SlipwayError } from "../../../errors.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import { goQuote } from "../../go-values.js";
import { helmSubcommand, helmTarget, timeoutFlag, waitFlag, type HelmCommonValues, type ParsedHelmArgs } from "./common.js";

interface UninstallValues extends HelmCommonValues {
  timeout: number;
  cascade: string;
  ignoreNotFound: boolean;
  wait: boolean;
}

const FLAGS: readonly FlagSpec<UninstallValues>[] = [
  timeoutFlag(),
  { kind: "string", name: "cascade", key: "cascade", default: "background", description: 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents. Defaults to background.' },
  { kind: "bool", name: "ignore-not-found", key: "ignoreNotFound", default: false, description: 'Treat "release not found" as a successful uninstall' },
  waitFlag("the resources are deleted"),
];

const CASCADE = { background: "Background", foreground: "Foreground", orphan: "Orphan" } as const;

async function run(parsed: ParsedHelmArgs<UninstallValues>, ctx: CommandContext): Promise<void> {
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new SlipwayError("requires at least 1 arg(s), only received 0", { code: "usage" });
  const propagation = CASCADE[v.cascade as keyof typeof CASCADE] as (typeof CASCADE)[keyof typeof CASCADE] | undefined;
  if (propagation === undefined) throw new SlipwayError(`invalid cascade value (${v.cascade}). Must be "background", "foreground", or "orphan"`, { code: "usage" });
  const target = await helmTarget(v, ctx);
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

export const HELM_UNINSTALL = helmSubcommand({
  name: "uninstall",
  aliases: ["del", "delete", "un"],
  usage: "uninstall RELEASE_NAME [...] [options]",
  summary: "uninstall a release",
  flags: FLAGS,
  body: run,
});
