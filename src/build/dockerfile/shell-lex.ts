/**
 * @module build/dockerfile/shell-lex
 *
 * BuildKit's Dockerfile word processor (`frontend/dockerfile/shell/lex.go`), ported rule for rule: quote removal,
 * escapes, `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`, `${VAR:?w}`, `${VAR?w}`,
 * `${VAR#p}`, `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`, `${VAR/p/r}`, `${VAR//p/r}`, plus the platform build args and
 * BuildKit's ARG scoping rules. werf's digest feeds whole instruction lines through this lexer, so its quirks
 * (an odd number of quotes is an error, unset variables become "", `$@` is empty) are kept on purpose.
 *
 * Takes strings and variable maps, gives strings. Pure: no I/O. Imports nothing from the rest of `src/`.
 */

/** A variable set: a Map or a plain record (own properties only). */
export type Env = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface LexOptions {
  /** The escape character: `\` (default) or `` ` `` (`# escape=` directive). */
  readonly escapeToken?: string;
  /** Keep quote characters in the result (they still group words). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  readonly rawEscapes?: boolean;
  /** Treat quotes as ordinary characters. */
  readonly skipProcessQuotes?: boolean;
  /** Leave references to unset variables as they are instead of expanding them to "". */
  readonly skipUnsetEnv?: boolean;
}

export interface LexResult {
  /** The processed word, spaces between words retained. */
  readonly result: string;
  /** The word split on unquoted whitespace after expansion. */
  readonly words: string[];
  /** Variables that were looked up and found. */
  readonly matched: ReadonlySet<string>;
  /** Variables that were looked up and not found. */
  readonly unmatched: ReadonlySet<string>;
}

/** A syntax error in a word; `message` follows BuildKit's (`failed to process "...": ...`). */
export class ShellLexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellLexError";
  }
}

const EOF = "";

/** Processes `word` and returns the single resulting string (BuildKit `ProcessWord`). */
export function processWord(word: string, env: Env, options: LexOptions = {}): string {
  return lex(word, env, options).result;
}

/** Processes `word` and returns it split into words (BuildKit `ProcessWords`). */
export function processWords(word: string, env: Env, options: LexOptions = {}): string[] {
  return lex(word, env, options).words;
}

/** Processes `word`, returning the result, the word list and which variables were (not) found. */
export function lex(word: string, env: Env, options: LexOptions = {}): LexResult {
  const sw = new ShellWord(word, toMap(env), options);
  try {
    const { result, words } = sw.processStopOn(EOF, sw.rawEscapes);
    return { result, words, matched: sw.matches, unmatched: sw.nonmatches };
  } catch (err) {
    if (err instanceof ShellLexError) {
      throw new ShellLexError(`failed to process ${goQuote(word)}: ${err.message}`);
    }
    throw err;
  }
}

function toMap(env: Env): ReadonlyMap<string, string> {
  if (env instanceof Map) return env as ReadonlyMap<string, string>;
  return new Map(Object.entries(env as Readonly<Record<string, string>>));
}

/** `KEY=VALUE` strings to a map, the last duplicate winning; a bare `KEY` maps to "" (BuildKit `BuildEnvs`). */
export function envFromList(list: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of list) {
    const i = e.indexOf("=");
    if (i < 0) out.set(e, "");
    else out.set(e.slice(0, i), e.slice(i + 1));
  }
  return out;
}

class WordsCollector {
  word = "";
  words: string[] = [];
  inWord = false;

