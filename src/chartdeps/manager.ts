// Helm's dependency manager (pkg/downloader.Manager of Helm 3.17) for slipway: `dependency update` resolves the
// Chart.yaml ranges against file:// directories, HTTP chart repositories and OCI registries, fills charts/ and
// writes Chart.lock; `dependency build` fills charts/ from Chart.lock after checking its digest; `dependency list`
// tells what is there. `lockedDependencyFiles` is werf's converge-time step: the archives a committed Chart.lock
// names, from the cache or downloaded once, handed to the loader as if they were in charts/.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, posix, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { hashReq, formatChartLock, goTimestamp, parseChartLock, type ChartLock, type LockedDependency } from "../chart/lock.js";
import { loadArchive, loadChartDir, loadFiles, readChartDirFiles } from "../chart/load.js";
import type { Chart, ChartDependency, ChartFile } from "../chart/types.js";
import { SlipwayError, type ErrorLocation } from "../errors.js";
import { readYamlRaw, YamlRawMap, type YamlRaw } from "../template/yaml/index.js";
import { tarArchive } from "../util/tar.js";
import { chartUrl, dependencyConstraint, downloadableVersions, isExactVersion, ociTagVersions, parseRepoIndex, pickVersion, versionEquals, type RepoIndex } from "./resolve.js";
import type { BasicAuth, ChartCache, ChartSources } from "./sources.js";

/** A repository of Helm's repositories.yaml (`helm repo add` / `werf helm repo add`). */
export interface RepoEntry {
  readonly name: string;
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

export interface DependencyContext {
  readonly sources: ChartSources;
  readonly cache?: ChartCache | undefined;
  /** Named repositories for `@name` / `alias:name` references. */
  readonly repositories: readonly RepoEntry[];
  /** Progress lines, worded as Helm prints them. */
  readonly out: (line: string) => void;
  readonly now?: () => Date;
}

/** The message of an error without Helm's or Node's wrapping noise. */
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The line of the `index`-th item of Chart.yaml's top-level `dependencies` list (the line of its `-`), found in the
 * text; undefined when the list is not written in block style.
 */
export function dependencyLine(chartYaml: string, index: number): number | undefined {
  const lines = chartYaml.split("\n");
  const start = lines.findIndex((l) => /^dependencies\s*:\s*(#.*)?$/.test(l));
  if (start < 0) return undefined;
  let indent: number | undefined;
  let seen = -1;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^\S/.test(line) && !line.startsWith("-") && !line.startsWith("#")) break;
    const item = /^(\s*)- /.exec(line) ?? /^(\s*)-$/.exec(line);
    if (item === null) continue;
    const width = item[1]?.length ?? 0;
    indent ??= width;
    if (width !== indent) continue;
    if (++seen === index) return i + 1;
  }
  return undefined;
}

function dependencyLocation(file: string, chartYaml: string | undefined, index: number | undefined): ErrorLocation {
  if (index === undefined) return { file };
  const line = chartYaml === undefined ? undefined : dependencyLine(chartYaml, index);
  return { file, ...(line === undefined ? {} : { line }), key: `dependencies[${index}]` };
}

function chartYamlError(chartDir: string, index: number | undefined, message: string, cause?: unknown): SlipwayError {
  const file = join(chartDir, "Chart.yaml");
  let text: string | undefined;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = undefined;
  }
  return new SlipwayError(message, { code: "chart", ...(cause === undefined ? {} : { cause }), location: dependencyLocation(file, text, index) });
}

const describeDep = (d: { name: string; repository?: string | undefined; version?: string | undefined }): string =>
  `dependency ${JSON.stringify(d.name)} (repository ${JSON.stringify(d.repository ?? "")}, version ${JSON.stringify(d.version ?? "")})`;

