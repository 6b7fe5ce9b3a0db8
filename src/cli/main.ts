/**
 * @module cli
 *
 * The top layer: commander builds the program (commands, root help, `help <command>`, `--version`), each command
 * parses its own arguments with werf's pflag semantics (src/cli/flags.ts), and `run` is the only place that turns
 * the outcome into an exit code. Nothing else in src/ may import src/cli.
 */
import { basename } from "node:path";
import process from "node:process";
import { Command, CommanderError } from "commander";
import { ChangesPlannedError, InterruptedError, SlipwayError, formatError } from "../errors.js";
import { versionLine, WERF_COMPAT_VERSION } from "../version.js";
import { BUILD_SUMMARY, buildCommand, buildHelp } from "./commands/build.js";
import { CI_ENV_FLAGS, CI_ENV_SUMMARY, ciEnvCommand, ciEnvHelp } from "./commands/ci-env.js";
import { COMPLETION_SUMMARY, completionCommand, completionHelp } from "./commands/completion.js";
import { CONVERGE_EXTRA_FLAGS, CONVERGE_SUMMARY, convergeCommand, convergeFullHelp } from "./commands/converge.js";
import { HELM_SUMMARY, helmCommand, helmFlags, helmHelp } from "./commands/helm/index.js";
import { RENDER_FLAGS, RENDER_SUMMARY, renderCommand, renderHelp } from "./commands/render.js";
import { DISMISS_FLAGS, DISMISS_SUMMARY, dismissCommand, dismissHelp, PLAN_FLAGS, PLAN_SUMMARY, planCommand, planHelp, ROLLBACK_FLAGS, ROLLBACK_SUMMARY, rollbackCommand, rollbackHelp } from "./commands/release.js";
import { VERSION_SUMMARY, versionCommand, versionHelp } from "./commands/version.js";
import type { CliIO, CommandContext, CommandSpec } from "./context.js";
import type { ExtraFlag } from "./extra-flags.js";
import { CONVERGE_FLAGS } from "./options.js";
import { EXIT_FAILURE, EXIT_SUCCESS, exitCodeFor, exitCodeForSignal } from "./exit.js";
import { envBool, firstEnv, parseFlags, visibleFlagNames } from "./flags.js";
import type { Env } from "./flags.js";
import { goQuote, parseGoBool } from "./go-values.js";
import { processStdin } from "./stdin.js";

export type { CliIO, CliWriter, CommandContext } from "./context.js";

interface CommandEntry extends CommandSpec {
  readonly group: string;
}

/** The visible long names of a flag table. */
const convergeFamily = (extra: readonly ExtraFlag[]) => (): string[] => [...visibleFlagNames(CONVERGE_FLAGS), ...extra.map((f) => f.name)];

const COMMANDS: readonly CommandEntry[] = [
  { name: "converge", summary: CONVERGE_SUMMARY, group: "Delivery commands", help: convergeFullHelp, run: convergeCommand, flags: convergeFamily(CONVERGE_EXTRA_FLAGS) },
  { name: "build", summary: BUILD_SUMMARY, group: "Delivery commands", help: buildHelp, run: buildCommand, flags: convergeFamily([]) },
  { name: "render", summary: RENDER_SUMMARY, group: "Delivery commands", help: renderHelp, run: renderCommand, flags: convergeFamily(RENDER_FLAGS) },
  { name: "plan", summary: PLAN_SUMMARY, group: "Delivery commands", help: planHelp, run: planCommand, flags: convergeFamily(PLAN_FLAGS) },
  { name: "rollback", summary: ROLLBACK_SUMMARY, group: "Delivery commands", help: rollbackHelp, run: rollbackCommand, flags: convergeFamily(ROLLBACK_FLAGS) },
  { name: "dismiss", summary: DISMISS_SUMMARY, group: "Delivery commands", help: dismissHelp, run: dismissCommand, flags: convergeFamily(DISMISS_FLAGS) },
  { name: "helm", summary: HELM_SUMMARY, group: "Other commands", help: helmHelp, run: helmCommand, flags: helmFlags },
  { name: "ci-env", summary: CI_ENV_SUMMARY, group: "Other commands", help: ciEnvHelp, run: ciEnvCommand, flags: () => visibleFlagNames(CI_ENV_FLAGS) },
  {
    name: "completion",
    summary: COMPLETION_SUMMARY,
    group: "Other commands",
    help: completionHelp,
    run: (args, ctx) => completionCommand(args, ctx, COMMANDS.map((c) => ({ name: c.name, summary: c.summary, flags: c.flags() }))),
    flags: () => [],
  },
  { name: "version", summary: VERSION_SUMMARY, group: "Other commands", help: versionHelp, run: versionCommand, flags: () => [] },
];

