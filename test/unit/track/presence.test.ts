// Presence and absence trackers over the fake client.
import { describe, expect, it } from "vitest";
import type { ObjectRef } from "../../../src/kube/types.js";
import type { TrackEvent } from "../../../src/track/events.js";
import { trackAbsence, trackPresence } from "../../../src/track/tracker.js";
import { FakeKube, flush } from "./fake-kube.js";

const REF: ObjectRef = { apiVersion: "v1", kind: "Secret", namespace: "ns", name: "s" };
const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ns" } };

function settledState(p: Promise<void>): () => string {
  let state = "pending";
  p.then(
    () => (state = "resolved"),
    () => (state = "rejected"),
  );
  return () => state;
}

describe("trackPresence / trackAbsence", () => {
  it("absence of an object that never existed is known from the first list", async () => {
    const kube = new FakeKube();
    const events: TrackEvent[] = [];
    const state = settledState(trackAbsence(kube, REF, { taskId: "a", timeoutMs: 0 }, (e) => events.push(e), new AbortController().signal));
    await flush();
    expect(state()).toBe("resolved");
    expect(events.map((e) => e.type)).toEqual(["track-start", "track-done"]);
  });

  it("absence waits for the deletion", async () => {
    const kube = new FakeKube();
    kube.put(secret);
    const state = settledState(trackAbsence(kube, REF, { taskId: "a", timeoutMs: 0 }, () => undefined, new AbortController().signal));
    await flush();
    expect(state()).toBe("pending");
    kube.remove("Secret", "ns", "s");
    await flush();
    expect(state()).toBe("resolved");
    expect(kube.activeWatches).toBe(0);
  });

  it("presence waits for the creation", async () => {
    const kube = new FakeKube();
    const state = settledState(trackPresence(kube, REF, { taskId: "p", timeoutMs: 0 }, () => undefined, new AbortController().signal));
    await flush();
    expect(state()).toBe("pending");
    kube.put(secret);
    await flush();
    expect(state()).toBe("resolved");
  });

  it("presence times out with the object named", async () => {
    const kube = new FakeKube();
    const events: TrackEvent[] = [];
    await expect(trackPresence(kube, REF, { taskId: "p", timeoutMs: 50 }, (e) => events.push(e), new AbortController().signal)).rejects.toThrow(
      'waiting for resource "Secret/s" to be present failed: timed out after 50ms',
    );
    expect(events.at(-1)).toMatchObject({ type: "track-failed", reason: "timed out after 50ms" });
  });
});
