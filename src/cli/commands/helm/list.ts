// `helm list`: the latest revision of each release in the namespace (or all namespaces with -A), filtered by status
// as helm 3.17.3 filters (deployed and failed unless told otherwise), sorted by name, printed as helm prints it.
import { SlipwayError } from "../../../errors.js";
import { releaseFromObject, type HelmRelease } from "../../../release/codec.js";
import { JsonStruct } from "../../../template/json.js";
import type { CommandContext } from "../../context.js";
import type { FlagSpec } from "../../flags.js";
import { formatGoTime } from "../../../ui/log-time.js";
import {
  appVersion,
  chartName,
  encodeJson,
  encodeTable,
  encodeYaml,
  goTimeString,
  helmSubcommand,
  helmTarget,
  outputFormat,
  outputFlag,
  type HelmCommonValues,
  type ParsedHelmArgs,
} from "./common.js";

interface ListValues extends HelmCommonValues {
  short: boolean;
  noHeaders: boolean;
  timeFormat: string;
  date: boolean;
  reverse: boolean;
  all: boolean;
  uninstalled: boolean;
  superseded: boolean;
  uninstalling: boolean;
  deployed: boolean;
  failed: boolean;
  pending: boolean;
  allNamespaces: boolean;
  max: number;
  offset: number;
  filter: string;
}

const FLAGS: readonly FlagSpec<ListValues>[] = [
  { kind: "bool", name: "short", short: "q", key: "short", default: false, description: "output short (quiet) listing format" },
  { kind: "bool", name: "no-headers", key: "noHeaders", default: false, description: "don't print headers when using the default output format" },
  { kind: "string", name: "time-format", key: "timeFormat", default: "", description: 'format time using golang time formatter. Example: --time-format "2006-01-02 15:04:05Z0700"' },
  { kind: "bool", name: "date", short: "d", key: "date", default: false, description: "sort by release date" },
  { kind: "bool", name: "reverse", short: "r", key: "reverse", default: false, description: "reverse the sort order" },
  { kind: "bool", name: "all", short: "a", key: "all", default: false, description: "show all releases without any filter applied" },
  { kind: "bool", name: "uninstalled", key: "uninstalled", default: false, description: "show uninstalled releases (if 'helm uninstall --keep-history' was used)" },
  { kind: "bool", name: "superseded", key: "superseded", default: false, description: "show superseded releases" },
  { kind: "bool", name: "uninstalling", key: "uninstalling", default: false, description: "show releases that are currently being uninstalled" },
  { kind: "bool", name: "deployed", key: "deployed", default: false, description: "show deployed releases. If no other is specified, this will be automatically enabled" },
  { kind: "bool", name: "failed", key: "failed", default: false, description: "show failed releases" },
  { kind: "bool", name: "pending", key: "pending", default: false, description: "show pending releases" },
  { kind: "bool", name: "all-namespaces", short: "A", key: "allNamespaces", default: false, description: "list releases across all namespaces" },
  { kind: "int", name: "max", short: "m", key: "max", default: 256, description: "maximum number of releases to fetch" },
  { kind: "int", name: "offset", key: "offset", default: 0, description: "next release index in the list, used to offset from start value" },
  { kind: "string", name: "filter", short: "f", key: "filter", default: "", description: "a regular expression. Any releases that match the expression will be included in the results" },
  outputFlag(),
];


/** The statuses shown, as action.List's state mask. */
function statusMask(v: ListValues): ReadonlySet<string> | "all" {
  if (v.all) return "all";
  const mask = new Set<string>();
  if (v.deployed) mask.add("deployed");
  if (v.uninstalled) mask.add("uninstalled");
  if (v.uninstalling) mask.add("uninstalling");
  if (v.pending) for (const s of ["pending-install", "pending-upgrade", "pending-rollback"]) mask.add(s);
  if (v.superseded) mask.add("superseded");
  if (v.failed) mask.add("failed");
  if (mask.size === 0) return new Set(["deployed", "failed"]);
  return mask;
}

