// Executor for Go text/template (a port of text/template/exec.go semantics).

import { TemplateExecError } from "./errors.js";
import { formatValue } from "./fmt.js";
import { builtinNames, type Builtins } from "./funcs.js";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  Tree,
  VariableNode,
} from "./parse.js";
import {
  GoComplex,
  GoFunc,
  GoInt,
  GoObject,
  goTypeString,
  isMap,
  isTrue,
  sliceElemType,
  sortedKeys,
  typeName,
  type GoType,
} from "./value.js";

export type MissingKey = "default" | "zero" | "error";

/** What the executor needs from a template set. */
export interface ExecEnv {
  lookup(name: string): Tree | undefined;
  func(name: string): GoFunc | undefined;
  readonly builtins: Builtins;
  readonly missingKey: MissingKey;
}

const MISSING: unique symbol = Symbol("missingVal");
type Final = unknown;

const MAX_EXEC_DEPTH = 100000;

interface Variable {
  name: string;
  value: unknown;
  iface: boolean;
}

/** The argument list of a field or method reached without arguments (never mutated). */
const NO_ARGS: Node[] = [];

const BREAK = 1;
const CONTINUE = 2;

/** Byte-based column and line of a node, as Go's ErrorContext computes them. */
export function errorContext(node: Node): { location: string; context: string } {
  const text = node.tree.text;
  const pos = node.pos;
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf("\n");
  const lineStart = nl + 1;
  const col = Buffer.byteLength(text.slice(lineStart, pos), "utf8");
  let lineNum = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) lineNum++;
  // Go 1.23 (Helm 3.17) prints the whole node; later Go versions truncate it to 20 bytes.
  const context = node.toString();
  return { location: `${node.tree.parseName}:${lineNum}:${col}`, context };
}

function isNillable(t: GoType): boolean {
  return t === "any" || t === "value" || t === "map" || t === "list" || t === "strings" || t === "bytes";
}

export class ExecState {
  private vars: Variable[];
  private node: Node | null = null;
  private fieldIface = false;
  private dotIface = false;

  constructor(
    private readonly env: ExecEnv,
    private tmplName: string,
    root: unknown,
    private depth = 0,
    /** Where the text goes; a {{template}} call writes into its caller's. */
    private readonly out: string[] = [],
  ) {
    this.vars = [{ name: "$", value: root, iface: false }];
  }

  run(tree: Tree, dot: unknown): string {
    this.walk(dot, tree.root);
    return this.out.join("");
  }

  // ------------------------------------------------------------------ errors

  errorf(detail: string): never {
    const name = this.tmplName;
    if (this.node === null) {
      throw new TemplateExecError(`template: ${name}: ${detail}`, name, null, null, detail);
    }
    const { location, context } = errorContext(this.node);
    throw new TemplateExecError(
      `template: ${location}: executing "${name}" at <${context}>: ${detail}`,
      name,
      location,
      context,
      detail,
    );
  }

  at(node: Node): void {
    this.node = node;
  }

