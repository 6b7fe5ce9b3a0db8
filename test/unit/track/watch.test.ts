// List-then-watch: delivery, resume, re-list on 410, retry on transient errors, failure on a 4xx.
import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../../src/kube/types.js";
import { watchObjects, type ObjectEvent } from "../../../src/track/watch.js";
import { FakeKube, flush } from "./fake-kube.js";

const cm = (name: string, v: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns" }, data: { v } });
const QUERY = { apiVersion: "v1", kind: "ConfigMap", namespace: "ns" } as const;

describe("watchObjects", () => {
  it("delivers the list, then changes; after a 410 it re-lists and reports what vanished meanwhile", async () => {
    const kube = new FakeKube();
    kube.put(cm("a", "1"));
    const seen: string[] = [];
    let synced = 0;
    const controller = new AbortController();
    const done = watchObjects(kube, QUERY, { onEvent: (e: ObjectEvent) => seen.push(`${e.type}:${e.object.metadata.name}`), onSynced: () => synced++ }, controller.signal);
    await flush();
    kube.put(cm("b", "1"));
    await flush();
    expect(seen).toEqual(["upsert:a", "upsert:b"]);
    expect(synced).toBe(1);
    kube.expireWatches();
    await flush(50);
    expect(synced).toBe(2);
    expect(kube.calls.filter((c) => c.startsWith("list")).length).toBe(2);
    controller.abort();
    await done;
    expect(kube.activeWatches).toBe(0);
  });

  it("retries a transient failure and rejects on a 403", async () => {
    const kube = new FakeKube();
    const list = kube.list.bind(kube);
    let calls = 0;
    kube.list = (q) => {
      calls++;
      return calls === 1 ? Promise.reject(new KubeApiError("connection reset", 0, "")) : list(q);
    };
    const controller = new AbortController();
    const synced = new Promise<void>((resolve) => void watchObjects(kube, QUERY, { onEvent: () => undefined, onSynced: resolve }, controller.signal));
    await synced;
    expect(calls).toBe(2);
    controller.abort();

    const forbidden = new FakeKube();
    forbidden.list = () => Promise.reject(new KubeApiError('configmaps is forbidden: User "x" cannot list resource', 403, "Forbidden"));
    await expect(watchObjects(forbidden, QUERY, { onEvent: () => undefined }, new AbortController().signal)).rejects.toThrow("forbidden");
  });
});