function lastDeployedMs(r: HelmRelease): number {
  const t = Date.parse(r.info.last_deployed ?? "");
  return Number.isNaN(t) ? 0 : t;
}

async function run(parsed: ParsedHelmArgs<ListValues>, ctx: CommandContext): Promise<void> {
  const v = parsed.values;
  if (parsed.positionals.length > 0) throw new SlipwayError(`unknown command ${JSON.stringify(parsed.positionals[0])} for "${ctx.programName} helm list"`, { code: "usage" });
  const format = outputFormat(v.output);
  let filter: RegExp | undefined;
  try {
    filter = v.filter === "" ? undefined : new RegExp(v.filter, "u");
  } catch (err) {
    throw new SlipwayError(`error parsing regexp: ${(err as Error).message}`, { code: "usage" });
  }
  const target = await helmTarget(v, ctx);
  let releases: HelmRelease[];
  try {
    const kind = target.storage.driver === "secret" ? "Secret" : "ConfigMap";
    const list = await target.kube.list({ apiVersion: "v1", kind, ...(v.allNamespaces ? {} : { namespace: target.namespace }), labelSelector: "owner=helm" }, { signal: ctx.signal });
    releases = [];
    for (const item of list.items) {
      try {
        releases.push(releaseFromObject(item));
      } catch {
        // helm skips records it cannot decode
      }
    }
  } finally {
    target.kube.close();
  }
  if (filter !== undefined) releases = releases.filter((r) => filter.test(r.name));
  const mask = statusMask(v);
  if (!(mask !== "all" && mask.size === 1 && mask.has("superseded"))) {
    const latest = new Map<string, HelmRelease>();
    for (const r of releases) {
      const key = `${r.namespace}/${r.name}`;
      const seen = latest.get(key);
      if (seen === undefined || seen.version <= r.version) latest.set(key, r);
    }
    releases = [...latest.values()];
  }
  if (mask !== "all") releases = releases.filter((r) => mask.has(r.info.status ?? "unknown"));
  const byName = (a: HelmRelease, b: HelmRelease): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (v.date) releases.sort((a, b) => (v.reverse ? 1 : -1) * (lastDeployedMs(a) - lastDeployedMs(b)) || byName(a, b));
  else releases.sort((a, b) => (v.reverse ? -1 : 1) * byName(a, b));
  const limit = v.max > 0 ? v.max : releases.length;
  releases = v.offset >= releases.length ? [] : releases.slice(v.offset, v.offset + limit);

  if (v.short) {
    const names = releases.map((r) => r.name);
    ctx.stdout.write(format === "json" ? encodeJson(names) : format === "yaml" ? encodeYaml(names) : names.map((n) => `${n}\n`).join(""));
    return;
  }
  const updated = (r: HelmRelease): string => {
    if (v.timeFormat !== "") {
      const ms = Date.parse(r.info.last_deployed ?? "");
      if (!Number.isNaN(ms)) return formatGoTime(ms, v.timeFormat, 0);
    }
    return goTimeString(r.info.last_deployed) ?? "-";
  };
  const rows = releases.map((r) => [r.name, r.namespace, String(r.version), updated(r), r.info.status ?? "unknown", chartName(r), appVersion(r)]);
  if (format === "table") {
    ctx.stdout.write(encodeTable(v.noHeaders ? rows : [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"], ...rows]));
    return;
  }
  const keys = ["name", "namespace", "revision", "updated", "status", "chart", "app_version"];
  const items = rows.map((row) => new JsonStruct(keys.map((k, i) => [k, row[i] ?? ""] as const)));
  ctx.stdout.write(format === "json" ? encodeJson(items) : encodeYaml(items));
}

export const HELM_LIST = helmSubcommand({ name: "list", aliases: ["ls"], usage: "list [options]", summary: "list releases", flags: FLAGS, body: run });
