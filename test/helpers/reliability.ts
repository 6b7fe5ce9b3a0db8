// Shared by the reliability suites (kill -9, signals, concurrency): their chart, what a sound release history is, the
// test-only kill point's environment (src/cli/kill-point.ts), a seeded random source, and the figures table each
// suite prints at the end of its run.
import type { LocalEnv } from "./local-env.js";
import { lockAnnotations, releaseHistory } from "./release-state.js";
import { busyboxDeployment, busyboxJob, configMapYaml } from "./werf-project.js";

export { seededRandom } from "./seeded-random.js";

/** How many points/rounds a suite runs: all with SLIPWAY_RELIABILITY_FULL=1, else the CI share. */
export const FULL = process.env["SLIPWAY_RELIABILITY_FULL"] === "1";

/** slipway sends itself `signal` at the kill point `at` (`<name>[~<text>][@<n>]`). */
export function killAt(at: string, signal: NodeJS.Signals = "SIGKILL"): Record<string, string> {
  return { SLIPWAY_TEST_KILL_AT: at, SLIPWAY_TEST_KILL_SIGNAL: signal };
}

/**
 * What is wrong with a release history as the real helm reads it: a `pending-*` revision, a gap between revisions,
 * not exactly one `deployed` revision, or (with `settled`) a last revision that is not the deployed one. The one gap
 * Helm's pruning makes is allowed: it keeps the deployed revision when it deletes the oldest ones, so that revision
 * may stand alone before the rest.
 */
export function historyProblems(history: readonly (readonly [number, string])[], settled = true): string[] {
  const problems: string[] = [];
  if (history.length === 0) return ["no release history"];
  for (const [rev, status] of history) if (status.startsWith("pending-")) problems.push(`revision ${rev} is ${status}`);
  history.forEach(([rev], i) => {
    const prev = history[i - 1];
    if (prev !== undefined && rev !== prev[0] + 1 && i > 1) problems.push(`revision ${rev} follows ${prev[0]}`);
  });
  const deployed = history.filter(([, s]) => s === "deployed");
  if (deployed.length !== 1) problems.push(`${deployed.length} deployed revisions`);
  if (settled && history.at(-1)?.[1] !== "deployed") problems.push(`the last revision is ${history.at(-1)?.[1] ?? "missing"}`);
  return problems;
}

/** The release's history and lock after a run, as one line: `1 superseded, 2 deployed; lock free`. */
export function releaseState(env: LocalEnv, namespace: string, release: string): string {
  const history = releaseHistory(env, namespace, release);
  const locks = Object.keys(lockAnnotations(env, namespace)).length;
  return `${history.map(([r, s]) => `${r} ${s}`).join(", ") || "no history"}; ${locks === 0 ? "lock free" : "lock held"}`;
}

/** The figures a suite prints at the end of its run: one row per point, then a total. */
export class Figures {
  private readonly rows: string[][] = [];
  private readonly started = Date.now();
  constructor(
    private readonly title: string,
    private readonly columns: readonly string[],
  ) {}

  add(...cells: readonly (string | number)[]): void {
    this.rows.push(cells.map(String));
  }

  print(summary: string): void {
    const all = [this.columns.map(String), ...this.rows];
    const widths = this.columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
    const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
    const text = [`\n== ${this.title} ==`, line(all[0] ?? []), ...this.rows.map(line), `${summary}; suite time ${((Date.now() - this.started) / 1000).toFixed(1)} s`, ""];
    process.stdout.write(`${text.join("\n")}\n`);
  }
}

const weighted = (name: string, weight: number): string => configMapYaml(name, "{{ .Values.rev }}", `  annotations:\n    werf.io/weight: "${weight}"\n`);

/**
 * The chart the kill and signal suites converge, with values that pick the path a run takes: `rev` changes two
 * ConfigMaps in weight groups -5 and 10; `appRev` rolls the Deployment of the built image `app` out; `hook` adds a
 * pre-upgrade Job hook that runs 2 s (`failHook`: fails); `extra: false` removes three ConfigMaps from the chart.
 */
export function reliabilityChart(registry: string, name: string): Record<string, string> {
  return {
    "Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
    "values.yaml": "rev: 0\nappRev: 0\nhook: false\nfailHook: false\nextra: true\n",
    "templates/early.yaml": weighted("early", -5),
    "templates/late.yaml": weighted("late", 10),
    "templates/app.yaml": busyboxDeployment(registry, "app", { image: "{{ .Values.werf.image.app }}", message: "app-{{ .Values.appRev }}" }),
    "templates/hook.yaml": `{{ if .Values.hook }}\n${busyboxJob(registry, "pre", "{{ if .Values.failHook }}exit 1{{ else }}sleep 2{{ end }}", {
      annotations: "  annotations:\n    helm.sh/hook: pre-upgrade\n    helm.sh/hook-delete-policy: before-hook-creation\n",
    })}{{ end }}\n`,
    "templates/extra.yaml": `{{ if .Values.extra }}\n${[1, 2, 3].map((i) => configMapYaml(`extra-${i}`, "x")).join("---\n")}{{ end }}\n`,
  };
}

/** The image `app`: a stamp never used before makes a new image (built and pushed again); the RUN takes a second. */
export function reliabilityDockerfile(registry: string, stamp: string): string {
  return `FROM ${registry}/base/busybox\nRUN echo ${stamp} > /stamp && sleep 1\n`;
}

/** `--set` arguments: `rev=<rev>` and the given values (`__REV__` in them becomes the rev). */
export function reliabilitySets(rev: number, values: readonly string[]): string[] {
  return ["--set", `rev=${rev}`, ...values.flatMap((v) => ["--set", v.replace("__REV__", String(rev))])];
}
