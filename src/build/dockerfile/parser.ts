/**
 * @module build/dockerfile/parser
 *
 * A Dockerfile parser with BuildKit's syntax (`frontend/dockerfile/parser` and `instructions`): parser directives
 * (`# syntax=`, `# escape=`), line continuations with the escape character, comments and empty lines inside
 * continuations, JSON (exec) and shell forms, `--flags`, heredocs, multi-stage `FROM ... AS name`,
 * case-insensitive keywords. Every instruction keeps its source text (`code`, what BuildKit's `String()` returns,
 * and what werf's digest hashes) and its line numbers.
 *
 * Takes the Dockerfile text, gives typed instructions grouped by stage. Pure: no I/O. Imports only
 * `src/errors.ts` and the sibling shell lexer.
 */

import { SlipwayError } from "../../errors.js";
import { isGoSpace, processWords } from "./shell-lex.js";

// ---------------------------------------------------------------------------------------------------------------
// Low level: logical lines → nodes (BuildKit `parser.Parse`)

/** A heredoc attached to a RUN, COPY or ADD line. */
export interface Heredoc {
  readonly name: string;
  readonly fileDescriptor: number;
  /** False when the delimiter word was quoted (`<<"EOF"`): the body is taken literally. */
  readonly expand: boolean;
  /** `<<-EOF`: leading tabs are stripped from the body and the terminator. */
  readonly chomp: boolean;
  /** The body, line endings included. */
  readonly content: string;
}

/** One instruction as the line parser sees it (BuildKit's `parser.Node`). */
export interface DockerfileNode {
  /** The keyword as written (`FROM`, `from`, `Run`, ...). */
  readonly keyword: string;
  /** The logical line: continuations joined, comments dropped, escape+newline removed. */
  readonly original: string;
  /** `--name[=value]` flags before the arguments, quotes and escapes processed. */
  readonly flags: readonly string[];
  /** The arguments after the keyword's own line parser (quotes kept where BuildKit keeps them). */
  readonly args: readonly string[];
  /** The arguments were a JSON array (exec form). */
  readonly json: boolean;
  readonly heredocs: readonly Heredoc[];
  /** ONBUILD's trigger instruction. */
  readonly sub?: DockerfileNode;
  readonly startLine: number;
  readonly endLine: number;
}

export interface DockerfileAst {
  readonly escapeToken: string;
  /** The `# syntax=` directive, if any. */
  readonly syntax?: string;
  readonly nodes: readonly DockerfileNode[];
  readonly warnings: readonly string[];
}

export interface ParseOptions {
  /** The file name for error locations; defaults to `Dockerfile`. */
  readonly file?: string;
}

/**
 * A Dockerfile error with the file and line it is about: `Dockerfile:12: unknown instruction: FORM`. The position is
 * part of the message (and kept in `file`/`line`, not in `location`, so that no formatter prints it twice).
 */
export class DockerfileSyntaxError extends SlipwayError {
  /** The message without the `file:line: ` prefix. */
  readonly detail: string;
  readonly file: string;
  readonly line: number | undefined;

