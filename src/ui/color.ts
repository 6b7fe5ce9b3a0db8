/**
 * Decides whether output is coloured and gives the chalk instance that colours it. Takes `--log-color-mode`, whether
 * the stream is a terminal and the environment; gives a chalk level (0 = no colour). Pure: it reads nothing global,
 * so the CLI passes its own `env` and `isTTY`. Only src/cli (through the printers) uses this module.
 */
import { Chalk, type ChalkInstance } from "chalk";

/** werf's `--log-color-mode`. */
export type ColorMode = "auto" | "on" | "off";

export type ColorLevel = 0 | 1 | 2 | 3;

export interface ColorInput {
  readonly mode: ColorMode;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `FORCE_COLOR` as chalk and Node read it: unset → undefined, `0`/`false` → 0, `1`..`3` → that level, anything else → 1. */
function forcedLevel(value: string | undefined): ColorLevel | undefined {
  if (value === undefined) return undefined;
  if (value === "0" || value === "false") return 0;
  if (value === "2" || value === "3") return Number(value) as 2 | 3;
  return 1;
}

/**
 * The flag wins when it is explicit (`on`/`off`); `auto` follows FORCE_COLOR, then NO_COLOR (any non-empty value),
 * then TERM=dumb, then whether the stream is a terminal. FORCE_COLOR beats NO_COLOR as it does in Node and chalk.
 */
export function colorLevel(input: ColorInput): ColorLevel {
  const forced = forcedLevel(input.env["FORCE_COLOR"]);
  if (input.mode === "off") return 0;
  if (input.mode === "on") return forced !== undefined && forced > 1 ? forced : 1;
  if (forced !== undefined) return forced;
  if ((input.env["NO_COLOR"] ?? "") !== "") return 0;
  if (input.env["TERM"] === "dumb") return 0;
  return input.isTTY ? 1 : 0;
}

/** A chalk instance of its own level: the global one detects colour support from process state, which we do not want. */
export function palette(level: ColorLevel): ChalkInstance {
  return new Chalk({ level });
}
