// Loading a chart directory or archive as Helm's loader does (pkg/chart/loader): .helmignore, Chart.yaml,
// values.yaml, templates/, charts/<subchart>/ directories and charts/*.tgz archives, crds/ and the rest
// as `.Files`.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { SlipwayError } from "../errors.js";
import { gunzip } from "../util/gzip.js";
import { readTar } from "../util/tar.js";
import type { GoMap } from "../template/value.js";
import { formatFloat32, readYamlRaw, rawToGo, YamlInt, YamlRawMap, type YamlRaw } from "../template/yaml/index.js";
import { IgnoreRules } from "./helmignore.js";
import type { Chart, ChartDependency, ChartFile } from "./types.js";
import { readValues } from "./values.js";

const BOM = [0xef, 0xbb, 0xbf];

function stripBom(b: Uint8Array): Uint8Array {
  return b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2] ? b.subarray(3) : b;
}

/** Default sort order (UTF-16 code units) of directory entries' names. */
function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Walks `dir` in lexical order (following symlinks) and returns files not ignored by `rules`. */
function walk(dir: string, rules: IgnoreRules): ChartFile[] {
  const out: ChartFile[] = [];
  const visit = (abs: string, rel: string): void => {
    const entries = readdirSync(abs, { withFileTypes: true }).sort(byName);
    for (const entry of entries) {
      const name = entry.name;
      const childAbs = join(abs, name);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      // The directory entry tells a file from a directory without a stat call; a symlink (followed) or an entry
      // of unknown type is stat'ed.
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (!isDir && !isFile) {
        const st = statSync(childAbs);
        isDir = st.isDirectory();
        isFile = st.isFile();
      }
      if (rules.ignore(childRel, isDir)) continue;
      if (isDir) visit(childAbs, childRel);
      else if (isFile) out.push({ name: childRel, data: stripBom(new Uint8Array(readFileSync(childAbs))) });
    }
  };
  visit(dir, "");
  return out;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

/** sigs.k8s.io/yaml's conversion of a YAML scalar into a Go string field. */
export function asString(v: YamlRaw | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (v instanceof YamlInt) return v.v.toString();
  if (typeof v === "number") return formatFloat32(v);
  if (typeof v === "boolean") return String(v);
  return undefined;
}

function asStrings(v: YamlRaw | undefined): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((x) => asString(x) ?? "");
}

function rawGet(m: YamlRaw, key: string): YamlRaw | undefined {
  if (!(m instanceof YamlRawMap)) return undefined;
  return m.entries.get("s:" + key)?.value;
}

function parseChartYaml(data: Uint8Array, where: string): { metadata: Map<string, unknown>; deps: ChartDependency[] } {
  let raw: YamlRaw;
  try {
    raw = readYamlRaw(text(data));
  } catch (e) {
    throw new SlipwayError(`cannot load Chart.yaml: error converting YAML to JSON: ${(e as Error).message}`, {
      code: "chart",
      cause: e,
      location: { file: where },
    });
  }
  // sigs.k8s.io/yaml refuses a value of the wrong shape for Helm's Metadata struct; so does slipway, naming the file.
  const shape = (key: string, want: "string" | "[]string" | "list" | "map" | "bool"): void => {
    const v = rawGet(raw, key);
    if (v === undefined || v === null) return;
    const got = Array.isArray(v) ? "array" : v instanceof YamlRawMap ? "object" : typeof v === "boolean" ? "bool" : "scalar";
    const ok = want === "string" ? got === "scalar" || got === "bool" : want === "bool" ? got === "bool" : want === "map" ? got === "object" : got === "array";
    if (ok) return;
    const goType = want === "list" ? "[]object" : want === "map" ? "map[string]string" : want;
    throw new SlipwayError(`${where}: cannot load Chart.yaml: key "${key}": cannot unmarshal ${got === "scalar" ? "string" : got} into Go struct field Metadata.${key} of type ${goType}`, {
      code: "chart",
      location: { file: where, key },
    });
  };
  for (const key of ["name", "home", "version", "description", "icon", "apiVersion", "condition", "tags", "appVersion", "kubeVersion", "type"]) shape(key, "string");
  for (const key of ["sources", "keywords"]) shape(key, "[]string");
  for (const key of ["maintainers", "dependencies"]) shape(key, "list");
  shape("annotations", "map");
  shape("deprecated", "bool");
  const md = new Map<string, unknown>();
  const str = (goName: string, key: string): void => {
    const s = asString(rawGet(raw, key));
    if (s !== undefined) md.set(goName, s);
  };
  str("Name", "name");
  str("Home", "home");
  str("Version", "version");
  str("Description", "description");
  str("Icon", "icon");
  str("APIVersion", "apiVersion");
  str("Condition", "condition");
  str("Tags", "tags");
  str("AppVersion", "appVersion");
  str("KubeVersion", "kubeVersion");
  str("Type", "type");
  const sources = asStrings(rawGet(raw, "sources"));
  if (sources !== undefined) md.set("Sources", sources);
  const keywords = asStrings(rawGet(raw, "keywords"));
  if (keywords !== undefined) md.set("Keywords", keywords);
  const deprecated = rawGet(raw, "deprecated");
  if (typeof deprecated === "boolean") md.set("Deprecated", deprecated);
  const annotations = rawGet(raw, "annotations");
  if (annotations instanceof YamlRawMap) {
    const m = new Map<string, unknown>();
    for (const { key, value } of annotations.entries.values()) m.set(asString(key) ?? "", asString(value) ?? "");
    md.set("Annotations", m);
  }
  const maintainers = rawGet(raw, "maintainers");
  if (Array.isArray(maintainers)) md.set("Maintainers", maintainers.map((m) => rawToGo(m)));
  const deps: ChartDependency[] = [];
  const rawDeps = rawGet(raw, "dependencies");
  if (Array.isArray(rawDeps)) {
    for (const d of rawDeps) {
      const dep: { -readonly [K in keyof ChartDependency]: ChartDependency[K] } = { name: asString(rawGet(d, "name")) ?? "" };
      const version = asString(rawGet(d, "version"));
      if (version !== undefined) dep.version = version;
      const repository = asString(rawGet(d, "repository"));
      if (repository !== undefined) dep.repository = repository;
      const condition = asString(rawGet(d, "condition"));
      if (condition !== undefined) dep.condition = condition;
      const alias = asString(rawGet(d, "alias"));
      if (alias !== undefined) dep.alias = alias;
      const tags = asStrings(rawGet(d, "tags"));
      if (tags !== undefined) dep.tags = tags;
      const iv = rawGet(d, "import-values");
      if (Array.isArray(iv)) dep.importValues = iv.map((x) => rawToGo(x));
      deps.push(dep);
    }
    md.set("Dependencies", deps.map((d) => new Map<string, unknown>(Object.entries(d))));
  }
  return { metadata: md, deps };
}

