/**
 * @module track/tracker
 *
 * The trackers' public face: readiness (track/readiness), presence and absence (track/presence), their options
 * (track/options). Callers import from here. Never prints; imports only src/kube types, src/status and src/errors.
 */
export { DEFAULT_LOG_OPTIONS, DEFAULT_NO_ACTIVITY_TIMEOUT_MS, type FailMode, type PresenceOptions, type TrackLogOptions, type TrackOptions } from "./options.js";
export { newReplicaSet, selectorString, TrackError, trackReadiness } from "./readiness.js";
export { trackAbsence, trackPresence } from "./presence.js";
