/**
 * @module deploy/install
 *
 * nelm's ReleaseInstall for slipway: validate everything locally and by server-side dry-run, take werf's lock, read
 * the history, decide per resource what to do (the only cluster reads before planning), skip when nothing changed
 * (no new revision, as werf), else run the plan; on failure run the failure plan and, when asked and possible, roll
 * back through the same engine. Records are Helm 3's. Emits DeployEvents and TrackEvents; never prints.
 */
import { stringify as toYaml } from "yaml";
import { MultiError, SlipwayError } from "../errors.js";
import { KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "../kube/types.js";
import { buildPlan, isNoop, isResourceOp, type DeployAction, type InstallInfo, type Operation, type Plan } from "../plan/plan.js";
import { chartRecord, goTime, history, revisionsToPrune, type HelmHook, type HelmRelease, type ReleaseStatus } from "../release/codec.js";
import { acquireReleaseLock } from "../release/lock.js";
import { createReleaseStorage, storageDriver, type ReleaseStorage } from "../release/storage.js";
import { A, MANAGED_BY_LABEL } from "../resource/annotations.js";
import {
  classify,
  parseDocuments,
  patchRuntime,
  patchStored,
  refOf,
  resourceId,
  type DeployType,
  type RenderedDocument,
  type Resource,
} from "../resource/resource.js";
import { DEFAULT_LOG_OPTIONS, trackAbsence, trackPresence, trackReadiness, type TrackOptions } from "../track/tracker.js";
import type { TrackEvent } from "../track/events.js";
import type { Chart } from "../chart/types.js";
import { applyChanges } from "./compare.js";
import type { DeployEvent } from "./events.js";
import { executePlan } from "./execute.js";
import { FIELD_MANAGER, fixManagedFields } from "./managed-fields.js";
import { operationDescription, type DeployReport } from "./report.js";

export interface DeployInput {
  readonly releaseName: string;
  readonly namespace: string;
  /** The loaded top chart (stored in the release record). */
  readonly chart: Chart;
  /** The chart's default values as JSON (`chart.values` of the record). */
  readonly chartValues: unknown;
  /** What the user gave (`config` of the record). */
  readonly userValues: Record<string, unknown>;
  readonly manifests: readonly RenderedDocument[];
  readonly hooks: readonly RenderedDocument[];
  readonly crds: readonly RenderedDocument[];
  readonly notes: string;
}

export interface DeployOptions {
  /** Per tracking operation; 0 = no limit. */
  readonly timeoutMs: number;
  readonly autoRollback: boolean;
  readonly forceAdoption: boolean;
  readonly noCreateNamespace: boolean;
  readonly noRemoveManualChanges: boolean;
  readonly noFinalTracking: boolean;
  readonly noPodLogs: boolean;
  readonly noInstallCrds: boolean;
  readonly networkParallelism: number;
  readonly deletePropagation: "Foreground" | "Background" | "Orphan";
  readonly releasesHistoryMax: number;
  readonly releaseStorage: string;
  readonly releaseLabels: Readonly<Record<string, string>>;
  readonly addAnnotations: Readonly<Record<string, string>>;
  readonly addLabels: Readonly<Record<string, string>>;
  readonly runtimeAnnotations: Readonly<Record<string, string>>;
  readonly runtimeLabels: Readonly<Record<string, string>>;
  /** Opt-in: after a failed first install, delete what it created (Helm's --cleanup-on-fail spirit; werf has none). */
  readonly cleanupOnFail: boolean;
}

export interface DeployResult {
  readonly report: DeployReport;
  readonly notes: string;
}

type Emit = (event: DeployEvent | TrackEvent) => void;

interface Ctx {
  readonly kube: KubeClient;
  readonly input: DeployInput;
  readonly options: DeployOptions;
  readonly emit: Emit;
  readonly storage: ReleaseStorage;
  readonly completed: string[];
  readonly canceled: string[];
  readonly failed: string[];
}

const CRD_KIND = "CustomResourceDefinition";

/** Documents of a stored manifest string (`---\n# Source: path\n...`). */
export function manifestDocuments(manifest: string, storeAs: "regular" | "hook" = "regular"): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  for (const part of manifest.split(/^---\s*$/m)) {
    const m = /^\s*# Source: (.*)\n/.exec(part);
    const content = m === null ? part.trim() : part.slice(m[0].length).trim();
    if (content === "") continue;
    docs.push({ source: m?.[1]?.trim() ?? "", content, storeAs });
  }
  return docs;
}

