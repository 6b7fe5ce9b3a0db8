// Helm's own data functions: toYaml, fromYaml, fromYamlArray, toJson, fromJson, fromJsonArray, toToml, lookup.

import { GoFunc, isMap } from "../value.js";
import { JsonError, jsonKind, marshalJson, marshalYaml, parseJson, readYaml, YamlError } from "../yaml/index.js";
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
  checkKind(v, want, true);
  return v;
}

function checkKind(v: unknown, want: "map" | "list", viaYaml: boolean): void {
  if (v === null) return;
  const ok = want === "map" ? v instanceof Map : Array.isArray(v);
  if (ok) return;
  const msg = `json: cannot unmarshal ${jsonKind(v)} into Go value of type ${want === "map" ? MAP_TYPE : LIST_TYPE}`;
  throw new JsonError(viaYaml ? `error unmarshaling JSON: while decoding JSON: ${msg}` : msg);
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

export function fromJson(s: string): Map<string, unknown> {
  try {
    const v = parseJson(s);
    checkKind(v, "map", false);
    return isMap(v) ? v : new Map<string, unknown>();
  } catch (e) {
    return new Map([["Error", message(e)]]);
  }
}

export function fromJsonArray(s: string): unknown[] {
  try {
    const v = parseJson(s);
    checkKind(v, "list", false);
    return Array.isArray(v) ? v : [];
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

export function dataFuncMap(): Map<string, GoFunc> {
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
    new GoFunc("lookup", ["string", "string", "string", "string"], null, () => new Map<string, unknown>(), "map"),
  );
  return m;
}