/** Reads Helm's repositories.yaml (HELM_REPOSITORY_CONFIG, else the helm config home); none is an empty list. */
export function readRepositories(env: Readonly<Record<string, string | undefined>>): RepoEntry[] {
  const configHome = env["HELM_CONFIG_HOME"] || join(env["XDG_CONFIG_HOME"] || join(env["HOME"] ?? homedir(), ".config"), "helm");
  const file = env["HELM_REPOSITORY_CONFIG"] || join(configHome, "repositories.yaml");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  let raw: YamlRaw;
  try {
    raw = readYamlRaw(text);
  } catch (e) {
    throw new SlipwayError(`${file}: ${reason(e)}`, { code: "config", cause: e, location: { file } });
  }
  const get = (m: YamlRaw | undefined, k: string): string => {
    const v = m instanceof YamlRawMap ? m.entries.get("s:" + k)?.value : undefined;
    return typeof v === "string" ? v : "";
  };
  const list = raw instanceof YamlRawMap ? raw.entries.get("s:repositories")?.value : undefined;
  return (Array.isArray(list) ? list : []).map((r) => {
    const username = get(r, "username");
    const password = get(r, "password");
    return { name: get(r, "name"), url: get(r, "url"), ...(username === "" ? {} : { username, password }) };
  });
}

const isOci = (repo: string): boolean => repo.startsWith("oci://");
const isFile = (repo: string): boolean => repo.startsWith("file://");
const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/** Helm's GetLocalPath: a file:// repository relative to the chart directory. */
function localPath(repo: string, chartDir: string): string {
  const p = repo.slice("file://".length);
  return isAbsolute(p) ? resolve(p) : join(chartDir, p);
}

/**
 * Helm's resolveRepoNames: `@name` and `alias:name` become the URL of that repository; anything else must be a URL,
 * a file:// path that exists or an oci:// reference. Returns the requirements as Helm hashes them.
 */
function resolveRepositories(chartDir: string, deps: readonly ChartDependency[], repos: readonly RepoEntry[]): ChartDependency[] {
  const missing: string[] = [];
  const out = deps.map((d, i) => {
    const repo = d.repository ?? "";
    if (repo === "" || isOci(repo)) return d;
    if (isFile(repo)) {
      const path = localPath(repo, chartDir);
      if (!existsSync(path)) throw chartYamlError(chartDir, i, `${describeDep(d)}: directory ${path} not found`);
      return d;
    }
    const named = repo.startsWith("@") ? repo.slice(1) : repo.startsWith("alias:") ? repo.slice("alias:".length) : undefined;
    if (named !== undefined) {
      const entry = repos.find((r) => r.name === named);
      if (entry === undefined) {
        missing.push(repo);
        return d;
      }
      return { ...d, repository: entry.url };
    }
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(repo)) missing.push(repo);
    return d;
  });
  if (missing.length > 0) {
    throw chartYamlError(
      chartDir,
      undefined,
      `no repository definition for ${missing.join(", ")}: a repository is a URL (https://, oci://, file://) or "@name" of a repository in Helm's repositories.yaml (werf helm repo add)`,
    );
  }
  return out;
}

/** Packages a chart directory as chartutil.Save names it (`<name>-<version>.tgz`). */
function packageDir(dir: string): { chart: Chart; fileName: string; data: Buffer } {
  const files = readChartDirFiles(dir);
  const chart = loadFiles(files, dir);
  const version = String(chart.metadata.get("Version"));
  const tar = tarArchive(files.map((f) => ({ name: `${chart.name}/${f.name}`, data: Buffer.from(f.data) })));
  return { chart, fileName: `${chart.name}-${version}.tgz`, data: gzipSync(tar) };
}

/** A dependency manager run: the HTTP repositories' indexes are fetched once per run. */
class Run {
  readonly #indexes = new Map<string, Promise<RepoIndex>>();

  constructor(
    readonly ctx: DependencyContext,
    readonly chartDir: string | null,
  ) {}

