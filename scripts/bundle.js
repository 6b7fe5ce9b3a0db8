#!/usr/bin/env node
// The second half of `npm run build`: bundles the compiled ES modules (dist/, from tsc) into dist/bundle, which
// bin/slipway.js runs. One module per lazily loaded part instead of ~140 files cuts module loading, most of a
// no-op converge's start-up. Packages with native or CommonJS internals stay in node_modules and load as usual.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/bundle");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, "dist/cli/main.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // yaml is also loaded through createRequire (src/template/yaml/read.ts): one copy for both.
  external: ["yaml", "dockerode", "@kubernetes/client-node"],
  define: { __SLIPWAY_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies bundled in (commander) require Node's built-ins: give each chunk a require.
  banner: { js: 'import { createRequire as __slipwayCreateRequire } from "node:module"; const require = __slipwayCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
