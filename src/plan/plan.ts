/**
 * @module plan/plan
 *
 * The deploy plan as data (nelm's pkg/plan): a DAG of typed operations with stable ids. Takes installable infos
 * (a classified resource, its stage and iteration, the action decided from the cluster, whether to track),
 * deletable infos and release operations; gives a plan with nelm's 12 stages, ascending weight groups (parallel
 * inside one), per-resource chains, dependency edges, removals in pre-pre-uninstall before anything new, and
 * hook delete-on-success in the paired uninstall stage. Everything that tells one kind of plan from another is
 * decided before (by the caller); the builder stays generic. Linear in the number of resources, except for the
 * transitive reduction of weight groups (or stages) that got dependency edges: bitsets, quadratic in that group's
 * size only. Also the failure plan, `planToText`, JSON and DOT.
 * Pure: must not import src/kube except types, nor node:fs/net.
 */
import { SlipwayError } from "../errors.js";
import type { PropagationPolicy } from "../kube/types.js";
import { dependencyMatches, type DeleteDependency, type InternalDependency, type Resource, type Stage } from "../resource/resource.js";
import { addEdge, findCycle, predecessorsOf, reduceTransitively, sortedEdges, squash, toDot, topologicalOrder, type Edges } from "./graph.js";

export const STAGES = [
  "init",
  "pre-pre-uninstall",
  "pre-pre-install",
  "pre-install",
  "pre-uninstall",
  "install",
  "uninstall",
  "post-install",
  "post-uninstall",
  "post-post-install",
  "post-post-uninstall",
  "final",
] as const;
export type PlanStage = (typeof STAGES)[number];

const UNINSTALL_STAGE: Readonly<Record<Stage, PlanStage>> = {
  "pre-pre-install": "pre-pre-uninstall",
  "pre-install": "pre-uninstall",
  install: "uninstall",
  "post-install": "post-uninstall",
};

export type DeployAction = "create" | "update" | "apply" | "recreate";
export type ResourceOpType = DeployAction | "delete";
export type TrackOpType = "track-readiness" | "track-presence" | "track-absence";
export type OperationType = "noop" | ResourceOpType | TrackOpType | "create-release" | "update-release";

/** What an operation needs to find its object without the rest of the plan. */
export interface PlanResource {
  /** nelm's `namespace:group:kind:name` (namespace "" for the release namespace). */
  readonly id: string;
  readonly human: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Empty for cluster-scoped objects; undefined for an external dependency in the release namespace. */
  readonly namespace: string | undefined;
  readonly name: string;
}

export type ReleaseStatus = "pending-install" | "pending-upgrade" | "pending-rollback" | "deployed" | "superseded" | "failed";

export interface PlanRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
}

export type Operation =
  | { readonly id: string; readonly type: "noop" }
  | { readonly id: string; readonly type: DeployAction; readonly resource: PlanResource; readonly iteration: number }
  | { readonly id: string; readonly type: "delete"; readonly resource: PlanResource; readonly iteration: number; readonly propagation?: PropagationPolicy | undefined }
  | { readonly id: string; readonly type: TrackOpType; readonly resource: PlanResource; readonly iteration: number }
  | { readonly id: string; readonly type: "create-release" | "update-release"; readonly release: PlanRelease; readonly status: ReleaseStatus };

export interface Plan {
  readonly operations: ReadonlyMap<string, Operation>;
  /** from → to: `to` starts only after `from` completed. */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
  /** Resources in the chart with nothing to do (for `slipway plan`). */
  readonly unchanged: readonly PlanResource[];
}

export interface InstallableInfo {
  readonly resource: Resource;
  readonly stage: Stage;
  readonly iteration: number;
  /** `none`: up to date or skipped by a resource policy. */
  readonly action: DeployAction | "none";
  readonly track: boolean;
  /** Delete policy `succeeded`: delete (and wait) in the paired uninstall stage after success. */
  readonly deleteOnSuccess: boolean;
}

