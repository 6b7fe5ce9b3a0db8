/**
 * @module deploy/events
 *
 * What the deploy phase tells the outside world (src/ui prints it; src/deploy never prints). Plain data.
 * Tracking events (readiness, pods, logs, k8s events) are TrackEvents from src/track/events.ts; a deploy emits
 * both kinds on one stream.
 */

/** `create`, `update`, `recreate`, `apply`, `delete` act on resources; werf's report lists only those. */
export type ResourceOperationType = "create" | "update" | "recreate" | "apply" | "delete";

export type DeployEvent =
  /** `Start release "<r>" (namespace: "<ns>")` */
  | { readonly type: "release-start"; readonly release: string; readonly namespace: string; readonly revision: number; readonly action: "install" | "upgrade" | "rollback" | "uninstall" }
  /** `Waiting for locked "release/<r>"`, emitted once when the lock is busy. */
  | { readonly type: "lock-wait"; readonly lockName: string }
  | { readonly type: "lock-acquired"; readonly lockName: string }
  /** A plan is about to run: how many operations of each kind (for a header line / progress). */
  | { readonly type: "plan-ready"; readonly plan: "install" | "failure" | "rollback" | "uninstall"; readonly counts: Readonly<Record<string, number>> }
  /** A resource operation; `description` is werf's `create: ConfigMap/app` form. */
  | { readonly type: "operation-start"; readonly opId: string; readonly opType: ResourceOperationType; readonly description: string }
  | { readonly type: "operation-done"; readonly opId: string; readonly opType: ResourceOperationType; readonly description: string; readonly elapsedMs: number }
  | { readonly type: "operation-failed"; readonly opId: string; readonly opType: ResourceOperationType; readonly description: string; readonly error: string }
  /** End of a plan: werf's "Completed / Canceled / Failed operations" blocks. */
  | {
      readonly type: "operations-summary";
      readonly completed: readonly string[];
      readonly canceled: readonly string[];
      readonly failed: readonly string[];
    }
  | { readonly type: "release-notes"; readonly notes: string }
  | { readonly type: "release-skipped"; readonly release: string; readonly namespace: string; readonly reason: string }
  | { readonly type: "release-succeeded"; readonly release: string; readonly namespace: string; readonly revision: number }
  | { readonly type: "release-failed"; readonly release: string; readonly namespace: string; readonly revision: number; readonly rolledBack: boolean }
  | { readonly type: "warning"; readonly message: string };
