// werf's lockgate lock against an in-memory API server with fake timers: exclusion, expiry takeover, 409 retries,
// lost leases and the exact annotation werf reads.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KubeApiError } from "../../../src/kube/types.js";
import { acquireReleaseLock, leaseJson, lockAnnotation, parseLease, type LockHandle } from "../../../src/release/lock.js";
import { fakeKube, type FakeKube } from "./fake-kube.js";

const NS = "app";
const CM = "ConfigMap/app/werf-synchronization";
const KEY = lockAnnotation("release/web");

function annotation(kube: FakeKube): string | undefined {
  return kube.objects.get(CM)?.metadata.annotations?.[KEY];
}

describe("werf's release lock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: new Date("2026-12-03T10:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("names the annotation by sha3-224 of the lock name", () => {
    // sha3-224("release/web"), computed independently with Python's hashlib.
    expect(KEY).toBe("lockgate.io/677a2281576abd2c8dd9fd8cda1612a3ac2e693db87adabeda34b016");
  });

  it("creates the ConfigMap and writes lockgate's JSON, then removes the annotation on release", async () => {
    const kube = fakeKube();
    const lock = await acquireReleaseLock(kube, NS, "web");
    const text = annotation(kube);
    expect(text).toBe(`{"uuid":"${lock.uuid}","lockName":"release/web","ExpireAtTimestamp":${Date.parse("2026-12-03T10:00:10Z") / 1000},"SharedHoldersCount":1,"IsShared":false}`);
    await lock.release();
    expect(kube.objects.has(CM)).toBe(true);
    expect(annotation(kube)).toBeUndefined();
  });

  it("renews every 3 s and makes a second acquirer wait until release", async () => {
    const kube = fakeKube();
    const first = await acquireReleaseLock(kube, NS, "web");
    const waits: number[] = [];
    let second: LockHandle | undefined;
    const pending = acquireReleaseLock(kube, NS, "web", { onWait: () => waits.push(Date.now()) }).then((h) => (second = h));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(second).toBeUndefined();
    expect(waits).toHaveLength(1);
    // Renewed: the expiry follows the clock.
    expect(parseLease(annotation(kube))?.ExpireAtTimestamp).toBeGreaterThanOrEqual(Date.now() / 1000 + 6);
    expect(first.lost.aborted).toBe(false);
    await first.release();
    await vi.advanceTimersByTimeAsync(2_000);
    await pending;
    expect(second?.uuid).not.toBe(first.uuid);
    expect(parseLease(annotation(kube))?.uuid).toBe(second?.uuid);
    await second?.release();
  });

  it("takes over a lease whose holder stopped renewing, after at most ~10 s", async () => {
    const kube = fakeKube();
    kube.objects.set(CM, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "werf-synchronization", namespace: NS, resourceVersion: "1", annotations: { [KEY]: leaseJson({ uuid: "crashed", lockName: "release/web", ExpireAtTimestamp: Date.now() / 1000 + 10, SharedHoldersCount: 1, IsShared: false, QueueMembers: {} }), other: "kept" } },
    });
    const started = Date.now();
    const pending = acquireReleaseLock(kube, NS, "web");
    await vi.advanceTimersByTimeAsync(12_000);
    const lock = await pending;
    expect(Date.now() - started).toBeLessThanOrEqual(12_000);
    expect(lock.uuid).not.toBe("crashed");
    expect(lock.tookOverDeadHolder).toBe(true);
    expect(kube.objects.get(CM)?.metadata.annotations?.["other"]).toBe("kept");
    await lock.release();
  });

  it("abandon leaves the lease to run out with its holder, so the next taker knows of a death", async () => {
    const kube = fakeKube();
    const first = await acquireReleaseLock(kube, NS, "web");
    await first.abandon();
    expect(parseLease(annotation(kube))).toMatchObject({ uuid: first.uuid, SharedHoldersCount: 1 });
    const pending = acquireReleaseLock(kube, NS, "web");
    await vi.advanceTimersByTimeAsync(12_000);
    const next = await pending;
    expect(next.tookOverDeadHolder).toBe(true);
    await next.release();
    expect(annotation(kube)).toBeUndefined();
  });

  it("says whether the lock came from a dead holder: not for a free lock, nor for a lease given up to the queue", async () => {
    const kube = fakeKube();
    const first = await acquireReleaseLock(kube, NS, "web");
    expect(first.tookOverDeadHolder).toBe(false);
    await first.release();
    const again = await acquireReleaseLock(kube, NS, "web");
    expect(again.tookOverDeadHolder).toBe(false);
    await again.release();
    // What a holder leaves when it gives the lease up to queued waiters that have since gone: expired, no holder.
    const now = Date.now() / 1000;
    kube.objects.set(CM, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "werf-synchronization", namespace: NS, resourceVersion: "9", annotations: { [KEY]: leaseJson({ uuid: "given-up", lockName: "release/web", ExpireAtTimestamp: now - 1, SharedHoldersCount: 0, IsShared: false, QueueMembers: {} }) } },
    });
    const afterQueue = await acquireReleaseLock(kube, NS, "web");
    expect(afterQueue.uuid).not.toBe("given-up");
    expect(afterQueue.tookOverDeadHolder).toBe(false);
    await afterQueue.release();
  });

  it("waits for a live queue member of another werf instead of taking an expired lease", async () => {
    const kube = fakeKube();
    const now = Date.now() / 1000;
    kube.objects.set(CM, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "werf-synchronization", namespace: NS, resourceVersion: "1", annotations: { [KEY]: leaseJson({ uuid: "old", lockName: "release/web", ExpireAtTimestamp: now - 5, SharedHoldersCount: 0, IsShared: false, QueueMembers: { other: { AcquirerId: "other", AcquiredAtTimestamp: now - 1, ExpireAtTimestamp: now + 4 } } }) } },
    });
    let got: LockHandle | undefined;
    const pending = acquireReleaseLock(kube, NS, "web").then((h) => (got = h));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(got).toBeUndefined();
    // The member stops refreshing its place: it expires and the lease is ours.
    await vi.advanceTimersByTimeAsync(4_000);
    await pending;
    expect(parseLease(annotation(kube))).toMatchObject({ uuid: got?.uuid, QueueMembers: {} });
    await got?.release();
  });

  it("retries after a 409 conflict", async () => {
    const kube = fakeKube();
    let conflicts = 1;
    kube.before = (method) => {
      if (method === "PUT" && conflicts > 0) {
        conflicts--;
        throw new KubeApiError("the object has been modified; please apply your changes to the latest version and try again", 409, "Conflict");
      }
    };
    const pending = acquireReleaseLock(kube, NS, "web");
    await vi.advanceTimersByTimeAsync(1_000);
    const lock = await pending;
    expect(kube.requests.filter((r) => r.startsWith("PUT"))).toHaveLength(2);
    expect(parseLease(annotation(kube))?.uuid).toBe(lock.uuid);
    await lock.release();
  });

  it("aborts the holder when the lease was taken over", async () => {
    const kube = fakeKube();
    const lock = await acquireReleaseLock(kube, NS, "web");
    const cm = kube.objects.get(CM);
    if (cm?.metadata.annotations === undefined) throw new Error("no lock object");
    cm.metadata.annotations[KEY] = leaseJson({ uuid: "thief", lockName: "release/web", ExpireAtTimestamp: Date.now() / 1000 + 10, SharedHoldersCount: 1, IsShared: false, QueueMembers: {} });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(lock.lost.aborted).toBe(true);
    expect(String((lock.lost.reason as Error).message)).toContain('locker has lost the lease for lock "release/web"');
    await lock.release();
    // Releasing a lost lock leaves the thief's lease alone.
    expect(parseLease(annotation(kube))?.uuid).toBe("thief");
  });

  it("aborts the holder when renewals fail for a whole TTL", async () => {
    const kube = fakeKube();
    const warnings: string[] = [];
    const lock = await acquireReleaseLock(kube, NS, "web", { onWarning: (m) => warnings.push(m) });
    kube.before = () => {
      throw new KubeApiError("connection refused", 0, "");
    };
    await vi.advanceTimersByTimeAsync(6_000);
    expect(lock.lost.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(lock.lost.aborted).toBe(true);
    expect(warnings[0]).toContain('renew the lease of lock "release/web"');
    await lock.release();
  });

  it("aborts the holder when a renewal hangs until the lease expires", async () => {
    const kube = fakeKube();
    const lock = await acquireReleaseLock(kube, NS, "web");
    kube.hang = true;
    await vi.advanceTimersByTimeAsync(9_000);
    expect(lock.lost.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lock.lost.aborted).toBe(true);
    kube.hang = false;
    await lock.release();
  });

  it("stops waiting when the caller's signal aborts", async () => {
    const kube = fakeKube();
    const first = await acquireReleaseLock(kube, NS, "web");
    const controller = new AbortController();
    const pending = acquireReleaseLock(kube, NS, "web", { signal: controller.signal });
    const outcome = pending.then(
      () => "acquired",
      (e: unknown) => (e as Error).message,
    );
    await vi.advanceTimersByTimeAsync(2_500);
    controller.abort(new Error("interrupted"));
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome).toBe("interrupted");
    await first.release();
  });
});