export interface DeletableInfo {
  readonly resource: PlanResource;
  readonly propagation?: PropagationPolicy | undefined;
  /** `werf.io/delete-dependency-*` of the removed object. */
  readonly deleteDeps?: readonly DeleteDependency[] | undefined;
  /** What the removed object needed while it existed: those objects are deleted only after it is gone. */
  readonly neededWhilePresent?: readonly InternalDependency[] | undefined;
  /** For a removed CRD: the kind it serves; its custom resources are deleted first. */
  readonly servesKind?: { readonly group: string; readonly kind: string } | undefined;
  readonly group?: string | undefined;
  readonly version?: string | undefined;
}

/** A removed resource of the previous release as a deletable info, with its automatic delete ordering. */
export function deletableInfoOf(resource: Resource, propagation?: PropagationPolicy): DeletableInfo {
  const spec = resource.object["spec"];
  let servesKind: { group: string; kind: string } | undefined;
  if (resource.group === "apiextensions.k8s.io" && resource.kind === "CustomResourceDefinition" && typeof spec === "object" && spec !== null) {
    const s = spec as Record<string, unknown>;
    const names = s["names"];
    const kind = typeof names === "object" && names !== null ? (names as Record<string, unknown>)["kind"] : undefined;
    if (typeof s["group"] === "string" && typeof kind === "string") servesKind = { group: s["group"], kind };
  }
  return {
    resource: planResourceOf(resource),
    propagation: propagation ?? resource.deletePropagation,
    deleteDeps: resource.deleteDeps,
    neededWhilePresent: [...resource.autoDeps, ...resource.manualDeps],
    servesKind,
    group: resource.group,
    version: resource.version,
  };
}

export interface ReleaseOps {
  /** The pending revision written in `init`. */
  readonly create?: { readonly release: PlanRelease; readonly status: ReleaseStatus } | undefined;
  /** Status updates in `final`, in this order (the new revision `deployed`, older ones `superseded`). */
  readonly final: readonly { readonly release: PlanRelease; readonly status: ReleaseStatus }[];
}

export interface PlanInput {
  readonly installs: readonly InstallableInfo[];
  readonly deletes: readonly DeletableInfo[];
  readonly release: ReleaseOps;
  readonly noFinalTracking?: boolean | undefined;
}

const OP_VERSION = 1;

export function operationId(type: OperationType, iteration: number, subject: string): string {
  return `${type}/${OP_VERSION}/${iteration}/${subject}`;
}
export const stageStartId = (stage: PlanStage, weight?: number): string => operationId("noop", 0, `stage/${stage}${weight === undefined ? "" : `/weight:${weight}`}/start`);
export const stageEndId = (stage: PlanStage, weight?: number): string => operationId("noop", 0, `stage/${stage}${weight === undefined ? "" : `/weight:${weight}`}/end`);

export function planResourceOf(resource: Resource): PlanResource {
  return { id: resource.id, human: resource.human, apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace, name: resource.name };
}

const groupKey = (stage: PlanStage, weight?: number): string => (weight === undefined ? stage : `${stage}/weight:${weight}`);

class Builder {
  readonly operations = new Map<string, Operation>();
  readonly edges: Edges = new Map();
  /** Stage index of every non-noop operation, for telling redundant dependency edges from cyclic ones. */
  readonly stageOf = new Map<string, number>();
  /** The stage or weight group (`install/weight:-1`) every non-noop operation sits in, for transitive reduction. */
  readonly groupOf = new Map<string, string>();
  readonly dependencyEdges: [string, string][] = [];
  add(op: Operation, stage?: PlanStage, weight?: number): string {
    if (!this.operations.has(op.id)) {
      this.operations.set(op.id, op);
      if (stage !== undefined) {
        this.stageOf.set(op.id, STAGES.indexOf(stage));
        this.groupOf.set(op.id, groupKey(stage, weight));
      }
    }
    return op.id;
  }
  connect(from: string, to: string): void {
    addEdge(this.edges, from, to);
  }
  /** A chain inside a stage or weight group: open → ops... → close. */
  chain(ids: readonly string[], open: string, close: string): void {
    let previous = open;
    for (const id of ids) {
      this.connect(previous, id);
      previous = id;
    }
    this.connect(previous, close);
  }
}

