/**
 * @module deploy/execute
 *
 * The generic executor over a plan graph (nelm's ExecutePlan). Takes a plan, a function that runs one operation
 * and options; gives every operation's status (completed / failed / canceled) and the first error. Every
 * operation whose predecessors all completed starts at once, up to `parallelism` at a time; a finishing operation
 * schedules its successors (event-driven: no polling, no sleeps). The first failure aborts a shared signal: running
 * operations are told to stop and nothing new starts. It never looks at what kind of plan it runs (install,
 * failure, rollback): those differences live in the plan. Imports only the plan's types.
 */
import type { Operation, Plan } from "../plan/plan.js";

export type OperationStatus = "completed" | "failed" | "canceled";

/** What the executor reports; src/deploy maps these to DeployEvents with descriptions. */
export type ExecuteEvent =
  | { readonly type: "op-start"; readonly op: Operation }
  | { readonly type: "op-done"; readonly op: Operation; readonly elapsedMs: number }
  | { readonly type: "op-failed"; readonly op: Operation; readonly error: unknown; readonly elapsedMs: number }
  /** Started, then stopped because another operation failed or the run was interrupted. */
  | { readonly type: "op-canceled"; readonly op: Operation; readonly elapsedMs: number };

export interface ExecuteOptions {
  /** `--network-parallelism`, default 30. */
  readonly parallelism?: number | undefined;
  /** Aborting it cancels the run like a failure does (SIGINT). */
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: ExecuteEvent) => void) | undefined;
}

export interface ExecuteResult {
  readonly statuses: ReadonlyMap<string, OperationStatus>;
  /** The first failure, or the abort reason of `signal`; undefined on success. */
  readonly error: unknown;
}

export const DEFAULT_NETWORK_PARALLELISM = 30;

export function executePlan(
  plan: Plan,
  runOperation: (op: Operation, signal: AbortSignal) => Promise<void>,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const pending = new Map<string, number>();
  for (const id of plan.operations.keys()) pending.set(id, 0);
  for (const tos of plan.edges.values()) for (const to of tos) pending.set(to, (pending.get(to) ?? 0) + 1);
  const roots = [...pending].filter(([, n]) => n === 0).map(([id]) => id);
  const noops = roots.filter((id) => plan.operations.get(id)?.type === "noop");
  const ready = roots.filter((id) => plan.operations.get(id)?.type !== "noop");
  let head = 0;

  const statuses = new Map<string, OperationStatus>();
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  const limit = Math.max(1, Math.floor(options.parallelism ?? DEFAULT_NETWORK_PARALLELISM));
  const emit = options.onEvent ?? (() => undefined);
  let running = 0;
  let failure: { error: unknown } | undefined;

  return new Promise((resolve) => {
    let finished = false;
    const finishIfIdle = (): void => {
      if (finished || running > 0) return;
      if (!controller.signal.aborted && (head < ready.length || noops.length > 0)) return;
      finished = true;
      outer?.removeEventListener("abort", onOuterAbort);
      for (const id of plan.operations.keys()) if (!statuses.has(id)) statuses.set(id, "canceled");
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      const error = failure !== undefined ? failure.error : reason;
      resolve({ statuses, error });
    };

    const complete = (id: string): void => {
      statuses.set(id, "completed");
      for (const next of plan.edges.get(id) ?? []) {
        const n = (pending.get(next) ?? 0) - 1;
        pending.set(next, n);
        if (n === 0) (plan.operations.get(next)?.type === "noop" ? noops : ready).push(next);
      }
    };

    const settle = (op: Operation, started: number, ok: boolean, error?: unknown): void => {
      running--;
      const elapsedMs = performance.now() - started;
      if (ok) {
        complete(op.id);
        emit({ type: "op-done", op, elapsedMs });
      } else if (controller.signal.aborted) {
        // It failed because it was told to stop: the cause is the first failure, not this one.
        statuses.set(op.id, "canceled");
        emit({ type: "op-canceled", op, elapsedMs });
      } else {
        statuses.set(op.id, "failed");
        failure = { error };
        emit({ type: "op-failed", op, error, elapsedMs });
        controller.abort(error);
      }
      pump();
    };

    const pump = (): void => {
      // No-ops complete inline: they only gate their successors and must not take a parallelism slot, nor wait
      // behind operations queued for one.
      while (!controller.signal.aborted && (noops.length > 0 || (head < ready.length && running < limit))) {
        const noop = noops.pop();
        if (noop !== undefined) {
          complete(noop);
          continue;
        }
        const id = ready[head] ?? "";
        head++;
        const op = plan.operations.get(id);
        if (op === undefined) continue;
        running++;
        const started = performance.now();
        emit({ type: "op-start", op });
        let promise: Promise<void>;
        try {
          promise = runOperation(op, controller.signal);
        } catch (err) {
          promise = Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        promise.then(
          () => settle(op, started, true),
          (err: unknown) => settle(op, started, false, err),
        );
      }
      finishIfIdle();
    };

    controller.signal.addEventListener("abort", () => finishIfIdle(), { once: true });
    pump();
  });
}
