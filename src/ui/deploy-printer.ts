/**
 * The deploy printers' shared interface, options and factory. A printer takes DeployEvents and TrackEvents on one
 * stream (never the trackers themselves) and writes text through `write`. The factory picks the TTY printer for a
 * terminal and the plain one for CI and pipes, and resolves colour from `--log-color-mode`, NO_COLOR and
 * FORCE_COLOR. Only src/cli uses this module.
 */
import type { ChalkInstance } from "chalk";
import { colorLevel, palette, type ColorMode } from "./color.js";
import { PlainDeployPrinter } from "./deploy-plain.js";
import type { DeployPrinterEvent } from "./deploy-state.js";
import { formatGoTime, localOffsetMinutes, RFC3339 } from "./log-time.js";

export type { DeployPrinterEvent } from "./deploy-state.js";

export interface DeployPrinter {
  handle(event: DeployPrinterEvent): void;
  /** Stops the timers, clears a live area and prints what is still owed (the failure summary). Call it in `finally`. */
  finish(): void;
}

export interface DeployPrinterOptions {
  readonly write: (text: string) => void;
  /** Whether the output stream is a terminal: picks the printer and decides `--log-color-mode auto`. */
  readonly isTTY: boolean;
  /** `--log-color-mode`. */
  readonly color: ColorMode;
  /** `--log-time`: every printed line starts with a timestamp. */
  readonly logTime: boolean;
  /** `--log-time-format`, a Go layout; RFC 3339 by default. */
  readonly timeFormat?: string;
  /** `--status-progress-period` in milliseconds; zero or negative turns the Progress status tables off. */
  readonly statusProgressPeriodMs: number;
  /** For NO_COLOR, FORCE_COLOR, TERM, GITLAB_CI and GITHUB_ACTIONS. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The clock (ms since the epoch) for `--log-time`, section markers and elapsed times. */
  readonly now?: () => number;
  /** Zone of the `--log-time` stamps, minutes east of UTC; the machine's by default. */
  readonly utcOffsetMinutes?: number;
  /** Terminal width and height for the TTY live area (its lines must neither wrap nor outgrow the screen). */
  readonly columns?: number;
  readonly rows?: number;
}

/** What both printers need, resolved once. */
export interface PrinterContext {
  readonly write: (text: string) => void;
  readonly style: ChalkInstance;
  readonly now: () => number;
  /** `""`, or the `--log-time` stamp and a space. */
  readonly stamp: () => string;
  readonly periodMs: number;
  readonly ci: "gitlab" | "github" | undefined;
  readonly columns: number;
  readonly rows: number;
}

export function printerContext(options: DeployPrinterOptions): PrinterContext {
  const now = options.now ?? Date.now;
  const layout = options.timeFormat ?? RFC3339;
  const offset = options.utcOffsetMinutes;
  const env = options.env;
  const ci = (env["GITLAB_CI"] ?? "") !== "" ? "gitlab" : env["GITHUB_ACTIONS"] === "true" ? "github" : undefined;
  return {
    write: options.write,
    style: palette(colorLevel({ mode: options.color, isTTY: options.isTTY, env })),
    now,
    stamp: options.logTime
      ? () => {
          const t = now();
          return `${formatGoTime(t, layout, offset ?? localOffsetMinutes(t))} `;
        }
      : () => "",
    periodMs: options.statusProgressPeriodMs > 0 ? options.statusProgressPeriodMs : 0,
    ci,
    columns: options.columns !== undefined && options.columns > 0 ? options.columns : 140,
    rows: options.rows !== undefined && options.rows > 0 ? options.rows : 24,
  };
}

/**
 * A live terminal gets the TTY printer; CI logs, pipes and TERM=dumb get the plain one. The TTY printer is loaded
 * only for a terminal: ora and its dependencies cost about 40 ms of every start.
 */
export async function createDeployPrinter(options: DeployPrinterOptions): Promise<DeployPrinter> {
  const context = printerContext(options);
  if (options.isTTY && options.env["TERM"] !== "dumb") {
    const { TtyDeployPrinter } = await import("./deploy-tty.js");
    return new TtyDeployPrinter(context);
  }
  return new PlainDeployPrinter(context);
}
