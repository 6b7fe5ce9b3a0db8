// The function map Helm 3 gives templates: Sprig (minus env/expandenv) plus Helm's own data
// functions. include, tpl, required and fail are added by the engine.

import type { GoFunc } from "../value.js";

/** Functions available to chart templates besides text/template's builtins. */
export function helmFuncMap(): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  return m;
}