  constructor(detail: string, file: string, line: number | undefined) {
    super(line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`, { code: "build" });
    this.name = "DockerfileSyntaxError";
    this.detail = detail;
    this.file = file;
    this.line = line;
  }
}

const reDirective = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const reHeredoc = /^(\d*)<<(-?)([^<]*)$/;
const tokenWhitespace = /[\t\v\f\r ]+/;

interface Directives {
  escapeToken: string;
  continuation: RegExp;
  done: boolean;
  seen: Set<string>;
  syntax?: string;
}

function setEscapeToken(d: Directives, s: string): void {
  if (s !== "`" && s !== "\\") throw new Error(`invalid escape token '${s}' does not match \` or \\`);
  d.escapeToken = s;
  const e = s === "\\" ? "\\\\" : "`";
  // The escape token is a continuation only as the last non-blank character, and not when it is itself escaped.
  d.continuation = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

function possibleParserDirective(d: Directives, line: string): void {
  if (d.done) return;
  const match = reDirective.exec(line);
  if (match === null) {
    d.done = true;
    return;
  }
  const key = (match[1] ?? "").toLowerCase();
  if (key !== "escape" && key !== "syntax" && key !== "check") {
    d.done = true;
    return;
  }
  if (d.seen.has(key)) throw new Error(`only one ${key} parser directive can be used`);
  d.seen.add(key);
  if (key === "escape") setEscapeToken(d, match[2] ?? "");
  if (key === "syntax") d.syntax = match[2] ?? "";
}

function trimLeadingWhitespace(s: string): string {
  let i = 0;
  const chars = Array.from(s);
  while (i < chars.length && isGoSpace(chars[i] ?? "")) i++;
  return chars.slice(i).join("");
}

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, "");
}

function isComment(line: string): boolean {
  return trimLeadingWhitespace(trimNewline(line)).startsWith("#");
}

function processLine(d: Directives, token: string, stripLeft: boolean): string {
  token = trimNewline(token);
  if (stripLeft) token = trimLeadingWhitespace(token);
  possibleParserDirective(d, token);
  return token.startsWith("#") ? "" : token;
}

function trimContinuation(line: string, d: Directives): [string, boolean] {
  if (d.continuation.test(line)) return [line.replace(d.continuation, "$1"), false];
  return [line, true];
}

/** Splits text into lines, keeping each line's ending (BuildKit's `scanLines`). */
function scanLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = text.indexOf("\n", start);
    if (i < 0) {
      if (start < text.length) out.push(text.slice(start));
      return out;
    }
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
}

/** Parses Dockerfile text into nodes, one per instruction (BuildKit `parser.Parse`). */
export function parseDockerfileAst(text: string, options: ParseOptions = {}): DockerfileAst {
  const file = options.file ?? "Dockerfile";
  const d: Directives = { escapeToken: "\\", continuation: /$^/, done: false, seen: new Set() };
  setEscapeToken(d, "\\");
  const lines = scanLines(text);
  const nodes: DockerfileNode[] = [];
  const warnings: string[] = [];
  let currentLine = 0;
  let i = 0;

  const fail = (err: unknown, line: number): never => {
    if (err instanceof DockerfileSyntaxError) throw err;
    throw new DockerfileSyntaxError(errorText(err), file, line);
  };
  const guard = <T>(line: number, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      return fail(err, line);
    }
  };

  while (i < lines.length) {
    let raw = lines[i++] ?? "";
    if (currentLine === 0 && raw.startsWith("\uFEFF")) raw = raw.slice(1);
    const first = raw;
    const bytesRead = guard(currentLine + 1, () => processLine(d, first, true));
    currentLine++;
    const startLine = currentLine;
    let [line, isEndOfLine] = trimContinuation(bytesRead, d);
    if (isEndOfLine && line === "") continue;

    let hasEmptyContinuationLine = false;
    while (!isEndOfLine && i < lines.length) {
      const rawNext = lines[i++] ?? "";
      const processed = guard(currentLine + 1, () => processLine(d, rawNext, false));
      currentLine++;
      if (isComment(rawNext)) continue;
      if (trimLeadingWhitespace(trimNewline(processed)) === "") {
        hasEmptyContinuationLine = true;
        continue;
      }
      let continuation: string;
      [continuation, isEndOfLine] = trimContinuation(processed, d);
      line += continuation;
    }
    if (hasEmptyContinuationLine) {
      warnings.push(`[WARNING]: Empty continuation line found in:\n    ${line}`);
    }

    const logical = line;
    const node = guard(startLine, () => nodeFromLine(logical, d));

    if (canContainHeredoc(node)) {
      const heredocs = guard(startLine, () => heredocsFromLine(logical));
      const bodies: Heredoc[] = [];
      for (const heredoc of heredocs) {
        let terminated = false;
        let content = "";
        while (i < lines.length) {
          const bodyLine = lines[i++] ?? "";
          currentLine++;
          let possibleTerminator = trimNewline(bodyLine);
          if (heredoc.chomp) possibleTerminator = possibleTerminator.replace(/^\t+/, "");
          if (possibleTerminator === heredoc.name) {
            terminated = true;
            break;
          }
          content += bodyLine;
        }
        if (!terminated) fail(new Error("unterminated heredoc"), startLine);
        bodies.push({ ...heredoc, content });
      }
      node.heredocs = bodies;
    }
    node.startLine = startLine;
    node.endLine = currentLine;
    if (node.sub !== undefined) {
      node.sub.startLine = startLine;
      node.sub.endLine = currentLine;
    }
    nodes.push(node);
  }

  if (nodes.length === 0) throw new DockerfileSyntaxError("file with no instructions", file, currentLine || undefined);
  return {
    escapeToken: d.escapeToken,
    ...(d.syntax === undefined ? {} : { syntax: d.syntax }),
    nodes,
    warnings: warnings.length > 0 ? [...warnings, "[WARNING]: Empty continuation lines will become errors in a future release."] : [],
  };
}

