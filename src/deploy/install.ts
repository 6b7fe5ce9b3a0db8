/**
 * @module deploy/install
 *
 * nelm's ReleaseInstall for slipway: validate everything locally and by server-side dry-run, take werf's lock, read
 * the history, decide per resource what to do (the only cluster reads before planning), skip when nothing changed
 * (no new revision, as werf), else run the plan; on failure run the failure plan and, when asked and possible, roll
 * back through the same engine. Records are Helm 3's. Emits DeployEvents and TrackEvents; never prints.
 */
import { writeFile } from "node:fs/promises";
import { MultiError, SlipwayError } from "../errors.js";
import { KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "../kube/types.js";
import {
  buildFailurePlan,
  buildPlan,
  deletableInfoOf,
  isNoop,
  isResourceOp,
  operationId,
  planToDot,
  type DeletableInfo,
  type InstallableInfo,
  type Operation,
  type Plan,
  type PlanRelease,
  type PlanResource,
} from "../plan/plan.js";
import { chartRecord, goTime, history, interruptedRepairs, revisionsToPrune, type HelmHook, type HelmRelease, type ReleaseStatus } from "../release/codec.js";
import { acquireReleaseLock, type LockHandle } from "../release/lock.js";
import { createReleaseStorage, storageDriver, type ReleaseStorage } from "../release/storage.js";
import { A } from "../resource/annotations.js";
import { classify, parseDocuments, patchRuntime, patchStored, refOf, storedText, type DeployType, type ParsedDocument, type RenderedDocument, type Resource } from "../resource/resource.js";
import { trackAbsence, trackPresence, trackReadiness } from "../track/tracker.js";
import { DEFAULT_LOG_OPTIONS, type TrackOptions } from "../track/options.js";
import type { TrackEvent } from "../track/events.js";
import type { Chart } from "../chart/types.js";
import { applyChanges, comparable, jsonEqual } from "./compare.js";
import type { DeployEvent } from "./events.js";
import { executePlan, type ExecuteEvent, type ExecuteResult } from "./execute.js";
import { FIELD_MANAGER, fixManagedFields } from "./managed-fields.js";
import { applyIsNoop } from "./unchanged.js";
import { admissionCovers, admissionCoveredResources } from "./admission.js";
import { mapLimit } from "../util/map-limit.js";
import { operationDescription, type DeployReport } from "./report.js";

/** The release's documents: what a release action applies. */
export interface ReleaseDocs {
  readonly releaseName: string;
  readonly namespace: string;
  /** What the user gave (`config` of the record). */
  readonly userValues: Record<string, unknown>;
  readonly manifests: readonly RenderedDocument[];
  readonly hooks: readonly RenderedDocument[];
  readonly crds: readonly RenderedDocument[];
  readonly notes: string;
}

/** Where the release's history stood for a render: `.Release.Revision` and `.Release.IsUpgrade`. */
export interface RenderPoint {
  readonly revision: number;
  readonly isUpgrade: boolean;
}

export interface DeployInput extends ReleaseDocs {
  /** The loaded top chart (stored in the release record). */
  readonly chart: Chart;
  /** The chart's default values as JSON (`chart.values` of the record). */
  readonly chartValues: unknown;
  /** The history the documents were rendered for (read before the lock). */
  readonly renderedFor?: RenderPoint | undefined;
  /** Renders again for another point: another run deployed between the render and the lock. */
  readonly rerender?: ((at: RenderPoint) => Pick<ReleaseDocs, "manifests" | "hooks" | "notes">) | undefined;
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
  /** `--deploy-graph-path` / `--rollback-graph-path`: where to write the plan as Graphviz ("" = nowhere). */
  readonly deployGraphPath?: string;
  readonly rollbackGraphPath?: string;
}

export interface DeployResult {
  readonly report: DeployReport;
  readonly notes: string;
}

type Emit = (event: DeployEvent | TrackEvent) => void;

interface Ctx {
  readonly kube: KubeClient;
  readonly input: ReleaseDocs;
  readonly options: DeployOptions;
  readonly emit: Emit;
  readonly storage: ReleaseStorage;
  readonly scopes: Map<string, boolean>;
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

/** Scope of every kind the chart uses, from discovery or from a CRD of the chart itself; unknown kinds are errors. */
async function resolveScopes(kube: KubeClient, objects: readonly ParsedDocument[], scopes: Map<string, boolean>, signal: AbortSignal, strict: boolean): Promise<void> {
  for (const { object } of objects) {
    if (object.kind !== CRD_KIND) continue;
    const spec = object["spec"] as { group?: string; names?: { kind?: string }; scope?: string; versions?: { name?: string }[] } | undefined;
    for (const v of spec?.versions ?? []) scopes.set(`${spec?.group ?? ""}/${v.name ?? ""}:${spec?.names?.kind ?? ""}`, spec?.scope !== "Cluster");
  }
  const errors: unknown[] = [];
  const unique = [...new Map(objects.map((o) => [`${o.object.apiVersion}:${o.object.kind}`, o])).values()];
  await Promise.all(
    unique.map(async ({ source, object }) => {
      const key = `${object.apiVersion}:${object.kind}`;
      if (scopes.has(key)) return;
      try {
        scopes.set(key, (await kube.resourceType(object.apiVersion, object.kind, { signal })).namespaced);
      } catch (err) {
        if (!strict) return;
        if (err instanceof KubeApiError && err.reason === "NoKindMatch") {
          errors.push(new SlipwayError(`${object.kind}/${object.metadata.name}: ${err.message}`, { code: "chart", location: { file: source } }));
        } else throw err;
      }
    }),
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
}

interface Prepared {
  readonly resources: Resource[];
  readonly storedManifest: string;
  readonly storedHooks: HelmHook[];
}

/** A release's documents parsed once: the scopes, the classification and the stored record all read these. */
interface ParsedRelease {
  readonly manifests: readonly ParsedDocument[];
  readonly hooks: readonly ParsedDocument[];
  readonly crds: readonly ParsedDocument[];
}

/** Parses the release's documents and learns the scope of every kind they use (discovery, or the chart's CRDs). */
async function parseRelease(ctx: Pick<Ctx, "kube" | "scopes" | "emit">, input: ReleaseDocs, signal: AbortSignal, strict: boolean): Promise<ParsedRelease> {
  const warn = (message: string): void => ctx.emit({ type: "warning", message });
  const parsed = { crds: parseDocuments(input.crds, warn), hooks: parseDocuments(input.hooks, warn), manifests: parseDocuments(input.manifests, warn) };
  await resolveScopes(ctx.kube, [...parsed.crds, ...parsed.hooks, ...parsed.manifests], ctx.scopes, signal, strict);
  return parsed;
}

function prepare(
  ctx: Pick<Ctx, "input" | "options" | "scopes" | "emit">,
  input: ReleaseDocs,
  parsed: ParsedRelease,
  extra: { annotations: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>> },
): Prepared {
  const warn = (message: string): void => ctx.emit({ type: "warning", message });
  const hasExtra = Object.keys(extra.annotations).length > 0 || Object.keys(extra.labels).length > 0;
  const patchDocs = (docs: readonly ParsedDocument[]): ParsedDocument[] => docs.map((p) => ({ ...p, object: patchStored(p.object, extra) }));
  const regular = patchDocs(parsed.manifests);
  const hooks = patchDocs(parsed.hooks);
  const crds = ctx.options.noInstallCrds ? [] : patchDocs(parsed.crds);
  const resources = classify([...crds, ...hooks, ...regular], {
    releaseName: input.releaseName,
    releaseNamespace: input.namespace,
    namespaced: (apiVersion, kind) => ctx.scopes.get(`${apiVersion}:${kind}`),
    warn,
  });
  // The stored manifest keeps the chart's own text unless extra metadata or stringData folding changed the object.
  const stored = (docs: readonly RenderedDocument[], parsed: readonly ParsedDocument[]) => {
    const bySource = new Map<string, KubeObject[]>();
    for (const p of parsed) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p.object]);
    return docs.map((doc) => {
      const object = bySource.get(doc.source)?.shift();
      const changed = object !== undefined && (hasExtra || (object.kind === "Secret" && /\bstringData\s*:/.test(doc.content)));
      return { doc, object, content: changed ? storedText(object) : doc.content };
    });
  };
  const storedManifest = stored(input.manifests, regular)
    .map((s) => `---\n# Source: ${s.doc.source}\n${s.content}\n`)
    .join("");
  const storedHooks = stored(input.hooks, hooks).map(({ doc, object, content }): HelmHook => {
    const annotations = object?.metadata.annotations ?? {};
    const events = (annotations[A.helmHook] ?? "").split(",").map((x) => x.trim().toLowerCase()).filter((x) => x !== "");
    const policies = (annotations[A.helmHookDeletePolicy] ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");
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
    if (err instanceof KubeApiError && err.status === 403) return; // may not read namespaces: assume it exists
    throw err;
  }
  if (exists) return;
  if (!create) throw new SlipwayError(`namespace "${namespace}" does not exist and --no-create-namespace was given`, { code: "deploy" });
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: FIELD_MANAGER, force: true, signal });
}

/**
 * Whether a live object removed from the chart may be deleted by this release: not kept by a resource policy on the
 * live object, and still owned by the release (an object another release owns now is left alone, as nelm does).
 */
export function deletableLive(live: KubeObject, releaseName: string, releaseNamespace: string): boolean {
  const a = live.metadata.annotations ?? {};
  if (a[A.helmResourcePolicy] === "keep" || /(^|,)\s*(keep|skip-delete)\s*(,|$)/.test(a[A.resourcePolicy] ?? "")) return false;
  return a[A.releaseName] === releaseName && a[A.releaseNamespace] === releaseNamespace;
}

interface Decision {
  readonly resource: Resource;
  readonly live: KubeObject | undefined;
  readonly action: "create" | "update" | "recreate" | "apply" | "none";
  /** The dry-run apply result, when one was made (for plan diffs). */
  readonly dry?: KubeObject | undefined;
}

function describeApiError(err: unknown): string {
  if (err instanceof KubeApiError) return `the API server rejected it: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function runtimeObject(ctx: Pick<Ctx, "input" | "options">, r: Resource): KubeObject {
  return patchRuntime(r, { releaseName: ctx.input.releaseName, releaseNamespace: ctx.input.namespace, annotations: ctx.options.runtimeAnnotations, labels: ctx.options.runtimeLabels });
}

/** The smallest group of one kind in one namespace that is read with one LIST instead of a GET per object. */
const LIST_THRESHOLD = 3;

/**
 * The live objects of the resources, read with one LIST per kind and namespace where several share them (a chart's
 * ConfigMaps), by name. A group whose LIST fails (RBAC may allow only get) is left to the GETs.
 */
async function prefetchLive(ctx: Ctx, resources: readonly Resource[], signal: AbortSignal): Promise<Map<string, KubeObject>> {
  const groups = new Map<string, { apiVersion: string; kind: string; namespace: string; count: number }>();
  for (const r of resources) {
    // Not Secrets: a namespace's Secrets include every Helm release record (up to 1 MB each) and tokens.
    if (r.namespace === "" || r.kind === "Secret" || ctx.scopes.get(`${r.apiVersion}:${r.kind}`) !== true) continue;
    const key = `${r.apiVersion}:${r.kind}:${r.namespace}`;
    const g = groups.get(key) ?? { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, count: 0 };
    g.count++;
    groups.set(key, g);
  }
  const live = new Map<string, KubeObject>();
  await Promise.all(
    [...groups.entries()]
      .filter(([, g]) => g.count >= LIST_THRESHOLD)
      .map(async ([key, g]) => {
        const list = await ctx.kube.list({ apiVersion: g.apiVersion, kind: g.kind, namespace: g.namespace }, { signal }).catch(() => undefined);
        if (list === undefined) return;
        const names = new Map(list.items.map((o) => [o.metadata.name, o]));
        for (const r of resources) {
          if (`${r.apiVersion}:${r.kind}:${r.namespace}` === key) live.set(r.id, names.get(r.name) ?? ABSENT);
        }
      }),
  );
  return live;
}

/** Marks an object a LIST showed to be absent. */
const ABSENT: KubeObject = { apiVersion: "", kind: "", metadata: { name: "" } };

/**
 * GET (or LIST), adoption check, dry-run apply: what to do with each resource. Every problem is collected; nothing is
 * written. `deployed` holds the objects of the previous revision when it is deployed: a resource applied unchanged
 * since then whose live object provably matches it (src/deploy/unchanged) needs no dry-run.
 */
async function decide(ctx: Ctx, resources: readonly Resource[], deployed: ReadonlyMap<string, KubeObject>, signal: AbortSignal): Promise<Decision[]> {
  const { kube, input, options } = ctx;
  const [prefetched, admission] = await Promise.all([
    prefetchLive(ctx, resources, signal),
    deployed.size > 0 ? admissionCoveredResources(kube, signal) : Promise.resolve(undefined),
  ]);
  /** No admission hook may act on an update of the resource (so the dry-run would show only what SSA does). */
  const outsideAdmission = async (r: Resource): Promise<boolean> => {
    if (admission === undefined) return false;
    if (admission.size === 0) return true;
    const type = await kube.resourceType(r.apiVersion, r.kind, { signal }).catch(() => undefined);
    return type !== undefined && !admissionCovers(admission, type.plural);
  };
  const errors: unknown[] = [];
  const chartKinds = new Set(
    resources
      .filter((r) => r.kind === CRD_KIND)
      .map((r) => {
        const spec = r.object["spec"] as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group ?? ""}:${spec?.names?.kind ?? ""}`;
      }),
  );
  const decisions = await mapLimit(resources, options.networkParallelism, async (resource): Promise<Decision> => {
    const where = { file: resource.source };
    const desired = runtimeObject(ctx, resource);
    const policies = resource.resourcePolicies;
    let live: KubeObject | undefined = prefetched.get(resource.id);
    if (live === ABSENT) live = undefined;
    else if (live === undefined) {
      try {
        live = await kube.get(refOf(resource), { signal });
      } catch (err) {
        if (err instanceof KubeApiError && (err.reason === "NoKindMatch" || err.notFound)) live = undefined;
        else throw new SlipwayError(`get ${resource.human}`, { code: "deploy", cause: err });
      }
    }
    if (live !== undefined && resource.ownership === "release" && !options.forceAdoption) {
      const a = live.metadata.annotations ?? {};
      if (a[A.releaseName] !== input.releaseName || a[A.releaseNamespace] !== input.namespace) {
        errors.push(
          new SlipwayError(
            `${resource.human} exists in the cluster and cannot be adopted by release "${input.releaseName}": annotation "${A.releaseName}" must be "${input.releaseName}" (is ${JSON.stringify(a[A.releaseName] ?? "")}) and "${A.releaseNamespace}" must be "${input.namespace}" (is ${JSON.stringify(a[A.releaseNamespace] ?? "")}); add them, or converge with --force-adoption`,
            { code: "deploy", location: where },
          ),
        );
        return { resource, live, action: "none" };
      }
    }
    if (live === undefined) {
      // Remote validation of a new object: a dry-run server-side apply.
      let dry: KubeObject | undefined;
      try {
        dry = await kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, signal });
      } catch (err) {
        const missingNs = err instanceof KubeApiError && err.notFound && /namespaces? "/.test(err.message);
        const crdOfChart = err instanceof KubeApiError && (err.reason === "NoKindMatch" || err.notFound) && chartKinds.has(`${resource.group}:${resource.kind}`);
        if (!missingNs && !crdOfChart) errors.push(new SlipwayError(`${resource.human}: ${describeApiError(err)}`, { code: "deploy", location: where }));
      }
      return { resource, live, action: policies.includes("skip-create") ? "none" : "create", dry };
    }
    if (resource.recreate) return { resource, live, action: policies.includes("skip-recreate") ? "none" : "recreate" };
    const fixed = fixManagedFields(live.metadata.managedFields, live.apiVersion, { keepManualChanges: options.noRemoveManualChanges });
    const before = deployed.get(resource.id);
    if (fixed === undefined && before !== undefined && jsonEqual(before, resource.object) && applyIsNoop(live, desired) && (await outsideAdmission(resource))) {
      return { resource, live, action: "none" };
    }
    let dry: KubeObject;
    try {
      dry = await kube.apply(desired, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.immutable) {
        if (resource.recreateOnImmutable) return { resource, live, action: policies.includes("skip-recreate") ? "none" : "recreate" };
        errors.push(
          new SlipwayError(`immutable fields change in resource ${resource.human}, but recreation is not requested (add annotation "${A.deletePolicy}: before-creation-if-immutable"): ${err.message}`, {
            code: "deploy",
            location: where,
          }),
        );
        return { resource, live, action: "none" };
      }
      errors.push(new SlipwayError(`${resource.human}: ${describeApiError(err)}`, { code: "deploy", location: where }));
      return { resource, live, action: "none" };
    }
    if (fixed === undefined && !applyChanges(live, dry)) return { resource, live, action: "none", dry };
    return { resource, live, action: policies.includes("skip-update") ? "none" : "update", dry };
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "deploy" });
  return decisions;
}