function withContent(doc: RenderedDocument, object: KubeObject | undefined): string {
  return object === undefined ? doc.content : toYaml(object, { lineWidth: 0 }).trimEnd();
}

/** Scope of every kind the chart uses, from discovery or from a CRD of the chart itself. */
async function resolveScopes(kube: KubeClient, objects: readonly { source: string; object: KubeObject }[], signal: AbortSignal): Promise<Map<string, boolean>> {
  const scopes = new Map<string, boolean>();
  const fromCrds = new Map<string, boolean>();
  for (const { object } of objects) {
    if (object.kind !== CRD_KIND) continue;
    const spec = object["spec"] as { group?: string; names?: { kind?: string }; scope?: string; versions?: { name?: string }[] } | undefined;
    for (const v of spec?.versions ?? []) fromCrds.set(`${spec?.group ?? ""}/${v.name ?? ""}:${spec?.names?.kind ?? ""}`, spec?.scope !== "Cluster");
  }
  const errors: unknown[] = [];
  await Promise.all(
    [...new Map(objects.map((o) => [`${o.object.apiVersion}:${o.object.kind}`, o])).values()].map(async ({ source, object }) => {
      const key = `${object.apiVersion}:${object.kind}`;
      const crd = fromCrds.get(key);
      if (crd !== undefined) {
        scopes.set(key, crd);
        return;
      }
      try {
        scopes.set(key, (await kube.resourceType(object.apiVersion, object.kind, { signal })).namespaced);
      } catch (err) {
        if (err instanceof KubeApiError && err.reason === "NoKindMatch") {
          errors.push(new SlipwayError(`${object.kind}/${object.metadata.name}: ${err.message}`, { code: "chart", location: { file: source } }));
        } else throw err;
      }
    }),
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
  return scopes;
}

interface Prepared {
  readonly resources: Resource[];
  readonly storedManifest: string;
  readonly storedHooks: HelmHook[];
}

function prepare(input: DeployInput, options: DeployOptions, scopes: Map<string, boolean>, deployType: DeployType, warn: (m: string) => void): Prepared {
  const extra = { annotations: options.addAnnotations, labels: options.addLabels };
  const hasExtra = Object.keys(extra.annotations).length > 0 || Object.keys(extra.labels).length > 0;
  const patchDocs = (docs: readonly RenderedDocument[]) => {
    const parsed = parseDocuments(docs, warn);
    return parsed.map((p) => ({ ...p, object: patchStored(p.object, extra) }));
  };
  const crdDocs = options.noInstallCrds ? [] : input.crds;
  const regular = patchDocs(input.manifests);
  const hooks = patchDocs(input.hooks);
  const crds = patchDocs(crdDocs);
  const resources = classify([...crds, ...hooks, ...regular], {
    releaseName: input.releaseName,
    releaseNamespace: input.namespace,
    deployType,
    namespaced: (apiVersion, kind) => scopes.get(`${apiVersion}:${kind}`),
    warn,
  });
  // The stored manifest keeps the chart's own text unless extra metadata or stringData folding changed the object.
  const stored = (docs: readonly RenderedDocument[], parsed: { source: string; object: KubeObject }[]) => {
    const bySource = new Map<string, KubeObject[]>();
    for (const p of parsed) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p.object]);
    return docs.map((doc) => {
      const objects = bySource.get(doc.source) ?? [];
      const object = objects.shift();
      const changed = hasExtra || (object?.kind === "Secret" && /\bstringData\s*:/.test(doc.content));
      return { doc, object, content: changed ? withContent(doc, object) : doc.content };
    });
  };
  const storedManifest = stored(input.manifests, regular)
    .map((s) => `---\n# Source: ${s.doc.source}\n${s.content}\n`)
    .join("");
  const storedHooks = stored(input.hooks, hooks).map(({ doc, object, content }): HelmHook => {
    const annotations = object?.metadata.annotations ?? {};
    const events = (annotations[A.helmHook] ?? "").split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
    const policies = (annotations[A.helmHookDeletePolicy] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
    return {
      name: object?.metadata.name ?? "",
      kind: object?.kind ?? "",
      path: doc.source,
      manifest: content,
      events,
      last_run: { started_at: "", completed_at: "", phase: "" },
      weight: Number.parseInt(annotations[A.helmHookWeight] ?? "0", 10) || 0,
      delete_policies: policies.length > 0 ? policies : ["before-hook-creation"],
    };
  });
  return { resources, storedManifest, storedHooks };
}

