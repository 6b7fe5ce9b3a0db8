import { describe, expect, it } from "vitest";
import { palette } from "../../../src/ui/color.js";
import { formatFailureSummary, type FailureRecord } from "../../../src/ui/deploy-summary.js";

const plain = palette(0);
const crash: FailureRecord = {
  resource: "Deployment/app",
  reason: "container app in pod app-x: CrashLoopBackOff, exit code 1",
  lastLogLines: ["l1", "l2", "l3", "l4", "l5", "l6", "l7"],
  warnings: ["Pod/app-x: Pulled: ok?", "Pod/app-x: BackOff: one", "Pod/app-x: BackOff: two", "Pod/app-x: Unhealthy: probe failed"],
};

describe("formatFailureSummary", () => {
  it("prints nothing when nothing failed", () => {
    expect(formatFailureSummary([], plain)).toEqual([]);
  });

  it("names the root cause first, then the last log lines and Warning events, capped", () => {
    expect(formatFailureSummary([crash], plain)).toEqual([
      "┌ Failed resources",
      "│ Deployment/app: container app in pod app-x: CrashLoopBackOff, exit code 1",
      "│   Last 5 log lines (of 7):",
      "│     l3",
      "│     l4",
      "│     l5",
      "│     l6",
      "│     l7",
      "│   Warning events:",
      "│     Pod/app-x: BackOff: one",
      "│     Pod/app-x: BackOff: two",
      "│     Pod/app-x: Unhealthy: probe failed",
      "└ Failed resources",
    ]);
  });

  it("cuts long and multi-line entries so the block stays one screen", () => {
    const lines = formatFailureSummary([{ resource: "Job/migrate", reason: "Job failed: BackoffLimitExceeded", lastLogLines: ["x".repeat(500), "a\nb"], warnings: [] }], plain, {
      maxResources: 5,
      maxLogLines: 5,
      maxWarnings: 3,
      maxLineLength: 40,
    });
    expect(lines[3]).toBe(`│     ${"x".repeat(39)}…`);
    expect(lines[4]).toBe("│     a b");
  });

  it("tells each failure once and counts the ones left out", () => {
    const many = Array.from({ length: 8 }, (_, i): FailureRecord => ({ resource: `create: ConfigMap/c${i}`, reason: "forbidden", lastLogLines: [], warnings: [] }));
    const lines = formatFailureSummary([...many, ...many], plain);
    expect(lines.filter((l) => l.includes("forbidden"))).toHaveLength(5);
    expect(lines.at(-2)).toBe("│ … and 3 more failed resources");
  });

  it("colours the cause red when colour is on", () => {
    const lines = formatFailureSummary([crash], palette(1));
    expect(lines[1]).toBe("│ \u001b[1mDeployment/app\u001b[22m: \u001b[31mcontainer app in pod app-x: CrashLoopBackOff, exit code 1\u001b[39m");
  });
});
