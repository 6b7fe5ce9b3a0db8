/**
 * @module deploy/execute
 *
 * The generic executor over a plan graph: every operation whose predecessors all completed starts at once, up to
 * `parallelism` at a time; the first failure aborts a shared signal so running operations stop and nothing new
 * starts. Event-driven (a finished operation schedules its successors), no sleeps. It never looks at what kind of
 * plan it runs (install, failure, rollback): the differences live in the plan.
 */
import { predecessors, type Operation, type Plan } from "../plan/plan.js";

export type OperationStatus = "completed" | "failed" | "canceled";

export interface ExecuteOptions {
  readonly parallelism: number;
  readonly signal?: AbortSignal | undefined;
}

export interface ExecuteResult {
  readonly statuses: ReadonlyMap<string, OperationStatus>;
  /** The first failure, when there was one. */
  readonly error: unknown;
}

export function executePlan(
  plan: Plan,
  runOperation: (op: Operation, signal: AbortSignal) => Promise<void>,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const preds = predecessors(plan);
  const statuses = new Map<string, OperationStatus>();
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  const ready: string[] = [...preds].filter(([, p]) => p.size === 0).map(([id]) => id);
  const limit = Math.max(1, options.parallelism);
  let running = 0;
  let error: unknown;

  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      outer?.removeEventListener("abort", onOuterAbort);
      for (const id of plan.operations.keys()) if (!statuses.has(id)) statuses.set(id, "canceled");
      resolve({ statuses, error: error ?? (controller.signal.aborted ? controller.signal.reason : undefined) });
    };
    const pump = (): void => {
      while (!controller.signal.aborted && running < limit && ready.length > 0) {
        const id = ready.shift() ?? "";
        const op = plan.operations.get(id);
        if (op === undefined) continue;
        running++;
        const done = (ok: boolean, err?: unknown): void => {
          running--;
          if (ok && !controller.signal.aborted) {
            statuses.set(id, "completed");
            for (const next of plan.edges.get(id) ?? []) {
              const p = preds.get(next);
              p?.delete(id);
              if (p?.size === 0) ready.push(next);
            }
          } else if (ok) {
            statuses.set(id, "completed");
          } else {
            statuses.set(id, controller.signal.aborted && error !== undefined ? "canceled" : "failed");
            if (error === undefined && !controller.signal.aborted) {
              error = err;
              controller.abort(err);
            }
          }
          if (running === 0 && (ready.length === 0 || controller.signal.aborted)) finish();
          else pump();
        };
        if (op.type === "noop") {
          queueMicrotask(() => done(true));
          continue;
        }
        runOperation(op, controller.signal).then(
          () => done(true),
          (err: unknown) => done(false, err),
        );
      }
      if (running === 0 && (ready.length === 0 || controller.signal.aborted)) finish();
    };
    pump();
  });
}
