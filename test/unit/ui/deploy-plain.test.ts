import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TrackedObject } from "../../../src/track/events.js";
import { createDeployPrinter, type DeployPrinterEvent, type DeployPrinterOptions } from "../../../src/ui/deploy-printer.js";
import { PlainDeployPrinter } from "../../../src/ui/deploy-plain.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "../../golden/ui");
/** 2026-12-03T10:00:00Z */
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

type Step = DeployPrinterEvent | { readonly wait: number };

const app: TrackedObject = { apiVersion: "apps/v1", kind: "Deployment", namespace: "prod", name: "app" };
const svc: TrackedObject = { apiVersion: "v1", kind: "Service", namespace: "prod", name: "app" };
const pod = "app-7d9f5c6b8-x2k4q";

const good: Step[] = [
  { type: "release-start", release: "app", namespace: "prod", revision: 2, action: "upgrade" },
  { type: "lock-wait", lockName: "release/app" },
  { wait: 1200 },
  { type: "lock-acquired", lockName: "release/app" },
  { type: "plan-ready", plan: "install", counts: { create: 1, update: 1, "track-readiness": 1 } },
  { type: "operation-start", opId: "create/cm", opType: "create", description: "create: ConfigMap/app-config" },
  { wait: 120 },
  { type: "operation-done", opId: "create/cm", opType: "create", description: "create: ConfigMap/app-config", elapsedMs: 120 },
  { type: "operation-start", opId: "update/app", opType: "update", description: "update: Deployment/app" },
  { wait: 80 },
  { type: "operation-done", opId: "update/app", opType: "update", description: "update: Deployment/app", elapsedMs: 80 },
  { type: "track-start", taskId: "t/app", mode: "readiness", object: app },
  { type: "track-status", taskId: "t/app", status: { readiness: "progressing", waitingFor: ["up-to-date 0->1"], ready: { current: 0, desired: 1 } } },
  { type: "track-pod", taskId: "t/app", pod, state: "created", status: "ContainerCreating" },
  { type: "track-start", taskId: "t/svc", mode: "presence", object: svc },
  { type: "track-done", taskId: "t/svc", elapsedMs: 30 },
  { wait: 3000 },
  { type: "track-log", taskId: "t/app", pod, container: "app", line: "listening on 8080", time: "2026-12-03T10:00:04.4Z" },
  { type: "track-pod", taskId: "t/app", pod, state: "ready", status: "Running" },
  { wait: 2000 },
  { type: "track-status", taskId: "t/app", status: { readiness: "ready", waitingFor: [], ready: { current: 1, desired: 1 } } },
  { type: "track-done", taskId: "t/app", elapsedMs: 5100 },
  { type: "operations-summary", completed: ["create: ConfigMap/app-config", "update: Deployment/app"], canceled: [], failed: [] },
  { type: "release-notes", notes: "Open http://app.example.com\n" },
  { type: "release-succeeded", release: "app", namespace: "prod", revision: 2 },
];