function validate(md: Map<string, unknown>, where: string): void {
  const get = (k: string): string => (md.get(k) as string | undefined) ?? "";
  const fail = (message: string, key: string): never => {
    throw new SlipwayError(`${where}: ${message}`, { code: "chart", location: { file: where, key } });
  };
  if (get("APIVersion") === "") fail("validation: chart.metadata.apiVersion is required", "apiVersion");
  if (get("Name") === "") fail("validation: chart.metadata.name is required", "name");
  if (get("Version") === "") fail("validation: chart.metadata.version is required", "version");
  if (!/^v?\d+(\.\d+)?(\.\d+)?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(get("Version"))) {
    fail(`validation: chart.metadata.version "${get("Version")}" is invalid`, "version");
  }
  const type = get("Type");
  if (type !== "" && type !== "application" && type !== "library") fail("validation: chart.metadata.type must be application or library", "type");
}

/** Helm's LoadFiles for an already-walked file list. */
export function loadFiles(files: readonly ChartFile[], dir: string | null): Chart {
  let chartYaml: Uint8Array | null = null;
  let values: GoMap = new Map();
  let schema: Uint8Array | null = null;
  const templates: ChartFile[] = [];
  const other: ChartFile[] = [];
  const crds: ChartFile[] = [];
  const subcharts = new Map<string, ChartFile[]>();
  for (const f of files) {
    if (f.name === "Chart.yaml") chartYaml = f.data;
    else if (f.name === "values.yaml") values = readValues(text(f.data), "values.yaml", "cannot load values.yaml");
    else if (f.name === "values.schema.json") schema = f.data;
    else if (f.name === "Chart.lock") continue;
    else if (f.name.startsWith("templates/")) templates.push(f);
    else if (f.name.startsWith("charts/")) {
      if (f.name.endsWith(".prov")) {
        other.push(f);
        continue;
      }
      const fname = f.name.slice("charts/".length);
      const cname = fname.split("/")[0] ?? "";
      const list = subcharts.get(cname) ?? [];
      list.push({ name: fname, data: f.data });
      subcharts.set(cname, list);
    } else {
      if (f.name.startsWith("crds/")) crds.push(f);
      other.push(f);
    }
  }
  if (chartYaml === null) throw new SlipwayError("Chart.yaml file is missing", { code: "chart" });
  const { metadata, deps } = parseChartYaml(chartYaml, dir === null ? "Chart.yaml" : join(dir, "Chart.yaml"));
  validate(metadata, dir === null ? "Chart.yaml" : join(dir, "Chart.yaml"));
  const chart: Chart = {
    name: metadata.get("Name") as string,
    metadata,
    apiVersion: metadata.get("APIVersion") as string,
    type: (metadata.get("Type") as string | undefined) ?? "",
    values,
    schema,
    templates,
    files: other,
    crds,
    declaredDependencies: deps,
    dependencies: [],
    parent: null,
    dir,
  };
  for (const [cname, sfiles] of subcharts) {
    if (cname.startsWith(".") || cname.startsWith("_")) continue;
    const archive = sfiles[0];
    if (cname.endsWith(".tgz") && archive?.name !== cname) {
      throw new SlipwayError(`error unpacking subchart tar in ${chart.name}: expected ${cname}, got ${archive?.name ?? ""}`, {
        code: "chart",
      });
    }
    let sub: Chart;
    try {
      if (archive !== undefined && cname.endsWith(".tgz")) {
        sub = loadArchive(archive.data);
      } else {
        // Files directly in charts/ that are not archives leave an empty chart, which then fails to load.
        const inner = sfiles.filter((f) => f.name.includes("/")).map((f) => ({ name: f.name.slice(cname.length + 1), data: f.data }));
        sub = loadFiles(inner, dir === null ? null : join(dir, "charts", cname));
      }
    } catch (e) {
      throw new SlipwayError(`error unpacking subchart ${cname} in ${chart.name}: ${(e as Error).message}`, {
        code: "chart",
        cause: e,
      });
    }
    sub.parent = chart;
    chart.dependencies.push(sub);
  }
  return chart;
}

