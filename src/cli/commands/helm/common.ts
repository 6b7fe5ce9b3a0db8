// What every `helm` subcommand shares: the connection flags (the kube group of converge's flag table, plus helm's
// `-n/--namespace`, `--release-storage` and `--log-debug`), `-o/--output`, the release records of one release, and
// helm 3.17.3's output primitives (uitable's tab-separated padded columns, Go's time formats).
import { SlipwayError } from "../../../errors.js";
import type { ClosableKubeClient } from "../../../kube/client.js";
import { history as releaseHistory, type HelmRelease } from "../../../release/codec.js";
import type { ReleaseStorage } from "../../../release/storage.js";
import { marshalJson } from "../../../template/json.js";
import { marshalYaml } from "../../../template/yaml/index.js";
import { formatGoTime } from "../../../ui/log-time.js";
import type { CommandContext } from "../../context.js";
import { parseFlags, renderCommandHelp, renderFlagsHelp, visibleFlagNames, type FlagSpec } from "../../flags.js";
import { goQuote } from "../../go-values.js";
import { CONVERGE_FLAGS, KUBE_OPTION_KEYS, kubeConfigMergeList, type ConvergeFlagValues, type KubeOptions } from "../../options.js";

/** One `helm` subcommand, as the group's registry lists it. */
export interface HelmSubcommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly summary: string;
  readonly help: (programName: string) => string;
  readonly run: (args: readonly string[], ctx: CommandContext) => void | Promise<void>;
  /** Long flag names (without `--`), for shell completion. */
  readonly flags: () => readonly string[];
}

export type OutputFormat = "table" | "json" | "yaml";

/** The fields of the shared flags; a subcommand's own flags add theirs. */
export interface HelmCommonValues extends ConvergeFlagValues {
  output: string;
}

const SHARED_NAMES = new Set(["namespace", "release-storage", "log-debug"]);

/** Connection flags from converge's table (one definition for both), with helm's `-n` for --namespace. */
export const HELM_CONNECTION_FLAGS: readonly FlagSpec<HelmCommonValues>[] = CONVERGE_FLAGS.filter(
  (spec) => spec.group === "kube" || SHARED_NAMES.has(spec.name),
).map((spec) => (spec.name === "namespace" ? { ...spec, short: "n", description: "Namespace of the release (default: the kube context's namespace, else default)" } : spec));

const OUTPUT_SPEC: FlagSpec<HelmCommonValues> = {
  kind: "string",
  name: "output",
  short: "o",
  key: "output",
  default: "table",
  description: "Prints the output in the specified format. Allowed values: table, json, yaml",
};

/** `-o/--output table|json|yaml`, typed for a subcommand's values. */
export function outputFlag<V extends HelmCommonValues>(): FlagSpec<V> {
  return OUTPUT_SPEC as unknown as FlagSpec<V>;
}

const TIMEOUT_SPEC: FlagSpec<HelmCommonValues & { timeout: number }> = {
  kind: "duration",
  name: "timeout",
  key: "timeout",
  default: 300_000,
  description: "time to wait for any individual Kubernetes operation (like Jobs for hooks)",
};

/** helm's `--timeout 5m0s`, typed for a subcommand's values. */
export function timeoutFlag<V extends HelmCommonValues & { timeout: number }>(): FlagSpec<V> {
  return TIMEOUT_SPEC as unknown as FlagSpec<V>;
}

/** helm's `--wait`: accepted, since slipway always waits for what it changed. */
export function waitFlag<V extends HelmCommonValues & { wait: boolean }>(until: string): FlagSpec<V> {
  const spec: FlagSpec<HelmCommonValues & { wait: boolean }> = { kind: "bool", name: "wait", key: "wait", default: false, description: `accepted for helm compatibility: slipway always waits until ${until}` };
  return spec as unknown as FlagSpec<V>;
}

export interface ParsedHelmArgs<V> {
  readonly help: boolean;
  readonly values: V & HelmCommonValues;
  readonly positionals: readonly string[];
}

