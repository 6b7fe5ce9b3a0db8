// Lint: typescript-eslint type-checked rules plus the layering of the architecture guide, enforced by a small
// local rule (`slipway/layering`) that resolves every relative import and checks it against the zones below
// (see CODESTYLE.md, "Layering"). A local rule instead of eslint-plugin-import-x: that plugin pulls native
// resolver bindings for every platform, which the package registry reachable here does not fully serve.
import { dirname, relative, resolve } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layering = [
  // The Go-template engine is standalone: nothing else from src/ may be imported into it.
  { target: "./src/template", from: "./src", except: ["./template"], message: "src/template is standalone" },
  // Pure cores never reach for runtime adapters.
  { target: "./src/status", from: "./src/kube", except: ["./types.js"], message: "src/status is pure" },
  { target: "./src/plan", from: "./src/kube", except: ["./types.js"], message: "src/plan is pure" },
  { target: "./src/resource", from: "./src/kube", except: ["./types.js"], message: "src/resource is pure" },
  // Only the CLI may talk to the terminal UI.
  { target: "./src", targetExcept: ["./src/cli", "./src/ui"], from: "./src/ui", message: "only src/cli imports src/ui" },
  // Nothing in src/ imports the CLI.
  { target: "./src", targetExcept: ["./src/cli"], from: "./src/cli", message: "src/cli is the top layer" },
  // Product code never imports tests.
  { target: "./src", from: "./test", message: "src must not import test code" },
];

const root = import.meta.dirname;

/** Is `path` (relative to the repository root) inside `dir` (written `./a/b`)? */
function inside(path, dir) {
  const d = dir.replace(/^\.\//, "");
  return path === d || path.startsWith(`${d}/`);
}

const layeringRule = {
  meta: { type: "problem", schema: [{ type: "object" }], messages: { zone: "{{message}}: {{from}} must not import {{target}}" } },
  create(context) {
    const zones = context.options[0]?.zones ?? [];
    const file = relative(root, context.filename);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const target = relative(root, resolve(dirname(context.filename), spec));
      for (const zone of zones) {
        if (!inside(file, zone.target) || !inside(target, zone.from)) continue;
        if ((zone.targetExcept ?? []).some((t) => inside(file, t))) continue;
        if ((zone.except ?? []).some((e) => inside(target, `${zone.from}/${e.replace(/^\.\//, "")}`))) continue;
        context.report({ node, messageId: "zone", data: { message: zone.message, from: file, target } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: (node) => check({ source: node.source }) };
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "dist-check/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { slipway: { rules: { layering: layeringRule } } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "slipway/layering": ["error", { zones: layering }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='exit']",
          message: "Only src/cli may end the process; return an exit code instead.",
        },
      ],
    },
  },
  {
    // The pure cores do no I/O at all.
    files: ["src/plan/**", "src/resource/**", "src/status/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:http2", "node:child_process", "fs", "fs/*", "net", "http", "https", "child_process"],
              message: "src/plan, src/resource and src/status are pure: no I/O",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/cli/**", "scripts/**", "bench/**"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
