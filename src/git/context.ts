/**
 * Build-context selection and werf v2's context checksum, computed from `git ls-tree -r -t` entries in memory.
 *
 * Takes: tree entries of one commit (see ./repo.ts `lsTree`), the context dir, COPY/ADD source globs and the
 * `.dockerignore` patterns. Gives: the entries werf's lazy ls-tree would visit, their checksum, and the plain list
 * of blobs that belong to the context (for the tar archive and for the giterminism check).
 *
 * Ported from werf v2: `pkg/git_repo/ls_tree` (lazy walk: a fully matched directory contributes its *tree* id),
 * `pkg/path_matcher` (include, dockerignore, base-path and multi matchers, doublestar v1 globs) and
 * `pkg/build/stage/full_dockerfile.go calculateFilesChecksumWithGit`. Pure; no I/O. Imports ./gopath.js and
 * ./dockerignore.js only.
 */
import { createHash } from "node:crypto";
import { DockerignoreMatcher } from "./dockerignore.js";
import { compareGoStrings, goClean, goJoin, goRel, isCleanPath, splitFilepath } from "./gopath.js";

/** What context.ts needs of an ls-tree entry (./repo.ts `TreeEntry` fits). */
export interface ContextTreeEntry {
  /** Path relative to the repository root, `/`-separated. */
  readonly path: string;
  readonly type: "blob" | "tree" | "commit";
  readonly objectId: string;
  readonly mode?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// doublestar v1 `PathMatch` (github.com/bmatcuk/doublestar v1), which werf's path matchers use.

const componentCache = new Map<string, RegExp | null>();

function componentRegExp(pattern: string): RegExp | null {
  const cached = componentCache.get(pattern);
  if (cached !== undefined) return cached;
  let reg = "^";
  const chars = Array.from(pattern);
  let ok = true;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "*") {
      reg += "[^/]*";
    } else if (ch === "?") {
      reg += "[^/]";
    } else if (ch === "\\") {
      const next = chars[++i];
      if (next === undefined) {
        ok = false;
        break;
      }
      reg += lit(next);
    } else if (ch === "[") {
      let j = i + 1;
      let cls = "[";
      if (chars[j] === "^" || chars[j] === "!") {
        cls += "^";
        j++;
      }
      let closed = false;
      for (; j < chars.length; j++) {
        const c = chars[j] as string;
        if (c === "]" && cls.length > 1 && cls !== "[^") {
          closed = true;
          break;
        }
        if (c === "\\") {
          const n = chars[++j];
          if (n === undefined) break;
          cls += lit(n);
        } else if (c === "-") {
          cls += "-";
        } else {
          cls += lit(c);
        }
      }
      if (!closed) {
        ok = false;
        break;
      }
      reg += `${cls}]`;
      i = j;
    } else if (ch === "{") {
      // Alternatives: `{a,b}`; nested braces are not supported (werf users do not write them in COPY).
      const end = chars.indexOf("}", i);
      if (end < 0) {
        ok = false;
        break;
      }
      const alts = chars.slice(i + 1, end).join("").split(",");
      reg += `(?:${alts.map((alt) => (componentRegExp(alt)?.source ?? "").replace(/^\^|\$$/g, "")).join("|")})`;
      i = end;
    } else {
      reg += lit(ch);
    }
  }
  const re = ok ? new RegExp(`${reg}$`, "u") : null;
  componentCache.set(pattern, re);
  return re;
}

