// Helm's own data functions: toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, toToml, lookup.

import { decodeJson, JsonError, jsonKind, marshalJson, type JsonKind } from "../json.js";
import { GoFunc, isMap, type GoMap } from "../value.js";
import { marshalYaml, readYaml, YamlError } from "../yaml/index.js";
import { marshalToml } from "../yaml/toml.js";

const MAP_TYPE = "map[string]interface {}";
const LIST_TYPE = "[]interface {}";

function message(e: unknown): string {
  if (e instanceof JsonError || e instanceof YamlError) return e.message;
  throw e;
}

/** sigs.k8s.io/yaml.Unmarshal into a Go value of the given type name. */
function unmarshalYamlAs(text: string, want: "map" | "list"): unknown {
  const v = readYaml(text);
  const err = kindError(jsonKind(v), want, true);
  if (err !== null) throw err;
  return v;
}

/** Unmarshal's error for a top-level JSON value of the wrong kind (null fits both). */
function kindError(kind: JsonKind, want: "map" | "list", viaYaml: boolean): JsonError | null {
  if (kind === "null" || kind === (want === "map" ? "object" : "array")) return null;
  const msg = `json: cannot unmarshal ${kind} into Go value of type ${want === "map" ? MAP_TYPE : LIST_TYPE}`;
  return new JsonError(viaYaml ? `error unmarshaling JSON: while decoding JSON: ${msg}` : msg);
}

export function toYaml(v: unknown): string {
  try {
    const s = marshalYaml(v);
    return s.endsWith("\n") ? s.slice(0, -1) : s;
  } catch (e) {
    message(e);
    return "";
  }
}

export function fromYaml(s: string): Map<string, unknown> {
  try {
    const v = unmarshalYamlAs(s, "map");
    return isMap(v) ? v : new Map<string, unknown>();
  } catch (e) {
    return new Map([["Error", message(e)]]);
  }
}

export function fromYamlArray(s: string): unknown[] {
  try {
    const v = unmarshalYamlAs(s, "list");
    return Array.isArray(v) ? v : [];
  } catch (e) {
    return [message(e)];
  }
}

export function toJson(v: unknown): string {
  try {
    return marshalJson(v);
  } catch (e) {
    message(e);
    return "";
  }
}

// json.Unmarshal into Helm's map skips a top-level value of another kind; otherwise the map keeps
// what was decoded, and a number out of float64 range decodes as nil and only adds an "Error" key.
// (Go leaves a nil map for "null"; the engine has no typed nil, so it stays an empty map.)
export function fromJson(s: string): Map<string, unknown> {
  try {
    const d = decodeJson(s);
    const kindErr = kindError(d.kind, "map", false);
    if (kindErr !== null) return new Map([["Error", kindErr.message]]);
    const m = isMap(d.value) ? d.value : new Map<string, unknown>();
    if (d.error !== null) m.set("Error", d.error.message);
    return m;
  } catch (e) {
    return new Map([["Error", message(e)]]);
  }
}

// Any error replaces the whole slice with its message.
export function fromJsonArray(s: string): unknown[] {
  try {
    const d = decodeJson(s);
    const err = kindError(d.kind, "list", false) ?? d.error;
    if (err !== null) return [err.message];
    return Array.isArray(d.value) ? d.value : [];
  } catch (e) {
    return [message(e)];
  }
}

export function toToml(v: unknown): string {
  try {
    return marshalToml(v);
  } catch (e) {
    if (e instanceof Error) return e.message;
    throw e;
  }
}

/**
 * Helm's `lookup apiVersion kind namespace name`: a live object (or a list when name is ""), `{}` when there is none.
 * Without a reader it is `helm template`'s: always `{}`.
 */
export type LookupReader = (apiVersion: string, kind: string, namespace: string, name: string) => GoMap;

export function dataFuncMap(lookup?: LookupReader): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  m.set("toYaml", new GoFunc("toYaml", ["any"], null, toYaml, "string"));
  m.set("fromYaml", new GoFunc("fromYaml", ["string"], null, (s) => fromYaml(s as string), "map"));
  m.set("fromYamlArray", new GoFunc("fromYamlArray", ["string"], null, (s) => fromYamlArray(s as string), "list"));
  m.set("toJson", new GoFunc("toJson", ["any"], null, toJson, "string"));
  m.set("fromJson", new GoFunc("fromJson", ["string"], null, (s) => fromJson(s as string), "map"));
  m.set("fromJsonArray", new GoFunc("fromJsonArray", ["string"], null, (s) => fromJsonArray(s as string), "list"));
  m.set("toToml", new GoFunc("toToml", ["any"], null, toToml, "string"));
  m.set(
    "lookup",
    new GoFunc(
      "lookup",
      ["string", "string", "string", "string"],
      null,
      lookup === undefined ? () => new Map<string, unknown>() : (a, k, ns, n) => lookup(a as string, k as string, ns as string, n as string),
      "map",
    ),
  );
  return m;
}
