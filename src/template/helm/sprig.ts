// Sprig 3.2.3's function map (TxtFuncMap minus env and expandenv), as Helm 3 exposes it.
// The implementations live in src/template/sprig/.

import type { GoFunc } from "../value.js";
import { collectionFuncs } from "../sprig/collections.js";
import { cryptoFuncs } from "../sprig/crypto.js";
import { jsonFuncs } from "../sprig/jsonfuncs.js";
import { numericFuncs } from "../sprig/numeric.js";
import { regexFuncs } from "../sprig/regex.js";
import { semverFuncs } from "../sprig/semver.js";
import { stringFuncs } from "../sprig/strings.js";
import { dateFuncs } from "../sprig/time.js";
import { urlFuncs } from "../sprig/url.js";

export function sprigFuncMap(): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  for (const group of [
    stringFuncs(),
    numericFuncs(),
    collectionFuncs(),
    jsonFuncs(),
    regexFuncs(),
    semverFuncs(),
    dateFuncs(),
    cryptoFuncs(),
    urlFuncs(),
  ]) {
    for (const f of group) m.set(f.name, f);
  }
  // Sprig's own `fail`; Helm's engine replaces it.
  return m;
}