/** The resources of the previous revision's manifest; undefined (with a warning) when slipway cannot read it. */
async function previousResources(ctx: Ctx, previous: HelmRelease | undefined, signal: AbortSignal): Promise<Resource[] | undefined> {
  if (previous?.manifest === undefined || previous.manifest === "") return [];
  const { input, kube } = ctx;
  try {
    const parsed = parseDocuments(manifestDocuments(previous.manifest));
    await resolveScopes(kube, parsed, ctx.scopes, signal, false);
    return classify(parsed, { releaseName: input.releaseName, releaseNamespace: input.namespace, namespaced: (v, k) => ctx.scopes.get(`${v}:${k}`) });
  } catch (err) {
    // A previous manifest slipway cannot read: nothing is deleted rather than the wrong thing, and the user is told.
    ctx.emit({ type: "warning", message: `the previous revision's manifest cannot be read, so nothing removed from the chart is deleted: ${errorText(err)}` });
    return undefined;
  }
}

/**
 * The previous revision's resources, and those of every revision back to the last deployed one, newest first by id.
 * A revision that failed, or whose run died, before its deletions ran dropped objects its own manifest no longer
 * names; comparing with the previous revision alone (as nelm does) would leave them in the cluster for good, so
 * they are compared too, as Helm compares with the last deployed revision. Unreadable older manifests are skipped.
 */
