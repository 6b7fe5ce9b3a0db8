/**
 * @module track/options
 *
 * What a tracker is told: plain data, filled by the deploy from the resource's werf.io/* annotations (parsed in
 * src/resource) and the command line. Imports nothing.
 */
import type { KubeObject } from "../kube/types.js";

export type FailMode = "FailWholeDeployProcessImmediately" | "IgnoreAndContinueDeployProcess" | "HopeUntilEndOfDeployProcess";

export interface TrackLogOptions {
  /** --no-pod-logs */
  readonly noPodLogs: boolean;
  readonly skipLogs: boolean;
  readonly skipLogsForContainers: readonly string[];
  readonly showLogsOnlyForContainers: readonly string[];
  readonly logRegex?: RegExp | undefined;
  readonly logRegexFor: Readonly<Record<string, RegExp>>;
  readonly logRegexSkip?: RegExp | undefined;
  readonly logRegexSkipFor: Readonly<Record<string, RegExp>>;
  readonly showLogsOnlyForNumberOfReplicas: number;
  readonly showServiceMessages: boolean;
  /** werf.io/ignore-readiness-probe-fails-for-<container>, in ms; overrides the window computed from the probe. */
  readonly ignoreReadinessProbeFailsFor?: Readonly<Record<string, number>> | undefined;
}

export interface TrackOptions {
  readonly taskId: string;
  /** Per operation, as werf's --timeout; 0 = none. */
  readonly timeoutMs: number;
  /** Generic resources only (werf.io/no-activity-timeout, default 4m); 0 = none. */
  readonly noActivityTimeoutMs: number;
  readonly failMode: FailMode;
  /** werf.io/failures-allowed-per-replica; undefined = the kind's default (or the object's annotation). */
  readonly failuresAllowedPerReplica?: number | undefined;
  readonly logs: TrackLogOptions;
  /**
   * The object as the API returned it when the deploy applied it a moment ago. For a kind whose readiness is its
   * existence (src/status readyOnceItExists) it settles the tracking without a request.
   */
  readonly applied?: KubeObject | undefined;
}

export interface PresenceOptions {
  readonly taskId: string;
  /** 0 = none. */
  readonly timeoutMs: number;
}

export const DEFAULT_NO_ACTIVITY_TIMEOUT_MS = 4 * 60_000;

export const DEFAULT_LOG_OPTIONS: TrackLogOptions = {
  noPodLogs: false,
  skipLogs: false,
  skipLogsForContainers: [],
  showLogsOnlyForContainers: [],
  logRegexFor: {},
  logRegexSkipFor: {},
  showLogsOnlyForNumberOfReplicas: 1,
  showServiceMessages: false,
};

/** kubedog's filter order: skip-logs, skip-for-containers, only-containers, regex-skip, regex-skip-for, regex, regex-for. */
export function logLineShown(options: TrackLogOptions, container: string, text: string): boolean {
  if (options.noPodLogs || options.skipLogs) return false;
  if (options.skipLogsForContainers.includes(container)) return false;
  if (options.showLogsOnlyForContainers.length > 0 && !options.showLogsOnlyForContainers.includes(container)) return false;
  if (options.logRegexSkip?.test(text) === true) return false;
  if (options.logRegexSkipFor[container]?.test(text) === true) return false;
  if (options.logRegex !== undefined && !options.logRegex.test(text)) return false;
  const only = options.logRegexFor[container];
  if (only !== undefined && !only.test(text)) return false;
  return true;
}

/** Go's time.Duration spelling for messages werf prints: `4m0s`, `1m30s`, `30s`, `1.5s`. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const s = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, "")}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}