interface MutableNode {
  keyword: string;
  original: string;
  flags: string[];
  args: string[];
  json: boolean;
  heredocs: Heredoc[];
  sub?: MutableNode;
  startLine: number;
  endLine: number;
}

function canContainHeredoc(node: MutableNode): boolean {
  let n: MutableNode = node;
  if (n.keyword.toLowerCase() === "onbuild" && n.sub !== undefined) n = n.sub;
  const kw = n.keyword.toLowerCase();
  return (kw === "run" || kw === "copy" || kw === "add") && !n.json;
}

function nodeFromLine(line: string, d: Directives): MutableNode {
  const [keyword, flags, rest] = splitCommand(line);
  const kw = keyword.toLowerCase();
  let args: string[] = [];
  let json = false;
  let sub: MutableNode | undefined;
  switch (kw) {
    case "add":
    case "copy":
    case "volume":
      [args, json] = parseMaybeJSONToList(rest);
      break;
    case "arg":
      args = parseWords(rest, d);
      break;
    case "cmd":
    case "entrypoint":
    case "run":
    case "shell":
      [args, json] = parseMaybeJSON(rest);
      break;
    case "env":
    case "label":
      args = parseNameVal(rest, kw === "env" ? "ENV" : "LABEL", d);
      break;
    case "expose":
    case "from":
      args = splitWhitespace(rest);
      break;
    case "healthcheck":
      [args, json] = parseHealthConfig(rest);
      break;
    case "maintainer":
    case "stopsignal":
    case "user":
    case "workdir":
      args = rest === "" ? [] : [rest];
      break;
    case "onbuild":
      if (rest !== "") {
        sub = nodeFromLine(rest, d);
        args = [sub.keyword.toLowerCase(), ...sub.args];
      }
      break;
    default:
      break;
  }
  const node: MutableNode = { keyword, original: line, flags, args, json, heredocs: [], startLine: 0, endLine: 0 };
  if (sub !== undefined) node.sub = sub;
  return node;
}

function splitCommand(line: string): [string, string[], string] {
  const trimmed = line.trim();
  const m = tokenWhitespace.exec(trimmed);
  const cmd = m === null ? trimmed : trimmed.slice(0, m.index);
  if (m === null) return [cmd, [], ""];
  const [args, flags] = extractBuilderFlags(trimmed.slice(m.index + m[0].length));
  return [cmd, flags, args.trim()];
}

