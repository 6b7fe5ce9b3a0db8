// The function map Helm 3 gives templates: Sprig (minus env/expandenv) plus Helm's own data
// functions. include, tpl, required and fail are added by the engine.

import type { GoFunc } from "../value.js";
import { sprigFuncMap } from "./sprig.js";
import { dataFuncMap, type LookupReader } from "./data.js";

/** Functions available to chart templates besides text/template's builtins. */
export function helmFuncMap(lookup?: LookupReader): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  for (const [name, fn] of sprigFuncMap()) m.set(name, fn);
  // Helm's own functions replace Sprig's of the same name (toYaml, toJson, ...).
  for (const [name, fn] of dataFuncMap(lookup)) m.set(name, fn);
  return m;
}