async function sinceLastDeployed(ctx: Ctx, h: ReturnType<typeof history>, previous: readonly Resource[], signal: AbortSignal): Promise<Resource[]> {
  const from = h.lastDeployed?.version;
  if (from === undefined || from === h.previous?.version) return [...previous];
  const byId = new Map(previous.map((r) => [r.id, r]));
  for (const record of [...h.releases].reverse()) {
    if (record.version >= (h.previous?.version ?? 0) || record.version < from) continue;
    for (const r of (await previousResources(ctx, record, signal)) ?? []) if (!byId.has(r.id)) byId.set(r.id, r);
  }
  return [...byId.values()];
}

/** Objects of the previous release that left the chart and that this release still owns in the cluster. */
async function deletables(ctx: Ctx, old: readonly Resource[] | undefined, current: readonly Resource[], signal: AbortSignal): Promise<DeletableInfo[]> {
  if (old === undefined) return [];
  const { input, kube } = ctx;
  const keep = new Set(current.map((r) => r.id));
  const candidates = old.filter((r) => !keep.has(r.id) && r.ownership === "release" && !r.resourcePolicies.includes("skip-delete"));
  const checked = await mapLimit(candidates, ctx.options.networkParallelism, async (r) => {
    // Only "not found" means gone: any other error fails planning rather than orphaning the object for good.
    const live = await kube.get(refOf(r), { signal }).catch((err: unknown) => {
      if (err instanceof KubeApiError && (err.notFound || err.reason === "NoKindMatch")) return undefined;
      throw new SlipwayError(`get ${r.human} (removed from the chart)`, { code: "deploy", cause: err });
    });
    if (live === undefined || !deletableLive(live, input.releaseName, input.namespace)) return undefined;
    return deletableInfoOf(r, r.deletePropagation);
  });
  return checked.filter((c): c is DeletableInfo => c !== undefined);
}

