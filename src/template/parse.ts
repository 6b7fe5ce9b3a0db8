// Parser for Go text/template (a port of text/template/parse/parse.go and node.go semantics).

import { ItemType, Lexer, type Item } from "./lex.js";
import { quote, underscoreOK, unquote } from "./strconv.js";

export class TemplateParseError extends Error {
  constructor(
    message: string,
    readonly templateName: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(message);
    this.name = "TemplateParseError";
  }
}

/** A parsed template body. `text` is the source of the file it came from (for error positions). */
export class Tree {
  root: ListNode;
  constructor(
    public name: string,
    readonly parseName: string,
    readonly text: string,
  ) {
    this.root = new ListNode(this, 0);
  }
}

// The node classes declare their fields (`declare`) and set them in the constructor only. With
// class fields, V8 runs a separate initializer function per class for every node made; the parser
// makes many nodes while still in the interpreter, where each call counts.
abstract class BaseNode {
  declare readonly tree: Tree;
  declare readonly pos: number;
  constructor(tree: Tree, pos: number) {
    this.tree = tree;
    this.pos = pos;
  }
  abstract toString(): string;
}

export class ListNode extends BaseNode {
  declare readonly type: "list";
  declare nodes: Node[];
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "list";
    this.nodes = [];
  }
  toString(): string {
    return this.nodes.map((n) => n.toString()).join("");
  }
}

export class TextNode extends BaseNode {
  declare readonly type: "text";
  declare readonly text: string;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.type = "text";
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

export class CommentNode extends BaseNode {
  declare readonly type: "comment";
  declare readonly text: string;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.type = "comment";
    this.text = text;
  }
  toString(): string {
    return "{{" + this.text + "}}";
  }
}

export class VariableNode extends BaseNode {
  declare readonly type: "variable";
  declare readonly ident: string[];
  /** `ident` is the variable's text ("$x.a.b") or its parts already split. */
  constructor(tree: Tree, pos: number, ident: string | string[]) {
    super(tree, pos);
    this.type = "variable";
    this.ident = typeof ident === "string" ? ident.split(".") : ident;
  }
  toString(): string {
    return this.ident.join(".");
  }
}

export class DotNode extends BaseNode {
  declare readonly type: "dot";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "dot";
  }
  toString(): string {
    return ".";
  }
}

export class NilNode extends BaseNode {
  declare readonly type: "nil";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "nil";
  }
  toString(): string {
    return "nil";
  }
}

export class FieldNode extends BaseNode {
  declare readonly type: "field";
  declare readonly ident: string[];
  /** `ident` is the field's text (".a.b", the leading dot is dropped) or its names already split. */
  constructor(tree: Tree, pos: number, ident: string | string[]) {
    super(tree, pos);
    this.type = "field";
    this.ident = typeof ident === "string" ? ident.slice(1).split(".") : ident;
  }
  toString(): string {
    return this.ident.map((i) => "." + i).join("");
  }
}

export class ChainNode extends BaseNode {
  declare readonly type: "chain";
  declare readonly node: Node;
  declare readonly field: string[];
  constructor(tree: Tree, pos: number, node: Node) {
    super(tree, pos);
    this.type = "chain";
    this.node = node;
    this.field = [];
  }
  add(field: string): void {
    if (field.length === 0 || field[0] !== ".") throw new Error("no dot in field");
    field = field.slice(1);
    if (field === "") throw new Error("empty field");
    this.field.push(field);
  }
  toString(): string {
    let s = this.node.toString();
    if (this.node.type === "pipe") s = "(" + s + ")";
    for (const f of this.field) s += "." + f;
    return s;
  }
}

export class IdentifierNode extends BaseNode {
  declare readonly type: "identifier";
  declare readonly ident: string;
  constructor(tree: Tree, pos: number, ident: string) {
    super(tree, pos);
    this.type = "identifier";
    this.ident = ident;
  }
  toString(): string {
    return this.ident;
  }
}

export class BoolNode extends BaseNode {
  declare readonly type: "bool";
  declare readonly value: boolean;
  constructor(tree: Tree, pos: number, value: boolean) {
    super(tree, pos);
    this.type = "bool";
    this.value = value;
  }
  toString(): string {
    return this.value ? "true" : "false";
  }
}

