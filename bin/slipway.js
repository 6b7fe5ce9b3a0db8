#!/usr/bin/env node
// Entry point of both binaries, `slipway` and `werf`.
import module from "node:module";
import process from "node:process";
import v8 from "node:v8";

// Keep V8's young generation at its initial size (1 MB per semi-space) instead of letting it double up to 16 MB:
// a render allocates many short-lived strings and values, and the grown young generation alone costs 25–30 MB of
// peak RSS for no gain in speed. --max-semi-space-size cannot be changed once the heap exists, but the growth factor
// is read at each scavenge, so setting it here, before anything large is allocated, takes effect. A user's own
// semi-space setting (node flags or NODE_OPTIONS) wins.
const nodeFlags = `${process.execArgv.join(" ")} ${process.env["NODE_OPTIONS"] ?? ""}`;
if (!/semi[-_]space/.test(nodeFlags)) v8.setFlagsFromString("--semi-space-growth-factor=1");

// Node ≥ 22.1 keeps compiled code of slipway's modules on disk, which shortens every start after the first.
module.enableCompileCache?.();

// dist/bundle is the bundled build (`npm run build`: tsc, then scripts/bundle.js).
const { run } = await import("../dist/bundle/main.js");
process.exitCode = await run(process.argv);
