// `helm rollback RELEASE [REVISION]`: redeploys a revision's manifest as a new revision with slipway's deploy engine
// (records as helm writes them), then prints helm 3.17.3's line. Without REVISION (or 0): the previous revision.
import { SlipwayError } from "../../../errors.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import { parseGoInt } from "../../go-values.js";
import { parseConvergeArgs } from "../../options.js";
import { helmSubcommand, helmTarget, releaseRecords, timeoutFlag, waitFlag, type HelmCommonValues, type ParsedHelmArgs } from "./common.js";

interface RollbackValues extends HelmCommonValues {
  timeout: number;
  historyMax: number;
  cleanupOnFail: boolean;
  wait: boolean;
}

const FLAGS: readonly FlagSpec<RollbackValues>[] = [
  timeoutFlag(),
  { kind: "int", name: "history-max", key: "historyMax", default: 10, description: "limit the maximum number of revisions saved per release. Use 0 for no limit" },
  { kind: "bool", name: "cleanup-on-fail", key: "cleanupOnFail", default: false, description: "allow deletion of new resources created in this rollback when rollback fails" },
  waitFlag("the resources are ready"),
];

async function run(parsed: ParsedHelmArgs<RollbackValues>, ctx: CommandContext): Promise<void> {
  const v = parsed.values;
  const [name, revisionText] = parsed.positionals;
  if (name === undefined || parsed.positionals.length > 2) throw new SlipwayError(`accepts between 1 and 2 arg(s), received ${parsed.positionals.length}`, { code: "usage" });
  let revision = 0;
  if (revisionText !== undefined) {
    try {
      revision = parseGoInt(revisionText, 10);
    } catch {
      throw new SlipwayError(`could not convert revision to a number: ${revisionText}`, { code: "usage" });
    }
  }
  const target = await helmTarget(v, ctx);
  try {
    const records = await releaseRecords(target.storage, name, ctx.signal);
    const current = records.at(-1)?.version ?? 0;
    // action.Rollback: revision 0 means the one before the current.
    const wanted = revision > 0 ? revision : current - 1;
    if (wanted < 1 || !records.some((r) => r.version === wanted)) throw new SlipwayError("release: not found", { code: "deploy" });
    const base = parseConvergeArgs([], ctx.env);
    if (base.help) return;
    const options = {
      ...base.options,
      deploy: { ...base.options.deploy, releaseStorage: target.storage.driver, timeout: Math.ceil(v.timeout / 1000), releasesHistoryMax: v.historyMax > 0 ? v.historyMax : 1_000_000 },
    };
    const [{ deployOptions }, { rollbackRelease }] = await Promise.all([import("../../deploy-runner.js"), import("../../../deploy/install.js")]);
    await rollbackRelease(
      target.kube,
      { releaseName: name, namespace: target.namespace, revision: wanted },
      deployOptions(options, "", { cleanupOnFail: v.cleanupOnFail }),
      () => undefined,
      ctx.signal,
    );
  } finally {
    target.kube.close();
  }
  ctx.stdout.write("Rollback was a success! Happy Helming!\n");
}

export const HELM_ROLLBACK = helmSubcommand({ name: "rollback", usage: "rollback <RELEASE> [REVISION] [options]", summary: "roll back a release to a previous revision", flags: FLAGS, body: run });
