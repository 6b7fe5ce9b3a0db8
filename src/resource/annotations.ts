/**
 * @module resource/annotations
 *
 * Every annotation and label key slipway reads or writes (werf.io/*, helm.sh/*, meta.helm.sh/*, werf's runtime
 * keys), each with its parser and nelm's wording for a bad value (pkg/resource/metadata.go, validate*). The only
 * place these strings are spelled. Takes annotation maps; gives typed values or an {@link AnnotationError}
 * located at the template and the key. Pure: imports only src/errors.
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
export const MANAGED_BY_HELM = "Helm";
/** werf's CI runtime annotations (`ci.werf.io/commit`, ...) share this prefix. */
export const CI_ANNOTATION_PREFIX = "ci.werf.io/";

/** Keys with a variable part; each pattern names its group (`id` or `container`). */
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

export const HELM_HOOK_VALUES = [
  "pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
  "pre-delete", "post-delete", "test", "test-success",
] as const;
export const DEPLOY_ON_VALUES = [...HELM_HOOK_VALUES, "install", "upgrade", "rollback", "delete"] as const;
export type DeployOn = (typeof DEPLOY_ON_VALUES)[number];
export const HELM_HOOK_DELETE_POLICIES = ["before-hook-creation", "hook-succeeded", "hook-failed"] as const;
export const DELETE_POLICIES = ["before-creation", "before-creation-if-immutable", "succeeded", "failed"] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];
export const RESOURCE_POLICIES = ["skip-create", "skip-update", "skip-recreate", "skip-delete", "keep"] as const;
export type ResourcePolicy = "skip-create" | "skip-update" | "skip-recreate" | "skip-delete";
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";
export type TrackTerminationMode = "WaitUntilResourceReady" | "NonBlocking";
export type FailMode = "FailWholeDeployProcessImmediately" | "IgnoreAndContinueDeployProcess" | "HopeUntilEndOfDeployProcess";
export type Ownership = "release" | "anyone";

/** A bad annotation value, located at the template (`# Source:`) and the key. The message is nelm's. */
export class AnnotationError extends SlipwayError {
  readonly key: string;
  constructor(file: string, key: string, message: string) {
    super(message, { code: "chart", location: { file, key } });
    this.name = "AnnotationError";
    this.key = key;
  }
}

/** The annotations of one object and the template it came from. */
export interface Reader {
  readonly file: string;
  readonly annotations: Readonly<Record<string, string>>;
}

const q = (s: string): string => JSON.stringify(s);

/** nelm's most common shape: `invalid value "x" for annotation "k", expected <what>`. */
function invalid(r: Reader, key: string, value: string, expected: string): AnnotationError {
  return new AnnotationError(r.file, key, `invalid value ${q(value)} for annotation ${q(key)}, ${expected}`);
}

function unknownValue(r: Reader, key: string, value: string): AnnotationError {
  return new AnnotationError(r.file, key, `invalid unknown value ${q(value)} for annotation ${q(key)}`);
}

function notSupported(r: Reader, key: string, value: string): AnnotationError {
  return new AnnotationError(r.file, key, `value ${q(value)} for annotation ${q(key)} is not supported`);
}

export function get(r: Reader, key: string): string | undefined {
  return Object.hasOwn(r.annotations, key) ? r.annotations[key] : undefined;
}

// ---- Go's value syntaxes ----

/** strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range. */
export function goAtoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return Number(n);
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** strconv.ParseBool. */
export function goParseBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, in milliseconds (may be negative). */
export function goParseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s.startsWith("-")) sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  const re = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ""] ?? 0);
    pos = re.lastIndex;
  }
  return sign * total;
}