const crashReason = `container app in pod ${pod}: CrashLoopBackOff, exit code 1`;
const failing: Step[] = [
  { type: "release-start", release: "app", namespace: "prod", revision: 1, action: "install" },
  { type: "lock-acquired", lockName: "release/app" },
  { type: "operation-start", opId: "create/app", opType: "create", description: "create: Deployment/app" },
  { type: "operation-done", opId: "create/app", opType: "create", description: "create: Deployment/app", elapsedMs: 40 },
  { type: "track-start", taskId: "t/app", mode: "readiness", object: app },
  { type: "track-status", taskId: "t/app", status: { readiness: "progressing", waitingFor: ["available 0->1"], ready: { current: 0, desired: 1 } } },
  { type: "track-pod", taskId: "t/app", pod, state: "created", status: "Running" },
  { wait: 1500 },
  { type: "track-log", taskId: "t/app", pod, container: "app", line: "starting server" },
  { type: "track-log", taskId: "t/app", pod, container: "app", line: "Error: Cannot find module '/app/server.js'" },
  { type: "track-pod", taskId: "t/app", pod, state: "created", status: "CrashLoopBackOff" },
  { type: "track-k8s-event", taskId: "t/app", involved: `Pod/${pod}`, reason: "BackOff", message: "Back-off restarting failed container app", eventType: "Warning", shown: true },
  { type: "track-problem", taskId: "t/app", problem: { pod, container: "app", reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container" }, count: 1, allowed: 3 },
  { wait: 4000 },
  { type: "track-problem", taskId: "t/app", problem: { pod, container: "app", reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container" }, count: 2, allowed: 3 },
  { type: "track-k8s-event", taskId: "t/app", involved: `Pod/${pod}`, reason: "BackOff", message: "Back-off restarting failed container app", eventType: "Warning", shown: false },
  { wait: 3000 },
  { type: "track-problem", taskId: "t/app", problem: { pod, container: "app", reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container" }, count: 3, allowed: 3 },
  { type: "track-failed", taskId: "t/app", reason: crashReason, lastLogLines: ["starting server", "Error: Cannot find module '/app/server.js'"], elapsedMs: 8500 },
  { type: "operations-summary", completed: ["create: Deployment/app"], canceled: ["create: Service/app"], failed: [] },
  { type: "release-failed", release: "app", namespace: "prod", revision: 1, rolledBack: false },
];

const skipped: Step[] = [
  { type: "release-start", release: "app", namespace: "prod", revision: 3, action: "upgrade" },
  { type: "lock-acquired", lockName: "release/app" },
  { type: "release-skipped", release: "app", namespace: "prod", reason: "cluster resources already as desired" },
];

async function run(steps: readonly Step[], options: Partial<DeployPrinterOptions> = {}): Promise<string> {
  vi.useFakeTimers({ now: T0 });
  let out = "";
  const printer = await createDeployPrinter({
    write: (t) => (out += t),
    isTTY: false,
    color: "off",
    logTime: false,
    statusProgressPeriodMs: 5000,
    env: {},
    utcOffsetMinutes: 0,
    ...options,
  });
  expect(printer).toBeInstanceOf(PlainDeployPrinter);
  for (const step of steps) {
    if ("wait" in step) vi.advanceTimersByTime(step.wait);
    else printer.handle(step);
  }
  printer.finish();
  return out;
}

/** Compares with test/golden/ui/<name>; SLIPWAY_UPDATE_GOLDEN=1 rewrites the file (review the diff by eye). */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env["SLIPWAY_UPDATE_GOLDEN"] === "1") writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

afterEach(() => {
  vi.useRealTimers();
});

describe("plain deploy printer: golden output", () => {
  it("a good converge", async () => {
    golden("converge-good.out", await run(good));
  });

  it("a good converge with --log-time", async () => {
    golden("converge-good-log-time.out", await run(good, { logTime: true }));
  });

  it("a converge failing with CrashLoopBackOff", async () => {
    golden("converge-crashloop.out", await run(failing));
  });

  it("a skipped converge", async () => {
    golden("converge-skipped.out", await run(skipped));
  });
});

describe("plain deploy printer", () => {
  it("prints werf's start and result lines", async () => {
    const out = await run(good);
    expect(out.startsWith('Start release "app" (namespace: "prod")\nWaiting for locked "release/app"\n')).toBe(true);
    expect(out.endsWith('Succeeded release "app" (namespace: "prod")\n')).toBe(true);
    expect((await run(skipped)).trimEnd().split("\n").at(-1)).toBe('Skipped release "app" (namespace: "prod"): cluster resources already as desired');
  });

  it("prefixes log lines with pod and container, and problems with the object and the budget", async () => {
    const out = await run(failing);
    expect(out).toContain(`│ ${pod}/app: Error: Cannot find module '/app/server.js'\n`);
    expect(out).toContain(`Deployment/app: CrashLoopBackOff in pod ${pod} container app (errors 2/3): back-off 20s restarting failed container\n`);
    // Shown events print; events that are not shown are kept for the summary only.
    expect(out.split("Warning event for Pod/").length - 1).toBe(1);
  });

  it("prints the Progress status table every period with werf's columns and child pods", async () => {
    const out = await run(good);
    const tables = out.split("┌ Progress status").length - 1;
    // One tick at 5 s while the Deployment waits, then the final one at the end of the plan.
    expect(tables).toBe(2);
    expect(out).toMatch(/│ RESOURCE \(→READY\) +STATE +INFO\n│ Deployment\/app +WAITING +Ready:0\/1/);
    expect(out).toMatch(new RegExp(`│  • Pod/${pod} +READY +Status:Running`));
    expect(out).toMatch(/│ RESOURCE \(→PRESENT\) +STATE +INFO\n│ Service\/app +READY\n/);
  });

  it("shows a finished task once more, then hides it", async () => {
    // The Deployment is ready at 6.4 s, right after the first tick; then two quiet periods pass.
    const out = await run([...good.slice(0, -3), { wait: 5000 }, { wait: 5000 }, ...good.slice(-3)]);
    const tables = out.split("┌ Progress status").slice(1);
    expect(tables.length).toBe(2);
    expect(tables[0]).toMatch(/Deployment\/app +WAITING/);
    expect(tables[1]).toMatch(/Deployment\/app +READY +Ready:1\/1/);
  });

  it("forgets tracks left waiting when their plan ends (no stale rows during a rollback)", async () => {
    const steps: Step[] = [
      ...failing.slice(0, 8),
      { type: "operations-summary", completed: ["create: Deployment/app"], canceled: [], failed: [] },
      { type: "release-start", release: "app", namespace: "prod", revision: 2, action: "rollback" },
      { wait: 12_000 },
    ];
    const out = await run(steps);
    const afterPlan = out.slice(out.indexOf("┌ Completed operations"));
    expect(out).toContain("┌ Progress status");
    expect(afterPlan).toContain('Start rollback of release "app" (namespace: "prod")');
    expect(afterPlan).not.toContain("Progress status");
  });

  it("prints no table with --status-progress-period -1", async () => {
    const out = await run(failing, { statusProgressPeriodMs: -1000 });
    expect(out).not.toContain("Progress status");
    expect(out).toContain(`│ ${pod}/app: starting server`);
  });

  it("puts the failure summary with the root cause before the result line", async () => {
    const lines = (await run(failing)).trimEnd().split("\n");
    const title = lines.indexOf("┌ Failed resources");
    expect(title).toBeGreaterThan(0);
    expect(lines[title + 1]).toBe(`│ Deployment/app: ${crashReason}`);
    expect(lines.at(-1)).toBe('Failed release "app" (namespace: "prod")');
    expect(lines.at(-2)).toBe("└ Failed resources");
  });

  it("prints the summary at finish when the deploy ended without a result", async () => {
    const out = await run(failing.slice(0, -2));
    expect(out).toContain(`│ Deployment/app: ${crashReason}\n`);
    expect(out).not.toContain("Failed release");
  });

  it("capitalises the entries of the operations blocks", async () => {
    const out = await run(failing);
    expect(out).toContain("┌ Completed operations\n│ Create: Deployment/app\n└ Completed operations\n");
    expect(out).toContain("┌ Canceled operations\n│ Create: Service/app\n└ Canceled operations\n");
    expect(out).not.toContain("Failed operations");
  });

  it("stamps every line with --log-time in the given Go layout", async () => {
    const out = await run(skipped, { logTime: true, timeFormat: "15:04:05.000" });
    expect(out).toBe(
      ['10:00:00.000 Start release "app" (namespace: "prod")', '10:00:00.000 Skipped release "app" (namespace: "prod"): cluster resources already as desired', ""].join("\n"),
    );
  });
});

/** Escape characters made visible, so that expressions can match them. */
function visible(text: string): string {
  return text.replaceAll("\u001b", "<ESC>");
}

describe("plain deploy printer in CI", () => {
  it("folds Progress status and Completed operations into collapsed GitLab sections", async () => {
    const out = await run(good, { env: { GITLAB_CI: "true" } });
    const ts = Math.floor((T0 + 5000 + 1200 + 200) / 1000);
    expect(out).toContain(`\u001b[0Ksection_start:${ts}:slipway_progress_status_1[collapsed=true]\r\u001b[0K┌ Progress status\n`);
    expect(out).toContain(`└ Progress status\n\u001b[0Ksection_end:${ts}:slipway_progress_status_1\r\u001b[0K\n`);
    expect(visible(out)).toMatch(/section_start:\d+:slipway_completed_operations_3\[collapsed=true\]\r<ESC>\[0K┌ Completed operations\n│ Create: ConfigMap\/app-config\n/);
    expect(out.split("section_start:").length).toBe(out.split("section_end:").length);
    // The result stays outside any section.
    const afterLastSection = out.slice(out.lastIndexOf("section_end:"));
    expect(afterLastSection).toContain("┌ Release notes\n");
    expect(afterLastSection.endsWith('Succeeded release "app" (namespace: "prod")\n')).toBe(true);
  });

  it("keeps the time stamp off the GitLab marker and on the header", async () => {
    const out = await run(good, { env: { GITLAB_CI: "1" }, logTime: true });
    expect(visible(out)).toMatch(/\n<ESC>\[0Ksection_start:\d+:slipway_progress_status_1\[collapsed=true\]\r<ESC>\[0K2026-12-03T10:00:0\dZ ┌ Progress status\n/);
  });

  it("uses ::group:: and ::endgroup:: on GitHub Actions, at the start of the line even with --log-time", async () => {
    const out = await run(good, { env: { GITHUB_ACTIONS: "true" }, logTime: true });
    const lines = out.split("\n");
    const open = lines.indexOf("::group::Progress status");
    expect(open).toBeGreaterThan(0);
    expect(lines[open + 1]).toMatch(/^2026-12-03T10:00:0\dZ │ RESOURCE \(→READY\)/);
    expect(lines.filter((l) => l === "::group::Completed operations").length).toBe(1);
    expect(lines.filter((l) => l.startsWith("::group::")).length).toBe(lines.filter((l) => l === "::endgroup::").length);
    expect(out).not.toContain("section_start");
  });

  it("does not fold anything outside CI", async () => {
    const out = await run(good, { env: { GITHUB_ACTIONS: "false" } });
    expect(out).not.toContain("::group::");
    expect(out).not.toContain("section_start");
  });
});

describe("plain deploy printer colours", () => {
  const esc = "\u001b[";
  it("is plain with --log-color-mode off, even with FORCE_COLOR", async () => {
    expect(await run(failing, { color: "off", env: { FORCE_COLOR: "1" } })).not.toContain(esc);
  });

  it("colours with --log-color-mode on, even with NO_COLOR", async () => {
    const out = await run(good, { color: "on", env: { NO_COLOR: "1" } });
    expect(out).toContain(`${esc}32m${esc}1mSucceeded release "app" (namespace: "prod")`);
  });

  it("auto: a pipe is plain, FORCE_COLOR colours it, FORCE_COLOR=0 does not", async () => {
    expect(await run(failing, { color: "auto" })).not.toContain(esc);
    const forced = await run(failing, { color: "auto", env: { FORCE_COLOR: "1" } });
    expect(forced).toContain(`${esc}31m✗ Deployment/app failed: ${crashReason}`);
    expect(forced).toContain(`${esc}36mDeployment${esc}39m/app`);
    expect(await run(failing, { color: "auto", env: { FORCE_COLOR: "0" } })).not.toContain(esc);
  });
});
