// Declarative flag specs and a parser with werf's (cobra/pflag) semantics:
// - defaults come from WERF_* variables when the flag is registered, so an explicit flag always wins
//   (except for specs marked envOverridesFlag, like --tmp-dir);
// - `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `-f=value`, grouped bool shorthands (`-Zp`),
//   bools as `--flag`, `--flag=true`, `--flag=false` (never `--flag false`), `--` ends the flags,
//   positional arguments may be interspersed;
// - env-prefix lists (WERF_VALUES_*) are sorted by the whole KEY=VALUE string and placed before CLI values.
// Error messages are pflag's, e.g. `unknown flag: --skip-build`.
import { SlipwayError } from "../errors.js";
import {
  ValueSyntaxError,
  formatGoDuration,
  goQuote,
  parseGoBool,
  parseGoDuration,
  parseGoInt,
  parseKeyValuePairs,
} from "./go-values.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** The keys of T whose values have type V. */
export type KeysOfType<T, V> = { [K in keyof T]-?: T[K] extends V ? K : never }[keyof T];

export interface FlagAlias {
  readonly name: string;
  readonly hidden?: boolean;
}

interface FlagSpecBase<K> {
  /** Long name without the leading `--`. */
  readonly name: string;
  /** One-letter shorthand without the leading `-`. */
  readonly short?: string;
  /** The options field the flag writes to. Several specs may share a key (`--atomic` and `--auto-rollback`). */
  readonly key: K;
  readonly description: string;
  /** Accepted but not listed in help. */
  readonly hidden?: boolean;
  /** Other names of the same flag (`--debug` for `--log-debug`). */
  readonly aliases?: readonly FlagAlias[];
  /** Variables consulted for the default; the first non-empty one wins. */
  readonly env?: readonly string[];
  /** werf quirk: a non-empty variable beats the flag (WERF_TMP_DIR, WERF_HOME). */
  readonly envOverridesFlag?: boolean;
  /** Accepted so werf's command lines keep working, but without effect in slipway: setting it prints a warning. */
  readonly acceptedOnly?: boolean;
}

export interface BoolFlagSpec<V> extends FlagSpecBase<KeysOfType<V, boolean>> {
  readonly kind: "bool";
  readonly default: boolean;
  /**
   * How a non-empty variable becomes a bool. `truthy`: only exactly `1`, `true`, `yes` are true (werf's
   * GetBoolEnvironmentDefaultFalse). `not-falsy`: only exactly `0`, `false`, `no` are false
   * (GetBoolEnvironmentDefaultTrue). Defaults to `truthy` for default-false flags, `not-falsy` otherwise.
   */
  readonly envBool?: "truthy" | "not-falsy";
}

export interface StringFlagSpec<V> extends FlagSpecBase<KeysOfType<V, string>> {
  readonly kind: "string";
  readonly default: string;
}

export interface IntFlagSpec<V> extends FlagSpecBase<KeysOfType<V, number>> {
  readonly kind: "int";
  readonly default: number;
}

export interface DurationFlagSpec<V> extends FlagSpecBase<KeysOfType<V, number>> {
  readonly kind: "duration";
  /** Milliseconds. */
  readonly default: number;
  /** `ignore`: a malformed variable is silently ignored (werf does this for WERF_PLAN_LIFETIME). */
  readonly envInvalid?: "error" | "ignore";
}

export interface StringArrayFlagSpec<V> extends FlagSpecBase<KeysOfType<V, string[]>> {
  readonly kind: "string-array";
  readonly default: readonly string[];
  /** Collect every variable whose name starts with this prefix (`WERF_VALUES_`). */
  readonly envPrefix?: string;
  /** Variables with these name prefixes are not collected (the WERF_SET_ quirk). */
  readonly envPrefixExcept?: readonly string[];
  /**
   * `prepend` (werf's usual behaviour): collected values go before the CLI values.
   * `default`: collected values replace the default and an explicit flag replaces them.
   */
  readonly envPrefixMode?: "prepend" | "default";
}

export interface KeyValueFlagSpec<V> extends FlagSpecBase<KeysOfType<V, Record<string, string>>> {
  readonly kind: "key-value";
  readonly default: Readonly<Record<string, string>>;
}

export type FlagSpec<V> =
  | BoolFlagSpec<V>
  | StringFlagSpec<V>
  | IntFlagSpec<V>
  | DurationFlagSpec<V>
  | StringArrayFlagSpec<V>
  | KeyValueFlagSpec<V>;

export type FlagKind = FlagSpec<unknown>["kind"];

