/**
 * @module status/generic
 *
 * kubedog's generic readiness for any kind without a dedicated rule: the contrib rules for known CRDs (data, below),
 * then the universal condition words, then phase/state/status/health words in every common case style, then the
 * low-priority valid/green fallbacks; "ready as soon as it exists" when nothing matches. Pure; takes an API object,
 * gives a ResourceStatus. Imports only types from src/kube.
 */
import type { KubeObject } from "../kube/types.js";
import type { ResourceStatus } from "./types.js";
import { arr, groupOf, isObj, obj } from "./util.js";

/** One JSON path whose value decides readiness, with the values meaning ready / progressing / failed. */
export interface StatusRule {
  /** For contrib rules: the exact group and kind; the rule decides whenever the kind matches, found or not. */
  readonly group?: string;
  readonly kind?: string;
  /** Plain field names; `[type=X]` selects the list element whose `type` is X. */
  readonly path: readonly string[];
  readonly humanPath: string;
  readonly ready: readonly string[];
  readonly progressing: readonly string[];
  readonly failed: readonly string[];
}

const conditionRule = (group: string, kind: string, type: string, failedOnFalse = false): StatusRule => ({
  group,
  kind,
  path: ["status", "conditions", `[type=${type}]`, "status"],
  humanPath: `status.conditions[type=${type}].status`,
  ready: ["True"],
  progressing: failedOnFalse ? ["Unknown"] : ["Unknown", "False"],
  failed: failedOnFalse ? ["False"] : [],
});

/** kubedog's contrib_resource_status_rules.yaml (Feb 2026) as data. */
export const CONTRIB_RULES: readonly StatusRule[] = [
  {
    group: "acid.zalan.do",
    kind: "postgresql",
    path: ["status", "PostgresClusterStatus"],
    humanPath: "status.PostgresClusterStatus",
    ready: ["Running"],
    progressing: ["Creating", "Updating"],
    failed: ["CreateFailed", "UpdateFailed", "DeleteFailed"],
  },
  conditionRule("external-secrets.io", "ExternalSecret", "Ready", true),
  conditionRule("bitnami.com", "SealedSecret", "Synced"),
  conditionRule("kyverno.io", "Policy", "Ready"),
  conditionRule("kyverno.io", "ClusterPolicy", "Ready"),
  {
    group: "argoproj.io",
    kind: "Application",
    path: ["status", "health", "status"],
    humanPath: "status.health.status",
    ready: ["Healthy"],
    progressing: ["Progressing", "Suspended", "Unknown", "Missing"],
    failed: ["Degraded"],
  },
  conditionRule("argoproj.io", "ApplicationSet", "ResourcesUpToDate"),
  conditionRule("cert-manager.io", "Certificate", "Ready"),
  conditionRule("helm.toolkit.fluxcd.io", "HelmRelease", "Ready"),
  conditionRule("kustomize.toolkit.fluxcd.io", "Kustomization", "Ready"),
  ...["Prometheus", "Alertmanager", "ThanosRuler"].map(
    (kind): StatusRule => ({
      group: "monitoring.coreos.com",
      kind,
      path: ["status", "conditions", "[type=Available]", "status"],
      humanPath: "status.conditions[type=Available].status",
      ready: ["True"],
      progressing: ["Degraded", "Unknown", "False"],
      failed: [],
    }),
  ),
  {
    group: "longhorn.io",
    kind: "Volume",
    path: ["status", "state"],
    humanPath: "status.state",
    ready: ["attached", "detached"],
    progressing: ["creating", "attaching", "detaching", "deleting"],
    failed: [],
  },
  {
    group: "longhorn.io",
    kind: "Backup",
    path: ["status", "state"],
    humanPath: "status.state",
    ready: ["Completed"],
    progressing: ["Pending", "InProgress", "", "Unknown"],
    failed: ["Error"],
  },
];

export const READY_WORDS = [
  "ready", "success", "succeeded", "complete", "completed", "finished", "finalized", "done", "available", "running",
  "ok", "active", "live", "healthy", "started", "initialized", "approved",
] as const;
export const PENDING_WORDS = [
  "creating", "updating", "waiting", "awaiting", "pending", "finishing", "starting", "readying", "in progress",
  "progressing", "initialization", "initializing", "approving", "unknown",
] as const;
export const FAILED_WORDS = ["failure", "failed", "abort", "aborted", "terminated", "error", "errored", "rejection", "rejected"] as const;