export function buildPlan(input: PlanInput): Plan {
  const b = new Builder();
  STAGES.forEach((stage, i) => {
    b.add({ id: stageStartId(stage), type: "noop" });
    b.add({ id: stageEndId(stage), type: "noop" });
    b.connect(stageStartId(stage), stageEndId(stage));
    const next = STAGES[i + 1];
    if (next !== undefined) b.connect(stageEndId(stage), stageStartId(next));
  });

  // Weighted substages, ascending, each nested in its stage.
  const weights = new Map<Stage, Set<number>>();
  for (const info of input.installs) {
    if (info.resource.weight === undefined) continue;
    let set = weights.get(info.stage);
    if (set === undefined) weights.set(info.stage, (set = new Set()));
    set.add(info.resource.weight);
  }
  for (const [stage, set] of weights) {
    let previous = stageStartId(stage);
    for (const w of [...set].sort((x, y) => x - y)) {
      b.add({ id: stageStartId(stage, w), type: "noop" });
      b.add({ id: stageEndId(stage, w), type: "noop" });
      b.connect(previous, stageStartId(stage, w));
      b.connect(stageStartId(stage, w), stageEndId(stage, w));
      previous = stageEndId(stage, w);
    }
    b.connect(previous, stageEndId(stage));
  }

  // Release records.
  if (input.release.create !== undefined) {
    const { release, status } = input.release.create;
    const id = b.add({ id: operationId("create-release", 0, `${release.namespace}:${release.name}:${release.revision}`), type: "create-release", release, status }, "init");
    b.chain([id], stageStartId("init"), stageEndId("init"));
  }
  // The new revision becomes `deployed` before older ones are superseded.
  const finals = input.release.final.map(({ release, status }) =>
    b.add({ id: operationId("update-release", 0, `${release.namespace}:${release.name}:${release.revision}:${status}`), type: "update-release", release, status }, "final"),
  );
  if (finals.length > 0) b.chain(finals, stageStartId("final"), stageEndId("final"));

  // Removed resources: delete and wait for absence, before anything new.
  const absenceOf = new Map<string, string>();
  for (const del of input.deletes) {
    const deleteId = b.add({ id: operationId("delete", 0, del.resource.id), type: "delete", resource: del.resource, iteration: 0, propagation: del.propagation }, "pre-pre-uninstall");
    const absentId = b.add({ id: operationId("track-absence", 0, del.resource.id), type: "track-absence", resource: del.resource, iteration: 0 }, "pre-pre-uninstall");
    b.chain([deleteId, absentId], stageStartId("pre-pre-uninstall"), stageEndId("pre-pre-uninstall"));
    absenceOf.set(deleteId, absentId);
  }
  // Deletion order: manual delete dependencies, then the reverse of what objects needed while present
  // (a ServiceAccount after its workloads, a Role after its bindings) and CRDs after their custom resources.
  const deleteTarget = (d: DeletableInfo) => ({ name: d.resource.name, kind: d.resource.kind, group: d.group ?? "", version: d.version ?? "", namespace: d.resource.namespace ?? "" });
  const deletesByKind = new Map<string, DeletableInfo[]>();
  for (const d of input.deletes) {
    const list = deletesByKind.get(d.resource.kind);
    if (list === undefined) deletesByKind.set(d.resource.kind, [d]);
    else list.push(d);
  }
  const orderDeletes = (first: DeletableInfo, then: DeletableInfo): void => {
    if (first === then) return;
    const from = absenceOf.get(operationId("delete", 0, first.resource.id));
    const to = operationId("delete", 0, then.resource.id);
    if (from === undefined) return;
    b.connect(from, to);
    b.dependencyEdges.push([from, to]);
  };
  for (const del of input.deletes) {
    for (const dep of del.deleteDeps ?? []) {
      for (const other of dep.kind === undefined ? input.deletes : (deletesByKind.get(dep.kind) ?? [])) {
        if (dependencyMatches(dep, deleteTarget(other))) orderDeletes(other, del);
      }
    }
    for (const dep of del.neededWhilePresent ?? []) {
      for (const other of dep.kind === undefined ? input.deletes : (deletesByKind.get(dep.kind) ?? [])) {
        if (dependencyMatches(dep, deleteTarget(other))) orderDeletes(del, other);
      }
    }
    const serves = del.servesKind;
    if (serves !== undefined) {
      for (const other of deletesByKind.get(serves.kind) ?? []) if ((other.group ?? "") === serves.group) orderDeletes(other, del);
    }
  }
  const deleteOrdered = b.dependencyEdges.length > 0;

  // Install chains.
  interface Chain {
    readonly info: InstallableInfo;
    readonly open: string;
    readonly close: string;
    readonly deploy: string | undefined;
    ready: string | undefined;
    last: string | undefined;
  }
  const chains: Chain[] = [];
  // External presence ops, one per object, placed in the earliest group that needs it so that later users are
  // behind it by the stage and weight order.
  const extKey = (ref: Resource["externalDeps"][number]): string => `${ref.namespace ?? ""}:${groupOfApiVersion(ref.apiVersion)}:${ref.kind}:${ref.name}`;
  const rank = (stage: Stage, weight: number | undefined): [number, number] => [STAGES.indexOf(stage), weight ?? Number.NEGATIVE_INFINITY];
  const earliest = new Map<string, { stage: Stage; weight: number | undefined }>();
  for (const info of input.installs) {
    for (const ref of info.resource.externalDeps) {
      const key = extKey(ref);
      const seen = earliest.get(key);
      const [s1, w1] = rank(info.stage, info.resource.weight);
      if (seen === undefined) earliest.set(key, { stage: info.stage, weight: info.resource.weight });
      else {
        const [s0, w0] = rank(seen.stage, seen.weight);
        if (s1 < s0 || (s1 === s0 && w1 < w0)) earliest.set(key, { stage: info.stage, weight: info.resource.weight });
      }
    }
  }
  const presence = new Map<string, string>();
  /** Groups and stages whose edges may have become redundant (transitive reduction below). */
  const groupsWithDeps = new Set<string>();
  const unchanged: PlanResource[] = [];
  for (const info of input.installs) {
    const { resource, stage, iteration } = info;
    const open = stageStartId(stage, resource.weight);
    const close = stageEndId(stage, resource.weight);
    const subject = planResourceOf(resource);
    const gating: string[] = [];
    let needsOpen = true;
    for (const ref of resource.externalDeps) {
      const key = extKey(ref);
      const place = earliest.get(key) ?? { stage, weight: resource.weight };
      let id = presence.get(key);
      if (id === undefined) {
        const target: PlanResource = { id: key, human: humanOf(ref.kind, ref.name, ref.namespace), apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name };
        id = b.add({ id: operationId("track-presence", 0, key), type: "track-presence", resource: target, iteration: 0 }, place.stage, place.weight);
        presence.set(key, id);
        b.chain([id], stageStartId(place.stage, place.weight), stageEndId(place.stage, place.weight));
      }
      if (place.stage !== stage) continue;
      if (place.weight === resource.weight) {
        gating.push(id);
        needsOpen = false;
      } else if (place.weight === undefined || resource.weight === undefined) {
        // The stage's unweighted part runs alongside its weight groups: only an edge orders them.
        gating.push(id);
        groupsWithDeps.add(stage);
      }
    }
    const deploy = info.action === "none" ? undefined : b.add({ id: operationId(info.action, iteration, resource.id), type: info.action, resource: subject, iteration }, stage, resource.weight);
    const ready = info.track ? b.add({ id: operationId("track-readiness", iteration, resource.id), type: "track-readiness", resource: subject, iteration }, stage, resource.weight) : undefined;
    if (deploy === undefined && ready === undefined && !info.deleteOnSuccess) unchanged.push(subject);
    const own = [deploy, ready].filter((x): x is string => x !== undefined);
    if (own.length > 0) {
      for (const g of new Set(gating)) {
        b.connect(g, own[0] ?? "");
        // Its own edge to the group end is now implied by this chain.
        b.edges.get(g)?.delete(close);
      }
      if (needsOpen) b.connect(open, own[0] ?? "");
      b.chain(own.slice(1), own[0] ?? "", close);
    }
    if (info.deleteOnSuccess) {
      const uninstall = UNINSTALL_STAGE[stage];
      const del = b.add({ id: operationId("delete", iteration, resource.id), type: "delete", resource: subject, iteration, propagation: resource.deletePropagation }, uninstall);
      const absent = b.add({ id: operationId("track-absence", iteration, resource.id), type: "track-absence", resource: subject, iteration }, uninstall);
      b.chain([del, absent], stageStartId(uninstall), stageEndId(uninstall));
    }
    chains.push({ info, open, close, deploy, ready, last: own.at(-1) });
  }

  // Internal deploy dependencies, matched in the same stage only; the lowest iteration of a target wins.
  const byStage = new Map<Stage, Chain[]>();
  const byKindName = new Map<string, Chain[]>();
  for (const chain of chains) {
    const list = byStage.get(chain.info.stage);
    if (list === undefined) byStage.set(chain.info.stage, [chain]);
    else list.push(chain);
    const key = `${chain.info.stage}/${chain.info.resource.kind}/${chain.info.resource.name}`;
    const same = byKindName.get(key);
    if (same === undefined) byKindName.set(key, [chain]);
    else same.push(chain);
  }
  for (const chain of chains) {
    const { resource, stage } = chain.info;
    const target = chain.deploy;
    if (target === undefined) continue;
    const deps: InternalDependency[] = [...resource.autoDeps, ...resource.manualDeps];
    for (const dep of deps) {
      const candidates = dep.kind !== undefined && dep.name !== undefined ? (byKindName.get(`${stage}/${dep.kind}/${dep.name}`) ?? []) : (byStage.get(stage) ?? []);
      const lowest = new Map<string, Chain>();
      for (const other of candidates) {
        if (other === chain || other.info.resource.id === resource.id || !dependencyMatches(dep, other.info.resource)) continue;
        const seen = lowest.get(other.info.resource.id);
        if (seen === undefined || other.info.iteration < seen.info.iteration) lowest.set(other.info.resource.id, other);
      }
      for (const other of lowest.values()) {
        let from: string | undefined;
        if (dep.state === "ready") {
          if (other.ready === undefined) {
            // A `ready` dependency forces readiness tracking of its target.
            const r = other.info.resource;
            other.ready = b.add({ id: operationId("track-readiness", other.info.iteration, r.id), type: "track-readiness", resource: planResourceOf(r), iteration: other.info.iteration }, stage, r.weight);
            if (other.last !== undefined) b.edges.get(other.last)?.delete(other.close);
            b.chain([other.ready], other.last ?? other.open, other.close);
            other.last = other.ready;
          }
          from = other.ready;
        } else if (other.deploy !== undefined) {
          from = other.deploy;
        } else {
          // Nothing to apply for the target: wait for its presence instead.
          const r = other.info.resource;
          from = b.add({ id: operationId("track-presence", other.info.iteration, r.id), type: "track-presence", resource: planResourceOf(r), iteration: other.info.iteration }, stage, r.weight);
          b.chain([from], other.open, other.close);
        }
        const fromWeight = other.info.resource.weight;
        const toWeight = resource.weight;
        // A lower weight group already finishes first; a higher one is a cycle, reported below.
        if (fromWeight !== undefined && toWeight !== undefined && fromWeight < toWeight) continue;
        b.connect(from, target);
        b.dependencyEdges.push([from, target]);
        groupsWithDeps.add(fromWeight !== undefined && fromWeight === toWeight ? groupKey(stage, fromWeight) : stage);
      }
    }
  }

  const nodes = [...b.operations.keys()];
  const cycle = findCycle(nodes, b.edges);
  if (cycle !== undefined) throw cycleError(cycle, b.dependencyEdges);

  // Transitive reduction where dependency edges may have made edges redundant, inside the smallest convex part:
  // the weight group when both ends share one, else the whole stage. Elsewhere the graph is reduced by design.
  if (deleteOrdered) groupsWithDeps.add("pre-pre-uninstall");
  if (groupsWithDeps.size > 0) {
    const members = new Map<string, string[]>();
    const put = (key: string, id: string): void => {
      const list = members.get(key);
      if (list === undefined) members.set(key, [id]);
      else list.push(id);
    };
    for (const [id, key] of b.groupOf) {
      put(key, id);
      const slash = key.indexOf("/");
      if (slash >= 0) put(key.slice(0, slash), id);
    }
    for (const key of groupsWithDeps) {
      const noopPrefix = operationId("noop", 0, `stage/${key}/`);
      const noops = nodes.filter((id) => id.startsWith(noopPrefix));
      reduceTransitively([...noops, ...(members.get(key) ?? [])], b.edges);
    }
  }

  // A start → end edge is redundant once anything sits between them (every chain ends at its end);
  // start/end pairs with nothing between them are squashed.
  const drop = new Set<string>();
  for (const id of nodes) {
    if (!id.endsWith("/start") || b.operations.get(id)?.type !== "noop") continue;
    const end = `${id.slice(0, -"/start".length)}/end`;
    const out = b.edges.get(id);
    if (out === undefined || !out.has(end)) continue;
    if (out.size > 1) out.delete(end);
    else {
      drop.add(id);
      drop.add(end);
    }
  }
  squash(b.operations, b.edges, drop);

  if (input.noFinalTracking === true) dropFinalTracking(b.operations, b.edges);
  return { operations: b.operations, edges: b.edges, unchanged };
}