export class NumberNode extends BaseNode {
  declare readonly type: "number";
  declare readonly text: string;
  declare isInt: boolean;
  declare isUint: boolean;
  declare isFloat: boolean;
  declare isComplex: boolean;
  declare int64: bigint;
  declare uint64: bigint;
  declare float64: number;
  declare complexRe: number;
  declare complexIm: number;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.type = "number";
    this.text = text;
    this.isInt = false;
    this.isUint = false;
    this.isFloat = false;
    this.isComplex = false;
    this.int64 = 0n;
    this.uint64 = 0n;
    this.float64 = 0;
    this.complexRe = 0;
    this.complexIm = 0;
  }
  toString(): string {
    return this.text;
  }
}

export class StringNode extends BaseNode {
  declare readonly type: "string";
  declare readonly quoted: string;
  declare readonly text: string;
  constructor(tree: Tree, pos: number, quoted: string, text: string) {
    super(tree, pos);
    this.type = "string";
    this.quoted = quoted;
    this.text = text;
  }
  toString(): string {
    return this.quoted;
  }
}

export class CommandNode extends BaseNode {
  declare readonly type: "command";
  declare args: Node[];
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "command";
    this.args = [];
  }
  toString(): string {
    return this.args.map((a) => (a.type === "pipe" ? "(" + a.toString() + ")" : a.toString())).join(" ");
  }
}

export class PipeNode extends BaseNode {
  declare readonly type: "pipe";
  declare readonly line: number;
  declare isAssign: boolean;
  declare decl: VariableNode[];
  declare cmds: CommandNode[];
  constructor(tree: Tree, pos: number, line: number) {
    super(tree, pos);
    this.type = "pipe";
    this.line = line;
    this.isAssign = false;
    this.decl = [];
    this.cmds = [];
  }
  toString(): string {
    let s = "";
    if (this.decl.length > 0) {
      s = this.decl.map((d) => d.toString()).join(", ") + (this.isAssign ? " = " : " := ");
    }
    return s + this.cmds.map((c) => c.toString()).join(" | ");
  }
}

export class ActionNode extends BaseNode {
  declare readonly type: "action";
  declare readonly line: number;
  declare readonly pipe: PipeNode;
  constructor(tree: Tree, pos: number, line: number, pipe: PipeNode) {
    super(tree, pos);
    this.type = "action";
    this.line = line;
    this.pipe = pipe;
  }
  toString(): string {
    return "{{" + this.pipe.toString() + "}}";
  }
}

export class BranchNode extends BaseNode {
  declare readonly type: "if" | "range" | "with";
  declare readonly line: number;
  declare readonly pipe: PipeNode;
  declare readonly list: ListNode;
  declare readonly elseList: ListNode | null;
  constructor(
    tree: Tree,
    pos: number,
    type: "if" | "range" | "with",
    line: number,
    pipe: PipeNode,
    list: ListNode,
    elseList: ListNode | null,
  ) {
    super(tree, pos);
    this.type = type;
    this.line = line;
    this.pipe = pipe;
    this.list = list;
    this.elseList = elseList;
  }
  toString(): string {
    let s = "{{" + this.type + " " + this.pipe.toString() + "}}" + this.list.toString();
    if (this.elseList) s += "{{else}}" + this.elseList.toString();
    return s + "{{end}}";
  }
}

export class TemplateNode extends BaseNode {
  declare readonly type: "template";
  declare readonly line: number;
  declare readonly name: string;
  declare readonly pipe: PipeNode | null;
  constructor(tree: Tree, pos: number, line: number, name: string, pipe: PipeNode | null) {
    super(tree, pos);
    this.type = "template";
    this.line = line;
    this.name = name;
    this.pipe = pipe;
  }
  toString(): string {
    if (this.pipe === null) return "{{template " + quote(this.name) + "}}";
    return "{{template " + quote(this.name) + " " + this.pipe.toString() + "}}";
  }
}

export class BreakNode extends BaseNode {
  declare readonly type: "break";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "break";
  }
  toString(): string {
    return "{{break}}";
  }
}

export class ContinueNode extends BaseNode {
  declare readonly type: "continue";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "continue";
  }
  toString(): string {
    return "{{continue}}";
  }
}

class EndNode extends BaseNode {
  declare readonly type: "end";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "end";
  }
  toString(): string {
    return "{{end}}";
  }
}