/** Parses a subcommand's arguments: its own flags plus the connection flags. */
export function parseHelmArgs<V>(args: readonly string[], own: readonly FlagSpec<V & HelmCommonValues>[], ctx: CommandContext): ParsedHelmArgs<V> {
  const specs = [...(HELM_CONNECTION_FLAGS as readonly FlagSpec<V & HelmCommonValues>[]), ...own];
  const parsed = parseFlags(specs, args, ctx.env);
  return { help: parsed.help, values: parsed.values as unknown as V & HelmCommonValues, positionals: parsed.positionals };
}

export function outputFormat(value: string): OutputFormat {
  if (value === "table" || value === "json" || value === "yaml") return value;
  throw new SlipwayError(`invalid argument ${goQuote(value)} for "-o, --output" flag: invalid format type`, { code: "usage" });
}

/** cobra's ExactArgs(n), worded as cobra words it. */
export function exactArgs(positionals: readonly string[], n: number): void {
  if (positionals.length !== n) throw new SlipwayError(`accepts ${n} arg(s), received ${positionals.length}`, { code: "usage" });
}

export function helmSubcommandHelp<V>(programName: string, c: { name: string; usage: string; summary: string; flags: readonly FlagSpec<V>[] }): string {
  return renderCommandHelp({
    summary: c.summary,
    usage: `${programName} helm ${c.usage}`,
    flags: renderFlagsHelp([...(HELM_CONNECTION_FLAGS as readonly FlagSpec<V>[]), ...c.flags], `helm ${c.name}`),
  });
}

/**
 * A subcommand from its flags and its body: `--help` prints the help (connection flags included), anything else is
 * parsed (own flags plus connection flags) and handed to `body`.
 */
export function helmSubcommand<V extends HelmCommonValues>(c: {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec<V>[];
  readonly body: (parsed: ParsedHelmArgs<V>, ctx: CommandContext) => void | Promise<void>;
}): HelmSubcommand {
  const help = (programName: string): string => helmSubcommandHelp(programName, c);
  return {
    name: c.name,
    ...(c.aliases === undefined ? {} : { aliases: c.aliases }),
    summary: c.summary,
    help,
    run: async (args, ctx) => {
      const parsed = parseHelmArgs(args, c.flags, ctx);
      if (parsed.help) ctx.stdout.write(help(ctx.programName));
      else await c.body(parsed, ctx);
    },
    flags: () => helmFlagNames(c.flags),
  };
}

/** The visible long names of a subcommand's flags, for completion. */
export function helmFlagNames(own: readonly { name: string; hidden?: boolean }[]): string[] {
  return visibleFlagNames([...HELM_CONNECTION_FLAGS, ...own]);
}

export interface HelmTarget {
  readonly kube: ClosableKubeClient;
  readonly namespace: string;
  readonly storage: ReleaseStorage;
}

/**
 * The cluster connection and release storage of the parsed flags; the caller closes `kube`. The kube client and the
 * storage load here, so that `helm template` and `helm secret` never load them.
 */
export async function helmTarget(values: HelmCommonValues, ctx: CommandContext): Promise<HelmTarget> {
  const [{ createKubeClient }, { createReleaseStorage, storageDriver }] = await Promise.all([import("../../../kube/client.js"), import("../../../release/storage.js")]);
  const all = values as unknown as Readonly<Record<string, unknown>>;
  const kubeOptions = {
    ...Object.fromEntries(KUBE_OPTION_KEYS.filter((k) => k !== "kubeConfigPathMergeList").map((k) => [k, all[k]])),
    kubeConfigPathMergeList: kubeConfigMergeList(ctx.env),
  } as unknown as KubeOptions;
  const kube = createKubeClient(kubeOptions, ctx.env);
  const namespace = values.namespace !== "" ? values.namespace : kube.defaultNamespace;
  // HELM_DRIVER is helm's own variable for the storage driver; werf reads it after WERF_RELEASE_STORAGE.
  const driver = storageDriver(values.releaseStorage !== "" ? values.releaseStorage : (ctx.env["HELM_DRIVER"] ?? ""));
  return { kube, namespace, storage: createReleaseStorage(kube, namespace, { driver }) };
}

