/**
 * @module resource/render-output
 *
 * What `werf render` (nelm's chart render) prints, from the rendered documents: each document parsed (Lists
 * expanded, non-string annotations dropped) and patched as the deploy stores it (--add-annotation/--add-label,
 * Secret stringData folded into data), metadata.annotations and metadata.labels always present, metadata.namespace
 * dropped when it is the release namespace, then re-encoded
 * as sigs.k8s.io/yaml does (keys sorted, comments gone) and sorted: standalone CRDs, then hooks, then the rest,
 * each group by Kind, Group, Version, Namespace (empty for the release namespace), Name. Pure.
 */
import type { KubeObject } from "../kube/types.js";
import { compareStrings } from "../template/value.js";
import { groupOf, parseDocuments, patchStored, storedText, type ExtraMetadata, type ParsedDocument, type RenderedDocument, type StoreAs } from "./resource.js";

export interface RenderOutputOptions {
  readonly releaseNamespace: string;
  readonly extra: ExtraMetadata;
  /** Show the charts' crds/ files (werf render's --include-crds, on by default). */
  readonly includeCrds: boolean;
  /** Chart-relative or chart-prefixed template paths (`templates/a.yaml` or `app/templates/a.yaml`); [] shows all. */
  readonly showOnly: readonly string[];
  /** The top chart's name, which `--show-only` paths may leave out. */
  readonly chartName: string;
  readonly warn?: ((message: string) => void) | undefined;
}

const STORE_ORDER: Readonly<Record<StoreAs, number>> = { none: 0, hook: 1, regular: 2 };

function versionOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/** nelm's ResourceSpecSortHandler: CRDs of crds/ first, then hooks, then the rest; within a group by kind, group, version, namespace, name. */
export function compareRenderedObjects(a: ParsedDocument, b: ParsedDocument, releaseNamespace: string): number {
  if (a.storeAs !== b.storeAs) return STORE_ORDER[a.storeAs] - STORE_ORDER[b.storeAs];
  const ns = (o: KubeObject): string => (o.metadata.namespace === undefined || o.metadata.namespace === releaseNamespace ? "" : o.metadata.namespace);
  const keys = (o: KubeObject): string[] => [o.kind, groupOf(o.apiVersion), versionOf(o.apiVersion), ns(o), o.metadata.name];
  const ka = keys(a.object);
  const kb = keys(b.object);
  for (let i = 0; i < ka.length; i++) {
    const c = compareStrings(ka[i] ?? "", kb[i] ?? "");
    if (c !== 0) return c;
  }
  return 0;
}

/** The objects werf render prints, in its order. */
export function renderOutputObjects(docs: readonly RenderedDocument[], options: RenderOutputOptions): ParsedDocument[] {
  const parsed = parseDocuments(docs, options.warn).map((p): ParsedDocument => {
    const object = structuredClone(patchStored(p.object, options.extra));
    // nelm sets both maps on every object it stores, empty or not.
    object.metadata.annotations ??= {};
    object.metadata.labels ??= {};
    // The release namespace is implied, as nelm stores it.
    if (object.metadata.namespace === options.releaseNamespace) delete object.metadata.namespace;
    return { ...p, object };
  });
  // Array.prototype.sort is stable, as Go's sort.SliceStable.
  return parsed.sort((a, b) => compareRenderedObjects(a, b, options.releaseNamespace));
}

function shownPaths(options: RenderOutputOptions): Set<string> {
  const prefix = `${options.chartName}/`;
  return new Set(options.showOnly.map((p) => (p.startsWith(prefix) ? p : `${prefix}${p.replace(/^\.?\/+/, "")}`)));
}

/** The text werf render prints: `---\n# Source: <path>\n<yaml>` per object. */
export function formatRenderOutput(docs: readonly RenderedDocument[], options: RenderOutputOptions): string {
  const shown = shownPaths(options);
  let out = "";
  for (const doc of renderOutputObjects(docs, options)) {
    if (shown.size > 0 && !shown.has(doc.source)) continue;
    if (!options.includeCrds && doc.storeAs === "none" && doc.object.kind === "CustomResourceDefinition" && groupOf(doc.object.apiVersion) === "apiextensions.k8s.io") continue;
    out += `---\n# Source: ${doc.source}\n${storedText(doc.object)}\n`;
  }
  return out;
}
