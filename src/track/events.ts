/**
 * @module track/events
 *
 * What the trackers tell the outside world. Trackers never print: they emit these events and src/ui turns them
 * into terminal output (a TTY printer, a plain CI printer, a final summary). Plain data; serialisable.
 */
import type { PodProblem, ResourceStatus } from "../status/types.js";

export type TrackMode = "readiness" | "presence" | "absence";

/** A tracked object as shown to users: `Deployment/app`, plus its namespace. */
export interface TrackedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export type TrackEvent =
  | { readonly type: "track-start"; readonly taskId: string; readonly mode: TrackMode; readonly object: TrackedObject }
  /** The root object's status changed (only emitted on change). */
  | { readonly type: "track-status"; readonly taskId: string; readonly status: ResourceStatus }
  /** A child pod appeared, changed phase/readiness or went away. */
  | {
      readonly type: "track-pod";
      readonly taskId: string;
      readonly pod: string;
      readonly state: "created" | "ready" | "deleted" | "unknown";
      /** `Running`, `CrashLoopBackOff`, `Init:0/1`... as kubectl shows it. */
      readonly status: string;
    }
  /** One container log line, as it arrives. `time` is the API's RFC 3339 timestamp. */
  | {
      readonly type: "track-log";
      readonly taskId: string;
      readonly pod: string;
      readonly container: string;
      readonly line: string;
      readonly time?: string | undefined;
    }
  /** A Kubernetes Event about the object or one of its pods (shown with werf.io/show-service-messages, and kept for the summary). */
  | {
      readonly type: "track-k8s-event";
      readonly taskId: string;
      /** `Pod/x` or `Deployment/y`. */
      readonly involved: string;
      readonly reason: string;
      readonly message: string;
      readonly eventType: "Normal" | "Warning";
      readonly shown: boolean;
    }
  /** A problem counted against the failures budget (`errors 2/3`). */
  | { readonly type: "track-problem"; readonly taskId: string; readonly problem: PodProblem; readonly count: number; readonly allowed: number }
  | { readonly type: "track-done"; readonly taskId: string; readonly elapsedMs: number }
  | {
      readonly type: "track-failed";
      readonly taskId: string;
      /** The root cause first: `container app in pod x: CrashLoopBackOff, exit code 1`. */
      readonly reason: string;
      /** The last log lines of the failing container, oldest first (for the summary). */
      readonly lastLogLines: readonly string[];
      readonly elapsedMs: number;
    }
  /** Failure that does not fail the deploy (fail-mode IgnoreAndContinueDeployProcess). */
  | { readonly type: "track-ignored-failure"; readonly taskId: string; readonly reason: string };
