// `helm template` for a loaded chart: values, per-chart root objects, the template engine, NOTES,
// manifest sorting and the printed stream.

import { SlipwayError } from "../errors.js";
import type { Chart } from "../chart/types.js";
import { chartFullPath, isLibrary } from "../chart/types.js";
import { processDependencies } from "../chart/dependencies.js";
import { checkKubeVersion } from "../chart/kubeversion.js";
import { checkValuesSchema } from "../chart/schema.js";
import { coalesceValues } from "../chart/values.js";
import { HelmRenderError, renderTemplates, type ParseCache, type Renderable } from "../template/helm/engine.js";
import { HelmFiles } from "../template/helm/files.js";
import { helmFuncMap } from "../template/helm/funcs.js";
import type { LookupReader } from "../template/helm/data.js";
import { Capabilities, ChartMetadata, releaseObject, valuesMap, VALUES_TYPE } from "../template/helm/objects.js";
import { compareStrings, isMap, setMapTypeName, type GoFunc, type GoMap } from "../template/value.js";
import { sortManifests, goTrimSpace, type Hook, type Manifest } from "./manifests.js";
import { optimiseIfLongRunning } from "../util/v8-tiers.js";

/** The API versions Helm v3.17.3 reports offline (client-go's scheme), in its order. */
export const DEFAULT_API_VERSIONS: readonly string[] = (
  "v1 admissionregistration.k8s.io/v1 admissionregistration.k8s.io/v1alpha1 admissionregistration.k8s.io/v1beta1 " +
  "internal.apiserver.k8s.io/v1alpha1 apps/v1 apps/v1beta1 apps/v1beta2 authentication.k8s.io/v1 " +
  "authentication.k8s.io/v1alpha1 authentication.k8s.io/v1beta1 authorization.k8s.io/v1 authorization.k8s.io/v1beta1 " +
  "autoscaling/v1 autoscaling/v2 autoscaling/v2beta1 autoscaling/v2beta2 batch/v1 batch/v1beta1 certificates.k8s.io/v1 " +
  "certificates.k8s.io/v1beta1 certificates.k8s.io/v1alpha1 coordination.k8s.io/v1alpha2 coordination.k8s.io/v1beta1 " +
  "coordination.k8s.io/v1 discovery.k8s.io/v1 discovery.k8s.io/v1beta1 events.k8s.io/v1 events.k8s.io/v1beta1 " +
  "extensions/v1beta1 flowcontrol.apiserver.k8s.io/v1 flowcontrol.apiserver.k8s.io/v1beta1 " +
  "flowcontrol.apiserver.k8s.io/v1beta2 flowcontrol.apiserver.k8s.io/v1beta3 networking.k8s.io/v1 " +
  "networking.k8s.io/v1alpha1 networking.k8s.io/v1beta1 node.k8s.io/v1 node.k8s.io/v1alpha1 node.k8s.io/v1beta1 " +
  "policy/v1 policy/v1beta1 rbac.authorization.k8s.io/v1 rbac.authorization.k8s.io/v1beta1 " +
  "rbac.authorization.k8s.io/v1alpha1 resource.k8s.io/v1beta1 resource.k8s.io/v1alpha3 scheduling.k8s.io/v1alpha1 " +
  "scheduling.k8s.io/v1beta1 scheduling.k8s.io/v1 storage.k8s.io/v1beta1 storage.k8s.io/v1 storage.k8s.io/v1alpha1 " +
  "storagemigration.k8s.io/v1alpha1 apiextensions.k8s.io/v1beta1 apiextensions.k8s.io/v1"
).split(" ");

/** Helm 3.17's default KubeVersion in client-only mode. */
export const DEFAULT_KUBE_VERSION = "v1.32.0";

