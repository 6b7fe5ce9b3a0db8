// values.schema.json as Helm 3.17 applies it (chartutil.ValidateAgainstSchema): the coalesced values
// of the chart and of every enabled subchart are checked against that chart's JSON Schema the way
// github.com/xeipuuv/gojsonschema v1.2.0 does it (hybrid draft 4/6/7 keywords, its English messages,
// its error order and its "best candidate" errors for anyOf/oneOf/contains). Takes a loaded chart and
// its values; gives Helm's error text. Pure: no I/O.
//
// Where Helm is not deterministic (Go map order of "properties" and of an object's keys) this module
// follows the schema's and the values' own key order.

import { SlipwayError } from "../errors.js";
import { JsonError, marshalJson, parseJson } from "../template/json.js";
import { compileGo } from "../template/sprig/regex.js";
import { GoInt, isMap } from "../template/value.js";
import type { Chart } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Exact numbers (big.Rat): schema numbers are json.Number, values are what json.Marshal printed.

interface Rat {
  readonly n: bigint;
  readonly d: bigint;
}

function ratOf(text: string): Rat | null {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null) return null;
  const frac = m[3] ?? "";
  let n = BigInt((m[2] ?? "0") + frac);
  let d = 10n ** BigInt(frac.length);
  const exp = Number(m[4] ?? "0");
  if (exp > 0) n *= 10n ** BigInt(exp);
  else if (exp < 0) d *= 10n ** BigInt(-exp);
  if (m[1] === "-") n = -n;
  return { n, d };
}

function numberText(v: number | GoInt): string {
  return v instanceof GoInt ? v.v.toString() : String(v);
}

function ratCmp(a: Rat, b: Rat): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

function ratIsInt(a: Rat): boolean {
  return a.n % a.d === 0n;
}

/**
 * A *big.Float made by SetRat(r) as text/template prints it (%v: shortest %g, exponent of at least two
 * digits). Schema numbers are decimals with fewer digits than the float's 64-bit mantissa holds, so the
 * shortest form is the number's own digits.
 */