  addChar(ch: string): void {
    if (isGoSpace(ch) && this.inWord) {
      if (this.word.length !== 0) {
        this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      }
    } else if (!isGoSpace(ch)) {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  addString(str: string): void {
    for (const ch of str) this.addChar(ch);
  }

  addRawString(str: string): void {
    this.word += str;
    this.inWord = true;
  }

  getWords(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = "";
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private readonly escapeToken: string;
  private readonly rawQuotes: boolean;
  private readonly skipProcessQuotes: boolean;
  private readonly skipUnsetEnv: boolean;
  rawEscapes: boolean;
  readonly matches = new Set<string>();
  readonly nonmatches = new Set<string>();

  constructor(
    word: string,
    private readonly envs: ReadonlyMap<string, string>,
    options: LexOptions,
  ) {
    this.chars = Array.from(word);
    this.escapeToken = options.escapeToken ?? "\\";
    this.rawQuotes = options.rawQuotes ?? false;
    this.rawEscapes = options.rawEscapes ?? false;
    this.skipProcessQuotes = options.skipProcessQuotes ?? false;
    this.skipUnsetEnv = options.skipUnsetEnv ?? false;
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }

  private next(): string {
    const ch = this.chars[this.pos] ?? EOF;
    if (ch !== EOF) this.pos++;
    return ch;
  }

  processStopOn(stopChar: string, rawEscapes: boolean): { result: string; words: string[] } {
    let result = "";
    const words = new WordsCollector();
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      while (this.peek() !== EOF) {
        let ch = this.peek();
        if (stopChar !== EOF && ch === stopChar) {
          this.next();
          return { result, words: words.getWords() };
        }
        const special =
          ch === "$" ? "dollar" : !this.skipProcessQuotes && (ch === "'" || ch === '"') ? "quote" : undefined;
        if (special !== undefined) {
          const tmp =
            ch === "$" ? this.processDollar() : ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
          result += tmp;
          if (special === "dollar") words.addString(tmp);
          else words.addRawString(tmp);
          continue;
        }
        ch = this.next();
        if (ch === this.escapeToken) {
          if (this.rawEscapes) {
            words.addRawChar(ch);
            result += ch;
          }
          ch = this.next();
          if (ch === EOF) break;
          words.addRawChar(ch);
        } else {
          words.addChar(ch);
        }
        result += ch;
      }
      if (stopChar !== EOF) {
        throw new ShellLexError(`unexpected end of statement while looking for matching ${stopChar}`);
      }
      return { result, words: words.getWords() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    let result = "";
    let ch = this.next();
    if (this.rawQuotes) result += ch;
    for (;;) {
      ch = this.next();
      if (ch === EOF) throw new ShellLexError("unexpected end of statement while looking for matching single-quote");
      if (ch === "'") {
        if (this.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    let result = "";
    let ch = this.next();
    if (this.rawQuotes) result += ch;
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new ShellLexError("unexpected end of statement while looking for matching double-quote");
      if (p === '"') {
        ch = this.next();
        if (this.rawQuotes) result += ch;
        return result;
      }
      if (p === "$") {
        result += this.processDollar();
        continue;
      }
      ch = this.next();
      if (ch === this.escapeToken) {
        if (this.rawEscapes) result += ch;
        const after = this.peek();
        if (after === EOF) continue;
        if (after === '"' || after === "$" || after === this.escapeToken) ch = this.next();
      }
      result += ch;
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== "{") {
      const name = this.processName();
      if (name === "") return "$";
      const [value, found] = this.getEnv(name);
      if (!found && this.skipUnsetEnv) return `$${name}`;
      return value;
    }

    this.next();
    const first = this.peek();
    if (first === EOF) throw new ShellLexError("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") throw new ShellLexError("syntax error: bad substitution");

    const name = this.processName();
    let ch = this.next();
    let chs = ch === EOF ? "\uFFFD" : ch;
    let nullIsUnset = false;

    if (ch === "}") {
      const [value, set] = this.getEnv(name);
      if (!set && this.skipUnsetEnv) return `\${${name}}`;
      return value;
    }
    if (ch === ":") {
      nullIsUnset = true;
      ch = this.next();
      chs += ch === EOF ? "\uFFFD" : ch;
    }
    if (nullIsUnset || ch === "+" || ch === "-" || ch === "?" || ch === "#" || ch === "%") {
      const raw = ch === "#" || ch === "%";
      let word: string;
      try {
        word = this.processStopOn("}", raw).result;
      } catch (err) {
        if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '}'");
        throw err;
      }
      const [value, set] = this.getEnv(name);
      if (this.skipUnsetEnv && !set) return `\${${name}${chs}${word}}`;
      switch (ch) {
        case "-":
          return !set || (nullIsUnset && value === "") ? word : value;
        case "+":
          return !set || (nullIsUnset && value === "") ? "" : word;
        case "?":
          if (!set) throw new ShellLexError(`${name}: ${word !== "" ? word : "is not allowed to be unset"}`);
          if (nullIsUnset && value === "") {
            throw new ShellLexError(`${name}: ${word !== "" ? word : "is not allowed to be empty"}`);
          }
          return value;
        case "%":
        case "#": {
          let greedy = false;
          if (word.length > 0 && word[0] === ch) {
            greedy = true;
            word = word.slice(1);
          }
          return ch === "%" ? trimSuffix(word, value, greedy) : trimPrefix(word, value, greedy);
        }
        default:
          throw new ShellLexError(`unsupported modifier (${chs}) in substitution`);
      }
    }
    if (ch === "/") {
      const replaceAll = this.peek() === "/";
      if (replaceAll) this.next();
      let pattern: string;
      try {
        pattern = this.processStopOn("/", true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '/' in ${}");
        throw err;
      }
      let replacement: string;
      try {
        replacement = this.processStopOn("}", true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new ShellLexError("syntax error: missing '}'");
        throw err;
      }
      const [value, set] = this.getEnv(name);
      if (this.skipUnsetEnv && !set) return `\${${name}/${pattern}/${replacement}}`;
      const re = shellPatternToRegExp(pattern, true, false, replaceAll);
      if (replaceAll) return value.replace(re, (m) => expandGoReplacement(replacement, m));
      const m = re.exec(value);
      if (m === null) return value;
      return value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
    }
    throw new ShellLexError(`unsupported modifier (${chs}) in substitution`);
  }

  private processName(): string {
    let name = "";
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name.length === 0 && isGoDigit(ch)) {
        while (this.peek() !== EOF && isGoDigit(this.peek())) name += this.next();
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) return this.next();
      if (!isGoLetter(ch) && !isGoDigit(ch) && ch !== "_") break;
      name += this.next();
    }
    return name;
  }

  private getEnv(name: string): [string, boolean] {
    const value = this.envs.get(name);
    if (value !== undefined) {
      this.matches.add(name);
      return [value, true];
    }
    this.nonmatches.add(name);
    return ["", false];
  }
}

function isSpecialParam(ch: string): boolean {
  return "@*#?-$!0".includes(ch) && ch.length === 1;
}

const letterRe = /^\p{L}$/u;
const digitRe = /^\p{Nd}$/u;
const whiteSpaceRe = /^\p{White_Space}$/u;

function isGoLetter(ch: string): boolean {
  return letterRe.test(ch);
}

function isGoDigit(ch: string): boolean {
  return digitRe.test(ch);
}

/** Go's `unicode.IsSpace`. */
export function isGoSpace(ch: string): boolean {
  switch (ch) {
    case "\t":
    case "\n":
    case "\v":
    case "\f":
    case "\r":
    case " ":
    case "\u0085":
    case "\u00A0":
      return true;
  }
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return false;
  return whiteSpaceRe.test(ch);
}

/**
 * A shell wildcard (`?` one character, `*` any string) as a regular expression, the way BuildKit's
 * `convertShellPatternToRegex` builds it. `.` is written `[^\n]` so that it means what Go's `.` means.
 */
function shellPatternToRegExp(pattern: string, greedy: boolean, anchored: boolean, global = false): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? "^" : "";
  const star = greedy ? "[^\\n]*" : "[^\\n]*?";
  for (let i = 0; i < chars.length; i++) {
    const tok = chars[i] ?? "";
    switch (tok) {
      case "*":
        out += star;
        continue;
      case "?":
        out += "[^\\n]";
        continue;
      case "\\": {
        const nx = chars[i + 1];
        if (nx === "}" || nx === "/") continue;
        i++;
        if (nx !== "*" && nx !== "?" && nx !== "\\") {
          throw new ShellLexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${nx ?? ""}'`);
        }
        out += `\\${nx}`;
        continue;
      }
      case "[":
      case "]":
      case "{":
      case "}":
      case ".":
      case "+":
      case "(":
      case ")":
      case "|":
      case "^":
      case "$":
        out += `\\${tok}`;
        continue;
      case "/":
        out += "\\/";
        continue;
      default:
        out += tok;
    }
  }
  return new RegExp(out, global ? "gu" : "u");
}

/** Go `Regexp.ReplaceAllString` template expansion for a pattern without groups: `$$`, `$0`/`${0}`, else "". */
function expandGoReplacement(template: string, match: string): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+))/g, (all, tok: string, braced?: string, bare?: string) => {
    if (tok === "$") return "$";
    const name = braced ?? bare ?? "";
    if (braced === undefined && bare === undefined) return all;
    return name === "0" ? match : "";
  });
}

function trimPrefix(word: string, value: string, greedy: boolean): string {
  const re = shellPatternToRegExp(word, greedy, true);
  const m = re.exec(value);
  return m === null ? value : value.slice(m.index + m[0].length);
}

/** Reverses a pattern while keeping each `\x` escape pair in order. */
function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = runes[i] ?? "";
    const outIdx = last - i;
    if (tok === "\\" && i !== last) {
      out[outIdx - 1] = tok;
      out[outIdx] = runes[i + 1] ?? "";
      i += 2;
    } else {
      out[outIdx] = tok;
      i++;
    }
  }
  return out.join("");
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join("");
}

