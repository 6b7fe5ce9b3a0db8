/**
 * The deploy printer for a live terminal. At the bottom of the screen it keeps a live area: an ora spinner line per
 * running operation and the Progress status table of the objects still being tracked (refreshed every
 * `--status-progress-period`, and when a track starts or ends; a spinner per track instead when the period is off).
 * Everything else (logs, events, problems, finished operations, the final blocks) is printed above the live area as
 * it arrives, by erasing the area, writing the lines and drawing the area again in one synchronized update.
 * Takes events through `handle`; writes through the context. Only src/cli uses this module (via deploy-printer).
 */
import ora, { type Ora } from "ora";
import type { DeployPrinter, DeployPrinterEvent, PrinterContext } from "./deploy-printer.js";
import { block, eventLines, notesBlock, operationBlocks, progressTable, truncatePainted } from "./deploy-format.js";
import { DeployModel, type TaskModel } from "./deploy-state.js";
import { formatFailureSummary } from "./deploy-summary.js";

const ESC = "\u001b";
/** Terminals that support it draw the whole update at once (no flicker); others ignore the sequence. */
export const SYNC_START = `${ESC}[?2026h`;
export const SYNC_END = `${ESC}[?2026l`;
export const HIDE_CURSOR = `${ESC}[?25l`;
export const SHOW_CURSOR = `${ESC}[?25h`;
/** Up `n` lines to column 1, then erase to the end of the screen. */
export function eraseLines(n: number): string {
  return `${ESC}[${n}F${ESC}[0J`;
}

const SPIN_MS = 100;
/** Track events that add or remove a row of the live area at once. */
const AREA_EVENTS: ReadonlySet<string> = new Set(["track-start", "track-done", "track-failed"]);
const MAX_OPERATION_LINES = 6;

export class TtyDeployPrinter implements DeployPrinter {
  private readonly model: DeployModel;
  private readonly spinners = new Map<string, Ora>();
  /** The tasks the live table shows, as they were at the last refresh. */
  private snapshot: TaskModel[] = [];
  private liveLines = 0;
  private cursorHidden = false;
  private spinTimer: ReturnType<typeof setInterval> | undefined;
  private tableTimer: ReturnType<typeof setInterval> | undefined;
  private summaryPrinted = false;

  constructor(private readonly context: PrinterContext) {
    this.model = new DeployModel(context.now);
  }

  /** The ora instance of one running operation or track: never started, so it never writes; we ask it for frames. */
  private spinner(id: string): Ora {
    let s = this.spinners.get(id);
    if (s === undefined) {
      s = ora({ spinner: "dots", color: false, isEnabled: false, discardStdin: false, hideCursor: false, text: "" });
      this.spinners.set(id, s);
    }
    return s;
  }

  private frame(id: string): string {
    return this.context.style.cyan(this.spinner(id).frame().trimEnd());
  }

  private refreshSnapshot(): void {
    this.snapshot = this.model.visibleTasks().filter((t) => t.state === "waiting").map((t) => structuredClone(t));
  }

  private liveArea(): string[] {
    const { style, columns, rows, now } = this.context;
    const lines: string[] = [];
    const running = [...this.model.operations.values()].filter((op) => op.state === "running");
    for (const op of running.slice(0, MAX_OPERATION_LINES)) {
      const elapsed = Math.max(0, Math.floor((now() - op.startedAt) / 1000));
      lines.push(`${this.frame(op.id)} ${op.description} ${style.dim(`${elapsed}s`)}`);
    }
    if (running.length > MAX_OPERATION_LINES) lines.push(style.dim(`  … and ${running.length - MAX_OPERATION_LINES} more operations running`));
    if (this.context.periodMs > 0) {
      if (this.snapshot.length > 0) {
        const table = progressTable(this.snapshot, {
          style,
          releaseNamespace: this.model.release?.namespace,
          marker: (t) => this.frame(`task:${t.id}`),
        });
        lines.push(...block("Progress status", table));
      }
    } else {
      for (const task of this.model.visibleTasks().filter((t) => t.state === "waiting")) {
        const ready = task.status?.ready;
        const waiting = task.status?.waitingFor[0];
        const info = [ready === undefined ? "" : `Ready:${ready.current}/${ready.desired}`, waiting ?? ""].filter((x) => x !== "").join("  ");
        lines.push(`${this.frame(`task:${task.id}`)} ${style.cyan(task.object.kind)}/${task.object.name} ${style.dim(info)}`.trimEnd());
      }
    }
    // Lines must not wrap and the area must fit on screen, or erasing it by line count would leave debris.
    const room = Math.max(1, rows - 1);
    const fitted = lines.length > room ? [...lines.slice(0, room - 1), style.dim(`… ${lines.length - room + 1} more lines`)] : lines;
    return fitted.map((l) => truncatePainted(l, columns - 1));
  }

