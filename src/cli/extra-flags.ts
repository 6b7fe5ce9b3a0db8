// Flags a command adds to converge's table (`dismiss --with-namespace`, `rollback --revision`, `plan --exit-code`,
// converge's own `--cleanup-on-fail` and `--deploy-deadline`): taken out of the arguments before the converge
// table parses the rest, with werf's forms (`--x`, `--x=v`, `--x v`) and a WERF_* variable each.
import { SlipwayError } from "../errors.js";
import type { Env } from "./flags.js";
import { parseGoBool } from "./go-values.js";

export interface ExtraFlag {
  readonly name: string;
  readonly kind: "bool" | "int";
  readonly env: string;
  readonly description: string;
}

export type ExtraValues = Record<string, boolean | number | undefined>;

export function takeExtraFlags(args: readonly string[], flags: readonly ExtraFlag[], env: Env): { rest: string[]; values: ExtraValues } {
  const values: ExtraValues = {};
  for (const flag of flags) {
    const fromEnv = env[flag.env];
    if (fromEnv !== undefined && fromEnv !== "") values[flag.name] = parse(flag, fromEnv, `$${flag.env}`);
  }
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    const flag = flags.find((f) => arg === `--${f.name}` || arg.startsWith(`--${f.name}=`));
    if (flag === undefined) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq >= 0) values[flag.name] = parse(flag, arg.slice(eq + 1), `--${flag.name}`);
    else if (flag.kind === "bool") values[flag.name] = true;
    else {
      const next = args[i + 1];
      if (next === undefined) throw new SlipwayError(`flag needs an argument: --${flag.name}`, { code: "usage" });
      values[flag.name] = parse(flag, next, `--${flag.name}`);
      i++;
    }
  }
  return { rest, values };
}

function parse(flag: ExtraFlag, text: string, where: string): boolean | number {
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

/** Help lines for the extra flags, in the style of the flag table's help. */
export function extraFlagsHelp(flags: readonly ExtraFlag[]): string {
  return flags.map((f) => `      --${f.name}${f.kind === "int" ? " int" : ""}\n            ${f.description} (default $${f.env})`).join("\n");
}
