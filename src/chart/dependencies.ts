// Subcharts as Helm's chartutil.ProcessDependenciesWithMerge (the install path of Helm 3.17) handles them:
// aliases, tags and conditions enable or drop them, then import-values copy their values into the parent.

import { SlipwayError } from "../errors.js";
import { isMap, mapTypeName, setMapTypeName, type GoMap } from "../template/value.js";
import type { Chart } from "./types.js";
import { coalesceValues, copyValue, mergeTables, mergeValues } from "./values.js";

function pathValue(vals: GoMap, path: string): { found: boolean; value: unknown } {
  const parts = path.split(".");
  let cur: unknown = vals;
  for (let i = 0; i < parts.length; i++) {
    if (!isMap(cur)) return { found: false, value: undefined };
    const k = parts[i]!;
    if (!cur.has(k)) return { found: false, value: undefined };
    cur = cur.get(k);
  }
  return { found: true, value: cur };
}

/** Enables subcharts and imports their values, recursively. `userValues` are the user's values. */
export function processDependencies(chart: Chart, userValues: GoMap): void {
  processDependencyEnabled(chart, userValues, "");
  processDependencyImportValues(chart);
}

/** Removes disabled subcharts (recursively), applying aliases first. `userValues` are the parent's. */
function processDependencyEnabled(chart: Chart, userValues: GoMap, path: string): void {
  const declared = chart.declaredDependencies;
  if (declared.length === 0) return;
  const byName = new Map(chart.dependencies.map((d) => [d.name, d]));
  // Helm's action.CheckDependencies runs on the top chart before rendering: all missing names, with its hint.
  const missing = declared.filter((req) => !byName.has(req.name)).map((req) => req.name);
  if (path === "" && missing.length > 0) {
    throw new SlipwayError(
      "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: " +
        `found in Chart.yaml, but missing in charts/ directory: ${missing.join(", ")}`,
      { code: "chart" },
    );
  }
  const deps: Chart[] = [];
  const used = new Set<Chart>();
  for (const req of declared) {
    const found = byName.get(req.name);
    if (found === undefined) {
      throw new SlipwayError(`found in Chart.yaml, but missing in charts/ directory: ${req.name}`, { code: "chart" });
    }
    let c = found;
    if (req.alias !== undefined && req.alias !== "") {
      c = { ...found, name: req.alias, metadata: new Map(found.metadata).set("Name", req.alias), dependencies: [...found.dependencies] };
    }
    used.add(found);
    deps.push(c);
  }
  for (const d of chart.dependencies) if (!used.has(d)) deps.push(d);
  chart.dependencies = deps;
  const cvals = coalesceValues(chart, userValues);
  const enabled = new Map<string, boolean>();
  const tags = cvals.get("tags");
  for (const req of declared) {
    const name = req.alias !== undefined && req.alias !== "" ? req.alias : req.name;
    let on = true;
    let hasTrue = false;
    let hasFalse = false;
    for (const t of req.tags ?? []) {
      const tv = isMap(tags) ? tags.get(t) : undefined;
      if (tv === true) hasTrue = true;
      else if (tv === false) hasFalse = true;
    }
    if (!hasTrue && hasFalse) on = false;
    for (const cond of (req.condition ?? "").split(",")) {
      const c = cond.trim();
      if (c === "") continue;
      const pv = pathValue(cvals, path + c);
      if (pv.found && typeof pv.value === "boolean") {
        on = pv.value;
        break;
      }
    }
    enabled.set(name, on);
  }
  // Helm records the decision on the dependency and drops disabled ones from `.Chart.Dependencies`.
  const depMaps = chart.metadata.get("Dependencies");
  if (Array.isArray(depMaps)) {
    const kept: unknown[] = [];
    declared.forEach((req, i) => {
      const m: unknown = depMaps[i];
      const name = req.alias !== undefined && req.alias !== "" ? req.alias : req.name;
      const on = enabled.get(name) ?? true;
      if (m instanceof Map) {
        m.set("enabled", on);
        // Helm renames an aliased dependency in the metadata too.
        if (req.alias !== undefined && req.alias !== "") m.set("name", req.alias);
      }
      if (on) kept.push(m);
    });
    chart.metadata.set("Dependencies", kept);
  }
  chart.dependencies = deps.filter((d) => enabled.get(d.name) !== false);
  for (const d of chart.dependencies) {
    d.parent = chart;
    processDependencyEnabled(d, cvals, path + d.name + ".");
  }
}

const STRING_MAP = "map[string]string";

/** Values.Table: the map at a dotted path, or undefined where a step is missing or not a map. */
function tableAt(vals: GoMap, path: string): GoMap | undefined {
  let cur: GoMap = vals;
  for (const k of path.split(".")) {
    const v = cur.get(k);
    if (!isMap(v)) return undefined;
    cur = v;
  }
  return cur;
}

/** pathToMap: `data` nested under the dotted `path` ("." is the root). */
function pathToMap(path: string, data: GoMap): GoMap {
  if (path === ".") return data;
  let cur = data;
  const parts = path.split(".");
  for (let i = parts.length - 1; i >= 0; i--) cur = new Map([[parts[i]!, cur]]);
  return cur;
}

/**
 * processDependencyImportValues with merge, children first. Like Helm, every chart that declares
 * dependencies gets its values replaced by its defaults merged with its subcharts' (nulls kept, user
 * values not consulted), the imported tables underneath; the metadata's import-values are rewritten
 * to their {child, parent} form.
 */
function processDependencyImportValues(chart: Chart): void {
  for (const d of chart.dependencies) processDependencyImportValues(d);
  const depMaps = chart.metadata.get("Dependencies");
  if (!Array.isArray(depMaps)) return;
  let cvals = mergeValues(chart, new Map());
  let imported: GoMap = new Map();
  for (const m of depMaps) {
    if (!(m instanceof Map)) continue;
    const name = String(m.get("name") ?? "");
    const ivs: unknown = m.get("importValues");
    const out: GoMap[] = [];
    for (const iv of Array.isArray(ivs) ? ivs : []) {
      let child: string;
      let parent: string;
      // An entry already rewritten (a map[string]string) matches neither of Helm's cases: a chart
      // aliased twice shares its dependencies' metadata, so only the first alias imports.
      if (isMap(iv) && mapTypeName(iv) !== STRING_MAP) {
        child = String(iv.get("child"));
        parent = String(iv.get("parent"));
      } else if (typeof iv === "string") {
        child = `exports.${iv}`;
        parent = ".";
      } else continue;
      out.push(setMapTypeName(new Map([["child", child], ["parent", parent]]), STRING_MAP));
      // The imported table is shared with cvals, as in Helm, until cvals is copied below.
      const table = tableAt(cvals, `${name}.${child}`);
      if (table === undefined) continue;
      imported = mergeTables(imported, pathToMap(parent, table));
    }
    if (out.length > 0) m.set("importValues", out);
    else m.delete("importValues");
  }
  // The parent's own values win over what it imports.
  cvals = copyValue(cvals);
  chart.values = mergeTables(cvals, imported);
}
