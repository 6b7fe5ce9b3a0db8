import { afterEach, describe, expect, it, vi } from "vitest";
import type { TrackedObject } from "../../../src/track/events.js";
import { visibleLength } from "../../../src/ui/deploy-format.js";
import { PlainDeployPrinter } from "../../../src/ui/deploy-plain.js";
import { createDeployPrinter, type DeployPrinterOptions } from "../../../src/ui/deploy-printer.js";
import { eraseLines, HIDE_CURSOR, SHOW_CURSOR, SYNC_END, SYNC_START, TtyDeployPrinter } from "../../../src/ui/deploy-tty.js";

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const app: TrackedObject = { apiVersion: "apps/v1", kind: "Deployment", namespace: "prod", name: "app" };
const pod = "app-7d9f5c6b8-x2k4q";

/** A fake terminal: every write is kept as one chunk. */
async function terminal(options: Partial<DeployPrinterOptions> = {}): Promise<{ printer: TtyDeployPrinter; chunks: string[] }> {
  vi.useFakeTimers({ now: T0 });
  const chunks: string[] = [];
  const printer = await createDeployPrinter({
    write: (t) => chunks.push(t),
    isTTY: true,
    color: "off",
    logTime: false,
    statusProgressPeriodMs: 5000,
    env: {},
    columns: 100,
    rows: 30,
    ...options,
  });
  if (!(printer instanceof TtyDeployPrinter)) throw new Error("expected the TTY printer");
  return { printer, chunks };
}

const CONTROL = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

/** The lines a chunk prints, with cursor and colour sequences taken out. */
function lines(chunk: string | undefined): string[] {
  return (chunk ?? "").replace(CONTROL, "").split("\n");
}

afterEach(() => {
  vi.useRealTimers();
});

describe("TTY deploy printer", () => {
  it("draws a spinner per running operation in a live area, hiding the cursor", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "operation-start", opId: "c", opType: "create", description: "create: ConfigMap/app" });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toBe(`${SYNC_START}${HIDE_CURSOR}⠋ create: ConfigMap/app 0s\n${SYNC_END}`);
    expect(printer.liveAreaHeight).toBe(1);
    vi.advanceTimersByTime(100);
    // The spinner turns: the area is erased and drawn again with the next frame.
    expect(chunks.at(-1)).toBe(`${SYNC_START}${eraseLines(1)}⠙ create: ConfigMap/app 0s\n${SYNC_END}`);
  });

  it("prints log lines above the live status table", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    printer.handle({ type: "track-pod", taskId: "t", pod, state: "created", status: "Running" });
    const height = printer.liveAreaHeight;
    expect(height).toBe(4);
    printer.handle({ type: "track-log", taskId: "t", pod, container: "app", line: "listening on 8080" });
    const chunk = chunks.at(-1) ?? "";
    expect(chunk.startsWith(`${SYNC_START}${eraseLines(height)}│ ${pod}/app: listening on 8080\n┌ Progress status\n`)).toBe(true);
    expect(chunk.indexOf("listening on 8080")).toBeLessThan(chunk.indexOf("Deployment/app"));
    expect(chunk.endsWith(`└ Progress status\n${SYNC_END}`)).toBe(true);
  });

  it("refreshes the table every status progress period, not on every status change", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    printer.handle({ type: "track-status", taskId: "t", status: { readiness: "progressing", waitingFor: [], ready: { current: 1, desired: 3 } } });
    expect(chunks.at(-1)).not.toContain("Ready:1/3");
    vi.advanceTimersByTime(4900);
    expect(chunks.at(-1)).not.toContain("Ready:1/3");
    vi.advanceTimersByTime(100);
    expect(lines(chunks.at(-1)).some((l) => /Deployment\/app +. WAITING +Ready:1\/3/.test(l))).toBe(true);
  });

  it("replaces the row of a finished track with a permanent line", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    printer.handle({ type: "track-done", taskId: "t", elapsedMs: 2500 });
    expect(chunks.at(-1)).toBe(`${SYNC_START}${eraseLines(4)}✓ Deployment/app ready (2.50s)\n${SYNC_END}`);
    expect(printer.liveAreaHeight).toBe(0);
  });

  it("shows one spinner line per track when the tables are off", async () => {
    const { printer, chunks } = await terminal({ statusProgressPeriodMs: -1000 });
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    printer.handle({ type: "track-status", taskId: "t", status: { readiness: "progressing", waitingFor: ["up-to-date 0->1"], ready: { current: 0, desired: 1 } } });
    expect(lines(chunks.at(-1))).toContain("⠋ Deployment/app Ready:0/1  up-to-date 0->1");
    expect(chunks.join("")).not.toContain("Progress status");
  });

  it("keeps live lines within the terminal width and the area within its height", async () => {
    const { printer, chunks } = await terminal({ columns: 30, rows: 5 });
    for (let i = 0; i < 8; i++) printer.handle({ type: "operation-start", opId: `c${i}`, opType: "create", description: `create: ConfigMap/a-rather-long-name-${i}` });
    const area = lines(chunks.at(-1)).slice(0, -1);
    expect(printer.liveAreaHeight).toBe(4);
    for (const l of area) expect(visibleLength(l)).toBeLessThanOrEqual(29);
    expect(area.at(-1)).toContain("more lines");
  });

  it("erases the live area and shows the cursor at finish, then stays quiet", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "operation-start", opId: "c", opType: "create", description: "create: ConfigMap/app" });
    printer.finish();
    expect(chunks.at(-1)).toBe(`${eraseLines(1)}${SHOW_CURSOR}`);
    const count = chunks.length;
    vi.advanceTimersByTime(10_000);
    expect(chunks).toHaveLength(count);
  });

  it("prints the failure summary and the result line above an empty live area", async () => {
    const { printer, chunks } = await terminal({ color: "on" });
    printer.handle({ type: "release-start", release: "app", namespace: "prod", revision: 1, action: "install" });
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    printer.handle({ type: "track-failed", taskId: "t", reason: "container app in pod x: CrashLoopBackOff, exit code 1", lastLogLines: ["boom"], elapsedMs: 1000 });
    printer.handle({ type: "release-failed", release: "app", namespace: "prod", revision: 1, rolledBack: true });
    printer.finish();
    const text = chunks.join("");
    expect(text).toContain("│ \u001b[1mDeployment/app\u001b[22m: \u001b[31mcontainer app in pod x: CrashLoopBackOff, exit code 1\u001b[39m\n");
    expect(text.indexOf("Failed resources")).toBeLessThan(text.indexOf('Failed release "app"'));
    expect(text).toContain('Failed release "app" (namespace: "prod"), rolled back to the previous revision');
    expect(text.endsWith(SHOW_CURSOR)).toBe(true);
  });
});