  #auth(url: string): BasicAuth | undefined {
    const entry = this.ctx.repositories.find((r) => sameUrl(r.url, url));
    return entry?.username === undefined ? undefined : { username: entry.username, password: entry.password ?? "" };
  }

  index(url: string): Promise<RepoIndex> {
    const key = url.replace(/\/+$/, "");
    let index = this.#indexes.get(key);
    if (index === undefined) {
      index = this.ctx.sources.httpGet(`${key}/index.yaml`, this.#auth(url)).then((body) => {
        try {
          return parseRepoIndex(body.toString("utf8"));
        } catch (e) {
          throw new Error(`${key}/index.yaml is not a valid chart repository index: ${reason(e)}`, { cause: e });
        }
      });
      this.#indexes.set(key, index);
    }
    return index;
  }

  /** The versions a remote repository offers for `name`, newest first. */
  async versions(dep: ChartDependency): Promise<string[]> {
    const repo = dep.repository ?? "";
    if (isOci(repo)) {
      if (isExactVersion(dep.version ?? "")) return [dep.version ?? ""];
      return ociTagVersions(await this.ctx.sources.ociTags(ociRepository(repo, dep.name)));
    }
    const entries = downloadableVersions(await this.index(repo), dep.name);
    if (entries === undefined) throw new Error(`chart ${JSON.stringify(dep.name)} not found in repo ${repo}`);
    return entries.map((e) => e.version);
  }

  /** One locked remote archive: from the cache, else downloaded (and checked to be a chart) and cached. */
  async archive(dep: LockedDependency): Promise<{ fileName: string; data: Buffer; downloaded: boolean }> {
    const fileName = `${dep.name}-${dep.version}.tgz`;
    const cached = this.ctx.cache?.get(dep.repository, dep.name, dep.version);
    if (cached !== undefined) return { fileName, data: cached, downloaded: false };
    let data: Buffer;
    if (isOci(dep.repository)) {
      data = await this.ctx.sources.ociPull(ociRepository(dep.repository, dep.name), dep.version.replaceAll("+", "_"));
    } else {
      const entry = (await this.index(dep.repository)).get(dep.name)?.find((v) => v.urls.length > 0 && versionEquals(dep.version, v.version));
      if (entry === undefined) throw new Error(`chart ${JSON.stringify(dep.name)} version ${dep.version} not found in repo ${dep.repository}`);
      data = await this.ctx.sources.httpGet(chartUrl(dep.repository, entry.urls[0] ?? ""), this.#auth(dep.repository));
    }
    let chart: Chart;
    try {
      chart = loadArchive(data);
    } catch (e) {
      throw new Error(`the downloaded archive is not a valid chart: ${reason(e)}`, { cause: e });
    }
    if (chart.name !== dep.name) throw new Error(`the downloaded archive holds chart ${JSON.stringify(chart.name)}, not ${JSON.stringify(dep.name)}`);
    this.ctx.cache?.put(dep.repository, dep.name, dep.version, data);
    return { fileName, data, downloaded: true };
  }
}

/** `oci://host/path` + name → `host/path/name`. */
function ociRepository(repo: string, name: string): string {
  return `${repo.slice("oci://".length).replace(/\/+$/, "")}/${name}`;
}

function readLock(chartDir: string): ChartLock | undefined {
  const file = join(chartDir, "Chart.lock");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parseChartLock(text, file);
}

function loadDir(chartDir: string): Chart {
  let st;
  try {
    st = statSync(chartDir);
  } catch (e) {
    throw new SlipwayError(`could not find ${chartDir}`, { code: "chart", cause: e });
  }
  if (!st.isDirectory()) throw new SlipwayError("only unpacked charts can be updated", { code: "chart" });
  return loadChartDir(chartDir);
}