class ElseNode extends BaseNode {
  declare readonly type: "else";
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.type = "else";
  }
  toString(): string {
    return "{{else}}";
  }
}

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | IdentifierNode
  | BoolNode
  | NumberNode
  | StringNode
  | CommandNode
  | PipeNode
  | ActionNode
  | BranchNode
  | TemplateNode
  | BreakNode
  | ContinueNode;

type AnyNode = Node | EndNode | ElseNode;

/** IsEmptyTree: only whitespace text and comments. */
export function isEmptyTree(n: Node | null): boolean {
  if (n === null) return true;
  switch (n.type) {
    case "comment":
      return true;
    case "list":
      return n.nodes.every((c) => isEmptyTree(c));
    case "text":
      return n.text.trim() === "" && !/[^\s]/.test(n.text);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Go-compatible parsing of numeric literals.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;


/** strconv.ParseInt/ParseUint(s, 0, 64) returning a bigint or undefined. */
export function parseGoInt(text: string, unsigned: boolean): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith("+") || s.startsWith("-")) {
    if (unsigned) return undefined;
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "") return undefined;
  let base = 10;
  let body = s;
  let prefixed = false;
  if (s[0] === "0" && s.length > 1) {
    const p = s[1]?.toLowerCase();
    if (p === "x") {
      base = 16;
      body = s.slice(2);
      prefixed = true;
    } else if (p === "o") {
      base = 8;
      body = s.slice(2);
      prefixed = true;
    } else if (p === "b") {
      base = 2;
      body = s.slice(2);
      prefixed = true;
    } else {
      base = 8;
      body = s.slice(1);
      prefixed = true;
    }
  }
  if (body.includes("_")) {
    if (!underscoreOK(text)) return undefined;
    body = body.replace(/_/g, "");
  }
  if (body === "") return prefixed && base === 8 && s === "0" ? 0n : undefined;
  const digitRe = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digitRe.test(body)) return undefined;
  let v = BigInt((base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "") + body);
  if (neg) v = -v;
  if (unsigned) return v <= UINT64_MAX ? v : undefined;
  return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
}

