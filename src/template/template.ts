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

/** Parse results cached by function-name set, then by (name, text). Trees are immutable. */
const parseCache = new Map<string, Map<string, Map<string, Tree>>>();
const PARSE_CACHE_LIMIT = 10000;

export class TemplateSet implements ExecEnv {
  readonly builtins: Builtins = sharedBuiltins;
  readonly missingKey: MissingKey;
  private readonly trees = new Map<string, Tree>();
  private readonly funcs: Map<string, GoFunc>;
  private funcKey: string | null = null;
  private readonly parent: TemplateSet | null;

  constructor(funcs?: ReadonlyMap<string, GoFunc>, options: TemplateSetOptions = {}, parent: TemplateSet | null = null) {
    this.missingKey = options.missingKey ?? "default";
    this.funcs = new Map(parent?.funcs ?? sharedBuiltins);
    if (funcs !== undefined) for (const [k, v] of funcs) this.funcs.set(k, v);
    this.parent = parent;
  }

  /** Adds or replaces functions. */
  addFuncs(funcs: ReadonlyMap<string, GoFunc>): void {
    for (const [k, v] of funcs) {
      if (!this.funcs.has(k)) this.funcKey = null;
      this.funcs.set(k, v);
    }
  }

  func(name: string): GoFunc | undefined {
    return this.funcs.get(name);
  }

  hasFunction = (name: string): boolean => this.funcs.has(name);

  lookup(name: string): Tree | undefined {
    return this.trees.get(name) ?? this.parent?.lookup(name);
  }

  /**
   * Parses `text` as the template `name`, adding its definitions. As in Go, a definition replaces an
   * existing one of the same name unless the new body is empty.
   */
  parse(name: string, text: string): void {
    const parsed = this.parseCached(name, text);
    for (const [tname, tree] of parsed) {
      if (isEmptyTree(tree.root) && this.lookup(tname) !== undefined) continue;
      this.trees.set(tname, tree);
    }
  }

  private parseCached(name: string, text: string): Map<string, Tree> {
    if (this.funcKey === null) this.funcKey = [...this.funcs.keys()].sort().join(",");
    let byFuncs = parseCache.get(this.funcKey);
    if (byFuncs === undefined) {
      byFuncs = new Map();
      parseCache.set(this.funcKey, byFuncs);
    }
    const key = name + "\0" + text;
    let parsed = byFuncs.get(key);
    if (parsed === undefined) {
      parsed = parse(name, text, this.hasFunction);
      if (byFuncs.size > PARSE_CACHE_LIMIT) byFuncs.clear();
      byFuncs.set(key, parsed);
    }
    return parsed;
  }

  /**
   * A copy that sees this set's definitions and functions; definitions and functions added to the
   * clone stay in the clone.
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