function trackOptions(resource: Resource, options: DeployOptions, taskId: string): TrackOptions {
  return {
    taskId,
    timeoutMs: options.timeoutMs,
    noActivityTimeoutMs: resource.noActivityTimeoutMs,
    failMode: resource.failMode,
    logs: { ...DEFAULT_LOG_OPTIONS, ...resource.logs, noPodLogs: options.noPodLogs },
  };
}

interface RecordBase {
  readonly manifest: string;
  readonly hooks: HelmHook[];
  readonly chart: HelmRelease["chart"];
  readonly config: Record<string, unknown>;
  readonly notes: string;
}

interface RunSpec {
  readonly input: ReleaseDocs;
  readonly record: RecordBase;
  readonly kind: "install" | "rollback";
  readonly prepared: Prepared;
  /** Stop after planning: nothing is written (`slipway plan`). */
  readonly planOnly?: boolean;
  /** The revision a rollback restores (Helm's description `Rollback to N`). */
  readonly rollbackTo?: number;
  /** The history as just read under the lock, so it is not read again. */
  readonly history?: ReturnType<typeof history>;
}

interface RunOutcome {
  readonly status: "deployed" | "skipped" | "failed" | "planned";
  readonly revision: number;
  readonly error?: unknown;
  readonly planned?: PlannedChanges;
}

/** What a converge would change, for `slipway plan`. */
export interface PlannedChanges {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  /** No resource would change and no new revision would be written. */
  readonly upToDate: boolean;
  readonly changes: readonly PlannedChange[];
  readonly unchanged: readonly string[];
}

export interface PlannedChange {
  readonly action: "create" | "update" | "recreate" | "delete";
  readonly human: string;
  /** Before and after, as compared (for a diff); Secret values are masked. */
  readonly before?: unknown;
  readonly after?: unknown;
}

function opRef(resource: PlanResource, releaseNamespace: string): ObjectRef {
  return { apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace ?? releaseNamespace, name: resource.name };
}

