// `helm history RELEASE_NAME`: the release's revisions as helm 3.17.3 prints them (table, json or yaml).
import { history } from "../../../release/codec.js";
import { JsonStruct } from "../../../template/json.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import {
  ansicTime,
  appVersion,
  chartName,
  encodeJson,
  encodeTable,
  encodeYaml,
  exactArgs,
  helmSubcommand,
  helmTarget,
  outputFormat,
  outputFlag,
  releaseRecords,
  type HelmCommonValues,
  type ParsedHelmArgs,
} from "./common.js";

interface HistoryValues extends HelmCommonValues {
  max: number;
}

const FLAGS: readonly FlagSpec<HistoryValues>[] = [
  { kind: "int", name: "max", key: "max", default: 256, description: "maximum number of revision to include in history" },
  outputFlag(),
];

async function run(parsed: ParsedHelmArgs<HistoryValues>, ctx: CommandContext): Promise<void> {
  exactArgs(parsed.positionals, 1);
  const format = outputFormat(parsed.values.output);
  const target = await helmTarget(parsed.values, ctx);
  try {
    const records = history(await releaseRecords(target.storage, parsed.positionals[0] ?? "", ctx.signal)).releases;
    // The newest --max revisions, oldest first.
    const shown = parsed.values.max > 0 ? records.slice(-parsed.values.max) : [];
    if (format === "table") {
      const rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]];
      for (const r of shown) rows.push([String(r.version), ansicTime(r.info.last_deployed), r.info.status ?? "", chartName(r), appVersion(r), r.info.description ?? ""]);
      ctx.stdout.write(encodeTable(rows));
      return;
    }
    const items = shown.map(
      (r) =>
        new JsonStruct([
          ["revision", r.version],
          ["updated", r.info.last_deployed ?? ""],
          ["status", r.info.status ?? ""],
          ["chart", chartName(r)],
          ["app_version", appVersion(r)],
          ["description", r.info.description ?? ""],
        ]),
    );
    ctx.stdout.write(format === "json" ? encodeJson(items) : encodeYaml(items));
  } finally {
    target.kube.close();
  }
}

export const HELM_HISTORY = helmSubcommand({ name: "history", aliases: ["hist"], usage: "history RELEASE_NAME [options]", summary: "fetch release history", flags: FLAGS, body: run });
