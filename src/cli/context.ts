// What a command gets from the CLI: output streams, the environment and the program name. Commands never touch
// `process` directly, so tests run them in-process with captured output and a plain env object.
import type { Env } from "./flags.js";

export interface CliWriter {
  write(chunk: string): unknown;
  /** Whether the stream is a terminal (process.stdout has it; captured output does not). */
  readonly isTTY?: boolean;
}

/** Standard input, for the commands that read it (`helm secret encrypt` and friends). */
export interface CliInput {
  readonly isTTY: boolean;
  /** Everything up to the end of the input. */
  readAll(): Promise<Buffer>;
  /** A line typed at the terminal without echo (a secret), after `prompt` on stdout when that is a terminal. */
  readHidden(prompt: string): Promise<Buffer>;
}

export interface CliIO {
  readonly stdout: CliWriter;
  readonly stderr: CliWriter;
  readonly env: Env;
  /** Absent when the caller gives no input (then it reads as an empty pipe). */
  readonly stdin?: CliInput;
}

export interface CommandContext extends CliIO {
  /** `werf` when invoked through the `werf` binary, else `slipway`. */
  readonly programName: string;
  /** Aborted on SIGINT/SIGTERM/SIGQUIT with an InterruptedError as the reason. */
  readonly signal: AbortSignal;
}

/** A command (or a subcommand of a family such as `helm`) as the command tables list it. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly help: (programName: string) => string;
  readonly run: (args: readonly string[], ctx: CommandContext) => void | Promise<void>;
  /** Long flag names (without `--`), for shell completion. */
  readonly flags: () => readonly string[];
}