function groupOfApiVersion(apiVersion: string): string {
  const i = apiVersion.indexOf("/");
  return i < 0 ? "" : apiVersion.slice(0, i);
}

function humanOf(kind: string, name: string, namespace: string | undefined): string {
  return namespace === undefined || namespace === "" ? `${kind}/${name}` : `${kind}/${name} (namespace=${namespace})`;
}

/** nelm's wording for the dependency edge that closed the cycle, plus the cycle itself. */
function cycleError(cycle: readonly string[], dependencyEdges: readonly [string, string][]): SlipwayError {
  const inCycle = new Set<string>();
  for (let i = 0; i + 1 < cycle.length; i++) inCycle.add(`${cycle[i]}\u0000${cycle[i + 1]}`);
  const edge = [...dependencyEdges].reverse().find(([from, to]) => inCycle.has(`${from}\u0000${to}`));
  const path = cycle.join(" -> ");
  const head = edge === undefined ? "build plan" : `build plan: connect internal dependencies: depend ${JSON.stringify(edge[1])} from ${JSON.stringify(edge[0])}: add edge from ${JSON.stringify(edge[0])} to ${JSON.stringify(edge[1])}`;
  return new SlipwayError(`${head}: edge would create a cycle (${path})`, { code: "deploy" });
}

