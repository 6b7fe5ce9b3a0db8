// Global setup of the e2e project: reads the environment that `scripts/local-env up` started and hands it
// to the tests. If the environment is not up, the run fails here: end-to-end tests never skip.
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { parseEnvExports, type LocalEnv } from "./local-env.js";

declare module "vitest" {
  export interface ProvidedContext {
    localEnv: LocalEnv;
  }
}

export default function setup(project: TestProject): void {
  let text: string;
  try {
    text = execFileSync("bash", ["scripts/local-env", "env"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer | string }).stderr?.toString() ?? String(error);
    throw new Error(`the local environment is not up, so the end-to-end tests cannot run: ${stderr.trim()}`);
  }
  project.provide("localEnv", parseEnvExports(text));
}
