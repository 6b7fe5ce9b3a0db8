/**
 * @module resource/resource
 *
 * The deploy's resource model, from the chart's rendered documents to classified resources: parsing (Kind: List
 * expanded), identity, nelm's classification (stage per deploy type, weight, ownership, delete and resource
 * policies, tracking settings, dependencies), local validation collecting every problem, and the patches applied
 * before a release is stored (extra annotations/labels, Secret stringData) or sent (release metadata, runtime
 * annotations). Pure: no I/O; the namespace scope of kinds comes from the caller.
 */
import { parse as parseYaml } from "yaml";
import { MultiError, SlipwayError } from "../errors.js";
import type { KubeObject, ObjectRef } from "../kube/types.js";
import {
  A,
  DEPLOY_ON_VALUES,
  HELM_HOOK_VALUES,
  MANAGED_BY_LABEL,
  P,
  get,
  matching,
  parseBool,
  parseDuration,
  parseEnum,
  parseInt32,
  parseList,
  parseRegex,
  AnnotationError,
  type DeletePolicy,
  type FailMode,
  type Ownership,
  type PropagationPolicy,
  type ResourcePolicy,
  type TrackTerminationMode,
} from "./annotations.js";

export type DeployType = "initial" | "install" | "upgrade" | "rollback";
export type Stage = "pre-pre-install" | "pre-install" | "install" | "post-install";
export type StoreAs = "none" | "hook" | "regular";

export interface LogOptions {
  readonly skipLogs: boolean;
  readonly skipLogsForContainers: readonly string[];
  readonly showLogsOnlyForContainers: readonly string[];
  readonly logRegex?: RegExp | undefined;
  readonly logRegexFor: Readonly<Record<string, RegExp>>;
  readonly logRegexSkip?: RegExp | undefined;
  readonly logRegexSkipFor: Readonly<Record<string, RegExp>>;
  readonly showLogsOnlyForNumberOfReplicas: number;
  readonly showServiceMessages: boolean;
  readonly ignoreReadinessProbeFailsFor: Readonly<Record<string, number>>;
}

export interface InternalDependency {
  readonly state: "present" | "ready";
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly kind?: string | undefined;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
}

export interface Resource {
  /** `namespace:group:kind:name` ("" namespace for cluster-scoped). */
  readonly id: string;
  /** `Deployment/app`, with ` (namespace=x)` outside the release namespace. */
  readonly human: string;
  /** The template path, e.g. `app/templates/deploy.yaml`. */
  readonly source: string;
  readonly object: KubeObject;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly storeAs: StoreAs;
  readonly hookEvents: readonly string[];
  readonly hookWeight: number;
  /** The stages the resource is deployed in for this deploy type (several iterations for multi-stage hooks). */
  readonly stages: readonly Stage[];
  /** undefined when manual deploy dependencies order it instead. */
  readonly weight: number | undefined;
  readonly ownership: Ownership;
  readonly deletePolicies: readonly DeletePolicy[];
  readonly resourcePolicies: readonly ResourcePolicy[];
  readonly deletePropagation: PropagationPolicy | undefined;
  readonly replicasOnCreation: number | undefined;
  readonly trackTerminationMode: TrackTerminationMode;
  readonly failMode: FailMode;
  readonly failuresAllowedPerReplica: number | undefined;
  readonly noActivityTimeoutMs: number;
  readonly logs: LogOptions;
  readonly manualDeps: readonly InternalDependency[];
  readonly externalDeps: readonly ObjectRef[];
  /** Names of ConfigMaps, Secrets, ServiceAccounts... a workload's pod spec needs (automatic `present` deps). */
  readonly autoDeps: readonly { kind: string; name: string }[];
}

export interface RenderedDocument {
  /** Template path. */
  readonly source: string;
  readonly content: string;
  readonly storeAs: StoreAs;
}

export interface ClassifyOptions {
  readonly releaseName: string;
  readonly releaseNamespace: string;
  readonly deployType: DeployType;
  /** true / false from discovery; undefined when the kind is unknown yet (e.g. a CRD of this chart). */
  readonly namespaced: (apiVersion: string, kind: string) => boolean | undefined;
  readonly warn?: (message: string) => void;
}

