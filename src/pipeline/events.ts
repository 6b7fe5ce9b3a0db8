/**
 * @module pipeline/events
 *
 * One event stream for the whole of converge: the build's events, the deploy's and the trackers', and markers for
 * where each phase starts and ends. The pipeline and the engines emit these; src/cli decides how they look.
 * Plain data. Imports only the event types of the phases.
 */
import type { BuildEvent } from "../build/phase.js";
import type { DeployEvent } from "../deploy/events.js";
import type { TrackEvent } from "../track/events.js";

export type { BuildEvent, DeployEvent, TrackEvent };

/** The phases of converge, in their order. */
export type Phase = "config" | "build" | "render" | "deploy";

export type PhaseMarker =
  | { readonly type: "phase-start"; readonly phase: Phase }
  | { readonly type: "phase-done"; readonly phase: Phase; readonly elapsedMs: number }
  | { readonly type: "phase-failed"; readonly phase: Phase; readonly elapsedMs: number };

export type PipelineEvent = BuildEvent | DeployEvent | TrackEvent | PhaseMarker;

export type Emit = (event: PipelineEvent) => void;

/** BuildEvents are told apart by `kind`; every other event has a `type`. */
export function isBuildEvent(event: PipelineEvent): event is BuildEvent {
  return "kind" in event;
}

export function isPhaseMarker(event: PipelineEvent): event is PhaseMarker {
  return "type" in event && (event.type === "phase-start" || event.type === "phase-done" || event.type === "phase-failed");
}
