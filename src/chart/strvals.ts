// A port of Helm's pkg/strvals: the parsers behind --set, --set-string, --set-json, --set-file and
// --set-literal. Values are Go values of the template engine (int64 for --set numbers).

import { goPathError } from "../util/go-errors.js";
import { GoInt, isMap, type GoMap } from "../template/value.js";
import { parseJson } from "../template/yaml/index.js";

const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

export class StrvalsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrvalsError";
  }
}

class Eof extends Error {
  constructor() {
    super("EOF");
  }
}
const EOF = new Eof();
class NotList extends Error {}
const ERR_NOT_LIST = new NotList("not a list");

type Reader = (rs: string) => unknown;

class Scanner {
  private i = 0;
  private readonly runes: string[];
  constructor(s: string) {
    this.runes = Array.from(s);
  }
  read(): string | null {
    return this.i < this.runes.length ? this.runes[this.i++]! : null;
  }
  unread(): void {
    this.i--;
  }
  rest(): string {
    return this.runes.slice(this.i).join("");
  }
  skip(n: number): void {
    this.i += n;
  }
}

/** runesUntil: returns [runes, last, eof]. The literal parser's runesUntilLiteral takes backslashes as they are. */
function runesUntil(sc: Scanner, stop: string, escapes = true): [string, string, boolean] {
  let v = "";
  for (;;) {
    const r = sc.read();
    if (r === null) return [v, "", true];
    if (stop.includes(r)) return [v, r, false];
    if (r === "\\" && escapes) {
      const next = sc.read();
      if (next === null) return [v, "", true];
      v += next;
    } else {
      v += r;
    }
  }
}

export function typedVal(val: string, st: boolean): unknown {
  if (st) return val;
  const l = val.toLowerCase();
  if (l === "true") return true;
  if (l === "false") return false;
  if (l === "null") return null;
  if (val === "0") return GoInt.int64(0);
  if (val.length !== 0 && val[0] !== "0" && /^[+-]?\d+$/.test(val)) {
    const b = BigInt(val);
    if (b >= -(1n << 63n) && b < 1n << 63n) return GoInt.int64(b);
  }
  return val;
}

function set(data: GoMap, key: string, val: unknown): void {
  if (key.length === 0) return;
  data.set(key, val);
}

function setIndex(list: unknown[], index: number, val: unknown): unknown[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) {
    throw new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  }
  while (list.length <= index) list.push(null);
  list[index] = val;
  return list;
}