function trimSuffix(pattern: string, word: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(word), greedy));
}

/** Go's `%q` for the strings that appear in lexer errors (close enough: JSON escaping). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------------------------
// Platforms and ARG scoping

/** An OCI platform as containerd normalizes it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string;
}

/** The platform werf and BuildKit assume when none is given. */
export const DEFAULT_PLATFORM = "linux/amd64";

const knownOS = new Set([
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "illumos",
  "ios",
  "js",
  "linux",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
]);

function normalizeArch(arch: string, variant: string): [string, string] {
  arch = arch.toLowerCase();
  variant = variant.toLowerCase();
  switch (arch) {
    case "i386":
      return ["386", ""];
    case "x86_64":
    case "x86-64":
    case "amd64":
      return ["amd64", variant === "v1" ? "" : variant];
    case "aarch64":
    case "arm64":
      if (variant === "8" || variant === "v8" || variant === "v8.0") variant = "";
      else if (variant === "9" || variant === "9.0" || variant === "v9.0") variant = "v9";
      return ["arm64", variant];
    case "armhf":
      return ["arm", "v7"];
    case "armel":
      return ["arm", "v6"];
    case "arm":
      if (variant === "" || variant === "7") variant = "v7";
      else if (variant === "5" || variant === "6" || variant === "8") variant = `v${variant}`;
      return ["arm", variant];
    default:
      return [arch, variant];
  }
}