/** `--no-final-tracking`: tracking operations with no resource operation after them are squashed. */
function dropFinalTracking(operations: Map<string, Operation>, edges: Edges): void {
  const order = topologicalOrder([...operations.keys()], edges);
  const resourceAfter = new Map<string, boolean>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i] ?? "";
    let after = false;
    for (const to of edges.get(id) ?? []) {
      const op = operations.get(to);
      if ((op !== undefined && isResourceOp(op)) || resourceAfter.get(to) === true) {
        after = true;
        break;
      }
    }
    resourceAfter.set(id, after);
  }
  const drop = new Set(order.filter((id) => isTrackOp(operations.get(id)) && resourceAfter.get(id) !== true));
  squash(operations, edges, drop);
}

export function isResourceOp(op: Operation): op is Extract<Operation, { type: ResourceOpType }> {
  return op.type === "create" || op.type === "update" || op.type === "apply" || op.type === "recreate" || op.type === "delete";
}

export function isTrackOp(op: Operation | undefined): op is Extract<Operation, { type: TrackOpType }> {
  return op !== undefined && (op.type === "track-readiness" || op.type === "track-presence" || op.type === "track-absence");
}

/** No resource and no tracking operations: nothing in the cluster would change or be checked. */
export function isNoop(plan: Plan): boolean {
  for (const op of plan.operations.values()) if (isResourceOp(op) || isTrackOp(op)) return false;
  return true;
}

