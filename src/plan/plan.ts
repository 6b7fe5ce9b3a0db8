/**
 * @module plan/plan
 *
 * The deploy plan as data: a DAG of typed operations in nelm's shape. Stages are pairs of no-op markers chained in
 * order; `werf.io/weight` groups nest inside their stage (ascending; members run in parallel); each resource gets a
 * chain (deploy op → readiness tracking → delete-on-success in the paired uninstall stage); dependencies add edges.
 * Resources removed from the chart are deleted in `pre-pre-uninstall`, before anything new is applied.
 * Building is linear in the number of resources. Pure: no I/O, no kube runtime.
 */
import { SlipwayError } from "../errors.js";
import type { ObjectRef } from "../kube/types.js";
import { dependencyMatches, type Resource, type Stage } from "../resource/resource.js";

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
export type OperationType = "noop" | ResourceOpType | "track-readiness" | "track-presence" | "track-absence" | "create-release" | "update-release";

export type Operation =
  | { readonly id: string; readonly type: "noop" }
  | { readonly id: string; readonly type: DeployAction; readonly resourceId: string; readonly iteration: number }
  /** Delete and wait until the object is gone. `resourceId` refers to a removed resource or an installable one. */
  | { readonly id: string; readonly type: "delete"; readonly resourceId: string; readonly iteration: number }
  | { readonly id: string; readonly type: "track-readiness"; readonly resourceId: string; readonly iteration: number }
  | { readonly id: string; readonly type: "track-presence" | "track-absence"; readonly ref: ObjectRef }
  | { readonly id: string; readonly type: "create-release" }
  | { readonly id: string; readonly type: "update-release"; readonly revision: number; readonly status: "deployed" | "superseded" | "failed" };

