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

// Go's unicode.IsSpace for TrimSpace.
const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

export function goTrimSpace(s: string): string {
  return s.replace(TRIM, "");
}

// RE2's \s is [\t\n\f\r ].
const SEP = /(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*/;

/** releaseutil.SplitManifests, in document order. */
export function splitManifests(bigFile: string): string[] {
  const docs = goTrimSpace(bigFile).split(new RegExp(SEP.source, "g"));
  const out: string[] = [];
  for (const d of docs) {
    if (d === "") continue;
    out.push(goTrimSpace(d));
  }
  return out;
}

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind);
  return i < 0 ? -1 : i;
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
