// text/template's builtin functions (a port of text/template/funcs.go semantics).

import { FuncError } from "./errors.js";
import { sprint, sprintf, sprintln } from "./fmt.js";
import {
  GoComplex,
  GoFunc,
  GoInt,
  GoObject,
  byteLength,
  isMap,
  isTrue,
  stringBytes,
  typeName,
  bytesToString,
  type GoType,
} from "./value.js";

export type Builtins = ReadonlyMap<string, GoFunc>;

export const builtinNames: ReadonlySet<string> = new Set([
  "and",
  "call",
  "html",
  "index",
  "slice",
  "js",
  "len",
  "not",
  "or",
  "print",
  "printf",
  "println",
  "urlquery",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "ne",
]);

// ---------------------------------------------------------------------------------------------
// Comparison

type BasicKind = "bool" | "complex" | "int" | "float" | "string" | "uint" | "invalid";

function basicKind(v: unknown): BasicKind {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float";
  if (typeof v === "string") return "string";
  if (v instanceof GoInt) return v.signed ? "int" : "uint";
  if (v instanceof GoComplex) return "complex";
  return "invalid";
}

const errBadComparisonType = "invalid type for comparison";
const errBadComparison = "incompatible types for comparison";
const errNoComparison = "missing argument for comparison";

function isValid(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function isComparable(v: unknown): boolean {
  return !(Array.isArray(v) || isMap(v) || v instanceof Uint8Array || v instanceof GoFunc);
}

export function eq(arg1: unknown, ...arg2: unknown[]): boolean {
  if (arg1 === null) arg1 = undefined;
  if (arg2.length === 0) throw new FuncError(errNoComparison);
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    if (arg === null) arg = undefined;
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === "int" && k2 === "uint") {
        const a = (arg1 as GoInt).v;
        truth = a >= 0n && a === (arg as GoInt).v;
      } else if (k1 === "uint" && k2 === "int") {
        const b = (arg as GoInt).v;
        truth = b >= 0n && (arg1 as GoInt).v === b;
      } else if (isValid(arg1) && isValid(arg)) {
        throw new FuncError(errBadComparison);
      }
    } else {
      switch (k1) {
        case "bool":
        case "float":
        case "string":
          truth = arg1 === arg;
          break;
        case "int":
        case "uint":
          truth = (arg1 as GoInt).v === (arg as GoInt).v;
          break;
        case "complex": {
          const a = arg1 as GoComplex;
          const b = arg as GoComplex;
          truth = a.re === b.re && a.im === b.im;
          break;
        }
        default: {
          // Non-basic kinds.
          const n1 = !isValid(arg1);
          const n2 = !isValid(arg);
          if (!n1 && !n2 && kindOfNonBasic(arg1) !== kindOfNonBasic(arg)) {
            throw new FuncError(
              sprintf("non-comparable types %s: %v, %s: %v", [arg1, typeName(arg1), typeName(arg), arg]),
            );
          }
          if (n1 || n2) {
            truth = n1 === n2;
          } else {
            if (!isComparable(arg)) {
              throw new FuncError(sprintf("non-comparable type %s: %v", [arg, typeName(arg)]));
            }
            truth = arg1 === arg;
          }
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function kindOfNonBasic(v: unknown): string {
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (isMap(v)) return "map";
  if (v instanceof GoObject) return v.goKind;
  if (v instanceof GoFunc) return "func";
  return "other";
}

export function lt(arg1: unknown, arg2: unknown): boolean {
  if (arg1 === null) arg1 = undefined;
  if (arg2 === null) arg2 = undefined;
  const k1 = basicKind(arg1);
  if (k1 === "invalid") throw new FuncError(errBadComparisonType);
  const k2 = basicKind(arg2);
  if (k2 === "invalid") throw new FuncError(errBadComparisonType);
  if (k1 !== k2) {
    if (k1 === "int" && k2 === "uint") {
      const a = (arg1 as GoInt).v;
      return a < 0n || a < (arg2 as GoInt).v;
    }
    if (k1 === "uint" && k2 === "int") {
      const b = (arg2 as GoInt).v;
      return b >= 0n && (arg1 as GoInt).v < b;
    }
    throw new FuncError(errBadComparison);
  }
  switch (k1) {
    case "bool":
    case "complex":
      throw new FuncError(errBadComparisonType);
    case "float":
      return (arg1 as number) < (arg2 as number);
    case "string":
      return Buffer.compare(Buffer.from(arg1 as string), Buffer.from(arg2 as string)) < 0;
    default:
      return (arg1 as GoInt).v < (arg2 as GoInt).v;
  }
}

function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

// ---------------------------------------------------------------------------------------------
// index, slice, len

function indexArg(index: unknown, cap: number): number {
  let x: bigint;
  if (index instanceof GoInt) x = index.v;
  else if (index === undefined || index === null) throw new FuncError("cannot index slice/array with nil");
  else throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("index of untyped nil");
  for (let idx of indexes) {
    if (idx === null) idx = undefined;
    if (item === null || item === undefined) throw new FuncError("index of nil pointer");
    if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new FuncError("reflect: slice index out of range");
      item = item[x];
    } else if (typeof item === "string") {
      const b = stringBytes(item);
      const x = indexArg(idx, b.length);
      if (x === b.length) throw new FuncError("reflect: string index out of range");
      item = GoInt.of("uint8", b[x] ?? 0);
    } else if (item instanceof Uint8Array) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new FuncError("reflect: slice index out of range");
      item = GoInt.of("uint8", item[x] ?? 0);
    } else if (isMap(item)) {
      if (idx === undefined) throw new FuncError("value is nil; should be of type string");
      if (typeof idx !== "string") {
        throw new FuncError(`value has type ${typeName(idx)}; should be string`);
      }
      const v = item.get(idx);
      item = v === undefined ? null : v;
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function sliceFn(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    cap = byteLength(item);
  } else if (Array.isArray(item) || item instanceof Uint8Array) {
    cap = item.length;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, cap];
  for (let i = 0; i < indexes.length; i++) {
    let a = indexes[i];
    if (a === null) a = undefined;
    const x = indexArg(a, cap);
    idx[i] = x;
  }
  const i0 = idx[0] ?? 0;
  const i1 = idx[1] ?? cap;
  if (i0 > i1) throw new FuncError(`invalid slice index: ${i0} > ${i1}`);
  if (indexes.length < 3) {
    if (typeof item === "string") return bytesToString(stringBytes(item).slice(i0, i1));
    return item.slice(i0, i1);
  }
  const i2 = idx[2] ?? cap;
  if (i1 > i2) throw new FuncError(`invalid slice index: ${i1} > ${i2}`);
  return (item as unknown[]).slice(i0, i1);
}

function length(item: unknown): GoInt {
  if (item === null) throw new FuncError("len of nil pointer");
  if (item === undefined) throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  if (typeof item === "string") return GoInt.int(byteLength(item));
  if (Array.isArray(item) || item instanceof Uint8Array) return GoInt.int(item.length);
  if (isMap(item)) return GoInt.int(item.size);
  const n = item instanceof GoObject ? item.goLen() : undefined;
  if (n !== undefined) return GoInt.int(n);
  throw new FuncError(`len of type ${typeName(item)}`);
}

// ---------------------------------------------------------------------------------------------
// Escapers

/** text/template's evalArgs: a single string as is, otherwise fmt.Sprint with <no value> for nil. */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? "<no value>" : a)));
}