/** One release action (install/upgrade or rollback), under the lock: decide, plan, execute, record; failure plan. */
async function runRelease(ctx: Ctx, spec: RunSpec, signal: AbortSignal): Promise<RunOutcome> {
  const { kube, options, emit, storage } = ctx;
  const input = spec.input;
  const h = spec.history ?? history(await storage.list(input.releaseName));
  const deployType: DeployType = spec.kind === "rollback" ? "rollback" : h.deployType === "upgrade" ? "upgrade" : "install";
  const revision = h.nextRevision;
  const release: PlanRelease = { name: input.releaseName, namespace: input.namespace, revision };
  emit({ type: "release-start", release: input.releaseName, namespace: input.namespace, revision, action: deployType === "rollback" ? "rollback" : deployType === "upgrade" ? "upgrade" : "install" });

  const resources = spec.prepared.resources;
  const installable = resources.filter((r) => (r.deployConditions[deployType] ?? []).length > 0);
  const old = await previousResources(ctx, h.previous, signal);
  // Only objects every revision applies: one whose werf.io/deploy-on skips some deploy types may be stored by a
  // revision that did not apply it.
  const appliedByEvery = (r: Resource): boolean => (["install", "upgrade", "rollback"] as const).every((t) => (r.deployConditions[t] ?? []).length > 0);
  const deployed = new Map(h.previous?.info.status === "deployed" ? (old ?? []).filter(appliedByEvery).map((r) => [r.id, r.object]) : []);
  const decisions = await decide(ctx, installable, deployed, signal);
  const removed = await deletables(ctx, old === undefined ? undefined : await sinceLastDeployed(ctx, h, old, signal), resources, signal);

  const installs: InstallableInfo[] = [];
  for (const d of decisions) {
    const r = d.resource;
    (r.deployConditions[deployType] ?? []).forEach((stage, iteration) => {
      // A later iteration of a resource deleted on success must be created again.
      const action = iteration > 0 && r.deleteOnSucceeded ? "create" : d.action;
      const track = r.kind !== CRD_KIND && r.trackTerminationMode !== "NonBlocking" && (action !== "none" || (h.previousFailed && d.live !== undefined) || r.deleteOnSucceeded);
      installs.push({ resource: r, stage, iteration, action, track, deleteOnSuccess: r.deleteOnSucceeded });
    });
  }
  const pendingStatus: ReleaseStatus = deployType === "rollback" ? "pending-rollback" : deployType === "upgrade" ? "pending-upgrade" : "pending-install";
  const final: { release: PlanRelease; status: "deployed" | "superseded" }[] = [{ release, status: "deployed" }];
  for (const r of h.releases) if (r.info.status === "deployed") final.push({ release: { name: input.releaseName, namespace: input.namespace, revision: r.version }, status: "superseded" });
  const plan = buildPlan({ installs, deletes: removed, release: { create: { release, status: pendingStatus }, final }, noFinalTracking: options.noFinalTracking });
  const graphPath = spec.kind === "rollback" ? options.rollbackGraphPath : options.deployGraphPath;
  if (graphPath !== undefined && graphPath !== "" && spec.planOnly !== true) await writeFile(graphPath, planToDot(plan));

  const upToDate =
    h.previous?.info.status === "deployed" &&
    (h.previous.manifest ?? "") === spec.record.manifest &&
    jsonEqual(h.previous.hooks ?? [], spec.record.hooks) &&
    jsonEqual(h.previous.config ?? {}, spec.record.config) &&
    (h.previous.info.notes ?? "") === spec.record.notes;
  if (spec.planOnly === true) {
    const changes: PlannedChange[] = [];
    const unchanged: string[] = [];
    for (const d of decisions) {
      if (d.action === "none") unchanged.push(d.resource.human);
      else {
        const before = d.live === undefined ? undefined : comparable(d.live);
        const after = comparable(d.dry ?? runtimeObject(ctx, d.resource));
        changes.push({ action: d.action === "apply" ? "update" : d.action, human: d.resource.human, before: maskSecret(before), after: maskSecret(after, before) });
      }
    }
    for (const del of removed) changes.push({ action: "delete", human: del.resource.human });
    const planned = { release: input.releaseName, namespace: input.namespace, revision, upToDate: upToDate && isNoop(plan), changes, unchanged };
    return { status: "planned", revision, planned };
  }
  if (upToDate && isNoop(plan)) {
    emit({ type: "release-skipped", release: input.releaseName, namespace: input.namespace, reason: "cluster resources already as desired" });
    return { status: "skipped", revision };
  }

  const now = goTime(Date.now());
  const record: HelmRelease = {
    name: input.releaseName,
    info: { first_deployed: now, last_deployed: now, deleted: "", status: pendingStatus, notes: spec.record.notes },
    chart: spec.record.chart,
    config: spec.record.config,
    manifest: spec.record.manifest,
    hooks: spec.record.hooks,
    version: revision,
    namespace: input.namespace,
  };
  const description = deployType === "rollback" ? `Rollback to ${spec.rollbackTo ?? h.lastDeployed?.version ?? 0}` : deployType === "upgrade" ? "Upgrade complete" : "Install complete";
  const byId = new Map(resources.map((r) => [r.id, r]));
  const decisionById = new Map(decisions.map((d) => [d.resource.id, d]));
  const counts: Record<string, number> = {};
  for (const op of plan.operations.values()) if (op.type !== "noop") counts[op.type] = (counts[op.type] ?? 0) + 1;
  emit({ type: "plan-ready", plan: spec.kind === "rollback" ? "rollback" : "install", counts });

  const opContext: OpContext = { record, description, byId, decisionById, history: h, applied: new Map() };
  const result = await executePlan(plan, (op, opSignal) => runOperation(ctx, op, opSignal, opContext), {
    parallelism: options.networkParallelism,
    signal,
    onEvent: (e) => reportOperation(ctx, e),
  });
  collectSummary(ctx, plan, result);
  if (result.error === undefined) return { status: "deployed", revision };

  // The failure plan. The record is marked failed first, on its own and with retries, so nothing that follows (a
  // delete stuck on a finalizer, a second signal) can leave it pending; then resources with delete policy `failed`
  // whose tracking failed are removed, within a bounded time.
  const createOpId = [...plan.operations.values()].find((op) => op.type === "create-release")?.id ?? operationId("create-release", 0, "");
  const failureRecord: HelmRelease = {
    ...record,
    info: { ...record.info, status: "failed", description: `${deployType === "rollback" ? "Rollback" : deployType === "upgrade" ? "Upgrade" : "Install"} failed: ${errorText(result.error)}` },
  };
  if (result.statuses.get(createOpId) === "completed") {
    for (let attempt = 1; ; attempt++) {
      try {
        await storage.update(failureRecord);
        break;
      } catch (err) {
        if (attempt >= 5) {
          emit({ type: "warning", message: `mark release failed: ${errorText(err)}` });
          break;
        }
        await new Promise((res) => setTimeout(res, 500 * attempt));
      }
    }
  }
  const failurePlan = buildFailurePlan({ installs, statuses: result.statuses });
  const failureContext: OpContext = { record: failureRecord, description: failureRecord.info.description ?? "", byId, decisionById, history: h, applied: new Map() };
  const failure = await executePlan(failurePlan, (op, opSignal) => runOperation(ctx, op, opSignal, failureContext), {
    parallelism: options.networkParallelism,
    signal: AbortSignal.timeout(options.timeoutMs > 0 ? options.timeoutMs : 120_000),
  });
  if (failure.error !== undefined) emit({ type: "warning", message: `failure plan: ${errorText(failure.error)}` });
  if (options.cleanupOnFail && h.lastDeployed === undefined && spec.kind === "install") {
    for (const d of decisions) {
      if (d.live !== undefined || d.resource.ownership !== "release") continue;
      await kube.delete(refOf(d.resource), { propagationPolicy: "Background" }).catch(() => undefined);
    }
  }
  return { status: "failed", revision, error: result.error };
}

interface OpContext {
  readonly record: HelmRelease;
  readonly description: string;
  readonly byId: ReadonlyMap<string, Resource>;
  readonly decisionById: ReadonlyMap<string, Decision>;
  readonly history: ReturnType<typeof history>;
  /** What each apply returned, by resource id: the readiness tracking of a kind without status needs nothing more. */
  readonly applied: Map<string, KubeObject>;
}