export function predecessors(plan: Plan): Map<string, Set<string>> {
  return predecessorsOf(plan.operations.keys(), plan.edges);
}

export function planOrder(plan: Plan): string[] {
  return topologicalOrder([...plan.operations.keys()], plan.edges);
}

// ---- failure plan ----

export interface FailurePlanInput {
  /** The installs of the plan that failed. */
  readonly installs: readonly InstallableInfo[];
  /** Status of every operation of the failed plan. */
  readonly statuses: ReadonlyMap<string, "completed" | "failed" | "canceled">;
  /** Marks the release failed, when the failed plan had written it. */
  readonly release?: { readonly release: PlanRelease; readonly createOpId: string } | undefined;
  readonly noFinalTracking?: boolean | undefined;
}

/** After a failed plan: mark the release failed, delete resources with delete policy `failed` whose readiness failed. */
export function buildFailurePlan(input: FailurePlanInput): Plan {
  const deletes: DeletableInfo[] = [];
  for (const info of input.installs) {
    if (!info.resource.deleteOnFailed) continue;
    if (input.statuses.get(operationId("track-readiness", info.iteration, info.resource.id)) !== "failed") continue;
    deletes.push({ resource: planResourceOf(info.resource), propagation: info.resource.deletePropagation });
  }
  const final = input.release !== undefined && input.statuses.get(input.release.createOpId) === "completed" ? [{ release: input.release.release, status: "failed" as const }] : [];
  return buildPlan({ installs: [], deletes, release: { final }, noFinalTracking: input.noFinalTracking });
}