/** BuildKit `extractBuilderFlags`: leading `--flag[=value]` words; the backslash always escapes here. */
function extractBuilderFlags(line: string): [string, string[]] {
  const inSpaces = 0;
  const inWord = 1;
  const inQuote = 2;
  const words: string[] = [];
  let phase = inSpaces;
  let word = "";
  let quote = "";
  let blankOK = false;
  let parsingFlagArg = false;
  let needFlagArg = true;
  for (let pos = 0; pos <= line.length; pos++) {
    let ch = pos < line.length ? (line[pos] ?? "") : "";
    if (phase === inSpaces) {
      if (pos === line.length) break;
      if (isGoSpace(ch)) continue;
      if (!parsingFlagArg && (ch !== "-" || pos + 1 === line.length || line[pos + 1] !== "-")) {
        return [line.slice(pos), words];
      }
      phase = inWord;
    }
    if ((phase === inWord || phase === inQuote) && pos === line.length) {
      if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === inWord) {
      if (isGoSpace(ch)) {
        phase = inSpaces;
        if (parsingFlagArg) {
          words[words.length - 1] += `=${word}`;
          parsingFlagArg = false;
          needFlagArg = true;
        } else {
          if (word === "--") return [line.slice(pos), words];
          if (blankOK || word.length > 0) {
            if (needFlagArg) parsingFlagArg = true;
            words.push(word);
          }
        }
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "=" && needFlagArg) needFlagArg = false;
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = inQuote;
        continue;
      }
      if (ch === "\\") {
        if (pos + 1 === line.length) continue;
        pos++;
        ch = line[pos] ?? "";
      }
      word += ch;
      continue;
    }
    // inQuote
    if (ch === quote) {
      phase = inWord;
      continue;
    }
    if (ch === "\\") {
      if (pos + 1 === line.length) {
        phase = inWord;
        continue;
      }
      pos++;
      ch = line[pos] ?? "";
    }
    word += ch;
  }
  return ["", words];
}

/** BuildKit `parseWords`: space-separated words, quotes kept, the escape token escaping the next character. */
function parseWords(rest: string, d: Directives): string[] {
  const inSpaces = 0;
  const inWord = 1;
  const inQuote = 2;
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase = inSpaces;
  let quote = "";
  let blankOK = false;
  let word = "";
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = chars[pos] ?? "";
    if (phase === inSpaces) {
      if (pos === chars.length) break;
      if (isGoSpace(ch)) continue;
      phase = inWord;
    }
    if ((phase === inWord || phase === inQuote) && pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === inWord) {
      if (isGoSpace(ch)) {
        phase = inSpaces;
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = inQuote;
      }
      if (ch === d.escapeToken) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos] ?? "";
      }
      word += ch;
      continue;
    }
    // inQuote
    if (ch === quote) phase = inWord;
    if (ch === d.escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = inWord;
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] ?? "";
    }
    word += ch;
  }
  return words;
}

/** ENV/LABEL: `KEY value` (legacy) or `KEY=value ...`; returns [key, value, key, value, ...]. */
function parseNameVal(rest: string, key: string, d: Directives): string[] {
  const words = parseWords(rest, d);
  if (words.length === 0) return [];
  if (!(words[0] ?? "").includes("=")) {
    const m = /[\t\v\f\r ]+/.exec(rest);
    if (m === null) throw new Error(`${key} must have two arguments`);
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length)];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq < 0) {
      throw new Error(`Syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`);
    }
    out.push(word.slice(0, eq), word.slice(eq + 1));
  }
  return out;
}

function splitWhitespace(rest: string): string[] {
  if (rest === "") return [];
  return rest.split(/[\t\v\f\r ]+/);
}

const notStringArray = "when using JSON array syntax, arrays must be comprised of strings only";

function parseJSON(rest: string): string[] | undefined {
  rest = trimLeadingWhitespace(rest);
  if (!rest.startsWith("[")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const out: string[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "string") throw new Error(notStringArray);
    out.push(item);
  }
  return out;
}

function parseMaybeJSON(rest: string): [string[], boolean] {
  if (rest === "") return [[], false];
  const json = parseJSON(rest);
  if (json !== undefined) return [json, true];
  return [[rest], false];
}

function parseMaybeJSONToList(rest: string): [string[], boolean] {
  const json = parseJSON(rest);
  if (json !== undefined) return [json, true];
  return [splitWhitespace(rest), false];
}

function parseHealthConfig(rest: string): [string[], boolean] {
  let sep = 0;
  for (; sep < rest.length; sep++) if (isGoSpace(rest[sep] ?? "")) break;
  let next = sep;
  for (; next < rest.length; next++) if (!isGoSpace(rest[next] ?? "")) break;
  if (sep === 0) return [[], false];
  const [cmd, json] = parseMaybeJSON(rest.slice(next));
  return [[rest.slice(0, sep), ...cmd], json];
}