/** Go's regexp (RE2) is approximated by JavaScript's; lookarounds and backreferences are RE2 errors. */
export function compileRe2(text: string): RegExp | undefined {
  if (/\(\?[=!<]|\\[1-9]/.test(text)) return undefined;
  try {
    return new RegExp(text);
  } catch {
    return undefined;
  }
}

/** Comma-separated, trimmed; undefined when one of the values is empty (nelm rejects that). */
function commaList(value: string): string[] | undefined {
  const items = value.split(",").map((s) => s.trim());
  return items.some((s) => s === "") ? undefined : items;
}

// ---- one parser per key ----

/** `werf.io/weight` and `helm.sh/hook-weight`. */
export function parseWeight(r: Reader, key: typeof A.weight | typeof A.helmHookWeight): number | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty integer value");
  const n = goAtoi(value);
  if (n === undefined) throw invalid(r, key, value, "expected integer value");
  return n;
}

/** `helm.sh/hook`: the events, lower-cased as Helm does. */
export function parseHook(r: Reader): string[] | undefined {
  const key = A.helmHook;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  for (const item of items) if (!(HELM_HOOK_VALUES as readonly string[]).includes(item)) throw notSupported(r, key, value);
  return [...new Set(items)];
}

export function parseDeployOn(r: Reader): DeployOn[] | undefined {
  const key = A.deployOn;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  for (const item of items) if (!(DEPLOY_ON_VALUES as readonly string[]).includes(item)) throw notSupported(r, key, value);
  return [...new Set(items)] as DeployOn[];
}

/** `werf.io/delete-policy`; an empty value counts as unset, as in nelm. */
export function parseDeletePolicy(r: Reader): DeletePolicy[] | undefined {
  const key = A.deletePolicy;
  const value = get(r, key);
  if (value === undefined || value === "") return undefined;
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  for (const item of items) if (!(DELETE_POLICIES as readonly string[]).includes(item)) throw notSupported(r, key, value);
  return items as DeletePolicy[];
}

/** `helm.sh/hook-delete-policy`, mapped to werf's policies. */
export function parseHookDeletePolicy(r: Reader): DeletePolicy[] | undefined {
  const key = A.helmHookDeletePolicy;
  const value = get(r, key);
  if (value === undefined || value === "") return undefined;
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  const out: DeletePolicy[] = [];
  for (const item of items) {
    if (item === "before-hook-creation") out.push("before-creation");
    else if (item === "hook-succeeded") out.push("succeeded");
    else if (item === "hook-failed") out.push("failed");
    else throw notSupported(r, key, value);
  }
  return out;
}

/** `werf.io/resource-policy` (`keep` means `skip-delete`). */
export function parseResourcePolicy(r: Reader): ResourcePolicy[] | undefined {
  const key = A.resourcePolicy;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  for (const item of items) if (!(RESOURCE_POLICIES as readonly string[]).includes(item)) throw unknownValue(r, key, value);
  return [...new Set(items.map((p) => (p === "keep" ? "skip-delete" : p)))] as ResourcePolicy[];
}

/** `helm.sh/resource-policy`: only `keep` is legal. */
export function parseHelmResourcePolicy(r: Reader): ResourcePolicy[] | undefined {
  const key = A.helmResourcePolicy;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  if (value !== "keep") throw unknownValue(r, key, value);
  return ["skip-delete"];
}

function parseEnum<T extends string>(r: Reader, key: string, values: readonly T[]): T | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  if (!(values as readonly string[]).includes(value)) throw unknownValue(r, key, value);
  return value as T;
}

export const parseOwnership = (r: Reader): Ownership | undefined => parseEnum(r, A.ownership, ["release", "anyone"] as const);
export const parseDeletePropagation = (r: Reader): PropagationPolicy | undefined =>
  parseEnum(r, A.deletePropagation, ["Foreground", "Background", "Orphan"] as const);
export const parseTrackTerminationMode = (r: Reader): TrackTerminationMode | undefined =>
  parseEnum(r, A.trackTerminationMode, ["WaitUntilResourceReady", "NonBlocking"] as const);
export const parseFailMode = (r: Reader): FailMode | undefined =>
  parseEnum(r, A.failMode, ["FailWholeDeployProcessImmediately", "IgnoreAndContinueDeployProcess", "HopeUntilEndOfDeployProcess"] as const);