function ratText(r: Rat): string {
  if (r.n === 0n) return "0";
  const neg = r.n < 0n;
  let num = neg ? -r.n : r.n;
  let scale = 0;
  while (num % r.d !== 0n && scale < 40) {
    num *= 10n;
    scale++;
  }
  const whole = (num / r.d).toString();
  // value = whole * 10^-scale = 0.<digits> * 10^exp
  let digits = whole.replace(/0+$/, "");
  const exp = whole.length - scale;
  if (digits === "") digits = "0";
  const e = exp - 1;
  let out: string;
  if (e < -4 || e >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(e);
    out = `${mant}e${e < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  } else if (exp <= 0) {
    out = `0.${"0".repeat(-exp)}${digits}`;
  } else if (digits.length <= exp) {
    out = digits + "0".repeat(exp - digits.length);
  } else {
    out = `${digits.slice(0, exp)}.${digits.slice(exp)}`;
  }
  return neg ? `-${out}` : out;
}

// ---------------------------------------------------------------------------------------------
// Compiled schema

interface Pattern {
  readonly text: string;
  readonly re: RegExp;
}

interface SubSchema {
  pass?: boolean;
  ref?: () => SubSchema;
  types: string[];
  properties: [string, SubSchema][];
  patternProperties: [Pattern, SubSchema][];
  additionalProperties?: boolean | SubSchema;
  propertyNames?: SubSchema;
  required: string[];
  minProperties?: number;
  maxProperties?: number;
  dependencies: [string, string[] | SubSchema][];
  items?: SubSchema | SubSchema[];
  additionalItems?: boolean | SubSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
  contains?: SubSchema;
  enum?: string[];
  const?: string;
  minimum?: Rat;
  maximum?: Rat;
  exclusiveMinimum?: Rat;
  exclusiveMaximum?: Rat;
  multipleOf?: Rat;
  minLength?: number;
  maxLength?: number;
  pattern?: Pattern;
  format?: string;
  anyOf: SubSchema[];
  oneOf: SubSchema[];
  allOf: SubSchema[];
  not?: SubSchema;
  if?: SubSchema;
  then?: SubSchema;
  else?: SubSchema;
}

const TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

class CompileError extends Error {}

/** marshalWithoutNumber: JSON with float64 numbers and sorted keys, as gojsonschema compares values. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (x instanceof GoInt) return Number(x.v);
    if (isMap(x)) {
      const m = new Map<string, unknown>();
      for (const [k, e] of x) m.set(k, norm(e));
      return m;
    }
    if (Array.isArray(x)) return x.map(norm);
    return x === undefined ? null : x;
  };
  return marshalJson(norm(v));
}

function isNumber(v: unknown): v is number | GoInt {
  return typeof v === "number" || v instanceof GoInt;
}

class Compiler {
  private readonly cache = new Map<unknown, SubSchema>();

  constructor(private readonly root: unknown) {}

  compile(node: unknown, draft4: boolean): SubSchema {
    const hit = this.cache.get(node);
    if (hit !== undefined) return hit;
    const s: SubSchema = {
      types: [],
      properties: [],
      patternProperties: [],
      required: [],
      dependencies: [],
      uniqueItems: false,
      anyOf: [],
      oneOf: [],
      allOf: [],
    };
    if (typeof node === "boolean") {
      s.pass = node;
      return s;
    }
    if (!isMap(node)) throw new CompileError("Invalid type. Expected: object, given: " + jsonTypeOf(node));
    this.cache.set(node, s);
    const ref = node.get("$ref");
    if (typeof ref === "string") {
      let resolved: SubSchema | undefined;
      const target = this.resolve(ref);
      s.ref = () => (resolved ??= this.compile(target, draft4));
      return s;
    }
    const sub = (key: string): SubSchema | undefined => {
      const v = node.get(key);
      if (v === undefined) return undefined;
      if (!isMap(v) && typeof v !== "boolean") throw new CompileError(`Invalid type. Expected: valid schema, given: ${key}`);
      return this.compile(v, draft4);
    };
    const list = (key: string): SubSchema[] => {
      const v = node.get(key);
      if (v === undefined) return [];
      if (!Array.isArray(v)) throw new CompileError(`${key} must be an array`);
      return v.map((x) => this.compile(x, draft4));
    };
    const int = (key: string): number | undefined => {
      const v = node.get(key);
      if (v === undefined) return undefined;
      if (typeof v !== "number" || !Number.isInteger(v)) throw new CompileError(`${key} must be of an integer`);
      if (v < 0) throw new CompileError(`${key} must be greater than or equal to 0`);
      return v;
    };
    const num = (key: string): Rat | undefined => {
      const v = node.get(key);
      if (v === undefined) return undefined;
      if (typeof v !== "number") throw new CompileError(`${key} must be of a number`);
      return ratOf(numberText(v)) ?? undefined;
    };
    const t = node.get("type");
    for (const x of typeof t === "string" ? [t] : Array.isArray(t) ? t : t === undefined ? [] : [t]) {
      if (typeof x !== "string" || !TYPES.includes(x)) {
        throw new CompileError(
          `has a primitive type that is NOT VALID -- given: /${String(x)}/ Expected valid values are:[${TYPES.join(" ")}]`,
        );
      }
      if (s.types.includes(x)) throw new CompileError(`type has a duplicate value: ${x}`);
      s.types.push(x);
    }
    const props = node.get("properties");
    if (isMap(props)) for (const [k, v] of props) s.properties.push([k, this.compile(v, draft4)]);
    const pprops = node.get("patternProperties");
    if (isMap(pprops)) for (const [k, v] of pprops) s.patternProperties.push([pattern(k), this.compile(v, draft4)]);
    const ap = node.get("additionalProperties");
    if (typeof ap === "boolean") s.additionalProperties = ap;
    else if (ap !== undefined) s.additionalProperties = this.compile(ap, draft4);
    const pn = sub("propertyNames");
    if (pn !== undefined) s.propertyNames = pn;
    const req = node.get("required");
    if (Array.isArray(req)) for (const r of req) if (typeof r === "string") s.required.push(r);
    const setInt = (key: "minProperties" | "maxProperties" | "minItems" | "maxItems" | "minLength" | "maxLength"): void => {
      const v = int(key);
      if (v !== undefined) s[key] = v;
    };
    setInt("minProperties");
    setInt("maxProperties");
    setInt("minItems");
    setInt("maxItems");
    setInt("minLength");
    setInt("maxLength");
    const pairs: [number | undefined, number | undefined, string, string][] = [
      [s.minProperties, s.maxProperties, "minProperties", "maxProperties"],
      [s.minItems, s.maxItems, "minItems", "maxItems"],
      [s.minLength, s.maxLength, "minLength", "maxLength"],
    ];
    for (const [lo, hi, a, b] of pairs) {
      if (lo !== undefined && hi !== undefined && lo > hi) throw new CompileError(`${a} cannot be greater than ${b}`);
    }
    const deps = node.get("dependencies");
    if (isMap(deps)) {
      for (const [k, v] of deps) {
        if (Array.isArray(v)) s.dependencies.push([k, v.filter((x): x is string => typeof x === "string")]);
        else s.dependencies.push([k, this.compile(v, draft4)]);
      }
    }
    const items = node.get("items");
    if (Array.isArray(items)) s.items = items.map((x) => this.compile(x, draft4));
    else if (items !== undefined) s.items = this.compile(items, draft4);
    const ai = node.get("additionalItems");
    if (typeof ai === "boolean") s.additionalItems = ai;
    else if (ai !== undefined) s.additionalItems = this.compile(ai, draft4);
    s.uniqueItems = node.get("uniqueItems") === true;
    const contains = sub("contains");
    if (contains !== undefined) s.contains = contains;
    const en = node.get("enum");
    if (Array.isArray(en)) {
      s.enum = [];
      for (const e of en) {
        const c = canonical(e);
        if (s.enum.includes(c)) throw new CompileError("enum items must be unique");
        s.enum.push(c);
      }
    }
    if (node.has("const")) s.const = canonical(node.get("const"));
    const mo = num("multipleOf");
    if (mo !== undefined) {
      if (mo.n <= 0n) throw new CompileError("multipleOf must be strictly greater than 0");
      s.multipleOf = mo;
    }
    const min = num("minimum");
    if (min !== undefined) s.minimum = min;
    const max = num("maximum");
    if (max !== undefined) s.maximum = max;
    const exMin = node.get("exclusiveMinimum");
    if (typeof exMin === "boolean") {
      if (s.minimum === undefined) throw new CompileError("exclusiveMinimum cannot be used without minimum");
      if (exMin) {
        s.exclusiveMinimum = s.minimum;
        delete s.minimum;
      }
    } else if (exMin !== undefined && !draft4) {
      const r = num("exclusiveMinimum");
      if (r !== undefined) s.exclusiveMinimum = r;
    }
    const exMax = node.get("exclusiveMaximum");
    if (typeof exMax === "boolean") {
      if (s.maximum === undefined) throw new CompileError("exclusiveMaximum cannot be used without maximum");
      if (exMax) {
        s.exclusiveMaximum = s.maximum;
        delete s.maximum;
      }
    } else if (exMax !== undefined && !draft4) {
      const r = num("exclusiveMaximum");
      if (r !== undefined) s.exclusiveMaximum = r;
    }
    const pat = node.get("pattern");
    if (typeof pat === "string") s.pattern = pattern(pat);
    const fmt = node.get("format");
    if (typeof fmt === "string") s.format = fmt;
    s.anyOf = list("anyOf");
    s.oneOf = list("oneOf");
    s.allOf = list("allOf");
    const not = sub("not");
    if (not !== undefined) s.not = not;
    const sIf = sub("if");
    if (sIf !== undefined) s.if = sIf;
    const sThen = sub("then");
    if (sThen !== undefined) s.then = sThen;
    const sElse = sub("else");
    if (sElse !== undefined) s.else = sElse;
    return s;
  }

  /** A local JSON pointer ("#", "#/definitions/x", "#/$defs/x"); anything else is not supported offline. */
  private resolve(ref: string): unknown {
    if (!ref.startsWith("#")) throw new CompileError(`unable to resolve $ref ${ref}: only local references are supported`);
    const frag = decodeURIComponent(ref.slice(1));
    let cur: unknown = this.root;
    if (frag === "") return cur;
    if (!frag.startsWith("/")) throw new CompileError(`unable to resolve $ref ${ref}`);
    for (const raw of frag.slice(1).split("/")) {
      const tok = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      if (isMap(cur)) {
        if (!cur.has(tok)) throw new CompileError(`Object has no key '${tok}'`);
        cur = cur.get(tok);
      } else if (Array.isArray(cur)) {
        const i = /^\d+$/.test(tok) ? Number(tok) : -1;
        if (i < 0 || i >= cur.length) throw new CompileError(`Out of bound array[0,${cur.length}] index '${tok}'`);
        cur = cur[i];
      } else {
        throw new CompileError(`Invalid token reference '${tok}'`);
      }
    }
    return cur;
  }
}

function pattern(text: string): Pattern {
  try {
    return { text, re: compileGo(text).re };
  } catch {
    throw new CompileError(`Invalid regex pattern '${text}'`);
  }
}

function matches(p: Pattern, s: string): boolean {
  p.re.lastIndex = 0;
  return p.re.test(s);
}

function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (isNumber(v)) return "number";
  if (Array.isArray(v)) return "array";
  return "object";
}

// ---------------------------------------------------------------------------------------------
// Validation

class Result {
  errors: string[] = [];
  score = 0;

  add(context: readonly string[], description: string): void {
    this.errors.push(`${field(context)}: ${description}`);
  }

  merge(other: Result): void {
    this.errors.push(...other.errors);
    this.score += other.score;
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }
}

function field(context: readonly string[]): string {
  return context.length === 0 ? "(root)" : context.join(".");
}

function subValidate(s: SubSchema, v: unknown, context: readonly string[]): Result {
  const r = new Result();
  validateRecursive(s, v, r, context);
  return r;
}

function validateRecursive(s: SubSchema, v: unknown, r: Result, context: readonly string[]): void {
  if (s.pass !== undefined) {
    if (!s.pass) r.add(context, "False always fails validation");
    return;
  }
  if (s.ref !== undefined) {
    validateRecursive(s.ref(), v, r, context);
    return;
  }
  const typed = s.types.length > 0;
  const typeError = (given: string): void => {
    r.add(context, `Invalid type. Expected: ${s.types.length > 1 ? `[${s.types.join(",")}]` : s.types[0]}, given: ${given}`);
  };
  if (v === null || v === undefined) {
    if (typed && !s.types.includes("null")) return typeError("null");
    validateSchema(s, null, r, context);
    validateCommon(s, null, r, context);
  } else if (isNumber(v)) {
    const isInt = v instanceof GoInt || Number.isInteger(v);
    if (typed && !(s.types.includes("number") || (isInt && s.types.includes("integer")))) {
      return typeError(isInt ? "integer" : "number");
    }
    validateSchema(s, v, r, context);
    validateNumber(s, v, r, context);
    validateCommon(s, v, r, context);
  } else if (Array.isArray(v)) {
    if (typed && !s.types.includes("array")) return typeError("array");
    validateSchema(s, v, r, context);
    validateArray(s, v, r, context);
    validateCommon(s, v, r, context);
  } else if (isMap(v)) {
    if (typed && !s.types.includes("object")) return typeError("object");
    validateSchema(s, v, r, context);
    validateObject(s, v, r, context);
    validateCommon(s, v, r, context);
    for (const [k, ps] of s.properties) {
      if (v.has(k)) validateRecursive(ps, v.get(k), r, [...context, k]);
    }
  } else if (typeof v === "boolean") {
    if (typed && !s.types.includes("boolean")) return typeError("boolean");
    validateSchema(s, v, r, context);
    validateCommon(s, v, r, context);
  } else if (typeof v === "string") {
    if (typed && !s.types.includes("string")) return typeError("string");
    validateSchema(s, v, r, context);
    validateCommon(s, v, r, context);
    validateString(s, v, r, context);
  }
  r.score++;
}

function validateSchema(s: SubSchema, v: unknown, r: Result, context: readonly string[]): void {
  if (s.anyOf.length > 0) {
    let ok = false;
    let best: Result | null = null;
    for (const sub of s.anyOf) {
      if (ok) continue;
      const res = subValidate(sub, v, context);
      ok = res.valid;
      if (!ok && (best === null || res.score > best.score)) best = res;
    }
    if (!ok) {
      r.add(context, "Must validate at least one schema (anyOf)");
      if (best !== null) r.merge(best);
    }
  }
  if (s.oneOf.length > 0) {
    let n = 0;
    let best: Result | null = null;
    for (const sub of s.oneOf) {
      const res = subValidate(sub, v, context);
      if (res.valid) n++;
      else if (n === 0 && (best === null || res.score > best.score)) best = res;
    }
    if (n !== 1) {
      r.add(context, "Must validate one and only one schema (oneOf)");
      if (n === 0 && best !== null) r.merge(best);
    }
  }
  if (s.allOf.length > 0) {
    let n = 0;
    for (const sub of s.allOf) {
      const res = subValidate(sub, v, context);
      if (res.valid) n++;
      r.merge(res);
    }
    if (n !== s.allOf.length) r.add(context, "Must validate all the schemas (allOf)");
  }
  if (s.not !== undefined && subValidate(s.not, v, context).valid) {
    r.add(context, "Must not validate the schema (not)");
  }
  if (s.dependencies.length > 0 && isMap(v)) {
    for (const key of v.keys()) {
      for (const [dk, dep] of s.dependencies) {
        if (dk !== key) continue;
        if (Array.isArray(dep)) {
          for (const on of dep) if (!v.has(on)) r.add(context, `Has a dependency on ${on}`);
        } else {
          validateRecursive(dep, v, r, context);
        }
      }
    }
  }
  if (s.if !== undefined) {
    const ifValid = subValidate(s.if, v, context).valid;
    if (s.then !== undefined && ifValid) {
      const res = subValidate(s.then, v, context);
      if (!res.valid) {
        r.add(context, 'Must validate "then" as "if" was valid');
        r.merge(res);
      }
    }
    if (s.else !== undefined && !ifValid) {
      const res = subValidate(s.else, v, context);
      if (!res.valid) {
        r.add(context, 'Must validate "else" as "if" was not valid');
        r.merge(res);
      }
    }
  }
  r.score++;
}

function validateCommon(s: SubSchema, v: unknown, r: Result, context: readonly string[]): void {
  if (s.const !== undefined && canonical(v) !== s.const) {
    r.add(context, `${field(context)} does not match: ${s.const}`);
  }
  if (s.enum !== undefined && !s.enum.includes(canonical(v))) {
    r.add(context, `${field(context)} must be one of the following: ${s.enum.join(", ")}`);
  }
  r.score++;
}

function validateArray(s: SubSchema, v: unknown[], r: Result, context: readonly string[]): void {
  if (s.items !== undefined && !Array.isArray(s.items)) {
    for (let i = 0; i < v.length; i++) r.merge(subValidate(s.items, v[i], [...context, String(i)]));
  } else if (s.items !== undefined && s.items.length > 0) {
    const tuple = s.items;
    for (let i = 0; i < tuple.length && i < v.length; i++) {
      r.merge(subValidate(tuple[i] as SubSchema, v[i], [...context, String(i)]));
    }
    if (tuple.length < v.length) {
      if (s.additionalItems === false) r.add(context, "No additional items allowed on array");
      else if (s.additionalItems !== undefined && s.additionalItems !== true) {
        for (let i = tuple.length; i < v.length; i++) r.merge(subValidate(s.additionalItems, v[i], [...context, String(i)]));
      }
    }
  }
  if (s.minItems !== undefined && v.length < s.minItems) r.add(context, `Array must have at least ${s.minItems} items`);
  if (s.maxItems !== undefined && v.length > s.maxItems) r.add(context, `Array must have at most ${s.maxItems} items`);
  if (s.uniqueItems) {
    const seen = new Map<string, number>();
    v.forEach((x, j) => {
      const c = canonical(x);
      const i = seen.get(c);
      if (i !== undefined) r.add(context, `array items[${i},${j}] must be unique`);
      seen.set(c, j);
    });
  }
  if (s.contains !== undefined) {
    let ok = false;
    let best: Result | null = null;
    for (let i = 0; i < v.length; i++) {
      const res = subValidate(s.contains, v[i], [...context, String(i)]);
      if (res.valid) {
        ok = true;
        break;
      }
      if (best === null || res.score > best.score) best = res;
    }
    if (!ok) {
      r.add(context, "At least one of the items must match");
      if (best !== null) r.merge(best);
    }
  }
  r.score++;
}

function validateObject(s: SubSchema, v: Map<string, unknown>, r: Result, context: readonly string[]): void {
  if (s.minProperties !== undefined && v.size < s.minProperties) r.add(context, `Must have at least ${s.minProperties} properties`);
  if (s.maxProperties !== undefined && v.size > s.maxProperties) r.add(context, `Must have at most ${s.maxProperties} properties`);
  for (const req of s.required) {
    if (v.has(req)) r.score++;
    else r.add(context, `${req} is required`);
  }
  for (const [k, x] of v) {
    const found = s.properties.some(([p]) => p === k);
    let ppMatch = false;
    for (const [p, ps] of s.patternProperties) {
      if (matches(p, k)) {
        ppMatch = true;
        r.merge(subValidate(ps, x, [...context, k]));
      }
    }
    if (ppMatch) r.score++;
    if (!found && !ppMatch) {
      if (s.additionalProperties === false) r.add(context, `Additional property ${k} is not allowed`);
      else if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
        r.merge(subValidate(s.additionalProperties, x, [...context, k]));
      }
    }
  }
  if (s.propertyNames !== undefined) {
    for (const k of v.keys()) {
      const res = subValidate(s.propertyNames, k, context);
      if (!res.valid) {
        r.add(context, `Property name of "${k}" does not match`);
        r.merge(res);
      }
    }
  }
  r.score++;
}

function validateString(s: SubSchema, v: string, r: Result, context: readonly string[]): void {
  const runes = [...v].length;
  if (s.minLength !== undefined && runes < s.minLength) r.add(context, `String length must be greater than or equal to ${s.minLength}`);
  if (s.maxLength !== undefined && runes > s.maxLength) r.add(context, `String length must be less than or equal to ${s.maxLength}`);
  if (s.pattern !== undefined && !matches(s.pattern, v)) r.add(context, `Does not match pattern '${s.pattern.text}'`);
  if (s.format !== undefined && !isFormat(s.format, v)) r.add(context, `Does not match format '${s.format}'`);
  r.score++;
}

function validateNumber(s: SubSchema, v: number | GoInt, r: Result, context: readonly string[]): void {
  const x = ratOf(numberText(v));
  if (x === null) return;
  if (s.multipleOf !== undefined && !ratIsInt({ n: x.n * s.multipleOf.d, d: x.d * s.multipleOf.n })) {
    r.add(context, `Must be a multiple of ${ratText(s.multipleOf)}`);
  }
  if (s.maximum !== undefined && ratCmp(x, s.maximum) === 1) r.add(context, `Must be less than or equal to ${ratText(s.maximum)}`);
  if (s.exclusiveMaximum !== undefined && ratCmp(x, s.exclusiveMaximum) >= 0) {
    r.add(context, `Must be less than ${ratText(s.exclusiveMaximum)}`);
  }
  if (s.minimum !== undefined && ratCmp(x, s.minimum) === -1) r.add(context, `Must be greater than or equal to ${ratText(s.minimum)}`);
  if (s.exclusiveMinimum !== undefined && ratCmp(x, s.exclusiveMinimum) <= 0) {
    r.add(context, `Must be greater than ${ratText(s.exclusiveMinimum)}`);
  }
  r.score++;
}

// gojsonschema's format checkers for the common string formats; unknown formats always pass.
const FORMATS: Record<string, (s: string) => boolean> = {
  email: (s) => /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(s),
  ipv4: (s) => /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => s.includes(":") && isIPv6(s),
  uuid: (s) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s),
  date: (s) => /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(s),
  "date-time": (s) =>
    /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/.test(s),
  hostname: (s) =>
    s.length <= 255 && /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(s),
};

function isIPv6(s: string): boolean {
  const parts = s.split("::");
  if (parts.length > 2) return false;
  const groups = parts.flatMap((p) => (p === "" ? [] : p.split(":")));
  const last = groups[groups.length - 1];
  let max = parts.length === 2 ? 7 : 8;
  if (last !== undefined && last.includes(".")) {
    if (FORMATS.ipv4?.(last) !== true) return false;
    groups.pop();
    max--;
  }
  if (parts.length === 2 ? groups.length > max : groups.length !== max) return false;
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g));
}

function isFormat(format: string, v: string): boolean {
  const f = FORMATS[format];
  return f === undefined || f(v);
}

// ---------------------------------------------------------------------------------------------
// Helm's entry points

/** The schema's decode error as gojsonschema's json.Decoder reports it. */
function decodeSchema(text: string): unknown {
  if (text.trim() === "") throw new CompileError("EOF");
  try {
    return parseJson(text);
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    throw new CompileError(e.message === "unexpected end of JSON input" ? "unexpected EOF" : e.message);
  }
}

/** chartutil.ValidateAgainstSingleSchema: "" when valid, else one "- field: message\n" per error (or the compile error). */
export function validateAgainstSingleSchema(values: Map<string, unknown>, schemaText: string): string {
  let schema: SubSchema;
  try {
    const root = decodeSchema(schemaText);
    const draft = isMap(root) ? root.get("$schema") : undefined;
    const draft4 = typeof draft === "string" && draft.includes("draft-04");
    schema = new Compiler(root).compile(root, draft4);
  } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
  const r = subValidate(schema, values, []);
  return r.errors.map((e) => `- ${e}\n`).join("");
}

/** chartutil.ValidateAgainstSchema: the chart's and its enabled subcharts' schemas, parent first. */
export function validateAgainstSchema(chart: Chart, values: Map<string, unknown>): string {
  let out = "";
  if (chart.schema !== null) {
    const err = validateAgainstSingleSchema(values, Buffer.from(chart.schema).toString("utf8"));
    // A schema that does not compile gives one bare message (no "- field:" lines): say which file it is about.
    if (err !== "") out += `${chart.name}:\n${err.startsWith("- ") ? "" : "values.schema.json: "}${err}`;
  }
  for (const sub of chart.dependencies) {
    const sv = values.get(sub.name);
    out += validateAgainstSchema(sub, isMap(sv) ? sv : new Map<string, unknown>());
  }
  return out;
}

/** The check chartutil.ToRenderValues makes after coalescing; throws Helm's error. */
export function checkValuesSchema(chart: Chart, values: Map<string, unknown>): void {
  const err = validateAgainstSchema(chart, values);
  if (err !== "") {
    throw new SlipwayError(`values don't meet the specifications of the schema(s) in the following chart(s):\n${err}`, {
      code: "chart",
    });
  }
}