function parseHeredocWord(src: string): Omit<Heredoc, "content"> | undefined {
  const match = reHeredoc.exec(src);
  if (match === null) return undefined;
  const fd = match[1] === "" || match[1] === undefined ? 0 : Number.parseInt(match[1], 10);
  const chomp = match[2] === "-";
  const rest = match[3] ?? "";
  if (rest.length === 0) return undefined;
  const words = processWords(rest, new Map(), { skipUnsetEnv: true });
  if (words.length !== 1) return undefined;
  const wordsRaw = processWords(rest, new Map(), { skipUnsetEnv: true, rawQuotes: true });
  if (wordsRaw.length !== words.length) {
    throw new Error(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  }
  const word = words[0] ?? "";
  const wordRaw = wordsRaw[0] ?? "";
  const quotes = (s: string): number => s.split("'").length - 1 + (s.split('"').length - 1);
  return { name: word, fileDescriptor: fd, chomp, expand: quotes(word) === quotes(wordRaw) };
}

function heredocsFromLine(line: string): Heredoc[] {
  let words: string[];
  try {
    words = processWords(line, new Map(), { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch {
    words = [];
  }
  const docs: Heredoc[] = [];
  for (const word of words) {
    const heredoc = parseHeredocWord(word);
    if (heredoc !== undefined) docs.push({ ...heredoc, content: "" });
  }
  return docs;
}

/** Strips the leading tabs of every line of a `<<-` heredoc body. */
export function chompHeredocContent(src: string): string {
  return src.replace(/^\t+/gm, "");
}

// ---------------------------------------------------------------------------------------------------------------
// High level: typed instructions grouped into stages (BuildKit `instructions.Parse`)

interface InstructionBase {
  /** The instruction text as BuildKit's `String()` gives it: the trimmed logical line. */
  readonly code: string;
  /** The keyword in lower case. */
  readonly keyword: string;
  readonly flags: readonly string[];
  readonly line: number;
  readonly endLine: number;
  readonly heredocs: readonly Heredoc[];
}

/** `ARG name[=default] ...`: defaults are kept as written (quotes, `$refs`). */
export interface ArgInstruction extends InstructionBase {
  readonly kind: "arg";
  readonly args: readonly { readonly key: string; readonly value?: string | undefined }[];
}

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: "env";
  readonly env: readonly KeyValue[];
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: "label";
  readonly labels: readonly KeyValue[];
}

/** COPY or ADD. */
export interface CopyInstruction extends InstructionBase {
  readonly kind: "copy" | "add";
  /** Source paths as written (heredoc sources excluded). */
  readonly sources: readonly string[];
  /** Heredoc sources (`COPY <<EOF /dst`). */
  readonly sourceContents: readonly { readonly path: string; readonly data: string; readonly expand: boolean }[];
  readonly dest: string;
  /** `--from=` (stage name, index or image); COPY only. */
  readonly from?: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly json: boolean;
}

/** A `RUN --mount=...` mount; only what slipway needs. */
export interface RunMount {
  readonly type: string;
  readonly from?: string;
  readonly source?: string;
  readonly target?: string;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: "run";
  readonly cmdLine: readonly string[];
  readonly json: boolean;
  readonly mounts: readonly RunMount[];
}

/** CMD, ENTRYPOINT, SHELL. */
export interface CommandLineInstruction extends InstructionBase {
  readonly kind: "cmd" | "entrypoint" | "shell";
  readonly cmdLine: readonly string[];
  readonly json: boolean;
}

/** WORKDIR, USER, STOPSIGNAL, MAINTAINER: one string argument. */
export interface SingleArgInstruction extends InstructionBase {
  readonly kind: "workdir" | "user" | "stopsignal" | "maintainer";
  readonly value: string;
}

/** EXPOSE, VOLUME. */
export interface ListInstruction extends InstructionBase {
  readonly kind: "expose" | "volume";
  readonly values: readonly string[];
}

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: "healthcheck";
  /** `NONE`, `CMD` or `CMD-SHELL` followed by the command. */
  readonly test: readonly string[];
}

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: "onbuild";
  /** The trigger instruction text (werf's `Expression`: the line minus `ONBUILD`, plus heredoc bodies). */
  readonly expression: string;
  readonly trigger: Instruction;
}

export type Instruction =
  | ArgInstruction
  | EnvInstruction
  | LabelInstruction
  | CopyInstruction
  | RunInstruction
  | CommandLineInstruction
  | SingleArgInstruction
  | ListInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

/** One `FROM` and the instructions up to the next. */
export interface Stage {
  readonly index: number;
  /** The `AS` name, lower-cased; "" for an unnamed stage. */
  readonly name: string;
  /** The image reference as written (variables not yet expanded). */
  readonly baseName: string;
  readonly platform?: string;
  readonly code: string;
  readonly line: number;
  readonly commands: readonly Instruction[];
}

export interface Dockerfile {
  readonly escapeToken: string;
  readonly syntax?: string;
  /** ARGs before the first FROM. */
  readonly metaArgs: readonly ArgInstruction[];
  readonly stages: readonly Stage[];
  readonly warnings: readonly string[];
}

const instructionNames = [
  "add",
  "arg",
  "cmd",
  "copy",
  "entrypoint",
  "env",
  "expose",
  "from",
  "healthcheck",
  "label",
  "maintainer",
  "onbuild",
  "run",
  "shell",
  "stopsignal",
  "user",
  "volume",
  "workdir",
];

/** Parses a Dockerfile into its meta ARGs and stages, failing like BuildKit on malformed instructions. */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const file = options.file ?? "Dockerfile";
  const ast = parseDockerfileAst(text, options);
  const metaArgs: ArgInstruction[] = [];
  const stages: { index: number; name: string; baseName: string; platform?: string; code: string; line: number; commands: Instruction[] }[] = [];
  for (const node of ast.nodes) {
    let parsed: Instruction | Omit<Stage, "index" | "commands">;
    try {
      parsed = parseInstruction(node);
    } catch (err) {
      throw new DockerfileSyntaxError(errorText(err), file, node.startLine);
    }
    if ("baseName" in parsed) {
      stages.push({ ...parsed, index: stages.length, commands: [] });
      continue;
    }
    const current = stages.at(-1);
    if (current === undefined) {
      if (parsed.kind === "arg") {
        metaArgs.push(parsed);
        continue;
      }
      throw new DockerfileSyntaxError("no build stage in current context", file, node.startLine);
    }
    current.commands.push(parsed);
  }
  return {
    escapeToken: ast.escapeToken,
    ...(ast.syntax === undefined ? {} : { syntax: ast.syntax }),
    metaArgs,
    stages,
    warnings: ast.warnings,
  };
}

