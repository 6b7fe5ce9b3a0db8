// A set of associated templates sharing functions and definitions (Go's *template.Template).

import { executeTree, type ExecEnv, type MissingKey } from "./exec.js";
import { createBuiltins, type Builtins } from "./funcs.js";
import { isEmptyTree, parse, type Tree } from "./parse.js";
import type { GoFunc } from "./value.js";

export interface TemplateSetOptions {
  /** Go's missingkey option; Helm uses "zero". */
  missingKey?: MissingKey;
}

const sharedBuiltins = createBuiltins();

/**
 * Parse results cached by function-name set, then by text, then by name (the text itself is the key: a joined key
 * would copy every template's text). Trees are immutable.
 */
const parseCache = new Map<string, Map<string, Map<string, Map<string, Tree>>>>();
const PARSE_CACHE_LIMIT = 10000;

export class TemplateSet implements ExecEnv {
  readonly builtins: Builtins = sharedBuiltins;
  readonly missingKey: MissingKey;
  private readonly trees = new Map<string, Tree>();
  /** Functions added to this set; a clone sees its parent's (a tpl call adds two, to a set of ~200). */
  private readonly funcs = new Map<string, GoFunc>();
  /** Whether this set has function names its parent lacks (then its parse-cache key differs). */
  private addsNames = false;
  private funcKey: string | null = null;
  private readonly parent: TemplateSet | null;

  constructor(funcs?: ReadonlyMap<string, GoFunc>, options: TemplateSetOptions = {}, parent: TemplateSet | null = null) {
    this.missingKey = options.missingKey ?? "default";
    this.parent = parent;
    if (funcs !== undefined) this.addFuncs(funcs);
  }

  /** Adds or replaces functions. */
  addFuncs(funcs: ReadonlyMap<string, GoFunc>): void {
    for (const [k, v] of funcs) {
      if (!this.hasFunction(k)) {
        this.addsNames = true;
        this.funcKey = null;
      }
      this.funcs.set(k, v);
    }
  }

  func(name: string): GoFunc | undefined {
    const own = this.funcs.get(name);
    if (own !== undefined) return own;
    return this.parent !== null ? this.parent.func(name) : sharedBuiltins.get(name);
  }

  hasFunction = (name: string): boolean => this.func(name) !== undefined;

  private collectNames(into: Set<string>): void {
    this.parent?.collectNames(into);
    for (const k of this.funcs.keys()) into.add(k);
  }

  /** The sorted function names, joined: parse results are shared between sets with the same names. */
  functionKey(): string {
    if (this.parent !== null && !this.addsNames) return this.parent.functionKey();
    if (this.funcKey === null) {
      const names = new Set<string>(sharedBuiltins.keys());
      this.collectNames(names);
      this.funcKey = [...names].sort().join(",");
    }
    return this.funcKey;
  }

  lookup(name: string): Tree | undefined {
    return this.trees.get(name) ?? this.parent?.lookup(name);
  }

  /**
   * Parses `text` as the template `name`, adding its definitions. As in Go, a definition replaces an
   * existing one of the same name unless the new body is empty.
   */
  parse(name: string, text: string): void {
    this.define(this.parseTrees(name, text));
  }

  /** Adds the trees parseTrees gave (or a cache kept them) for one text, as `parse` does. */
  define(parsed: ReadonlyMap<string, Tree>): void {
    for (const [tname, tree] of parsed) {
      if (isEmptyTree(tree.root) && this.lookup(tname) !== undefined) continue;
      this.trees.set(tname, tree);
    }
  }

  /** The trees of `text` parsed as `name` with this set's functions; they are not added to the set. */
  parseTrees(name: string, text: string): Map<string, Tree> {
    const funcKey = this.functionKey();
    let byFuncs = parseCache.get(funcKey);
    if (byFuncs === undefined) {
      byFuncs = new Map();
      parseCache.set(funcKey, byFuncs);
    }
    let byName = byFuncs.get(text);
    if (byName === undefined) {
      if (byFuncs.size > PARSE_CACHE_LIMIT) byFuncs.clear();
      byName = new Map();
      byFuncs.set(text, byName);
    }
    let parsed = byName.get(name);
    if (parsed === undefined) {
      parsed = parse(name, text, this.hasFunction);
      byName.set(name, parsed);
    }
    return parsed;
  }

  /**
   * A set that sees this set's definitions and functions (also those added to this set later, as for
   * definitions); definitions and functions added to the clone stay in the clone.
   */
  clone(funcs?: ReadonlyMap<string, GoFunc>, options?: TemplateSetOptions): TemplateSet {
    return new TemplateSet(funcs, options ?? { missingKey: this.missingKey }, this);
  }

  /** Executes the template `name` with `data` as dot and `$`. */
  execute(name: string, data: unknown, ownerName: string = name): string {
    const tree = this.lookup(name);
    if (tree === undefined) {
      throw new Error(
        `template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(ownerName)}`,
      );
    }
    return executeTree(this, name, tree, data);
  }
}
