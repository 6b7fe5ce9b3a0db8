/**
 * werf v2's checksum of an image's `contextAddFiles` (files taken from the file system rather than from the commit)
 * for one COPY/ADD of its Dockerfile.
 *
 * Takes: the project dir (on disk and relative to the git work tree), the image's `context` and `contextAddFiles`,
 * and the instruction's sources. Gives: the checksum, "" when none of the added files is taken by the instruction.
 * Reads the file system (lstat, readdir, file contents). Imports ./context.js, ./gopath.js, ../errors.js and ../util only.
 *
 * Ported from werf v2: `pkg/context_manager/context_manager.go` (`GetContextAddFilesPaths`,
 * `ContextAddFilesChecksum`), `pkg/build/stage/full_dockerfile.go` (`calculateFilesChecksum`, which builds the
 * matcher and folds a non-empty result in as `Sha256Hash(checksum, addChecksum)`), `pkg/util/file.go`
 * (`RegularFileExists`, an lstat) and `pkg/util/strings.go` (`UniqStrings`, first occurrence wins). What werf does:
 * - every contextAddFile `<projectDir>/<context>/<file>` is lstat'ed (missing: an error); a directory is walked the
 *   way Go's `filepath.Walk` does (names sorted bytewise per directory, symlinks not followed) and contributes its
 *   non-directories (regular files, symlinks, anything else); anything else is taken as it is;
 * - each path, relative to the project dir, is kept if the instruction's sources match it: a path matcher with the
 *   *unnormalised* sources as include globs and the context relative to the git work tree as base path (the same
 *   base path the git checksum uses, but here it meets project-relative paths; see {@link contextAddFilesMatcher});
 *   `.dockerignore` plays no part;
 * - SHA-256 over, in that order and with no separators, each kept path (`/`-separated) followed, for a regular
 *   file (lstat, so not for a symlink), by its content. Modes, owners, times and symlink targets are not hashed.
 */
import { createReadStream } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import type { Stats } from "node:fs";
import { posix } from "node:path";
import { createHash } from "node:crypto";
import { SlipwayError } from "../errors.js";
import { errnoCode, goPathError } from "../util/go-errors.js";
import { newPathMatcher, type PathMatcher } from "./context.js";
import { compareGoStrings, goClean, goJoin } from "./gopath.js";

export interface ContextAddFilesOptions {
  /** The project dir on disk, absolute, `/`-separated (werf `ProjectDir()`). */
  readonly projectDirAbs: string;
  /** The project dir relative to the git work tree, "" for the root (werf `RelativeToGitProjectDir()`). */
  readonly projectDirInRepo: string;
  /** The image's `context:` relative to the project dir, "" for the project dir itself. */
  readonly context: string;
  /** werf.yaml `contextAddFiles`, relative to the context, in config order. */
  readonly contextAddFiles: readonly string[];
}

/** One path of {@link listContextAddFiles}. */
export interface ContextAddFilePath {
  /** Absolute path on disk. */
  readonly abs: string;
  /** Relative to the project dir, `/`-separated: what is matched and hashed. */
  readonly path: string;
}

/** werf `GetContextAddFilesPaths`: the non-directories the contextAddFiles stand for, in werf's order. */
export async function listContextAddFiles(options: ContextAddFilesOptions): Promise<ContextAddFilePath[]> {
  const found: string[] = [];
  for (const addFile of options.contextAddFiles) {
    const abs = goJoin(options.projectDirAbs, options.context, addFile);
    let info: Stats;
    try {
      info = await lstat(abs);
    } catch (error) {
      throw addFilesError(`unable to get file info for contextAddFile ${JSON.stringify(abs)}: ${goErrorText(error, "lstat", abs)}`, error);
    }
    if (!info.isDirectory()) {
      found.push(abs);
      continue;
    }
    try {
      await walk(abs, found);
    } catch (error) {
      const reason = error instanceof WalkError ? goErrorText(error.cause, error.op, error.path) : String(error);
      throw addFilesError(`error occurred when recursively walking the contextAddFile dir ${JSON.stringify(abs)}: ${reason}`, error);
    }
  }
  const seen = new Set<string>();
  const result: ContextAddFilePath[] = [];
  for (const abs of found) {
    if (seen.has(abs)) continue;
    seen.add(abs);
    result.push({ abs, path: posix.relative(options.projectDirAbs, abs) || "." });
  }
  return result;
}

