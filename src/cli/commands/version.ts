// `slipway version` / `werf version`: slipway's version and the werf version whose behaviour it follows.
import { versionLine } from "../../version.js";
import type { CommandContext } from "../context.js";
import { parseFlagsOrHelp, renderCommandHelp, renderFlagsHelp } from "../flags.js";

export const VERSION_SUMMARY = "Print the slipway version and the werf version it follows";

export function versionHelp(programName: string): string {
  return renderCommandHelp({
    summary: VERSION_SUMMARY,
    usage: `${programName} version`,
    flags: renderFlagsHelp([], "version"),
  });
}

export function versionCommand(args: readonly string[], ctx: CommandContext): void {
  // Like werf's version command: flags are checked, extra positional arguments are ignored.
  const parsed = parseFlagsOrHelp([], args, ctx.env, ctx.stdout, () => versionHelp(ctx.programName));
  if (parsed === undefined) return;
  ctx.stdout.write(`${versionLine()}\n`);
}
