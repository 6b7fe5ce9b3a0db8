/**
 * @module errors
 *
 * slipway's error vocabulary. Every layer wraps what it was doing around the error it got
 * (`new SlipwayError("unable to load werf config", { cause })`); only the CLI turns an error into text
 * (`formatError`) and an exit code (`src/cli/exit.ts`). Imports nothing from the rest of `src/`.
 */

/**
 * What kind of failure an error is. Callers branch on `code`, never on the message text.
 * - `usage`: the command line itself is wrong (unknown flag, bad flag value, unexpected argument).
 * - `invalid-option`: a flag or `WERF_*` variable parsed fine but its value is not acceptable.
 * - `interrupted`: the run was stopped by a signal (see {@link InterruptedError}).
 * - `internal`: a slipway bug; the message should say what invariant broke.
 * - `generic`: the default when a wrapper does not classify the failure.
 * The other codes name the area that failed.
 */
export type ErrorCode =
  | "usage"
  | "invalid-option"
  | "not-implemented"
  | "config"
  | "giterminism"
  | "git"
  | "build"
  | "registry"
  | "chart"
  | "template"
  | "deploy"
  | "kube"
  | "interrupted"
  | "internal"
  | "generic";

/** Where in a user's file (werf.yaml, a chart template, a values file) the problem is. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** Dotted path of the offending key, e.g. `deploy.namespace`. */
  readonly key?: string;
}

export interface SlipwayErrorOptions {
  readonly code?: ErrorCode;
  readonly cause?: unknown;
  readonly location?: ErrorLocation;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation | undefined;

  constructor(message: string, options: SlipwayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SlipwayError";
    this.code = options.code ?? "generic";
    this.location = options.location;
  }
}

/** Several independent problems found together, e.g. every invalid resource of a chart. */
export class MultiError extends SlipwayError {
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[], options: Omit<SlipwayErrorOptions, "cause"> = {}) {
    const noun = errors.length === 1 ? "error" : "errors";
    const items = errors.map((err) => `  * ${describeChain(err).join(": ")}`);
    super(`${errors.length} ${noun} occurred:\n${items.join("\n")}`, options);
    this.name = "MultiError";
    this.errors = errors;
  }
}

/** `plan --exit-code` found changes: werf's exit code 2, not a failure message. */
export class ChangesPlannedError extends SlipwayError {
  constructor() {
    super("changes planned", { code: "generic" });
    this.name = "ChangesPlannedError";
  }
}

/** The run was stopped by a signal; the CLI exits with 128 + the signal number. */
export class InterruptedError extends SlipwayError {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`, { code: "interrupted" });
    this.name = "InterruptedError";
    this.signal = signal;
  }
}

export interface FormatErrorOptions {
  /** Append stack traces (`--log-debug` / `$WERF_LOG_DEBUG`). */
  readonly debug?: boolean;
}

/**
 * Renders an error the way werf prints one: a single `Error: <message>` line where the cause chain is joined
 * with `: `. An error with a location is prefixed with it (`werf.yaml:7 (key: image): ...`), so the user sees the
 * file, the line and the key; werf's own wording follows. In debug mode the stack traces follow the line.
 * The result ends with a newline.
 */
export function formatError(err: unknown, options: FormatErrorOptions = {}): string {
  let text = `Error: ${describeChain(err).join(": ")}\n`;
  if (options.debug === true) {
    const chain = causeChain(err);
    let prefix = "";
    for (const current of chain) {
      if (!(current instanceof Error)) continue;
      text += `\n${prefix}${current.stack ?? `${current.name}: ${current.message}`}\n`;
      prefix = "Caused by: ";
    }
  }
  return text;
}

function isNodeSystemError(value: unknown): boolean {
  if (!(value instanceof Error)) return false;
  const e = value as Error & { code?: unknown; syscall?: unknown };
  return typeof e.code === "string" && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === "string";
}

/** Whether our message already names the file the Node error is about (else the Node text is the information). */
function namesItsPath(message: string, value: unknown): boolean {
  const path = (value as { path?: unknown }).path;
  return typeof path === "string" && path !== "" && message.includes(path);
}

/** The error and its causes, outermost first, stopping at a cycle. */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

/** The messages of an error and its causes, outermost first, without repeats. */
export function describeChain(err: unknown): string[] {
  const parts: string[] = [];
  for (const current of causeChain(err)) {
    // Node's own error under a message of ours that names its file (`ENOENT: no such file or directory, stat '/x'`):
    // ours already says what failed and where; the error code stays for --log-debug.
    if (parts.length > 0 && isNodeSystemError(current) && namesItsPath(parts.at(-1) ?? "", current)) break;
    const message = describeOne(current);
    const previous = parts.at(-1);
    // A wrapper that already spelled out its cause (`${what}: ${err.message}`) must not print it twice.
    if (previous === undefined || !(previous === message || previous.endsWith(`: ${message}`))) {
      parts.push(message);
    }
  }
  return parts;
}

function describeOne(value: unknown): string {
  if (value instanceof SlipwayError && value.location !== undefined) {
    // The one-line message names the file, the line and the key before werf's own wording.
    const where = formatLocation(value.location);
    const message = value.message === "" ? value.name : value.message;
    return where === "" ? message : `${where}: ${message}`;
  }
  if (value instanceof Error) {
    return value.message === "" ? value.name : value.message;
  }
  if (typeof value === "string") {
    return value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `werf.yaml:3:5 (key: deploy.namespace)`, `werf.yaml`, or `key: image`. */
export function formatLocation(location: ErrorLocation): string {
  let position = "";
  if (location.file !== undefined && location.file !== "") {
    position = location.file;
    if (location.line !== undefined) {
      position += `:${location.line}`;
      if (location.column !== undefined) position += `:${location.column}`;
    }
  }
  if (location.key === undefined || location.key === "") return position;
  return position === "" ? `key: ${location.key}` : `${position} (key: ${location.key})`;
}
