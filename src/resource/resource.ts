/**
 * @module resource/resource
 *
 * The deploy's resource model. Takes the render output (src/render: manifests and hooks with their `# Source:`
 * paths) plus the charts' crds/ files; gives parsed objects (Kind: List expanded), nelm's identities and the
 * classification of each resource (stage per deploy type, weight, ownership, policies, tracking settings,
 * dependencies), after local validation that collects every problem into one MultiError. Also the patches
 * applied before a release is stored (extra annotations/labels, Secret stringData) or sent (release metadata,
 * runtime annotations). Pure: no I/O; the scope of kinds comes from the caller (discovery) with a built-in table
 * as fallback. Must not import src/kube except its types, nor node:fs/net.
 */
import { MultiError, SlipwayError } from "../errors.js";
import type { KubeObject } from "../kube/types.js";
import type { TrackLogOptions } from "../track/options.js";
import { splitManifests } from "../render/manifests.js";
import { readYamlObject } from "../template/yaml/read.js";
import { marshalYaml, parseJson } from "../template/yaml/index.js";
import type { RenderResult } from "../render/render.js";
import { chartFullPath, type Chart } from "../chart/types.js";
import {
  A,
  AnnotationError,
  MANAGED_BY_HELM,
  MANAGED_BY_LABEL,
  P,
  matching,
  parseBoolKey,
  parseContainerList,
  parseDeletePolicy,
  parseDeletePropagation,
  parseDependencyValue,
  parseDeployOn,
  parseFailMode,
  parseHelmResourcePolicy,
  parseHook,
  parseHookDeletePolicy,
  parseIgnoreReadinessProbeFails,
  parseLegacyNamespaceValue,
  parseLegacyResourceValue,
  parseLogRegex,
  parseLogRegexFor,
  parseNoActivityTimeout,
  parseNonNegativeInt,
  parseObjectRefValue,
  parseOwnership,
  parseReplicasOnCreation,
  parseResourcePolicy,
  parseTrackTerminationMode,
  parseWeight,
  type DeletePolicy,
  type DependencySelector,
  type ExternalRef,
  type FailMode,
  type Ownership,
  type PropagationPolicy,
  type Reader,
  type ResourcePolicy,
  type TrackTerminationMode,
} from "./annotations.js";

/** What kind of deploy the classification is for; hooks and deploy-on select stages by it. */
export type DeployType = "install" | "upgrade" | "rollback" | "delete";
export type Stage = "pre-pre-install" | "pre-install" | "install" | "post-install";
/** none: crds/ (never stored); hook: has helm.sh/hook; regular: the rest. */
export type StoreAs = "none" | "hook" | "regular";

/** The tracker's log options as a resource's annotations set them (--no-pod-logs comes from the command line). */
export type LogOptions = Omit<TrackLogOptions, "noPodLogs" | "ignoreReadinessProbeFailsFor"> & {
  readonly ignoreReadinessProbeFailsFor: Readonly<Record<string, number>>;
};

export interface InternalDependency extends DependencySelector {
  readonly state: "present" | "ready";
}

export interface DeleteDependency extends DependencySelector {
  readonly state: "absent";
}