export function parseReplicasOnCreation(r: Reader): number | undefined {
  const key = A.replicasOnCreation;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty numeric value");
  const n = goAtoi(value);
  if (n === undefined) throw invalid(r, key, value, "value must be a number");
  if (n < 0) throw invalid(r, key, value, "value must be a positive number or zero");
  return n;
}

/** Non-negative integers: failures-allowed-per-replica, show-logs-only-for-number-of-replicas. */
export function parseNonNegativeInt(r: Reader, key: typeof A.failuresAllowedPerReplica | typeof A.showLogsOnlyForNumberOfReplicas): number | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty integer value");
  const n = goAtoi(value);
  if (n === undefined) throw invalid(r, key, value, "expected integer value");
  if (n < 0) throw invalid(r, key, value, "expected non-negative integer value");
  return n;
}

export function parseBoolKey(r: Reader, key: typeof A.skipLogs | typeof A.showServiceMessages | typeof A.sensitive): boolean | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty boolean value");
  const b = goParseBool(value);
  if (b === undefined) throw invalid(r, key, value, "expected boolean value");
  return b;
}

/** `werf.io/no-activity-timeout`, in milliseconds. */
export function parseNoActivityTimeout(r: Reader): number | undefined {
  const key = A.noActivityTimeout;
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty duration value");
  const ms = goParseDuration(value);
  if (ms === undefined) throw invalid(r, key, value, "expected valid duration");
  if (ms < 0) throw invalid(r, key, value, "expected non-negative duration value");
  return ms;
}

/** `werf.io/ignore-readiness-probe-fails-for-<container>`, in milliseconds per container. */
export function parseIgnoreReadinessProbeFails(r: Reader): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [container, { key, value }] of matching(r, P.ignoreReadinessProbeFailsFor, "container")) {
    if (value === "") throw invalid(r, key, value, "expected non-empty value");
    const ms = goParseDuration(value);
    if (ms === undefined) throw invalid(r, key, value, "expected valid duration");
    if (ms < 0 || Object.is(ms, -0)) throw invalid(r, key, value, "expected positive duration value");
    out[container] = ms;
  }
  return out;
}

export function parseLogRegex(r: Reader, key: typeof A.logRegex | typeof A.logRegexSkip): RegExp | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const re = compileRe2(value);
  if (re === undefined) throw invalid(r, key, value, "expected valid regexp");
  return re;
}

/** `werf.io/log-regex-for-<c>` / `werf.io/log-regex-skip-for-<c>`. */
export function parseLogRegexFor(r: Reader, pattern: RegExp): Record<string, RegExp> {
  const out: Record<string, RegExp> = {};
  for (const [container, { key, value }] of matching(r, pattern, "container")) {
    if (value === "") throw invalid(r, key, value, "expected non-empty value");
    const re = compileRe2(value);
    if (re === undefined) throw invalid(r, key, value, "expected valid regular expression");
    out[container] = re;
  }
  return out;
}

/** skip-logs-for-containers / show-logs-only-for-containers. */
export function parseContainerList(r: Reader, key: typeof A.skipLogsForContainers | typeof A.showLogsOnlyForContainers): string[] | undefined {
  const value = get(r, key);
  if (value === undefined) return undefined;
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const items = commaList(value);
  if (items === undefined) throw invalid(r, key, value, "one of the comma-separated values is empty");
  return items;
}

// ---- dependencies ----

export interface DependencySelector {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly kind?: string | undefined;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
}

const SELECTOR_KEYS = ["group", "version", "kind", "name", "namespace"] as const;

/**
 * nelm's property syntax for `werf.io/deploy-dependency-<id>` (`state=present|ready`) and
 * `werf.io/delete-dependency-<id>` (`state=absent`): comma-separated `key=value`, a target property required.
 */
