/**
 * What the deploy printers remember between events: the release, the resource operations, the tracked objects with
 * their pods, problems, last log lines and Warning events, and the failures for the final summary. Takes DeployEvents
 * and TrackEvents (never trackers); gives plain data to the table, the line formatter and the summary. No I/O.
 */
import type { DeployEvent, ResourceOperationType } from "../deploy/events.js";
import type { ResourceStatus } from "../status/types.js";
import type { TrackEvent, TrackMode, TrackedObject } from "../track/events.js";
import type { FailureRecord } from "./deploy-summary.js";

export type DeployPrinterEvent = DeployEvent | TrackEvent;

export type TaskState = "waiting" | "ready" | "failed";

export interface PodRow {
  readonly name: string;
  state: "created" | "ready" | "deleted" | "unknown";
  status: string;
}

export interface TaskModel {
  readonly id: string;
  readonly mode: TrackMode;
  readonly object: TrackedObject;
  readonly startedAt: number;
  state: TaskState;
  status: ResourceStatus | undefined;
  readonly pods: Map<string, PodRow>;
  errors: number;
  lastError: string | undefined;
  /** Finished tasks stay in the table for one more tick, then are hidden, as in werf. */
  hidden: boolean;
  /** Recent log lines per `pod/container`, for the summary when the tracker sends none. */
  readonly logTail: Map<string, string[]>;
  /** Recent distinct Warning events, `Pod/x: Reason: message`. */
  readonly warnings: string[];
}

export interface OperationModel {
  readonly id: string;
  readonly opType: ResourceOperationType;
  readonly description: string;
  readonly startedAt: number;
  /** `canceled`: still running when its plan ended (the plan failed elsewhere). */
  state: "running" | "done" | "failed" | "canceled";
}

/** How much the model keeps per task: enough for the summary, bounded for long-running logs. */
const KEEP_LOG_LINES = 20;
const KEEP_WARNINGS = 10;

/** `Deployment/app`, as werf names objects in its tables and messages. */
export function objectName(object: TrackedObject): string {
  return `${object.kind}/${object.name}`;
}

export class DeployModel {
  release: { readonly name: string; readonly namespace: string } | undefined;
  readonly tasks = new Map<string, TaskModel>();
  readonly operations = new Map<string, OperationModel>();
  readonly failures: FailureRecord[] = [];
  outcome: "succeeded" | "skipped" | "failed" | undefined;

  constructor(private readonly now: () => number) {}

  /** The object name of a task, or its id when the task was never announced. */
  taskName(taskId: string): string {
    const task = this.tasks.get(taskId);
    return task === undefined ? taskId : objectName(task.object);
  }

  apply(event: DeployPrinterEvent): void {
    switch (event.type) {
      case "release-start":
        this.release = { name: event.release, namespace: event.namespace };
        return;
      case "operation-start":
        this.operations.set(event.opId, { id: event.opId, opType: event.opType, description: event.description, startedAt: this.now(), state: "running" });
        return;
      case "operation-done":
      case "operation-failed": {
        const op = this.operations.get(event.opId);
        const state = event.type === "operation-done" ? "done" : "failed";
        if (op === undefined) this.operations.set(event.opId, { id: event.opId, opType: event.opType, description: event.description, startedAt: this.now(), state });
        else op.state = state;
        if (event.type === "operation-failed") this.failures.push({ resource: event.description, reason: event.error, lastLogLines: [], warnings: [] });
        return;
      }
      case "track-start":
        this.tasks.set(event.taskId, {
          id: event.taskId,
          mode: event.mode,
          object: event.object,
          startedAt: this.now(),
          state: "waiting",
          status: undefined,
          pods: new Map(),
          errors: 0,
          lastError: undefined,
          hidden: false,
          logTail: new Map(),
          warnings: [],
        });
        return;
      case "track-status": {
        const task = this.tasks.get(event.taskId);
        if (task !== undefined) task.status = event.status;
        return;
      }
      case "track-pod": {
        const task = this.tasks.get(event.taskId);
        if (task === undefined) return;
        const pod = task.pods.get(event.pod);
        if (pod === undefined) task.pods.set(event.pod, { name: event.pod, state: event.state, status: event.status });
        else {
          pod.state = event.state;
          pod.status = event.status;
        }
        return;
      }
      case "track-log": {
        const task = this.tasks.get(event.taskId);
        if (task === undefined) return;
        const key = `${event.pod}/${event.container}`;
        const tail = task.logTail.get(key) ?? [];
        tail.push(event.line);
        if (tail.length > KEEP_LOG_LINES) tail.shift();
        // Re-inserted so that the Map's order is "logged last" last.
        task.logTail.delete(key);
        task.logTail.set(key, tail);
        return;
      }
      case "track-k8s-event": {
        const task = this.tasks.get(event.taskId);
        if (task === undefined || event.eventType !== "Warning") return;
        const text = `${event.involved}: ${event.reason}: ${event.message}`;
        const seen = task.warnings.indexOf(text);
        if (seen >= 0) task.warnings.splice(seen, 1);
        task.warnings.push(text);
        if (task.warnings.length > KEEP_WARNINGS) task.warnings.shift();
        return;
      }
      case "track-problem": {
        const task = this.tasks.get(event.taskId);
        if (task === undefined) return;
        task.errors = event.count;
        // Problem messages usually start with their reason already ("CrashLoopBackOff, exit code 1").
        task.lastError = withReason(event.problem.reason, event.problem.message);
        return;
      }
      case "track-done": {
        const task = this.tasks.get(event.taskId);
        if (task !== undefined) task.state = "ready";
        return;
      }
      case "track-failed": {
        const task = this.tasks.get(event.taskId);
        if (task !== undefined) task.state = "failed";
        this.failures.push({
          resource: this.taskName(event.taskId),
          reason: event.reason,
          lastLogLines: event.lastLogLines.length > 0 ? event.lastLogLines : task === undefined ? [] : newestTail(task),
          warnings: task === undefined ? [] : [...task.warnings],
        });
        return;
      }
      case "release-succeeded":
        this.outcome = "succeeded";
        return;
      case "release-skipped":
        this.outcome = "skipped";
        return;
      case "release-failed":
        this.outcome = "failed";
        return;
      default:
        return;
    }
  }

  /** Tasks the next progress table shows, by mode in werf's section order. */
  visibleTasks(): TaskModel[] {
    return [...this.tasks.values()].filter((t) => !t.hidden);
  }

  /**
   * The plan ended (operations-summary): operations still running were canceled and tracks still waiting will not
   * report again, so they leave the live area and the tables of a following plan (a rollback).
   */
  endPlan(): void {
    for (const op of this.operations.values()) if (op.state === "running") op.state = "canceled";
    for (const task of this.tasks.values()) task.hidden = true;
  }

  /** After a table was printed: finished tasks and deleted pods were shown once more, and go. */
  markPrinted(): void {
    for (const task of this.tasks.values()) {
      if (task.state !== "waiting") task.hidden = true;
      for (const [name, pod] of task.pods) if (pod.state === "deleted") task.pods.delete(name);
    }
  }
}

/** The log lines of the container that logged last: the likeliest to explain a failure. */
function newestTail(task: TaskModel): string[] {
  const entries = [...task.logTail.values()];
  return entries.at(-1) ?? [];
}

/** `reason: message`, without repeating a reason the message already starts with. */
export function withReason(reason: string, message: string): string {
  if (message === "") return reason;
  return message.startsWith(reason) ? message : `${reason}: ${message}`;
}
