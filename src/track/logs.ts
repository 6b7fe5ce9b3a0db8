/**
 * @module track/logs
 *
 * Follows container logs of tracked pods through the KubeClient port (follow, timestamps, sinceTime = tracking
 * start), emits each line as it arrives, and reopens a container's stream when it restarts, starting from the last
 * timestamp seen so no line is emitted twice. Keeps the last lines per container for failure reasons. Takes a
 * client, options and an emit function; gives a LogFollower. Imports only src/kube types and track/options.
 */
import type { KubeClient, KubeObject } from "../kube/types.js";
import type { TrackEvent } from "./events.js";
import { logLineShown, type TrackLogOptions } from "./options.js";

export const LAST_LINES_KEPT = 20;
/** Bound on the one-off log fetch made at failure time for a container that was not followed. */
const FAILURE_FETCH_MS = 3_000;
/** A follow stream that lasted this long and then ended was cut, not finished: it is reopened from its cursor. */
const LONG_STREAM_MS = 30_000;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);

/** `2026-12-03T05:00:00.123456789Z text` → time and text. Lines without a timestamp keep an empty time. */
export function splitTimestamp(line: string): { time: string; text: string } {
  const space = line.indexOf(" ");
  if (space > 0 && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(line.slice(0, space))) {
    return { time: line.slice(0, space), text: line.slice(space + 1) };
  }
  return { time: "", text: line };
}

/**
 * A sortable key for an RFC 3339 time with up to nanoseconds: the kubelet trims trailing zeros of the fraction, so
 * the strings themselves do not sort.
 */
export function timeKey(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (m === null) return time;
  const [, whole = "", fraction = "", zone = "Z"] = m;
  if (zone === "Z") return `${whole}.${fraction.padEnd(9, "0").slice(0, 9)}`;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : `${new Date(ms).toISOString().slice(0, 19)}.${fraction.padEnd(9, "0").slice(0, 9)}`;
}

interface Stream {
  running: boolean;
  /** `<restartCount>:<running|done>` of the container when its last stream was opened; "" when the open failed. */
  instance: string;
  /** The last timestamp seen (as a timeKey), and the texts seen at exactly that time. */
  cursor: string;
  cursorRaw: string;
  atCursor: Set<string>;
}

export class LogFollower {
  private readonly streams = new Map<string, Stream>();
  private readonly lastLines = new Map<string, string[]>();
  private readonly followedPods: string[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly taskId: string,
    private readonly options: TrackLogOptions,
    private readonly sinceTime: string,
    private readonly emit: (e: TrackEvent) => void,
    private readonly signal: AbortSignal,
    private readonly onActivity: () => void = () => undefined,
  ) {}

  get enabled(): boolean {
    return !this.options.noPodLogs && !this.options.skipLogs;
  }

  /** Called on every update of a tracked pod: opens or reopens the streams its containers need. */
  update(pod: KubeObject, always = false): void {
    if (!this.enabled || this.signal.aborted) return;
    const name = pod.metadata.name;
    if (!this.followedPods.includes(name)) {
      if (!always && this.followedPods.length >= Math.max(0, this.options.showLogsOnlyForNumberOfReplicas)) return;
      this.followedPods.push(name);
    }
    const status = obj(pod["status"]);
    for (const c of [...list(status["initContainerStatuses"]), ...list(status["containerStatuses"])]) {
      const container = typeof c["name"] === "string" ? c["name"] : "";
      const state = obj(c["state"]);
      const hasRun = state["running"] !== undefined || state["terminated"] !== undefined || obj(c["lastState"])["terminated"] !== undefined;
      if (container === "" || !hasRun) continue;
      // A live instance and the same instance after it ended are worth one stream each: the second picks up what the
      // first missed (deduplicated), and a restart gives a new restartCount.
      const instance = `${typeof c["restartCount"] === "number" ? c["restartCount"] : 0}:${state["running"] === undefined ? "done" : "run"}`;
      const key = `${name}/${container}`;
      let stream = this.streams.get(key);
      if (stream === undefined) {
        stream = { running: false, instance: "", cursor: "", cursorRaw: this.sinceTime, atCursor: new Set() };
        this.streams.set(key, stream);
      }
      if (stream.running || stream.instance === instance) continue;
      this.open(name, container, stream, instance);
    }
  }