/** Parses one node into its instruction; FROM is refused (it starts a stage, see {@link parseDockerfile}). */
export function parseInstructionNode(node: DockerfileNode): Instruction {
  const parsed = parseInstruction(node);
  if ("baseName" in parsed) throw new Error("FROM isn't allowed here");
  return parsed;
}

interface Flags {
  readonly values: Map<string, string[]>;
}

/** Parses `--name[=value]` flags, rejecting malformed ones; unknown flag names are kept (Docker reports them). */
function parseFlags(raw: readonly string[], bools: readonly string[]): Flags {
  const values = new Map<string, string[]>();
  for (const arg of raw) {
    if (!arg.startsWith("--")) throw new Error(`Arguments can only be flags, got ${JSON.stringify(arg)}`);
    const body = arg.slice(2);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    let value = eq < 0 ? undefined : body.slice(eq + 1);
    if (bools.includes(name)) {
      value = value === undefined ? "true" : value.toLowerCase();
      if (value !== "true" && value !== "false" && value !== "") {
        throw new Error(`expecting boolean value for flag ${name}, not: ${value}`);
      }
      if (value === "") value = "true";
    } else if (value === undefined) {
      throw new Error(`Missing a value on flag: ${name}`);
    }
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
  }
  return { values };
}

function flagString(flags: Flags, name: string): string | undefined {
  const list = flags.values.get(name);
  if (list === undefined) return undefined;
  if (list.length > 1) throw new Error(`Duplicate flag specified: ${name}`);
  return list[0];
}