describe("createDeployPrinter", () => {
  it("picks the plain printer for a pipe and for TERM=dumb", async () => {
    const base = { write: () => undefined, color: "auto" as const, logTime: false, statusProgressPeriodMs: 5000 };
    expect(await createDeployPrinter({ ...base, isTTY: false, env: {} })).toBeInstanceOf(PlainDeployPrinter);
    expect(await createDeployPrinter({ ...base, isTTY: true, env: { TERM: "dumb" } })).toBeInstanceOf(PlainDeployPrinter);
    expect(await createDeployPrinter({ ...base, isTTY: true, env: {} })).toBeInstanceOf(TtyDeployPrinter);
  });
});

describe("TTY deploy printer at the end of a plan", () => {
  it("drops canceled operations and tracks from the live area", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "operation-start", opId: "c", opType: "create", description: "create: ConfigMap/app" });
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    expect(printer.liveAreaHeight).toBe(5);
    printer.handle({ type: "operations-summary", completed: [], canceled: ["create: ConfigMap/app"], failed: [] });
    expect(printer.liveAreaHeight).toBe(0);
    expect(lines(chunks.at(-1))).toEqual(["┌ Canceled operations", "│ Create: ConfigMap/app", "└ Canceled operations", ""]);
  });
});

describe("TTY deploy printer redraws", () => {
  it("removes the row of a finished presence track though it prints no line", async () => {
    const { printer } = await terminal();
    printer.handle({ type: "track-start", taskId: "p", mode: "presence", object: { apiVersion: "v1", kind: "Service", namespace: "prod", name: "app" } });
    expect(printer.liveAreaHeight).toBe(4);
    printer.handle({ type: "track-done", taskId: "p", elapsedMs: 10 });
    expect(printer.liveAreaHeight).toBe(0);
  });

  it("does not redraw for a status change that waits for the next table refresh", async () => {
    const { printer, chunks } = await terminal();
    printer.handle({ type: "track-start", taskId: "t", mode: "readiness", object: app });
    const count = chunks.length;
    printer.handle({ type: "track-status", taskId: "t", status: { readiness: "progressing", waitingFor: [], ready: { current: 0, desired: 2 } } });
    printer.handle({ type: "track-pod", taskId: "t", pod, state: "created", status: "Pending" });
    expect(chunks).toHaveLength(count);
  });
});
