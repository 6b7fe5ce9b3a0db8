#!/usr/bin/env node
// Entry point of both binaries, `slipway` and `werf`.
import module from "node:module";
import process from "node:process";

// Node ≥ 22.1 keeps compiled code of slipway's modules on disk, which shortens every start after the first.
module.enableCompileCache?.();

const { run } = await import("../dist/cli/main.js");
process.exitCode = await run(process.argv);