  private open(pod: string, container: string, stream: Stream, instance: string): void {
    stream.running = true;
    stream.instance = instance;
    const key = `${pod}/${container}`;
    const openedAt = Date.now();
    void (async () => {
      let cut = false;
      try {
        const lines = this.client.logs(
          { namespace: this.namespace, pod, container, follow: true, timestamps: true, sinceTime: stream.cursorRaw },
          { signal: this.signal },
        );
        for await (const raw of lines) {
          if (this.signal.aborted) return;
          this.accept(pod, container, key, stream, raw);
        }
        // The API server ends long follow streams (kubedog reopens every 3 h) and proxies cut idle ones; a container
        // that exited meanwhile answers the reopened stream at once, so this reopens at most once more.
        cut = Date.now() - openedAt >= LONG_STREAM_MS;
      } catch {
        // Not started yet, or replaced meanwhile: the next pod update opens it again.
        stream.instance = "";
      } finally {
        stream.running = false;
      }
      if (cut && !this.signal.aborted) this.open(pod, container, stream, instance);
    })();
  }

  private accept(pod: string, container: string, key: string, stream: Stream, raw: string): void {
    const { time, text } = splitTimestamp(raw);
    if (time !== "") {
      const k = timeKey(time);
      // A reopened stream starts at the last timestamp again (sinceTime is inclusive): drop what was seen.
      if (k < stream.cursor || (k === stream.cursor && stream.atCursor.has(text))) return;
      if (k !== stream.cursor) {
        stream.cursor = k;
        stream.cursorRaw = time;
        stream.atCursor = new Set();
      }
      stream.atCursor.add(text);
    }
    this.keep(key, text);
    this.onActivity();
    if (logLineShown(this.options, container, text)) {
      this.emit({ type: "track-log", taskId: this.taskId, pod, container, line: text, ...(time === "" ? {} : { time }) });
    }
  }

  private keep(key: string, text: string): void {
    const kept = this.lastLines.get(key) ?? [];
    kept.push(text);
    if (kept.length > LAST_LINES_KEPT) kept.shift();
    // Re-inserted so the map's order is "logged most recently" last.
    this.lastLines.delete(key);
    this.lastLines.set(key, kept);
  }

  /**
   * Fetches once, without following, what each followed container logged since its stream's cursor, and emits the
   * lines not seen yet. A pod can turn ready in the same update that opens its stream, before the stream delivers:
   * the lines logged until then would be lost when tracking stops. Bounded; never throws.
   */
  async drain(signal: AbortSignal, boundMs = FAILURE_FETCH_MS): Promise<void> {
    if (!this.enabled || signal.aborted) return;
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(boundMs)]);
    await Promise.all(
      [...this.streams.entries()].map(async ([key, stream]) => {
        const slash = key.indexOf("/");
        const pod = key.slice(0, slash);
        const container = key.slice(slash + 1);
        try {
          for await (const raw of this.client.logs(
            { namespace: this.namespace, pod, container, follow: false, timestamps: true, sinceTime: stream.cursorRaw },
            { signal: bounded },
          )) {
            if (bounded.aborted) return;
            this.accept(pod, container, key, stream, raw);
          }
        } catch {
          // Gone or not started: nothing was missed there.
        }
      }),
    );
  }

  /** The last lines of a container: those followed, else one bounded fetch of its (previous) instance's tail. */
  async lastLinesOf(pod: string, container: string, signal: AbortSignal): Promise<string[]> {
    const kept = this.lastLines.get(`${pod}/${container}`);
    if (kept !== undefined && kept.length > 0) return [...kept];
    if (this.options.noPodLogs) return [];
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(FAILURE_FETCH_MS)]);
    for (const previous of [false, true]) {
      try {
        const out: string[] = [];
        for await (const line of this.client.logs(
          { namespace: this.namespace, pod, container, follow: false, timestamps: false, tailLines: LAST_LINES_KEPT, previous },
          { signal: bounded },
        )) {
          out.push(line);
        }
        if (out.length > 0) return out.slice(-LAST_LINES_KEPT);
      } catch {
        // No current (or previous) instance: try the other one, then give up quietly.
      }
    }
    return [];
  }

  /** The container with kept lines that logged last, for failures without a container of their own. */
  anyLastLines(): string[] {
    const last = [...this.lastLines.values()].at(-1);
    return last === undefined ? [] : [...last];
  }
}
