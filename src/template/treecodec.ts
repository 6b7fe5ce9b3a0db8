// Parsed templates as plain JSON data and back, for a cache of parse results kept outside the process. Takes the
// trees `parse` gives for one text; gives arrays of strings, numbers and booleans. Does no I/O.

import {
  ActionNode,
  BoolNode,
  BranchNode,
  BreakNode,
  ChainNode,
  CommandNode,
  CommentNode,
  ContinueNode,
  DotNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  NilNode,
  NumberNode,
  PipeNode,
  StringNode,
  TemplateNode,
  TextNode,
  Tree,
  VariableNode,
  type Node,
} from "./parse.js";

/** One node: its kind first, then its position, then its own fields in a fixed order. */
type Encoded = readonly unknown[];

/** Numbers as text so that -0, NaN and the infinities survive JSON. */
const num = (n: number): string => (Object.is(n, -0) ? "-0" : String(n));

function encode(n: Node): Encoded {
  switch (n.type) {
    case "list":
      return ["l", n.pos, n.nodes.map(encode)];
    case "text":
      // Mostly a slice of the source at its position: then only its length is kept.
      return ["t", n.pos, n.tree.text.startsWith(n.text, n.pos) ? n.text.length : n.text];
    case "comment":
      return ["#", n.pos, n.text];
    case "variable":
      return ["$", n.pos, n.ident.join(".")];
    case "dot":
      return [".", n.pos];
    case "nil":
      return ["0", n.pos];
    case "field":
      return ["f", n.pos, "." + n.ident.join(".")];
    case "chain":
      return ["c", n.pos, encode(n.node), n.field];
    case "identifier":
      return ["i", n.pos, n.ident];
    case "bool":
      return ["b", n.pos, n.value];
    case "number": {
      const flags = (n.isInt ? 1 : 0) | (n.isUint ? 2 : 0) | (n.isFloat ? 4 : 0) | (n.isComplex ? 8 : 0);
      return ["n", n.pos, n.text, flags, String(n.int64), String(n.uint64), num(n.float64), num(n.complexRe), num(n.complexIm)];
    }
    case "string":
      return ["s", n.pos, n.quoted, n.text];
    case "command":
      return ["m", n.pos, n.args.map(encode)];
    case "pipe":
      return ["p", n.pos, n.line, n.isAssign, n.decl.map(encode), n.cmds.map(encode)];
    case "action":
      return ["a", n.pos, n.line, encode(n.pipe)];
    case "if":
    case "range":
    case "with":
      return [n.type, n.pos, n.line, encode(n.pipe), encode(n.list), n.elseList === null ? null : encode(n.elseList)];
    case "template":
      return ["T", n.pos, n.line, n.name, n.pipe === null ? null : encode(n.pipe)];
    case "break":
      return ["B", n.pos];
    case "continue":
      return ["C", n.pos];
  }
}

/** The trees of one text as JSON data: [[name, root], ...] in the map's order. */
export function encodeTrees(trees: ReadonlyMap<string, Tree>): unknown {
  return [...trees].map(([key, t]) => [key, t.name, encode(t.root)]);
}

class CodecError extends Error {}

function str(v: unknown): string {
  if (typeof v !== "string") throw new CodecError("string expected");
  return v;
}

function int(v: unknown): number {
  if (typeof v !== "number") throw new CodecError("number expected");
  return v;
}

function arr(v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) throw new CodecError("array expected");
  return v;
}

function decode(t: Tree, v: unknown): Node {
  const e = arr(v);
  const pos = int(e[1]);
  switch (e[0]) {
    case "l": {
      const l = new ListNode(t, pos);
      for (const c of arr(e[2])) l.nodes.push(decode(t, c));
      return l;
    }
    case "t":
      return new TextNode(t, pos, typeof e[2] === "number" ? t.text.slice(pos, pos + e[2]) : str(e[2]));
    case "#":
      return new CommentNode(t, pos, str(e[2]));
    case "$":
      return new VariableNode(t, pos, str(e[2]));
    case ".":
      return new DotNode(t, pos);
    case "0":
      return new NilNode(t, pos);
    case "f":
      return new FieldNode(t, pos, str(e[2]));
    case "c": {
      const c = new ChainNode(t, pos, decode(t, e[2]));
      for (const f of arr(e[3])) c.field.push(str(f));
      return c;
    }
    case "i":
      return new IdentifierNode(t, pos, str(e[2]));
    case "b":
      return new BoolNode(t, pos, e[2] === true);
    case "n": {
      const n = new NumberNode(t, pos, str(e[2]));
      const flags = int(e[3]);
      n.isInt = (flags & 1) !== 0;
      n.isUint = (flags & 2) !== 0;
      n.isFloat = (flags & 4) !== 0;
      n.isComplex = (flags & 8) !== 0;
      n.int64 = BigInt(str(e[4]));
      n.uint64 = BigInt(str(e[5]));
      n.float64 = Number(str(e[6]));
      n.complexRe = Number(str(e[7]));
      n.complexIm = Number(str(e[8]));
      return n;
    }
    case "s":
      return new StringNode(t, pos, str(e[2]), str(e[3]));
    case "m": {
      const c = new CommandNode(t, pos);
      for (const a of arr(e[2])) c.args.push(decode(t, a));
      return c;
    }
    case "p":
      return decodePipe(t, e);
    case "a":
      return new ActionNode(t, pos, int(e[2]), decodePipe(t, arr(e[3])));
    case "if":
    case "range":
    case "with":
      return new BranchNode(t, pos, e[0], int(e[2]), decodePipe(t, arr(e[3])), decodeList(t, e[4]), e[5] === null ? null : decodeList(t, e[5]));
    case "T":
      return new TemplateNode(t, pos, int(e[2]), str(e[3]), e[4] === null ? null : decodePipe(t, arr(e[4])));
    case "B":
      return new BreakNode(t, pos);
    case "C":
      return new ContinueNode(t, pos);
    default:
      throw new CodecError(`unknown node kind ${String(e[0])}`);
  }
}

function decodeList(t: Tree, v: unknown): ListNode {
  const n = decode(t, v);
  if (n.type !== "list") throw new CodecError("list expected");
  return n;
}

function decodePipe(t: Tree, e: readonly unknown[]): PipeNode {
  if (e[0] !== "p") throw new CodecError("pipe expected");
  const p = new PipeNode(t, int(e[1]), int(e[2]));
  p.isAssign = e[3] === true;
  for (const d of arr(e[4])) {
    const n = decode(t, d);
    if (n.type !== "variable") throw new CodecError("variable expected");
    p.decl.push(n);
  }
  for (const c of arr(e[5])) {
    const n = decode(t, c);
    if (n.type !== "command") throw new CodecError("command expected");
    p.cmds.push(n);
  }
  return p;
}

/**
 * The trees encodeTrees gave for the text `text` parsed as `parseName`; undefined when `data` is not such an
 * encoding (a damaged or foreign cache entry is parsed again, never trusted).
 */
export function decodeTrees(data: unknown, parseName: string, text: string): Map<string, Tree> | undefined {
  try {
    const out = new Map<string, Tree>();
    for (const entry of arr(data)) {
      const [key, name, root] = arr(entry);
      const tree = new Tree(str(name), parseName, text);
      tree.root = decodeList(tree, root);
      out.set(str(key), tree);
    }
    return out;
  } catch (e) {
    if (e instanceof CodecError || e instanceof SyntaxError || e instanceof TypeError) return undefined;
    throw e;
  }
}