/** strconv.ParseFloat(s, 64) for the literal forms the lexer produces. */
export function parseGoFloat(text: string): number | undefined {
  let s = text;
  if (s.includes("_")) {
    if (!underscoreOK(s)) return undefined;
    s = s.replace(/_/g, "");
  }
  let sign = 1;
  if (s.startsWith("+") || s.startsWith("-")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (/^0[xX]/.test(s)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(s);
    if (!m) return undefined;
    const intPart = m[1] ?? "";
    const frac = m[2] ?? "";
    if (intPart === "" && frac === "") return undefined;
    const mant = BigInt("0x" + (intPart + frac || "0"));
    const exp = Number(m[3]) - 4 * frac.length;
    return sign * Number(mant) * Math.pow(2, exp);
  }
  if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  const v = Number(s);
  if (!Number.isFinite(v)) return undefined; // out of range
  return sign * v;
}

// ---------------------------------------------------------------------------------------------

export interface ParseResult {
  /** The trees defined by this text, including the top-level one under `name`. */
  trees: Map<string, Tree>;
}

class Parser {
  private items: Item[];
  private idx = 0;
  private furthest = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private actionLine = 0;
  private tree: Tree;

  constructor(
    private readonly parseName: string,
    private readonly text: string,
    private readonly hasFunction: (name: string) => boolean,
    private readonly treeSet: Map<string, Tree>,
  ) {
    this.items = new Lexer(parseName, text).run();
    this.tree = new Tree(parseName, parseName, text);
  }

  // Token stream. The lexer's list always ends with an EOF or Error item; reading past it keeps
  // returning that item. `furthest` (the furthest index reached, peeks included) picks the line
  // of error messages.
  private next(): Item {
    const items = this.items;
    const last = items.length - 1;
    let i = this.idx;
    let it: Item;
    if (i < last) {
      it = items[i++] as Item;
    } else {
      it = items[last] as Item;
      i = last + 1;
    }
    this.idx = i;
    if (i > this.furthest) this.furthest = i;
    return it;
  }
  private backup(): void {
    this.idx--;
  }
  private peek(): Item {
    const it = this.next();
    this.backup();
    return it;
  }
  /** next() until an item that is not a space (the same steps, in one loop). */
  private nextNonSpace(): Item {
    const items = this.items;
    const last = items.length - 1;
    let i = this.idx;
    let it: Item;
    do {
      if (i < last) {
        it = items[i++] as Item;
      } else {
        it = items[last] as Item;
        i = last + 1;
      }
    } while (it.typ === ItemType.Space);
    this.idx = i;
    if (i > this.furthest) this.furthest = i;
    return it;
  }
  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }

  errorf(msg: string): never {
    const last = this.items[Math.max(0, Math.min(this.furthest, this.items.length) - 1)];
    const line = last?.line ?? 1;
    throw new TemplateParseError(`template: ${this.parseName}:${line}: ${msg}`, this.parseName, line, msg);
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== e1 && token.typ !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === ItemType.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${token.val}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  parse(): void {
    const t = this.tree;
    t.root = new ListNode(t, this.peek().pos);
    while (this.peek().typ !== ItemType.EOF) {
      if (this.peek().typ === ItemType.LeftDelim) {
        const save = this.idx;
        this.next();
        if (this.nextNonSpace().typ === ItemType.Define) {
          this.parseDefinition();
          continue;
        }
        this.idx = save;
      }
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") this.errorf(`unexpected ${n.toString()}`);
      t.root.nodes.push(n);
    }
    this.add(t);
  }

  private add(t: Tree): void {
    const existing = this.treeSet.get(t.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.treeSet.set(t.name, t);
      return;
    }
    if (!isEmptyTree(t.root)) this.errorf(`template: multiple definition of template ${quote(t.name)}`);
  }

  private withTree<T>(t: Tree, fn: () => T): T {
    const saveTree = this.tree;
    const saveVars = this.vars;
    const saveRange = this.rangeDepth;
    this.tree = t;
    this.vars = ["$"];
    this.rangeDepth = 0;
    try {
      return fn();
    } finally {
      this.tree = saveTree;
      this.vars = saveVars;
      this.rangeDepth = saveRange;
    }
  }

  private parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.expectOneOf(ItemType.String, ItemType.RawString, context);
    let name: string;
    try {
      name = unquote(nameTok.val);
    } catch {
      this.errorf("invalid syntax");
    }
    const t = new Tree(name, this.parseName, this.text);
    this.withTree(t, () => {
      this.expect(ItemType.RightDelim, context);
      const [list, end] = this.itemList();
      t.root = list;
      if (end.type !== "end") this.errorf(`unexpected ${end.toString()} in ${context}`);
      this.add(t);
    });
  }

  private itemList(): [ListNode, EndNode | ElseNode] {
    const list = new ListNode(this.tree, this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== ItemType.EOF) {
      const n = this.textOrAction();
      if (n.type === "end" || n.type === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  private textOrAction(): AnyNode {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Text:
        return new TextNode(this.tree, token.pos, token.val);
      case ItemType.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case ItemType.Comment:
        return new CommentNode(this.tree, token.pos, token.val);
      default:
        this.unexpected(token, "input");
    }
  }

  private action(): AnyNode {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Block:
        return this.blockControl();
      case ItemType.Break:
        return this.breakControl(token, "{{break}}");
      case ItemType.Continue:
        return this.breakControl(token, "{{continue}}");
      case ItemType.Else:
        return this.elseControl();
      case ItemType.End:
        return new EndNode(this.tree, this.expect(ItemType.RightDelim, "end").pos);
      case ItemType.If:
        return this.parseControl("if");
      case ItemType.Range:
        return this.parseControl("range");
      case ItemType.Template:
        return this.templateControl();
      case ItemType.With:
        return this.parseControl("with");
      default:
        break;
    }
    this.backup();
    const tok = this.peek();
    return new ActionNode(this.tree, tok.pos, tok.line, this.pipeline("command", ItemType.RightDelim));
  }

  private breakControl(tok: Item, what: string): AnyNode {
    const token = this.nextNonSpace();
    if (token.typ !== ItemType.RightDelim) this.unexpected(token, what);
    if (this.rangeDepth === 0) this.errorf(`${what} outside {{range}}`);
    return what === "{{break}}" ? new BreakNode(this.tree, tok.pos) : new ContinueNode(this.tree, tok.pos);
  }

  private elseControl(): AnyNode {
    const peek = this.peekNonSpace();
    if (peek.typ === ItemType.If || peek.typ === ItemType.With) return new ElseNode(this.tree, peek.pos);
    const token = this.nextNonSpace();
    if (token.typ !== ItemType.RightDelim) this.unexpected(token, "else");
    return new ElseNode(this.tree, token.pos);
  }

  private parseControl(context: "if" | "range" | "with"): BranchNode {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, ItemType.RightDelim);
      if (context === "range") this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === "else") {
        if (context === "if" && this.peek().typ === ItemType.If) {
          this.next();
          elseList = new ListNode(this.tree, next.pos);
          elseList.nodes.push(this.parseControl("if"));
        } else if (context === "with" && this.peek().typ === ItemType.With) {
          this.next();
          elseList = new ListNode(this.tree, next.pos);
          elseList.nodes.push(this.parseControl("with"));
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== "end") this.errorf(`expected end; found ${next.toString()}`);
        }
      }
      return new BranchNode(this.tree, pipe.pos, context, pipe.line, pipe, list, elseList);
    } finally {
      this.vars.length = nvars;
    }
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.typ === ItemType.String || token.typ === ItemType.RawString) {
      try {
        return unquote(token.val);
      } catch {
        this.errorf("invalid syntax");
      }
    }
    this.unexpected(token, context);
  }

  private templateControl(): AnyNode {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== ItemType.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, ItemType.RightDelim);
    }
    return new TemplateNode(this.tree, token.pos, token.line, name, pipe);
  }

  private blockControl(): AnyNode {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, ItemType.RightDelim);
    const block = new Tree(name, this.parseName, this.text);
    this.withTree(block, () => {
      const [list, end] = this.itemList();
      block.root = list;
      if (end.type !== "end") this.errorf(`unexpected ${end.toString()} in ${context}`);
      this.add(block);
    });
    return new TemplateNode(this.tree, token.pos, token.line, name, pipe);
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe = new PipeNode(this.tree, token.pos, token.line);
    // Declarations or assignments.
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== ItemType.Variable) break;
      const vIdx = this.idx;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === ItemType.Assign || next.typ === ItemType.Declare) {
        pipe.isAssign = next.typ === ItemType.Assign;
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(this.tree, v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === ItemType.Char && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(this.tree, v.pos, v.val));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === ItemType.Variable || p === ItemType.RightDelim || p === ItemType.RightParen) {
            continue decls;
          }
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === ItemType.Space) {
        this.idx = vIdx;
      } else {
        this.idx = vIdx;
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case ItemType.Bool:
        case ItemType.CharConstant:
        case ItemType.Dot:
        case ItemType.Field:
        case ItemType.Identifier:
        case ItemType.Number:
        case ItemType.Nil:
        case ItemType.RawString:
        case ItemType.String:
        case ItemType.Variable:
        case ItemType.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const first = pipe.cmds[i]?.args[0];
      if (first === undefined) continue;
      switch (first.type) {
        case "bool":
        case "dot":
        case "nil":
        case "number":
        case "string":
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
          break;
        default:
          break;
      }
    }
  }

  private command(): CommandNode {
    const cmd = new CommandNode(this.tree, this.peekNonSpace().pos);
    for (;;) {
      // (Go peeks past spaces here first; term's nextNonSpace does the same.)
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === ItemType.Space) continue;
      if (token.typ === ItemType.RightDelim || token.typ === ItemType.RightParen) {
        this.backup();
      } else if (token.typ !== ItemType.Pipe) {
        this.unexpected(token, "operand");
      }
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (node === null) return null;
    if (this.peek().typ !== ItemType.Field) return node;
    if (node.type === "field" || node.type === "variable") {
      // The common case (.Values.a.b, $x.a): the names join the term's own, as Go does by way of
      // a chain node and its string. The term is new and not referenced elsewhere: its array is
      // reused.
      const pos = this.peek().pos;
      const ident = node.ident;
      while (this.peek().typ === ItemType.Field) ident.push(this.next().val.slice(1));
      return node.type === "field" ? new FieldNode(this.tree, pos, ident) : new VariableNode(this.tree, pos, ident);
    }
    const chain = new ChainNode(this.tree, this.peek().pos, node);
    while (this.peek().typ === ItemType.Field) chain.add(this.next().val);
    switch (node.type) {
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.errorf(`unexpected . after term ${quote(node.toString())}`);
        break;
      default:
        break;
    }
    return chain;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case ItemType.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${quote(token.val)} not defined`);
        return new IdentifierNode(this.tree, token.pos, token.val);
      case ItemType.Dot:
        return new DotNode(this.tree, token.pos);
      case ItemType.Nil:
        return new NilNode(this.tree, token.pos);
      case ItemType.Variable:
        return this.useVar(token.pos, token.val);
      case ItemType.Field:
        return new FieldNode(this.tree, token.pos, token.val);
      case ItemType.Bool:
        return new BoolNode(this.tree, token.pos, token.val === "true");
      case ItemType.CharConstant:
      case ItemType.Number:
        return this.newNumber(token);
      case ItemType.LeftParen:
        return this.pipeline("parenthesized pipeline", ItemType.RightParen);
      case ItemType.String:
      case ItemType.RawString: {
        let s: string;
        try {
          s = unquote(token.val);
        } catch {
          this.errorf("invalid syntax");
        }
        return new StringNode(this.tree, token.pos, token.val, s);
      }
      default:
        this.backup();
        return null;
    }
  }

  private useVar(pos: number, name: string): Node {
    const v = new VariableNode(this.tree, pos, name);
    const first = v.ident[0] ?? "";
    if (this.vars.includes(first)) return v;
    this.errorf(`undefined variable ${quote(first)}`);
  }

  private newNumber(token: Item): NumberNode {
    const text = token.val;
    const n = new NumberNode(this.tree, token.pos, text);
    if (token.typ === ItemType.CharConstant) {
      let s: string;
      try {
        s = unquote(text);
      } catch {
        this.errorf(`malformed character constant: ${text}`);
      }
      const cp = s.codePointAt(0) ?? 0;
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(cp);
      n.float64 = cp;
      return n;
    }
    // Fast path: a decimal integer without a leading zero and short enough to be exact as a double
    // (at most 15 digits) is an int, a uint and a float, as the general steps below find.
    if (text.length <= 15 && isPlainDecimal(text)) {
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = n.uint64 = BigInt(text);
      n.float64 = Number(text);
      return n;
    }
    // Complex a+bi.
    const cm = /^([+-]?[^+-]+(?:[eE][+-][0-9_]+)?)([+-].+)i$/.exec(text);
    if (cm && !text.startsWith("0x") && text.endsWith("i")) {
      const re = parseGoFloat(cm[1] ?? "");
      const im = parseGoFloat(cm[2] ?? "");
      if (re === undefined || im === undefined) this.errorf(`expected integer`);
      n.isComplex = true;
      n.complexRe = re;
      n.complexIm = im;
      this.simplifyComplex(n);
      return n;
    }
    if (text.endsWith("i")) {
      const f = parseGoFloat(text.slice(0, -1));
      if (f !== undefined) {
        n.isComplex = true;
        n.complexRe = 0;
        n.complexIm = f;
        this.simplifyComplex(n);
        return n;
      }
    }
    const u = parseGoInt(text, true);
    if (u !== undefined) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseGoInt(text, false);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseGoFloat(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${quote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${quote(text)}`);
    return n;
  }

  private simplifyComplex(n: NumberNode): void {
    if (n.complexIm === 0) {
      n.isFloat = true;
      n.float64 = n.complexRe;
      if (Number.isInteger(n.float64)) {
        n.isInt = true;
        n.int64 = BigInt(n.float64);
        if (n.float64 >= 0) {
          n.isUint = true;
          n.uint64 = n.int64;
        }
      }
    }
  }
}

/** "0", or digits not starting with 0 (a leading 0 means octal). */
function isPlainDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  if (text.charCodeAt(0) === 48) return n === 1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function itemString(i: Item): string {
  if (i.typ === ItemType.EOF) return "EOF";
  if (i.typ === ItemType.Error) return i.val;
  if (i.typ > ItemType.Keyword) return `<${i.val}>`;
  const runes = [...i.val];
  if (runes.length > 10) return quote(runes.slice(0, 10).join("")) + "...";
  return quote(i.val);
}

/**
 * Parses `text` (a file named `parseName`) into trees. `hasFunction` says which identifiers are
 * functions. Adds the trees to `treeSet`, following Go's rules for redefinition within one text.
 */
export function parse(parseName: string, text: string, hasFunction: (name: string) => boolean): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const p = new Parser(parseName, text, hasFunction, treeSet);
  p.parse();
  return treeSet;
}
