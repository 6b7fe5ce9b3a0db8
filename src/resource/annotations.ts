/**
 * @module resource/annotations
 *
 * Every annotation and label key slipway reads or writes (werf.io/*, helm.sh/*, meta.helm.sh/*), each with its
 * parser and nelm's error for a bad value. The only place these strings are spelled. Pure; no I/O.
 */
import { SlipwayError } from "../errors.js";

export const A = {
  weight: "werf.io/weight",
  deployOn: "werf.io/deploy-on",
  deletePolicy: "werf.io/delete-policy",
  resourcePolicy: "werf.io/resource-policy",
  deletePropagation: "werf.io/delete-propagation",
  ownership: "werf.io/ownership",
  replicasOnCreation: "werf.io/replicas-on-creation",
  trackTerminationMode: "werf.io/track-termination-mode",
  failMode: "werf.io/fail-mode",
  failuresAllowedPerReplica: "werf.io/failures-allowed-per-replica",
  noActivityTimeout: "werf.io/no-activity-timeout",
  logRegex: "werf.io/log-regex",
  logRegexSkip: "werf.io/log-regex-skip",
  skipLogs: "werf.io/skip-logs",
  skipLogsForContainers: "werf.io/skip-logs-for-containers",
  showLogsOnlyForContainers: "werf.io/show-logs-only-for-containers",
  showLogsOnlyForNumberOfReplicas: "werf.io/show-logs-only-for-number-of-replicas",
  showServiceMessages: "werf.io/show-service-messages",
  sensitive: "werf.io/sensitive",
  sensitivePaths: "werf.io/sensitive-paths",
  helmHook: "helm.sh/hook",
  helmHookWeight: "helm.sh/hook-weight",
  helmHookDeletePolicy: "helm.sh/hook-delete-policy",
  helmResourcePolicy: "helm.sh/resource-policy",
  releaseName: "meta.helm.sh/release-name",
  releaseNamespace: "meta.helm.sh/release-namespace",
  werfVersion: "werf.io/version",
  projectName: "project.werf.io/name",
  projectEnv: "project.werf.io/env",
} as const;

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

/** Keys with a variable part; each pattern names its group. */
export const P = {
  deployDependency: /^werf\.io\/deploy-dependency-(?<id>.+)$/,
  deleteDependency: /^werf\.io\/delete-dependency-(?<id>.+)$/,
  externalDependency: /^(?<id>[^/]+)\.external-dependency\.werf\.io$/,
  externalDependencyResource: /^(?<id>[^/]+)\.external-dependency\.werf\.io\/resource$/,
  externalDependencyNamespace: /^(?<id>[^/]+)\.external-dependency\.werf\.io\/namespace$/,
  legacyDependency: /^(?<id>[^/]+)\.dependency\.werf\.io$/,
  logRegexFor: /^werf\.io\/log-regex-for-(?<container>.+)$/,
  logRegexSkipFor: /^werf\.io\/log-regex-skip-for-(?<container>.+)$/,
  ignoreReadinessProbeFailsFor: /^werf\.io\/ignore-readiness-probe-fails-for-(?<container>.+)$/,
} as const;

export const DEPLOY_ON_VALUES = [
  "pre-install", "install", "post-install", "pre-upgrade", "upgrade", "post-upgrade",
  "pre-rollback", "rollback", "post-rollback", "pre-delete", "delete", "post-delete", "test",
] as const;
export const HELM_HOOK_VALUES = [
  "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
  "pre-rollback", "post-rollback", "test", "test-success",
] as const;
export type DeletePolicy = "before-creation" | "before-creation-if-immutable" | "succeeded" | "failed";
export type ResourcePolicy = "skip-create" | "skip-update" | "skip-recreate" | "skip-delete";
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";
export type TrackTerminationMode = "WaitUntilResourceReady" | "NonBlocking";
export type FailMode = "FailWholeDeployProcessImmediately" | "IgnoreAndContinueDeployProcess" | "HopeUntilEndOfDeployProcess";
export type Ownership = "release" | "anyone";

/** A bad annotation value, located at the template and key. */
export class AnnotationError extends SlipwayError {
  constructor(file: string, key: string, value: string, expected: string) {
    super(`invalid value ${JSON.stringify(value)} for annotation ${JSON.stringify(key)}, expected ${expected}`, {
      code: "chart",
      location: { file, key },
    });
    this.name = "AnnotationError";
  }
}

export interface Reader {
  readonly file: string;
  readonly annotations: Readonly<Record<string, string>>;
}

export function get(r: Reader, key: string): string | undefined {
  return Object.hasOwn(r.annotations, key) ? r.annotations[key] : undefined;
}

/** Go's strconv.Atoi range and syntax. */
export function parseInt32(r: Reader, key: string, options: { min?: number } = {}): number | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value)) throw new AnnotationError(r.file, key, value, options.min === 0 ? "non-negative integer value" : "integer value");
  const n = Number(value);
  if (!Number.isSafeInteger(n) || (options.min !== undefined && n < options.min)) {
    throw new AnnotationError(r.file, key, value, options.min === 0 ? "non-negative integer value" : "integer value");
  }
  return n;
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

export function parseBool(r: Reader, key: string): boolean | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new AnnotationError(r.file, key, value, "boolean value");
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  if (text === "") return undefined;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ""] ?? 0);
    pos = re.lastIndex;
  }
  return total;
}

export function parseDuration(r: Reader, key: string): number | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  const ms = parseGoDuration(value);
  if (ms === undefined || ms < 0) throw new AnnotationError(r.file, key, value, "duration value (e.g. 30s, 4m)");
  return ms;
}

export function parseEnum<T extends string>(r: Reader, key: string, values: readonly T[]): T | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw new AnnotationError(r.file, key, value, `one of: ${values.join(", ")}`);
  return value as T;
}

export function parseList<T extends string>(r: Reader, key: string, values?: readonly T[]): T[] | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (values !== undefined) {
    for (const item of items) {
      if (!(values as readonly string[]).includes(item)) throw new AnnotationError(r.file, key, value, `comma-separated values of: ${values.join(", ")}`);
    }
  }
  return items as T[];
}

export function parseRegex(r: Reader, key: string): RegExp | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch {
    throw new AnnotationError(r.file, key, value, "a valid regular expression");
  }
}

/** Values of every annotation whose key matches `pattern`, keyed by the named group. */
export function matching(r: Reader, pattern: RegExp, group: string): Map<string, { key: string; value: string }> {
  const out = new Map<string, { key: string; value: string }>();
  for (const [key, value] of Object.entries(r.annotations)) {
    const m = pattern.exec(key);
    const id = m?.groups?.[group];
    if (id !== undefined) out.set(id, { key, value });
  }
  return out;
}
