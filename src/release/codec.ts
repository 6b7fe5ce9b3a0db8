/**
 * @module release/codec
 *
 * Helm 3's release record exactly as helm v3.17.3 stores it (and nelm, unchanged): the JSON with Go's field order
 * and omitempty rules (encoding/json with HTML escaping, sorted map keys, Go's float format), base64(gzip level 9)
 * in `data.release`, the Secret/ConfigMap storage object with Helm's labels, the release's `chart` field for a
 * loaded chart, and the pure history rules nelm applies (previous, last deployed, next revision, deploy type, what
 * to prune). Takes plain data and slipway's chart model; gives plain data. No I/O; imports only src/template's Go
 * JSON primitives, the chart model and the kube types.
 */
import type { Chart } from "../chart/types.js";
import { SlipwayError } from "../errors.js";
import type { KubeObject } from "../kube/types.js";
import { ChartMetadata } from "../template/helm/objects.js";
import { jsonFloat, jsonString, JsonStruct, marshalJson } from "../template/json.js";
import { compareStrings, GoInt, isMap } from "../template/value.js";

export type ReleaseStatus =
  | "unknown"
  | "deployed"
  | "uninstalled"
  | "superseded"
  | "failed"
  | "uninstalling"
  | "pending-install"
  | "pending-upgrade"
  | "pending-rollback";

export interface HelmHook {
  name?: string;
  kind?: string;
  path?: string;
  manifest?: string;
  events?: string[];
  /** Go structs: always written; a zero time is "". */
  last_run: { started_at?: string; completed_at?: string; phase: string };
  weight?: number;
  delete_policies?: string[];
}

export interface HelmFile {
  name: string;
  /** base64 of the bytes. */
  data: string;
}

export interface HelmChartRecord {
  /** chart.Metadata by JSON tag (name, version, apiVersion, dependencies[], ...). */
  metadata: Record<string, unknown> | null;
  /** Chart.lock ({generated, digest, dependencies}) or null. */
  lock: unknown;
  templates: HelmFile[] | null;
  /** The chart's values.yaml; null when the chart has none. */
  values: unknown;
  /** base64 of values.schema.json, or null. */
  schema: string | null;
  files: HelmFile[] | null;
}

export interface HelmReleaseInfo {
  first_deployed?: string;
  last_deployed?: string;
  deleted: string;
  description?: string;
  status?: ReleaseStatus;
  notes?: string;
  resources?: Record<string, unknown[]>;
  /** nelm's extensions of release.Info, kept on a round trip. */
  last_phase?: unknown;
  last_stage?: number;
  annotations?: Record<string, string>;
}

export interface HelmRelease {
  name: string;
  info: HelmReleaseInfo;
  chart: HelmChartRecord;
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: HelmHook[];
  version: number;
  namespace: string;
  /**
   * The storage object's labels (Helm's `Release.Labels`, `json:"-"`): every label when read from the cluster,
   * else the custom `--release-label`s. Never part of the JSON.
   */
  labels?: Record<string, string>;
}

// ---- Go time ----

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Go's time.Time JSON (RFC3339Nano) in the machine's local zone, as Helm's `time.Now()` writes it: trailing zeros
 * of the fraction dropped, `Z` for UTC, else `+hh:mm`.
 */
export function goTime(ms: number, extraNs = 0): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const base = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000 + extraNs;
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  const zone = offsetMin === 0 ? "Z" : `${offsetMin > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${base}${frac === "" ? "" : `.${frac}`}${zone}`;
}

/** Now, with the sub-millisecond part the clock gives (Go has nanoseconds; Node has about microseconds). */
export function goTimeNow(): string {
  const now = performance.timeOrigin + performance.now();
  const ms = Math.floor(now);
  return goTime(ms, Math.floor((now - ms) * 1_000_000));
}

// ---- encoding/json ----

/**
 * A value of interface{} type (values, config, import-values): maps by sorted key, numbers as float64. Accepts
 * both plain JSON data (decoded records) and slipway's Go values (Map, GoInt, []byte) from the chart loader.
 */