  // ------------------------------------------------------------------ variables

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown, iface = false): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) {
        v.value = value;
        v.iface = iface;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) {
      v.value = value;
      v.iface = iface;
    }
  }

  private varValue(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) return v;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // ------------------------------------------------------------------ walk

  // An error ends the whole execution (Go recovers it once, at the top): no ExecState runs on after one, so
  // the walk restores its variables and dot's interface flag on the normal path only, without try/finally.

  private walk(dot: unknown, node: Node): number {
    this.at(node);
    switch (node.type) {
      case "text":
        this.out.push(node.text);
        return 0;
      case "action": {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return 0;
      }
      case "list": {
        const nodes = node.nodes;
        for (let i = 0; i < nodes.length; i++) {
          const r = this.walk(dot, nodes[i] as Node);
          if (r !== 0) return r;
        }
        return 0;
      }
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "range":
        return this.walkRange(dot, node);
      case "template":
        this.walkTemplate(dot, node);
        return 0;
      case "break":
        return BREAK;
      case "continue":
        return CONTINUE;
      case "comment":
        return 0;
      default:
        this.errorf(`unknown node: ${node.toString()}`);
    }
  }

  private walkList(dot: unknown, dotIface: boolean, list: ListNode): number {
    const save = this.dotIface;
    this.dotIface = dotIface;
    const r = this.walk(dot, list);
    this.dotIface = save;
    return r;
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): number {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, node.pipe);
    let r = 0;
    if (isTrue(val)) {
      r = node.type === "with" ? this.walkList(val, false, node.list) : this.walk(dot, node.list);
    } else if (node.elseList !== null) {
      r = this.walk(dot, node.elseList);
    }
    this.pop(mark);
    return r;
  }

  private walkRange(dot: unknown, r: BranchNode): number {
    this.at(r);
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    let ran = false;
    // The index is only made when a second variable receives it.
    const wantIndex = r.pipe.decl.length > 1;
    if (Array.isArray(val)) {
      const elemIface = sliceElemType(val) === "interface {}";
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (this.oneIteration(r, wantIndex ? GoInt.int(i) : undefined, val[i], elemIface) === BREAK) break;
      }
    } else if (val instanceof Map) {
      const keys = sortedKeys(val as Map<string, unknown>);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        ran = true;
        if (this.oneIteration(r, k, (val as Map<string, unknown>).get(k), true) === BREAK) break;
      }
    } else if (val instanceof Uint8Array) {
      for (let i = 0; i < val.length; i++) {
        ran = true;
        if (this.oneIteration(r, wantIndex ? GoInt.int(i) : undefined, GoInt.of("uint8", val[i] ?? 0), false) === BREAK) break;
      }
    } else if (val === undefined || val === null) {
      // Not an error: treated as empty.
    } else if (val instanceof GoObject && typeof (val as { rangeEntries?: unknown }).rangeEntries === "function") {
      const entries = (val as unknown as { rangeEntries(): [unknown, unknown][] }).rangeEntries();
      for (const [k, v] of entries) {
        ran = true;
        if (this.oneIteration(r, k, v, false) === BREAK) break;
      }
    } else {
      this.errorf(`range can't iterate over ${formatValue(val)}`);
    }
    const res = !ran && r.elseList !== null ? this.walk(dot, r.elseList) : 0;
    this.pop(outer);
    return res;
  }

  /** One iteration of a range: sets the declared variables, runs the body, drops what the body declared. */
  private oneIteration(r: BranchNode, index: unknown, elem: unknown, elemIface: boolean): number {
    // The range's own variables were pushed by evalPipeline: they sit on top of the stack here.
    const mark = this.vars.length;
    const decl = r.pipe.decl;
    // Range over integers needs Go 1.24; Helm 3 (Go 1.23) rejects it.
    if (decl.length > 0) {
      if (r.pipe.isAssign) {
        if (decl.length > 1) this.setVar(decl[0]?.ident[0] ?? "", index, false);
        else this.setVar(decl[0]?.ident[0] ?? "", elem, elemIface);
      } else {
        this.setTopVar(1, elem, elemIface);
      }
    }
    if (decl.length > 1) {
      if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? "", elem, elemIface);
      else this.setTopVar(2, index, false);
    }
    const res = this.walkList(elem, elemIface, r.list);
    this.pop(mark);
    return res === BREAK ? BREAK : 0;
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.env.lookup(t.name);
    if (tree === undefined) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe === null ? undefined : this.evalPipeline(dot, t.pipe);
    const st = new ExecState(this.env, t.name, newDot, this.depth + 1, this.out);
    st.walk(newDot, tree.root);
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (typeof v === "string") {
      this.out.push(v);
      return;
    }
    if (v === undefined) {
      this.out.push("<no value>");
      return;
    }
    if (v instanceof GoFunc) this.errorf(`can't print ${node.toString()} of type ${typeName(v)}`);
    this.out.push(formatValue(v));
  }

  // ------------------------------------------------------------------ evaluation

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, cmds[i] as CommandNode, value);
      // A nil interface becomes the invalid value.
      if (value === null) value = undefined;
    }
    const decl = pipe.decl;
    for (let i = 0; i < decl.length; i++) {
      const name = (decl[i] as VariableNode).ident[0] ?? "";
      if (pipe.isAssign) this.setVar(name, value, false);
      else this.vars.push({ name, value, iface: false });
    }
    return value;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${args[0]?.toString() ?? ""}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    if (first === undefined) this.errorf("empty command");
    switch (first.type) {
      case "field":
        return this.evalFieldNode(dot, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
      default:
        break;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(first.toString())}`);
  }

  idealConstant(c: NumberNode): unknown {
    this.at(c);
    if (c.isComplex) return new GoComplex(c.complexRe, c.complexIm);
    const t = c.text;
    const isHexInt = t.length > 2 && t[0] === "0" && (t[1] === "x" || t[1] === "X") && !/[pP]/.test(t);
    const isRuneInt = t.startsWith("'");
    if (c.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(t)) return c.float64;
    if (c.isInt) return new GoInt("int", c.int64);
    if (c.isUint) this.errorf(`${t} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, this.dotIface, field, field.ident, 0, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf("internal error: no fields in evalChainNode");
    if (chain.node.type === "nil") this.errorf(`indirection through explicit nil in ${chain.toString()}`);
    const pipe = this.evalArg(dot, null, chain.node);
    return this.evalFieldChain(dot, pipe, false, chain, chain.field, 0, args, final);
  }

  private evalVariableNode(dot: unknown, variable: VariableNode, args: Node[], final: Final): unknown {
    this.at(variable);
    const v = this.varValue(variable.ident[0] ?? "");
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      this.fieldIface = v.iface;
      return v.value;
    }
    return this.evalFieldChain(dot, v.value, v.iface, variable, variable.ident, 1, args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    iface: boolean,
    node: Node,
    ident: string[],
    start: number,
    args: Node[],
    final: Final,
  ): unknown {
    // The fields are ident[start..]: a variable's chain starts after the variable's name.
    const n = ident.length;
    for (let i = start; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i] ?? "", node, NO_ARGS, MISSING, receiver, iface);
      iface = this.fieldIface;
    }
    return this.evalField(dot, ident[n - 1] ?? "", node, args, final, receiver, iface);
  }

  private evalField(
    dot: unknown,
    fieldName: string,
    node: Node,
    args: Node[],
    final: Final,
    receiver: unknown,
    iface: boolean,
  ): unknown {
    this.fieldIface = false;
    if (receiver === undefined) {
      if (this.env.missingKey === "error") this.errorf(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    // Maps (the common receiver) have no methods here, so they are checked first.
    if (receiver instanceof Map) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const result: unknown = (receiver as Map<string, unknown>).get(fieldName);
      this.fieldIface = true;
      if (result === undefined) {
        switch (this.env.missingKey) {
          case "default":
            this.fieldIface = false;
            return undefined;
          case "zero":
            return null;
          case "error":
            this.errorf(`map has no entry for key ${JSON.stringify(fieldName)}`);
        }
      }
      return result;
    }
    if (receiver instanceof GoObject) {
      const m = receiver.method(fieldName);
      if (m !== undefined) return this.evalCall(dot, m, false, node, fieldName, args, final);
      const f = receiver.field(fieldName);
      if (f !== undefined) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        this.fieldIface = false;
        return f.value;
      }
    }
    const typ = iface ? "interface {}" : typeName(receiver);
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[], final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const fn = this.env.func(name);
    if (fn === undefined) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    const isBuiltin = builtinNames.has(name) && fn === this.env.builtins.get(name);
    return this.evalCall(dot, fn, isBuiltin, cmd, name, args, final);
  }

  private evalCall(
    dot: unknown,
    fn: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: Node[],
    final: Final,
  ): unknown {
    // The arguments are allArgs[1..] (allArgs[0] names the function; an argument-less function value has none).
    const nargs = allArgs.length > 0 ? allArgs.length - 1 : 0;
    const numParams = fn.params.length + (fn.variadic !== null ? 1 : 0);
    let numIn = nargs;
    if (final !== MISSING) numIn++;
    let numFixed = nargs;
    if (fn.variadic !== null) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${nargs}`);
      }
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    if (isBuiltin && (name === "and" || name === "or")) {
      // Lazy: the arguments are evaluated in order until one decides; that one is the result.
      const want = name === "or";
      let v: unknown = undefined;
      for (let i = 1; i < allArgs.length; i++) {
        v = this.evalArg(dot, "value", allArgs[i] as Node);
        if (isTrue(v) === want) return v;
      }
      return final === MISSING ? v : final;
    }

    // Up to three arguments are kept in locals and passed directly: no array per call (and a spread call costs
    // more in V8's baseline tiers). More arguments, or the builtin `call`, take an array.
    let a0: unknown;
    let a1: unknown;
    let a2: unknown;
    let argv: unknown[] | null = null;
    if (numIn <= 3 && !(isBuiltin && name === "call")) {
      if (numIn > 0) a0 = this.callArg(dot, fn, 0, nargs, numFixed, allArgs, final);
      if (numIn > 1) a1 = this.callArg(dot, fn, 1, nargs, numFixed, allArgs, final);
      if (numIn > 2) a2 = this.callArg(dot, fn, 2, nargs, numFixed, allArgs, final);
    } else {
      argv = new Array<unknown>(numIn);
      for (let i = 0; i < numIn; i++) argv[i] = this.callArg(dot, fn, i, nargs, numFixed, allArgs, final);
      if (isBuiltin && name === "call") argv.unshift(allArgs[1]?.toString() ?? "");
    }
    let result: unknown;
    try {
      const impl = fn.impl;
      if (argv !== null) result = impl(...argv);
      else if (numIn === 0) result = impl();
      else if (numIn === 1) result = impl(a0);
      else if (numIn === 2) result = impl(a0, a1);
      else result = impl(a0, a1, a2);
    } catch (e) {
      this.at(node);
      const msg = e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${msg}`);
    }
    this.fieldIface = fn.result === "any" || fn.result === "value";
    if (result === undefined && fn.result !== "value") return null;
    return result;
  }

  /**
   * The j-th argument of a call: an argument node evaluated for its parameter's type, or (after the nargs nodes)
   * the pipeline's value checked against the last parameter's type.
   */
  private callArg(dot: unknown, fn: GoFunc, j: number, nargs: number, numFixed: number, allArgs: Node[], final: Final): unknown {
    if (j < nargs) {
      const t = j < numFixed ? (fn.params[j] ?? "any") : (fn.variadic ?? "any");
      return this.evalArg(dot, t, allArgs[j + 1] as Node);
    }
    let t: GoType;
    if (fn.variadic !== null) {
      t = j < numFixed ? (fn.params[j] ?? "any") : fn.variadic;
    } else {
      t = fn.params[fn.params.length - 1] ?? "any";
    }
    return this.validateType(final, false, t);
  }

  /** Checks a computed value against a parameter type (Go's validateType). */
  private validateType(value: unknown, iface: boolean, typ: GoType | null): unknown {
    if (value === undefined) {
      if (typ === null) return undefined;
      if (isNillable(typ)) return typ === "value" ? undefined : null;
      this.errorf(`invalid value; expected ${goTypeString(typ)}`);
    }
    if (typ === null || typ === "any" || typ === "value") return value;
    if (value === null) {
      if (isNillable(typ)) return null;
      this.errorf(`wrong type for value; expected ${goTypeString(typ)}; got interface {}`);
    }
    let ok: boolean;
    switch (typ) {
      case "string":
        ok = typeof value === "string";
        break;
      case "bool":
        ok = typeof value === "boolean";
        break;
      case "float64":
        ok = typeof value === "number";
        break;
      case "int":
      case "int64":
      case "uint8":
        ok = value instanceof GoInt && value.kind === typ;
        break;
      case "map":
        ok = isMap(value);
        break;
      case "list":
        ok = Array.isArray(value) && sliceElemType(value) === "interface {}";
        break;
      case "strings":
        ok = Array.isArray(value) && sliceElemType(value) === "string";
        break;
      case "bytes":
        ok = value instanceof Uint8Array;
        break;
    }
    if (!ok) {
      void iface;
      this.errorf(`wrong type for value; expected ${goTypeString(typ)}; got ${typeName(value)}`);
    }
    return value;
  }

  /** Evaluates an argument node for a parameter of type `typ` (null = untyped, as for chain bases). */
  evalArg(dot: unknown, typ: GoType | null, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case "dot":
        return this.validateType(dot, this.dotIface, typ);
      case "nil":
        if (typ === null || isNillable(typ)) return typ === "value" ? undefined : null;
        this.errorf(`cannot assign nil to ${goTypeString(typ)}`);
        break;
      case "field": {
        const v = this.evalFieldNode(dot, n, NO_ARGS, MISSING);
        return this.validateType(v, this.fieldIface, typ);
      }
      case "variable": {
        const v = this.evalVariableNode(dot, n, [], MISSING);
        return this.validateType(v, this.fieldIface, typ);
      }
      case "pipe":
        return this.validateType(this.evalPipeline(dot, n), false, typ);
      case "identifier": {
        const v = this.evalFunction(dot, n, n, [], MISSING);
        return this.validateType(v, this.fieldIface, typ);
      }
      case "chain": {
        const v = this.evalChainNode(dot, n, [], MISSING);
        return this.validateType(v, this.fieldIface, typ);
      }
      default:
        break;
    }
    switch (typ) {
      case "bool":
        if (n.type === "bool") return n.value;
        this.errorf(`expected bool; found ${n.toString()}`);
        break;
      case "float64":
        if (n.type === "number" && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${n.toString()}`);
        break;
      case "int":
      case "int64":
        if (n.type === "number" && n.isInt) return GoInt.of(typ, n.int64);
        this.errorf(`expected integer; found ${n.toString()}`);
        break;
      case "uint8":
        if (n.type === "number" && n.isUint) return GoInt.of(typ, n.uint64);
        this.errorf(`expected unsigned integer; found ${n.toString()}`);
        break;
      case "string":
        if (n.type === "string") return n.text;
        this.errorf(`expected string; found ${n.toString()}`);
        break;
      case null:
      case "any":
      case "value":
        return this.evalEmptyInterface(dot, n);
      default:
        break;
    }
    this.errorf(`can't handle ${n.toString()} for arg of type ${goTypeString(typ)}`);
  }

  private evalEmptyInterface(dot: unknown, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
      default:
        this.errorf(`can't handle assignment of ${n.toString()} to empty interface argument`);
    }
  }
}

export function executeTree(env: ExecEnv, name: string, tree: Tree, data: unknown): string {
  const st = new ExecState(env, name, data);
  return st.run(tree, data);
}
