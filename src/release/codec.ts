/**
 * @module release/codec
 *
 * Helm 3's release record exactly as helm v3.17.3 stores it (and nelm, unchanged): the JSON shape with Go's field
 * order and omitempty rules, base64(gzip(JSON)) in `data.release`, the storage object's name and labels, and the
 * pure history rules nelm applies (previous, last deployed, next revision, what to prune). No I/O.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { Chart } from "../chart/types.js";
import type { KubeObject } from "../kube/types.js";

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
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: string[];
  last_run: { started_at?: string; completed_at?: string; phase: string };
  weight: number;
  delete_policies?: string[];
}

export interface HelmChartRecord {
  metadata: Record<string, unknown>;
  lock: unknown;
  templates: { name: string; data: string }[];
  values: unknown;
  schema: string | null;
  files: { name: string; data: string }[] | null;
}

export interface HelmRelease {
  name: string;
  info: {
    first_deployed?: string;
    last_deployed?: string;
    deleted: string;
    description?: string;
    status?: ReleaseStatus;
    notes?: string;
  };
  chart: HelmChartRecord;
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: HelmHook[];
  version: number;
  namespace: string;
}

/** Go's RFC3339Nano for a JS time, padded to nanoseconds trimmed of trailing zeros as Go does. */
export function goTime(ms: number, extraNs = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-12-03T05:53:25.036Z
  const base = iso.slice(0, 19);
  const nanos = (ms % 1000) * 1_000_000 + extraNs;
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return `${base}${frac === "" ? "" : `.${frac}`}Z`;
}

export function encodeRelease(release: HelmRelease): string {
  return gzipSync(Buffer.from(JSON.stringify(orderRelease(release))), { level: 9 }).toString("base64");
}

export function decodeRelease(data: string): HelmRelease {
  const raw = Buffer.from(data, "base64");
  const json = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return JSON.parse(json.toString("utf8")) as HelmRelease;
}

/** Go encodes struct fields in declaration order, dropping omitempty zero values. */
function orderRelease(r: HelmRelease): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  if (r.info.first_deployed !== undefined) info["first_deployed"] = r.info.first_deployed;
  if (r.info.last_deployed !== undefined) info["last_deployed"] = r.info.last_deployed;
  info["deleted"] = r.info.deleted;
  if (r.info.description) info["description"] = r.info.description;
  if (r.info.status) info["status"] = r.info.status;
  if (r.info.notes) info["notes"] = r.info.notes;
  const out: Record<string, unknown> = { name: r.name, info, chart: r.chart };
  if (r.config !== undefined && Object.keys(r.config).length > 0) out["config"] = r.config;
  if (r.manifest) out["manifest"] = r.manifest;
  if (r.hooks !== undefined && r.hooks.length > 0) out["hooks"] = r.hooks;
  if (r.version) out["version"] = r.version;
  if (r.namespace) out["namespace"] = r.namespace;
  return out;
}

export type StorageDriver = "secret" | "configmap";

export function storageName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** The storage object for a record; `createdAt` on create, `modifiedAt` on update, as Helm's drivers label them. */
export function storageObject(
  driver: StorageDriver,
  release: HelmRelease,
  options: { customLabels?: Readonly<Record<string, string>>; nowSeconds: number; update: boolean },
): KubeObject {
  const labels: Record<string, string> = {
    ...options.customLabels,
    name: release.name,
    owner: "helm",
    status: release.info.status ?? "unknown",
    version: String(release.version),
    [options.update ? "modifiedAt" : "createdAt"]: String(options.nowSeconds),
  };
  const data = encodeRelease(release);
  const metadata = { name: storageName(release.name, release.version), namespace: release.namespace, labels };
  if (driver === "configmap") return { apiVersion: "v1", kind: "ConfigMap", metadata, data: { release: data } };
  return { apiVersion: "v1", kind: "Secret", metadata, type: "helm.sh/release.v1", data: { release: Buffer.from(data).toString("base64") } };
}

