import { describe, expect, it } from "vitest";
import { Reporter, type DeployPhaseEvent, type PhasePrinter } from "../../../src/cli/reporter.js";

const log = { logPretty: false, logColorMode: "off" as const, logQuiet: false };

class RecordingPrinter implements PhasePrinter<DeployPhaseEvent> {
  readonly events: string[] = [];
  finished = 0;
  handle(event: DeployPhaseEvent): void {
    this.events.push(event.type);
  }
  finish(): void {
    this.finished++;
  }
}

describe("Reporter", () => {
  it("sends build events to the build log and deploy/track events to the plugged-in deploy printer", () => {
    let out = "";
    const printer = new RecordingPrinter();
    const reporter = new Reporter({ write: (t) => (out += t), log, isTTY: false, deployPrinter: () => printer });
    reporter.emit({ type: "phase-start", phase: "build" });
    reporter.emit({ kind: "warning", text: "careful" });
    reporter.emit({ type: "phase-done", phase: "build", elapsedMs: 1 });
    reporter.emit({ type: "phase-start", phase: "deploy" });
    reporter.emit({ type: "release-start", release: "r", namespace: "ns", revision: 1, action: "install" });
    reporter.emit({ type: "track-done", taskId: "t", elapsedMs: 5 });
    expect(out).toBe("careful\n");
    expect(printer.events).toEqual(["release-start", "track-done"]);
    expect(printer.finished).toBe(0);
    reporter.emit({ type: "phase-done", phase: "deploy", elapsedMs: 9 });
    expect(printer.finished).toBe(1);
    reporter.finish();
    expect(printer.finished).toBe(1);
  });

  it("finishes an open printer when the run ends without its phase marker", () => {
    const printer = new RecordingPrinter();
    const reporter = new Reporter({ write: () => undefined, log, isTTY: false, deployPrinter: () => printer });
    reporter.emit({ type: "warning", message: "w" });
    reporter.finish();
    expect(printer.finished).toBe(1);
  });

  it("drops deploy events when no deploy printer is plugged in, and colours only when asked", () => {
    let out = "";
    const reporter = new Reporter({ write: (t) => (out += t), log: { ...log, logColorMode: "on" }, isTTY: false });
    reporter.emit({ type: "warning", message: "deploy warning" });
    reporter.emit({ kind: "warning", text: "build warning" });
    reporter.finish();
    expect(out).toBe("\u001b[1;33mbuild warning\u001b[0m\n");
  });

  it("decides --log-color-mode auto as the deploy printers do: a terminal, unless NO_COLOR or TERM=dumb", () => {
    const outputFor = (env: Record<string, string>): string => {
      let out = "";
      const reporter = new Reporter({ write: (t) => (out += t), log: { ...log, logColorMode: "auto" }, isTTY: true, env });
      reporter.emit({ kind: "warning", text: "w" });
      reporter.finish();
      return out;
    };
    expect(outputFor({})).toBe("\u001b[1;33mw\u001b[0m\n");
    expect(outputFor({ NO_COLOR: "1" })).toBe("w\n");
    expect(outputFor({ TERM: "dumb" })).toBe("w\n");
  });
});
