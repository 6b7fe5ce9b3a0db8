import { defineConfig } from "vitest/config";

// Two projects: `unit` (pure logic, fakes allowed, fast) and `e2e` (real Docker Engine, real registry,
// real Kubernetes cluster started by scripts/local-env; never skipped). `npm test` runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ["test/helpers/e2e-global-setup.ts"],
        },
      },
    ],
  },
});
