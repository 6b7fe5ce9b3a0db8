// Chart.lock as Helm 3 reads and writes it (pkg/chart.Lock, internal/resolver.HashReq): the digest that ties a lock
// to the Chart.yaml dependencies it was resolved from, the YAML text `helm dependency update` writes, and the
// parse of an existing lock. Pure: takes and gives text; imports only the chart model and the template engine's
// JSON/YAML codecs (Go's encoding/json and sigs.k8s.io/yaml).

import { SlipwayError } from "../errors.js";
import { JsonStruct, marshalJson } from "../template/json.js";
import { marshalYaml, readYamlRaw, YamlRawMap, type YamlRaw } from "../template/yaml/index.js";
import { asString } from "./load.js";
import type { ChartDependency } from "./types.js";

/** One resolved dependency: what a Chart.lock lists. */
export interface LockedDependency {
  readonly name: string;
  readonly repository: string;
  readonly version: string;
}

export interface ChartLock {
  /** `sha256:<hex>` of the requirements and the resolution (see {@link hashReq}). */
  readonly digest: string;
  /** The `generated` timestamp as written. */
  readonly generated: string;
  readonly dependencies: readonly LockedDependency[];
}

/** A *chart.Dependency as encoding/json writes it: the struct's field order and its omitempty tags. */
function dependencyJson(d: ChartDependency | LockedDependency): JsonStruct {
  const full = d as ChartDependency;
  const fields: [string, unknown][] = [["name", d.name]];
  if (d.version !== undefined && d.version !== "") fields.push(["version", d.version]);
  fields.push(["repository", d.repository ?? ""]);
  if (full.condition !== undefined && full.condition !== "") fields.push(["condition", full.condition]);
  if (full.tags !== undefined && full.tags.length > 0) fields.push(["tags", [...full.tags]]);
  if (full.importValues !== undefined && full.importValues.length > 0) fields.push(["import-values", [...full.importValues]]);
  if (full.alias !== undefined && full.alias !== "") fields.push(["alias", full.alias]);
  return new JsonStruct(fields);
}

/**
 * Helm's resolver.HashReq: sha256 of the JSON of `[requirements, locked]`. `req` are the Chart.yaml dependencies
 * with `@name`/`alias:` repositories already replaced by their URLs, as Helm hashes them.
 */
export function hashReq(req: readonly ChartDependency[], locked: readonly LockedDependency[]): string {
  const json = marshalJson([req.map(dependencyJson), locked.map(dependencyJson)]);
  return "sha256:" + process.getBuiltinModule("node:crypto").createHash("sha256").update(json, "utf8").digest("hex");
}

/** Go's time.Time JSON form (RFC 3339 with trimmed fractional seconds) in the local zone, as `time.Now()` marshals. */
export function goTimestamp(date: Date, nanos = 0): string {
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  const frac = (String(local.getUTCMilliseconds()).padStart(3, "0") + String(nanos).padStart(6, "0")).replace(/0+$/, "");
  const zone = offsetMin === 0 ? "Z" : `${offsetMin > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${frac === "" ? "" : "." + frac}${zone}`
  );
}

/** The Chart.lock text `helm dependency update` writes (sigs.k8s.io/yaml of a chart.Lock). */
export function formatChartLock(lock: ChartLock): string {
  const deps = lock.dependencies.map((d) => dependencyJson(d));
  return marshalYaml(new JsonStruct([["generated", lock.generated], ["digest", lock.digest], ["dependencies", deps]]));
}

function field(m: YamlRaw | undefined, key: string): YamlRaw | undefined {
  return m instanceof YamlRawMap ? m.entries.get("s:" + key)?.value : undefined;
}

/** Reads a Chart.lock; `file` names it in errors. */
export function parseChartLock(text: string, file: string): ChartLock {
  let raw: YamlRaw;
  try {
    raw = readYamlRaw(text);
  } catch (e) {
    throw new SlipwayError(`${file}: cannot load Chart.lock: ${(e as Error).message}`, { code: "chart", cause: e, location: { file } });
  }
  const str = (v: YamlRaw | undefined): string => asString(v) ?? "";
  const rawDeps = field(raw, "dependencies");
  const dependencies = (Array.isArray(rawDeps) ? rawDeps : []).map((d) => ({
    name: str(field(d, "name")),
    repository: str(field(d, "repository")),
    version: str(field(d, "version")),
  }));
  return { digest: str(field(raw, "digest")), generated: str(field(raw, "generated")), dependencies };
}
