// `slipway helm <subcommand>`: the Helm-compatible commands werf users know from `werf helm ...`. Each subcommand
// lives in its own module and registers itself in HELM_SUBCOMMANDS.
import { SlipwayError } from "../../errors.js";
import type { CommandContext, CommandSpec } from "../context.js";
import { goQuote } from "../go-values.js";
import { HELM_DEPENDENCY_FLAGS, HELM_DEPENDENCY_SUMMARY, helmDependencyCommand, helmDependencyHelp } from "./helm-dependency.js";
import { HELM_SECRET_SUMMARY, helmSecretCommand, helmSecretFlagNames, helmSecretHelp } from "./helm-secret.js";
import { HELM_TEMPLATE_FLAGS, HELM_TEMPLATE_SUMMARY, helmTemplateCommand, helmTemplateHelp } from "./helm-template.js";

export const HELM_SUMMARY = "Helm-compatible commands werf users know from `werf helm` (template, dependency, ...)";

const visible = (specs: readonly { name: string; hidden?: boolean }[]): string[] => specs.filter((s) => s.hidden !== true).map((s) => s.name);

/** A subcommand, with the other names werf and Helm accept for it. */
export interface HelmSubcommand extends CommandSpec {
  readonly aliases?: readonly string[];
}

export const HELM_SUBCOMMANDS: readonly HelmSubcommand[] = [
  { name: "dependency", aliases: ["dep", "dependencies"], summary: HELM_DEPENDENCY_SUMMARY, help: helmDependencyHelp, run: helmDependencyCommand, flags: () => visible(HELM_DEPENDENCY_FLAGS) },
  { name: "secret", summary: HELM_SECRET_SUMMARY, help: helmSecretHelp, run: helmSecretCommand, flags: helmSecretFlagNames },
  { name: "template", summary: HELM_TEMPLATE_SUMMARY, help: helmTemplateHelp, run: helmTemplateCommand, flags: () => visible(HELM_TEMPLATE_FLAGS) },
];

export function helmHelp(programName: string): string {
  const width = Math.max(...HELM_SUBCOMMANDS.map((c) => c.name.length)) + 2;
  const lines = HELM_SUBCOMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).sort();
  return `${HELM_SUMMARY}\n\nUsage:\n  ${programName} helm [command] [options]\n\nAvailable Commands:\n${lines.join("\n")}\n\nUse "${programName} helm <command> --help" for more information about a command.\n`;
}

export async function helmCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help") {
    ctx.stdout.write(helmHelp(ctx.programName));
    return;
  }
  const sub = HELM_SUBCOMMANDS.find((c) => c.name === name || c.aliases?.includes(name) === true);
  if (sub === undefined) throw new SlipwayError(`unknown command ${goQuote(name)} for ${goQuote(`${ctx.programName} helm`)}`, { code: "usage" });
  await sub.run(rest, ctx);
}

/** Flag names of every subcommand, for shell completion. */
export function helmFlags(): string[] {
  return [...new Set(HELM_SUBCOMMANDS.flatMap((c) => c.flags()))];
}