/** Every revision of a release; helm's `release: not found` when there is none. */
export async function releaseRecords(storage: ReleaseStorage, name: string, signal: AbortSignal): Promise<HelmRelease[]> {
  const records = await storage.list(name, { signal });
  if (records.length === 0) throw new SlipwayError("release: not found", { code: "deploy" });
  return records;
}

/** action.Get: the given revision, or with 0 the latest one (by revision, whatever its status). */
export async function releaseRevision(storage: ReleaseStorage, name: string, revision: number, signal: AbortSignal): Promise<HelmRelease> {
  const records = await releaseRecords(storage, name, signal);
  const found = revision > 0 ? records.find((r) => r.version === revision) : releaseHistory(records).releases.at(-1);
  if (found === undefined) throw new SlipwayError("release: not found", { code: "deploy" });
  return found;
}

// ---- helm's output primitives ----

/** gosuri/uitable as helm uses it: every cell padded to its column's width, cells joined by a tab. */
export function uiTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) => row.map((cell, i) => cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - [...cell].length))).join("\t")).join("\n");
}

/** output.EncodeTable: the table and a newline. */
export function encodeTable(rows: readonly (readonly string[])[]): string {
  return rows.length === 0 ? "\n" : `${uiTable(rows)}\n`;
}

/** output.EncodeJSON: json.Encoder (compact, HTML-escaped) with its newline. */
export function encodeJson(value: unknown): string {
  return `${marshalJson(value)}\n`;
}

/** output.EncodeYAML: sigs.k8s.io/yaml. */
export function encodeYaml(value: unknown): string {
  return marshalYaml(value);
}

/** A Go RFC3339Nano time from a release record: epoch milliseconds, the sub-millisecond digits and the zone. */
interface GoInstant {
  readonly ms: number;
  readonly nanos: number;
  readonly offsetMinutes: number;
  readonly utc: boolean;
}

function parseGoInstant(text: string | undefined): GoInstant | undefined {
  if (text === undefined || text === "") return undefined;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) return undefined;
  const [, base = "", frac = "", zone = "Z"] = m;
  const offsetMinutes = zone === "Z" ? 0 : (zone.startsWith("-") ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const ms = Date.parse(`${base}Z`) - offsetMinutes * 60_000;
  if (Number.isNaN(ms)) return undefined;
  // Go's zero time (an unset field written by Go) is "not set", as helm's IsZero checks.
  if (base === "0001-01-01T00:00:00" && frac === "" && offsetMinutes === 0) return undefined;
  return { ms, nanos: Number(frac.padEnd(9, "0")), offsetMinutes, utc: zone === "Z" || offsetMinutes === 0 };
}

/** time.ANSIC (`Mon Jan _2 15:04:05 2006`) of a record's time in its own zone; Go's zero time when unset. */
export function ansicTime(text: string | undefined): string {
  const t = parseGoInstant(text);
  if (t === undefined) return "Mon Jan  1 00:00:00 0001";
  return formatGoTime(t.ms, "Mon Jan _2 15:04:05 2006", t.offsetMinutes);
}

/** time.Time.String(): `2006-01-02 15:04:05.999999999 -0700 MST` (UTC for a zero offset, as Go reads `Z`). */
export function goTimeString(text: string | undefined): string | undefined {
  const t = parseGoInstant(text);
  if (t === undefined) return undefined;
  const frac = String(t.nanos).padStart(9, "0").replace(/0+$/, "");
  const sign = t.offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(t.offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  const zone = t.utc ? "UTC" : offset;
  return `${formatGoTime(t.ms, "2006-01-02 15:04:05", t.offsetMinutes)}${frac === "" ? "" : `.${frac}`} ${offset} ${zone}`;
}

/** A string field of the record's chart metadata ("" when absent). */
export function chartField(r: HelmRelease, key: "name" | "version" | "appVersion"): string {
  const value = r.chart.metadata?.[key];
  return typeof value === "string" ? value : "";
}

/** helm's formatChartName / formatAppVersion. */
export function chartName(r: HelmRelease): string {
  return r.chart.metadata === null ? "MISSING" : `${chartField(r, "name")}-${chartField(r, "version")}`;
}

export function appVersion(r: HelmRelease): string {
  return r.chart.metadata === null ? "MISSING" : chartField(r, "appVersion");
}