export function parseDependencyValue<S extends string>(
  r: Reader,
  key: string,
  value: string,
  states: readonly S[],
  stateRequired: boolean,
): DependencySelector & { readonly state: S } {
  if (value === "") throw invalid(r, key, value, "expected non-empty string value");
  const props = new Map<string, string | boolean>();
  for (const part of value.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    // A bare word is a boolean property in nelm's ParseProperties.
    if (eq < 0) props.set(item, true);
    else props.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  if (!SELECTOR_KEYS.some((k) => props.has(k))) throw invalid(r, key, value, "target not specified");
  if (stateRequired && !props.has("state")) throw new AnnotationError(r.file, key, `invalid value ${q(value)} for annotation ${q(key)}, "state" property must be set`);
  for (const [prop, v] of props) {
    const known = prop === "state" || (SELECTOR_KEYS as readonly string[]).includes(prop);
    if (!known) throw new AnnotationError(r.file, key, `unknown property ${q(prop)} in value of annotation ${q(key)}`);
    if (typeof v === "boolean") throw new AnnotationError(r.file, key, `invalid boolean value true for property ${q(prop)}, expected string value`);
    if (v === "") throw new AnnotationError(r.file, key, `invalid value "" for property ${q(prop)}, expected non-empty string value`);
    if (prop === "state" && !(states as readonly string[]).includes(v)) throw new AnnotationError(r.file, key, `unknown value ${q(v)} for property "state"`);
  }
  const s = (k: string): string | undefined => {
    const v = props.get(k);
    return typeof v === "string" ? v : undefined;
  };
  const state = (s("state") ?? states[0]) as S;
  return { state, name: s("name"), namespace: s("namespace"), kind: s("kind"), group: s("group"), version: s("version") };
}

export interface ExternalRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** undefined: the release namespace (or none, for a cluster-scoped kind). */
  readonly namespace: string | undefined;
  readonly name: string;
}

/** `<id>.external-dependency.werf.io` and `<id>.dependency.werf.io`: `apiVersion:kind[:namespace]:name`. */
export function parseObjectRefValue(r: Reader, key: string, value: string, legacy: boolean): ExternalRef {
  const parts = value.split(":");
  if ((parts.length !== 3 && parts.length !== 4) || parts.some((p) => p === "")) {
    throw new AnnotationError(
      r.file,
      key,
      `invalid format of value ${q(value)} for annotation ${q(key)}, should be: apiVersion:kind[:namespace]:name${legacy ? " or empty" : ""}`,
    );
  }
  return { apiVersion: parts[0] ?? "", kind: parts[1] ?? "", namespace: parts.length === 4 ? parts[2] : undefined, name: parts.at(-1) ?? "" };
}

/** `<id>.external-dependency.werf.io/resource`: `type[.version.group]/name`, `all` forbidden. */
export function parseLegacyResourceValue(r: Reader, key: string, value: string): { type: string; name: string } {
  const elems = value.split("/");
  if (elems.length !== 2) throw new AnnotationError(r.file, key, `invalid format of value ${q(value)} for annotation ${q(key)}, should be: type/name`);
  const [type = "", name = ""] = elems;
  if (type === "") throw new AnnotationError(r.file, key, `value ${q(value)} of annotation ${q(key)} can't have empty resource type`);
  if (type === "all") throw new AnnotationError(r.file, key, `"all" resource type in value ${q(value)} of annotation ${q(key)} is not allowed`);
  if (type.split(".").some((p) => p === "")) {
    throw new AnnotationError(r.file, key, `resource type in value ${q(value)} of annotation ${q(key)} should have dots (.) delimiting only non-empty resource.version.group`);
  }
  if (name === "") throw new AnnotationError(r.file, key, `in value ${q(value)} of annotation ${q(key)} resource name can't be empty`);
  return { type, name };
}

export function parseLegacyNamespaceValue(r: Reader, key: string, value: string): string {
  if (value === "") throw invalid(r, key, value, "value must not be empty");
  return value;
}

/** Values of every annotation whose key matches `pattern`, keyed by the named group, in key order. */
export function matching(r: Reader, pattern: RegExp, group: string): Map<string, { key: string; value: string }> {
  const out = new Map<string, { key: string; value: string }>();
  for (const key of Object.keys(r.annotations).sort()) {
    const m = pattern.exec(key);
    const id = m?.groups?.[group];
    const value = r.annotations[key];
    if (id !== undefined && value !== undefined) out.set(id, { key, value });
  }
  return out;
}
