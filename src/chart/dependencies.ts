// Enabling subcharts as Helm's chartutil.ProcessDependencies does: aliases, tags and conditions.

import { SlipwayError } from "../errors.js";
import { isMap, type GoMap } from "../template/value.js";
import type { Chart } from "./types.js";
import { coalesceValues } from "./values.js";

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

/** Removes disabled subcharts (recursively), applying aliases first. `userValues` are the parent's. */
export function processDependencies(chart: Chart, userValues: GoMap, path = ""): void {
  const declared = chart.declaredDependencies;
  if (declared.length === 0) return;
  const byName = new Map(chart.dependencies.map((d) => [d.name, d]));
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
      if (m instanceof Map) m.set("enabled", on);
      if (on) kept.push(m);
    });
    chart.metadata.set("Dependencies", kept);
  }
  chart.dependencies = deps.filter((d) => enabled.get(d.name) !== false);
  for (const d of chart.dependencies) {
    d.parent = chart;
    processDependencies(d, cvals, path + d.name + ".");
  }
}
