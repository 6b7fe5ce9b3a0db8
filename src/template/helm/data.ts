// Helm's own data functions: toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, toToml, lookup.

import type { GoFunc } from "../value.js";

export function dataFuncMap(): Map<string, GoFunc> {
  return new Map<string, GoFunc>();
}
