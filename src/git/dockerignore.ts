/**
 * `.dockerignore` with Docker's own semantics: the file format of moby `patternmatcher/ignorefile.ReadAll` and the
 * matching of moby `patternmatcher` (pattern → regexp translation, `**`, `?`, `[...]`, `\` escapes, `!` exceptions,
 * last match wins, a matching parent directory excludes its children). Plus werf's additions: the choice between
 * `<dockerfile>.dockerignore` and `.dockerignore`, and re-including the Dockerfile when the rules would exclude it.
 *
 * Pure: takes strings, gives strings and booleans. Imports only ./gopath.js.
 */
import { goClean, goDir } from "./gopath.js";

/** Go's `filepath.ErrBadPattern` text; moby returns it for malformed patterns. */
export const ERR_BAD_PATTERN = "syntax error in pattern";

export class DockerignorePatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DockerignorePatternError";
  }
}

/**
 * moby `ignorefile.ReadAll`: one pattern a line, a UTF-8 BOM on the first line dropped, lines starting with `#`
 * skipped (before trimming, so ` # x` is a pattern), surrounding whitespace trimmed, `!` prefix kept, the rest
 * `filepath.Clean`ed and a leading `/` removed (so `/foo` and `./foo` both mean `foo`).
 */
export function parseDockerignore(content: string | Buffer): string[] {
  let text = typeof content === "string" ? content : content.toString("utf8");
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  const lines = text.split("\n");
  // bufio.Scanner drops a trailing "\r" of each line, and yields no final empty token after a trailing newline.
  const result: string[] = [];
  for (let raw of lines) {
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (raw.startsWith("#")) continue;
    let pattern = raw.trim();
    if (pattern === "") continue;
    const invert = pattern.startsWith("!");
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1);
    }
    result.push(invert ? `!${pattern}` : pattern);
  }
  return result;
}

type MatchType = "exact" | "prefix" | "suffix" | "regexp";

/** One compiled pattern, as moby's `Pattern`. */
export class DockerignorePattern {
  readonly cleaned: string;
  readonly exclusion: boolean;
  readonly dirs: readonly string[];
  private matchType: MatchType | undefined;
  private regexp: RegExp | undefined;
  /** The literal part a "prefix" or "suffix" pattern compares with. */
  private affix = "";
  /** For "regexp": the literal characters the regexp ends with (maybe ""). */
  private tail = "";

  constructor(cleaned: string, exclusion: boolean) {
    this.cleaned = cleaned;
    this.exclusion = exclusion;
    this.dirs = cleaned.split("/");
  }

  /** The cleaned pattern without `!` (moby `Pattern.String`). */
  toString(): string {
    return this.cleaned;
  }

  match(path: string): boolean {
    if (this.matchType === undefined) this.compile();
    switch (this.matchType) {
      case "exact":
        return path === this.cleaned;
      case "prefix":
        return path.startsWith(this.affix);
      case "suffix":
        // `**/foo` matches "foo"
        return path.endsWith(this.affix) || (this.affix.startsWith("/") && path === this.affix.slice(1));
      case "regexp":
        // The literal tail is a cheap necessary condition (`**/*.log` and most files: no regexp run).
        return path.endsWith(this.tail) && (this.regexp?.test(path) ?? false);
      default:
        return false;
    }
  }

