/**
 * @module status/types
 *
 * The vocabulary of readiness: what a pure per-kind status function returns. No I/O anywhere in src/status.
 */

export type Readiness = "ready" | "progressing" | "failed";

export interface ResourceStatus {
  readonly readiness: Readiness;
  /** What werf shows while waiting, e.g. `up-to-date 1->3`, `observed generation 2 should be >= 3`. */
  readonly waitingFor: readonly string[];
  /** Why it failed (readiness "failed"), e.g. `Job failed: BackoffLimitExceeded`. */
  readonly reason?: string | undefined;
  /** `Ready:1/3` style counters for progress tables; absent where the kind has none. */
  readonly ready?: { readonly current: number; readonly desired: number } | undefined;
  /** For generic resources: the rule that decided, e.g. `status.conditions[type=Ready].status=False`. */
  readonly tracking?: string | undefined;
}

/** One problem found on a pod or container that counts against the failures budget (kubedog's "errors"). */
export interface PodProblem {
  readonly pod: string;
  readonly container?: string | undefined;
  /** `CrashLoopBackOff`, `ImagePullBackOff`, `CreateContainerConfigError`, `OOMKilled`, `FailedScheduling`... */
  readonly reason: string;
  readonly message: string;
  /** Fatal problems fail the resource at once whatever the budget (e.g. CreateContainerConfigError after its grace). */
  readonly fatal?: boolean | undefined;
}
