// `slipway helm <subcommand>`: the helm commands werf users call (`werf helm list`, ...), dispatched through the
// registry. The group itself only prints its help and rejects unknown subcommands as cobra does.
import { SlipwayError } from "../../../errors.js";
import type { CommandContext } from "../../context.js";
import { goQuote } from "../../go-values.js";
import type { HelmSubcommand } from "./common.js";
import { HELM_SUBCOMMANDS } from "./registry.js";

export const HELM_SUMMARY = "Helm 3 commands as werf helm has them (list, history, get, rollback, uninstall, template, dependency, secret)";

function find(name: string): HelmSubcommand | undefined {
  return HELM_SUBCOMMANDS.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}

export function helmHelp(programName: string): string {
  const sorted = [...HELM_SUBCOMMANDS].sort((a, b) => (a.name < b.name ? -1 : 1));
  const width = Math.max(...sorted.map((c) => c.name.length)) + 2;
  return (
    `${HELM_SUMMARY}\n\nThe release records are Helm 3's, so helm itself reads what slipway writes and the other way round.\n\n` +
    `Usage:\n  ${programName} helm [command]\n\nAvailable Commands:\n` +
    sorted.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n") +
    `\n\nUse "${programName} helm [command] --help" for more information about a command.\n`
  );
}

export async function helmCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help") {
    ctx.stdout.write(helmHelp(ctx.programName));
    return;
  }
  if (name.startsWith("-")) throw new SlipwayError(`unknown flag: ${name.split("=")[0] ?? name}`, { code: "usage" });
  const sub = find(name);
  if (sub === undefined) throw new SlipwayError(`unknown command ${goQuote(name)} for ${goQuote(`${ctx.programName} helm`)}`, { code: "usage" });
  await sub.run(rest, ctx);
}

/** Every subcommand's flags, for completion of `helm`. */
export function helmFlags(): string[] {
  return [...new Set(HELM_SUBCOMMANDS.flatMap((c) => c.flags()))];
}