function lit(ch: string): string {
  return /^[A-Za-z0-9_]$/.test(ch) ? ch : `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
}

function matchComponents(pattern: readonly string[], pi: number, name: readonly string[], ni: number): boolean {
  for (;;) {
    if (pi >= pattern.length) return ni >= name.length;
    const part = pattern[pi] as string;
    if (part === "**") {
      // A trailing `**` needs at least one more component in v1 (`a/**` does not match `a`).
      if (pi === pattern.length - 1) return ni < name.length;
      for (let k = ni; k < name.length; k++) {
        if (matchComponents(pattern, pi + 1, name, k)) return true;
      }
      return false;
    }
    if (ni >= name.length) return false;
    const re = componentRegExp(part);
    if (re === null) throw new Error(`syntax error in pattern: ${pattern.join("/")}`);
    if (!re.test(name[ni] as string)) return false;
    pi++;
    ni++;
  }
}

/** doublestar v1 `PathMatch` with `/` as the separator. */
const splitCache = new Map<string, readonly string[]>();

export function doublestarMatch(pattern: string, name: string): boolean {
  let parts = splitCache.get(pattern);
  if (parts === undefined) {
    parts = pattern.split("/");
    splitCache.set(pattern, parts);
  }
  return matchComponents(parts, 0, name.split("/"), 0);
}

// ---------------------------------------------------------------------------------------------------------------
// werf pkg/path_matcher

export interface PathMatcher {
  isPathMatched(path: string): boolean;
  shouldGoThrough(path: string): boolean;
  /**
   * Optional, for speed: `isPathMatched` specialised to the children of one directory, prepared once per directory
   * instead of once per path. `dir` is clean ("" for the root); the returned test gets the clean paths of the
   * entries directly in it and must answer exactly as `isPathMatched` does. `true`/`false`: every such path is/is not
   * matched.
   */
  childMatcher?(dir: string): ChildMatch;
}

/** What {@link PathMatcher.childMatcher} gives: a test, or the same answer for every path. */
export type ChildMatch = boolean | ((path: string) => boolean);

function childMatchOf(matcher: PathMatcher, dir: string): ChildMatch {
  return matcher.childMatcher !== undefined ? matcher.childMatcher(dir) : (path) => matcher.isPathMatched(path);
}

function formatPath(path: string): string {
  return path === "" || path === "." ? "" : goClean(path);
}

function safeTrimGlobsAndSlashes(p: string): string {
  const parts = splitFilepath(p);
  let end = parts.length;
  while (end > 0 && (parts[end - 1] as string).replace(/\*+$/, "") === "") end--;
  return goJoin(...parts.slice(0, end));
}

function hasUniversalGlob(globs: readonly string[]): boolean {
  return globs.some((glob) => glob === "." || safeTrimGlobsAndSlashes(glob) === "");
}

/** werf `matchGlob`: [globStillInProgress, globFullyMatched]. */
function matchGlob(pathPart: string, glob: string): [string, string] {
  const parts = splitFilepath(glob);
  const first = parts[0] ?? "";
  if (!doublestarMatch(first, pathPart)) return ["", ""];
  if (first.includes("**")) return [glob, ""];
  if (parts.length > 1) return [goJoin(...parts.slice(1)), ""];
  return ["", glob];
}

export class TruePathMatcher implements PathMatcher {
  isPathMatched(): boolean {
    return true;
  }
  shouldGoThrough(): boolean {
    return false;
  }
  childMatcher(): ChildMatch {
    return true;
  }
}

/** werf `includePathMatcher` (COPY/ADD sources, giterminism allow-lists). */
export class IncludePathMatcher implements PathMatcher {
  private readonly globs: readonly string[];
  private readonly universal: boolean;
  /** Per glob, the three variants werf's `isPathMatched` tries, precomputed. */
  private readonly variants: readonly (readonly string[])[];

  constructor(globs: readonly string[]) {
    this.globs = globs.map(formatPath);
    this.universal = hasUniversalGlob(this.globs);
    this.variants = this.globs.map((glob) => {
      const trimmed = safeTrimGlobsAndSlashes(glob);
      return [glob, trimmed, goJoin(trimmed, "**", "*")];
    });
  }

  isPathMatched(path: string): boolean {
    if (this.globs.length === 0 || this.universal) return true; // a universal glob matches every path
    return this.matchesClean(formatPath(path));
  }

  childMatcher(): ChildMatch {
    return this.globs.length === 0 || this.universal ? true : (path) => this.matchesClean(path);
  }

  private matchesClean(p: string): boolean {
    for (const variants of this.variants) {
      for (const v of variants) if (doublestarMatch(v, p)) return true;
    }
    return false;
  }

  shouldGoThrough(path: string): boolean {
    const p = formatPath(path);
    if (this.globs.length === 0 || this.universal) return false;
    if (p === "") return true;
    let inProgress: readonly string[] = this.globs;
    for (const part of splitFilepath(p)) {
      if (inProgress.length === 0) break;
      const next: string[] = [];
      for (const glob of inProgress) {
        const [progress] = matchGlob(part, glob);
        if (progress !== "") next.push(progress);
      }
      inProgress = next;
    }
    return inProgress.length !== 0 && !hasUniversalGlob(inProgress);
  }
}

/** werf `dockerfileIgnorePathMatcher`: matched = not excluded (moby's legacy `Matches`). */
export class DockerignorePathMatcher implements PathMatcher {
  private readonly matcher: DockerignoreMatcher;

  constructor(patterns: readonly string[] | DockerignoreMatcher) {
    this.matcher = patterns instanceof DockerignoreMatcher ? patterns : new DockerignoreMatcher(patterns);
  }

  isPathMatched(path: string): boolean {
    return !this.matcher.matchesLegacy(formatPath(path));
  }

  childMatcher(dir: string): ChildMatch {
    if (this.matcher.patterns.length === 0) return true;
    const excluded = this.matcher.legacyMatcherIn(dir === "" ? "." : dir);
    return (path) => !excluded(path);
  }

  shouldGoThrough(path: string): boolean {
    const p = formatPath(path);
    const patterns = this.matcher.patterns;
    if (patterns.length === 0) return false;
    if (p === "") return true;
    const state = patterns.map((pattern) => ({ glob: pattern.cleaned, matched: false, inProgress: true }));
    for (const part of splitFilepath(p)) {
      for (const s of state) {
        if (!s.inProgress) continue;
        const [progress, matched] = matchGlob(part, s.glob);
        if (progress !== "") {
          s.glob = progress;
        } else if (matched !== "") {
          s.matched = true;
          s.inProgress = false;
        } else {
          s.inProgress = false;
        }
      }
    }
    let result = false;
    for (const s of state) {
      if (s.matched) result = false;
      else if (s.inProgress) result = true;
    }
    return result;
  }
}

function isSubpathOfBasePath(basePath: string, path: string): boolean {
  const base = splitFilepath(basePath);
  const parts = splitFilepath(path);
  if (base.length > parts.length) return false;
  if (base.length === parts.length && base.every((part, i) => part === parts[i])) return false;
  return base.every((part, i) => part === "" || part === parts[i]);
}

/** werf `basePathMatcher`: restricts to a subtree and hands the inner matcher paths relative to it. */
export class BasePathMatcher implements PathMatcher {
  private readonly basePath: string;
  private readonly inner: PathMatcher;

  constructor(basePath: string, inner: PathMatcher) {
    this.basePath = formatPath(basePath);
    this.inner = inner;
  }

  isPathMatched(path: string): boolean {
    const p = formatPath(path);
    if (!(isSubpathOfBasePath(this.basePath, p) || this.basePath === p)) return false;
    return this.inner.isPathMatched(goRel(this.basePath, p));
  }

  shouldGoThrough(path: string): boolean {
    const p = formatPath(path);
    if (isSubpathOfBasePath(p, this.basePath)) return true;
    return this.inner.shouldGoThrough(goRel(this.basePath, p));
  }

  childMatcher(dir: string): ChildMatch {
    const base = this.basePath;
    // Below the base every path is a subpath of it, and the inner matcher sees it relative to the base.
    if (base === "") return childMatchOf(this.inner, dir);
    // (werf splits paths with `\/` as an escaped slash: a directory name ending in `\` takes the slow way.)
    if ((dir === base || dir.startsWith(`${base}/`)) && !dir.includes("\\")) {
      const inner = childMatchOf(this.inner, dir === base ? "" : dir.slice(base.length + 1));
      if (typeof inner === "boolean") return inner;
      const cut = base.length + 1;
      return (path) => inner(path.slice(cut));
    }
    return (path) => this.isPathMatched(path);
  }
}

export class MultiPathMatcher implements PathMatcher {
  private readonly matchers: readonly PathMatcher[];

  constructor(...matchers: PathMatcher[]) {
    this.matchers = matchers.length === 0 ? [new TruePathMatcher()] : matchers;
  }

  isPathMatched(path: string): boolean {
    for (const m of this.matchers) if (!m.isPathMatched(path)) return false;
    return true;
  }

  childMatcher(dir: string): ChildMatch {
    const tests: ((path: string) => boolean)[] = [];
    for (const m of this.matchers) {
      const test = childMatchOf(m, dir);
      if (test === false) return false;
      if (test !== true) tests.push(test);
    }
    const [first, second] = tests;
    if (first === undefined) return true;
    if (second === undefined) return first;
    if (tests.length === 2) return (path) => first(path) && second(path);
    return (path) => tests.every((test) => test(path));
  }

  shouldGoThrough(path: string): boolean {
    let result = false;
    for (const m of this.matchers) {
      if (m.shouldGoThrough(path)) result = true;
      else if (!m.isPathMatched(path)) return false;
    }
    return result;
  }
}

export interface PathMatcherOptions {
  readonly basePath?: string;
  readonly includeGlobs?: readonly string[];
  /** `undefined` means "no .dockerignore"; an empty list is an empty .dockerignore. */
  readonly dockerignorePatterns?: readonly string[] | undefined;
}

/** werf `path_matcher.NewPathMatcher`. */
export function newPathMatcher(options: PathMatcherOptions): PathMatcher {
  const matchers: PathMatcher[] = [];
  if (options.includeGlobs !== undefined && options.includeGlobs.length > 0) {
    matchers.push(new IncludePathMatcher(options.includeGlobs));
  }
  if (options.dockerignorePatterns !== undefined) {
    matchers.push(new DockerignorePathMatcher(options.dockerignorePatterns));
  }
  const multi = new MultiPathMatcher(...matchers);
  const base = options.basePath ?? "";
  return base !== "" && base !== "." ? new BasePathMatcher(base, multi) : multi;
}

/** werf `dockerfile.NormalizeCopyAddSourcesForPathMatcher`. */
export function normalizeCopySources(sources: readonly string[]): string[] {
  return sources.map((source) => {
    let s = goClean(source);
    if (s === "/") s = ".";
    return s.startsWith("/") ? s.slice(1) : s;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The tree index and werf's lazy ls-tree

/** The entries of one commit, indexed by path and by parent directory. Build once, query many times. */
export class TreeIndex {
  readonly children = new Map<string, ContextTreeEntry[]>();
  /** The commit's root tree id (`<commit>^{tree}`), needed when the whole repository root matches. */
  readonly rootTreeId: string | undefined;
  /**
   * lazyLsTree's answers for the files of each directory, per `LsTreeOptions.cacheKey`: 1 matched, 2 not, 0 not a
   * file. The giterminism selection and the checksum of one COPY walk with the same matcher; the second reuses them.
   */
  readonly fileMatches = new Map<string, Map<string, Uint8Array>>();

  constructor(entries: Iterable<ContextTreeEntry>, rootTreeId?: string) {
    this.rootTreeId = rootTreeId;
    // ls-tree lists a directory's files one after another: reuse the list of the previous entry's parent.
    let lastParent: string | undefined;
    let lastList: ContextTreeEntry[] = [];
    for (const entry of entries) {
      const path = entry.path;
      const slash = path.lastIndexOf("/");
      const same = slash < 0 ? lastParent === "" : slash === lastParent?.length && path.startsWith(lastParent);
      if (!same) {
        const parent = slash < 0 ? "" : path.slice(0, slash);
        let list = this.children.get(parent);
        if (list === undefined) {
          list = [];
          this.children.set(parent, list);
        }
        lastParent = parent;
        lastList = list;
      }
      lastList.push(entry);
    }
  }

  /** The entry at a path, or undefined. */
  get(path: string): ContextTreeEntry | undefined {
    const slash = path.lastIndexOf("/");
    return this.children.get(slash < 0 ? "" : path.slice(0, slash))?.find((entry) => entry.path === path);
  }
}

export interface LsTreeOptions {
  /** The subtree to look at, relative to the repository root (werf `PathScope`). */
  readonly pathScope?: string;
  readonly pathMatcher?: PathMatcher;
  /**
   * false (werf's default for checksums): a directory that matches as a whole is returned as one tree entry.
   * true: descend everywhere and return files only.
   */
  readonly allFiles?: boolean;
  /**
   * Names `pathScope` + `pathMatcher`: walks of one index with the same key share the per-file answers (see
   * TreeIndex.fileMatches), so the key must change whenever the answers could.
   */
  readonly cacheKey?: string;
}

/**
 * werf `ls_tree.LsTree` over an in-memory index. Submodule entries that match are returned as entries (their
 * object id is the recorded commit); werf would descend into an initialised submodule that only partly matches,
 * which slipway does not do (the submodule's own objects are not in this repository).
 */
export function lazyLsTree(index: TreeIndex, options: LsTreeOptions = {}): ContextTreeEntry[] {
  const scope = formatPath(options.pathScope ?? "");
  const matchers: PathMatcher[] = [scope === "" ? new MultiPathMatcher() : new BasePathMatcher(scope, new MultiPathMatcher())];
  if (options.pathMatcher !== undefined) matchers.push(options.pathMatcher);
  const matcher = new MultiPathMatcher(...matchers);
  const allFiles = options.allFiles === true;
  const result: ContextTreeEntry[] = [];

  const visit = (entry: ContextTreeEntry): void => {
    if (entry.type === "blob") {
      if (matcher.isPathMatched(entry.path)) result.push(entry);
      return;
    }
    if (matcher.shouldGoThrough(entry.path)) {
      if (entry.type === "tree") walk(entry.path);
      else result.push(entry);
    } else if (matcher.isPathMatched(entry.path)) {
      if (allFiles && entry.type === "tree") walk(entry.path);
      else result.push(entry);
    }
  };
  // Most entries are files, and whether a file matches mostly depends on its directory: the matcher prepares a
  // test once per directory (see PathMatcher.childMatcher), which the files of that directory then share.
  let cache: Map<string, Uint8Array> | undefined;
  if (options.cacheKey !== undefined) {
    cache = index.fileMatches.get(options.cacheKey);
    if (cache === undefined) {
      cache = new Map<string, Uint8Array>();
      index.fileMatches.set(options.cacheKey, cache);
    }
  }
  const walk = (dir: string): void => {
    const children = index.children.get(dir);
    if (children === undefined) return;
    const known = cache?.get(dir);
    const answers = known ?? new Uint8Array(children.length);
    let test: ChildMatch | undefined;
    // (Git does not store paths that path.Clean would change; a crafted tree can, and takes the slow way.) Below
    // a clean directory, `<dir>/<name>` is clean unless the name is "", "." or "..".
    const cleanDir = dir !== "" && dir !== "/" && isCleanPath(dir);
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as ContextTreeEntry;
      let answer = answers[i];
      if (known === undefined && child.type === "blob" && (cleanDir ? isCleanName(child.path, dir.length + 1) : isCleanPath(child.path))) {
        test ??= dir === "" || cleanDir ? matcher.childMatcher(dir) : (path: string) => matcher.isPathMatched(path);
        answer = test === true || (test !== false && test(child.path)) ? 1 : 2;
        answers[i] = answer;
      }
      if (answer === 1) result.push(child);
      else if (answer !== 2) visit(child);
    }
    if (known === undefined) cache?.set(dir, answers);
  };

  if (scope !== "") {
    const entry = index.get(scope);
    if (entry !== undefined) visit(entry);
    return result;
  }
  if (matcher.shouldGoThrough("")) {
    walk("");
  } else if (matcher.isPathMatched("")) {
    if (allFiles) walk("");
    else result.push({ path: "", type: "tree", objectId: index.rootTreeId ?? missingRootTree() });
  }
  return result;
}

/** Whether `path.slice(from)`, a name without a slash, is not "", "." or "..". */
function isCleanName(path: string, from: number): boolean {
  const n = path.length - from;
  if (n > 2) return true;
  if (n === 0) return false;
  if (path.charCodeAt(from) !== 0x2e) return true;
  return n === 2 && path.charCodeAt(from + 1) !== 0x2e;
}

function missingRootTree(): never {
  throw new Error("the root tree id is required when the whole repository matches (TreeIndex rootTreeId)");
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * werf `ls_tree.Result.Checksum` (without submodule results): SHA-256 over the object ids as 40-char hex strings,
 * concatenated in path order (Go string order); "" when there are no entries.
 */
export function filesChecksum(entries: readonly Pick<ContextTreeEntry, "path" | "objectId">[]): string {
  if (entries.length === 0) return "";
  // The walk yields entries in ls-tree order, which is path order except around a directory that is taken as a
  // whole (`a` sorts before `a.txt`, while git lists it as `a/`): one pass checks the order and collects the ids,
  // and only a list out of order is sorted. Native `<` is Go's byte order unless a path has characters outside
  // the BMP (surrogate pairs); then the order is checked again the Go way.
  let all = "";
  let inOrder = true;
  let simple = true;
  let previous = "";
  for (const entry of entries) {
    const path = entry.path;
    if (simple && SURROGATE.test(path)) simple = false;
    if (previous > path) inOrder = false;
    previous = path;
    all += entry.objectId;
  }
  if (!simple) {
    inOrder = true;
    for (let i = 1; i < entries.length && inOrder; i++) {
      inOrder = compareGoStrings((entries[i - 1] as ContextTreeEntry).path, (entries[i] as ContextTreeEntry).path) <= 0;
    }
  }
  if (!inOrder) {
    const sorted = [...entries].sort(
      simple ? (x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0) : (x, y) => compareGoStrings(x.path, y.path),
    );
    all = "";
    for (const entry of sorted) all += entry.objectId;
  }
  return createHash("sha256").update(all).digest("hex");
}

/** werf `util.Sha256Hash(args...)`: SHA-256 hex of the arguments joined with ":::". */
export function sha256Joined(...args: string[]): string {
  return createHash("sha256").update(args.join(":::")).digest("hex");
}

export interface CopySourcesOptions {
  /** Context dir relative to the repository root ("" for the root). */
  readonly context: string;
  /** The COPY/ADD source paths as written (after ARG/ENV expansion). */
  readonly sources: readonly string[];
  /** Patterns from the chosen .dockerignore (after `keepDockerfile`), or undefined when there is none. */
  readonly dockerignorePatterns?: readonly string[] | undefined;
}

/** What makes two copyMatchers answer alike (see LsTreeOptions.cacheKey). */
function copyCacheKey(options: CopySourcesOptions): string {
  return JSON.stringify(["copy", options.context, options.sources, options.dockerignorePatterns ?? null]);
}

function copyMatcher(options: CopySourcesOptions): PathMatcher {
  const dockerignore = newPathMatcher({ basePath: options.context, dockerignorePatterns: options.dockerignorePatterns });
  const wildcards = newPathMatcher({ basePath: options.context, includeGlobs: normalizeCopySources(options.sources) });
  return new MultiPathMatcher(dockerignore, wildcards);
}

/**
 * The files checksum werf v2 adds to the digest input for one `COPY`/`ADD` without `--from`
 * (`calculateFilesChecksumWithGit`): `sha256(Result.Checksum())` of the lazy ls-tree of the context, filtered
 * by .dockerignore and by the instruction's sources. Also returns the visited entries for debugging.
 */
export function copyInstructionChecksum(
  index: TreeIndex,
  options: CopySourcesOptions,
): { readonly checksum: string; readonly entries: ContextTreeEntry[] } {
  const entries = lazyLsTree(index, { pathScope: options.context, pathMatcher: copyMatcher(options), cacheKey: copyCacheKey(options) });
  // Computed on first use: the build phase hashes `entries` itself (filesChecksum), and hashing twice costs.
  let checksum: string | undefined;
  return {
    entries,
    get checksum(): string {
      checksum ??= sha256Joined(filesChecksum(entries));
      return checksum;
    },
  };
}

/** Whether a path (relative to the repository root) is one a COPY/ADD with these sources takes from the context. */
export function copySourcesMatch(options: CopySourcesOptions, path: string): boolean {
  return copyMatcher(options).isPathMatched(path);
}

/** The files (blobs, symlinks, submodule commits) a COPY/ADD takes from the context: for giterminism checks. */
export function selectCopySources(index: TreeIndex, options: CopySourcesOptions): ContextTreeEntry[] {
  return lazyLsTree(index, { pathScope: options.context, pathMatcher: copyMatcher(options), allFiles: true, cacheKey: copyCacheKey(options) });
}

/** Every file of the context that survives .dockerignore: what goes into the build-context archive. */
export function selectContextFiles(
  index: TreeIndex,
  context: string,
  dockerignorePatterns: readonly string[] | undefined,
): ContextTreeEntry[] {
  const matcher = newPathMatcher({ basePath: context, dockerignorePatterns });
  return lazyLsTree(index, { pathScope: context, pathMatcher: matcher, allFiles: true });
}
