// The chart model: a chart directory as Helm loads it (pkg/chart), shaped so that dependencies,
// secret values and werf's service values can be added around it.

import type { GoMap } from "../template/value.js";

export interface ChartFile {
  /** Slash-separated path relative to the chart root, e.g. `templates/deployment.yaml`. */
  readonly name: string;
  readonly data: Uint8Array;
}

export interface ChartDependency {
  readonly name: string;
  readonly version?: string;
  readonly repository?: string;
  readonly condition?: string;
  readonly tags?: readonly string[];
  readonly alias?: string;
  readonly importValues?: readonly unknown[];
}

export interface Chart {
  /** The chart name (Chart.yaml `name`, or the dependency alias). */
  name: string;
  /** Chart.yaml as *chart.Metadata fields, keyed by Go field name (Name, Version, ...). */
  readonly metadata: Map<string, unknown>;
  readonly apiVersion: string;
  readonly type: string;
  /** Default values (values.yaml); replaced by the merged values when dependencies import values, as Helm does. */
  values: GoMap;
  readonly schema: Uint8Array | null;
  readonly templates: readonly ChartFile[];
  /** Everything `.Files` sees. */
  readonly files: readonly ChartFile[];
  readonly crds: readonly ChartFile[];
  readonly declaredDependencies: readonly ChartDependency[];
  /** Loaded subcharts (charts/ directory), after conditions/tags are applied. */
  dependencies: Chart[];
  parent: Chart | null;
  /** Directory the chart was loaded from, when it was. */
  readonly dir: string | null;
}

export function isRoot(c: Chart): boolean {
  return c.parent === null;
}

/** Helm's ChartFullPath: `root/charts/sub/charts/subsub`. */
export function chartFullPath(c: Chart): string {
  return c.parent === null ? c.name : `${chartFullPath(c.parent)}/charts/${c.name}`;
}

export function isLibrary(c: Chart): boolean {
  return c.type === "library";
}
