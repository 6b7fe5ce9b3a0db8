// Lint: typescript-eslint type-checked rules plus the layering of the architecture guide,
// enforced with import-x/no-restricted-paths zones (see CODESTYLE.md, "Layering").
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

const layering = [
  // The Go-template engine is standalone: nothing else from src/ may be imported into it.
  { target: "./src/template", from: "./src", except: ["./template"], message: "src/template is standalone" },
  // Pure cores never reach for runtime adapters.
  { target: "./src/track/status", from: "./src/kube", message: "track/status is pure" },
  { target: "./src/deploy/plan", from: "./src/kube", message: "deploy/plan is pure" },
  // Only the CLI may talk to the terminal UI.
  { target: "./src", from: "./src/ui", except: ["./cli", "./ui"], message: "only src/cli imports src/ui" },
  // Nothing in src/ imports the CLI.
  { target: "./src", from: "./src/cli", except: ["./cli"], message: "src/cli is the top layer" },
  // Product code never imports tests.
  { target: "./src", from: "./test", message: "src must not import test code" },
];

export default tseslint.config(
  { ignores: ["dist/**", "dist-check/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "import-x": importX },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: layering }],
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
    files: ["src/cli/**", "scripts/**", "bench/**"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
