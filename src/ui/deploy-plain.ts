/**
 * The deploy printer for CI logs and pipes: lines in the order events arrive, no cursor movement, no spinners. Every
 * `--status-progress-period` it prints werf's Progress status table, and once more when a plan ends; then the
 * Completed / Canceled / Failed operations blocks, the release notes, the failure summary and the result line.
 * Long blocks fold into GitLab sections (GITLAB_CI) or GitHub groups (GITHUB_ACTIONS=true).
 * Takes events through `handle`; writes through the context. Only src/cli uses this module (via deploy-printer).
 */
import type { DeployPrinter, DeployPrinterEvent, PrinterContext } from "./deploy-printer.js";
import { block, blockClose, blockOpen, eventLines, notesBlock, operationBlocks, progressTable, type TitledBlock } from "./deploy-format.js";
import { DeployModel } from "./deploy-state.js";
import { formatFailureSummary } from "./deploy-summary.js";

const ESC = "\u001b";

export class PlainDeployPrinter implements DeployPrinter {
  private readonly model: DeployModel;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sections = 0;
  private summaryPrinted = false;

  constructor(private readonly context: PrinterContext) {
    this.model = new DeployModel(context.now);
  }

  private lines(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.context.write(lines.map((l) => `${this.context.stamp()}${l}\n`).join(""));
  }

  /** A block, folded in CI when it is long and rarely read. Section markers start their line: no time stamp before them. */
  private block(b: TitledBlock): void {
    const { ci, write, now } = this.context;
    const body = block(b.painted, b.body);
    if (!b.collapsed || ci === undefined) {
      this.lines(body);
      return;
    }
    const stamp = this.context.stamp;
    if (ci === "github") {
      write(`::group::${b.title}\n`);
      this.lines(body.slice(1));
      write("::endgroup::\n");
      return;
    }
    this.sections++;
    const name = `slipway_${b.title.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_${this.sections}`;
    const ts = Math.floor(now() / 1000);
    write(`${ESC}[0Ksection_start:${ts}:${name}[collapsed=true]\r${ESC}[0K${stamp()}${blockOpen(b.painted)}\n`);
    this.lines([...body.slice(1, -1), blockClose(b.painted)]);
    write(`${ESC}[0Ksection_end:${Math.floor(now() / 1000)}:${name}\r${ESC}[0K\n`);
  }

  private startTimer(): void {
    if (this.timer !== undefined || this.context.periodMs <= 0) return;
    this.timer = setInterval(() => this.printProgress(), this.context.periodMs);
    this.timer.unref();
  }

  /** One Progress status table, if anything is tracked; finished tasks are shown this once more. */
  printProgress(): void {
    if (this.context.periodMs <= 0) return;
    const tasks = this.model.visibleTasks();
    if (tasks.length === 0) return;
    const rows = progressTable(tasks, { style: this.context.style, releaseNamespace: this.model.release?.namespace });
    this.block({ title: "Progress status", painted: "Progress status", body: rows, collapsed: true });
    this.model.markPrinted();
  }

  private printSummary(): void {
    if (this.summaryPrinted) return;
    this.summaryPrinted = true;
    this.lines(formatFailureSummary(this.model.failures, this.context.style));
  }

  readonly handle = (event: DeployPrinterEvent): void => {
    this.model.apply(event);
    switch (event.type) {
      case "track-start":
        this.startTimer();
        return;
      case "operations-summary":
        this.printProgress();
        this.model.endPlan();
        for (const b of operationBlocks(event, this.context.style)) this.block(b);
        return;
      case "release-notes": {
        const b = notesBlock(event.notes);
        if (b !== undefined) this.block(b);
        return;
      }
      case "release-failed":
        this.printSummary();
        break;
      default:
        break;
    }
    this.lines(eventLines(event, this.model, { style: this.context.style }));
  };

  finish(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    // Interrupted before a result: whatever failed is still worth the last screen.
    if (this.model.outcome === undefined && this.model.failures.length > 0) this.printSummary();
  }
}