function anyJson(v: unknown): string {
  if (v === undefined || v === null) return "null";
  switch (typeof v) {
    case "string":
      return jsonString(v);
    case "number":
      return jsonFloat(v);
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    default:
      break;
  }
  if (v instanceof GoInt) return v.v.toString();
  if (v instanceof Uint8Array) return jsonString(Buffer.from(v).toString("base64"));
  if (Array.isArray(v)) return `[${v.map(anyJson).join(",")}]`;
  if (isMap(v)) return objectJson([...v.keys()].map((k) => [k, v.get(k)]));
  if (v instanceof JsonStruct || (typeof v === "object" && "toJSONValue" in v)) return marshalJson(v);
  return objectJson(Object.entries(v));
}

function objectJson(entries: [string, unknown][]): string {
  entries.sort((a, b) => compareStrings(a[0], b[0]));
  return `{${entries.map(([k, e]) => `${jsonString(k)}:${anyJson(e)}`).join(",")}}`;
}

/** Go's omitempty: false, 0, "", nil, and empty slices, maps and strings are left out. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return v.size === 0;
  if (typeof v === "object" && !(v instanceof GoInt) && !(v instanceof Uint8Array) && !(v instanceof JsonStruct)) {
    return Object.keys(v).length === 0;
  }
  return false;
}

type Field = readonly [tag: string, value: unknown, omitempty: boolean, encode?: (v: unknown) => string];

/** A Go struct: fields in declaration order. */
function struct(fields: readonly Field[]): string {
  const parts: string[] = [];
  for (const [tag, value, omitempty, encode] of fields) {
    if (omitempty && isEmpty(value)) continue;
    parts.push(`${jsonString(tag)}:${(encode ?? anyJson)(value)}`);
  }
  return `{${parts.join(",")}}`;
}

const str = (v: unknown): string => jsonString(typeof v === "string" ? v : "");
/** helm's time.Time: a struct, so omitempty never drops it; the zero time is "". */
const time = str;
const int = (v: unknown): string => (typeof v === "number" ? String(Math.trunc(v)) : v instanceof GoInt ? v.v.toString() : "0");
const list =
  (item: (v: unknown) => string) =>
  (v: unknown): string =>
    Array.isArray(v) ? `[${v.map((e) => (e === null ? "null" : item(e))).join(",")}]` : "null";
const strings = list(str);

function field(o: unknown, key: string): unknown {
  if (isMap(o)) return o.get(key);
  return o !== null && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined;
}

function maintainerJson(m: unknown): string {
  return struct([
    ["name", field(m, "name"), true, str],
    ["email", field(m, "email"), true, str],
    ["url", field(m, "url"), true, str],
  ]);
}

function dependencyJson(d: unknown): string {
  return struct([
    ["name", field(d, "name") ?? "", false, str],
    ["version", field(d, "version"), true, str],
    ["repository", field(d, "repository") ?? "", false, str],
    ["condition", field(d, "condition"), true, str],
    ["tags", field(d, "tags"), true, strings],
    ["enabled", field(d, "enabled"), true],
    ["import-values", field(d, "import-values") ?? field(d, "importValues"), true],
    ["alias", field(d, "alias"), true, str],
  ]);
}

function metadataJson(m: unknown): string {
  if (m === null || m === undefined) return "null";
  const f = (k: string): unknown => field(m, k);
  return struct([
    ["name", f("name"), true, str],
    ["home", f("home"), true, str],
    ["sources", f("sources"), true, strings],
    ["version", f("version"), true, str],
    ["description", f("description"), true, str],
    ["keywords", f("keywords"), true, strings],
    ["maintainers", f("maintainers"), true, list(maintainerJson)],
    ["icon", f("icon"), true, str],
    ["apiVersion", f("apiVersion"), true, str],
    ["condition", f("condition"), true, str],
    ["tags", f("tags"), true, str],
    ["appVersion", f("appVersion"), true, str],
    ["deprecated", f("deprecated"), true],
    ["annotations", f("annotations"), true],
    ["kubeVersion", f("kubeVersion"), true, str],
    ["dependencies", f("dependencies"), true, list(dependencyJson)],
    ["type", f("type"), true, str],
  ]);
}

