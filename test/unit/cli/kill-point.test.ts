// The test-only kill point: which points fire, and that it is inert without its variable.
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventDetail, eventPointName, killPoint } from "../../../src/cli/kill-point.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function firing(spec: string, points: [string, string][], signal?: string): number[] {
  const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
  const point = killPoint({ SLIPWAY_TEST_KILL_AT: spec, ...(signal === undefined ? {} : { SLIPWAY_TEST_KILL_SIGNAL: signal }) });
  const fired: number[] = [];
  points.forEach(([name, detail], i) => {
    const before = kill.mock.calls.length;
    point?.(name, () => detail);
    if (kill.mock.calls.length > before) fired.push(i);
  });
  if (signal !== undefined) expect(kill.mock.calls[0]?.[1]).toBe(signal);
  return fired;
}

describe("SLIPWAY_TEST_KILL_AT", () => {
  const points: [string, string][] = [
    ["operation-start", "create: ConfigMap/a"],
    ["kube", "POST /api/v1/namespaces/n/secrets"],
    ["operation-start", "update: Deployment/web"],
    ["operation-start", "create: ConfigMap/b"],
  ];
  it("is inert when unset", () => {
    expect(killPoint({})).toBeUndefined();
    expect(killPoint({ SLIPWAY_TEST_KILL_AT: "" })).toBeUndefined();
  });
  it("fires once, at the first match of the name", () => {
    expect(firing("operation-start", points)).toEqual([0]);
  });
  it("filters by text and counts to n", () => {
    expect(firing("operation-start~ConfigMap@2", points)).toEqual([3]);
    expect(firing("kube~POST /api/v1/namespaces/n/secrets", points)).toEqual([1]);
    expect(firing("operation-start@9", points)).toEqual([]);
  });
  it("sends the signal asked for", () => {
    expect(firing("kube", points, "SIGINT")).toEqual([1]);
  });
  it("refuses a malformed spec", () => {
    expect(() => killPoint({ SLIPWAY_TEST_KILL_AT: "a@b" })).toThrow(/expected <name>/);
  });
  it("names events by type or kind", () => {
    expect(eventPointName({ type: "lock-acquired" })).toBe("lock-acquired");
    expect(eventPointName({ kind: "push", image: "app" })).toBe("push");
    expect(eventDetail({ kind: "push", image: "app" })).toContain('"image":"app"');
  });
});