export interface RenderOptions {
  readonly releaseName: string;
  readonly namespace: string;
  /** User-supplied values (already merged from -f/--set...). */
  readonly values: GoMap;
  readonly kubeVersion?: string;
  /** Added to the API versions (Helm's defaults, or the live cluster's). */
  readonly apiVersions?: readonly string[];
  /** The live cluster's API versions (discovery), which replace Helm's offline defaults as in `helm install`. */
  readonly liveApiVersions?: readonly string[];
  /** The live `lookup`; without it `lookup` gives `{}` as in `helm template`. */
  readonly lookup?: LookupReader;
  /** Sees every rendered file before the manifests are split and parsed (werf render's --debug). */
  readonly onRenderedFiles?: (files: ReadonlyMap<string, string>) => void;
  readonly isUpgrade?: boolean;
  readonly revision?: number;
  readonly includeCrds?: boolean;
  readonly noHooks?: boolean;
  readonly skipTests?: boolean;
  readonly warn?: (msg: string) => void;
  /** Keep hooks with unknown events (werf's deploy validates them) instead of skipping them as Helm does. */
  readonly keepUnknownHooks?: boolean;
  /**
   * End errors of the render phase (kubeVersion check, templates, NOTES, manifest sorting) as `helm template`
   * without --debug does: with INVALID_YAML_HINT. Errors found before (values, schema, dependencies) stay as they are.
   */
  readonly invalidYamlHint?: boolean;
  /** Functions added to Helm's (werf's `werf_secret_file` and `werf_image`); they replace same-named ones. */
  readonly extraFuncs?: ReadonlyMap<string, GoFunc>;
  /** Parsed templates kept between runs (see parse-cache.ts). */
  readonly parseCache?: ParseCache;
}

/** What `helm template` adds to an error of its render phase when --debug is not given. */
export const INVALID_YAML_HINT = "\n\nUse --debug flag to render out invalid YAML";

function withHint(e: unknown): unknown {
  if (e instanceof HelmRenderError) return new HelmRenderError(e.message + INVALID_YAML_HINT);
  if (e instanceof SlipwayError) {
    // No cause: the message already spells it out, and the hint must stay last.
    return new SlipwayError(e.message + INVALID_YAML_HINT, { code: e.code, ...(e.location !== undefined ? { location: e.location } : {}) });
  }
  return e;
}

