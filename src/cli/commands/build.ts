// `build`: werf's build command, the build phase of converge alone. It accepts converge's flags (werf build's
// flags are a subset of them) and runs the same code as converge.
import type { CommandContext } from "../context.js";
import { commandHelp } from "../options.js";
import { loadBuildRunner, parseOrHelp, withRunningTime } from "./converge.js";

export const BUILD_SUMMARY = "Build images that are missing in the repo and push them";

export function buildHelp(programName: string): string {
  return commandHelp(programName, {
    command: "build",
    summary: BUILD_SUMMARY,
    example: "# Build the images of werf.yaml that the repo does not have yet, and push them",
    exampleArgs: "--repo registry.mydomain.com/web",
  });
}

export async function buildCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const options = parseOrHelp(args, ctx, buildHelp, "build");
  if (options === undefined) return;
  await withRunningTime(options, ctx, async () => {
    await (await loadBuildRunner())(options, ctx);
  });
}