export interface Plan {
  readonly operations: ReadonlyMap<string, Operation>;
  /** from → to: `to` starts only after `from` completed. */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface InstallInfo {
  readonly resource: Resource;
  readonly stage: Stage;
  readonly iteration: number;
  /** undefined: nothing to apply (up to date or skipped by a policy). */
  readonly action: DeployAction | undefined;
  readonly track: boolean;
  /** delete policy `succeeded`: delete in the paired uninstall stage after success. */
  readonly deleteOnSuccess: boolean;
}

export interface DeleteInfo {
  /** The removed resource's id (an object of the previous release). */
  readonly resourceId: string;
}

export interface PlanInput {
  readonly installs: readonly InstallInfo[];
  readonly deletes: readonly DeleteInfo[];
  /** Write the pending release record first (init). */
  readonly createRelease: boolean;
  /** Release status updates in `final`. */
  readonly finalUpdates: readonly { readonly revision: number; readonly status: "deployed" | "superseded" | "failed" }[];
  readonly noFinalTracking?: boolean;
}

class Builder {
  readonly operations = new Map<string, Operation>();
  readonly edges = new Map<string, Set<string>>();
  add(op: Operation): string {
    if (!this.operations.has(op.id)) this.operations.set(op.id, op);
    return op.id;
  }
  connect(from: string, to: string): void {
    let set = this.edges.get(from);
    if (set === undefined) this.edges.set(from, (set = new Set()));
    set.add(to);
  }
  noop(id: string): string {
    return this.add({ id, type: "noop" });
  }
}

const stageStart = (s: PlanStage): string => `stage/${s}/start`;
const stageEnd = (s: PlanStage): string => `stage/${s}/end`;
const weightStart = (s: PlanStage, w: number): string => `stage/${s}/weight:${w}/start`;
const weightEnd = (s: PlanStage, w: number): string => `stage/${s}/weight:${w}/end`;

export function buildPlan(input: PlanInput): Plan {
  const b = new Builder();
  STAGES.forEach((stage, i) => {
    b.noop(stageStart(stage));
    b.noop(stageEnd(stage));
    b.connect(stageStart(stage), stageEnd(stage));
    const next = STAGES[i + 1];
    if (next !== undefined) b.connect(stageEnd(stage), stageStart(next));
  });

  if (input.createRelease) {
    const id = b.add({ id: "create-release", type: "create-release" });
    b.connect(stageStart("init"), id);
    b.connect(id, stageEnd("init"));
  }
  for (const update of input.finalUpdates) {
    const id = b.add({ id: `update-release/${update.revision}/${update.status}`, type: "update-release", revision: update.revision, status: update.status });
    b.connect(stageStart("final"), id);
    b.connect(id, stageEnd("final"));
  }

  for (const del of input.deletes) {
    const id = b.add({ id: `delete/pre-pre-uninstall/0/${del.resourceId}`, type: "delete", resourceId: del.resourceId, iteration: 0 });
    b.connect(stageStart("pre-pre-uninstall"), id);
    b.connect(id, stageEnd("pre-pre-uninstall"));
  }

  // Weighted substages, ascending.
  const weights = new Map<Stage, Set<number>>();
  for (const info of input.installs) {
    if (info.resource.weight === undefined) continue;
    let set = weights.get(info.stage);
    if (set === undefined) weights.set(info.stage, (set = new Set()));
    set.add(info.resource.weight);
  }
  for (const [stage, set] of weights) {
    const sorted = [...set].sort((a, b2) => a - b2);
    let previous = stageStart(stage);
    for (const w of sorted) {
      b.noop(weightStart(stage, w));
      b.noop(weightEnd(stage, w));
      b.connect(previous, weightStart(stage, w));
      b.connect(weightStart(stage, w), weightEnd(stage, w));
      previous = weightEnd(stage, w);
    }
    b.connect(previous, stageEnd(stage));
  }

  // Per-resource chains; remember each one's first op, deploy op and readiness op for dependencies.
  interface Chain {
    info: InstallInfo;
    first: string | undefined;
    deploy: string | undefined;
    ready: string | undefined;
  }
  const chains: Chain[] = [];
  const presence = new Map<string, string>();
  for (const info of input.installs) {
    const { resource, stage, iteration } = info;
    const open = resource.weight === undefined ? stageStart(stage) : weightStart(stage, resource.weight);
    const close = resource.weight === undefined ? stageEnd(stage) : weightEnd(stage, resource.weight);
    const chain: string[] = [];
    for (const ref of resource.externalDeps) {
      const key = `${ref.apiVersion}:${ref.kind}:${ref.namespace ?? ""}:${ref.name}`;
      let id = presence.get(key);
      if (id === undefined) {
        id = b.add({ id: `track-presence/${stage}/${key}`, type: "track-presence", ref });
        presence.set(key, id);
        b.connect(open, id);
        b.connect(id, close);
      }
      chain.push(id);
    }
    const suffix = `${stage}/${iteration}/${resource.id}`;
    const deploy = info.action === undefined ? undefined : b.add({ id: `${info.action}/${suffix}`, type: info.action, resourceId: resource.id, iteration });
    const ready = info.track ? b.add({ id: `track-readiness/${suffix}`, type: "track-readiness", resourceId: resource.id, iteration }) : undefined;
    const own = [deploy, ready].filter((x): x is string => x !== undefined);
    if (own.length === 0 && chain.length === 0) continue;
    let previous = open;
    for (const id of [...new Set(chain)]) {
      b.connect(previous === open ? open : previous, id);
      previous = id;
    }
    for (const id of own) {
      b.connect(previous, id);
      previous = id;
    }
    b.connect(previous, close);
    if (info.deleteOnSuccess) {
      const uninstall = UNINSTALL_STAGE[stage];
      const del = b.add({ id: `delete/${uninstall}/${iteration}/${resource.id}`, type: "delete", resourceId: resource.id, iteration });
      b.connect(previous, del);
      b.connect(stageStart(uninstall), del);
      b.connect(del, stageEnd(uninstall));
    }
    chains.push({ info, first: own[0], deploy, ready });
  }

  // Dependencies inside one stage: manual (present / ready) and automatic (present, same weight group only).
  const byStage = new Map<Stage, Map<string, Chain[]>>();
  for (const chain of chains) {
    const { resource, stage } = chain.info;
    let index = byStage.get(stage);
    if (index === undefined) byStage.set(stage, (index = new Map()));
    const key = `${resource.kind}/${resource.name}`;
    const list = index.get(key);
    if (list === undefined) index.set(key, [chain]);
    else list.push(chain);
  }
  for (const chain of chains) {
    const { resource, stage } = chain.info;
    const target = chain.deploy ?? chain.first;
    if (target === undefined) continue;
    const index = byStage.get(stage);
    if (index === undefined) continue;
    for (const dep of resource.manualDeps) {
      const candidates = dep.kind !== undefined && dep.name !== undefined ? (index.get(`${dep.kind}/${dep.name}`) ?? []) : chains.filter((c) => c.info.stage === stage);
      for (const other of candidates) {
        if (other === chain || !dependencyMatches(dep, other.info.resource)) continue;
        const from = dep.state === "ready" ? (other.ready ?? other.deploy) : other.deploy;
        if (from !== undefined) b.connect(from, target);
      }
    }
    for (const dep of resource.autoDeps) {
      for (const other of index.get(`${dep.kind}/${dep.name}`) ?? []) {
        if (other === chain || other.info.resource.namespace !== resource.namespace) continue;
        if (other.info.resource.weight !== resource.weight) continue;
        if (other.deploy !== undefined) b.connect(other.deploy, target);
      }
    }
  }

  let plan: Plan = { operations: b.operations, edges: b.edges };
  assertAcyclic(plan);
  if (input.noFinalTracking === true) plan = dropFinalTracking(plan);
  return plan;
}

/** Kahn's algorithm; the error names the operations left in a cycle. */
export function assertAcyclic(plan: Plan): void {
  const order = topologicalOrder(plan);
  if (order.length === plan.operations.size) return;
  const left = [...plan.operations.keys()].filter((id) => !order.includes(id)).filter((id) => !id.startsWith("stage/"));
  throw new SlipwayError(`build plan: edge would create a cycle between: ${left.slice(0, 6).join(", ")}${left.length > 6 ? ", ..." : ""}`, { code: "deploy" });
}

export function predecessors(plan: Plan): Map<string, Set<string>> {
  const preds = new Map<string, Set<string>>();
  for (const id of plan.operations.keys()) preds.set(id, new Set());
  for (const [from, tos] of plan.edges) for (const to of tos) preds.get(to)?.add(from);
  return preds;
}

export function topologicalOrder(plan: Plan): string[] {
  const indegree = new Map<string, number>();
  for (const id of plan.operations.keys()) indegree.set(id, 0);
  for (const tos of plan.edges.values()) for (const to of tos) indegree.set(to, (indegree.get(to) ?? 0) + 1);
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  const order: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] ?? "";
    order.push(id);
    for (const to of plan.edges.get(id) ?? []) {
      const d = (indegree.get(to) ?? 0) - 1;
      indegree.set(to, d);
      if (d === 0) queue.push(to);
    }
  }
  return order;
}

