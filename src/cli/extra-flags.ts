// Flags a command adds to converge's table (`dismiss --with-namespace`, `rollback --revision`, `plan --exit-code`,
// converge's own `--cleanup-on-fail` and `--deploy-deadline`, render's `--validate`, `--show-only`...): taken out of
// the arguments before the converge table parses the rest, with werf's forms (`--x`, `--x=v`, `--x v`, `-s v`) and
// WERF_* variables.
import { SlipwayError } from "../errors.js";
import { envBool, envValuesByPrefix, type Env } from "./flags.js";
import { parseGoBool } from "./go-values.js";

export interface ExtraFlag {
  readonly name: string;
  readonly kind: "bool" | "int" | "string" | "string-array";
  /** The variable of a single-valued flag, or the prefix (ending in `_`) of a string-array flag's variables. */
  readonly env: string;
  readonly description: string;
  readonly short?: string;
  /** Other long names of the same flag. */
  readonly aliases?: readonly string[];
  /** A bool flag that is on unless turned off (its variable is false only when exactly 0, false or no). */
  readonly defaultTrue?: boolean;
  /** string-array: split each value at commas (pflag's StringSlice). */
  readonly commaSeparated?: boolean;
}

export type ExtraValue = boolean | number | string | string[];
export type ExtraValues = Record<string, ExtraValue | undefined>;

function fromEnv(flag: ExtraFlag, env: Env): ExtraValue | undefined {
  if (flag.kind === "string-array") {
    const values = envValuesByPrefix(env, flag.env);
    return values.length === 0 ? undefined : flag.commaSeparated === true ? values.flatMap((v) => v.split(",")) : values;
  }
  const text = env[flag.env];
  if (flag.kind === "bool" && flag.defaultTrue === true) return text === undefined || text === "" ? true : envBool(text, "not-falsy");
  if (text === undefined || text === "") return undefined;
  return parse(flag, text, `$${flag.env}`);
}

function matches(flag: ExtraFlag, arg: string): { value?: string } | undefined {
  for (const name of [flag.name, ...(flag.aliases ?? [])]) {
    if (arg === `--${name}`) return {};
    if (arg.startsWith(`--${name}=`)) return { value: arg.slice(name.length + 3) };
  }
  if (flag.short !== undefined) {
    if (arg === `-${flag.short}`) return {};
    if (arg.startsWith(`-${flag.short}`) && !arg.startsWith("--")) {
      const rest = arg.slice(1 + flag.short.length);
      return { value: rest.startsWith("=") ? rest.slice(1) : rest };
    }
  }
  return undefined;
}

export function takeExtraFlags(args: readonly string[], flags: readonly ExtraFlag[], env: Env): { rest: string[]; values: ExtraValues } {
  const values: ExtraValues = {};
  // Array flags given on the command line replace nothing from the variables: werf appends them.
  const given = new Map<string, string[]>();
  for (const flag of flags) values[flag.name] = fromEnv(flag, env);
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    let hit: { flag: ExtraFlag; value?: string } | undefined;
    for (const flag of flags) {
      const m = matches(flag, arg);
      if (m !== undefined) {
        hit = { flag, ...m };
        break;
      }
    }
    if (hit === undefined) {
      rest.push(arg);
      continue;
    }
    const { flag } = hit;
    let text = hit.value;
    if (text === undefined && flag.kind !== "bool") {
      const next = args[i + 1];
      if (next === undefined) throw new SlipwayError(`flag needs an argument: --${flag.name}`, { code: "usage" });
      text = next;
      i++;
    }
    if (flag.kind === "string-array") {
      const list = given.get(flag.name) ?? [];
      list.push(...(flag.commaSeparated === true ? (text ?? "").split(",") : [text ?? ""]));
      given.set(flag.name, list);
    } else values[flag.name] = text === undefined ? true : parse(flag, text, `--${flag.name}`);
  }
  for (const [name, list] of given) {
    const before = values[name];
    values[name] = [...(Array.isArray(before) ? before : []), ...list];
  }
  return { rest, values };
}

function parse(flag: ExtraFlag, text: string, where: string): boolean | number | string {
  if (flag.kind === "string" || flag.kind === "string-array") return text;
  if (flag.kind === "bool") {
    try {
      return parseGoBool(text);
    } catch {
      throw new SlipwayError(`invalid argument ${JSON.stringify(text)} for "${where}" flag: strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`, { code: "usage" });
    }
  }
  if (!/^-?\d+$/.test(text)) throw new SlipwayError(`invalid argument ${JSON.stringify(text)} for "${where}" flag: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`, { code: "usage" });
  return Number(text);
}

/** A string-array flag's values ([] when not given). */
export function extraList(values: ExtraValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : [];
}

/** A string flag's value ("" when not given). */
export function extraString(values: ExtraValues, name: string): string {
  const v = values[name];
  return typeof v === "string" ? v : "";
}

/** Help lines for the extra flags, in the style of the flag table's help. */
export function extraFlagsHelp(flags: readonly ExtraFlag[]): string {
  return flags
    .map((f) => {
      const names = `${f.short === undefined ? "    " : `-${f.short}, `}--${f.name}${f.kind === "int" ? " int" : f.kind === "string" ? " string" : f.kind === "string-array" ? " stringArray" : ""}`;
      const env = f.kind === "string-array" ? `$${f.env}*` : `$${f.env}`;
      const aliases = f.aliases === undefined || f.aliases.length === 0 ? "" : `; also --${f.aliases.join(", --")}`;
      return `  ${names}\n            ${f.description} (default ${env}${f.defaultTrue === true ? " or true" : ""}${aliases})`;
    })
    .join("\n");
}
