#!/usr/bin/env node
// Entry point of both binaries, `slipway` and `werf`.
import module from "node:module";
import process from "node:process";

// Node ≥ 22.1 keeps compiled code of slipway's modules on disk, which shortens every start after the first.
module.enableCompileCache?.();

// dist/bundle is the bundled build (`npm run build`: tsc, then scripts/bundle.js).
const { run } = await import("../dist/bundle/main.js");
process.exitCode = await run(process.argv);