/** Applies the resource (server-side, forced, after nelm's managedFields rewrite); gives what the API returned. */
async function applyResource(ctx: Ctx, r: Resource, create: boolean, live: KubeObject | undefined, signal: AbortSignal): Promise<KubeObject> {
  const { kube, options } = ctx;
  const object = runtimeObject(ctx, r);
  if (create && r.replicasOnCreation !== undefined) object["spec"] = { ...(object["spec"] as object | undefined), replicas: r.replicasOnCreation };
  const fixed = live === undefined || create ? undefined : fixManagedFields(live.metadata.managedFields, live.apiVersion, { keepManualChanges: options.noRemoveManualChanges });
  if (fixed !== undefined && live !== undefined) {
    // Give the applier exclusive ownership first, so the forced apply removes fields that left the chart.
    await kube.mergePatch(refOf(r), { metadata: { managedFields: fixed } }, { signal }).catch((err: unknown) => {
      if (!(err instanceof KubeApiError && err.notFound)) throw err;
    });
  }
  const webhookDeadline = Date.now() + 240_000;
  let applied: KubeObject;
  for (let attempt = 0; ; attempt++) {
    try {
      applied = await kube.apply(object, { fieldManager: FIELD_MANAGER, force: true, signal });
      break;
    } catch (err) {
      const webhook = err instanceof KubeApiError && /failed calling webhook|conversion webhook for/.test(err.message);
      const unknownKind = err instanceof KubeApiError && err.reason === "NoKindMatch" && attempt < 20;
      if ((webhook && Date.now() < webhookDeadline) || unknownKind) {
        if (unknownKind) kube.invalidateDiscovery();
        await new Promise((res) => setTimeout(res, webhook ? 2000 : 500));
        continue;
      }
      throw err;
    }
  }
  if (r.kind === CRD_KIND) kube.invalidateDiscovery();
  return applied;
}

async function deleteAndWait(ctx: Ctx, ref: ObjectRef, propagation: "Foreground" | "Background" | "Orphan" | undefined, taskId: string, signal: AbortSignal): Promise<void> {
  await ctx.kube.delete(ref, { propagationPolicy: propagation ?? ctx.options.deletePropagation, signal });
  await trackAbsence(ctx.kube, ref, { taskId, timeoutMs: ctx.options.timeoutMs }, ctx.emit, signal);
}

async function runOperation(ctx: Ctx, op: Operation, signal: AbortSignal, oc: OpContext): Promise<void> {
  const { kube, options, storage, input } = ctx;
  switch (op.type) {
    case "noop":
      return;
    case "create-release": {
      for (const rev of revisionsToPrune(oc.history.releases, options.releasesHistoryMax, oc.history.lastDeployed?.version)) await storage.remove(input.releaseName, rev);
      await storage.create(oc.record);
      return;
    }
    case "update-release": {
      if (op.release.revision === oc.record.version) {
        await storage.update({ ...oc.record, info: { ...oc.record.info, status: op.status, description: oc.description } });
      } else {
        const old = oc.history.releases.find((x) => x.version === op.release.revision);
        if (old !== undefined) await storage.update({ ...old, info: { ...old.info, status: op.status } });
      }
      return;
    }
    case "track-presence":
      await trackPresence(kube, opRef(op.resource, input.namespace), { taskId: op.id, timeoutMs: options.timeoutMs }, ctx.emit, signal);
      return;
    case "track-absence":
      await trackAbsence(kube, opRef(op.resource, input.namespace), { taskId: op.id, timeoutMs: options.timeoutMs }, ctx.emit, signal);
      return;
    case "track-readiness": {
      const r = oc.byId.get(op.resource.id);
      const applied = oc.applied.get(op.resource.id);
      const trackOpts = r === undefined ? { ...trackDefaults(options), taskId: op.id } : trackOptions(r, options, op.id);
      await trackReadiness(kube, opRef(op.resource, input.namespace), { ...trackOpts, applied }, ctx.emit, signal);
      return;
    }
    case "delete": {
      const r = oc.byId.get(op.resource.id);
      await deleteAndWait(ctx, opRef(op.resource, input.namespace), op.propagation ?? r?.deletePropagation, op.id, signal);
      return;
    }
    default: {
      const r = oc.byId.get(op.resource.id);
      if (r === undefined) throw new SlipwayError(`internal: no resource ${op.resource.id} for ${op.id}`, { code: "internal" });
      const live = oc.decisionById.get(r.id)?.live;
      if (op.type === "recreate") await deleteAndWait(ctx, refOf(r), r.deletePropagation, op.id, signal);
      oc.applied.set(r.id, await applyResource(ctx, r, op.type === "recreate" || op.type === "create", op.type === "recreate" ? undefined : live, signal));
    }
  }
}

/** Secret values never reach a plan's output. */
/**
 * A Secret with its values replaced by their sizes. Given the object it replaces (`previous`), a value that
 * changed but kept its size is marked `changed`, so the diff still shows that it changes (and nothing else).
 */
function maskSecret(object: unknown, previous?: unknown): unknown {
  if (typeof object !== "object" || object === null) return object;
  const o = object as Record<string, unknown>;
  if (o["kind"] !== "Secret") return object;
  const was = (typeof previous === "object" && previous !== null ? previous : {}) as Record<string, unknown>;
  const mask = (field: string): unknown => {
    const m = o[field];
    if (typeof m !== "object" || m === null) return m;
    const old = (typeof was[field] === "object" && was[field] !== null ? was[field] : undefined) as Record<string, unknown> | undefined;
    return Object.fromEntries(
      Object.entries(m as Record<string, unknown>).map(([k, v]) => {
        const changed = old !== undefined && k in old && old[k] !== v && String(old[k]).length === String(v).length;
        return [k, `<hidden: ${String(v).length} bytes${changed ? ", changed" : ""}>`];
      }),
    );
  };
  return { ...o, ...(o["data"] === undefined ? {} : { data: mask("data") }), ...(o["stringData"] === undefined ? {} : { stringData: mask("stringData") }) };
}

function trackDefaults(options: DeployOptions): TrackOptions {
  return { taskId: "", timeoutMs: options.timeoutMs, noActivityTimeoutMs: 240_000, failMode: "FailWholeDeployProcessImmediately", logs: { ...DEFAULT_LOG_OPTIONS, noPodLogs: options.noPodLogs } };
}

function describeOperation(op: Operation, releaseNamespace: string): string | undefined {
  if (!isResourceOp(op)) return undefined;
  return operationDescription(op.type, op.resource.kind, op.resource.name, op.resource.namespace ?? "", releaseNamespace, op.iteration);
}