function lockJson(l: unknown): string {
  if (l === null || l === undefined) return "null";
  return struct([
    ["generated", field(l, "generated") ?? "0001-01-01T00:00:00Z", false, str],
    ["digest", field(l, "digest") ?? "", false, str],
    ["dependencies", field(l, "dependencies") ?? null, false, list(dependencyJson)],
  ]);
}

const fileJson = (f: unknown): string =>
  struct([
    ["name", field(f, "name") ?? "", false, str],
    ["data", field(f, "data") ?? null, false, (v) => (typeof v === "string" ? jsonString(v) : "null")],
  ]);

function chartJson(c: HelmChartRecord): string {
  return struct([
    ["metadata", c.metadata, false, metadataJson],
    ["lock", c.lock, false, lockJson],
    ["templates", c.templates, false, list(fileJson)],
    ["values", c.values, false],
    ["schema", c.schema, false, (v) => (typeof v === "string" ? jsonString(v) : "null")],
    ["files", c.files, false, list(fileJson)],
  ]);
}

function hookJson(h: unknown): string {
  const f = (k: string): unknown => field(h, k);
  const lastRun = f("last_run");
  return struct([
    ["name", f("name"), true, str],
    ["kind", f("kind"), true, str],
    ["path", f("path"), true, str],
    ["manifest", f("manifest"), true, str],
    ["events", f("events"), true, strings],
    [
      "last_run",
      lastRun,
      false,
      (r) =>
        struct([
          ["started_at", field(r, "started_at"), false, time],
          ["completed_at", field(r, "completed_at"), false, time],
          ["phase", field(r, "phase"), false, str],
        ]),
    ],
    ["weight", f("weight"), true, int],
    ["delete_policies", f("delete_policies"), true, strings],
  ]);
}

function infoJson(i: HelmReleaseInfo): string {
  return struct([
    ["first_deployed", i.first_deployed, false, time],
    ["last_deployed", i.last_deployed, false, time],
    ["deleted", i.deleted, false, time],
    ["description", i.description, true, str],
    ["status", i.status, true, str],
    ["notes", i.notes, true, str],
    ["resources", i.resources, true],
    // Pointers: omitted only when nil, so a stage 0 stays.
    ...(i.last_phase === undefined || i.last_phase === null ? [] : [["last_phase", i.last_phase, false] as const]),
    ...(i.last_stage === undefined || i.last_stage === null ? [] : [["last_stage", i.last_stage, false, int] as const]),
    ["annotations", i.annotations, true],
  ]);
}

/** json.Marshal(release) as Helm's storage driver calls it. */
export function releaseJson(r: HelmRelease): string {
  return struct([
    ["name", r.name, true, str],
    ["info", r.info, false, (i) => infoJson(i as HelmReleaseInfo)],
    ...((r.chart as HelmChartRecord | null | undefined) == null ? [] : [["chart", r.chart, false, (c: unknown) => chartJson(c as HelmChartRecord)] as const]),
    ["config", r.config, true],
    ["manifest", r.manifest, true, str],
    ["hooks", r.hooks, true, list(hookJson)],
    ["version", r.version, true, int],
    ["namespace", r.namespace, true, str],
  ]);
}

// ---- storage encoding ----

/** The driver string of `data.release`: base64(gzip -9 (JSON)). */
export function encodeRelease(release: HelmRelease): string {
  return process.getBuiltinModule("node:zlib").gzipSync(Buffer.from(releaseJson(release), "utf8"), { level: 9 }).toString("base64");
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08] as const;

/** The JSON text inside a driver string (gzip is optional: very old records are plain). */
export function decodeReleaseJson(data: string): string {
  const raw = Buffer.from(data, "base64");
  const gz = raw.length > 3 && GZIP_MAGIC.every((b, i) => raw[i] === b);
  return (gz ? process.getBuiltinModule("node:zlib").gunzipSync(raw) : raw).toString("utf8");
}

