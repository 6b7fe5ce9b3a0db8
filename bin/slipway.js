#!/usr/bin/env node
/* global process */
// Entry point of both binaries, `slipway` and `werf`.
// Built-ins through process.getBuiltinModule, not ES imports: an ES import of a built-in loads its lazy parts too
// (scripts/bundle.js does the same for the bundle).
const module = process.getBuiltinModule("node:module");
const v8 = process.getBuiltinModule("node:v8");

// Keep V8's young generation at its initial size (1 MB per semi-space) instead of letting it double up to 16 MB:
// a render allocates many short-lived strings and values, and the grown young generation alone costs 25–30 MB of
// peak RSS for no gain in speed. --max-semi-space-size cannot be changed once the heap exists, but the growth factor
// is read at each scavenge, so setting it here, before anything large is allocated, takes effect. A user's own
// semi-space setting (node flags or NODE_OPTIONS) wins.
const nodeFlags = `${process.execArgv.join(" ")} ${process.env["NODE_OPTIONS"] ?? ""}`;
if (!/semi[-_]space/.test(nodeFlags)) v8.setFlagsFromString("--semi-space-growth-factor=1");

// Node ≥ 22.1 keeps compiled code of slipway's modules on disk, which shortens every start after the first.
module.enableCompileCache?.();

// dist/bundle is the bundled build (`npm run build`: tsc, then scripts/bundle.js). Short runs do without V8's
// optimising compilers (src/util/v8-tiers.ts); that is decided before the rest of slipway is loaded.
const { startOnBaselineTiers } = await import("../dist/bundle/v8-tiers.js");
startOnBaselineTiers(nodeFlags);
const { run } = await import("../dist/bundle/main.js");
process.exitCode = await run(process.argv);
