// The pure half of Helm's dependency resolution (internal/resolver, pkg/repo.IndexFile, pkg/registry tag
// filtering): a chart repository's index.yaml, the versions an OCI repository's tags stand for, and which version
// satisfies a Chart.yaml constraint. Takes text and lists; does no I/O.

import { asString } from "../chart/load.js";
import { FuncError } from "../template/errors.js";
import { newSemverConstraint, parseStrictSemver, SemverVersion } from "../template/sprig/semver.js";
import { readYamlRaw, YamlRawMap, type YamlRaw } from "../template/yaml/index.js";

/** One chart version of an index.yaml entry, the fields resolution reads. */
export interface IndexChartVersion {
  readonly version: string;
  readonly urls: readonly string[];
  readonly digest: string;
}

/** index.yaml: chart name → its versions, newest first (Helm's IndexFile.SortEntries). */
export type RepoIndex = ReadonlyMap<string, readonly IndexChartVersion[]>;

function field(m: YamlRaw | undefined, key: string): YamlRaw | undefined {
  return m instanceof YamlRawMap ? m.entries.get("s:" + key)?.value : undefined;
}

function text(v: YamlRaw | undefined): string {
  return asString(v) ?? "";
}

function parseVersion(v: string): SemverVersion | undefined {
  try {
    return SemverVersion.parse(v);
  } catch {
    return undefined;
  }
}

/** Newest first; versions that do not parse go last, as Helm's ChartVersions.Less puts them first in ascending order. */
function newestFirst<T>(items: readonly T[], version: (t: T) => string): T[] {
  return items
    .map((item) => ({ item, v: parseVersion(version(item)) }))
    .sort((a, b) => (a.v === undefined ? (b.v === undefined ? 0 : 1) : b.v === undefined ? -1 : b.v.compare(a.v)))
    .map((x) => x.item);
}

/** Parses an index.yaml (Helm's repo.loadIndex); throws with the YAML reader's message when it is not one. */
export function parseRepoIndex(data: string): RepoIndex {
  const raw = readYamlRaw(data);
  if (!(raw instanceof YamlRawMap)) throw new Error("no API version specified");
  const entries = field(raw, "entries");
  const out = new Map<string, IndexChartVersion[]>();
  if (entries instanceof YamlRawMap) {
    for (const { key, value } of entries.entries.values()) {
      const versions = (Array.isArray(value) ? value : []).map((cv) => {
        const urls = field(cv, "urls");
        return { version: text(field(cv, "version")), urls: Array.isArray(urls) ? urls.map(text) : [], digest: text(field(cv, "digest")) };
      });
      out.set(text(key), newestFirst(versions, (v) => v.version));
    }
  }
  return out;
}

/** An OCI repository's tags as Helm's registry client lists them: strict semver (`_` read as `+`), newest first. */
export function ociTagVersions(tags: readonly string[]): string[] {
  const versions: SemverVersion[] = [];
  for (const tag of tags) {
    try {
      versions.push(parseStrictSemver(tag.replaceAll("_", "+")));
    } catch {
      // Not a chart version tag.
    }
  }
  return versions.sort((a, b) => b.compare(a)).map((v) => v.toString());
}

/** Masterminds NewConstraint, with Helm's wording when it does not parse. */
export function dependencyConstraint(name: string, constraint: string): (version: string) => boolean {
  let check: (v: SemverVersion) => boolean;
  try {
    check = newSemverConstraint(constraint);
  } catch (e) {
    const reason = e instanceof FuncError ? e.message : String(e);
    throw new Error(`dependency ${JSON.stringify(name)} has an invalid version/constraint format: ${reason}`);
  }
  return (version) => {
    const v = parseVersion(version);
    return v !== undefined && check(v);
  };
}

/** Whether a constraint is an exact version (Helm then asks an OCI registry for that tag without listing tags). */
export function isExactVersion(constraint: string): boolean {
  return parseVersion(constraint) !== undefined;
}

/** The first (newest) version satisfying `constraint`, as Helm's resolver picks it; undefined when none does. */
export function pickVersion(name: string, constraint: string, versionsNewestFirst: readonly string[]): string | undefined {
  const ok = dependencyConstraint(name, constraint);
  return versionsNewestFirst.find(ok);
}

/** Index entries of `name` that can be downloaded (Helm skips entries without URLs). */
export function downloadableVersions(index: RepoIndex, name: string): IndexChartVersion[] | undefined {
  const versions = index.get(name);
  return versions?.filter((v) => v.urls.length > 0 && parseVersion(v.version) !== undefined);
}

/** Helm's versionEquals: semver equality, or string equality when `wanted` is not a version. */
export function versionEquals(wanted: string, got: string): boolean {
  const a = parseVersion(wanted);
  if (a === undefined) return wanted === got;
  const b = parseVersion(got);
  return b !== undefined && a.compare(b) === 0;
}

/** Helm's normalizeURL: a relative chart URL of an index is resolved against the repository URL's path. */
export function chartUrl(repoUrl: string, urlOrPath: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(urlOrPath)) return urlOrPath;
  const base = new URL(repoUrl);
  const joined = `${base.pathname.replace(/\/+$/, "")}/${urlOrPath}`.replace(/\/+/g, "/");
  base.pathname = joined;
  return base.href;
}
