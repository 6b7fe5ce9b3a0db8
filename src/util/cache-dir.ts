// slipway's cache directory, shared by every cache it keeps (parsed templates, chart archives).
import { isAbsolute, join } from "node:path";

/**
 * `$SLIPWAY_CACHE/<sub>`, else `$XDG_CACHE_HOME/slipway/<sub>` (an absolute XDG_CACHE_HOME only, as the XDG base
 * directory rules say), else `$HOME/.cache/slipway/<sub>`; undefined when there is no usable home.
 */
export function slipwayCacheDir(env: Readonly<Record<string, string | undefined>>, sub: string): string | undefined {
  const own = env["SLIPWAY_CACHE"];
  if (own !== undefined && own !== "") return join(own, sub);
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, "slipway", sub);
  const home = env["HOME"];
  return home !== undefined && isAbsolute(home) ? join(home, ".cache", "slipway", sub) : undefined;
}
