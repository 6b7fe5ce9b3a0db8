/**
 * @module deploy/managed-fields
 *
 * nelm's rewrite of a live object's `metadata.managedFields` before a forced server-side apply, as pure data:
 * fields recorded by Helm 3's client-side apply (manager `helm`, operation Update), by `kubectl edit` and by any
 * `werf*` manager are folded into the `helm`/Apply entry, and whatever that entry owns is subtracted from every other
 * manager of the same subresource. The next apply then removes fields that left the chart (and manual edits),
 * because the applier alone owns them. Takes plain objects; no I/O.
 */
import type { ManagedFieldsEntry } from "../kube/types.js";

export const FIELD_MANAGER = "helm";

export interface FixManagedFieldsOptions {
  /** `--no-remove-manual-changes`: keep what `kubectl edit` set. */
  readonly keepManualChanges: boolean;
}

type FieldsTrie = Record<string, unknown>;

/** A fieldsV1 trie as the set of paths it owns (a path is owned when its node is a leaf or has a "." child). */
function toPaths(trie: FieldsTrie, prefix: string[] = [], out: string[][] = []): string[][] {
  for (const [key, child] of Object.entries(trie)) {
    if (key === ".") {
      out.push(prefix);
      continue;
    }
    const path = [...prefix, key];
    const node = isTrie(child) ? child : {};
    if (Object.keys(node).length === 0) out.push(path);
    else toPaths(node, path, out);
  }
  return out;
}

function isTrie(value: unknown): value is FieldsTrie {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SEP = "\u0000";

function fromPaths(paths: Iterable<string>): FieldsTrie {
  const root: FieldsTrie = {};
  for (const path of [...paths].map((p) => (p === "" ? [] : p.split(SEP)))) {
    let node = root;
    for (const key of path) {
      const next = node[key];
      if (isTrie(next)) node = next;
      else {
        const created: FieldsTrie = {};
        node[key] = created;
        node = created;
      }
    }
  }
  return root;
}

/** Leaves stay `{}`; a node that is a member and also has children gets ".": {}. */
function buildTrie(paths: ReadonlySet<string>): FieldsTrie {
  const trie = fromPaths(paths);
  const visit = (node: FieldsTrie, prefix: string): void => {
    for (const [key, child] of Object.entries(node)) {
      if (key === "." || !isTrie(child)) continue;
      const path = prefix === "" ? key : `${prefix}${SEP}${key}`;
      if (Object.keys(child).length > 0 && paths.has(path)) child["."] = {};
      visit(child, path);
    }
  };
  visit(trie, "");
  return trie;
}

function pathSet(entry: ManagedFieldsEntry): Set<string> {
  return new Set(toPaths(entry.fieldsV1 ?? {}).map((p) => p.join(SEP)));
}

function foldedIntoApplier(entry: ManagedFieldsEntry, options: FixManagedFieldsOptions): boolean {
  const manager = entry.manager ?? "";
  if (entry.subresource !== undefined && entry.subresource !== "") return false;
  if (manager === FIELD_MANAGER) return entry.operation === "Update";
  if (manager === "kubectl-edit") return !options.keepManualChanges;
  return manager.startsWith("werf");
}

/**
 * The managedFields the live object should have before slipway applies it, or `undefined` when nothing changes
 * (so no request is made). `apiVersion` is the live object's, used for a newly created applier entry.
 */
export function fixManagedFields(
  entries: readonly ManagedFieldsEntry[] | undefined,
  apiVersion: string,
  options: FixManagedFieldsOptions,
): ManagedFieldsEntry[] | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  const isApplier = (e: ManagedFieldsEntry): boolean =>
    e.manager === FIELD_MANAGER && e.operation === "Apply" && (e.subresource ?? "") === "";
  const folded = entries.filter((e) => foldedIntoApplier(e, options));
  const applier = entries.find(isApplier);
  const owned = applier === undefined ? new Set<string>() : pathSet(applier);
  for (const entry of folded) for (const path of pathSet(entry)) owned.add(path);

  let changed = folded.length > 0;
  const result: ManagedFieldsEntry[] = [];
  for (const entry of entries) {
    if (folded.includes(entry)) continue;
    if (entry === applier) {
      result.push(folded.length > 0 ? { ...entry, fieldsType: "FieldsV1", fieldsV1: buildTrie(owned) } : entry);
      continue;
    }
    if ((entry.subresource ?? "") !== "" || owned.size === 0) {
      result.push(entry);
      continue;
    }
    const paths = pathSet(entry);
    let removed = false;
    for (const path of owned) {
      if (paths.delete(path)) removed = true;
    }
    if (!removed) {
      result.push(entry);
      continue;
    }
    changed = true;
    if (paths.size > 0) result.push({ ...entry, fieldsV1: buildTrie(paths) });
  }
  if (applier === undefined && folded.length > 0) {
    const template = folded[0];
    result.push({
      manager: FIELD_MANAGER,
      operation: "Apply",
      apiVersion: template?.apiVersion ?? apiVersion,
      ...(template?.time === undefined ? {} : { time: template.time }),
      fieldsType: "FieldsV1",
      fieldsV1: buildTrie(owned),
    });
  }
  return changed ? result : undefined;
}
