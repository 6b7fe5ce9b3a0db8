// `slipway helm <command>`: werf's `werf helm` family. Each subcommand lives in its own module and is listed in
// HELM_COMMANDS; this module only dispatches on the first argument.
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { renderCommandHelp } from "../flags.js";
import { HELM_DEPENDENCY_SUMMARY, helmDependencyCommand, helmDependencyHelp } from "./helm-dependency.js";

export const HELM_SUMMARY = "Manage application deployment with helm (werf helm)";

interface HelmCommand {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly help: (programName: string) => string;
  readonly run: (args: readonly string[], ctx: CommandContext) => void | Promise<void>;
}

const HELM_COMMANDS: readonly HelmCommand[] = [
  { name: "dependency", aliases: ["dep", "dependencies"], summary: HELM_DEPENDENCY_SUMMARY, help: helmDependencyHelp, run: helmDependencyCommand },
];

export function helmHelp(programName: string): string {
  const list = HELM_COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join("\n");
  return renderCommandHelp({ summary: HELM_SUMMARY, usage: `${programName} helm <command> [options]`, flags: "  -h, --help  Show help\n", footer: `Commands:\n${list}` });
}

export async function helmCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [first, ...rest] = args;
  if (first === undefined || first === "-h" || first === "--help") {
    ctx.stdout.write(helmHelp(ctx.programName));
    return;
  }
  const command = HELM_COMMANDS.find((c) => c.name === first || c.aliases.includes(first));
  if (command === undefined) throw new SlipwayError(`unknown command "${first}" for "${ctx.programName} helm"`, { code: "usage" });
  await command.run(rest, ctx);
}
