/**
 * Test-only crash points for the reliability suites (test/e2e/reliability-*.test.ts). With
 * `SLIPWAY_TEST_KILL_AT=<name>[~<text>][@<n>]` the process sends itself `SLIPWAY_TEST_KILL_SIGNAL` (default SIGKILL)
 * at the n-th (default first) point that matches:
 *   - a pipeline event whose `type` (deploy, tracking, phase markers) or `kind` (build) is <name> and whose JSON
 *     contains <text>, right after it was printed;
 *   - for <name> `kube`, a Kubernetes API response whose `METHOD path` contains <text>, right after it arrived.
 * Unset, it does nothing: the CLI does not even wrap its event stream. Takes the environment; imports nothing.
 */

export type KillPoint = (name: string, detail: () => string) => void;

export const KILL_AT_ENV = "SLIPWAY_TEST_KILL_AT";
export const KILL_SIGNAL_ENV = "SLIPWAY_TEST_KILL_SIGNAL";

export function killPoint(env: Readonly<Record<string, string | undefined>>): KillPoint | undefined {
  const spec = env[KILL_AT_ENV];
  if (spec === undefined || spec === "") return undefined;
  const m = /^([^~@]+)(?:~([^@]*))?(?:@(\d+))?$/.exec(spec);
  if (m === null) throw new Error(`${KILL_AT_ENV}=${spec}: expected <name>[~<text>][@<n>]`);
  const [, name = "", text = "", nth = "1"] = m;
  const signal = (env[KILL_SIGNAL_ENV] ?? "SIGKILL") as NodeJS.Signals;
  let seen = 0;
  let fired = false;
  return (pointName, detail) => {
    if (fired || pointName !== name || (text !== "" && !detail().includes(text))) return;
    seen++;
    if (seen < Number(nth)) return;
    fired = true;
    process.kill(process.pid, signal);
  };
}

/** The name a pipeline event matches under: its `type`, or its `kind` for build events. */
export function eventPointName(event: object): string {
  const e = event as { type?: unknown; kind?: unknown };
  return typeof e.type === "string" ? e.type : typeof e.kind === "string" ? e.kind : "";
}

/** An event as the `~<text>` filter sees it; values that do not serialise (errors) count as empty. */
export function eventDetail(event: object): string {
  try {
    return JSON.stringify(event);
  } catch {
    return "";
  }
}