/** Helm's Resolver.Resolve: every requirement pinned to a version. */
async function resolveVersions(run: Run, chartDir: string, req: readonly ChartDependency[]): Promise<LockedDependency[]> {
  const missing: string[] = [];
  const locked: LockedDependency[] = [];
  for (const [i, d] of req.entries()) {
    const repo = d.repository ?? "";
    const constraint = d.version ?? "";
    let ok: (v: string) => boolean;
    try {
      ok = dependencyConstraint(d.name, constraint);
    } catch (e) {
      throw chartYamlError(chartDir, i, reason(e));
    }
    if (repo === "") {
      if (!existsSync(join(chartDir, "charts", d.name))) throw chartYamlError(chartDir, i, `${describeDep(d)}: directory ${join(chartDir, "charts", d.name)} not found`);
      locked.push({ name: d.name, repository: "", version: constraint });
      continue;
    }
    if (isFile(repo)) {
      let version: string;
      try {
        version = String(loadChartDir(localPath(repo, chartDir)).metadata.get("Version"));
      } catch (e) {
        throw chartYamlError(chartDir, i, `${describeDep(d)}: ${reason(e)}`, e);
      }
      if (!ok(version)) missing.push(`${JSON.stringify(d.name)} (repository ${JSON.stringify(repo)}, version ${JSON.stringify(constraint)})`);
      locked.push({ name: d.name, repository: repo, version });
      continue;
    }
    let versions: string[];
    try {
      versions = await run.versions(d);
    } catch (e) {
      throw chartYamlError(chartDir, i, `${describeDep(d)}: ${reason(e)}`, e);
    }
    const picked = pickVersion(d.name, constraint, versions);
    if (picked === undefined) missing.push(`${JSON.stringify(d.name)} (repository ${JSON.stringify(repo)}, version ${JSON.stringify(constraint)})`);
    locked.push({ name: d.name, repository: repo, version: picked ?? "" });
  }
  if (missing.length > 0) {
    throw chartYamlError(
      chartDir,
      undefined,
      `can't get a valid version for ${missing.length} subchart(s): ${missing.join(", ")}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml`,
    );
  }
  return locked;
}

/** Helm's downloadAll + safeMoveDeps: charts/ gets exactly the locked archives (local `charts/<name>` dirs kept). */
async function downloadAll(run: Run, chartDir: string, req: readonly ChartDependency[], deps: readonly LockedDependency[]): Promise<LockedDependency[]> {
  const dest = join(chartDir, "charts");
  if (existsSync(dest) && !statSync(dest).isDirectory()) throw new SlipwayError(`"${dest}" is not a directory`, { code: "chart" });
  mkdirSync(dest, { recursive: true });
  const tmp = join(chartDir, `tmpcharts-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const out = run.ctx.out;
  out(`Saving ${deps.length} charts`);
  const result: LockedDependency[] = [];
  try {
    for (const dep of deps) {
      const index = req.findIndex((r) => r.name === dep.name);
      const fail = (e: unknown): SlipwayError => chartYamlError(chartDir, index < 0 ? undefined : index, `${describeDep(dep)}: ${reason(e)}`, e);
      if (dep.repository === "") {
        out(`Dependency ${dep.name} did not declare a repository. Assuming it exists in the charts directory`);
        let version: string;
        try {
          version = String(loadChartDir(join(dest, dep.name)).metadata.get("Version"));
        } catch (e) {
          throw fail(e);
        }
        if (!dependencyConstraint(dep.name, dep.version)(version)) {
          throw fail(`dependency ${dep.name} at version ${version} does not satisfy the constraint ${dep.version}`);
        }
        result.push(dep);
        continue;
      }
      if (isFile(dep.repository)) {
        let packed;
        try {
          packed = packageDir(localPath(dep.repository, chartDir));
        } catch (e) {
          throw fail(e);
        }
        const version = String(packed.chart.metadata.get("Version"));
        if (!dependencyConstraint(dep.name, dep.version)(version)) throw fail(`can't get a valid version for dependency ${dep.name}`);
        writeFileSync(join(tmp, packed.fileName), packed.data);
        result.push({ ...dep, version });
        continue;
      }
      let got;
      try {
        got = await run.archive(dep);
      } catch (e) {
        throw fail(e);
      }
      out(`${got.downloaded ? "Downloading" : "Using cached"} ${dep.name} from repo ${dep.repository}`);
      writeFileSync(join(tmp, got.fileName), got.data);
      result.push(dep);
    }
    const fresh = new Set(readdirSync(tmp));
    for (const name of fresh) renameSync(join(tmp, name), join(dest, name));
    out("Deleting outdated charts");
    const local = new Set(deps.filter((d) => d.repository === "").map((d) => d.name));
    for (const name of readdirSync(dest)) {
      const path = join(dest, name);
      if (fresh.has(name) || statSync(path).isDirectory()) continue;
      let chart: Chart;
      try {
        chart = loadArchive(readFileSync(path));
      } catch {
        continue;
      }
      if (!local.has(chart.name)) rmSync(path);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}