const HELP_COMMAND_SUMMARY = "Show help for a command";

export interface ProgramOptions extends CliIO {
  /** Defaults to `slipway`. */
  readonly programName?: string;
  readonly signal?: AbortSignal;
}

/** `slipway` unless the binary was invoked as `werf` (the drop-in alias). */
export function programNameFrom(scriptPath: string | undefined): string {
  const name = basename(scriptPath ?? "").replace(/\.(c|m)?js$/, "");
  return name === "werf" ? "werf" : "slipway";
}

function rootHelp(programName: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), "help".length) + 2;
  const groups = new Map<string, string[]>();
  const entries = [...COMMANDS.map((c) => [c.group, c.name, c.summary] as const), ["Other commands", "help", HELP_COMMAND_SUMMARY] as const];
  for (const [group, name, summary] of entries) {
    const lines = groups.get(group) ?? [];
    lines.push(`  ${name.padEnd(width)}${summary}`);
    groups.set(group, lines);
  }
  const who = programName === "slipway" ? "slipway" : `${programName} (slipway)`;
  let text = `${who} is a drop-in replacement for \`werf converge\`, following werf ${WERF_COMPAT_VERSION}\n\n`;
  text += `Usage:\n  ${programName} [command] [options]\n`;
  for (const [group, lines] of groups) {
    text += `\n${group}:\n${[...lines].sort().join("\n")}\n`;
  }
  text += "\nOptions:\n  -h, --help     Show help\n      --version  Print the version\n";
  text += `\nUse "${programName} <command> --help" for more information about a command.\n`;
  return text;
}

/**
 * The commander program. Commands receive their arguments verbatim (see `commanderArgs`) and report failures by
 * throwing; commander's own exits are turned into CommanderError by `exitOverride`.
 */
export function createProgram(options: ProgramOptions): Command {
  const programName = options.programName ?? "slipway";
  const ctx: CommandContext = {
    stdout: options.stdout,
    stderr: options.stderr,
    env: options.env,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    programName,
    signal: options.signal ?? new AbortController().signal,
  };
  const program = new Command(programName)
    .description(`A drop-in replacement for \`werf converge\` (werf ${WERF_COMPAT_VERSION})`)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => options.stdout.write(text),
      writeErr: (text) => options.stderr.write(text),
      outputError: () => undefined,
    })
    .enablePositionalOptions()
    .helpOption("-h, --help", "Show help")
    .version(versionLine(), "--version", "Print the version")
    .helpCommand("help [command]", HELP_COMMAND_SUMMARY);
  for (const entry of COMMANDS) {
    program
      .command(entry.name)
      .summary(entry.summary)
      .description(entry.summary)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument("[args...]")
      .configureHelp({ formatHelp: () => entry.help(programName) })
      .action((args: string[]) => entry.run(args, ctx));
  }
  program.configureHelp({ formatHelp: () => rootHelp(programName) });
  return program;
}

/**
 * Hands a command everything after its name verbatim: inserting `--` stops commander from interpreting the
 * arguments (it would drop a leading `--` and reorder options), so pflag rules apply to them unchanged.
 */
function commanderArgs(args: readonly string[]): string[] {
  const [first, ...rest] = args;
  if (first !== undefined && COMMANDS.some((c) => c.name === first)) return [first, "--", ...rest];
  return [...args];
}

/** The root only knows `-h`/`--help` and `--version`; anything else before the command is an unknown flag. */
function checkRootArgs(args: readonly string[], env: Env): readonly string[] {
  const first = args[0];
  if (first === "--") return args.slice(1);
  if (first === undefined || first.length < 2 || !first.startsWith("-")) return args;
  if (first === "-h" || first === "--help" || first === "--version") return args;
  parseFlags([], [first], env);
  throw new SlipwayError(`unknown flag: ${first}`, { code: "usage" });
}

