// `slipway plan` output: each change as `+ create`, `~ update` (with a line diff of what changes), `- delete`,
// then the unchanged resources counted; Secret values arrive masked. Pure text.
import { stringify } from "yaml";
import type { PlannedChanges } from "../deploy/install.js";

const CONTEXT = 3;

/** A unified-style line diff with a few lines of context (LCS over lines; charts' objects are small). */
export function lineDiff(before: string, after: string): string[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const ops: { kind: " " | "-" | "+"; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] ?? "" });
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ kind: "-", line: a[i] ?? "" });
      i++;
    } else {
      ops.push({ kind: "+", line: b[j] ?? "" });
      j++;
    }
  }
  const keep = new Set<number>();
  ops.forEach((op, k) => {
    if (op.kind === " ") return;
    for (let c = Math.max(0, k - CONTEXT); c <= Math.min(ops.length - 1, k + CONTEXT); c++) keep.add(c);
  });
  const out: string[] = [];
  let last = -1;
  for (const k of [...keep].sort((x, y) => x - y)) {
    if (last !== -1 && k > last + 1) out.push("  ...");
    const op = ops[k];
    if (op !== undefined) out.push(`${op.kind} ${op.line}`);
    last = k;
  }
  return out;
}

export function formatPlannedChanges(planned: PlannedChanges, options: { color: boolean }): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [`Planned changes for release "${planned.release}" (namespace: "${planned.namespace}")`];
  if (planned.changes.length === 0) lines.push(planned.upToDate ? "No changes: cluster resources already as desired" : "No resource changes (a new revision would be written)");
  for (const change of planned.changes) {
    if (change.action === "create") lines.push(paint("32", `+ create ${change.human}`));
    else if (change.action === "delete") lines.push(paint("31", `- delete ${change.human}`));
    else {
      lines.push(paint("33", `~ ${change.action} ${change.human}`));
      const before = change.before === undefined ? "" : stringify(change.before, { sortMapEntries: true, lineWidth: 0 }).trimEnd();
      const after = change.after === undefined ? "" : stringify(change.after, { sortMapEntries: true, lineWidth: 0 }).trimEnd();
      for (const line of lineDiff(before, after)) lines.push(`    ${line.startsWith("+") ? paint("32", line) : line.startsWith("-") ? paint("31", line) : line}`);
    }
  }
  if (planned.unchanged.length > 0) lines.push(`${planned.unchanged.length} resource(s) unchanged`);
  return `${lines.join("\n")}\n`;
}