  /** moby `Pattern.compile` with `/` as the separator, translated to a JS RegExp. */
  private compile(): void {
    const pattern = this.cleaned;
    let reg = "^";
    let type: MatchType = "exact";
    const chars = Array.from(pattern);
    // Go's regexp reads a `]` outside a class literally; JS (with `u`) rejects it, so track classes.
    let inClass = false;
    // The literal characters the regexp ends with, which a matching path must end with too.
    let tail = "";
    for (let i = 0, pos = 0; pos < chars.length; i++) {
      const ch = chars[pos++] as string;
      const peek = chars[pos];
      if (ch === "*") {
        if (peek === "*") {
          pos++;
          if (chars[pos] === "/") pos++;
          if (pos >= chars.length) {
            if (type === "exact") {
              type = "prefix";
            } else {
              reg += ".*";
              type = "regexp";
            }
          } else {
            reg += "(.*/)?";
            type = "regexp";
          }
          if (i === 0) type = "suffix";
        } else {
          reg += "[^/]*";
          type = "regexp";
        }
        tail = "";
      } else if (ch === "?") {
        reg += "[^/]";
        type = "regexp";
        tail = "";
      } else if (".+()|{}$".includes(ch)) {
        reg += `\\${ch}`;
        tail = inClass ? "" : tail + ch;
      } else if (ch === "\\") {
        tail = ""; // `\d` and the like are classes
        if (peek !== undefined) {
          pos++;
          reg += escapeLiteral(peek);
          type = "regexp";
        } else {
          reg += "\\\\";
        }
      } else if (ch === "[" || ch === "]") {
        if (ch === "]" && !inClass) {
          reg += "\\]";
        } else {
          reg += ch;
          inClass = ch === "[";
        }
        type = "regexp";
        tail = "";
      } else {
        reg += ch;
        tail = inClass || ch === "^" ? "" : tail + ch;
      }
    }
    if (type === "regexp") {
      this.tail = tail;
      reg += "$";
      try {
        this.regexp = new RegExp(reg, "u");
      } catch {
        throw new DockerignorePatternError(ERR_BAD_PATTERN);
      }
    }
    if (type === "prefix") this.affix = pattern.slice(0, -2);
    else if (type === "suffix") this.affix = pattern.slice(2);
    this.matchType = type;
  }
}

function escapeLiteral(ch: string): string {
  if (/^[A-Za-z0-9]$/.test(ch)) return `\\${ch}`;
  const code = ch.codePointAt(0) ?? 0;
  return `\\u{${code.toString(16)}}`;
}

/**
 * Checks a pattern the way Go's `filepath.Match(pattern, ".")` would, which moby calls for syntax errors only:
 * a trailing `\`, an unclosed `[`, an empty class, or a misplaced `-`/`]` in a class are `ErrBadPattern`.
 */
export function validateGoPattern(pattern: string): void {
  const chars = Array.from(pattern);
  let i = 0;
  const bad = (): never => {
    throw new DockerignorePatternError(ERR_BAD_PATTERN);
  };
  const getEsc = (): void => {
    const c = chars[i];
    if (c === undefined || c === "-" || c === "]") bad();
    if (c === "\\") {
      i++;
      if (chars[i] === undefined) bad();
    }
    i++;
  };
  while (i < chars.length) {
    const c = chars[i];
    if (c === "\\") {
      i++;
      if (chars[i] === undefined) bad();
      i++;
    } else if (c === "[") {
      i++;
      if (chars[i] === "^") i++;
      let nrange = 0;
      for (;;) {
        if (chars[i] === undefined) bad();
        if (chars[i] === "]" && nrange > 0) {
          i++;
          break;
        }
        getEsc();
        if (chars[i] === "-") {
          i++;
          getEsc();
        }
        nrange++;
      }
    } else {
      i++;
    }
  }
}

const UNKNOWN = 0;
const YES = 1;
const NO = 2;

/**
 * The parent half of moby's deprecated `Matches`: the pattern against the prefix of `parentPath` with as many
 * components as the pattern has, if there are that many.
 */
function legacyParentMatch(pattern: DockerignorePattern, parentPath: string): boolean {
  let end = -1;
  for (let k = 0; k < pattern.dirs.length; k++) {
    end = parentPath.indexOf("/", end + 1);
    if (end < 0) return k === pattern.dirs.length - 1 && pattern.match(parentPath);
  }
  return pattern.match(parentPath.slice(0, end));
}

/** moby `patternmatcher.PatternMatcher`. */
export class DockerignoreMatcher {
  readonly patterns: readonly DockerignorePattern[];
  readonly exclusions: boolean;
  /** `matchesLegacy`'s memory of the last parent dir: per pattern UNKNOWN, YES or NO. */
  private legacyParent: string | undefined;
  private readonly legacyParentResults: Uint8Array;

  /** moby `patternmatcher.New`: trims, skips empty lines, `filepath.Clean`s, validates. Throws on a lone `!`. */
  constructor(patterns: readonly string[]) {
    const compiled: DockerignorePattern[] = [];
    let exclusions = false;
    for (let p of patterns) {
      p = p.trim();
      if (p === "") continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith("!")) {
        if (p.length === 1) throw new DockerignorePatternError('illegal exclusion pattern: "!"');
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      validateGoPattern(p);
      compiled.push(new DockerignorePattern(p, exclusion));
    }
    this.patterns = compiled;
    this.exclusions = exclusions;
    this.legacyParentResults = new Uint8Array(compiled.length);
  }

