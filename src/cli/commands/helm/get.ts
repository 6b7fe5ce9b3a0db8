// `helm get values|manifest|notes|hooks|all RELEASE_NAME [--revision N]`: one revision's record, printed as helm
// 3.17.3 prints it. Computed values (`values --all`, `all`) coalesce the record's chart values with its config,
// as chartutil.CoalesceValues does for the stored chart.
import type { Chart } from "../../../chart/types.js";
import { coalesceValues } from "../../../chart/values.js";
import { SlipwayError } from "../../../errors.js";
import type { HelmRelease } from "../../../release/codec.js";
import { parseJson } from "../../../template/json.js";
import { isMap, type GoMap } from "../../../template/value.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import { goQuote } from "../../go-values.js";
import {
  ansicTime,
  chartField,
  encodeJson,
  encodeYaml,
  exactArgs,
  helmFlagNames,
  helmSubcommand,
  helmTarget,
  outputFormat,
  outputFlag,
  releaseRevision,
  type HelmCommonValues,
  type HelmSubcommand,
} from "./common.js";

interface GetValues extends HelmCommonValues {
  revision: number;
  all: boolean;
}

const REVISION: FlagSpec<GetValues> = { kind: "int", name: "revision", key: "revision", default: 0, description: "get the named release with revision" };
const ALL: FlagSpec<GetValues> = { kind: "bool", name: "all", short: "a", key: "all", default: false, description: "dump all (computed) values" };

/** A record's map field as Go values (maps for objects, float64 numbers). */
function goMap(value: unknown): GoMap {
  const v = parseJson(JSON.stringify(value ?? null));
  return isMap(v) ? v : new Map<string, unknown>();
}

/** The stored chart as much as CoalesceValues reads it: its values, no subcharts (helm does not store them). */
function computedValues(r: HelmRelease): GoMap {
  const chart = { name: chartField(r, "name"), values: goMap(r.chart.values), dependencies: [], parent: null } as unknown as Chart;
  return coalesceValues(chart, goMap(r.config));
}

function userValues(r: HelmRelease): unknown {
  // A release without user values stores no config: helm prints `null`.
  return r.config === undefined ? null : goMap(r.config);
}

function hooksText(r: HelmRelease): string {
  return (r.hooks ?? []).map((h) => `---\n# Source: ${h.path ?? ""}\n${h.manifest ?? ""}\n`).join("");
}

/** statusPrinter as `helm get all` configures it: debug on, metadata on, no description, no resources. */
function allText(r: HelmRelease): string {
  let out = `NAME: ${r.name}\n`;
  if (r.info.last_deployed !== undefined && r.info.last_deployed !== "") out += `LAST DEPLOYED: ${ansicTime(r.info.last_deployed)}\n`;
  out += `NAMESPACE: ${r.namespace}\nSTATUS: ${r.info.status ?? "unknown"}\nREVISION: ${r.version}\n`;
  out += `CHART: ${chartField(r, "name")}\nVERSION: ${chartField(r, "version")}\nAPP_VERSION: ${chartField(r, "appVersion")}\n`;
  const tests = (r.hooks ?? []).filter((h) => (h.events ?? []).includes("test"));
  if (tests.length === 0) out += "TEST SUITE: None\n";
  for (const h of tests) {
    if (h.last_run.started_at === undefined || h.last_run.started_at === "") continue;
    out += `TEST SUITE:     ${h.name ?? ""}\nLast Started:   ${ansicTime(h.last_run.started_at)}\nLast Completed: ${ansicTime(h.last_run.completed_at)}\nPhase:          ${h.last_run.phase}\n`;
  }
  out += `USER-SUPPLIED VALUES:\n${encodeYaml(userValues(r))}\nCOMPUTED VALUES:\n${encodeYaml(computedValues(r))}\n`;
  out += `HOOKS:\n${hooksText(r)}MANIFEST:\n${r.manifest ?? ""}\n`;
  const notes = (r.info.notes ?? "").trim();
  if (notes !== "") out += `NOTES:\n${notes}\n`;
  return out;
}

interface What {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec<GetValues>[];
  readonly print: (r: HelmRelease, v: GetValues) => string;
}

const WHATS: readonly What[] = [
  {
    name: "values",
    summary: "download the values file for a named release",
    flags: [REVISION, ALL, outputFlag<GetValues>()],
    print: (r, v) => {
      const values = v.all ? computedValues(r) : userValues(r);
      const format = outputFormat(v.output);
      if (format === "json") return encodeJson(values);
      if (format === "yaml") return encodeYaml(values);
      return `${v.all ? "COMPUTED VALUES:" : "USER-SUPPLIED VALUES:"}\n${encodeYaml(values)}`;
    },
  },
  { name: "manifest", summary: "download the manifest for a named release", flags: [REVISION], print: (r) => `${r.manifest ?? ""}\n` },
  {
    name: "notes",
    summary: "download the notes for a named release",
    flags: [REVISION],
    print: (r) => ((r.info.notes ?? "") === "" ? "" : `NOTES:\n${r.info.notes ?? ""}\n`),
  },
  { name: "hooks", summary: "download all hooks for a named release", flags: [REVISION], print: (r) => hooksText(r) },
  { name: "all", summary: "download all information for a named release", flags: [REVISION], print: (r) => allText(r) },
];

const SUMMARY = "download extended information of a named release";

/** `get values`, `get manifest`, ...: each a subcommand of its own, reading one revision's record. */
const SUBCOMMANDS = new Map(
  WHATS.map((what) => [
    what.name,
    helmSubcommand<GetValues>({
      name: `get ${what.name}`,
      usage: `get ${what.name} RELEASE_NAME [options]`,
      summary: what.summary,
      flags: what.flags,
      body: async (parsed, ctx) => {
        exactArgs(parsed.positionals, 1);
        if (what.flags.some((f) => f.name === "output")) outputFormat(parsed.values.output);
        const target = await helmTarget(parsed.values, ctx);
        try {
          const record = await releaseRevision(target.storage, parsed.positionals[0] ?? "", parsed.values.revision, ctx.signal);
          ctx.stdout.write(what.print(record, parsed.values));
        } finally {
          target.kube.close();
        }
      },
    }),
  ]),
);

function groupHelp(programName: string): string {
  const width = Math.max(...WHATS.map((w) => w.name.length)) + 2;
  return (
    `${SUMMARY}\n\nUsage:\n  ${programName} helm get [command]\n\nAvailable Commands:\n` +
    WHATS.map((w) => `  ${w.name.padEnd(width)}${w.summary}`).join("\n") +
    `\n\nUse "${programName} helm get [command] --help" for more information about a command.\n`
  );
}

async function run(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "-h" || sub === "--help") {
    ctx.stdout.write(groupHelp(ctx.programName));
    return;
  }
  const what = WHATS.find((w) => w.name === sub);
  if (what === undefined) throw new SlipwayError(`unknown command ${goQuote(sub)} for ${goQuote(`${ctx.programName} helm get`)}`, { code: "usage" });
  await SUBCOMMANDS.get(what.name)?.run(rest, ctx);
}

export const HELM_GET: HelmSubcommand = {
  name: "get",
  summary: SUMMARY,
  help: groupHelp,
  run,
  flags: () => helmFlagNames([REVISION, ALL, outputFlag<GetValues>()]),
};