function reportOperation(ctx: Ctx, e: ExecuteEvent): void {
  const op = e.op;
  const description = describeOperation(op, ctx.input.namespace);
  if (description === undefined || !isResourceOp(op)) return;
  if (e.type === "op-start") ctx.emit({ type: "operation-start", opId: op.id, opType: op.type, description });
  else if (e.type === "op-done") ctx.emit({ type: "operation-done", opId: op.id, opType: op.type, description, elapsedMs: e.elapsedMs });
  else if (e.type === "op-failed") ctx.emit({ type: "operation-failed", opId: op.id, opType: op.type, description, error: errorText(e.error) });
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current instanceof Error && parts.length < 6) {
    if (!parts.some((p) => p.endsWith(current instanceof Error ? current.message : ""))) parts.push(current.message);
    current = current.cause;
  }
  return parts.length === 0 ? String(err) : parts.join(": ");
}

function collectSummary(ctx: Ctx, plan: Plan, result: ExecuteResult): void {
  const completed: string[] = [];
  const canceled: string[] = [];
  const failed: string[] = [];
  for (const op of plan.operations.values()) {
    const text = describeOperation(op, ctx.input.namespace);
    if (text === undefined) continue;
    const status = result.statuses.get(op.id);
    (status === "completed" ? completed : status === "failed" ? failed : canceled).push(text);
  }
  ctx.completed.push(...completed);
  ctx.canceled.push(...canceled);
  ctx.failed.push(...failed);
  ctx.emit({ type: "operations-summary", completed: completed.sort(), canceled: canceled.sort(), failed: failed.sort() });
}

/**
 * Installs or upgrades the release. Resolves with werf's report on success or skip; throws DeployFailedError (after
 * the failure plan, and the rollback when asked) on failure. Nothing changes in the cluster before every check passed.
 */
async function setup(kube: KubeClient, input: ReleaseDocs, options: DeployOptions, emit: Emit, signal: AbortSignal): Promise<{ ctx: Ctx; prepared: Prepared }> {
  const driver = storageDriver(options.releaseStorage);
  const scopes = new Map<string, boolean>();
  const storage = createReleaseStorage(kube, input.namespace, { driver, labels: options.releaseLabels });
  const ctx: Ctx = { kube, input, options, emit, storage, scopes, completed: [], canceled: [], failed: [] };
  // Local validation (reads only): parse, discover scopes, classify.
  const parsed = await parseRelease(ctx, input, signal, true);
  const prepared = prepare(ctx, input, parsed, { annotations: options.addAnnotations, labels: options.addLabels });
  return { ctx, prepared };
}

/** What a converge would do, without writing anything (`slipway plan`). */
export async function planRelease(kube: KubeClient, input: DeployInput, options: DeployOptions, emit: Emit, signal: AbortSignal): Promise<PlannedChanges> {
  const { ctx, prepared } = await setup(kube, input, options, emit, signal);
  const chart = chartRecord(input.chart, input.chartValues);
  const outcome = await runRelease(
    ctx,
    { input, kind: "install", prepared, planOnly: true, record: { manifest: prepared.storedManifest, hooks: prepared.storedHooks, chart, config: input.userValues, notes: input.notes } },
    signal,
  );
  if (outcome.planned === undefined) throw new SlipwayError("internal: planning returned no plan", { code: "internal" });
  return outcome.planned;
}

/**
 * Installs or upgrades the release. Resolves with werf's report on success or skip; throws DeployFailedError (after
 * the failure plan, and the rollback when asked) on failure. Nothing changes in the cluster before every check passed.
 */
export async function deployRelease(kube: KubeClient, given: DeployInput, options: DeployOptions, emit: Emit, signal: AbortSignal): Promise<DeployResult> {
  let input = given;
  let { ctx, prepared } = await setup(kube, input, options, emit, signal);
  const chart = chartRecord(input.chart, input.chartValues);

  // 2. The namespace, then werf's lock.
  await ensureNamespace(kube, input.namespace, !options.noCreateNamespace, signal);
  const lock = await acquireReleaseLock(kube, input.namespace, input.releaseName, {
    signal,
    onWait: () => emit({ type: "lock-wait", lockName: `release/${input.releaseName}` }),
  });
  emit({ type: "lock-acquired", lockName: `release/${input.releaseName}` });
  const { storage } = ctx;
  const report = (status: DeployReport["status"], revision: number): DeployReport => ({
    release: input.releaseName,
    namespace: input.namespace,
    revision,
    status,
    completedOperations: ctx.completed,
    canceledOperations: ctx.canceled,
    failedOperations: ctx.failed,
  });
  let repaired = false;
  try {
    const h = history(await repairInterrupted(ctx, lock, await storage.list(input.releaseName)));
    repaired = true;
    if (input.rerender !== undefined && input.renderedFor !== undefined) {
      // The render read the history before the lock; another run may have written a revision since.
      const at: RenderPoint = { revision: h.nextRevision, isUpgrade: h.deployType === "upgrade" };
      if (at.revision !== input.renderedFor.revision || at.isUpgrade !== input.renderedFor.isUpgrade) {
        input = { ...input, ...input.rerender(at), renderedFor: at };
        ({ ctx, prepared } = await setup(kube, input, options, emit, signal));
      }
    }
    const outcome = await runRelease(
      ctx,
      { input, kind: "install", prepared, history: h, record: { manifest: prepared.storedManifest, hooks: prepared.storedHooks, chart, config: input.userValues, notes: input.notes } },
      AbortSignal.any([signal, lock.lost]),
    );
    if (outcome.status === "deployed" || outcome.status === "skipped") {
      if (outcome.status === "deployed") emit({ type: "release-succeeded", release: input.releaseName, namespace: input.namespace, revision: outcome.revision });
      return { report: report(outcome.status, outcome.revision), notes: input.notes };
    }
    let rolledBack = false;
    if (options.autoRollback) {
      // A signal stops the deploy, not the rollback the user asked for; a second signal ends the process.
      const rollback = await (async (): Promise<RunOutcome | undefined> => {
        const h = history(await storage.list(input.releaseName));
        const target = [...h.releases].reverse().find((r) => r.info.status === "deployed" || r.info.status === "superseded");
        return target === undefined ? undefined : rollbackTo(ctx, target, lock.lost);
      })().catch((err: unknown): RunOutcome => {
        emit({ type: "warning", message: `auto-rollback: ${errorText(err)}` });
        return { status: "failed", revision: 0, error: err };
      });
      rolledBack = rollback !== undefined && rollback.status !== "failed";
    }
    emit({ type: "release-failed", release: input.releaseName, namespace: input.namespace, revision: outcome.revision, rolledBack });
    throw new DeployFailedError(input, outcome.error, report("failed", outcome.revision));
  } finally {
    await letGo(lock, repaired);
  }
}