export interface RenderResult {
  readonly manifests: Manifest[];
  readonly hooks: Hook[];
  readonly notes: string;
  /** What `helm template` prints. */
  readonly output: string;
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateReleaseName(name: string): void {
  if (name === "" || name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new SlipwayError(
      "release name is invalid: " +
        name +
        "\nreleaseName: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53",
      { code: "usage" },
    );
  }
}

function parseKubeVersion(v: string): string {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(v.trim());
  if (m === null) throw new SlipwayError(`invalid kube version '${v}'`, { code: "invalid-option" });
  return `v${m[1]}.${m[2] ?? "0"}.${m[3] ?? "0"}${m[4] ?? ""}`;
}

/** engine.recAllTpls: templates of the chart and its enabled subcharts with their root objects. */
function collectTemplates(
  chart: Chart,
  templates: Map<string, Renderable>,
  parentVals: GoMap,
  release: GoMap,
  caps: Capabilities,
): GoMap {
  const subcharts = new Map<string, unknown>();
  let values: GoMap = valuesMap();
  if (chart.parent === null) {
    values = parentVals.get("Values") as GoMap;
  } else {
    const pv = parentVals.get("Values");
    const sub = isMap(pv) ? pv.get(chart.name) : undefined;
    if (isMap(sub)) values = setMapTypeName(sub, VALUES_TYPE);
  }
  const next: GoMap = new Map<string, unknown>([
    ["Chart", new ChartMetadata(new Map(chart.metadata).set("IsRoot", chart.parent === null))],
    ["Files", new HelmFiles(chart.files.map((f) => [f.name, f.data] as [string, Uint8Array]))],
    ["Release", release],
    ["Capabilities", caps],
    ["Values", values],
    ["Subcharts", subcharts],
  ]);
  for (const child of chart.dependencies) {
    subcharts.set(child.name, collectTemplates(child, templates, next, release, caps));
  }
  const id = chartFullPath(chart);
  for (const t of chart.templates) {
    if (isLibrary(chart) && !t.name.slice(t.name.lastIndexOf("/") + 1).startsWith("_")) continue;
    templates.set(`${id}/${t.name}`, {
      text: Buffer.from(t.data).toString("utf8"),
      vals: next,
      basePath: `${id}/templates`,
    });
  }
  return next;
}

/**
 * The rendered files as one text, `---\n# Source: <path>\n<text>\n` each, in path order, whitespace-only files left
 * out: what `helm template --debug` prints when the output is not valid YAML (Helm walks a Go map, so its order
 * varies), and, with `skipPartials`, what nelm's debug log shows before parsing (no `_*` files, no NOTES.txt).
 */
export function renderedFilesText(files: ReadonlyMap<string, string>, options: { skipPartials: boolean }): string {
  let out = "";
  for (const path of [...files.keys()].sort(compareStrings)) {
    const text = files.get(path) ?? "";
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (text.trim() === "" || path.endsWith("NOTES.txt")) continue;
    if (options.skipPartials && base.startsWith("_")) continue;
    out += `---\n# Source: ${path}\n${text}\n`;
  }
  return out;
}

/** Renders a chart like `helm template`. Template errors are thrown as HelmRenderError. */
export function renderChart(chart: Chart, opts: RenderOptions): RenderResult {
  validateReleaseName(opts.releaseName);
  processDependencies(chart, opts.values);
  const coalesced = coalesceValues(chart, opts.values, opts.warn);
  checkValuesSchema(chart, coalesced);
  const values = valuesMap(coalesced);
  const kubeVersion = parseKubeVersion(opts.kubeVersion ?? DEFAULT_KUBE_VERSION);
  try {
    return renderPhase(chart, opts, values, kubeVersion);
  } catch (e) {
    throw opts.invalidYamlHint === true ? withHint(e) : e;
  }
}

/** Helm's renderResources: everything after the values are ready. */
function renderPhase(chart: Chart, opts: RenderOptions, values: GoMap, kubeVersion: string): RenderResult {
  checkKubeVersion(chart, kubeVersion);
  const caps = new Capabilities(kubeVersion, [...(opts.liveApiVersions ?? DEFAULT_API_VERSIONS), ...(opts.apiVersions ?? [])]);
  const releaseOpts: { name: string; namespace: string; revision?: number; isUpgrade?: boolean } = {
    name: opts.releaseName,
    namespace: opts.namespace,
  };
  if (opts.revision !== undefined) releaseOpts.revision = opts.revision;
  if (opts.isUpgrade !== undefined) releaseOpts.isUpgrade = opts.isUpgrade;
  const release = releaseObject(releaseOpts);
  const templates = new Map<string, Renderable>();
  collectTemplates(chart, templates, new Map([["Values", values]]), release, caps);
  const funcs = helmFuncMap(opts.lookup);
  for (const [name, fn] of opts.extraFuncs ?? []) funcs.set(name, fn);
  const files = renderTemplates(templates, { funcs, onProgress: optimiseIfLongRunning, ...(opts.parseCache !== undefined ? { parseCache: opts.parseCache } : {}) });
  opts.onRenderedFiles?.(files);
  let notes = "";
  const notesPath = `${chart.name}/templates/NOTES.txt`;
  for (const k of [...files.keys()]) {
    if (k.endsWith("NOTES.txt")) {
      if (k === notesPath) notes = files.get(k) ?? "";
      files.delete(k);
    }
  }
  const { hooks, manifests } = sortManifests(files, { keepUnknownHooks: opts.keepUnknownHooks === true });
  let out = "";
  if (opts.includeCrds === true) {
    const crdsOf = (c: Chart): void => {
      for (const f of c.crds) out += `---\n# Source: ${chartFullPath(c)}/${f.name}\n${Buffer.from(f.data).toString("utf8")}\n`;
      for (const d of c.dependencies) crdsOf(d);
    };
    crdsOf(chart);
  }
  for (const m of manifests) out += `---\n# Source: ${m.name}\n${m.content}\n`;
  let output = goTrimSpace(out) + "\n";
  if (opts.noHooks !== true) {
    for (const h of hooks) {
      if (opts.skipTests === true && h.events.includes("test")) continue;
      output += `---\n# Source: ${h.name}\n${h.content}\n`;
    }
  }
  return { manifests, hooks, notes, output };
}

export { HelmRenderError, type ParseCache };