/** The files of a chart directory as Helm's loader.LoadDir sees them: .helmignore and its defaults applied. */
export function readChartDirFiles(dir: string): ChartFile[] {
  let rules = new IgnoreRules();
  try {
    rules = IgnoreRules.parse(readFileSync(join(dir, ".helmignore"), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  rules.addDefaults();
  return walk(dir, rules);
}

/**
 * Loads a chart directory (Helm's loader.LoadDir). `defaultChartYaml` stands in for a missing Chart.yaml (werf gives a
 * project's `.helm` one: apiVersion v2, the project name, version 1.0.0); without it Helm's error stands.
 */
export function loadChartDir(dir: string, defaultChartYaml?: string): Chart {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new SlipwayError(`path "${dir}" not found`, { code: "chart", cause: e });
  }
  if (!st.isDirectory()) {
    // Helm's loader.Load: a file is a packaged chart (it checks the gzip magic, as http.DetectContentType does).
    const data = readFileSync(dir);
    if (!(data[0] === 0x1f && data[1] === 0x8b)) {
      throw new SlipwayError(`file '${dir}' does not appear to be a gzipped archive; got 'application/octet-stream'`, { code: "chart" });
    }
    return loadArchive(data);
  }
  const files = readChartDirFiles(dir);
  if (defaultChartYaml !== undefined && !files.some((f) => f.name === "Chart.yaml")) files.unshift({ name: "Chart.yaml", data: Buffer.from(defaultChartYaml) });
  return loadFiles(files, dir);
}

const DRIVE_PATH = /^[a-zA-Z]:\//;

/** Helm's LoadArchiveFiles: a gzipped tar whose single top-level directory is stripped. */
export function loadArchiveFiles(archive: Uint8Array): ChartFile[] {
  const { data, tail } = gunzip(archive);
  const files: ChartFile[] = [];
  for (const hd of readTar(data, tail)) {
    const isDir = hd.typeflag === "5" || (hd.mode & ~0o7777) === 0o40000;
    if (isDir || hd.typeflag === "x" || hd.typeflag === "g") continue;
    // Archives made on Windows may use backslashes.
    const delimiter = hd.name.includes("\\") ? "\\" : "/";
    const parts = hd.name.split(delimiter);
    let n = parts.slice(1).join(delimiter).replaceAll(delimiter, "/");
    if (n.startsWith("/")) throw new Error("chart illegally contains absolute paths");
    n = posix.normalize(n === "" ? "." : n).replace(/\/+$/, "") || ".";
    if (n === ".") throw new Error(`chart illegally contains content outside the base directory: ${JSON.stringify(hd.name)}`);
    if (n.startsWith("..")) throw new Error("chart illegally references parent directory");
    if (DRIVE_PATH.test(n)) throw new Error("chart contains illegally named files");
    if (parts[0] === "Chart.yaml") throw new Error("chart yaml not in base directory");
    files.push({ name: n, data: stripBom(new Uint8Array(hd.data)) });
  }
  if (files.length === 0) throw new Error("no files in chart archive");
  return files;
}

/** Helm's LoadArchive: a chart from the bytes of a .tgz. */
export function loadArchive(archive: Uint8Array): Chart {
  return loadFiles(loadArchiveFiles(archive), null);
}