/**
 * Gives the lock back; but when the lock came from a dead holder whose leftovers this run did not get to repair (it
 * failed or was stopped first), lets the lease run out with its holder instead, so that the next run repairs them.
 */
async function letGo(lock: LockHandle, repaired: boolean): Promise<void> {
  await (repaired || !lock.tookOverDeadHolder ? lock.release() : lock.abandon()).catch(() => undefined);
}

/**
 * Under the lock: rewrites what a run that died left in the history (`pending-*` → `failed`, extra `deployed` →
 * `superseded`; see interruptedRepairs) and says so; gives the records as they now are. Only when the lock was
 * taken from a dead holder: otherwise a pending record is another tool's (plain helm takes no werf lock), maybe
 * still in progress, and is left alone (it counts as failed for the history, as nelm counts it).
 */
async function repairInterrupted(ctx: Ctx, lock: LockHandle, records: readonly HelmRelease[]): Promise<HelmRelease[]> {
  if (!lock.tookOverDeadHolder) return [...records];
  const repairs = interruptedRepairs(records);
  for (const r of repairs) {
    const was = records.find((x) => x.version === r.version)?.info.status ?? "";
    await ctx.storage.update(r);
    ctx.emit({ type: "warning", message: `release "${r.name}" revision ${r.version} was left ${was} by a run that did not finish: marked ${r.info.status}` });
  }
  const byVersion = new Map(repairs.map((r) => [r.version, r]));
  return records.map((r) => byVersion.get(r.version) ?? r);
}

/** Re-applies a stored revision as a new `pending-rollback` → `deployed` revision, through the same engine. */
async function rollbackTo(ctx: Ctx, target: HelmRelease, signal: AbortSignal): Promise<RunOutcome> {
  const docs: ReleaseDocs = {
    releaseName: ctx.input.releaseName,
    namespace: ctx.input.namespace,
    userValues: target.config ?? {},
    manifests: manifestDocuments(target.manifest ?? ""),
    hooks: (target.hooks ?? []).map((hook) => ({ source: hook.path ?? "", content: hook.manifest ?? "", storeAs: "hook" as const })),
    crds: [],
    notes: target.info.notes ?? "",
  };
  const parsed = await parseRelease(ctx, docs, signal, false);
  return runRelease(
    ctx,
    {
      input: docs,
      kind: "rollback",
      rollbackTo: target.version,
      prepared: prepare(ctx, docs, parsed, { annotations: {}, labels: {} }),
      record: { manifest: target.manifest ?? "", hooks: target.hooks ?? [], chart: target.chart, config: target.config ?? {}, notes: target.info.notes ?? "" },
    },
    signal,
  );
}

/** `slipway rollback [--revision N]`: the given revision, or the last deployed one before the current. */
export async function rollbackRelease(
  kube: KubeClient,
  target: { readonly releaseName: string; readonly namespace: string; readonly revision: number | undefined },
  options: DeployOptions,
  emit: Emit,
  signal: AbortSignal,
): Promise<DeployResult> {
  const storage = createReleaseStorage(kube, target.namespace, { driver: storageDriver(options.releaseStorage), labels: options.releaseLabels });
  const records = await storage.list(target.releaseName);
  if (records.length === 0) throw new SlipwayError(`release "${target.releaseName}" (namespace: "${target.namespace}") not found`, { code: "deploy" });
  const h = history(records);
  const candidates = h.releases.filter((r) => r.version !== h.previous?.version && (r.info.status === "deployed" || r.info.status === "superseded"));
  const record = target.revision === undefined ? candidates.at(-1) : h.releases.find((r) => r.version === target.revision);
  if (record === undefined) {
    throw new SlipwayError(
      target.revision === undefined ? `release "${target.releaseName}" has no earlier deployed revision to roll back to` : `release "${target.releaseName}" has no revision ${target.revision}`,
      { code: "deploy" },
    );
  }
  const docs: ReleaseDocs = { releaseName: target.releaseName, namespace: target.namespace, userValues: {}, manifests: [], hooks: [], crds: [], notes: "" };
  const scopes = new Map<string, boolean>();
  const ctx: Ctx = { kube, input: docs, options, emit, storage, scopes, completed: [], canceled: [], failed: [] };
  await resolveScopes(kube, parseDocuments(manifestDocuments(record.manifest ?? "")), scopes, signal, true);
  const lock = await acquireReleaseLock(kube, target.namespace, target.releaseName, { signal, onWait: () => emit({ type: "lock-wait", lockName: `release/${target.releaseName}` }) });
  let repaired = false;
  try {
    await repairInterrupted(ctx, lock, await storage.list(target.releaseName));
    repaired = true;
    const outcome = await rollbackTo(ctx, record, AbortSignal.any([signal, lock.lost]));
    const report: DeployReport = {
      release: target.releaseName,
      namespace: target.namespace,
      revision: outcome.revision,
      status: outcome.status === "failed" ? "failed" : outcome.status === "skipped" ? "skipped" : "deployed",
      completedOperations: ctx.completed,
      canceledOperations: ctx.canceled,
      failedOperations: ctx.failed,
    };
    if (outcome.status === "failed") {
      emit({ type: "release-failed", release: target.releaseName, namespace: target.namespace, revision: outcome.revision, rolledBack: false });
      throw new DeployFailedError(target, outcome.error, report);
    }
    if (outcome.status === "deployed") emit({ type: "release-succeeded", release: target.releaseName, namespace: target.namespace, revision: outcome.revision });
    return { report, notes: record.info.notes ?? "" };
  } finally {
    await letGo(lock, repaired);
  }
}

/** A failed deploy, with the report werf writes for it. */
export class DeployFailedError extends SlipwayError {
  readonly report: DeployReport;
  constructor(input: Pick<ReleaseDocs, "releaseName" | "namespace">, cause: unknown, report: DeployReport) {
    super(`failed release "${input.releaseName}" (namespace: "${input.namespace}")`, { code: "deploy", cause });
    this.name = "DeployFailedError";
    this.report = report;
  }
}
