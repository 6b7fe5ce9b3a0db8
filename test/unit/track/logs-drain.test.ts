// A pod that turns ready in the update that opened its log stream: the lines it logged before are fetched once more
// when tracking ends, so they are printed although the follow stream had not delivered them yet.
import { describe, expect, it, vi } from "vitest";
import type { LogQuery, ObjectRef } from "../../../src/kube/types.js";
import type { TrackEvent } from "../../../src/track/events.js";
import { DEFAULT_LOG_OPTIONS, trackReadiness } from "../../../src/track/tracker.js";
import { FakeKube, flush } from "./fake-kube.js";
import { deployment, NS, pod, replicaSet, running } from "./objects.js";

/** Follow streams that stay silent until aborted, as a stream just opened on a busy API server. */
class SlowStreams extends FakeKube {
  override logs(query: LogQuery, options?: { signal?: AbortSignal | undefined }): AsyncIterable<string> {
    if (!query.follow) return super.logs(query, options);
    const signal = options?.signal;
    return {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<string>>((resolve) => signal?.addEventListener("abort", () => resolve({ value: undefined, done: true }), { once: true })),
      }),
    };
  }
}

describe("trackReadiness: logs at the end of tracking", () => {
  it("emits the lines a follow stream has not delivered when the Deployment turns ready, each once", async () => {
    const kube = new SlowStreams();
    const ref: ObjectRef = { apiVersion: "apps/v1", kind: "Deployment", namespace: NS, name: "web" };
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 0 }));
    const events: TrackEvent[] = [];
    let resolved = false;
    void trackReadiness(
      kube,
      ref,
      { taskId: "t1", timeoutMs: 0, noActivityTimeoutMs: 0, failMode: "FailWholeDeployProcessImmediately", logs: DEFAULT_LOG_OPTIONS },
      (e) => events.push(e),
      new AbortController().signal,
    ).then(() => (resolved = true));
    kube.put(replicaSet("h1"));
    kube.put(pod("web-h1-a", "h1", running()));
    await flush();
    const now = new Date().toISOString();
    kube.log("web-h1-a", "app", "starting", now);
    kube.log("web-h1-a", "app", "listening on :8080", now);
    kube.put(deployment({ replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
    await vi.waitFor(() => expect(resolved).toBe(true));
    const logs = events.filter((e) => e.type === "track-log").map((e) => (e.type === "track-log" ? `${e.pod}/${e.container}: ${e.line}` : ""));
    expect(logs).toEqual(["web-h1-a/app: starting", "web-h1-a/app: listening on :8080"]);
    // The lines come before the task's end, so the printers show them above "ready".
    expect(events.findIndex((e) => e.type === "track-log")).toBeLessThan(events.findIndex((e) => e.type === "track-done"));
  });
});
