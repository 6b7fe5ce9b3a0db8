#!/usr/bin/env node
// The second half of `npm run build`: bundles the compiled ES modules (dist/, from tsc) into dist/bundle, which
// bin/slipway.js runs. One module per lazily loaded part instead of ~140 files cuts module loading, most of a
// no-op converge's start-up. Packages with native or CommonJS internals stay in node_modules and load as usual.
import { readFileSync, rmSync } from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist/bundle");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/**
 * An ES import of a Node built-in (`import { readFileSync } from "node:fs"`) makes Node build an ES facade of the
 * whole module, which reads every export, including lazy ones: `node:fs` then loads fs/promises, streams and
 * readline (34 internal modules, ~3 MB of RSS), `node:http` loads undici. Each built-in imported by slipway's own
 * code is instead a small module that takes the object from `process.getBuiltinModule` and exports only the names
 * that are used (the others are pure and dropped by tree shaking), so nothing is loaded that the run does not touch.
 */
const RESERVED = new Set(["default", "delete", "import", "export", "function", "class", "new", "in", "do", "if", "for", "var", "let", "const"]);
const builtinsByGetter = {
  name: "builtins-by-getter",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === "import-statement" ? { path: args.path, namespace: "node-builtin" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => {
      const names = Object.keys(process.getBuiltinModule(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !RESERVED.has(n));
      const lines = [`const m = process.getBuiltinModule(${JSON.stringify(args.path)});`, "export default m;"];
      for (const n of names) lines.push(`export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: lines.join("\n"), loader: "js" };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  plugins: [builtinsByGetter],
  // v8-tiers is its own entry so that bin/slipway.js can load it before the rest; main shares its one instance.
  entryPoints: { main: join(root, "dist/cli/main.js"), "v8-tiers": join(root, "dist/util/v8-tiers.js") },
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
  banner: { js: 'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);' },
  logLevel: "warning",
});
