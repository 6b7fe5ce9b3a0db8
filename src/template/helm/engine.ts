// Helm 3's template engine on top of the text/template port: parse order, missingkey=zero,
// `<no value>` stripping, include/tpl/required/fail and Helm's error wording.

import { TemplateExecError, TemplateParseError } from "../errors.js";
import { sprintf } from "../fmt.js";
import { TemplateSet } from "../template.js";
import type { Tree } from "../parse.js";
import { decodeTrees, encodeTrees } from "../treecodec.js";
import { GoFunc, type GoMap } from "../value.js";
import { nodeCrypto } from "../sprig/node.js";

/** An error as Helm prints it after `Error: `. */
export class HelmRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HelmRenderError";
  }
}

export interface Renderable {
  text: string;
  /** The root object (.Values, .Release, ...) of the chart the file belongs to. */
  vals: GoMap;
  basePath: string;
}

const WARN_START = "HELM_ERR_START";
const WARN_END = "HELM_ERR_END";
const RECURSION_MAX = 1000;

function warnWrap(s: string): string {
  return WARN_START + s + WARN_END;
}

/** Helm's byPathLen ordering, reversed: deepest paths first, then reverse lexical. */
export function sortTemplates(names: Iterable<string>): string[] {
  const slashes = (s: string): number => s.split("/").length - 1;
  return [...names].sort((a, b) => {
    const ca = slashes(a);
    const cb = slashes(b);
    if (ca !== cb) return cb - ca;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

function cleanupParseError(filename: string, err: Error): HelmRenderError {
  const tokens = err.message.split(": ");
  if (tokens.length === 1) return new HelmRenderError(`parse error in (${filename}): ${err.message}`);
  const location = tokens[1] ?? "";
  const errMsg = tokens[tokens.length - 1] ?? "";
  return new HelmRenderError(`parse error at (${location}): ${errMsg}`);
}

function cleanupExecError(filename: string, err: Error): HelmRenderError {
  if (!(err instanceof TemplateExecError)) return new HelmRenderError(err.message);
  const msg = err.message;
  const i1 = msg.indexOf(": ");
  const i2 = i1 < 0 ? -1 : msg.indexOf(": ", i1 + 2);
  if (i2 < 0) return new HelmRenderError(`execution error in (${filename}): ${msg}`);
  const location = msg.slice(i1 + 2, i2);
  const rest = msg.slice(i2 + 2);
  const s = rest.indexOf(WARN_START);
  const e = rest.lastIndexOf(WARN_END);
  if (s >= 0 && e > s) {
    return new HelmRenderError(`execution error at (${location}): ${rest.slice(s + WARN_START.length, e)}`);
  }
  return new HelmRenderError(msg);
}

/** The functions Helm adds on top of Sprig, bound to a template set. */
function helmBoundFuncs(t: TemplateSet, includedNames: Map<string, number>): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  m.set(
    "include",
    new GoFunc(
      "include",
      ["string", "any"],
      null,
      (name: unknown, data: unknown) => {
        const n = name as string;
        const count = includedNames.get(n);
        if (count !== undefined) {
          if (count > RECURSION_MAX) {
            throw new Error(`rendering template has a nested reference name: ${n}: unable to execute template`);
          }
          includedNames.set(n, count + 1);
        } else {
          includedNames.set(n, 1);
        }
        try {
          return t.execute(n, data === null ? undefined : data, "gotpl");
        } finally {
          includedNames.set(n, (includedNames.get(n) ?? 1) - 1);
        }
      },
      "string",
    ),
  );
  m.set(
    "tpl",
    new GoFunc(
      "tpl",
      ["string", "any"],
      null,
      (tpl: unknown, vals: unknown) => {
        const text = tpl as string;
        const clone = t.clone();
        clone.addFuncs(helmBoundFuncs(clone, includedNames));
        try {
          clone.parse("gotpl", text);
        } catch (e) {
          throw new Error(`cannot parse template ${JSON.stringify(text)}: ${(e as Error).message}`);
        }
        let out: string;
        try {
          out = clone.execute("gotpl", vals === null ? undefined : vals);
        } catch (e) {
          throw new Error(`error during tpl function execution for ${JSON.stringify(text)}: ${(e as Error).message}`);
        }
        return out.replaceAll("<no value>", "");
      },
      "string",
    ),
  );
  return m;
}

/** Functions of Helm's engine that don't need the template set. */
export function helmStaticFuncs(): Map<string, GoFunc> {
  const m = new Map<string, GoFunc>();
  m.set(
    "required",
    new GoFunc("required", ["string", "any"], null, (warn: unknown, val: unknown) => {
      if (val === null || val === undefined || val === "") {
        throw new Error(sprintf(warnWrap(warn as string), []));
      }
      return val;
    }),
  );
  m.set(
    "fail",
    new GoFunc(
      "fail",
      ["string"],
      null,
      (msg: unknown) => {
        throw new Error(warnWrap(msg as string));
      },
      "string",
    ),
  );
  return m;
}

export interface EngineOptions {
  /** Extra functions (Sprig and Helm's data functions). */
  funcs?: ReadonlyMap<string, GoFunc>;
  strict?: boolean;
  /** Where the parsed templates of a whole chart are kept between runs. */
  parseCache?: ParseCache;
  /** Called after each template is parsed and after each is executed: a render is one long synchronous run. */
  onProgress?: () => void;
}

/**
 * A store of parsed templates: `key` is a SHA-256 of the codec's version, the function names and every template's
 * name and text, so an entry never needs checking against the chart. Read and write never throw.
 */
export interface ParseCache {
  read(key: string): string | undefined;
  write(key: string, text: string): void;
}

/** Changes whenever treecodec's encoding does, so that older entries are missed. */
const CODEC_VERSION = "trees-3";

/** Parses every template into `t`, from `cache` when it holds the same templates; fills it otherwise. */
function parseAll(t: TemplateSet, tpls: ReadonlyMap<string, Renderable>, keys: readonly string[], cache: ParseCache | undefined, onProgress: (() => void) | undefined): void {
  let key = "";
  let cached: Record<string, unknown> | undefined;
  if (cache !== undefined) {
    const h = nodeCrypto().createHash("sha256").update(CODEC_VERSION).update("\0").update(t.functionKey());
    for (const k of keys) h.update("\0").update(k).update("\0").update(tpls.get(k)?.text ?? "");
    key = h.digest("hex");
    const text = cache.read(key);
    try {
      const data: unknown = text === undefined ? undefined : JSON.parse(text);
      if (typeof data === "object" && data !== null) cached = data as Record<string, unknown>;
    } catch {
      // A damaged entry is parsed again and replaced.
    }
  }
  const parsed: [string, Map<string, Tree>][] = [];
  let missed = false;
  for (const filename of keys) {
    const r = tpls.get(filename);
    if (r === undefined) continue;
    let trees: Map<string, Tree> | undefined = cached !== undefined ? decodeEntry(cached[filename], filename, r.text) : undefined;
    if (trees === undefined) {
      missed = true;
      try {
        trees = t.parseTrees(filename, r.text);
      } catch (e) {
        if (e instanceof TemplateParseError) throw cleanupParseError(filename, e);
        throw e;
      }
    }
    parsed.push([filename, trees]);
    t.define(trees);
    onProgress?.();
  }
  if (cache !== undefined && missed) {
    cache.write(key, JSON.stringify(Object.fromEntries(parsed.map(([name, trees]) => [name, JSON.stringify(encodeTrees(trees))]))));
  }
}

/**
 * One file's trees from its cache entry. Each file's encoding is kept as a JSON string inside the entry and parsed
 * only here, one file at a time: parsing the whole entry into objects at once held every file's encoding in memory
 * beside the decoded trees (about 3 MB more peak RSS on bench/render's library chart).
 */
function decodeEntry(entry: unknown, filename: string, text: string): Map<string, Tree> | undefined {
  if (typeof entry !== "string") return undefined;
  let data: unknown;
  try {
    data = JSON.parse(entry);
  } catch {
    return undefined;
  }
  return decodeTrees(data, filename, text);
}

/**
 * Renders every template whose basename does not start with `_`, as Helm 3's engine does.
 * Throws HelmRenderError worded as Helm prints it.
 */
export function renderTemplates(tpls: ReadonlyMap<string, Renderable>, opts: EngineOptions = {}): Map<string, string> {
  const t = new TemplateSet(opts.funcs, { missingKey: opts.strict === true ? "error" : "zero" });
  const includedNames = new Map<string, number>();
  t.addFuncs(helmStaticFuncs());
  t.addFuncs(helmBoundFuncs(t, includedNames));
  const keys = sortTemplates(tpls.keys());
  parseAll(t, tpls, keys, opts.parseCache, opts.onProgress);
  const rendered = new Map<string, string>();
  for (const filename of keys) {
    const base = filename.slice(filename.lastIndexOf("/") + 1);
    if (base.startsWith("_")) continue;
    const r = tpls.get(filename);
    if (r === undefined) continue;
    const tmplMap: GoMap = new Map<string, unknown>([
      ["Name", filename],
      ["BasePath", r.basePath],
    ]);
    r.vals.set("Template", tmplMap);
    let out: string;
    try {
      out = t.execute(filename, r.vals);
    } catch (e) {
      if (e instanceof Error) throw cleanupExecError(filename, e);
      throw e;
    }
    rendered.set(filename, out.replaceAll("<no value>", ""));
    opts.onProgress?.();
  }
  return rendered;
}
