// `helm <subcommand>`: werf's `werf helm ...` command family. Each subcommand lives in its own module and is listed
// in HELM_SUBCOMMANDS; this module only dispatches and prints the family's help.
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { HELM_SECRET_SUMMARY, helmSecretCommand, helmSecretFlagNames } from "./helm-secret.js";

export const HELM_SUMMARY = "Work with the chart and its secrets (werf's helm command family)";

interface HelmSubcommand {
  readonly summary: string;
  readonly run: (args: readonly string[], ctx: CommandContext) => Promise<void> | void;
  readonly flags: () => readonly string[];
}

const HELM_SUBCOMMANDS: ReadonlyMap<string, HelmSubcommand> = new Map([["secret", { summary: HELM_SECRET_SUMMARY, run: helmSecretCommand, flags: helmSecretFlagNames }]]);

export function helmHelp(programName: string): string {
  const width = Math.max(...[...HELM_SUBCOMMANDS.keys()].map((k) => k.length)) + 2;
  const list = [...HELM_SUBCOMMANDS].map(([name, sub]) => `  ${name.padEnd(width)}${sub.summary}`).join("\n");
  return `${HELM_SUMMARY}\n\nUsage:\n  ${programName} helm [command]\n\nAvailable Commands:\n${list}\n\nUse "${programName} helm [command] --help" for more information about a command.\n`;
}

export async function helmCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const [name, ...rest] = args;
  const sub = name === undefined ? undefined : HELM_SUBCOMMANDS.get(name);
  if (sub !== undefined) return sub.run(rest, ctx);
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    ctx.stdout.write(helmHelp(ctx.programName));
    return;
  }
  throw new SlipwayError(`unknown command "${name}" for "${ctx.programName} helm"`, { code: "usage" });
}

/** Every flag of the family, for shell completion. */
export function helmFlagNames(): string[] {
  return [...new Set([...HELM_SUBCOMMANDS.values()].flatMap((s) => s.flags()))];
}