/** The release inside a storage object (Secret data is base64 once more). */
export function releaseFromObject(object: KubeObject): HelmRelease {
  const data = (object["data"] as Record<string, string> | undefined)?.["release"] ?? "";
  const text = object.kind === "Secret" ? Buffer.from(data, "base64").toString("utf8") : data;
  return decodeRelease(text);
}

/** Helm's chart.Metadata in Go field order with omitempty. */
const METADATA_FIELDS: readonly [goName: string, json: string][] = [
  ["Name", "name"],
  ["Home", "home"],
  ["Sources", "sources"],
  ["Version", "version"],
  ["Description", "description"],
  ["Keywords", "keywords"],
  ["Maintainers", "maintainers"],
  ["Icon", "icon"],
  ["APIVersion", "apiVersion"],
  ["Condition", "condition"],
  ["Tags", "tags"],
  ["AppVersion", "appVersion"],
  ["Deprecated", "deprecated"],
  ["Annotations", "annotations"],
  ["KubeVersion", "kubeVersion"],
  ["Dependencies", "dependencies"],
  ["Type", "type"],
];

function goToJson(value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), goToJson(v)]));
  if (Array.isArray(value)) return value.map(goToJson);
  if (value !== null && typeof value === "object" && "toJSON" in value && typeof value.toJSON === "function") return (value.toJSON as () => unknown)();
  return value;
}

function empty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map) return value.size === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

const b64 = (data: Uint8Array): string => Buffer.from(data).toString("base64");

/** The `chart` field of a release record for slipway's loaded top chart. */
export function chartRecord(chart: Chart, values: unknown): HelmChartRecord {
  const metadata: Record<string, unknown> = {};
  for (const [goName, json] of METADATA_FIELDS) {
    const value = chart.metadata.get(goName);
    if (!empty(value)) metadata[json] = goToJson(value);
  }
  if (metadata["apiVersion"] === undefined && chart.apiVersion !== "") metadata["apiVersion"] = chart.apiVersion;
  const files = chart.files.map((f) => ({ name: f.name, data: b64(f.data) }));
  return {
    metadata,
    lock: null,
    templates: chart.templates.map((t) => ({ name: t.name, data: b64(t.data) })),
    values,
    schema: chart.schema === null ? null : b64(chart.schema),
    files: files.length === 0 ? null : files,
  };
}

// ---- history ----

export type DeployType = "initial" | "install" | "upgrade";

export interface History {
  readonly releases: readonly HelmRelease[];
  readonly previous: HelmRelease | undefined;
  readonly lastDeployed: HelmRelease | undefined;
  readonly nextRevision: number;
  readonly deployType: DeployType;
  /** failed, unknown, pending-* or uninstalling: the next run re-checks unchanged resources. */
  readonly previousFailed: boolean;
}

export function history(records: readonly HelmRelease[]): History {
  const releases = [...records].sort((a, b) => a.version - b.version);
  const previous = releases.at(-1);
  let lastDeployed: HelmRelease | undefined;
  for (const r of releases) {
    const status = r.info.status;
    if (status === "uninstalled" || status === "uninstalling") lastDeployed = undefined;
    else if (status === "deployed" || status === "superseded") lastDeployed = r;
  }
  const status = previous?.info.status;
  return {
    releases,
    previous,
    lastDeployed,
    nextRevision: (previous?.version ?? 0) + 1,
    deployType: previous === undefined ? "initial" : lastDeployed === undefined ? "install" : "upgrade",
    previousFailed: status === "failed" || status === "unknown" || status === "uninstalling" || (status?.startsWith("pending-") ?? false),
  };
}

/**
 * Revisions to delete before creating a new one so that at most `max` remain afterwards (Helm's rule, werf default
 * 5); the last deployed revision is never pruned. `max <= 0` keeps everything.
 */
export function revisionsToPrune(releases: readonly HelmRelease[], max: number, lastDeployed: number | undefined): number[] {
  if (max <= 0) return [];
  const sorted = [...releases].sort((a, b) => a.version - b.version).filter((r) => r.version !== lastDeployed);
  const keep = Math.max(0, max - 1 - (lastDeployed === undefined ? 0 : 1));
  return sorted.slice(0, Math.max(0, sorted.length - keep)).map((r) => r.version);
}