async function ensureNamespace(kube: KubeClient, namespace: string, create: boolean, signal: AbortSignal): Promise<void> {
  let exists: boolean;
  try {
    exists = (await kube.get({ apiVersion: "v1", kind: "Namespace", name: namespace }, { signal })) !== undefined;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 403) return; // may not list namespaces: assume it exists
    throw err;
  }
  if (exists) return;
  if (!create) throw new SlipwayError(`namespace "${namespace}" does not exist and --no-create-namespace was given`, { code: "deploy" });
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: FIELD_MANAGER, force: true, signal });
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

interface Decision {
  readonly resource: Resource;
  readonly live: KubeObject | undefined;
  readonly action: DeployAction | undefined;
}

/** Bounded-parallel map. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

/** GET, adoption check, managedFields rewrite, dry-run apply: what to do with each resource. Collects every problem. */
async function decide(ctx: Ctx, resources: readonly Resource[], signal: AbortSignal): Promise<Decision[]> {
  const { kube, input, options } = ctx;
  const errors: unknown[] = [];
  const chartKinds = new Set(resources.filter((r) => r.kind === CRD_KIND).map((r) => {
    const spec = r.object["spec"] as { group?: string; names?: { kind?: string } } | undefined;
    return `${spec?.group ?? ""}:${spec?.names?.kind ?? ""}`;
  }));
  const decisions = await mapLimit(resources, options.networkParallelism, async (resource): Promise<Decision> => {
    const where = { file: resource.source };
    const desired = patchRuntime(resource, { releaseName: input.releaseName, releaseNamespace: input.namespace, annotations: options.runtimeAnnotations, labels: options.runtimeLabels });
    let live: KubeObject | undefined;
    try {
      live = await kube.get(refOf(resource), { signal });
    } catch (err) {
      if (err instanceof KubeApiError && (err.reason === "NoKindMatch" || err.notFound)) live = undefined;
      else throw new SlipwayError(`get ${resource.human}`, { code: "deploy", cause: err });
    }
    const policies = resource.resourcePolicies;
    if (live !== undefined && resource.ownership === "release" && !options.forceAdoption) {
      const a = live.metadata.annotations ?? {};
      if (a[A.releaseName] !== input.releaseName || a[A.releaseNamespace] !== input.namespace) {
        errors.push(
          new SlipwayError(
            `${resource.human} exists in the cluster and cannot be adopted by release "${input.releaseName}": annotation "${A.releaseName}" must be "${input.releaseName}" (is ${JSON.stringify(a[A.releaseName] ?? "")}) and "${A.releaseNamespace}" must be "${input.namespace}" (is ${JSON.stringify(a[A.releaseNamespace] ?? "")}); add them, or converge with --force-adoption`,
            { code: "deploy", location: where },
          ),
        );
        return { resource, live, action: undefined };
      }
    }
    const recreateAlways = resource.deletePolicies.includes("before-creation");
    if (live === undefined) {
      // Remote validation of a new object: a dry-run create by server-side apply.
      try {
        await kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, signal });
      } catch (err) {
        const missingNs = err instanceof KubeApiError && err.notFound && /namespaces? "/.test(err.message);
        const crdOfChart = err instanceof KubeApiError && err.reason === "NoKindMatch" && chartKinds.has(`${resource.group}:${resource.kind}`);
        if (!missingNs && !crdOfChart) errors.push(new SlipwayError(`${resource.human}: ${describeApiError(err)}`, { code: "deploy", location: where, cause: err }));
      }
      return { resource, live, action: policies.includes("skip-create") ? undefined : "create" };
    }
    if (recreateAlways) return { resource, live, action: policies.includes("skip-recreate") ? undefined : "recreate" };
    const fixed = fixManagedFields(live.metadata.managedFields, live.apiVersion, { keepManualChanges: options.noRemoveManualChanges });
    if (fixed !== undefined) {
      live = { ...live, metadata: { ...live.metadata, managedFields: fixed } };
    }
    let dry: KubeObject;
    try {
      dry = await kube.apply(fixed === undefined ? desired : { ...desired }, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.immutable) {
        if (resource.deletePolicies.includes("before-creation-if-immutable")) return { resource, live, action: policies.includes("skip-recreate") ? undefined : "recreate" };
        errors.push(new SlipwayError(`immutable fields change in resource ${resource.human}, but recreation is not requested (add annotation "${A.deletePolicy}: before-creation-if-immutable"): ${err.message}`, { code: "deploy", location: where }));
        return { resource, live, action: undefined };
      }
      errors.push(new SlipwayError(`${resource.human}: ${describeApiError(err)}`, { code: "deploy", location: where, cause: err }));
      return { resource, live, action: undefined };
    }
    if (fixed === undefined && !applyChanges(live, dry)) return { resource, live, action: undefined };
    return { resource, live: fixed === undefined ? live : { ...live, metadata: { ...live.metadata, managedFields: fixed } }, action: policies.includes("skip-update") ? undefined : "update" };
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "deploy" });
  return decisions;
}