export interface ParsedFlags {
  /** Every spec key, filled with defaults, variables and flags. */
  readonly values: Record<string, unknown>;
  /** Keys set explicitly on the command line. */
  readonly changed: ReadonlySet<string>;
  readonly positionals: readonly string[];
  /** `-h`/`--help` was given (and parsing succeeded). */
  readonly help: boolean;
}

type AnySpec = FlagSpec<Record<string, unknown>>;

interface LookupEntry {
  readonly spec: AnySpec | "help";
  /** The name as registered: the spec's name or one of its aliases. */
  readonly name: string;
}

function usageError(message: string): SlipwayError {
  return new SlipwayError(message, { code: "usage" });
}

function envError(name: string, value: string, err: unknown): SlipwayError {
  const detail = err instanceof Error ? err.message : String(err);
  return new SlipwayError(`bad ${name} variable value ${goQuote(value)}: ${detail}`, { code: "invalid-option" });
}

/** The first non-empty variable of the list, as werf's GetFirstExistingEnvVarAsString. */
export function firstEnv(env: Env, names: readonly string[] | undefined): { name: string; value: string } | undefined {
  for (const name of names ?? []) {
    const value = env[name];
    if (value !== undefined && value !== "") return { name, value };
  }
  return undefined;
}

/** werf's env bool rules: `truthy` accepts exactly 1/true/yes, `not-falsy` rejects exactly 0/false/no. */
export function envBool(value: string, mode: "truthy" | "not-falsy"): boolean {
  if (mode === "truthy") return value === "1" || value === "true" || value === "yes";
  return !(value === "0" || value === "false" || value === "no");
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * werf's PredefinedValuesByEnvNamePrefix: values of all variables named `<prefix>...`, ordered by the whole
 * `KEY=VALUE` string (byte order), skipping names that start with one of `except`.
 */
export function envValuesByPrefix(env: Env, prefix: string, except: readonly string[] = []): string[] {
  const entries: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!name.startsWith(prefix) || except.some((e) => name.startsWith(e))) continue;
    entries.push(`${name}=${value}`);
  }
  entries.sort(compareBytes);
  return entries.map((entry) => entry.slice(entry.indexOf("=") + 1));
}

function displayName(spec: AnySpec | "help", name: string): string {
  const short = spec === "help" ? "h" : spec.short;
  // pflag names the flag with its shorthand only for the primary name.
  if (short !== undefined && (spec === "help" || name === spec.name)) return `-${short}, --${name}`;
  return `--${name}`;
}

/**
 * Parses `args` against `specs` with pflag semantics. Throws a `usage` SlipwayError for command-line mistakes and
 * an `invalid-option` one for malformed WERF_* variables (the latter not when help is requested).
 */
/** parseFlags for a command: with -h/--help it writes the command's help and gives undefined (the command stops). */
export function parseFlagsOrHelp<V>(specs: readonly FlagSpec<V>[], args: readonly string[], env: Env, out: { write(text: string): unknown }, help: () => string): ParsedFlags | undefined {
  const parsed = parseFlags(specs, args, env);
  if (!parsed.help) return parsed;
  out.write(help());
  return undefined;
}