/** Parses and normalizes `os[/arch[/variant]]` or a bare architecture, like containerd's `platforms.Parse`. */
export function parsePlatform(spec: string): Platform {
  const parts = spec.split("/");
  if (spec === "" || parts.some((p) => p === "") || parts.length > 3) {
    throw new Error(`invalid platform ${JSON.stringify(spec)}`);
  }
  const [a = "", b, c] = parts;
  if (parts.length === 1) {
    if (knownOS.has(a.toLowerCase())) {
      const [arch, variant] = normalizeArch("amd64", "");
      return { os: a.toLowerCase(), architecture: arch, variant };
    }
    const [arch, variant] = normalizeArch(a, "");
    return { os: "linux", architecture: arch, variant };
  }
  const [arch, variant] = normalizeArch(b ?? "", c ?? "");
  return { os: a.toLowerCase(), architecture: arch, variant };
}

/** `os/arch[/variant]`. */
export function formatPlatform(p: Platform): string {
  return p.variant === "" ? `${p.os}/${p.architecture}` : `${p.os}/${p.architecture}/${p.variant}`;
}

/** Normalized platform string (`x86_64` → `linux/amd64`, `linux/arm64/v8` → `linux/arm64`). */
export function normalizePlatform(spec: string): string {
  return formatPlatform(parsePlatform(spec));
}