class WalkError extends Error {
  constructor(
    readonly op: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${op} ${path}`);
  }
}

/** Go `filepath.Walk` below a directory, collecting what is not a directory. */
async function walk(dir: string, out: string[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new WalkError("open", dir, error);
  }
  names.sort(compareGoStrings);
  for (const name of names) {
    const path = goJoin(dir, name);
    let info: Stats;
    try {
      info = await lstat(path);
    } catch (error) {
      throw new WalkError("lstat", path, error);
    }
    if (info.isDirectory()) await walk(path, out);
    else out.push(path);
  }
}

/**
 * The matcher `calculateFilesChecksum` hands to `ContextAddFilesChecksum`: include globs are the instruction's
 * sources after ARG/ENV expansion but *before* `NormalizeCopyAddSourcesForPathMatcher` (the include matcher cleans
 * them and trims a leading `/` in two of its three tries, so `/app` still takes `app/x`), base path
 * `filepath.Join(RelativeToGitProjectDir(), context)`. werf then asks it about paths relative to the *project* dir:
 * when the project dir is not the work tree root, the base path names a directory the project-relative paths are
 * not under, and nothing matches. Reproduced as werf does it.
 */
export function contextAddFilesMatcher(options: ContextAddFilesOptions, sources: readonly string[]): PathMatcher {
  return newPathMatcher({ basePath: goJoin(options.projectDirInRepo, options.context), includeGlobs: sources });
}

/** werf `ContextAddFilesChecksum` for one COPY/ADD: "" when none of the listed paths is matched. */
export async function contextAddFilesChecksum(
  options: ContextAddFilesOptions,
  sources: readonly string[],
  listed?: readonly ContextAddFilePath[],
): Promise<string> {
  const all = listed ?? (await listContextAddFiles(options));
  const matcher = contextAddFilesMatcher(options, sources);
  const taken = all.filter((file) => matcher.isPathMatched(file.path));
  if (taken.length === 0) return "";
  const hash = createHash("sha256");
  for (const file of taken) {
    hash.update(file.path, "utf8");
    let info: Stats | undefined;
    try {
      info = await lstat(file.abs);
    } catch (error) {
      if (!isNotExist(error)) {
        throw addFilesError(`unable to check existence of file ${JSON.stringify(file.abs)}: ${goErrorText(error, "lstat", file.abs)}`, error);
      }
    }
    if (info === undefined || !info.isFile()) continue;
    try {
      for await (const chunk of createReadStream(file.abs)) hash.update(chunk as Buffer);
    } catch (error) {
      throw addFilesError(`unable to copy file ${JSON.stringify(file.abs)}: ${goErrorText(error, "read", file.abs)}`, error);
    }
  }
  return hash.digest("hex");
}

/**
 * The per-instruction callback the digest needs, which is synchronous: the checksums of every given source list
 * are computed up front (the file list once), then looked up. Asking about a list not given is a slipway bug.
 */
export async function contextAddFilesChecksums(
  options: ContextAddFilesOptions,
  sourceLists: readonly (readonly string[])[],
): Promise<(sources: readonly string[]) => string> {
  const known = new Map<string, string>();
  if (sourceLists.length > 0) {
    const listed = await listContextAddFiles(options);
    for (const sources of sourceLists) {
      const key = JSON.stringify(sources);
      if (!known.has(key)) known.set(key, await contextAddFilesChecksum(options, sources, listed));
    }
  }
  return (sources) => {
    const checksum = known.get(JSON.stringify(sources));
    if (checksum === undefined) {
      throw new SlipwayError(`contextAddFiles checksum of ${JSON.stringify(sources)} was not prepared`, { code: "internal" });
    }
    return checksum;
  };
}

function addFilesError(message: string, cause: unknown): SlipwayError {
  const code = isNotExist(cause) || (cause instanceof WalkError && isNotExist(cause.cause)) ? "config" : "build";
  return new SlipwayError(`unable to calculate checksum for contextAddFiles files list: ${message}`, { code, cause });
}

/** werf's `isNotExistError`: ENOENT, or a path component that is not a directory. */
function isNotExist(error: unknown): boolean {
  const code = errnoCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/** A Node fs error the way Go's `*PathError` prints it, with Go's cleaned path. */
function goErrorText(error: unknown, op: string, path: string): string {
  return goPathError(op, goClean(path), error);
}