/** `help [command]` takes no flags but its own -h/--help, as cobra's help command. */
function checkHelpArgs(args: readonly string[]): void {
  if (args[0] !== "help") return;
  const flag = args.slice(1).find((a) => a.startsWith("-") && a !== "-h" && a !== "--help");
  if (flag !== undefined) throw new SlipwayError(`unknown flag: ${flag.split("=")[0] ?? flag}`, { code: "usage" });
}

/** Whether errors should carry stack traces: `--log-debug`/`--debug` anywhere before `--`, else $WERF_LOG_DEBUG. */
function debugRequested(args: readonly string[], env: Env): boolean {
  let debug = envBool(firstEnv(env, ["WERF_LOG_DEBUG", "WERF_DEBUG"])?.value ?? "", "truthy");
  for (const arg of args) {
    if (arg === "--") break;
    const match = /^--(?:log-)?debug(?:=(.*))?$/.exec(arg);
    if (match === null) continue;
    try {
      debug = match[1] === undefined ? true : parseGoBool(match[1]);
    } catch {
      // A malformed value fails the parse itself; keep the previous setting for the message.
    }
  }
  return debug;
}

interface SignalTrap {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** First SIGINT/SIGTERM/SIGQUIT aborts the run; a second one ends the process at once. */
function trapSignals(): SignalTrap {
  const controller = new AbortController();
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGQUIT"];
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(exitCodeForSignal(signal));
    controller.abort(new InterruptedError(signal));
  };
  for (const signal of signals) process.on(signal, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}

function commanderExitCode(err: CommanderError, args: readonly string[], io: CliIO, programName: string): number {
  switch (err.code) {
    case "commander.helpDisplayed":
    case "commander.help":
    case "commander.version":
      return err.exitCode;
    case "commander.unknownCommand":
      io.stderr.write(
        `Error: unknown command ${goQuote(args[0] ?? "")} for ${goQuote(programName)}\n` +
          `Run '${programName} --help' for usage.\n`,
      );
      return EXIT_FAILURE;
    default:
      io.stderr.write(`Error: ${err.message.replace(/^error: /, "")}\n`);
      return EXIT_FAILURE;
  }
}

/**
 * Runs the CLI for `argv` (`process.argv` shape: node, script, arguments...) and returns the exit code.
 * Without `io` it uses the real process streams and environment and traps termination signals.
 */
export async function run(argv: readonly string[], io?: CliIO): Promise<number> {
  const streams: CliIO = io ?? { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: processStdin() };
  const programName = programNameFrom(argv[1]);
  let args: readonly string[] = argv.slice(2);
  const debug = debugRequested(args, streams.env);
  const trap = io === undefined ? trapSignals() : undefined;
  try {
    args = checkRootArgs(args, streams.env);
    checkHelpArgs(args);
    if (args.length === 0) {
      streams.stdout.write(rootHelp(programName));
      return EXIT_SUCCESS;
    }
    const program = createProgram({ ...streams, programName, ...(trap ? { signal: trap.signal } : {}) });
    await program.parseAsync(commanderArgs(args), { from: "user" });
    const interrupted: unknown = trap?.signal.reason;
    if (interrupted instanceof InterruptedError) throw interrupted;
    return EXIT_SUCCESS;
  } catch (caught) {
    if (caught instanceof CommanderError) return commanderExitCode(caught, args, streams, programName);
    // Whatever broke while a signal was stopping the run (a closed stream, a killed build), the signal is the cause.
    const reason: unknown = trap?.signal.reason;
    const err = trap?.signal.aborted === true && reason instanceof InterruptedError ? reason : caught;
    // A command-line mistake (a bad flag, a bad flag value or variable) gets no stack even with --debug:
    // `render --debug` is itself such a mistake.
    const usage = err instanceof SlipwayError && (err.code === "usage" || err.code === "invalid-option");
    if (!(err instanceof ChangesPlannedError)) streams.stderr.write(formatError(err, { debug: debug && !usage }));
    return exitCodeFor(err);
  } finally {
    trap?.dispose();
  }
}