/**
 * BuildKit's automatic platform ARGs: `BUILDPLATFORM`, `BUILDOS`, `BUILDARCH`, `BUILDVARIANT`, `TARGETPLATFORM`,
 * `TARGETOS`, `TARGETARCH`, `TARGETVARIANT`. Both platforms default to linux/amd64; an unset target platform is the
 * build platform.
 */
export function platformArgs(targetPlatform?: string, buildPlatform?: string): Map<string, string> {
  const bp = parsePlatform(buildPlatform ?? DEFAULT_PLATFORM);
  const tp = targetPlatform === undefined || targetPlatform === "" ? bp : parsePlatform(targetPlatform);
  return new Map([
    ["BUILDPLATFORM", formatPlatform(bp)],
    ["BUILDOS", bp.os],
    ["BUILDARCH", bp.architecture],
    ["BUILDVARIANT", bp.variant],
    ["TARGETPLATFORM", formatPlatform(tp)],
    ["TARGETOS", tp.os],
    ["TARGETARCH", tp.architecture],
    ["TARGETVARIANT", tp.variant],
  ]);
}

/** One `name[=default]` of an ARG instruction. */
export interface ArgDeclaration {
  readonly key: string;
  /** The default as written (quotes and `$refs` still in it); undefined for a bare `ARG NAME`. */
  readonly value?: string | undefined;
}

/**
 * BuildKit's meta-ARG scope: the ARGs declared before the first FROM, evaluated in order. Each default may use
 * the platform ARGs and the meta ARGs declared before it; a `--build-arg` overrides the default; a bare
 * `ARG NAME` without a build arg leaves NAME unset. The result is the set of variables a FROM line can use
 * (platform ARGs included).
 */
export function resolveMetaArgs(
  metaArgs: readonly ArgDeclaration[],
  buildArgs: Env,
  options: { readonly targetPlatform?: string; readonly buildPlatform?: string; readonly escapeToken?: string } = {},
): Map<string, string> {
  const scope = platformArgs(options.targetPlatform, options.buildPlatform);
  const build = toMap(buildArgs);
  const lexOptions: LexOptions = options.escapeToken === undefined ? {} : { escapeToken: options.escapeToken };
  for (const arg of metaArgs) {
    const override = build.get(arg.key);
    if (override !== undefined) {
      scope.set(arg.key, override);
    } else if (arg.value !== undefined) {
      scope.set(arg.key, processWord(arg.value, scope, lexOptions));
    }
  }
  return scope;
}

/**
 * The value an `ARG NAME[=default]` inside a stage gives NAME under BuildKit's rules: the build arg if one is
 * passed, else the default expanded in the stage's scope, else the meta-ARG value of the same name (which is how
 * `ARG NAME` re-declares a global ARG); undefined when none of these exist (NAME stays unset).
 */
export function resolveStageArg(
  arg: ArgDeclaration,
  stageScope: Env,
  metaScope: Env,
  buildArgs: Env,
  options: { readonly escapeToken?: string } = {},
): string | undefined {
  const override = toMap(buildArgs).get(arg.key);
  if (override !== undefined) return override;
  if (arg.value !== undefined) {
    return processWord(arg.value, stageScope, options.escapeToken === undefined ? {} : { escapeToken: options.escapeToken });
  }
  return toMap(metaScope).get(arg.key);
}