/** `--no-final-tracking`: tracking operations with no resource operation after them are dropped. */
function dropFinalTracking(plan: Plan): Plan {
  const order = topologicalOrder(plan);
  const resourceAfter = new Map<string, boolean>();
  for (const id of [...order].reverse()) {
    let after = false;
    for (const to of plan.edges.get(id) ?? []) {
      const op = plan.operations.get(to);
      if (op !== undefined && isResourceOp(op)) after = true;
      if (resourceAfter.get(to) === true) after = true;
    }
    resourceAfter.set(id, after);
  }
  const drop = new Set(order.filter((id) => plan.operations.get(id)?.type === "track-readiness" && resourceAfter.get(id) !== true));
  return withoutOps(plan, drop);
}

/** Removes operations, connecting their predecessors to their successors. */
export function withoutOps(plan: Plan, drop: ReadonlySet<string>): Plan {
  if (drop.size === 0) return plan;
  const preds = predecessors(plan);
  const edges = new Map<string, Set<string>>();
  for (const [from, tos] of plan.edges) if (!drop.has(from)) edges.set(from, new Set([...tos].filter((t) => !drop.has(t))));
  for (const id of drop) {
    const succ = [...(plan.edges.get(id) ?? [])].filter((t) => !drop.has(t));
    for (const p of preds.get(id) ?? []) {
      if (drop.has(p)) continue;
      const set = edges.get(p) ?? new Set<string>();
      for (const s of succ) set.add(s);
      edges.set(p, set);
    }
  }
  const operations = new Map([...plan.operations].filter(([id]) => !drop.has(id)));
  return { operations, edges };
}

export function isResourceOp(op: Operation): op is Extract<Operation, { type: ResourceOpType }> {
  return op.type === "create" || op.type === "update" || op.type === "apply" || op.type === "recreate" || op.type === "delete";
}

/** No resource and no tracking operations: nothing in the cluster would change or be checked. */
export function isNoop(plan: Plan): boolean {
  for (const op of plan.operations.values()) {
    if (isResourceOp(op) || op.type.startsWith("track-")) return false;
  }
  return true;
}

/** A deterministic JSON form (sorted operations and edges) for plan artifacts and tests. */
export function planToJson(plan: Plan): { operations: Operation[]; edges: [string, string][] } {
  const operations = [...plan.operations.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const edges: [string, string][] = [];
  for (const [from, tos] of plan.edges) for (const to of tos) edges.push([from, to]);
  edges.sort((a, b) => (a.join(" ") < b.join(" ") ? -1 : 1));
  return { operations, edges };
}

/** Graphviz, as `--deploy-graph-path` writes it. */
export function planToDot(plan: Plan): string {
  const lines = ["digraph plan {", "  rankdir=LR;"];
  for (const op of plan.operations.values()) lines.push(`  ${JSON.stringify(op.id)} [shape=${op.type === "noop" ? "point" : "box"}];`);
  for (const [from, to] of planToJson(plan).edges) lines.push(`  ${JSON.stringify(from)} -> ${JSON.stringify(to)};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