  /** Erases the live area, prints `above` as permanent lines and draws the area again, in one write. */
  private redraw(above: readonly string[] = []): void {
    const area = this.liveArea();
    if (above.length === 0 && area.length === 0 && this.liveLines === 0) return;
    let out = SYNC_START;
    if (area.length > 0 && !this.cursorHidden) {
      out += HIDE_CURSOR;
      this.cursorHidden = true;
    }
    if (this.liveLines > 0) out += eraseLines(this.liveLines);
    for (const l of above) out += `${this.context.stamp()}${l}\n`;
    for (const l of area) out += `${l}\n`;
    out += SYNC_END;
    this.liveLines = area.length;
    this.context.write(out);
    this.updateTimers();
  }

  private updateTimers(): void {
    const spinning = this.liveLines > 0;
    if (spinning && this.spinTimer === undefined) {
      this.spinTimer = setInterval(() => this.redraw(), SPIN_MS);
      this.spinTimer.unref();
    } else if (!spinning && this.spinTimer !== undefined) {
      clearInterval(this.spinTimer);
      this.spinTimer = undefined;
    }
    if (this.tableTimer === undefined && this.context.periodMs > 0 && this.model.tasks.size > 0) {
      this.tableTimer = setInterval(() => {
        this.refreshSnapshot();
        this.redraw();
      }, this.context.periodMs);
      this.tableTimer.unref();
    }
  }

  private summary(): string[] {
    if (this.summaryPrinted) return [];
    this.summaryPrinted = true;
    return formatFailureSummary(this.model.failures, this.context.style);
  }

  readonly handle = (event: DeployPrinterEvent): void => {
    this.model.apply(event);
    const above: string[] = [];
    switch (event.type) {
      case "operation-done":
      case "operation-failed":
        this.spinners.delete(event.opId);
        break;
      case "track-start":
        this.refreshSnapshot();
        break;
      case "track-done":
      case "track-failed":
        this.spinners.delete(`task:${event.taskId}`);
        this.refreshSnapshot();
        break;
      case "operations-summary":
        this.model.endPlan();
        this.snapshot = [];
        this.spinners.clear();
        for (const b of operationBlocks(event, this.context.style)) above.push(...block(b.painted, b.body));
        break;
      case "release-notes": {
        const b = notesBlock(event.notes);
        if (b !== undefined) above.push(...block(b.painted, b.body));
        break;
      }
      case "release-failed":
        above.push(...this.summary());
        break;
      default:
        break;
    }
    above.push(...eventLines(event, this.model, { style: this.context.style }));
    // Status and pod changes reach the table at its next refresh; redrawing now would only repeat the same area.
    const changesArea = event.type.startsWith("operation") || AREA_EVENTS.has(event.type) || this.context.periodMs <= 0;
    if (above.length === 0 && !changesArea) return;
    this.redraw(above);
  };

  finish(): void {
    if (this.spinTimer !== undefined) clearInterval(this.spinTimer);
    if (this.tableTimer !== undefined) clearInterval(this.tableTimer);
    this.spinTimer = undefined;
    this.tableTimer = undefined;
    const owed = this.model.outcome === undefined && this.model.failures.length > 0 ? this.summary() : [];
    let out = "";
    if (this.liveLines > 0) out += eraseLines(this.liveLines);
    this.liveLines = 0;
    for (const l of owed) out += `${this.context.stamp()}${l}\n`;
    if (this.cursorHidden) out += SHOW_CURSOR;
    this.cursorHidden = false;
    if (out !== "") this.context.write(out);
  }

  /** For the e2e check under a pseudo-terminal: how many lines the live area holds now. */
  get liveAreaHeight(): number {
    return this.liveLines;
  }
}