export function decodeRelease(data: string): HelmRelease {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeReleaseJson(data));
  } catch (err) {
    throw new SlipwayError(`decode release: ${(err as Error).message}`, { code: "deploy", cause: err });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new SlipwayError("decode release: the record is not a JSON object", { code: "deploy" });
  }
  const r = parsed as Partial<HelmRelease>;
  // Go's decoder leaves absent fields at their zero values; later code relies on these being set.
  const info: HelmReleaseInfo = r.info ?? { deleted: "" };
  return {
    ...r,
    name: r.name ?? "",
    info: { ...info, deleted: info.deleted ?? "" },
    chart: r.chart ?? { metadata: null, lock: null, templates: null, values: null, schema: null, files: null },
    version: r.version ?? 0,
    namespace: r.namespace ?? "",
  };
}

export type StorageDriver = "secret" | "configmap";

export function storageName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** Labels Helm's drivers own; everything else on a record is a custom release label. */
export const SYSTEM_LABELS: readonly string[] = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];

/**
 * The labels Helm's driver writes. Helm merges the record's labels twice (before and after stamping
 * `createdAt`/`modifiedAt`), so a stamp already among the record's labels wins over the new one; we keep that.
 */
export function storageLabels(release: HelmRelease, stamp: "createdAt" | "modifiedAt", nowSeconds: number, customLabels?: Readonly<Record<string, string>>): Record<string, string> {
  const own = release.labels ?? customLabels ?? {};
  return {
    ...own,
    [stamp]: String(nowSeconds),
    ...own,
    name: release.name,
    owner: "helm",
    status: release.info.status ?? "",
    version: String(release.version),
  };
}

/** The storage object for a record; `createdAt` on create, `modifiedAt` on update, as Helm's drivers label them. */
export function storageObject(
  driver: StorageDriver,
  release: HelmRelease,
  options: { customLabels?: Readonly<Record<string, string>>; nowSeconds: number; update: boolean },
): KubeObject {
  const labels = storageLabels(release, options.update ? "modifiedAt" : "createdAt", options.nowSeconds, options.customLabels);
  const data = encodeRelease(release);
  const metadata = { name: storageName(release.name, release.version), namespace: release.namespace, labels };
  if (driver === "configmap") return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { release: data } };
  return { apiVersion: "v1", kind: "Secret", metadata, type: "helm.sh/release.v1", data: { release: Buffer.from(data).toString("base64") } };
}

/** The release inside a storage object (Secret data is base64 once more), with the object's labels. */
export function releaseFromObject(object: KubeObject): HelmRelease {
  const data = (object["data"] as Record<string, string> | undefined)?.["release"] ?? "";
  const text = object.kind === "Secret" ? Buffer.from(data, "base64").toString("utf8") : data;
  const release = decodeRelease(text);
  release.labels = { ...object.metadata.labels };
  return release;
}

// ---- the chart field ----

const b64 = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");

export interface ChartRecordOptions {
  /** Helm leaves `values` null when the chart has no values.yaml (slipway's loader keeps an empty map then). */
  readonly hasValuesFile?: boolean;
  /** The parsed Chart.lock (slipway's loader skips the file), else null. */
  readonly lock?: unknown;
}

/**
 * The `chart` field of a release record for slipway's loaded top chart, after its dependencies were processed
 * (so `dependencies[].enabled` is set and disabled ones are gone, as Helm stores them). Subcharts are not part of
 * the record: Helm's Chart has no exported field for them.
 */
export function chartRecord(chart: Chart, values: unknown = chart.values, options: ChartRecordOptions = {}): HelmChartRecord {
  // The template engine's *chart.Metadata already knows the Go struct with its omitempty tags.
  const fields = new Map(chart.metadata);
  fields.delete("IsRoot");
  const metadata = JSON.parse(marshalJson(new ChartMetadata(fields))) as Record<string, unknown>;
  const empty = isMap(values) ? values.size === 0 : values === null || values === undefined;
  return {
    metadata,
    lock: options.lock ?? null,
    templates: chart.templates.length === 0 ? null : chart.templates.map((t) => ({ name: t.name, data: b64(t.data) })),
    values: options.hasValuesFile === false && empty ? null : values,
    schema: chart.schema === null ? null : b64(chart.schema),
    files: chart.files.length === 0 ? null : chart.files.map((f) => ({ name: f.name, data: b64(f.data) })),
  };
}

// ---- history ----

export type DeployType = "initial" | "install" | "upgrade";