export function htmlEscapeString(s: string): string {
  if (!/[<>&'"\0]/.test(s)) return s;
  let out = "";
  for (const c of s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case "'":
        out += "&#39;";
        break;
      case "&":
        out += "&amp;";
        break;
      case "<":
        out += "&lt;";
        break;
      case ">":
        out += "&gt;";
        break;
      case "\0":
        out += "\uFFFD";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const HEX = "0123456789ABCDEF";

export function jsEscapeString(s: string): string {
  let out = "";
  for (const c of s) {
    const cp = c.codePointAt(0) ?? 0;
    if (cp >= 0x80) {
      if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c) || cp === 0x20) out += c;
      else out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
      continue;
    }
    switch (c) {
      case "\\":
        out += "\\\\";
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case "<":
        out += "\\u003C";
        break;
      case ">":
        out += "\\u003E";
        break;
      case "&":
        out += "\\u0026";
        break;
      case "=":
        out += "\\u003D";
        break;
      default:
        if (cp < 0x20) out += "\\u00" + (HEX[cp >> 4] ?? "0") + (HEX[cp & 15] ?? "0");
        else out += c;
    }
  }
  return out;
}

/** url.QueryEscape */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of stringBytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + (HEX[b >> 4] ?? "0") + (HEX[b & 15] ?? "0");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function call(name: string, fn: unknown, ...args: unknown[]): unknown {
  if (fn === undefined || fn === null) throw new FuncError("call of nil");
  if (!(fn instanceof GoFunc)) throw new FuncError(`non-function ${name} of type ${typeName(fn)}`);
  return fn.impl(...args);
}

function f(name: string, params: GoType[], variadic: GoType | null, impl: (...a: never[]) => unknown, result: GoType = "any"): GoFunc {
  return new GoFunc(name, params, variadic, impl as (...a: unknown[]) => unknown, result);
}

/** The builtin function map of text/template. */
export function createBuiltins(): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  const add = (fn: GoFunc): void => {
    m.set(fn.name, fn);
  };
  add(f("and", ["value"], "value", () => undefined, "value"));
  add(f("or", ["value"], "value", () => undefined, "value"));
  add(f("call", ["value"], "value", call, "value"));
  add(f("html", [], "any", (...a: unknown[]) => htmlEscapeString(evalArgs(a)), "string"));
  add(f("index", ["value"], "value", index, "value"));
  add(f("slice", ["value"], "value", sliceFn, "value"));
  add(f("js", [], "any", (...a: unknown[]) => jsEscapeString(evalArgs(a)), "string"));
  add(f("len", ["value"], null, length, "int"));
  add(f("not", ["value"], null, (a: unknown) => !isTrue(a), "bool"));
  add(f("print", [], "any", (...a: unknown[]) => sprint(a), "string"));
  add(f("printf", ["string"], "any", (fmt: string, ...a: unknown[]) => sprintf(fmt, a), "string"));
  add(f("println", [], "any", (...a: unknown[]) => sprintln(a), "string"));
  add(f("urlquery", [], "any", (...a: unknown[]) => queryEscape(evalArgs(a)), "string"));
  add(f("eq", ["value"], "value", eq, "bool"));
  add(f("ge", ["value", "value"], null, (a: unknown, b: unknown) => !lt(a, b), "bool"));
  add(f("gt", ["value", "value"], null, (a: unknown, b: unknown) => !le(a, b), "bool"));
  add(f("le", ["value", "value"], null, le, "bool"));
  add(f("lt", ["value", "value"], null, lt, "bool"));
  add(f("ne", ["value", "value"], null, (a: unknown, b: unknown) => !eq(a, b), "bool"));
  return m;
}
