import { afterEach, describe, expect, it, vi } from "vitest";
import { executePlan, type ExecuteEvent } from "../../../src/deploy/execute.js";
import { planFromJson, type Operation, type Plan } from "../../../src/plan/plan.js";

const op = (name: string): Operation =>
  name.startsWith("noop")
    ? { id: name, type: "noop" }
    : { id: name, type: "create", iteration: 0, resource: { id: `::ConfigMap:${name}`, human: `ConfigMap/${name}`, apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name } };

/** `"a>b b>c d"`: edges and lone nodes. */
function graph(spec: string): Plan {
  const names = new Set<string>();
  const edges: { from: string; to: string }[] = [];
  for (const part of spec.split(/\s+/).filter((p) => p !== "")) {
    const chain = part.split(">");
    chain.forEach((n) => names.add(n));
    for (let i = 0; i + 1 < chain.length; i++) edges.push({ from: chain[i] ?? "", to: chain[i + 1] ?? "" });
  }
  return planFromJson({ operations: [...names].map(op), edges });
}

/** A controllable operation runner: each op waits until the test resolves or rejects it. */
function manual() {
  const waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void; signal: AbortSignal }>();
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const run = (o: Operation, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      started.push(o.id);
      running++;
      peak = Math.max(peak, running);
      const done = (f: () => void) => () => {
        running--;
        waiting.delete(o.id);
        f();
      };
      waiting.set(o.id, { resolve: done(resolve), reject: (e) => done(() => reject(e))(), signal });
      signal.addEventListener("abort", () => waiting.get(o.id)?.reject(new Error("aborted")), { once: true });
    });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { run, started, waiting, settle, peak: () => peak };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("executePlan", () => {
  it("starts an operation only after all its predecessors completed", async () => {
    const m = manual();
    const result = executePlan(graph("a>c b>c c>noop1>d"), m.run, { parallelism: 30 });
    await m.settle();
    expect(m.started.sort()).toEqual(["a", "b"]);
    m.waiting.get("a")?.resolve();
    await m.settle();
    expect(m.started).not.toContain("c");
    m.waiting.get("b")?.resolve();
    await m.settle();
    expect(m.started).toContain("c");
    m.waiting.get("c")?.resolve();
    await m.settle();
    expect(m.started.at(-1)).toBe("d");
    m.waiting.get("d")?.resolve();
    const { statuses, error } = await result;
    expect(error).toBeUndefined();
    expect(Object.fromEntries(statuses)).toEqual({ a: "completed", b: "completed", c: "completed", noop1: "completed", d: "completed" });
  });

  it("bounds parallelism, and no-ops take no slot", async () => {
    const spec = Array.from({ length: 10 }, (_, i) => `noop0>o${i}`).join(" ");
    for (const [parallelism, expected] of [[3, 3], [30, 10]] as const) {
      const m = manual();
      const result = executePlan(graph(spec), m.run, { parallelism });
      for (let round = 0; round < 10; round++) {
        await m.settle();
        for (const w of [...m.waiting.values()]) w.resolve();
      }
      const { statuses } = await result;
      expect(m.peak()).toBe(expected);
      expect([...statuses.values()].every((s) => s === "completed")).toBe(true);
    }
  });

  it("on the first failure aborts running operations, starts nothing new and reports statuses", async () => {
    const m = manual();
    const events: ExecuteEvent[] = [];
    const result = executePlan(graph("a>after b c"), m.run, { parallelism: 30, onEvent: (e) => events.push(e) });
    await m.settle();
    expect(m.waiting.get("b")?.signal.aborted).toBe(false);
    m.waiting.get("a")?.reject(new Error("boom"));
    const { statuses, error } = await result;
    expect((error as Error).message).toBe("boom");
    expect(Object.fromEntries(statuses)).toEqual({ a: "failed", b: "canceled", c: "canceled", after: "canceled" });
    expect(m.started).not.toContain("after");
    expect(events.map((e) => `${e.type} ${e.op.id}`)).toEqual(["op-start a", "op-start b", "op-start c", "op-failed a", "op-canceled b", "op-canceled c"]);
  });

  it("never starts a queued operation after a failure, even with free slots later", async () => {
    const m = manual();
    const result = executePlan(graph("a b c d"), m.run, { parallelism: 2 });
    await m.settle();
    expect(m.started).toEqual(["a", "b"]);
    m.waiting.get("a")?.reject(new Error("first"));
    await result;
    expect(m.started).toEqual(["a", "b"]);
  });

  it("stops on the caller's signal and reports its reason; a throwing runner counts as a failure", async () => {
    const m = manual();
    const controller = new AbortController();
    const result = executePlan(graph("a>b"), m.run, { signal: controller.signal });
    await m.settle();
    controller.abort(new Error("interrupted by SIGINT"));
    const { statuses, error } = await result;
    expect((error as Error).message).toBe("interrupted by SIGINT");
    expect(Object.fromEntries(statuses)).toEqual({ a: "canceled", b: "canceled" });

    const thrown = await executePlan(graph("x>y"), () => {
      throw new Error("sync");
    });
    expect((thrown.error as Error).message).toBe("sync");
    expect(thrown.statuses.get("y")).toBe("canceled");
  });

  it("is event-driven: finishes without any timer firing", async () => {
    vi.useFakeTimers();
    const order: string[] = [];
    const result = await executePlan(graph("a>b>c noop>c"), async (o) => {
      order.push(o.id);
      await Promise.resolve();
    });
    expect(order).toEqual(["a", "b", "c"]);
    expect(vi.getTimerCount()).toBe(0);
    expect([...result.statuses.values()].every((s) => s === "completed")).toBe(true);
  });
});

describe("executePlan with a full pool", () => {
  it("completes no-op barriers inline, so a freed slot goes straight to the next operation", async () => {
    const m = manual();
    const result = executePlan(graph("slow x>noop1>fast"), m.run, { parallelism: 2 });
    await m.settle();
    expect(m.started).toEqual(["slow", "x"]);
    m.waiting.get("x")?.resolve();
    await m.settle();
    // noop1 completed inline, so `fast` took x's slot while `slow` still runs.
    expect(m.started).toEqual(["slow", "x", "fast"]);
    m.waiting.get("slow")?.resolve();
    m.waiting.get("fast")?.resolve();
    expect((await result).error).toBeUndefined();
  });
});