export interface History {
  /** By revision, oldest first. */
  readonly releases: readonly HelmRelease[];
  /** nelm's prevRelease: the latest revision, whatever its status. */
  readonly previous: HelmRelease | undefined;
  /** nelm's prevDeployedRelease: the latest deployed/superseded revision after the latest uninstalled one. */
  readonly lastDeployed: HelmRelease | undefined;
  readonly nextRevision: number;
  readonly deployType: DeployType;
  /** failed, unknown, pending-* or uninstalling: the next run re-checks unchanged resources. */
  readonly previousFailed: boolean;
  /** Helm's `Deployed()`: the latest record whose status is `deployed`, which pruning never removes. */
  readonly latestDeployedStatus: HelmRelease | undefined;
}

const FAILED_STATUSES: ReadonlySet<string> = new Set(["failed", "unknown", "pending-install", "pending-upgrade", "pending-rollback", "uninstalling"]);

export function isStatusFailed(status: string | undefined): boolean {
  return FAILED_STATUSES.has(status ?? "");
}

export function history(records: readonly HelmRelease[]): History {
  const releases = [...records].sort((a, b) => a.version - b.version);
  const previous = releases.at(-1);
  let lastDeployed: HelmRelease | undefined;
  let latestDeployedStatus: HelmRelease | undefined;
  for (const r of releases) {
    const status = r.info.status;
    if (status === "uninstalled" || status === "uninstalling") lastDeployed = undefined;
    else if (status === "deployed" || status === "superseded") lastDeployed = r;
    if (status === "deployed") latestDeployedStatus = r;
  }
  return {
    releases,
    previous,
    lastDeployed,
    nextRevision: (previous?.version ?? 0) + 1,
    deployType: lastDeployed !== undefined ? "upgrade" : previous !== undefined ? "install" : "initial",
    previousFailed: previous !== undefined && isStatusFailed(previous.info.status),
    latestDeployedStatus,
  };
}

/**
 * What a run that holds the release lock rewrites of records left behind by a run that died (kill -9, a lost node):
 * a `pending-*` revision becomes `failed` (nelm already treats pending as failed; the stored status now says so, so
 * `helm upgrade` and `helm rollback` are not blocked by "another operation is in progress"), and of several
 * `deployed` revisions (a death between marking the new one deployed and the old one superseded) all but the newest
 * become `superseded`. Under the lock no live run can own such a record. Pure: gives the records to write.
 */
export function interruptedRepairs(records: readonly HelmRelease[]): HelmRelease[] {
  const sorted = [...records].sort((a, b) => a.version - b.version);
  const newestDeployed = sorted.findLast((r) => r.info.status === "deployed")?.version;
  const out: HelmRelease[] = [];
  for (const r of sorted) {
    const status = r.info.status;
    if (status === "pending-install" || status === "pending-upgrade" || status === "pending-rollback") {
      const action = status === "pending-install" ? "Install" : status === "pending-upgrade" ? "Upgrade" : "Rollback";
      out.push({ ...r, info: { ...r.info, status: "failed", description: `${action} failed: interrupted: the run that wrote this revision ended before finishing it` } });
    } else if (status === "deployed" && r.version !== newestDeployed) {
      out.push({ ...r, info: { ...r.info, status: "superseded" } });
    }
  }
  return out;
}

/**
 * Revisions Helm's storage deletes before creating one more so that at most `max` remain (werf's default is 5;
 * `max <= 0` keeps everything): oldest first, never the latest record with status `deployed`. 
 * `lastDeployed` overrides which revision is protected; by default it is Helm's choice (`latestDeployedStatus`).
 */
export function revisionsToPrune(releases: readonly HelmRelease[], max: number, lastDeployed?: number): number[] {
  if (max <= 0) return [];
  const keep = max - 1;
  if (releases.length <= keep) return [];
  const sorted = [...releases].sort((a, b) => a.version - b.version);
  const protectedRevision = lastDeployed ?? history(releases).latestDeployedStatus?.version;
  const out: number[] = [];
  for (const r of sorted) {
    if (sorted.length - out.length === keep) break;
    if (r.version !== protectedRevision) out.push(r.version);
  }
  return out;
}