  /**
   * What the Docker CLI and BuildKit use (`MatchesOrParentMatches`, same results as `MatchesUsingParentResults`):
   * true when the path is excluded from the context. A pattern that matches any parent directory matches the path.
   */
  matches(file: string): boolean {
    return this.run(file, (pattern, parentPath) => {
      for (let i = parentPath.indexOf("/"); ; i = parentPath.indexOf("/", i + 1)) {
        if (pattern.match(i < 0 ? parentPath : parentPath.slice(0, i))) return true;
        if (i < 0) return false;
      }
    });
  }

  /**
   * moby's deprecated `Matches`, which werf v2's digest path matcher calls: it checks only the one parent prefix
   * with as many components as the pattern has. Differs from {@link matches} for patterns like `a/*` vs `a/b/c/d`.
   */
  matchesLegacy(file: string): boolean {
    const parentPath = goDir(file);
    // Siblings share a parent, and the parent's part of the answer: remember it for the last parent seen.
    if (parentPath !== this.legacyParent) {
      this.legacyParent = parentPath;
      this.legacyParentResults.fill(UNKNOWN);
    }
    return this.legacyRun(file, parentPath, this.legacyParentResults);
  }

  /**
   * {@link matchesLegacy} for the files of one directory (`parentPath` is what Go's `path.Dir` gives for them,
   * "." at the top): the parent's part of the answer is worked out once, for all of them.
   */
  legacyMatcherIn(parentPath: string): (file: string) => boolean {
    const results = new Uint8Array(this.patterns.length);
    return (file) => this.legacyRun(file, parentPath, results);
  }

  private legacyRun(file: string, parentPath: string, results: Uint8Array): boolean {
    let matched = false;
    for (let k = 0; k < this.patterns.length; k++) {
      const pattern = this.patterns[k] as DockerignorePattern;
      // Skip an inclusion once matched, and an exclusion while nothing matched.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== ".") {
        let known = results[k];
        if (known === UNKNOWN) {
          known = legacyParentMatch(pattern, parentPath) ? YES : NO;
          results[k] = known;
        }
        match = known === YES;
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** No parent matching at all (moby `MatchesExact`). */
  matchesExact(file: string): boolean {
    return this.run(file, () => false);
  }

  private run(file: string, parentMatch: (p: DockerignorePattern, parentPath: string) => boolean): boolean {
    let matched = false;
    const parentPath = goDir(file);
    for (const pattern of this.patterns) {
      // Skip an inclusion once matched, and an exclusion while nothing matched.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== ".") match = parentMatch(pattern, parentPath);
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}

/**
 * Which ignore file applies, relative to the context: werf (like BuildKit) tries `<dockerfile>.dockerignore` first,
 * where `<dockerfile>` is the Dockerfile path relative to the context, then `.dockerignore`.
 */
export function dockerignoreCandidates(dockerfileRelToContext: string): [string, string] {
  return [`${goClean(dockerfileRelToContext)}.dockerignore`, ".dockerignore"];
}

/** Returns the first candidate for which `exists` is true, or undefined. */
export function chooseDockerignore(
  dockerfileRelToContext: string,
  exists: (pathRelToContext: string) => boolean,
): string | undefined {
  return dockerignoreCandidates(dockerfileRelToContext).find((candidate) => exists(candidate));
}

export const DOCKERFILE_IGNORED_WARNING =
  "WARNING: There is no way to ignore the Dockerfile due to docker limitation when building an image for a compressed context that reads from STDIN.\n" +
  "WARNING: To hide this message, remove the Dockerfile ignore rule or add an exception rule.\n";

/**
 * werf's rule (pkg/build/image/dockerfile.go `createDockerIgnorePathMatcher`): when the patterns exclude the
 * Dockerfile itself, append `!<dockerfile>` and warn. werf decides with moby's legacy `Matches`.
 */
export function keepDockerfile(
  patterns: readonly string[],
  dockerfileRelToContext: string,
): { patterns: string[]; warning?: string } {
  const matcher = new DockerignoreMatcher(patterns);
  const dockerfile = goClean(dockerfileRelToContext);
  if (!matcher.matchesLegacy(dockerfile)) return { patterns: [...patterns] };
  return { patterns: [...patterns, `!${dockerfileRelToContext}`], warning: DOCKERFILE_IGNORED_WARNING };
}
