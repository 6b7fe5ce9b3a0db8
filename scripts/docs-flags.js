#!/usr/bin/env node
// Writes the flag reference (generated from the typed flag table in src/cli/options.ts) into README.md between the
// `flags:begin` / `flags:end` markers. Runs on the compiled dist/ (`npm run docs:flags` builds first).
// test/unit/cli/flag-reference.test.ts fails when README.md is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { withFlagReference } = await import(join(root, "dist/cli/flag-reference.js"));
const path = join(root, "README.md");
const before = readFileSync(path, "utf8");
const after = withFlagReference(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? "README.md flag reference is up to date\n" : "README.md flag reference updated\n");