// ---- output ----

/** A deterministic JSON form (operations and edges sorted by id, like nelm's MarshalJSON). */
export function planToJson(plan: Plan): { operations: Operation[]; edges: { from: string; to: string }[]; unchanged: readonly PlanResource[] } {
  const operations = [...plan.operations.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { operations, edges: sortedEdges(plan.edges).map(([from, to]) => ({ from, to })), unchanged: plan.unchanged };
}

export function planFromJson(json: { operations: readonly Operation[]; edges: readonly { from: string; to: string }[]; unchanged?: readonly PlanResource[] }): Plan {
  const operations = new Map(json.operations.map((op) => [op.id, op] as const));
  const edges: Edges = new Map();
  for (const { from, to } of json.edges) {
    if (!operations.has(from) || !operations.has(to)) throw new SlipwayError(`load plan: edge from ${JSON.stringify(from)} to ${JSON.stringify(to)}: unknown operation`, { code: "deploy" });
    addEdge(edges, from, to);
  }
  const cycle = findCycle([...operations.keys()], edges);
  if (cycle !== undefined) throw new SlipwayError(`load plan: edge would create a cycle (${cycle.join(" -> ")})`, { code: "deploy" });
  return { operations, edges, unchanged: json.unchanged ?? [] };
}

/** Graphviz, as `--deploy-graph-path` writes it. */
export function planToDot(plan: Plan): string {
  return toDot([...plan.operations.values()].map((op) => ({ id: op.id, point: op.type === "noop" })), plan.edges);
}

/**
 * `slipway plan`: one line per resource change in execution order (`create Deployment/app`), then the unchanged
 * ones, then a count line.
 */
export function planToText(plan: Plan): string {
  const lines: string[] = [];
  const counts = { create: 0, update: 0, delete: 0 };
  for (const id of planOrder(plan)) {
    const op = plan.operations.get(id);
    if (op === undefined || !isResourceOp(op)) continue;
    const verb = op.type === "apply" ? "update" : op.type;
    lines.push(`${verb} ${op.resource.human}${op.type === "recreate" ? " (delete, then create)" : op.type === "apply" ? " (blind apply)" : ""}`);
    if (op.type === "create" || op.type === "recreate") counts.create++;
    else if (op.type === "delete") counts.delete++;
    else counts.update++;
  }
  for (const r of [...plan.unchanged].sort((a, b) => (a.human < b.human ? -1 : a.human > b.human ? 1 : 0))) lines.push(`unchanged ${r.human}`);
  lines.push(`Plan: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ${plan.unchanged.length} unchanged.`);
  return `${lines.join("\n")}\n`;
}
