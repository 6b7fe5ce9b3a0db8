// Frozen copy of src/git/context.ts at 1f964fc, before the bench/digest speed-up: the slow, obviously-ported oracle
// that ../differential.test.ts compares the optimised code with. Do not optimise or fix; change it only together
// with a deliberate change of behaviour in src/git/context.ts.
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
import { compareGoStrings, goClean, goJoin, goRel, splitFilepath } from "./gopath.js";

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
    const p = formatPath(path);
    return this.variants.some((variants) => variants.some((v) => doublestarMatch(v, p)));
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
}

export class MultiPathMatcher implements PathMatcher {
  private readonly matchers: readonly PathMatcher[];

  constructor(...matchers: PathMatcher[]) {
    this.matchers = matchers.length === 0 ? [new TruePathMatcher()] : matchers;
  }

  isPathMatched(path: string): boolean {
    return this.matchers.every((m) => m.isPathMatched(path));
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

  constructor(entries: Iterable<ContextTreeEntry>, rootTreeId?: string) {
    this.rootTreeId = rootTreeId;
    for (const entry of entries) {
      const slash = entry.path.lastIndexOf("/");
      const parent = slash < 0 ? "" : entry.path.slice(0, slash);
      let list = this.children.get(parent);
      if (list === undefined) {
        list = [];
        this.children.set(parent, list);
      }
      list.push(entry);
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
  const walk = (dir: string): void => {
    for (const child of index.children.get(dir) ?? []) visit(child);
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

function missingRootTree(): never {
  throw new Error("the root tree id is required when the whole repository matches (TreeIndex rootTreeId)");
}

/**
 * werf `ls_tree.Result.Checksum` (without submodule results): SHA-256 over the object ids as 40-char hex strings,
 * concatenated in path order (Go string order); "" when there are no entries.
 */
export function filesChecksum(entries: readonly Pick<ContextTreeEntry, "path" | "objectId">[]): string {
  if (entries.length === 0) return "";
  // Native `<` equals Go's byte order unless a path has characters outside the BMP (surrogate pairs).
  const simple = entries.every((e) => !/[\uD800-\uDFFF]/.test(e.path));
  const sorted = [...entries].sort(
    simple ? (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) : (a, b) => compareGoStrings(a.path, b.path),
  );
  let all = "";
  for (const entry of sorted) all += entry.objectId;
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
): { checksum: string; entries: ContextTreeEntry[] } {
  const entries = lazyLsTree(index, { pathScope: options.context, pathMatcher: copyMatcher(options) });
  return { checksum: sha256Joined(filesChecksum(entries)), entries };
}

/** Whether a path (relative to the repository root) is one a COPY/ADD with these sources takes from the context. */
export function copySourcesMatch(options: CopySourcesOptions, path: string): boolean {
  return copyMatcher(options).isPathMatched(path);
}

/** The files (blobs, symlinks, submodule commits) a COPY/ADD takes from the context: for giterminism checks. */
export function selectCopySources(index: TreeIndex, options: CopySourcesOptions): ContextTreeEntry[] {
  return lazyLsTree(index, { pathScope: options.context, pathMatcher: copyMatcher(options), allFiles: true });
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
