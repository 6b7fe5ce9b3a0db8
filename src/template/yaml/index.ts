// YAML and JSON as Helm's template functions see them (sigs.k8s.io/yaml over go-yaml v2,
// encoding/json).

import { formatFloat } from "../strconv.js";
import { EmitMap, PlainScalar, emitYaml, type EmitNode } from "./emit.js";
import { JsonError, JsonNumber, toJsonTree, type JsonObject, type JsonTree } from "../json.js";
import { resolvePlain } from "./resolve.js";
import { sortYamlKeys } from "./sort.js";

export { emitYaml, EmitMap, PlainScalar, type EmitNode } from "./emit.js";
export { JsonError, parseJson } from "../json.js";
export { readYaml, readYamlObject, readYamlRaw, readYamlRawFull, rawToGo, YamlError, YamlInt, YamlRawMap, formatFloat32, type YamlRaw } from "./read.js";
export { resolvePlain, isBase60Float } from "./resolve.js";
export { keyLess, sortYamlKeys } from "./sort.js";

/** The go-yaml v2 node for a JSON value re-read by go-yaml (numbers regain int/float types). */
function jsonToEmit(t: JsonTree): EmitNode {
  if (t === null) return new PlainScalar("null");
  if (typeof t === "boolean") return new PlainScalar(t ? "true" : "false");
  if (typeof t === "string") return yamlReadBack(t);
  if (t instanceof JsonNumber) {
    const r = resolvePlain(t.text);
    if (r.tag === "int") return new PlainScalar(r.value.toString());
    if (r.tag === "float") {
      const s = formatFloat(r.value, "g", -1);
      return new PlainScalar(s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s);
    }
    return new PlainScalar(t.text);
  }
  if (Array.isArray(t)) return t.map(jsonToEmit);
  return objectToEmit(t);
}

function objectToEmit(o: JsonObject): EmitMap {
  const byKey = new Map<string, JsonTree>();
  const keys: string[] = [];
  for (let i = 0; i < o.keys.length; i++) {
    const k = o.keys[i]!;
    if (!byKey.has(k)) keys.push(k);
    byKey.set(k, o.values[i]!);
  }
  sortYamlKeys(keys);
  const values: EmitNode[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    keys[i] = yamlReadBack(k);
    values.push(jsonToEmit(byKey.get(k) ?? null));
  }
  return new EmitMap(keys, values);
}

// Characters JSON leaves raw that go-yaml's reader rejects, and line breaks it folds.
const REJECTED = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;
const NEL_FOLD = /[ \t]*(?:\u0085[ \t]*)+/g;

/** A JSON string as go-yaml reads it back from the JSON text (double-quoted scalar). */
function yamlReadBack(s: string): string {
  if (REJECTED.test(s)) throw new JsonError("yaml: control characters are not allowed");
  if (!s.includes("\u0085")) return s;
  return s.replace(NEL_FOLD, (m) => {
    const breaks = m.split("\u0085").length - 1;
    return breaks === 1 ? " " : "\n".repeat(breaks - 1);
  });
}

/** sigs.k8s.io/yaml.Marshal of a Go value (with the final newline). Throws JsonError. */
export function marshalYaml(v: unknown): string {
  // go-yaml sorts the keys its own way (objectToEmit), so the JSON step's byte-wise sort is skipped: unless a
  // key has a digit or a non-ASCII character (where go-yaml's order is not total and depends on the order it
  // gets), or unless the value cannot be marshalled (the sorted walk finds the same error as encoding/json).
  let tree: JsonTree;
  try {
    tree = toJsonTree(v, orderMatters);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    tree = toJsonTree(v);
  }
  return emitYaml(jsonToEmit(tree));
}

const DIGIT_OR_NON_ASCII = /[0-9\u0080-\uffff]/;

function orderMatters(keys: string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (DIGIT_OR_NON_ASCII.test(keys[i]!)) return true;
  return false;
}