/** `dependency update`: resolve, fill charts/, write Chart.lock unless its digest is unchanged. */
export async function dependencyUpdate(chartDir: string, ctx: DependencyContext): Promise<void> {
  const chart = loadDir(chartDir);
  if (!chart.metadata.has("Dependencies")) return;
  const run = new Run(ctx, chartDir);
  const req = resolveRepositories(chartDir, chart.declaredDependencies, ctx.repositories);
  const http = [...new Set(req.map((d) => d.repository ?? "").filter((r) => r !== "" && !isFile(r) && !isOci(r)))];
  if (http.length > 0) {
    ctx.out("Getting updates for unmanaged Helm repositories...");
    await Promise.all(
      http.map(async (url) => {
        try {
          await run.index(url);
          ctx.out(`...Successfully got an update from the ${JSON.stringify(url)} chart repository`);
        } catch (e) {
          ctx.out(`...Unable to get an update from the ${JSON.stringify(url)} chart repository:\n\t${reason(e)}`);
        }
      }),
    );
  }
  const resolved = await resolveVersions(run, chartDir, req);
  const locked = await downloadAll(run, chartDir, req, resolved);
  const digest = hashReq(req, locked);
  const old = readLock(chartDir);
  if (old !== undefined && old.digest === digest) return;
  const lock = { digest, generated: goTimestamp((ctx.now ?? (() => new Date()))()), dependencies: locked };
  writeFileSync(join(chartDir, "Chart.lock"), formatChartLock(lock), { mode: 0o644 });
}

const OUT_OF_SYNC = "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies";

/** `dependency build`: charts/ from Chart.lock (an update without one); a lock that does not match Chart.yaml fails. */
export async function dependencyBuild(chartDir: string, ctx: DependencyContext): Promise<void> {
  const chart = loadDir(chartDir);
  const lock = readLock(chartDir);
  if (lock === undefined) return dependencyUpdate(chartDir, ctx);
  const req = resolveRepositories(chartDir, chart.declaredDependencies, ctx.repositories);
  if (hashReq(req, lock.dependencies) !== lock.digest) {
    throw new SlipwayError(OUT_OF_SYNC, { code: "chart", location: { file: join(chartDir, "Chart.lock") } });
  }
  await downloadAll(new Run(ctx, chartDir), chartDir, req, lock.dependencies);
}

/** `dependency list`: Helm's table of each dependency and whether charts/ has it. */
export function dependencyList(chartDir: string): string {
  const chart = loadDir(chartDir);
  const deps = chart.declaredDependencies;
  if (deps.length === 0) return `WARNING: no dependencies at ${join(chartDir, "charts")}\n`;
  const rows = [["NAME", "VERSION", "REPOSITORY", "STATUS"]];
  for (const d of deps) rows.push([d.name, d.version ?? "", d.repository ?? "", dependencyStatus(chartDir, d)]);
  // gosuri/uitable: every cell padded to its column's width, cells joined by a tab.
  const widths = ["NAME", "VERSION", "REPOSITORY", "STATUS"].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join("\t")).join("\n") + "\n\n";
}