function describeApiError(err: unknown): string {
  if (err instanceof KubeApiError) return `the API server rejected it: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

interface Deletable {
  readonly id: string;
  readonly ref: ObjectRef;
  readonly human: string;
  readonly propagation: "Foreground" | "Background" | "Orphan" | undefined;
}

/** Objects of the previous release that are no longer in the chart and that this release owns. */
async function deletables(ctx: Ctx, previous: HelmRelease | undefined, current: readonly Resource[], scopes: Map<string, boolean>, signal: AbortSignal): Promise<Deletable[]> {
  if (previous?.manifest === undefined || previous.manifest === "") return [];
  const { input, kube } = ctx;
  let parsed;
  try {
    parsed = parseDocuments(manifestDocuments(previous.manifest));
  } catch {
    return [];
  }
  const keep = new Set(current.map((r) => r.id));
  const uids = new Set<string>();
  const candidates: Deletable[] = [];
  for (const { object } of parsed) {
    const key = `${object.apiVersion}:${object.kind}`;
    let namespaced = scopes.get(key);
    if (namespaced === undefined) {
      try {
        namespaced = (await kube.resourceType(object.apiVersion, object.kind, { signal })).namespaced;
        scopes.set(key, namespaced);
      } catch {
        continue; // the kind is gone from the cluster: nothing to delete
      }
    }
    const ns = namespaced ? (object.metadata.namespace || input.namespace) : "";
    const id = resourceId(ns, object.apiVersion, object.kind, object.metadata.name);
    if (keep.has(id)) continue;
    const a = object.metadata.annotations ?? {};
    if (a[A.helmResourcePolicy] === "keep" || (a[A.resourcePolicy] ?? "").split(",").some((p) => p.trim() === "keep" || p.trim() === "skip-delete")) continue;
    if (a[A.ownership] === "anyone") continue;
    const propagation = a[A.deletePropagation];
    candidates.push({
      id,
      ref: { apiVersion: object.apiVersion, kind: object.kind, namespace: ns, name: object.metadata.name },
      human: ns !== "" && ns !== input.namespace ? `${object.kind}/${object.metadata.name} (namespace=${ns})` : `${object.kind}/${object.metadata.name}`,
      propagation: propagation === "Foreground" || propagation === "Background" || propagation === "Orphan" ? propagation : undefined,
    });
  }
  void uids;
  const checked = await mapLimit(candidates, ctx.options.networkParallelism, async (c) => {
    const live = await kube.get(c.ref, { signal }).catch(() => undefined);
    if (live === undefined) return undefined;
    const a = live.metadata.annotations ?? {};
    if (a[A.helmResourcePolicy] === "keep" || (a[A.resourcePolicy] ?? "").includes("skip-delete")) return undefined;
    // An object someone else owns now is left alone (orphaned), as nelm does.
    if (a[A.releaseName] !== input.releaseName || a[A.releaseNamespace] !== input.namespace) return undefined;
    return c;
  });
  return checked.filter((c): c is Deletable => c !== undefined);
}

function newRecord(input: DeployInput, base: { manifest: string; hooks: HelmHook[]; chart: HelmRelease["chart"]; config: Record<string, unknown>; notes: string }, revision: number, status: ReleaseStatus, description: string): HelmRelease {
  const now = goTime(Date.now());
  return {
    name: input.releaseName,
    info: { first_deployed: now, last_deployed: now, deleted: "", description, status, notes: base.notes },
    chart: base.chart,
    config: base.config,
    manifest: base.manifest,
    hooks: base.hooks,
    version: revision,
    namespace: input.namespace,
  };
}

function trackOptions(resource: Resource, options: DeployOptions, taskId: string): TrackOptions {
  return {
    taskId,
    timeoutMs: options.timeoutMs,
    noActivityTimeoutMs: resource.noActivityTimeoutMs,
    failMode: resource.failMode,
    failuresAllowedPerReplica: resource.failuresAllowedPerReplica,
    logs: { ...DEFAULT_LOG_OPTIONS, ...resource.logs, noPodLogs: options.noPodLogs },
  };
}

interface RunSpec {
  /** What the release should look like. */
  readonly input: DeployInput;
  readonly record: { manifest: string; hooks: HelmHook[]; chart: HelmRelease["chart"]; config: Record<string, unknown>; notes: string };
  readonly kind: "install" | "rollback";
}

interface RunOutcome {
  readonly status: "deployed" | "skipped" | "failed";
  readonly revision: number;
  readonly error?: unknown;
  readonly rolledBack?: boolean;
}

/** One release action (install/upgrade or rollback) under the lock: plan, execute, record, failure plan. */
async function runRelease(ctx: Ctx, spec: RunSpec, scopes: Map<string, boolean>, signal: AbortSignal, resourcesFor: (t: DeployType) => Prepared): Promise<RunOutcome> {
  const { kube, options, emit, storage } = ctx;
  const input = spec.input;
  const records = await storage.list(input.releaseName);
  const h = history(records);
  const deployType: DeployType = spec.kind === "rollback" ? "rollback" : h.deployType;
  const prepared = resourcesFor(deployType);
  const revision = h.nextRevision;
  emit({ type: "release-start", release: input.releaseName, namespace: input.namespace, revision, action: spec.kind === "rollback" ? "rollback" : deployType === "upgrade" ? "upgrade" : "install" });

  const installable = prepared.resources.filter((r) => r.stages.length > 0);
  const decisions = await decide(ctx, installable, signal);
  const removed = await deletables(ctx, spec.kind === "rollback" ? h.previous : h.previous, prepared.resources, scopes, signal);

  const installs: InstallInfo[] = [];
  for (const d of decisions) {
    const r = d.resource;
    d.resource.stages.forEach((stage, iteration) => {
      const action = iteration > 0 && d.action !== undefined ? "create" : d.action;
      const track =
        r.kind !== CRD_KIND &&
        r.trackTerminationMode !== "NonBlocking" &&
        (action !== undefined || (h.previousFailed && d.live !== undefined)) &&
        !(action === undefined && r.resourcePolicies.length > 0 && d.live === undefined);
      installs.push({ resource: r, stage, iteration, action, track, deleteOnSuccess: r.deletePolicies.includes("succeeded") });
    });
  }
  const finalUpdates: { revision: number; status: "deployed" | "superseded" }[] = [{ revision, status: "deployed" }];
  for (const r of h.releases) if (r.info.status === "deployed") finalUpdates.push({ revision: r.version, status: "superseded" });
  const plan = buildPlan({ installs, deletes: removed.map((d) => ({ resourceId: d.id })), createRelease: true, finalUpdates, noFinalTracking: options.noFinalTracking });

  const upToDate =
    h.previous?.info.status === "deployed" &&
    (h.previous.manifest ?? "") === spec.record.manifest &&
    jsonEqual(h.previous.hooks ?? [], spec.record.hooks) &&
    jsonEqual(h.previous.config ?? {}, spec.record.config) &&
    (h.previous.info.notes ?? "") === spec.record.notes;
  if (upToDate && isNoop(plan)) {
    emit({ type: "release-skipped", release: input.releaseName, namespace: input.namespace, reason: "cluster resources already as desired" });
    return { status: "skipped", revision };
  }

  const pendingStatus: ReleaseStatus = spec.kind === "rollback" ? "pending-rollback" : deployType === "upgrade" ? "pending-upgrade" : "pending-install";
  const description = spec.kind === "rollback" ? `Rollback to ${h.lastDeployed?.version ?? 0}` : deployType === "upgrade" ? "Upgrade complete" : "Install complete";
  const record = newRecord(input, spec.record, revision, pendingStatus, "");
  let recordCreated = false;

  const byId = new Map(prepared.resources.map((r) => [r.id, r]));
  const removedById = new Map(removed.map((d) => [d.id, d]));
  const decisionById = new Map(decisions.map((d) => [d.resource.id, d]));
  const failedTracks = new Set<string>();
  const counts: Record<string, number> = {};
  for (const op of plan.operations.values()) if (op.type !== "noop") counts[op.type] = (counts[op.type] ?? 0) + 1;
  emit({ type: "plan-ready", plan: spec.kind === "rollback" ? "rollback" : "install", counts });

  const describeOp = (op: Extract<Operation, { resourceId: string }>): string => {
    const r = byId.get(op.resourceId);
    const d = removedById.get(op.resourceId);
    const kind = r?.kind ?? d?.ref.kind ?? "";
    const name = r?.name ?? d?.ref.name ?? "";
    const ns = r?.namespace ?? d?.ref.namespace ?? "";
    return operationDescription(op.type, kind, name, ns, input.namespace, op.iteration);
  };

  const deleteAndWait = async (ref: ObjectRef, propagation: "Foreground" | "Background" | "Orphan" | undefined, taskId: string, opSignal: AbortSignal): Promise<void> => {
    await kube.delete(ref, { propagationPolicy: propagation ?? options.deletePropagation, signal: opSignal });
    await trackAbsence(kube, ref, { taskId, timeoutMs: options.timeoutMs }, emit, opSignal);
  };

  const applyResource = async (r: Resource, create: boolean, opSignal: AbortSignal): Promise<void> => {
    const object = patchRuntime(r, { releaseName: input.releaseName, releaseNamespace: input.namespace, annotations: options.runtimeAnnotations, labels: options.runtimeLabels });
    if (create && r.replicasOnCreation !== undefined) object["spec"] = { ...(object["spec"] as object | undefined), replicas: r.replicasOnCreation };
    const live = decisionById.get(r.id)?.live;
    const fixed = live === undefined || create ? undefined : fixManagedFields(live.metadata.managedFields, live.apiVersion, { keepManualChanges: options.noRemoveManualChanges });
    if (fixed !== undefined && live !== undefined) {
      // Give the applier exclusive ownership first, so the forced apply removes fields that left the chart.
      await kube.mergePatch(refOf(r), { metadata: { managedFields: fixed, resourceVersion: live.metadata.resourceVersion } }, { signal: opSignal });
    }
    const deadline = Date.now() + 240_000;
    for (let attempt = 0; ; attempt++) {
      try {
        await kube.apply(object, { fieldManager: FIELD_MANAGER, force: true, signal: opSignal });
        break;
      } catch (err) {
        const webhook = err instanceof KubeApiError && /failed calling webhook|conversion webhook for/.test(err.message);
        const unknownKind = err instanceof KubeApiError && err.reason === "NoKindMatch" && attempt < 20;
        if ((webhook && Date.now() < deadline) || unknownKind) {
          if (unknownKind) kube.invalidateDiscovery();
          await new Promise((res) => setTimeout(res, webhook ? 2000 : 500));
          continue;
        }
        throw err;
      }
    }
    if (r.kind === CRD_KIND) kube.invalidateDiscovery();
  };

  const runOp = async (op: Operation, opSignal: AbortSignal): Promise<void> => {
    switch (op.type) {
      case "noop":
        return;
      case "create-release": {
        const prune = revisionsToPrune(h.releases, options.releasesHistoryMax, h.lastDeployed?.version);
        for (const rev of prune) await storage.remove(input.releaseName, rev);
        await storage.create(record);
        recordCreated = true;
        return;
      }
      case "update-release": {
        if (op.revision === revision) {
          await storage.update({ ...record, info: { ...record.info, status: "deployed", description } });
        } else {
          const old = h.releases.find((x) => x.version === op.revision);
          if (old !== undefined) await storage.update({ ...old, info: { ...old.info, status: op.status } });
        }
        return;
      }
      case "track-presence":
        await trackPresence(kube, op.ref, { taskId: op.id, timeoutMs: options.timeoutMs }, emit, opSignal);
        return;
      case "track-absence":
        await trackAbsence(kube, op.ref, { taskId: op.id, timeoutMs: options.timeoutMs }, emit, opSignal);
        return;
      case "track-readiness": {
        const r = byId.get(op.resourceId);
        if (r === undefined) return;
        try {
          await trackReadiness(kube, refOf(r), trackOptions(r, options, op.id), emit, opSignal);
        } catch (err) {
          failedTracks.add(r.id);
          throw err;
        }
        return;
      }
      default: {
        const description2 = describeOp(op);
        emit({ type: "operation-start", opId: op.id, opType: op.type, description: description2 });
        const started = Date.now();
        try {
          if (op.type === "delete") {
            const r = byId.get(op.resourceId);
            const gone = removedById.get(op.resourceId);
            const ref = r !== undefined ? refOf(r) : gone?.ref;
            if (ref !== undefined) await deleteAndWait(ref, r?.deletePropagation ?? gone?.propagation, op.id, opSignal);
          } else {
            const r = byId.get(op.resourceId);
            if (r === undefined) return;
            if (op.type === "recreate") {
              await deleteAndWait(refOf(r), r.deletePropagation, op.id, opSignal);
              await applyResource(r, true, opSignal);
            } else await applyResource(r, op.type === "create", opSignal);
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          emit({ type: "operation-failed", opId: op.id, opType: op.type, description: description2, error: message });
          throw new SlipwayError(`${op.type} ${describeOp(op).replace(/^[^:]+: /, "")}`, { code: "deploy", cause: err });
        }
        emit({ type: "operation-done", opId: op.id, opType: op.type, description: description2, elapsedMs: Date.now() - started });
      }
    }
  };

  const result = await executePlan(plan, runOp, { parallelism: options.networkParallelism, signal });
  collectSummary(ctx, plan, result.statuses, describeOp);
  if (result.error === undefined) return { status: "deployed", revision };

  // Failure plan: the record becomes failed; resources with delete policy `failed` whose tracking failed are removed.
  const cleanup = new AbortController();
  const cleanupSignal = cleanup.signal;
  try {
    if (recordCreated) await storage.update({ ...record, info: { ...record.info, status: "failed", description: `${spec.kind === "rollback" ? "Rollback" : deployType === "upgrade" ? "Upgrade" : "Install"} failed: ${errorText(result.error)}` } });
    for (const id of failedTracks) {
      const r = byId.get(id);
      if (r?.deletePolicies.includes("failed") === true && !r.resourcePolicies.includes("skip-delete")) {
        await deleteAndWait(refOf(r), r.deletePropagation, `failure/delete/${id}`, cleanupSignal).catch(() => undefined);
      }
    }
    if (options.cleanupOnFail && h.lastDeployed === undefined && spec.kind === "install") {
      for (const d of decisions) {
        if (d.live === undefined && d.resource.ownership === "release" && result.statuses.get(`create/${d.resource.stages[0] ?? "install"}/0/${d.resource.id}`) !== undefined) {
          await kube.delete(refOf(d.resource), { propagationPolicy: "Background" }).catch(() => undefined);
        }
      }
    }
  } catch (err) {
    emit({ type: "warning", message: `failure plan: ${errorText(err)}` });
  }
  return { status: "failed", revision, error: result.error };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function collectSummary(ctx: Ctx, plan: Plan, statuses: ReadonlyMap<string, string>, describeOp: (op: Extract<Operation, { resourceId: string }>) => string): void {
  const completed: string[] = [];
  const canceled: string[] = [];
  const failed: string[] = [];
  for (const op of plan.operations.values()) {
    if (!isResourceOp(op)) continue;
    const text = describeOp(op);
    const status = statuses.get(op.id);
    (status === "completed" ? completed : status === "failed" ? failed : canceled).push(text);
  }
  ctx.completed.push(...completed);
  ctx.canceled.push(...canceled);
  ctx.failed.push(...failed);
  ctx.emit({ type: "operations-summary", completed: completed.sort(), canceled: canceled.sort(), failed: failed.sort() });
}

/**
 * Installs or upgrades the release. Resolves with werf's report on success or skip; throws (after the failure plan,
 * and the rollback when asked) on failure. Nothing in the cluster changes before every check passed.
 */
export async function deployRelease(kube: KubeClient, input: DeployInput, options: DeployOptions, emit: Emit, signal: AbortSignal): Promise<DeployResult> {
  const driver = storageDriver(options.releaseStorage);
  const warn = (message: string): void => emit({ type: "warning", message });

  // 1. Local validation (no writes): parse, discover scopes, classify.
  const allDocs = [...input.crds, ...input.hooks, ...input.manifests];
  const parsedForScopes = parseDocuments(allDocs, warn);
  const scopes = await resolveScopes(kube, parsedForScopes, signal);
  const cache = new Map<DeployType, Prepared>();
  const resourcesFor = (t: DeployType): Prepared => {
    let p = cache.get(t);
    if (p === undefined) cache.set(t, (p = prepare(input, options, scopes, t, warn)));
    return p;
  };
  const initial = resourcesFor("upgrade");
  const config = input.userValues;
  const chart = chartRecord(input.chart, input.chartValues);

  // 2. The namespace, then werf's lock.
  await ensureNamespace(kube, input.namespace, !options.noCreateNamespace, signal);
  const storage = createReleaseStorage(kube, input.namespace, { driver, labels: options.releaseLabels });
  const ctx: Ctx = { kube, input, options, emit, storage, completed: [], canceled: [], failed: [] };
  const lock = await acquireReleaseLock(kube, input.namespace, input.releaseName, {
    signal,
    onWait: () => emit({ type: "lock-wait", lockName: `release/${input.releaseName}` }),
  });
  emit({ type: "lock-acquired", lockName: `release/${input.releaseName}` });
  const runSignal = AbortSignal.any([signal, lock.lost]);
  try {
    const outcome = await runRelease(
      ctx,
      { input, kind: "install", record: { manifest: initial.storedManifest, hooks: initial.storedHooks, chart, config, notes: input.notes } },
      scopes,
      runSignal,
      resourcesFor,
    );
    const report = (status: DeployReport["status"], revision: number): DeployReport => ({
      release: input.releaseName,
      namespace: input.namespace,
      revision,
      status,
      completedOperations: ctx.completed,
      canceledOperations: ctx.canceled,
      failedOperations: ctx.failed,
    });
    if (outcome.status !== "failed") {
      if (outcome.status === "deployed") emit({ type: "release-succeeded", release: input.releaseName, namespace: input.namespace, revision: outcome.revision });
      return { report: report(outcome.status, outcome.revision), notes: input.notes };
    }
    let rolledBack = false;
    if (options.autoRollback && !signal.aborted) {
      const h = history(await storage.list(input.releaseName));
      const target = [...h.releases].reverse().find((r) => r.info.status === "deployed" || r.info.status === "superseded");
      if (target !== undefined) {
        const rollbackInput: DeployInput = {
          ...input,
          manifests: manifestDocuments(target.manifest ?? ""),
          hooks: (target.hooks ?? []).map((hook) => ({ source: hook.path, content: hook.manifest, storeAs: "hook" as const })),
          crds: [],
          notes: target.info.notes ?? "",
        };
        const rbCache = new Map<DeployType, Prepared>();
        const rollback = await runRelease(
          ctx,
          { input: rollbackInput, kind: "rollback", record: { manifest: target.manifest ?? "", hooks: target.hooks ?? [], chart: target.chart, config: target.config ?? {}, notes: target.info.notes ?? "" } },
          scopes,
          AbortSignal.any([lock.lost]),
          (t) => {
            let p = rbCache.get(t);
            if (p === undefined) rbCache.set(t, (p = prepare(rollbackInput, { ...options, addAnnotations: {}, addLabels: {} }, scopes, t, warn)));
            return p;
          },
        ).catch((err: unknown) => ({ status: "failed" as const, revision: 0, error: err }));
        rolledBack = rollback.status !== "failed";
      }
    }
    emit({ type: "release-failed", release: input.releaseName, namespace: input.namespace, revision: outcome.revision, rolledBack });
    throw new DeployFailedError(input, outcome.error, report("failed", outcome.revision));
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** A failed deploy, with the report werf writes for it. */
export class DeployFailedError extends SlipwayError {
  readonly report: DeployReport;
  constructor(input: DeployInput, cause: unknown, report: DeployReport) {
    super(`failed release "${input.releaseName}" (namespace: "${input.namespace}")`, { code: "deploy", cause });
    this.name = "DeployFailedError";
    this.report = report;
  }
}

export { MANAGED_BY_LABEL };