export function parseFlags<V>(specs: readonly FlagSpec<V>[], args: readonly string[], env: Env): ParsedFlags {
  const all = specs as unknown as readonly AnySpec[];
  const byLong = new Map<string, LookupEntry>([["help", { spec: "help", name: "help" }]]);
  const byShort = new Map<string, LookupEntry>([["h", { spec: "help", name: "help" }]]);
  for (const spec of all) {
    byLong.set(spec.name, { spec, name: spec.name });
    for (const alias of spec.aliases ?? []) byLong.set(alias.name, { spec, name: alias.name });
    if (spec.short !== undefined) byShort.set(spec.short, { spec, name: spec.name });
  }

  const values: Record<string, unknown> = {};
  const envErrors: SlipwayError[] = [];
  for (const spec of all) {
    try {
      values[spec.key] = defaultValue(spec, env);
    } catch (err) {
      if (!(err instanceof SlipwayError)) throw err;
      envErrors.push(err);
      values[spec.key] = cloneValue(spec.default);
    }
  }

  const changed = new Set<string>();
  const changedSpecs = new Set<AnySpec>();
  const positionals: string[] = [];
  let help = false;

  const set = (entry: LookupEntry, value: string): void => {
    if (entry.spec === "help") {
      help = parseFlagValue(entry, value, () => parseGoBool(value));
      return;
    }
    const spec = entry.spec;
    const first = !changedSpecs.has(spec);
    switch (spec.kind) {
      case "bool":
        values[spec.key] = parseFlagValue(entry, value, () => parseGoBool(value));
        break;
      case "string":
        values[spec.key] = value;
        break;
      case "int":
        values[spec.key] = parseFlagValue(entry, value, () => parseGoInt(value, 0));
        break;
      case "duration":
        values[spec.key] = parseFlagValue(entry, value, () => parseGoDuration(value));
        break;
      case "string-array": {
        const current = values[spec.key] as string[];
        values[spec.key] = first ? [value] : [...current, value];
        break;
      }
      case "key-value": {
        const pairs = parseFlagValue(entry, value, () => parseKeyValuePairs(value));
        const base = first ? {} : (values[spec.key] as Record<string, string>);
        values[spec.key] = { ...base, ...Object.fromEntries(pairs) };
        break;
      }
    }
    changedSpecs.add(spec);
    changed.add(spec.key);
  };

  const rest = [...args];
  while (rest.length > 0) {
    const arg = rest.shift() ?? "";
    if (arg.length < 2 || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      positionals.push(...rest);
      break;
    }
    if (arg.startsWith("--")) {
      const body = arg.slice(2);
      if (body.startsWith("-") || body.startsWith("=")) throw usageError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      const entry = byLong.get(name);
      if (entry === undefined) throw usageError(`unknown flag: --${name}`);
      if (eq >= 0) {
        set(entry, body.slice(eq + 1));
      } else if (isBool(entry)) {
        set(entry, "true");
      } else if (rest.length > 0) {
        set(entry, rest.shift() ?? "");
      } else {
        throw usageError(`flag needs an argument: ${arg}`);
      }
      continue;
    }
    let shorthands = arg.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands.charAt(0);
      const entry = byShort.get(c);
      if (entry === undefined) throw usageError(`unknown shorthand flag: '${c}' in -${shorthands}`);
      if (shorthands.length > 2 && shorthands.charAt(1) === "=") {
        set(entry, shorthands.slice(2));
        shorthands = "";
      } else if (isBool(entry)) {
        set(entry, "true");
        shorthands = shorthands.slice(1);
      } else if (shorthands.length > 1) {
        set(entry, shorthands.slice(1));
        shorthands = "";
      } else if (rest.length > 0) {
        set(entry, rest.shift() ?? "");
        shorthands = "";
      } else {
        throw usageError(`flag needs an argument: '${c}' in -${shorthands}`);
      }
    }
  }

  if (help) return { values, changed, positionals, help };
  const envFailure = envErrors[0];
  if (envFailure !== undefined) throw envFailure;

  for (const spec of all) {
    if (spec.kind === "string-array" && spec.envPrefix !== undefined && (spec.envPrefixMode ?? "prepend") === "prepend") {
      const fromEnv = envValuesByPrefix(env, spec.envPrefix, spec.envPrefixExcept);
      values[spec.key] = [...fromEnv, ...(values[spec.key] as string[])];
    }
    if (spec.envOverridesFlag === true && spec.kind === "string") {
      const override = firstEnv(env, spec.env);
      if (override !== undefined) values[spec.key] = override.value;
    }
  }
  return { values, changed, positionals, help };
}

function isBool(entry: LookupEntry): boolean {
  return entry.spec === "help" || entry.spec.kind === "bool";
}

function parseFlagValue<T>(entry: LookupEntry, value: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ValueSyntaxError)) throw err;
    throw usageError(
      `invalid argument ${goQuote(value)} for ${goQuote(displayName(entry.spec, entry.name))} flag: ${err.message}`,
    );
  }
}

function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (typeof value === "object" && value !== null) return { ...value };
  return value;
}

function defaultValue(spec: AnySpec, env: Env): unknown {
  if (spec.envOverridesFlag === true) return cloneValue(spec.default);
  switch (spec.kind) {
    case "bool": {
      const found = firstEnv(env, spec.env);
      if (found === undefined) return spec.default;
      return envBool(found.value, spec.envBool ?? (spec.default ? "not-falsy" : "truthy"));
    }
    case "string":
      return firstEnv(env, spec.env)?.value ?? spec.default;
    case "int": {
      const found = firstEnv(env, spec.env);
      if (found === undefined) return spec.default;
      try {
        return parseGoInt(found.value, 10);
      } catch (err) {
        throw envError(found.name, found.value, err);
      }
    }
    case "duration": {
      const found = firstEnv(env, spec.env);
      if (found === undefined) return spec.default;
      try {
        return parseGoDuration(found.value);
      } catch (err) {
        if (spec.envInvalid === "ignore") return spec.default;
        throw envError(found.name, found.value, err);
      }
    }
    case "string-array": {
      if (spec.envPrefix !== undefined && spec.envPrefixMode === "default") {
        const fromEnv = envValuesByPrefix(env, spec.envPrefix, spec.envPrefixExcept);
        return fromEnv.length > 0 ? fromEnv : [...spec.default];
      }
      const found = firstEnv(env, spec.env);
      return found === undefined ? [...spec.default] : [found.value];
    }
    case "key-value": {
      const found = firstEnv(env, spec.env);
      if (found === undefined) return { ...spec.default };
      try {
        return Object.fromEntries(parseKeyValuePairs(found.value));
      } catch (err) {
        throw envError(found.name, found.value, err);
      }
    }
  }
}