function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new StrvalsError(`error parsing index: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function isSpace(r: string): boolean {
  return /^\s$/u.test(r);
}

class Parser {
  constructor(
    private readonly sc: Scanner,
    private readonly data: GoMap,
    private readonly reader: Reader,
    private readonly isJson = false,
    private readonly literal = false,
  ) {}

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (e === EOF) return;
        throw e;
      }
    }
  }

  private asList(v: unknown): unknown[] {
    if (!Array.isArray(v)) {
      throw new StrvalsError(`unable to parse key: interface conversion: interface {} is ${goTypeOf(v)}, not []interface {}`);
    }
    return v;
  }

  private asMap(v: unknown): GoMap {
    if (!isMap(v)) {
      throw new StrvalsError(
        `unable to parse key: interface conversion: interface {} is ${goTypeOf(v)}, not map[string]interface {}`,
      );
    }
    return v;
  }

  key(data: GoMap, level: number): void {
    const stop = this.literal ? "=[." : "=[,.";
    const [k, last, eof] = runesUntil(this.sc, stop, !this.literal);
    if (eof) {
      if (k.length === 0) throw EOF;
      throw new StrvalsError(`key ${JSON.stringify(k)} has no value`);
    }
    switch (last) {
      case "[": {
        const i = this.keyIndex();
        let list: unknown[] = [];
        if (data.has(k)) list = this.asList(data.get(k));
        let err: Error | null = null;
        try {
          list = this.listItem(list, i, level);
        } catch (e) {
          err = e as Error;
        }
        set(data, k, list);
        if (err !== null) throw err;
        return;
      }
      case "=": {
        if (this.literal) {
          set(data, k, this.sc.rest());
          this.sc.skip(this.sc.rest().length);
          throw EOF;
        }
        if (this.isJson) {
          if (this.emptyVal()) {
            set(data, k, null);
            return;
          }
          set(data, k, this.decodeJson());
          this.emptyVal();
          return;
        }
        let vl: unknown[];
        try {
          vl = this.valList();
        } catch (e) {
          if (e === EOF) {
            set(data, k, "");
            throw EOF;
          }
          if (e === ERR_NOT_LIST) {
            const [rs] = runesUntil(this.sc, ",");
            set(data, k, this.reader(rs));
            return;
          }
          throw e;
        }
        set(data, k, vl);
        return;
      }
      case ",":
        set(data, k, "");
        throw new StrvalsError(`key ${JSON.stringify(k)} has no value (cannot end with ,)`);
      default: {
        // '.'
        level++;
        if (level > MAX_NESTED_NAME_LEVEL) {
          throw new StrvalsError(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        let inner: GoMap = new Map();
        if (data.has(k)) inner = this.asMap(data.get(k));
        let err: Error | null = null;
        try {
          this.key(inner, level);
        } catch (e) {
          err = e as Error;
        }
        if (err === null && inner.size === 0) throw new StrvalsError(`key map ${JSON.stringify(k)} has no value`);
        if (inner.size !== 0) set(data, k, inner);
        if (err !== null) throw err;
      }
    }
  }

  private decodeJson(): unknown {
    // Decode one JSON value from the rest of the input (json.Decoder semantics: stops after the value).
    const rest = this.sc.rest();
    const end = jsonValueEnd(rest);
    const v = parseJson(rest.slice(0, end));
    this.sc.skip(Array.from(rest.slice(0, end)).length);
    return v;
  }

  private keyIndex(): number {
    const [v, , eof] = runesUntil(this.sc, "]", !this.literal);
    // Wrapped, so the end of the input here is an error rather than the end of the parse.
    if (eof) throw new StrvalsError("error parsing index: EOF");
    return atoi(v);
  }

  private listItem(list: unknown[], i: number, level: number): unknown[] {
    if (i < 0) throw new StrvalsError(`negative ${i} index not allowed`);
    const [k, last, eof] = runesUntil(this.sc, "[.=", !this.literal);
    if (k.length > 0) throw new StrvalsError(`unexpected data at end of array index: ${goQuoteRunes(k)}`);
    if (eof) throw EOF;
    switch (last) {
      case "=": {
        if (this.literal) {
          const rest = this.sc.rest();
          this.sc.skip(Array.from(rest).length);
          return setIndex(list, i, rest);
        }
        if (this.isJson) {
          if (this.emptyVal()) return setIndex(list, i, null);
          const l = setIndex(list, i, this.decodeJson());
          this.emptyVal();
          return l;
        }
        try {
          return setIndex(list, i, this.valList());
        } catch (e) {
          if (e === EOF) return setIndex(list, i, "");
          if (e === ERR_NOT_LIST) {
            const [rs] = runesUntil(this.sc, ",");
            return setIndex(list, i, this.reader(rs));
          }
          throw e;
        }
      }
      case "[": {
        const nextI = this.keyIndex();
        let crt: unknown[] = [];
        if (list.length > i && list[i] !== null && list[i] !== undefined) crt = this.asList(list[i]);
        return setIndex(list, i, this.listItem(crt, nextI, level));
      }
      default: {
        let inner: GoMap = new Map();
        if (list.length > i) {
          const cur = list[i];
          if (isMap(cur)) inner = cur;
          else list[i] = inner;
        }
        this.key(inner, level);
        return setIndex(list, i, inner);
      }
    }
  }

  private emptyVal(): boolean {
    for (;;) {
      const r = this.sc.read();
      if (r === null) return true;
      if (r === ",") return true;
      if (!isSpace(r)) {
        this.sc.unread();
        return false;
      }
    }
  }

  private valList(): unknown[] {
    const r = this.sc.read();
    if (r === null) throw EOF;
    if (r !== "{") {
      this.sc.unread();
      throw ERR_NOT_LIST;
    }
    const list: unknown[] = [];
    for (;;) {
      const [rs, last, eof] = runesUntil(this.sc, ",}");
      if (eof) throw new StrvalsError("list must terminate with '}'");
      if (last === "}") {
        const n = this.sc.read();
        if (n !== null && n !== ",") this.sc.unread();
        list.push(this.reader(rs));
        return list;
      }
      list.push(this.reader(rs));
    }
  }
}

/** The length of the first JSON value in `s` (after leading whitespace), as json.Decoder consumes it. */
function jsonValueEnd(s: string): number {
  let i = 0;
  while (i < s.length && /\s/.test(s[i]!)) i++;
  let depth = 0;
  let inStr = false;
  const start = i;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') {
        inStr = false;
        if (depth === 0) return i + 1;
      }
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === "," || /\s/.test(c)) && i > start) return i;
  }
  return s.length;
}

function goTypeOf(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float64";
  if (v instanceof GoInt) return v.kind;
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

function wrap(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e === EOF) return;
    throw e;
  }
}

/** strvals.ParseInto (--set). */
export function parseSet(s: string, dest: GoMap): void {
  wrap(() => new Parser(new Scanner(s), dest, (rs) => typedVal(rs, false)).parse());
}

/** strvals.ParseIntoString (--set-string). */
export function parseSetString(s: string, dest: GoMap): void {
  wrap(() => new Parser(new Scanner(s), dest, (rs) => typedVal(rs, true)).parse());
}

/** strvals.ParseJSON (--set-json). */
export function parseSetJson(s: string, dest: GoMap): void {
  wrap(() => new Parser(new Scanner(s), dest, (rs) => typedVal(rs, true), true).parse());
}

/** strvals.ParseIntoFile (--set-file): each value is a path read by `readFile`; a failed read is worded as Go's. */
export function parseSetFile(s: string, dest: GoMap, readFile: (path: string) => string): void {
  const read = (path: string): string => {
    try {
      return readFile(path);
    } catch (e) {
      throw new StrvalsError(goPathError("open", path, e));
    }
  };
  wrap(() => new Parser(new Scanner(s), dest, read).parse());
}

/** Go's %q of a []rune: `['a' 'b']`. */
function goQuoteRunes(s: string): string {
  const quote = (r: string): string => {
    if (r === "'" || r === "\\") return `'\\${r}'`;
    const code = r.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      const named: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v" };
      return `'${named[r] ?? `\\x${code.toString(16).padStart(2, "0")}`}'`;
    }
    return `'${r}'`;
  };
  return `[${Array.from(s).map(quote).join(" ")}]`;
}

/** strvals.ParseLiteralInto (--set-literal): the value is the rest of the string, verbatim. */
export function parseSetLiteral(s: string, dest: GoMap): void {
  wrap(() => new Parser(new Scanner(s), dest, (rs) => rs, false, true).parse());
}