function parseInstruction(node: DockerfileNode): Instruction | Omit<Stage, "index" | "commands"> {
  const kw = node.keyword.toLowerCase();
  const upper = kw.toUpperCase();
  const base = {
    code: node.original.trim(),
    keyword: kw,
    flags: node.flags,
    line: node.startLine,
    endLine: node.endLine,
    heredocs: node.heredocs,
  };
  const args = node.args;
  switch (kw) {
    case "from": {
      let name = "";
      if (args.length === 3 && (args[1] ?? "").toLowerCase() === "as") {
        name = (args[2] ?? "").toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(name)) {
          throw new Error(
            `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
          );
        }
      } else if (args.length !== 1) {
        throw new Error("FROM requires either one or three arguments");
      }
      const flags = parseFlags(node.flags, []);
      const platform = flagString(flags, "platform");
      return {
        name,
        baseName: args[0] ?? "",
        ...(platform === undefined ? {} : { platform }),
        code: base.code,
        line: node.startLine,
      };
    }
    case "arg": {
      if (args.length < 1) throw new Error("ARG requires at least one argument");
      parseFlags(node.flags, []);
      const pairs = args.map((arg) => {
        const eq = arg.indexOf("=");
        if (eq < 0) return { key: arg };
        if (eq === 0) throw new Error("ARG names can not be blank");
        return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
      });
      return { ...base, kind: "arg", args: pairs };
    }
    case "env":
    case "label": {
      parseFlags(node.flags, []);
      if (args.length === 0) throw new Error(`${upper} requires at least one argument`);
      const kvs: KeyValue[] = [];
      for (let j = 0; j + 1 < args.length; j += 2) {
        const key = args[j] ?? "";
        if (key.length === 0) throw new Error(`${upper} names can not be blank`);
        kvs.push({ key, value: args[j + 1] ?? "" });
      }
      return kw === "env" ? { ...base, kind: "env", env: kvs } : { ...base, kind: "label", labels: kvs };
    }
    case "copy":
    case "add": {
      if (args.length < 2) {
        throw new Error(
          `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      }
      const bools = kw === "copy" ? ["link", "parents"] : ["link", "keep-git-dir", "unpack"];
      const flags = parseFlags(node.flags, bools);
      const dest = args[args.length - 1] ?? "";
      if (parseHeredocWord(dest) !== undefined) throw new Error(`${upper} cannot accept a heredoc as a destination`);
      const byName = new Map(node.heredocs.map((h) => [h.name, h]));
      const sources: string[] = [];
      const sourceContents: { path: string; data: string; expand: boolean }[] = [];
      for (const src of args.slice(0, -1)) {
        const heredoc = node.json ? undefined : parseHeredocWord(src);
        if (heredoc !== undefined) {
          let data = byName.get(heredoc.name)?.content ?? "";
          if (heredoc.chomp) data = chompHeredocContent(data);
          sourceContents.push({ path: heredoc.name, data, expand: heredoc.expand });
        } else {
          sources.push(src);
        }
      }
      const from = kw === "copy" ? flagString(flags, "from") : undefined;
      const chown = flagString(flags, "chown");
      const chmod = flagString(flags, "chmod");
      return {
        ...base,
        kind: kw,
        sources,
        sourceContents,
        dest,
        ...(from === undefined ? {} : { from }),
        ...(chown === undefined ? {} : { chown }),
        ...(chmod === undefined ? {} : { chmod }),
        link: flags.values.get("link")?.at(-1) === "true",
        json: node.json,
      };
    }
    case "run": {
      const flags = parseFlags(node.flags, []);
      const mounts = (flags.values.get("mount") ?? []).map(parseMount);
      return { ...base, kind: "run", cmdLine: args, json: node.json, mounts };
    }
    case "cmd":
    case "entrypoint":
    case "shell": {
      parseFlags(node.flags, []);
      if (kw === "shell") {
        if (args.length === 0) throw new Error("SHELL requires at least one argument");
        if (!node.json) throw new Error("SHELL requires the arguments to be in JSON form");
      }
      return { ...base, kind: kw, cmdLine: args, json: node.json };
    }
    case "workdir":
    case "user":
    case "maintainer":
    case "stopsignal": {
      if (args.length !== 1) throw new Error(`${upper} requires exactly one argument`);
      parseFlags(node.flags, []);
      return { ...base, kind: kw, value: args[0] ?? "" };
    }
    case "expose":
    case "volume": {
      if (args.length === 0) throw new Error(`${upper} requires at least one argument`);
      parseFlags(node.flags, []);
      const values = kw === "expose" ? [...args].sort() : args.map((v) => v.trim());
      if (kw === "volume" && values.some((v) => v === "")) {
        throw new Error("VOLUME specified can not be an empty string");
      }
      return { ...base, kind: kw, values };
    }
    case "healthcheck": {
      if (args.length === 0) throw new Error("HEALTHCHECK requires at least one argument");
      const typ = (args[0] ?? "").toUpperCase();
      const rest = args.slice(1);
      if (typ === "NONE") {
        if (rest.length !== 0) throw new Error("HEALTHCHECK NONE takes no arguments");
        return { ...base, kind: "healthcheck", test: ["NONE"] };
      }
      parseFlags(node.flags, []);
      if (typ !== "CMD") throw new Error(`Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`);
      if (rest.length === 0) throw new Error("Missing command after HEALTHCHECK CMD");
      return { ...base, kind: "healthcheck", test: [node.json ? "CMD" : "CMD-SHELL", ...rest] };
    }
    case "onbuild": {
      if (args.length === 0 || node.sub === undefined) throw new Error("ONBUILD requires at least one argument");
      parseFlags(node.flags, []);
      const trigger = (args[0] ?? "").trim().toUpperCase();
      if (trigger === "ONBUILD") throw new Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === "MAINTAINER" || trigger === "FROM") {
        throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
      }
      let expression = node.original.replace(/^\s*ONBUILD\s*/i, "");
      for (const heredoc of node.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
      const sub: DockerfileNode = { ...node.sub, heredocs: node.heredocs };
      const parsedTrigger = parseInstruction(sub);
      if ("baseName" in parsedTrigger) throw new Error("FROM isn't allowed as an ONBUILD trigger");
      return { ...base, kind: "onbuild", expression, trigger: parsedTrigger };
    }
    default: {
      const suggestion = suggest(kw);
      throw new Error(
        `unknown instruction: ${node.keyword}${suggestion === undefined ? "" : ` (did you mean ${suggestion.toUpperCase()}?)`}`,
      );
    }
  }
}

/** `type=cache,from=builder,target=/x` → the fields slipway needs; keys are case-insensitive. */
function parseMount(value: string): RunMount {
  let type = "bind";
  let from: string | undefined;
  let source: string | undefined;
  let target: string | undefined;
  for (const field of splitCsv(value)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const val = eq < 0 ? "" : field.slice(eq + 1);
    switch (key) {
      case "type":
        type = val;
        break;
      case "from":
        from = val;
        break;
      case "source":
      case "src":
        source = val;
        break;
      case "target":
      case "dst":
      case "destination":
        target = val;
        break;
      default:
        break;
    }
  }
  return {
    type,
    ...(from === undefined ? {} : { from }),
    ...(source === undefined ? {} : { source }),
    ...(target === undefined ? {} : { target }),
  };
}

/** One CSV record (the format of `--mount` values): commas separate fields, double quotes group. */
function splitCsv(value: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? "";
    if (quoted) {
      if (ch === '"') {
        if (value[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
    } else if (ch === ",") {
      out.push(field);
      field = "";
    } else {
      field += ch;
    }
  }
  out.push(field);
  return out;
}

function errorText(err: unknown): string {
  if (err instanceof DockerfileSyntaxError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

function suggest(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of instructionNames) {
    const distance = levenshtein(word, name);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = name;
    }
  }
  return bestDistance <= 2 && bestDistance < word.length ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