/** The legacy `<id>.external-dependency.werf.io/resource` form; the type needs the REST mapper to resolve. */
export interface LegacyExternalDependency {
  readonly type: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

export interface Resource {
  /** nelm's `namespace:group:kind:name`; the namespace is "" for the release namespace and cluster-scoped kinds. */
  readonly id: string;
  /** `Deployment/app`, with ` (namespace=x)` outside the release namespace. */
  readonly human: string;
  /** The template path (`# Source:`), e.g. `app/templates/deploy.yaml`. */
  readonly source: string;
  readonly object: KubeObject;
  readonly apiVersion: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  /** The namespace the object lives in ("" for cluster-scoped). */
  readonly namespace: string;
  readonly storeAs: StoreAs;
  readonly isHook: boolean;
  readonly hookEvents: readonly string[];
  /** Stages per deploy type; several entries are iterations (e.g. `pre-install,post-install`). */
  readonly deployConditions: Readonly<Partial<Record<DeployType | "test", readonly Stage[]>>>;
  /** undefined when manual deploy dependencies order it instead. */
  readonly weight: number | undefined;
  readonly ownership: Ownership;
  readonly deletePolicies: readonly DeletePolicy[];
  readonly recreate: boolean;
  readonly recreateOnImmutable: boolean;
  readonly deleteOnSucceeded: boolean;
  readonly deleteOnFailed: boolean;
  readonly resourcePolicies: readonly ResourcePolicy[];
  /** undefined: the --delete-propagation default (Foreground). */
  readonly deletePropagation: PropagationPolicy | undefined;
  readonly replicasOnCreation: number | undefined;
  readonly trackTerminationMode: TrackTerminationMode;
  readonly failMode: FailMode;
  /** Already multiplied by spec.replicas. */
  readonly failuresAllowed: number;
  readonly noActivityTimeoutMs: number;
  readonly logs: LogOptions;
  readonly manualDeps: readonly InternalDependency[];
  readonly autoDeps: readonly InternalDependency[];
  readonly deleteDeps: readonly DeleteDependency[];
  readonly externalDeps: readonly ExternalRef[];
  readonly legacyExternalDeps: readonly LegacyExternalDependency[];
}

export interface RenderedDocument {
  /** Template path. */
  readonly source: string;
  readonly content: string;
  readonly storeAs: StoreAs;
}

export interface ParsedDocument {
  readonly source: string;
  readonly storeAs: StoreAs;
  readonly object: KubeObject;
}

export interface ClassifyOptions {
  readonly releaseName: string;
  readonly releaseNamespace: string;
  /** true / false from discovery; undefined when unknown (then the built-in table decides). */
  readonly namespaced?: ((apiVersion: string, kind: string) => boolean | undefined) | undefined;
  readonly warn?: ((message: string) => void) | undefined;
}

/** Cluster-scoped kinds of Kubernetes 1.34 (group/Kind), for when discovery is not available. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
  "storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
  "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
  "scheduling.k8s.io/PriorityClass", "networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR", "node.k8s.io/RuntimeClass",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration", "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy", "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy", "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "policy/PodSecurityPolicy", "resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice",
  "storagemigration.k8s.io/StorageVersionMigration", "internal.apiserver.k8s.io/StorageVersion",
  "authentication.k8s.io/TokenReview", "authentication.k8s.io/SelfSubjectReview",
  "authorization.k8s.io/SubjectAccessReview", "authorization.k8s.io/SelfSubjectAccessReview",
  "authorization.k8s.io/SelfSubjectRulesReview",
]);

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

function versionOf(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/** nelm's id: the namespace is left empty for the release namespace. */
export function resourceId(namespace: string, group: string, kind: string, name: string, releaseNamespace: string): string {
  return `${namespace === releaseNamespace ? "" : namespace}:${group}:${kind}:${name}`;
}

export function humanId(kind: string, name: string, namespace: string, releaseNamespace: string): string {
  return namespace !== "" && namespace !== releaseNamespace ? `${kind}/${name} (namespace=${namespace})` : `${kind}/${name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The documents of the charts' crds/ files (a file may hold several), as `<chart path>/crds/<file>`. */
export function chartCrdDocuments(chart: Chart): RenderedDocument[] {
  const out: RenderedDocument[] = [];
  const walk = (c: Chart): void => {
    for (const f of c.crds) {
      for (const part of Buffer.from(f.data).toString("utf8").split(/^---\s*$/m)) {
        if (part.trim() !== "") out.push({ source: `${chartFullPath(c)}/${f.name}`, content: part.trim(), storeAs: "none" });
      }
    }
    for (const d of c.dependencies) walk(d);
  };
  walk(chart);
  return out;
}

/**
 * The render output as documents: hooks (StoreAs hook), manifests (regular) and the charts' crds/ files
 * (StoreAs none; a file may hold several documents). `crds` sources are `<chart path>/crds/<file>`.
 */
export function documentsFromRender(render: Pick<RenderResult, "manifests" | "hooks">, crds: readonly { source: string; content: string }[] = []): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  for (const crd of crds) for (const content of splitManifests(crd.content)) docs.push({ source: crd.source, content, storeAs: "none" });
  for (const hook of render.hooks) docs.push({ source: hook.name, content: hook.content, storeAs: "hook" });
  for (const manifest of render.manifests) docs.push({ source: manifest.name, content: manifest.content, storeAs: "regular" });
  return docs;
}

function fail(file: string, message: string, key?: string): SlipwayError {
  return new SlipwayError(message, { code: "chart", location: key === undefined ? { file } : { file, key } });
}

/** Parses documents into objects, collecting every problem. Kind: List is expanded. */
export function parseDocuments(docs: readonly RenderedDocument[], warn?: (m: string) => void): ParsedDocument[] {
  const out: ParsedDocument[] = [];
  const errors: unknown[] = [];
  for (const doc of docs) {
    let value: unknown;
    try {
      // What Helm and nelm get for the manifest (sigs.k8s.io/yaml), on the template engine's reader.
      value = readYamlObject(doc.content);
    } catch (err) {
      errors.push(fail(doc.source, `parse manifest: ${(err as Error).message.split("\n")[0] ?? ""}`));
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value)) {
      errors.push(fail(doc.source, `manifest is not an object but ${Array.isArray(value) ? "an array" : `a ${typeof value}`}`));
      continue;
    }
    const isList = typeof value["kind"] === "string" && value["kind"].endsWith("List") && Array.isArray(value["items"]);
    const items = isList ? (value["items"] as unknown[]) : [value];
    items.forEach((item, index) => {
      const where = isList ? `items[${index}]: ` : "";
      if (!isObject(item)) {
        errors.push(fail(doc.source, `${where}list item is not an object`));
        return;
      }
      const problem = checkShape(item);
      if (problem !== undefined) {
        errors.push(fail(doc.source, `${where}${problem.message}`, problem.key));
        return;
      }
      const object = item as unknown as KubeObject;
      for (const field of ["annotations", "labels"] as const) {
        const map: unknown = object.metadata[field];
        if (map === undefined || map === null) {
          delete object.metadata[field];
          continue;
        }
        if (!isObject(map)) {
          errors.push(fail(doc.source, `${object.kind}/${object.metadata.name}: metadata.${field} must be a map of strings`, `metadata.${field}`));
          return;
        }
        for (const [k, v] of Object.entries(map)) {
          if (typeof v !== "string") {
            warn?.(`${doc.source}: ${object.kind}/${object.metadata.name}: ${field === "annotations" ? "annotation" : "label"} ${JSON.stringify(k)} has a non-string value and is dropped`);
            delete map[k];
          }
        }
      }
      out.push({ source: doc.source, storeAs: doc.storeAs, object });
    });
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
  return out;
}

function checkShape(item: Record<string, unknown>): { message: string; key: string } | undefined {
  const kind = item["kind"];
  if (typeof item["apiVersion"] !== "string" || item["apiVersion"] === "") {
    return { message: `${typeof kind === "string" && kind !== "" ? `${kind}: ` : ""}object has no apiVersion`, key: "apiVersion" };
  }
  if (typeof kind !== "string" || kind === "") return { message: "object has no kind (Object 'Kind' is missing)", key: "kind" };
  const md = item["metadata"];
  if (!isObject(md)) return { message: `${kind}: object has no metadata`, key: "metadata" };
  const name = md["name"];
  if (typeof name !== "string" || name === "") {
    return { message: `${kind}: object has no metadata.name${md["generateName"] === undefined ? "" : " (metadata.generateName is not supported)"}`, key: "metadata.name" };
  }
  // The API server's path-segment rule, the only one every kind shares (RBAC names may contain ':').
  if (name === "." || name === ".." || /[/%]/.test(name)) {
    return { message: `${kind}/${name}: invalid metadata.name: may not be '.' or '..' and may not contain '/' or '%'`, key: "metadata.name" };
  }
  if (md["namespace"] !== undefined && md["namespace"] !== null && typeof md["namespace"] !== "string") {
    return { message: `${kind}/${name}: metadata.namespace must be a string`, key: "metadata.namespace" };
  }
  return undefined;
}

/** Is this object the release namespace itself? */
export function isReleaseNamespace(object: KubeObject, releaseNamespace: string): boolean {
  return object.kind === "Namespace" && groupOf(object.apiVersion) === "" && object.metadata.name === releaseNamespace;
}

function isCrd(group: string, kind: string): boolean {
  return group === "apiextensions.k8s.io" && kind === "CustomResourceDefinition";
}

function isWebhook(group: string, kind: string): boolean {
  return group === "admissionregistration.k8s.io" && (kind === "MutatingWebhookConfiguration" || kind === "ValidatingWebhookConfiguration");
}

/** Classifies and validates every parsed object; all problems are thrown together as a MultiError. */
export function classify(parsed: readonly ParsedDocument[], options: ClassifyOptions): Resource[] {
  const errors: unknown[] = [];
  const out: Resource[] = [];
  const seen = new Map<string, string>();
  for (const doc of parsed) {
    const problems: unknown[] = [];
    const resource = classifyOne(doc, options, problems);
    if (resource !== undefined && problems.length === 0) {
      const first = seen.get(resource.id);
      if (first !== undefined && !isWebhook(resource.group, resource.kind)) {
        problems.push(fail(doc.source, `validate for no duplicated resources: duplicated resources found: ${resource.human} (also in ${first})`));
      } else seen.set(resource.id, doc.source);
    }
    if (problems.length > 0) errors.push(...problems.map((p) => wrapWithResource(p, doc)));
    else if (resource !== undefined) out.push(resource);
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
  return out;
}

/** Names the resource in annotation errors, which only know the key: `ConfigMap/a: invalid value ...`. */
function wrapWithResource(problem: unknown, doc: ParsedDocument): unknown {
  if (!(problem instanceof AnnotationError)) return problem;
  const what = `${doc.object.kind}/${doc.object.metadata.name}`;
  return new SlipwayError(`${what}: ${problem.message}`, { code: "chart", location: { file: doc.source, key: problem.key } });
}

function collect<T>(problems: unknown[], fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    problems.push(err);
    return fallback;
  }
}

function stagesFor(events: readonly string[], deployType: DeployType | "test"): Stage[] {
  const stages: Stage[] = [];
  for (const e of events) {
    if (deployType === "test") {
      if (e === "test" || e === "test-success") stages.push("install");
    } else if (e === `pre-${deployType}`) stages.push("pre-install");
    else if (e === deployType) stages.push("install");
    else if (e === `post-${deployType}`) stages.push("post-install");
  }
  const order: readonly Stage[] = ["pre-pre-install", "pre-install", "install", "post-install"];
  return [...new Set(stages)].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function classifyOne(doc: ParsedDocument, options: ClassifyOptions, problems: unknown[]): Resource | undefined {
  const { source, storeAs, object } = doc;
  const r: Reader = { file: source, annotations: object.metadata.annotations ?? {} };
  const { kind, apiVersion } = object;
  const name = object.metadata.name;
  const group = groupOf(apiVersion);
  const crd = isCrd(group, kind);
  // Namespaces and CRDs must exist before anything that lives in them or is of their kind.
  const forcedEarly = crd || (group === "" && kind === "Namespace");

  const namespaced = options.namespaced?.(apiVersion, kind) ?? !CLUSTER_SCOPED_KINDS.has(`${group}/${kind}`);
  const declaredNs = typeof object.metadata.namespace === "string" ? object.metadata.namespace : "";
  if (!namespaced && declaredNs !== "") {
    // The API server ignores metadata.namespace on cluster-scoped objects, and so do Helm and nelm; say so once.
    options.warn?.(`${source}: ${kind}/${name} is cluster-scoped, its metadata.namespace "${declaredNs}" is ignored`);
  }
  const namespace = namespaced ? (declaredNs === "" ? options.releaseNamespace : declaredNs) : "";
  const id = resourceId(namespace, group, kind, name, options.releaseNamespace);
  const human = humanId(kind, name, namespace, options.releaseNamespace);

  if (isReleaseNamespace(object, options.releaseNamespace) && storeAs !== "none") {
    problems.push(fail(source, `validate for no duplicated resources: release namespace "${name}" cannot be deployed as part of the release`));
  }

  const hookEvents = collect(problems, [], () => parseHook(r) ?? []);
  const isHook = r.annotations[A.helmHook] !== undefined;
  const deployOn = collect(problems, undefined, () => parseDeployOn(r));

  const deployConditions: Partial<Record<DeployType | "test", Stage[]>> = {};
  const events = deployOn ?? (isHook ? hookEvents : undefined);
  for (const type of ["install", "upgrade", "rollback", "delete", "test"] as const) {
    let stages: Stage[] = events === undefined ? (type === "delete" || type === "test" ? [] : ["install"]) : stagesFor(events, type);
    if (forcedEarly && stages.length > 0) stages = ["pre-pre-install"];
    if (stages.length > 0) deployConditions[type] = stages;
  }

  const manualDeps: InternalDependency[] = [];
  if (!crd) {
    for (const [, { key, value }] of matching(r, P.deployDependency, "id")) {
      const dep = collect(problems, undefined, () => parseDependencyValue(r, key, value, ["present", "ready"] as const, true));
      if (dep !== undefined) manualDeps.push(dep);
    }
    for (const [, { key, value }] of matching(r, P.legacyDependency, "id")) {
      if (value === "") continue;
      const ref = collect(problems, undefined, () => parseObjectRefValue(r, key, value, true));
      if (ref !== undefined) manualDeps.push({ state: "present", name: ref.name, kind: ref.kind, group: groupOf(ref.apiVersion), version: versionOf(ref.apiVersion), namespace: ref.namespace ?? options.releaseNamespace });
    }
  }
  const deleteDeps: DeleteDependency[] = [];
  for (const [, { key, value }] of matching(r, P.deleteDependency, "id")) {
    const dep = collect(problems, undefined, () => parseDependencyValue(r, key, value, ["absent"] as const, false));
    if (dep !== undefined) deleteDeps.push(dep);
  }
  const externalDeps: ExternalRef[] = [];
  const legacyExternalDeps: LegacyExternalDependency[] = [];
  if (!crd) {
    for (const [, { key, value }] of matching(r, P.externalDependency, "id")) {
      const ref = collect(problems, undefined, () => parseObjectRefValue(r, key, value, false));
      if (ref !== undefined) externalDeps.push(ref);
    }
    const namespaces = new Map<string, string>();
    for (const [depId, { key, value }] of matching(r, P.externalDependencyNamespace, "id")) {
      const ns = collect(problems, undefined, () => parseLegacyNamespaceValue(r, key, value));
      if (ns !== undefined) namespaces.set(depId, ns);
    }
    for (const [depId, { key, value }] of matching(r, P.externalDependencyResource, "id")) {
      const ref = collect(problems, undefined, () => parseLegacyResourceValue(r, key, value));
      if (ref !== undefined) legacyExternalDeps.push({ ...ref, namespace: namespaces.get(depId) });
    }
  }

  const werfWeight = collect(problems, undefined, () => parseWeight(r, A.weight));
  const hookWeight = isHook ? collect(problems, undefined, () => parseWeight(r, A.helmHookWeight)) : undefined;
  let weight: number | undefined;
  if (manualDeps.length > 0) weight = undefined;
  else if (forcedEarly) weight = 0;
  else weight = werfWeight ?? hookWeight ?? 0;

  const werfDelete = collect(problems, undefined, () => parseDeletePolicy(r));
  const helmDelete = isHook ? collect(problems, undefined, () => parseHookDeletePolicy(r)) : undefined;
  let deletePolicies: DeletePolicy[];
  if (isHook) deletePolicies = werfDelete ?? helmDelete ?? ["before-creation"];
  else deletePolicies = werfDelete ?? (group === "batch" && kind === "Job" ? ["before-creation-if-immutable"] : []);

  const werfResourcePolicy = collect(problems, undefined, () => parseResourcePolicy(r));
  const helmResourcePolicy = werfResourcePolicy === undefined ? collect(problems, undefined, () => parseHelmResourcePolicy(r)) : undefined;
  const resourcePolicies = werfResourcePolicy ?? helmResourcePolicy ?? [];

  const ownershipAnnotation = collect(problems, undefined, () => parseOwnership(r));
  let ownership: Ownership;
  if (storeAs === "none" || isReleaseNamespace(object, options.releaseNamespace)) ownership = "anyone";
  else ownership = ownershipAnnotation ?? (isHook ? "anyone" : "release");

  const failuresPerReplica = collect(problems, undefined, () => parseNonNegativeInt(r, A.failuresAllowedPerReplica));
  const logs: LogOptions = {
    skipLogs: collect(problems, false, () => parseBoolKey(r, A.skipLogs) ?? false),
    skipLogsForContainers: collect(problems, [], () => parseContainerList(r, A.skipLogsForContainers) ?? []),
    showLogsOnlyForContainers: collect(problems, [], () => parseContainerList(r, A.showLogsOnlyForContainers) ?? []),
    logRegex: collect(problems, undefined, () => parseLogRegex(r, A.logRegex)),
    logRegexFor: collect(problems, {}, () => parseLogRegexFor(r, P.logRegexFor)),
    logRegexSkip: collect(problems, undefined, () => parseLogRegex(r, A.logRegexSkip)),
    logRegexSkipFor: collect(problems, {}, () => parseLogRegexFor(r, P.logRegexSkipFor)),
    showLogsOnlyForNumberOfReplicas: collect(problems, 1, () => parseNonNegativeInt(r, A.showLogsOnlyForNumberOfReplicas) ?? 1),
    showServiceMessages: collect(problems, false, () => parseBoolKey(r, A.showServiceMessages) ?? false),
    ignoreReadinessProbeFailsFor: collect(problems, {}, () => parseIgnoreReadinessProbeFails(r)),
  };
  collect(problems, undefined, () => parseBoolKey(r, A.sensitive));
  const resource: Resource = {
    id,
    human,
    source,
    object,
    apiVersion,
    group,
    version: versionOf(apiVersion),
    kind,
    name,
    namespace,
    storeAs,
    isHook,
    hookEvents,
    deployConditions,
    weight,
    ownership,
    deletePolicies,
    recreate: deletePolicies.includes("before-creation"),
    recreateOnImmutable: deletePolicies.includes("before-creation-if-immutable"),
    deleteOnSucceeded: deletePolicies.includes("succeeded"),
    deleteOnFailed: deletePolicies.includes("failed"),
    resourcePolicies,
    deletePropagation: collect(problems, undefined, () => parseDeletePropagation(r)),
    replicasOnCreation: collect(problems, undefined, () => parseReplicasOnCreation(r)),
    trackTerminationMode: collect(problems, "WaitUntilResourceReady", () => parseTrackTerminationMode(r) ?? "WaitUntilResourceReady"),
    failMode: collect(problems, "FailWholeDeployProcessImmediately", () => parseFailMode(r) ?? "FailWholeDeployProcessImmediately"),
    failuresAllowed: failuresAllowed(object, group, failuresPerReplica),
    noActivityTimeoutMs: collect(problems, 240_000, () => parseNoActivityTimeout(r) ?? 240_000),
    logs,
    manualDeps,
    autoDeps: [],
    deleteDeps,
    externalDeps,
    legacyExternalDeps,
  };
  return { ...resource, autoDeps: autoDependencies(resource) };
}

const FAILURES_BY_DEFAULT = new Set(["apps/Deployment", "extensions/Deployment", "apps/DaemonSet", "extensions/DaemonSet", "apps/StatefulSet", "flagger.app/Canary"]);

/** kubedog's error budget: per replica (1 for Deployment/StatefulSet/DaemonSet/Canary), times spec.replicas. */
function failuresAllowed(object: KubeObject, group: string, perReplica: number | undefined): number {
  if (group === "batch" && object.kind === "Job") return 0;
  const spec = object["spec"];
  const template = isObject(spec) ? spec["template"] : undefined;
  const podSpec = isObject(template) ? template["spec"] : undefined;
  if (isObject(podSpec) && podSpec["restartPolicy"] === "Never") return 0;
  const per = perReplica ?? (FAILURES_BY_DEFAULT.has(`${group}/${object.kind}`) ? 1 : 0);
  if (perReplica === undefined && per === 0) return 0;
  const replicas = isObject(spec) ? spec["replicas"] : undefined;
  return typeof replicas === "number" && Number.isInteger(replicas) ? replicas * per : per;
}

// ---- automatic dependencies (§1.6) ----

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"]);

function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const spec = object["spec"];
  if (!isObject(spec)) return undefined;
  if (object.kind === "Pod") return spec;
  let template: unknown = spec["template"];
  if (object.kind === "CronJob") {
    const jobTemplate = spec["jobTemplate"];
    const jobSpec = isObject(jobTemplate) ? jobTemplate["spec"] : undefined;
    template = isObject(jobSpec) ? jobSpec["template"] : undefined;
  }
  const podSpec = isObject(template) ? template["spec"] : undefined;
  return isObject(podSpec) ? podSpec : undefined;
}

function objects(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/**
 * `present` dependencies a resource has on others of the chart by what it references: workloads on ConfigMaps,
 * Secrets, the ServiceAccount, PriorityClass, RuntimeClass and PVCs of their pod spec; a StatefulSet on its
 * serviceName; bindings on their roleRef and ServiceAccount subjects. Matched only in the same stage.
 */
export function autoDependencies(resource: Pick<Resource, "object" | "kind" | "group" | "namespace">): InternalDependency[] {
  const { object, namespace } = resource;
  const deps = new Map<string, InternalDependency>();
  const add = (group: string, kind: string, name: unknown, ns: string | undefined, optional?: unknown): void => {
    if (typeof name !== "string" || name === "" || optional === true) return;
    deps.set(`${group}/${kind}/${ns ?? ""}/${name}`, { state: "present", group, kind, name, ...(ns === undefined ? {} : { namespace: ns }) });
  };
  if (WORKLOADS.has(resource.kind)) {
    const spec = podSpecOf(object);
    if (spec !== undefined) {
      const containers = [...objects(spec["containers"]), ...objects(spec["initContainers"]), ...objects(spec["ephemeralContainers"])];
      for (const c of containers) {
        for (const e of objects(c["env"])) {
          const from = e["valueFrom"];
          if (!isObject(from)) continue;
          const cm = from["configMapKeyRef"];
          if (isObject(cm)) add("", "ConfigMap", cm["name"], namespace, cm["optional"]);
          const sec = from["secretKeyRef"];
          if (isObject(sec)) add("", "Secret", sec["name"], namespace, sec["optional"]);
        }
        for (const e of objects(c["envFrom"])) {
          const cm = e["configMapRef"];
          if (isObject(cm)) add("", "ConfigMap", cm["name"], namespace, cm["optional"]);
          const sec = e["secretRef"];
          if (isObject(sec)) add("", "Secret", sec["name"], namespace, sec["optional"]);
        }
      }
      for (const v of objects(spec["volumes"])) {
        const cm = v["configMap"];
        if (isObject(cm)) add("", "ConfigMap", cm["name"], namespace, cm["optional"]);
        const sec = v["secret"];
        if (isObject(sec)) add("", "Secret", sec["secretName"], namespace, sec["optional"]);
        const pvc = v["persistentVolumeClaim"];
        if (isObject(pvc)) add("", "PersistentVolumeClaim", pvc["claimName"], namespace);
        const projected = v["projected"];
        if (isObject(projected)) {
          for (const src of objects(projected["sources"])) {
            const pcm = src["configMap"];
            if (isObject(pcm)) add("", "ConfigMap", pcm["name"], namespace, pcm["optional"]);
            const psec = src["secret"];
            if (isObject(psec)) add("", "Secret", psec["name"], namespace, psec["optional"]);
          }
        }
      }
      for (const s of objects(spec["imagePullSecrets"])) add("", "Secret", s["name"], namespace);
      add("", "ServiceAccount", spec["serviceAccountName"] ?? spec["serviceAccount"], namespace);
      add("scheduling.k8s.io", "PriorityClass", spec["priorityClassName"], undefined);
      add("node.k8s.io", "RuntimeClass", spec["runtimeClassName"], undefined);
    }
    const top = object["spec"];
    if (resource.kind === "StatefulSet" && isObject(top)) add("", "Service", top["serviceName"], namespace);
  }
  if (resource.group === "rbac.authorization.k8s.io" && (resource.kind === "RoleBinding" || resource.kind === "ClusterRoleBinding")) {
    const roleRef = object["roleRef"];
    if (isObject(roleRef) && typeof roleRef["kind"] === "string") {
      add("rbac.authorization.k8s.io", roleRef["kind"], roleRef["name"], roleRef["kind"] === "Role" ? namespace : undefined);
    }
    for (const s of objects(object["subjects"])) {
      if (s["kind"] === "ServiceAccount") add("", "ServiceAccount", s["name"], typeof s["namespace"] === "string" && s["namespace"] !== "" ? s["namespace"] : namespace);
    }
  }
  return [...deps.values()];
}

/** Whether a dependency selector matches a resource. */
export function dependencyMatches(dep: DependencySelector, target: Pick<Resource, "name" | "kind" | "group" | "version" | "namespace">): boolean {
  return (
    (dep.name === undefined || dep.name === target.name) &&
    (dep.kind === undefined || dep.kind === target.kind) &&
    (dep.group === undefined || dep.group === target.group) &&
    (dep.version === undefined || dep.version === target.version) &&
    (dep.namespace === undefined || dep.namespace === target.namespace || (target.namespace === "" && dep.namespace === ""))
  );
}

// ---- patches ----

export interface ExtraMetadata {
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * A patched object's text in the release record, encoded as sigs.k8s.io/yaml does (keys sorted, YAML 1.1 quoting),
 * so it reads back as the same object ("yes", "on" and "1_000" stay strings).
 */
export function storedText(object: KubeObject): string {
  return marshalYaml(parseJson(JSON.stringify(object))).trimEnd();
}

/** Before storing: --add-annotation/--add-label on every object (hooks and CRDs too), Secret stringData folded into data; a copy, or the object itself when there is nothing to patch. */
export function patchStored(object: KubeObject, extra: ExtraMetadata): KubeObject {
  const foldsStringData = object.kind === "Secret" && object.apiVersion === "v1" && isObject(object["stringData"]);
  if (!foldsStringData && Object.keys(extra.annotations).length === 0 && Object.keys(extra.labels).length === 0) return object;
  const copy = structuredClone(object);
  if (Object.keys(extra.annotations).length > 0) copy.metadata.annotations = { ...copy.metadata.annotations, ...extra.annotations };
  if (Object.keys(extra.labels).length > 0) copy.metadata.labels = { ...copy.metadata.labels, ...extra.labels };
  if (copy.kind === "Secret" && copy.apiVersion === "v1" && isObject(copy["stringData"])) {
    const data: Record<string, unknown> = isObject(copy["data"]) ? { ...copy["data"] } : {};
    // stringData wins over data for the same key, as the API server merges them.
    for (const [k, v] of Object.entries(copy["stringData"])) data[k] = Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");
    copy["data"] = data;
    delete copy["stringData"];
  }
  return copy;
}

export interface RuntimeMetadata extends ExtraMetadata {
  readonly releaseName: string;
  readonly releaseNamespace: string;
}

/** At apply time: the namespace, runtime annotations/labels on all, release metadata on ownership-release objects. */
export function patchRuntime(resource: Resource, options: RuntimeMetadata): KubeObject {
  const copy = structuredClone(resource.object);
  if (resource.namespace === "") delete copy.metadata.namespace;
  else copy.metadata.namespace = resource.namespace;
  const annotations = { ...copy.metadata.annotations, ...options.annotations };
  const labels = { ...copy.metadata.labels, ...options.labels };
  if (resource.ownership === "release") {
    annotations[A.releaseName] = options.releaseName;
    annotations[A.releaseNamespace] = options.releaseNamespace;
    labels[MANAGED_BY_LABEL] = MANAGED_BY_HELM;
  }
  if (Object.keys(annotations).length > 0) copy.metadata.annotations = annotations;
  if (Object.keys(labels).length > 0) copy.metadata.labels = labels;
  return copy;
}

/** werf's runtime annotations: werf.io/version, project.werf.io/name|env (env only when set). */
export function werfRuntimeAnnotations(options: { version: string; project: string; env?: string | undefined }): Record<string, string> {
  const out: Record<string, string> = { [A.werfVersion]: options.version, [A.projectName]: options.project };
  if (options.env !== undefined && options.env !== "") out[A.projectEnv] = options.env;
  return out;
}

export function refOf(resource: Resource): { apiVersion: string; kind: string; namespace: string; name: string } {
  return { apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace, name: resource.name };
}
