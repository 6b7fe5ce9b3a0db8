// When slipway lets V8 optimise. V8's optimising compilers (Maglev and TurboFan) compile hot functions on another
// thread. On a chart render, which lasts a few hundred milliseconds, they cost more than they save: on bench/render's
// charts they add 12–25 MB of peak RSS (compiler zones, optimised code and deoptimisation data, and the compilers'
// own code paged in from the node binary) for a wall-time gain that the baseline tiers (Ignition and Sparkplug)
// mostly match once the render does little work. So a run starts on the baseline tiers, and the optimising tiers
// are turned on when the run has been busy for OPTIMISE_AFTER_MS: a long render (checked between templates, see
// optimiseIfLongRunning), a build, a long deploy.
//
// bin/slipway.js calls startOnBaselineTiers before it loads the rest of slipway: flags set before the modules are
// loaded keep the start-up itself on the baseline tiers (measured: 2–3 MB less RSS than setting them afterwards).
// A user's own tier flags (node flags or NODE_OPTIONS) win.

const OPTIMISE_AFTER_MS = 1000;
/** A node/V8 flag that chooses or tunes a tier (`--turbofan`, `--no-maglev`, `--max-maglev-...`, `--no-opt`, `--jitless`). */
const TIER_FLAGS = /(^|\s)--[\w-]*(maglev|turbofan|jitless|sparkplug)|(^|\s)--(no-)?opt(\s|=|$)/;

let lean = false;

function setV8Flags(...flags: readonly string[]): void {
  const v8 = process.getBuiltinModule("node:v8");
  for (const f of flags) v8.setFlagsFromString(f);
}

/** Starts the run on the baseline tiers unless `nodeFlags` (the node flags and NODE_OPTIONS) choose tiers. */
export function startOnBaselineTiers(nodeFlags: string): void {
  if (lean || TIER_FLAGS.test(nodeFlags)) return;
  setV8Flags("--no-maglev", "--no-turbofan");
  lean = true;
  // Asynchronous work (a build, a deploy) returns to the event loop, where this fires.
  setTimeout(optimise, OPTIMISE_AFTER_MS).unref();
}

/** Called between units of long synchronous work (templates), which never lets the timer run. */
export function optimiseIfLongRunning(): void {
  // process.uptime, not performance.now: the global `performance` loads perf_hooks on first use.
  if (lean && process.uptime() * 1000 >= OPTIMISE_AFTER_MS) optimise();
}

function optimise(): void {
  if (!lean) return;
  lean = false;
  setV8Flags("--maglev", "--turbofan");
}