/** A word (maybe several, space separated) in every case style kubedog matches: `in progress` → `InProgress`, `IN_PROGRESS`... */
export function caseStyles(...phrases: readonly string[]): string[] {
  const out = new Set<string>();
  for (const phrase of phrases) {
    const words = phrase.toLowerCase().split(/\s+/).filter((w) => w !== "");
    const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
    const upper = words.map((w) => w.toUpperCase());
    for (const v of [
      phrase,
      words.join(""),
      upper.join(""),
      words.map(cap).join(""),
      words.join("-"),
      words.join("."),
      words.join("_"),
      words.map(cap).join(" "),
      upper.join(" "),
      words.join(" "),
      (words[0] ?? "") + words.slice(1).map(cap).join(""),
      upper.join("."),
      upper.join("-"),
      upper.join("_"),
    ]) {
      out.add(v);
    }
  }
  return [...out];
}

function universalRules(): StatusRule[] {
  const rules: StatusRule[] = [];
  // Condition types are matched in each case style too (`Ready` and `ready`): CRDs use both, and kubedog's older
  // lower/Title matching found the usual `Ready`.
  for (const word of READY_WORDS) {
    for (const type of caseStyles(word)) {
      rules.push({
        path: ["status", "conditions", `[type=${type}]`, "status"],
        humanPath: `status.conditions[type=${type}].status`,
        ready: caseStyles("true"),
        progressing: caseStyles("false", "unknown"),
        failed: [],
      });
    }
  }
  const ready = caseStyles(...READY_WORDS);
  const pending = caseStyles(...PENDING_WORDS);
  const failed = caseStyles(...FAILED_WORDS);
  for (const field of ["phase", "currentPhase", "state", "currentState", "status", "currentStatus", "health", "currentHealth"]) {
    rules.push({ path: ["status", field], humanPath: `status.${field}`, ready, progressing: pending, failed });
  }
  for (const field of ["state", "currentState"]) {
    rules.push({ path: ["status", field], humanPath: `status.${field}`, ready: caseStyles("valid"), progressing: caseStyles("invalid", "unknown"), failed: [] });
  }
  for (const field of ["health", "currentHealth"]) {
    rules.push({ path: ["status", field], humanPath: `status.${field}`, ready: caseStyles("green"), progressing: caseStyles("yellow", "red", "unknown"), failed: [] });
  }
  return rules;
}

const UNIVERSAL_RULES: readonly StatusRule[] = universalRules();

/** The scalar at a rule's path as a string, or undefined when absent (objects and lists do not count). */
export function valueAt(o: unknown, path: readonly string[]): string | undefined {
  let current: unknown = o;
  for (const step of path) {
    const select = /^\[(\w+)=(.*)\]$/.exec(step);
    if (select !== null) {
      const [, field = "", value] = select;
      current = arr(current).find((item) => item[field] === value);
    } else {
      current = isObj(current) ? current[step] : undefined;
    }
    if (current === undefined || current === null) return undefined;
  }
  if (typeof current === "string") return current;
  if (typeof current === "number" || typeof current === "boolean") return String(current);
  return undefined;
}

function decide(rule: StatusRule, value: string): ResourceStatus {
  const tracking = `${rule.humanPath}=${value}`;
  if (rule.ready.includes(value)) return { readiness: "ready", waitingFor: [], tracking };
  if (rule.failed.includes(value)) return { readiness: "failed", waitingFor: [], reason: tracking, tracking };
  return { readiness: "progressing", waitingFor: [tracking], tracking };
}

export function genericStatus(o: KubeObject): ResourceStatus {
  const group = groupOf(o.apiVersion);
  const contrib = CONTRIB_RULES.find((r) => r.group === group && r.kind === o.kind);
  // An exact contrib match decides even before the controller wrote the field: it is the kind's one source of truth.
  if (contrib !== undefined) return decide(contrib, valueAt(o, contrib.path) ?? "");
  // kstatus's rule, missing in kubedog: a status written for an older spec (Ready=True before the update) says nothing.
  const observed = obj(o["status"])["observedGeneration"];
  const generation = o.metadata.generation;
  if (typeof observed === "number" && generation !== undefined && observed < generation) {
    const lag = `observed generation ${observed} should be >= ${generation}`;
    return { readiness: "progressing", waitingFor: [lag], tracking: "status.observedGeneration" };
  }
  if (Object.keys(obj(o["status"])).length > 0) {
    for (const rule of UNIVERSAL_RULES) {
      const value = valueAt(o, rule.path);
      if (value === undefined || value === "") continue;
      if (rule.ready.includes(value) || rule.progressing.includes(value) || rule.failed.includes(value)) return decide(rule, value);
    }
  }
  return { readiness: "ready", waitingFor: [] };
}
