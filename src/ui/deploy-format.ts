/**
 * The text of the deploy output, shared by the plain and the TTY printer: werf's `┌ │ └` blocks, the Progress status
 * table, the line each event prints, the final blocks and the result line. Takes events and the DeployModel; gives
 * lines without newlines (and without the `--log-time` prefix, which the printers add). Pure.
 */
import type { ChalkInstance } from "chalk";
import type { DeployEvent } from "../deploy/events.js";
import type { TrackMode } from "../track/events.js";
import { objectName, type DeployModel, type DeployPrinterEvent, type PodRow, type TaskModel } from "./deploy-state.js";

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `1.23s`: short, as the op and track lines need; werf's "seconds" wording is for the build blocks. */
export function duration(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

export function blockOpen(title: string): string {
  return `┌ ${title}`;
}

export function blockClose(title: string): string {
  return `└ ${title}`;
}

export function block(title: string, body: readonly string[]): string[] {
  return [blockOpen(title), ...body.map((l) => (l === "" ? "│" : `│ ${l}`)), blockClose(title)];
}

/** A cell: its text for measuring and its coloured form for printing. */
interface Cell {
  readonly text: string;
  readonly painted: string;
}

function cell(text: string, paint: (t: string) => string = (t) => t): Cell {
  return { text, painted: paint(text) };
}

const MODE_HEADER: Record<TrackMode, string> = {
  readiness: "RESOURCE (→READY)",
  presence: "RESOURCE (→PRESENT)",
  absence: "RESOURCE (→ABSENT)",
};

const MODES: readonly TrackMode[] = ["readiness", "presence", "absence"];

function taskState(task: TaskModel, style: ChalkInstance): Cell {
  if (task.state === "ready") return cell("READY", style.green);
  if (task.state === "failed") return cell("FAILED", style.red);
  return cell("WAITING", style.yellow);
}

function podState(pod: PodRow, style: ChalkInstance): Cell {
  const text = pod.state.toUpperCase();
  if (pod.state === "ready") return cell(text, style.green);
  if (pod.state === "deleted") return cell(text, style.dim);
  return cell(text, style.yellow);
}

function join(cells: readonly Cell[]): Cell {
  return { text: cells.map((c) => c.text).join("  "), painted: cells.map((c) => c.painted).join("  ") };
}

function taskInfo(task: TaskModel, releaseNamespace: string | undefined, style: ChalkInstance): Cell {
  const items: Cell[] = [];
  const ns = task.object.namespace;
  if (ns !== "" && releaseNamespace !== undefined && ns !== releaseNamespace) items.push(cell(`Namespace:${ns}`));
  const status = task.status;
  if (status?.ready !== undefined) items.push(cell(`Ready:${status.ready.current}/${status.ready.desired}`));
  if (status?.tracking !== undefined) items.push(cell(`Tracking:"${status.tracking}"`));
  const waiting = status?.waitingFor[0];
  if (task.state === "waiting" && waiting !== undefined) items.push(cell(`Waiting:"${waiting}"`, style.dim));
  if (task.errors > 0) {
    items.push(cell(`Errors:${task.errors}`, style.red));
    if (task.lastError !== undefined) items.push(cell(`LastError:"${task.lastError}"`, style.red));
  }
  return join(items);
}

export interface TableOptions {
  readonly style: ChalkInstance;
  readonly releaseNamespace: string | undefined;
  /** Two columns before STATE, for the TTY spinner of a waiting task. */
  readonly marker?: (task: TaskModel) => string;
  /** Cuts rows to this many columns (the live area must not wrap). */
  readonly width?: number;
}

/** werf's Progress status table: a header row per tracking mode, root rows and ` • Pod/x` child rows. */
export function progressTable(tasks: readonly TaskModel[], options: TableOptions): string[] {
  const { style } = options;
  const rows: Cell[][] = [];
  for (const mode of MODES) {
    const group = tasks.filter((t) => t.mode === mode);
    if (group.length === 0) continue;
    rows.push([cell(MODE_HEADER[mode], style.bold), cell("STATE", style.bold), cell("INFO", style.bold)]);
    for (const task of group) {
      const state = taskState(task, style);
      const marker = options.marker?.(task);
      const name: Cell = { text: objectName(task.object), painted: `${style.cyan(task.object.kind)}/${task.object.name}` };
      rows.push([name, marker === undefined ? state : { text: `${marker} ${state.text}`, painted: `${marker} ${state.painted}` }, taskInfo(task, options.releaseNamespace, style)]);
      for (const pod of task.pods.values()) {
        const child = podState(pod, style);
        rows.push([cell(` • Pod/${pod.name}`), marker === undefined ? child : { text: `  ${child.text}`, painted: `  ${child.painted}` }, cell(`Status:${pod.status}`)]);
      }
    }
  }
  const widths = [0, 0];
  for (const row of rows) for (let i = 0; i < 2; i++) widths[i] = Math.max(widths[i] ?? 0, row[i]?.text.length ?? 0);
  return rows.map((row) => {
    let text = "";
    let painted = "";
    row.forEach((c, i) => {
      const padding = i < 2 ? " ".repeat((widths[i] ?? 0) - c.text.length + 2) : "";
      text += c.text + padding;
      painted += c.painted + padding;
    });
    const trimmed = text.trimEnd();
    if (options.width !== undefined && trimmed.length > options.width) return truncatePainted(painted, options.width);
    return painted.slice(0, painted.length - (text.length - trimmed.length));
  });
}

// Escape sequences are what these expressions are about.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/y;
// eslint-disable-next-line no-control-regex
const ANSI_ALL = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Cuts coloured text to `width` visible characters, keeping escape sequences whole and resetting at the cut. */
export function truncatePainted(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = "";
  let visible = 0;
  let i = 0;
  while (i < text.length && visible < width - 1) {
    ANSI.lastIndex = i;
    const m = ANSI.exec(text);
    if (m !== null) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
    out += ch;
    visible++;
    i += ch.length;
  }
  return `${out}…${text.includes("\u001b[") ? "\u001b[0m" : ""}`;
}

export function visibleLength(text: string): number {
  return [...text.replace(ANSI_ALL, "")].length;
}

export interface LineOptions {
  readonly style: ChalkInstance;
}

function releaseLabel(release: string, namespace: string): string {
  return `release "${release}" (namespace: "${namespace}")`;
}

/** The lines an event prints where it happens (above a TTY's live area, or in order in a CI log). */
export function eventLines(event: DeployPrinterEvent, model: DeployModel, { style }: LineOptions): string[] {
  switch (event.type) {
    case "release-start": {
      const what = releaseLabel(event.release, event.namespace);
      if (event.action === "rollback") return [style.bold(`Start rollback of ${what}`)];
      if (event.action === "uninstall") return [style.bold(`Start uninstall of ${what}`)];
      return [style.bold(`Start ${what}`)];
    }
    case "lock-wait":
      return [style.yellow(`Waiting for locked "${event.lockName}"`)];
    case "operation-done":
      return [`${style.green("✓")} ${capitalise(event.description)} ${style.dim(`(${duration(event.elapsedMs)})`)}`];
    case "operation-failed":
      return [style.red(`✗ ${capitalise(event.description)}: ${event.error}`)];
    case "track-done": {
      const task = model.tasks.get(event.taskId);
      if (task?.mode !== "readiness") return [];
      return [`${style.green("✓")} ${objectName(task.object)} ready ${style.dim(`(${duration(event.elapsedMs)})`)}`];
    }
    case "track-failed":
      return [style.red(`✗ ${model.taskName(event.taskId)} failed: ${event.reason}`) + style.dim(` (${duration(event.elapsedMs)})`)];
    case "track-ignored-failure":
      return [style.yellow(`${model.taskName(event.taskId)}: failure ignored (fail mode IgnoreAndContinueDeployProcess): ${event.reason}`)];
    case "track-log":
      return [`${style.dim("│")} ${style.cyan(`${event.pod}/${event.container}`)}${style.dim(":")} ${event.line}`];
    case "track-k8s-event": {
      if (!event.shown) return [];
      const text = `${event.involved}: ${event.reason}: ${event.message}`;
      return [event.eventType === "Warning" ? style.yellow(`Warning event for ${text}`) : `Event for ${text}`];
    }
    case "track-problem": {
      const p = event.problem;
      const where = [`in pod ${p.pod}`, ...(p.container === undefined ? [] : [`container ${p.container}`])].join(" ");
      const budget = p.fatal === true ? "fatal" : `errors ${event.count}/${event.allowed}`;
      const message = p.message === "" || p.message.startsWith(p.reason) ? p.message.slice(p.reason.length).replace(/^[,:]\s*/, "") : p.message;
      return [style.red(`${model.taskName(event.taskId)}: ${p.reason} ${where} (${budget})${message === "" ? "" : `: ${message}`}`)];
    }
    case "warning":
      return [style.yellow(`Warning: ${event.message}`)];
    case "release-succeeded":
      return [style.green.bold(`Succeeded ${releaseLabel(event.release, event.namespace)}`)];
    case "release-skipped":
      return [`Skipped ${releaseLabel(event.release, event.namespace)}: ${event.reason}`];
    case "release-failed":
      return [style.red.bold(`Failed ${releaseLabel(event.release, event.namespace)}${event.rolledBack ? ", rolled back to the previous revision" : ""}`)];
    default:
      return [];
  }
}

export interface TitledBlock {
  readonly title: string;
  /** The title as printed (coloured). */
  readonly painted: string;
  readonly body: readonly string[];
  /** Long and rarely read in CI: folded into a collapsed section there. */
  readonly collapsed: boolean;
}

/** werf's Completed / Canceled / Failed operations blocks, entries capitalised; none for an empty list. */
export function operationBlocks(event: Extract<DeployEvent, { type: "operations-summary" }>, style: ChalkInstance): TitledBlock[] {
  const blocks: TitledBlock[] = [];
  const add = (title: string, paint: (t: string) => string, entries: readonly string[], collapsed: boolean): void => {
    if (entries.length > 0) blocks.push({ title, painted: paint(title), body: entries.map(capitalise), collapsed });
  };
  add("Completed operations", style.green, event.completed, true);
  add("Canceled operations", style.yellow, event.canceled, false);
  add("Failed operations", style.red, event.failed, false);
  return blocks;
}

export function notesBlock(notes: string): TitledBlock | undefined {
  const text = notes.replace(/\s+$/, "");
  if (text === "") return undefined;
  return { title: "Release notes", painted: "Release notes", body: text.split("\n"), collapsed: false };
}
