import { describe, expect, it } from "vitest";
import { TokenBucket, type Clock } from "../../../src/kube/throttle.js";

/** A clock whose sleeps advance time instantly and are recorded. */
function fakeClock(): Clock & { sleeps: number[]; time: number } {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

describe("TokenBucket (client-go's QPS/burst)", () => {
  it("lets a full burst through at once, then paces at qps", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.time).toBe(0);
    await bucket.take();
    await bucket.take();
    expect(clock.time).toBe(200);
    expect(clock.sleeps).toEqual([100, 100]);
  });

  it("refills while idle, never above burst", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 2, clock);
    await bucket.take();
    await bucket.take();
    clock.time += 10_000;
    await bucket.take();
    await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    expect(clock.sleeps).toEqual([100]);
  });

  it("does not throttle without a QPS limit, and takes werf's burst 100 with a limit but no burst", async () => {
    const free = fakeClock();
    const unlimited = new TokenBucket(0, 0, free);
    for (let i = 0; i < 1000; i++) await unlimited.take();
    expect(free.sleeps).toEqual([]);
    const clock = fakeClock();
    const bucket = new TokenBucket(30, 0, clock);
    for (let i = 0; i < 100; i++) await bucket.take();
    expect(clock.time).toBe(0);
    await bucket.take();
    expect(clock.sleeps).toEqual([34]);
  });

  it("serves concurrent callers in order", async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 1, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => bucket.take().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.time).toBe(2000);
  });
});