const CLUSTER_SCOPED = new Set([
  "Namespace", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
  "PriorityClass", "IngressClass", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
  "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest", "PodSecurityPolicy",
  "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "FlowSchema", "PriorityLevelConfiguration",
]);

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

export function resourceId(namespace: string, apiVersion: string, kind: string, name: string): string {
  return `${namespace}:${groupOf(apiVersion)}:${kind}:${name}`;
}

export function humanId(kind: string, name: string, namespace: string, releaseNamespace: string): string {
  return namespace !== "" && namespace !== releaseNamespace ? `${kind}/${name} (namespace=${namespace})` : `${kind}/${name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses documents into objects; every problem is collected. Kind: List is expanded. */
export function parseDocuments(docs: readonly RenderedDocument[], warn?: (m: string) => void): { source: string; storeAs: StoreAs; object: KubeObject }[] {
  const out: { source: string; storeAs: StoreAs; object: KubeObject }[] = [];
  const errors: unknown[] = [];
  for (const doc of docs) {
    let value: unknown;
    try {
      value = parseYaml(doc.content, { version: "1.1", merge: true, uniqueKeys: false });
    } catch (err) {
      errors.push(new SlipwayError(`parse manifest: ${(err as Error).message.split("\n")[0] ?? ""}`, { code: "chart", location: { file: doc.source } }));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value)) {
      errors.push(new SlipwayError("manifest is not an object", { code: "chart", location: { file: doc.source } }));
      continue;
    }
    const items = value["kind"] === "List" && Array.isArray(value["items"]) ? (value["items"] as unknown[]) : [value];
    for (const item of items) {
      if (!isObject(item)) {
        errors.push(new SlipwayError("List item is not an object", { code: "chart", location: { file: doc.source } }));
        continue;
      }
      const problem = checkShape(item);
      if (problem !== undefined) {
        errors.push(new SlipwayError(problem.message, { code: "chart", location: { file: doc.source, key: problem.key } }));
        continue;
      }
      const object = item as unknown as KubeObject;
      for (const field of ["annotations", "labels"] as const) {
        const map = object.metadata[field] as Record<string, unknown> | undefined;
        if (map === undefined || map === null) continue;
        for (const [k, v] of Object.entries(map)) {
          if (typeof v !== "string") {
            warn?.(`${doc.source}: ${object.kind}/${object.metadata.name}: ${field.slice(0, -1)} ${JSON.stringify(k)} has a non-string value and is dropped`);
            delete map[k];
          }
        }
      }
      out.push({ source: doc.source, storeAs: doc.storeAs, object });
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
  return out;
}

function checkShape(item: Record<string, unknown>): { message: string; key: string } | undefined {
  if (typeof item["apiVersion"] !== "string" || item["apiVersion"] === "") return { message: "resource has no apiVersion", key: "apiVersion" };
  if (typeof item["kind"] !== "string" || item["kind"] === "") return { message: "resource has no kind", key: "kind" };
  const md = item["metadata"];
  if (!isObject(md)) return { message: `${item["kind"]}: resource has no metadata`, key: "metadata" };
  const name = md["name"];
  if (typeof name !== "string" || name === "") {
    return { message: `${item["kind"]}: resource has no metadata.name${md["generateName"] === undefined ? "" : " (generateName is not supported by werf)"}`, key: "metadata.name" };
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return { message: `${item["kind"]}/${name}: invalid metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`, key: "metadata.name" };
  }
  if (md["namespace"] !== undefined && typeof md["namespace"] !== "string") return { message: `${item["kind"]}/${name}: metadata.namespace must be a string`, key: "metadata.namespace" };
  return undefined;
}

function stagesFor(events: readonly string[], deployType: DeployType): Stage[] {
  const action = deployType === "rollback" ? "rollback" : deployType === "upgrade" ? "upgrade" : "install";
  const stages: Stage[] = [];
  for (const e of events) {
    if (e === `pre-${action}`) stages.push("pre-install");
    else if (e === action) stages.push("install");
    else if (e === `post-${action}`) stages.push("post-install");
  }
  return [...new Set(stages)];
}

const HOOK_DELETE_POLICY: Readonly<Record<string, DeletePolicy>> = {
  "before-hook-creation": "before-creation",
  "hook-succeeded": "succeeded",
  "hook-failed": "failed",
};

function parseDependency(file: string, key: string, value: string): InternalDependency {
  const fields = new Map<string, string>();
  for (const part of value.split(",")) {
    const [k, v, ...rest] = part.split("=");
    if (k === undefined || v === undefined || rest.length > 0 || !["state", "name", "namespace", "kind", "group", "version"].includes(k.trim())) {
      throw new AnnotationError(file, key, value, "state=ready|present[,name=...][,namespace=...][,kind=...][,group=...][,version=...]");
    }
    fields.set(k.trim(), v.trim());
  }
  const state = fields.get("state");
  if (state !== "ready" && state !== "present") throw new AnnotationError(file, key, value, "state=ready or state=present");
  if (fields.size < 2) throw new AnnotationError(file, key, value, "at least one of name, namespace, kind, group, version besides state");
  return { state, name: fields.get("name"), namespace: fields.get("namespace"), kind: fields.get("kind"), group: fields.get("group"), version: fields.get("version") };
}

function parseExternal(file: string, key: string, value: string, releaseNamespace: string): ObjectRef {
  // apiVersion:kind[:namespace]:name; apiVersion itself may contain no colon.
  const parts = value.split(":");
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p === "")) {
    throw new AnnotationError(file, key, value, "<apiVersion>:<kind>[:<namespace>]:<name>");
  }
  const [apiVersion = "", kind = ""] = parts;
  const namespace = parts.length === 4 ? (parts[2] ?? "") : releaseNamespace;
  const name = parts.at(-1) ?? "";
  return { apiVersion, kind, namespace, name };
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"]);

function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const spec = object["spec"];
  if (!isObject(spec)) return undefined;
  if (object.kind === "Pod") return spec;
  if (object.kind === "CronJob") {
    const jt = spec["jobTemplate"];
    const js = isObject(jt) ? jt["spec"] : undefined;
    const tpl = isObject(js) ? js["template"] : undefined;
    const ps = isObject(tpl) ? tpl["spec"] : undefined;
    return isObject(ps) ? ps : undefined;
  }
  const tpl = spec["template"];
  const ps = isObject(tpl) ? tpl["spec"] : undefined;
  return isObject(ps) ? ps : undefined;
}

/** Objects a workload's pod spec needs to exist (non-optional references). */
export function autoDependencies(object: KubeObject): { kind: string; name: string }[] {
  if (!WORKLOADS.has(object.kind)) return [];
  const spec = podSpecOf(object);
  if (spec === undefined) return [];
  const deps = new Map<string, { kind: string; name: string }>();
  const add = (kind: string, name: unknown, optional: unknown): void => {
    if (typeof name === "string" && name !== "" && optional !== true) deps.set(`${kind}/${name}`, { kind, name });
  };
  const containers = [...((spec["containers"] as unknown[]) ?? []), ...((spec["initContainers"] as unknown[]) ?? [])].filter(isObject);
  for (const c of containers) {
    for (const e of ((c["env"] as unknown[]) ?? []).filter(isObject)) {
      const from = e["valueFrom"];
      if (!isObject(from)) continue;
      const cm = from["configMapKeyRef"];
      if (isObject(cm)) add("ConfigMap", cm["name"], cm["optional"]);
      const sec = from["secretKeyRef"];
      if (isObject(sec)) add("Secret", sec["name"], sec["optional"]);
    }
    for (const e of ((c["envFrom"] as unknown[]) ?? []).filter(isObject)) {
      const cm = e["configMapRef"];
      if (isObject(cm)) add("ConfigMap", cm["name"], cm["optional"]);
      const sec = e["secretRef"];
      if (isObject(sec)) add("Secret", sec["name"], sec["optional"]);
    }
  }
  for (const v of ((spec["volumes"] as unknown[]) ?? []).filter(isObject)) {
    const cm = v["configMap"];
    if (isObject(cm)) add("ConfigMap", cm["name"], cm["optional"]);
    const sec = v["secret"];
    if (isObject(sec)) add("Secret", sec["secretName"], sec["optional"]);
  }
  for (const s of ((spec["imagePullSecrets"] as unknown[]) ?? []).filter(isObject)) add("Secret", s["name"], false);
  add("ServiceAccount", spec["serviceAccountName"] ?? spec["serviceAccount"], false);
  return [...deps.values()];
}

function logOptions(r: { file: string; annotations: Record<string, string> }): LogOptions {
  const regexFor = (pattern: RegExp): Record<string, RegExp> => {
    const out: Record<string, RegExp> = {};
    for (const [container, { key }] of matching(r, pattern, "container")) {
      const re = parseRegex(r, key);
      if (re !== undefined) out[container] = re;
    }
    return out;
  };
  const ignore: Record<string, number> = {};
  for (const [container, { key }] of matching(r, P.ignoreReadinessProbeFailsFor, "container")) {
    const ms = parseDuration(r, key);
    if (ms !== undefined) ignore[container] = ms;
  }
  return {
    skipLogs: parseBool(r, A.skipLogs) ?? false,
    skipLogsForContainers: parseList(r, A.skipLogsForContainers) ?? [],
    showLogsOnlyForContainers: parseList(r, A.showLogsOnlyForContainers) ?? [],
    logRegex: parseRegex(r, A.logRegex),
    logRegexFor: regexFor(P.logRegexFor),
    logRegexSkip: parseRegex(r, A.logRegexSkip),
    logRegexSkipFor: regexFor(P.logRegexSkipFor),
    showLogsOnlyForNumberOfReplicas: parseInt32(r, A.showLogsOnlyForNumberOfReplicas, { min: 0 }) ?? 1,
    showServiceMessages: parseBool(r, A.showServiceMessages) ?? false,
    ignoreReadinessProbeFailsFor: ignore,
  };
}

/**
 * Classifies every parsed object (§1.5 of nelm's model) and validates it; all problems are thrown together.
 * Resources whose stages are empty for this deploy type are still returned (they are stored, not deployed).
 */
export function classify(parsed: readonly { source: string; storeAs: StoreAs; object: KubeObject }[], options: ClassifyOptions): Resource[] {
  const errors: unknown[] = [];
  const out: Resource[] = [];
  const seen = new Map<string, string>();
  for (const { source, storeAs, object } of parsed) {
    try {
      const resource = classifyOne(source, storeAs, object, options);
      const webhook = object.kind.endsWith("WebhookConfiguration");
      const first = seen.get(resource.id);
      if (first !== undefined && !webhook) {
        throw new SlipwayError(`duplicate resource ${resource.human}: also defined in ${first}`, { code: "chart", location: { file: source } });
      }
      seen.set(resource.id, source);
      out.push(resource);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
  return out;
}

function classifyOne(source: string, storeAs: StoreAs, object: KubeObject, options: ClassifyOptions): Resource {
  const annotations = { ...(object.metadata.annotations ?? {}) };
  const r = { file: source, annotations };
  const { kind } = object;
  const name = object.metadata.name;
  const where = (key: string) => ({ file: source, key });
  const namespacedByDiscovery = options.namespaced(object.apiVersion, kind);
  const namespaced = namespacedByDiscovery ?? !CLUSTER_SCOPED.has(kind);
  const declaredNs = object.metadata.namespace;
  if (!namespaced && declaredNs !== undefined && declaredNs !== "") {
    throw new SlipwayError(`${kind}/${name} is cluster-scoped but sets metadata.namespace "${declaredNs}"`, { code: "chart", location: where("metadata.namespace") });
  }
  const namespace = namespaced ? (declaredNs === undefined || declaredNs === "" ? options.releaseNamespace : declaredNs) : "";
  const group = groupOf(object.apiVersion);
  const id = resourceId(namespace, object.apiVersion, kind, name);
  const human = humanId(kind, name, namespace, options.releaseNamespace);
  if (kind === "Namespace" && name === options.releaseNamespace) {
    throw new SlipwayError(`release namespace cannot be deployed as part of the release (${human})`, { code: "chart", location: { file: source } });
  }

  const hookValue = get(r, A.helmHook);
  const hookEvents = storeAs === "hook" && hookValue !== undefined ? hookValue.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "") : [];
  for (const e of hookEvents) {
    if (!(HELM_HOOK_VALUES as readonly string[]).includes(e)) throw new AnnotationError(source, A.helmHook, hookValue ?? "", `comma-separated values of: ${HELM_HOOK_VALUES.join(", ")}`);
  }
  const deployOn = parseList(r, A.deployOn, DEPLOY_ON_VALUES);
  const isCrd = kind === "CustomResourceDefinition" && group === "apiextensions.k8s.io";
  let stages: Stage[];
  if (isCrd || kind === "Namespace") stages = ["pre-pre-install"];
  else if (deployOn !== undefined) stages = stagesFor(deployOn, options.deployType);
  else if (storeAs === "hook") stages = stagesFor(hookEvents, options.deployType);
  else stages = ["install"];

  const manualDeps: InternalDependency[] = [];
  for (const [, { key, value }] of matching(r, P.deployDependency, "id")) manualDeps.push(parseDependency(source, key, value));
  for (const [, { key, value }] of matching(r, P.legacyDependency, "id")) {
    const ref = parseExternal(source, key, value, options.releaseNamespace);
    manualDeps.push({ state: "present", name: ref.name, kind: ref.kind, namespace: ref.namespace, group: groupOf(ref.apiVersion) });
  }
  const externalDeps: ObjectRef[] = [];
  for (const [, { key, value }] of matching(r, P.externalDependency, "id")) externalDeps.push(parseExternal(source, key, value, options.releaseNamespace));
  const legacyNs = matching(r, P.externalDependencyNamespace, "id");
  for (const [id2, { key, value }] of matching(r, P.externalDependencyResource, "id")) {
    const m = /^([a-zA-Z0-9.-]+)\/([a-z0-9][a-z0-9.-]*)$/.exec(value);
    if (m === null || m[1] === "all") throw new AnnotationError(source, key, value, "<type>[.<version>.<group>]/<name>");
    externalDeps.push({ apiVersion: `legacy:${m[1] ?? ""}`, kind: m[1] ?? "", namespace: legacyNs.get(id2)?.value ?? options.releaseNamespace, name: m[2] ?? "" });
  }

  const werfWeight = parseInt32(r, A.weight);
  const hookWeight = parseInt32(r, A.helmHookWeight) ?? 0;
  let weight: number | undefined;
  if (manualDeps.length > 0) weight = undefined;
  else if (isCrd || kind === "Namespace") weight = 0;
  else if (storeAs === "hook") weight = werfWeight ?? hookWeight;
  else weight = werfWeight ?? 0;

  let deletePolicies = parseList(r, A.deletePolicy, ["before-creation", "before-creation-if-immutable", "succeeded", "failed"] as const);
  if (deletePolicies === undefined) {
    if (storeAs === "hook") {
      const helm = parseList(r, A.helmHookDeletePolicy, Object.keys(HOOK_DELETE_POLICY));
      deletePolicies = helm === undefined || helm.length === 0 ? ["before-creation"] : helm.map((p) => HOOK_DELETE_POLICY[p] ?? "before-creation");
    } else if (group === "batch" && kind === "Job") deletePolicies = ["before-creation-if-immutable"];
    else deletePolicies = [];
  }
  let resourcePolicies: ResourcePolicy[];
  const werfPolicy = parseList(r, A.resourcePolicy, ["skip-create", "skip-update", "skip-recreate", "skip-delete", "keep"] as const);
  if (werfPolicy !== undefined) resourcePolicies = werfPolicy.map((p) => (p === "keep" ? "skip-delete" : p));
  else {
    const helm = parseEnum(r, A.helmResourcePolicy, ["keep"] as const);
    resourcePolicies = helm === "keep" ? ["skip-delete"] : [];
  }
  const ownershipAnnotation = parseEnum(r, A.ownership, ["release", "anyone"] as const);
  const ownership: Ownership = storeAs === "none" ? "anyone" : (ownershipAnnotation ?? (storeAs === "hook" ? "anyone" : "release"));

  return {
    id,
    human,
    source,
    object,
    group,
    kind,
    name,
    namespace,
    storeAs,
    hookEvents,
    hookWeight,
    stages,
    weight,
    ownership,
    deletePolicies,
    resourcePolicies,
    deletePropagation: parseEnum(r, A.deletePropagation, ["Foreground", "Background", "Orphan"] as const),
    replicasOnCreation: parseInt32(r, A.replicasOnCreation, { min: 0 }),
    trackTerminationMode: parseEnum(r, A.trackTerminationMode, ["WaitUntilResourceReady", "NonBlocking"] as const) ?? "WaitUntilResourceReady",
    failMode: parseEnum(r, A.failMode, ["FailWholeDeployProcessImmediately", "IgnoreAndContinueDeployProcess", "HopeUntilEndOfDeployProcess"] as const) ?? "FailWholeDeployProcessImmediately",
    failuresAllowedPerReplica: parseInt32(r, A.failuresAllowedPerReplica, { min: 0 }),
    noActivityTimeoutMs: parseDuration(r, A.noActivityTimeout) ?? 240_000,
    logs: logOptions(r),
    manualDeps,
    externalDeps,
    autoDeps: autoDependencies(object),
  };
}

/** Whether a dependency selector matches a resource. */
export function dependencyMatches(dep: InternalDependency, target: Resource): boolean {
  return (
    (dep.name === undefined || dep.name === target.name) &&
    (dep.kind === undefined || dep.kind === target.kind) &&
    (dep.group === undefined || dep.group === target.group) &&
    (dep.namespace === undefined || dep.namespace === target.namespace) &&
    (dep.version === undefined || target.object.apiVersion.endsWith(`/${dep.version}`) || target.object.apiVersion === dep.version)
  );
}

// ---- patches ----

/** Before storing: --add-annotation/--add-label on every object, Secret stringData folded into data. */
export function patchStored(object: KubeObject, extra: { annotations: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>> }): KubeObject {
  const copy = structuredClone(object);
  if (Object.keys(extra.annotations).length > 0) copy.metadata.annotations = { ...copy.metadata.annotations, ...extra.annotations };
  if (Object.keys(extra.labels).length > 0) copy.metadata.labels = { ...copy.metadata.labels, ...extra.labels };
  if (copy.kind === "Secret" && copy.apiVersion === "v1" && isObject(copy["stringData"])) {
    const data: Record<string, string> = { ...(copy["data"] as Record<string, string> | undefined) };
    for (const [k, v] of Object.entries(copy["stringData"])) data[k] = Buffer.from(String(v)).toString("base64");
    copy["data"] = data;
    delete copy["stringData"];
  }
  return copy;
}

/** At apply time: release metadata on ownership-release objects, runtime annotations and labels on all. */
export function patchRuntime(
  resource: Resource,
  options: { releaseName: string; releaseNamespace: string; annotations: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>> },
): KubeObject {
  const copy = structuredClone(resource.object);
  if (resource.namespace === "") delete copy.metadata.namespace;
  else copy.metadata.namespace = resource.namespace;
  const annotations = { ...copy.metadata.annotations, ...options.annotations };
  const labels = { ...copy.metadata.labels, ...options.labels };
  if (resource.ownership === "release") {
    annotations[A.releaseName] = options.releaseName;
    annotations[A.releaseNamespace] = options.releaseNamespace;
    labels[MANAGED_BY_LABEL] = "Helm";
  }
  if (Object.keys(annotations).length > 0) copy.metadata.annotations = annotations;
  if (Object.keys(labels).length > 0) copy.metadata.labels = labels;
  return copy;
}

export function refOf(resource: Resource): ObjectRef {
  return { apiVersion: resource.object.apiVersion, kind: resource.kind, namespace: resource.namespace, name: resource.name };
}