/** Helm's dependencyStatus for one requirement. */
function dependencyStatus(chartDir: string, dep: ChartDependency): string {
  const dest = join(chartDir, "charts");
  const constraintOk = (v: string): boolean | undefined => {
    try {
      return dependencyConstraint(dep.name, dep.version ?? "")(v);
    } catch {
      return undefined;
    }
  };
  const archives = existsSync(dest) ? readdirSync(dest).filter((f) => f.startsWith(`${dep.name}-`) && f.endsWith(".tgz")) : [];
  if (archives.length > 1) return "too many matches";
  const archive = archives[0];
  if (archive !== undefined) {
    let c: Chart;
    try {
      c = loadArchive(readFileSync(join(dest, archive)));
    } catch {
      return "corrupt";
    }
    if (c.name !== dep.name) return "misnamed";
    const ok = constraintOk(String(c.metadata.get("Version")));
    return ok === undefined ? "invalid version" : ok ? "ok" : "wrong version";
  }
  const dir = join(dest, dep.name);
  if (!existsSync(dir)) return "missing";
  if (!statSync(dir).isDirectory()) return "unpacked";
  let c: Chart;
  try {
    c = loadChartDir(dir);
  } catch {
    return "corrupt";
  }
  if (c.name !== dep.name) return "misnamed";
  const ok = constraintOk(String(c.metadata.get("Version")));
  return ok === undefined ? "invalid version" : ok ? "ok" : "wrong version";
}

function chartYamlDeps(files: readonly ChartFile[]): { chart: Chart; lock: ChartLock | undefined } {
  const chart = loadFiles(
    files.filter((f) => !f.name.startsWith("charts/")),
    null,
  );
  const lockFile = files.find((f) => f.name === "Chart.lock");
  return { chart, lock: lockFile === undefined ? undefined : parseChartLock(Buffer.from(lockFile.data).toString("utf8"), "Chart.lock") };
}

/**
 * werf's file:// dependencies of a chart read from Git: the lock's file:// entries as directories relative to the
 * chart directory (posix, inside the project), each to be read as `charts/<name>/`.
 */
export function lockedLocalDependencyDirs(files: readonly ChartFile[], chartDir: string): { name: string; dir: string }[] {
  const { lock } = chartYamlDeps(files);
  return (lock?.dependencies ?? []).filter((d) => isFile(d.repository)).map((d) => ({ name: d.name, dir: posix.normalize(posix.join(chartDir, d.repository.slice("file://".length))) }));
}

/**
 * werf's converge-time dependency step (nelm's LoadChartDependencies): with a Chart.lock, every remote locked
 * dependency not already in charts/ as `<name>-<version>.tgz` is taken from the cache or downloaded, and returned
 * as a `charts/` file; without a lock, Chart.yaml dependencies only get werf's warning. No digest check here:
 * werf trusts the committed lock.
 */
export async function lockedDependencyFiles(
  files: readonly ChartFile[],
  chartDir: string,
  ctx: DependencyContext & { readonly warn: (text: string) => void },
): Promise<ChartFile[]> {
  const { chart, lock } = chartYamlDeps(files);
  if (lock === undefined) {
    if (chart.declaredDependencies.length > 0) {
      ctx.warn("Cannot automatically download chart dependencies without Chart.lock or requirements.lock.");
    }
    return [];
  }
  const present = new Set(files.filter((f) => f.name.startsWith("charts/")).map((f) => f.name.slice("charts/".length)));
  const run = new Run(ctx, null);
  const out: ChartFile[] = [];
  for (const dep of lock.dependencies) {
    if (dep.repository === "" || isFile(dep.repository) || present.has(`${dep.name}-${dep.version}.tgz`)) continue;
    try {
      const got = await run.archive(dep);
      out.push({ name: `charts/${got.fileName}`, data: got.data });
    } catch (e) {
      const index = chart.declaredDependencies.findIndex((d) => d.name === dep.name);
      throw new SlipwayError(`${describeDep(dep)} of Chart.lock: ${reason(e)}`, {
        code: "chart",
        cause: e,
        location: dependencyLocation(
          posix.join(chartDir, "Chart.yaml"),
          Buffer.from(files.find((f) => f.name === "Chart.yaml")?.data ?? []).toString("utf8"),
          index < 0 ? undefined : index,
        ),
      });
    }
  }
  return out;
}
