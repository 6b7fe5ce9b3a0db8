// Helm's releaseutil: splitting rendered files into documents, hooks vs manifests, and the
// InstallOrder kind sort (Helm v3.17).

import { isMap } from "../template/value.js";
import { readYaml } from "../template/yaml/index.js";
import { SlipwayError } from "../errors.js";

export const INSTALL_ORDER: readonly string[] = [
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

const HOOK_EVENTS = new Set([
  "pre-install",
  "post-install",
  "pre-delete",
  "post-delete",
  "pre-upgrade",
  "post-upgrade",
  "pre-rollback",
  "post-rollback",
  "test",
  "test-success",
]);

export interface Manifest {
  /** Template path, e.g. `mychart/templates/deployment.yaml`. */
  readonly name: string;
  readonly content: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly metadataName: string;
  readonly annotations: ReadonlyMap<string, string>;
}

export interface Hook extends Manifest {
  readonly events: readonly string[];
  readonly weight: number;
}

/** Go's unicode.IsSpace (for strings.TrimSpace). */
function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Go's strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** RE2's \s: [\t\n\f\r ]. */
function isRe2Space(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c;
}

/**
 * releaseutil.SplitManifests, in document order: split at the regexp `(?:^|\s*\n)---\s*` (leftmost-first, as
 * Go's regexp.Split) without running the regexp, which backtracks on every run of indentation.
 */
export function splitManifests(bigFile: string): string[] {
  const s = goTrimSpace(bigFile);
  const out: string[] = [];
  const push = (d: string): void => {
    if (d !== "") out.push(goTrimSpace(d));
  };
  let last = 0;
  let from = 0;
  for (;;) {
    const i = s.indexOf("---", from);
    if (i < 0) break;
    let start: number;
    if (i === 0) {
      start = 0;
    } else if (i - 1 >= last && s.charCodeAt(i - 1) === 0x0a) {
      start = i - 1;
      while (start > last && isRe2Space(s.charCodeAt(start - 1))) start--;
    } else {
      from = i + 1;
      continue;
    }
    let end = i + 3;
    while (end < s.length && isRe2Space(s.charCodeAt(end))) end++;
    push(s.slice(last, start));
    last = end;
    from = end;
  }
  push(s.slice(last));
  return out;
}

const KIND_RANK = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? -1;
}

function lessByKind(a: string, b: string): boolean {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra < 0 && rb < 0) return a !== b ? a < b : false;
  if (ra < 0) return false;
  if (rb < 0) return true;
  return ra < rb;
}

export function sortByKind<T extends { kind: string }>(items: T[]): T[] {
  // Array.prototype.sort is stable.
  return items.sort((x, y) => (lessByKind(x.kind, y.kind) ? -1 : lessByKind(y.kind, x.kind) ? 1 : 0));
}

function headString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return "";
}

/**
 * releaseutil.SortManifests over rendered files (path → content). Helm skips a hook with an unknown event; werf's
 * deploy engine keeps it and rejects the annotation, so the deploy asks for `keepUnknownHooks`.
 */
export function sortManifests(files: ReadonlyMap<string, string>, options: { keepUnknownHooks?: boolean } = {}): { hooks: Hook[]; manifests: Manifest[] } {
  const hooks: Hook[] = [];
  const manifests: Manifest[] = [];
  const paths = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const path of paths) {
    const base = path.slice(path.lastIndexOf("/") + 1);
    if (base.startsWith("_")) continue;
    const content = files.get(path) ?? "";
    if (goTrimSpace(content) === "") continue;
    for (const m of splitManifests(content)) {
      let head: unknown;
      try {
        head = readYaml(m);
      } catch (e) {
        throw new SlipwayError(`YAML parse error on ${path}: ${(e as Error).message}`, { code: "template", cause: e });
      }
      if (head !== null && !isMap(head)) {
        const what = Array.isArray(head) ? "array" : typeof head === "string" ? "string" : typeof head === "boolean" ? "bool" : "number";
        throw new SlipwayError(
          `YAML parse error on ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${what} into Go value of type releaseutil.SimpleHead`,
          { code: "template" },
        );
      }
      const h = isMap(head) ? head : new Map<string, unknown>();
      const md = h.get("metadata");
      const annotations = new Map<string, string>();
      let metadataName = "";
      if (isMap(md)) {
        metadataName = headString(md.get("name"));
        const ann = md.get("annotations");
        if (isMap(ann)) for (const [k, v] of ann) annotations.set(k, headString(v));
      }
      const entry: Manifest = {
        name: path,
        content: m,
        kind: headString(h.get("kind")),
        apiVersion: headString(h.get("apiVersion")),
        metadataName,
        annotations,
      };
      const hookTypes = annotations.get("helm.sh/hook");
      if (hookTypes === undefined) {
        manifests.push(entry);
        continue;
      }
      const events: string[] = [];
      let unknown = false;
      for (const t of hookTypes.split(",")) {
        const e = t.trim().toLowerCase();
        if (!HOOK_EVENTS.has(e)) {
          unknown = true;
          break;
        }
        events.push(e);
      }
      if (unknown && options.keepUnknownHooks !== true) continue;
      const w = Number.parseInt(annotations.get("helm.sh/hook-weight") ?? "0", 10);
      hooks.push({ ...entry, events, weight: Number.isNaN(w) ? 0 : w });
    }
  }
  return { hooks: sortByKind(hooks), manifests: sortByKind(manifests) };
}
