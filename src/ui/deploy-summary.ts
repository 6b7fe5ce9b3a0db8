/**
 * The failure summary both deploy printers print before the result line of a failed release: each failed resource
 * with its root cause first, then its last log lines and the Warning events that explain it. Capped per resource and
 * overall so that the last screen names the root cause without scrolling. Takes FailureRecords; gives lines. Pure.
 */
import type { ChalkInstance } from "chalk";

export interface FailureRecord {
  /** `Deployment/app`, or an operation such as `create: Deployment/app` when applying it failed. */
  readonly resource: string;
  /** The root cause: `container app in pod x: CrashLoopBackOff, exit code 1`. */
  readonly reason: string;
  /** Oldest first. */
  readonly lastLogLines: readonly string[];
  /** `Pod/x: BackOff: Back-off restarting failed container`, oldest first. */
  readonly warnings: readonly string[];
}

export interface SummaryLimits {
  readonly maxResources: number;
  readonly maxLogLines: number;
  readonly maxWarnings: number;
  /** Longer lines are cut with `…`: one runaway log line must not push the cause off screen. */
  readonly maxLineLength: number;
}

export const DEFAULT_SUMMARY_LIMITS: SummaryLimits = { maxResources: 5, maxLogLines: 5, maxWarnings: 3, maxLineLength: 200 };

export const SUMMARY_TITLE = "Failed resources";

function cut(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, " ").trimEnd();
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

/** One record per resource: a tracked object that failed twice (a rollback tracking it again) is told once. */
function distinct(failures: readonly FailureRecord[]): FailureRecord[] {
  const seen = new Set<string>();
  const out: FailureRecord[] = [];
  for (const f of failures) {
    const key = `${f.resource}\u0000${f.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/** The block's lines, title and closing included; empty when nothing failed. First failure first: it is the likeliest cause. */
export function formatFailureSummary(failures: readonly FailureRecord[], style: ChalkInstance, limits: SummaryLimits = DEFAULT_SUMMARY_LIMITS): string[] {
  const records = distinct(failures);
  if (records.length === 0) return [];
  const title = style.red.bold(SUMMARY_TITLE);
  const lines = [`┌ ${title}`];
  const body = (text: string, indent: string, paint: (t: string) => string = (t) => t): void => {
    lines.push(`│ ${indent}${paint(cut(text, limits.maxLineLength))}`);
  };
  for (const f of records.slice(0, limits.maxResources)) {
    lines.push(`│ ${style.bold(f.resource)}: ${style.red(cut(f.reason, limits.maxLineLength))}`);
    const logs = f.lastLogLines.slice(-limits.maxLogLines);
    if (logs.length > 0) {
      const skipped = f.lastLogLines.length - logs.length;
      body(skipped > 0 ? `Last ${logs.length} log lines (of ${f.lastLogLines.length}):` : "Last log lines:", "  ", style.dim);
      for (const l of logs) body(l, "    ");
    }
    const warnings = f.warnings.slice(-limits.maxWarnings);
    if (warnings.length > 0) {
      body("Warning events:", "  ", style.dim);
      for (const w of warnings) body(w, "    ", style.yellow);
    }
  }
  const more = records.length - limits.maxResources;
  if (more > 0) body(`… and ${more} more failed resource${more === 1 ? "" : "s"}`, "", style.dim);
  lines.push(`└ ${title}`);
  return lines;
}