// ----- help -----

const HELP_WIDTH = 100;
const DESCRIPTION_INDENT = " ".repeat(12);

export function formatDefault<V>(given: FlagSpec<V>): string {
  const spec = given as unknown as AnySpec;
  switch (spec.kind) {
    case "bool":
      return String(spec.default);
    case "string":
      return `'${spec.default}'`;
    case "int":
      return String(spec.default);
    case "duration":
      return formatGoDuration(spec.default);
    case "string-array":
      return `[${spec.default.join(",")}]`;
    case "key-value":
      return `{${Object.entries(spec.default)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}}`;
  }
}

/** The variables a spec reads, as shown in help, e.g. `$WERF_SET_* (except $WERF_SET_STRING_*)`. */
export function describeEnv(spec: FlagSpec<unknown>): string | undefined {
  const any = spec as AnySpec;
  const parts: string[] = [];
  if (any.env !== undefined && any.env.length > 0) {
    parts.push(any.env.map((name) => `$${name}`).join(", then "));
  }
  if (any.kind === "string-array" && any.envPrefix !== undefined) {
    let text = `$${any.envPrefix}*`;
    if (any.envPrefixExcept !== undefined && any.envPrefixExcept.length > 0) {
      const except = any.envPrefixExcept.map((e) => (e.endsWith("_") ? `$${e}*` : `$${e}`));
      text += ` (except ${except.join(", ")})`;
    }
    text += (any.envPrefixMode ?? "prepend") === "prepend" ? ", placed before the flag values" : "";
    parts.push(text);
  }
  if (parts.length === 0) return undefined;
  return parts.join("; ") + (any.envOverridesFlag === true ? " (the variable overrides the flag)" : "");
}

function wrap(text: string, indent: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      if (line !== "" && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line === "" ? word : `${line} ${word}`;
      }
    }
    lines.push(indent + line);
  }
  return lines;
}

/** Cobra-style option list: every visible name sorted, `  -t, --timeout=0` followed by the wrapped description. */
export function renderFlagsHelp<V>(specs: readonly FlagSpec<V>[], commandName: string): string {
  interface Row {
    readonly name: string;
    readonly head: string;
    readonly body: string[];
  }
  const rows: Row[] = [
    {
      name: "help",
      head: "  -h, --help=false",
      body: wrap(`Show help for ${commandName}`, DESCRIPTION_INDENT, HELP_WIDTH),
    },
  ];
  for (const spec of specs as unknown as readonly AnySpec[]) {
    const names = [
      ...(spec.hidden === true ? [] : [spec.name]),
      ...(spec.aliases ?? []).filter((a) => a.hidden !== true).map((a) => a.name),
    ];
    for (const name of names) {
      const short = spec.short !== undefined && name === spec.name ? `-${spec.short}, ` : "    ";
      const env = describeEnv(spec);
      const body = wrap(spec.description, DESCRIPTION_INDENT, HELP_WIDTH);
      if (env !== undefined) body.push(...wrap(`Env: ${env}`, DESCRIPTION_INDENT, HELP_WIDTH));
      rows.push({ name, head: `  ${short}--${name}=${formatDefault(spec)}`, body });
    }
  }
  rows.sort((a, b) => compareBytes(a.name, b.name));
  return rows.map((row) => [row.head, ...row.body].join("\n")).join("\n") + "\n";
}

export interface CommandHelp {
  readonly summary: string;
  readonly usage: string;
  readonly examples?: string;
  readonly flags: string;
  readonly footer?: string;
}

export function renderCommandHelp(help: CommandHelp): string {
  let text = `${help.summary}\n\nUsage:\n  ${help.usage}\n`;
  if (help.examples !== undefined) {
    text += `\nExamples:\n${help.examples
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n")}\n`;
  }
  text += `\nOptions:\n${help.flags}`;
  if (help.footer !== undefined) text += `\n${help.footer}\n`;
  return text;
}

/** The long names of the flags a user sees (hidden ones left out), for shell completion. */
export function visibleFlagNames(specs: readonly { readonly name: string; readonly hidden?: boolean }[]): string[] {
  return specs.filter((s) => s.hidden !== true).map((s) => s.name);
}
