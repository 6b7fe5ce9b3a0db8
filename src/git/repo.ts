/**
 * GitRepo: the port through which slipway reads a project's Git repository, and its adapter over the git CLI.
 *
 * Takes: a directory inside a work tree. Gives: the HEAD commit, tree listings (`git ls-tree -r -t -z`, one
 * process, parsed while it streams), object contents and tree ids through one long-lived `git cat-file --batch`
 * process, the work-tree status, and a `--dev` snapshot commit built in a temporary index (the user's index, HEAD
 * and refs are never touched).
 *
 * Spawns git with argument arrays (no shell). Imports only ../errors.js.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readlinkSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SlipwayError } from "../errors.js";

export interface CommitDate {
  /** The author date (what werf's `.Commit.Date` is). */
  readonly date: Date;
  /** Go `time.String()` of that date, as werf's `.Commit.Date.Human`: `2024-05-01 12:00:00 +0200 +0200`. */
  readonly human: string;
  /** Unix seconds. */
  readonly unix: number;
}

export interface CommitInfo extends CommitDate {
  readonly hash: string;
  /** Same as `human`, kept under the name the brief uses. */
  readonly dateHuman: string;
}

export type TreeEntryType = "blob" | "tree" | "commit";

export interface TreeEntry {
  /** Path relative to the repository root, `/`-separated. */
  readonly path: string;
  /** Octal mode as git prints it: 100644, 100755, 120000, 040000, 160000. */
  readonly mode: string;
  readonly type: TreeEntryType;
  readonly objectId: string;
  readonly isSymlink: boolean;
}

export interface LsTreeOptions {
  /** Only this path (a file or a directory with everything under it), relative to the repository root. */
  readonly prefix?: string;
  /** Include tree (directory) entries; default true. The digest code needs them. */
  readonly trees?: boolean;
}

export type StatusKind = "modified" | "added" | "deleted" | "renamed" | "copied" | "type-changed" | "unmerged" | "untracked";

export interface StatusEntry {
  /** Path relative to the repository root. */
  readonly path: string;
  /** The source path of a rename or copy. */
  readonly origPath?: string;
  /** Porcelain v1 X (index) and Y (work tree) codes. */
  readonly index: string;
  readonly worktree: string;
  readonly kind: StatusKind;
}

export interface Snapshot {
  readonly commit: string;
  readonly tree: string;
}

export interface GitRepo {
  /** Absolute path of the work tree root. */
  readonly workTree: string;
  headCommit(): Promise<CommitInfo>;
  /** The tree id of `<commit>` or of `<commit>:<path>`. */
  treeId(commit: string, path?: string): Promise<string>;
  lsTree(commit: string, options?: LsTreeOptions): Promise<TreeEntry[]>;
  /** Object contents by id; a missing id maps to undefined. One cat-file process serves every call. */
  readBlobs(ids: readonly string[]): Promise<Map<string, Buffer | undefined>>;
  /** File contents at a commit by path; a missing path (or a directory, or a submodule) maps to undefined. */
  readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Buffer | undefined>>;
  fileAtCommit(commit: string, path: string): Promise<Buffer | undefined>;
  /** Changes of the work tree and index relative to HEAD, untracked files included, ignored files excluded. */
  status(): Promise<StatusEntry[]>;
  /** A commit holding the work tree as it is (tracked and untracked, minus ignored), parented on HEAD. */
  snapshotWorktree(): Promise<Snapshot>;
  /** Stops the long-lived cat-file process. The repo stays usable: the next read starts a new one. */
  close(): Promise<void>;
}

export function noWorkTreeMessage(dir: string): string {
  return (
    `werf requires a git work tree for the project to exist: unable to find a valid .git in the current directory ` +
    `${JSON.stringify(dir)} or parent directories, you may also specify git work tree explicitly with ` +
    `--git-work-tree option (or WERF_GIT_WORK_TREE env var)`
  );
}

interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: Buffer | string;
  /** Exit codes that are not failures. */
  readonly okCodes?: readonly number[];
}

interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number;
}

const GIT = "git";

function runGit(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(GIT, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new SlipwayError(`git ${args[0] ?? ""}: ${error.message}`, { code: "git", cause: error })));
    child.on("close", (code) => {
      const result = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8").trim(), code: code ?? -1 };
      if (code === 0 || (code !== null && options.okCodes?.includes(code) === true)) {
        resolvePromise(result);
      } else {
        reject(new SlipwayError(`git ${args.join(" ")}: ${result.stderr || `exit code ${String(code)}`}`, { code: "git" }));
      }
    });
    child.stdin.on("error", () => {
      /* git may exit before reading all input; the close handler reports the failure */
    });
    child.stdin.end(options.input);
  });
}

/**
 * Finds the work tree containing `dir` and returns a GitRepo over it. Fails with werf's message when `dir` is not
 * inside a work tree.
 */
export async function openGitRepo(dir: string): Promise<CliGitRepo> {
  const absolute = resolve(dir);
  let result: RunResult;
  try {
    result = await runGit(["rev-parse", "--show-toplevel"], { cwd: absolute });
  } catch (error) {
    // Node reports a missing working directory as the executable missing (spawn git ENOENT): tell them apart.
    if (!existsSync(absolute)) throw new SlipwayError(`project directory ${JSON.stringify(absolute)} does not exist`, { code: "usage" });
    if (/spawn git ENOENT/.test(error instanceof Error ? error.message : "")) {
      throw new SlipwayError("git is not installed (no git executable in PATH); slipway reads the project through git", { code: "git" });
    }
    // git's own "not a git repository" adds nothing to werf's message; other failures do.
    const redundant = error instanceof Error && /not a git repository/.test(error.message);
    throw new SlipwayError(noWorkTreeMessage(absolute), { code: "git", ...(redundant ? {} : { cause: error }) });
  }
  const top = result.stdout.toString("utf8").trim();
  if (top === "") throw new SlipwayError(noWorkTreeMessage(absolute), { code: "git" });
  return new CliGitRepo(top);
}

interface GitObject {
  readonly objectId: string;
  readonly type: string;
  readonly data: Buffer;
}

interface PendingRead {
  readonly resolve: (value: GitObject | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** One `git cat-file --batch` process; requests are pipelined and answered in order. */
class CatFileBatch {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: PendingRead[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failed: Error | undefined;

  constructor(cwd: string) {
    this.child = spawn(GIT, ["cat-file", "--batch"], {
      cwd,
      env: { ...process.env, LC_ALL: "C" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    let stderr = "";
    this.child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    this.child.stdin.on("error", (error) => this.fail(error));
    this.child.on("error", (error) => this.fail(error));
    this.child.on("close", (code) => this.fail(new Error(`git cat-file --batch exited with ${String(code)}: ${stderr.trim()}`)));
  }

  read(request: string): Promise<GitObject | undefined> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (request.includes("\n")) return Promise.reject(new Error(`git cat-file: a request cannot contain a newline: ${JSON.stringify(request)}`));
    return new Promise((resolvePromise, reject) => {
      this.queue.push({ resolve: resolvePromise, reject });
      this.child.stdin.write(`${request}\n`);
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolvePromise) => {
      this.child.once("close", () => resolvePromise());
      this.child.stdin.end();
    });
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const pending of this.queue.splice(0)) pending.reject(error);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const pending = this.queue[0];
      if (pending === undefined) return;
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const header = this.buffer.subarray(0, newline).toString("utf8");
      if (header.endsWith(" missing") || header.endsWith(" ambiguous")) {
        this.buffer = this.buffer.subarray(newline + 1);
        this.queue.shift();
        pending.resolve(undefined);
        continue;
      }
      const parts = header.split(" ");
      const objectId = parts[0] ?? "";
      const type = parts[1] ?? "";
      const size = Number(parts[2]);
      if (!Number.isSafeInteger(size)) {
        this.fail(new Error(`git cat-file --batch: unexpected header ${JSON.stringify(header)}`));
        return;
      }
      const end = newline + 1 + size;
      if (this.buffer.length < end + 1) return;
      const content = Buffer.from(this.buffer.subarray(newline + 1, end));
      this.buffer = this.buffer.subarray(end + 1);
      this.queue.shift();
      pending.resolve({ objectId, type, data: content });
    }
  }
}

export class CliGitRepo implements GitRepo {
  readonly workTree: string;
  private batch: CatFileBatch | undefined;

  constructor(workTree: string) {
    this.workTree = workTree;
  }

  private git(args: readonly string[], options: Omit<RunOptions, "cwd"> = {}): Promise<RunResult> {
    return runGit(args, { ...options, cwd: this.workTree });
  }

  async headCommit(): Promise<CommitInfo> {
    const { stdout } = await this.git(["log", "-1", "--format=%H%x00%at%x00%ai", "HEAD"]);
    const [hash = "", unixText = "", iso = ""] = stdout.toString("utf8").trim().split("\0");
    const unix = Number(unixText);
    const human = goTimeString(iso);
    return { hash, unix, date: new Date(unix * 1000), human, dateHuman: human };
  }

  async treeId(commit: string, path?: string): Promise<string> {
    const spec = path === undefined || path === "" || path === "." ? `${commit}^{tree}` : `${commit}:${path}`;
    // The long-lived cat-file process resolves the name as rev-parse would, without starting another git.
    const object = await this.catFile().read(spec);
    if (object === undefined) throw new SlipwayError(`git rev-parse ${spec}: fatal: Needed a single revision`, { code: "git" });
    return object.objectId;
  }

  lsTree(commit: string, options: LsTreeOptions = {}): Promise<TreeEntry[]> {
    const args = ["ls-tree", "-r", "-z", "--full-tree"];
    if (options.trees !== false) args.push("-t");
    args.push(commit);
    if (options.prefix !== undefined && options.prefix !== "" && options.prefix !== ".") args.push("--", options.prefix);
    // Parsed as the output arrives, so that the parsing overlaps git's own work instead of following it.
    return new Promise((resolvePromise, reject) => {
      const child = spawn(GIT, args, {
        cwd: this.workTree,
        env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const parser = new LsTreeParser();
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => parser.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", (error) => reject(new SlipwayError(`git ls-tree: ${error.message}`, { code: "git", cause: error })));
      child.on("close", (code) => {
        if (code === 0) {
          resolvePromise(parser.end());
        } else {
          const stderr = Buffer.concat(err).toString("utf8").trim();
          reject(new SlipwayError(`git ${args.join(" ")}: ${stderr || `exit code ${String(code)}`}`, { code: "git" }));
        }
      });
    });
  }

  private catFile(): CatFileBatch {
    this.batch ??= new CatFileBatch(this.workTree);
    return this.batch;
  }

  async readBlobs(ids: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    const batch = this.catFile();
    const values = await Promise.all(ids.map((id) => batch.read(id)));
    return new Map(ids.map((id, i) => [id, values[i]?.data]));
  }

  async readFiles(commit: string, paths: readonly string[]): Promise<Map<string, Buffer | undefined>> {
    const batch = this.catFile();
    // `<commit>:<path>` resolves directories too; only blobs are files.
    const values = await Promise.all(paths.map((path) => batch.read(`${commit}:${path}`)));
    return new Map(paths.map((path, i) => [path, values[i]?.type === "blob" ? values[i]?.data : undefined]));
  }

  async fileAtCommit(commit: string, path: string): Promise<Buffer | undefined> {
    return (await this.readFiles(commit, [path])).get(path);
  }

  async status(): Promise<StatusEntry[]> {
    const { stdout } = await this.git([
      "--no-optional-locks",
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=all",
      "--ignore-submodules=none",
    ]);
    return parseStatus(stdout);
  }

  async snapshotWorktree(): Promise<Snapshot> {
    const dir = await mkdtemp(join(tmpdir(), "slipway-index-"));
    const indexFile = join(dir, "index");
    try {
      const head = await this.git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { okCodes: [1] });
      const headHash = head.stdout.toString("utf8").trim();
      // Seeding from the real index keeps git's stat cache, so `add -A` re-hashes only what changed.
      const realIndex = (await this.git(["rev-parse", "--path-format=absolute", "--git-path", "index"])).stdout
        .toString("utf8")
        .trim();
      const env = { GIT_INDEX_FILE: indexFile };
      try {
        await copyFile(realIndex, indexFile);
      } catch {
        if (headHash !== "") await this.git(["read-tree", headHash], { env });
      }
      await this.git(["add", "-A", "--", "."], { env });
      const tree = (await this.git(["write-tree"], { env })).stdout.toString("utf8").trim();
      const identity = {
        GIT_AUTHOR_NAME: "slipway",
        GIT_AUTHOR_EMAIL: "slipway@localhost",
        GIT_COMMITTER_NAME: "slipway",
        GIT_COMMITTER_EMAIL: "slipway@localhost",
        // A fixed date makes the snapshot commit id a function of the tree and HEAD only.
        GIT_AUTHOR_DATE: "1970-01-01T00:00:00Z",
        GIT_COMMITTER_DATE: "1970-01-01T00:00:00Z",
      };
      const args = ["commit-tree", tree, "-m", "slipway --dev snapshot"];
      if (headHash !== "") args.push("-p", headHash);
      const commit = (await this.git(args, { env: identity })).stdout.toString("utf8").trim();
      return { commit, tree };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
    await batch?.close();
  }
}

/** Parses `git ls-tree -z` output: `<mode> SP <type> SP <object> TAB <path> NUL`. */
export function parseLsTree(output: Buffer): TreeEntry[] {
  const parser = new LsTreeParser();
  parser.push(output);
  return parser.end();
}

/**
 * `git ls-tree -z` output parsed chunk by chunk. Each run of whole entries is decoded at once (a NUL never
 * falls inside a UTF-8 sequence, so this decodes exactly as the whole output would), and the mode and type
 * strings are shared constants rather than copies.
 */
export class LsTreeParser {
  private readonly entries: TreeEntry[] = [];
  private rest: Buffer | undefined;

  push(chunk: Buffer): void {
    let from = 0;
    if (this.rest !== undefined) {
      // Finish the entry the previous chunk broke off without copying the whole of this one.
      const first = chunk.indexOf(0);
      if (first < 0) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return;
      }
      this.parse(Buffer.concat([this.rest, chunk.subarray(0, first + 1)]).toString("utf8"));
      this.rest = undefined;
      from = first + 1;
    }
    const last = chunk.lastIndexOf(0);
    if (last >= from) this.parse(chunk.toString("utf8", from, last + 1));
    const restStart = Math.max(from, last + 1);
    if (restStart < chunk.length) this.rest = Buffer.from(chunk.subarray(restStart));
  }

  end(): TreeEntry[] {
    // Without -z the last entry has no NUL; be lenient about a missing terminator.
    if (this.rest !== undefined) this.parse(`${this.rest.toString("utf8")}\0`);
    this.rest = undefined;
    return this.entries;
  }

  /** `text` holds whole entries, each ending with NUL. */
  private parse(text: string): void {
    const entries = this.entries;
    let start = 0;
    while (start < text.length) {
      // The usual shape: a 6-digit mode, "blob" or "tree", a 40-hex id. Anything else is parsed field by field.
      const c7 = text.charCodeAt(start + 7);
      const type = c7 === 0x62 ? "blob" : c7 === 0x74 ? "tree" : undefined;
      const tab = start + 52;
      if (type === undefined || text.charCodeAt(start + 6) !== 0x20 || text.charCodeAt(start + 11) !== 0x20 || text.charCodeAt(tab) !== 0x09) {
        start = this.parseOne(text, start);
        continue;
      }
      const end = text.indexOf("\0", tab + 1);
      const mode = knownMode(text, start, start + 6) ?? text.slice(start, start + 6);
      if (!text.startsWith(type, start + 7)) {
        start = this.parseOne(text, start);
        continue;
      }
      entries.push({ mode, type, objectId: text.slice(start + 12, tab), path: text.slice(tab + 1, end), isSymlink: mode === "120000" });
      start = end + 1;
    }
  }

  private parseOne(text: string, start: number): number {
    const end = text.indexOf("\0", start);
    const sp1 = text.indexOf(" ", start);
    const sp2 = text.indexOf(" ", sp1 + 1);
    const tab = text.indexOf("\t", sp2 + 1);
    const mode = knownMode(text, start, sp1) ?? text.slice(start, sp1);
    this.entries.push({
      mode,
      type: knownType(text, sp1 + 1, sp2) ?? (text.slice(sp1 + 1, sp2) as TreeEntryType),
      objectId: text.slice(sp2 + 1, tab),
      path: text.slice(tab + 1, end),
      isSymlink: mode === "120000",
    });
    return end + 1;
  }
}

const MODES = ["100644", "040000", "100755", "120000", "160000"] as const;
const TYPES = ["blob", "tree", "commit"] as const;

function knownMode(text: string, start: number, end: number): string | undefined {
  if (end - start !== 6) return undefined;
  for (const mode of MODES) if (text.startsWith(mode, start)) return mode;
  return undefined;
}

function knownType(text: string, start: number, end: number): TreeEntryType | undefined {
  for (const type of TYPES) if (end - start === type.length && text.startsWith(type, start)) return type;
  return undefined;
}

const KIND_BY_CODE: Readonly<Record<string, StatusKind>> = {
  M: "modified",
  A: "added",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type-changed",
  U: "unmerged",
};

/** Parses `git status --porcelain=v1 -z`: `XY SP path NUL`, plus `origPath NUL` after renames and copies. */
export function parseStatus(output: Buffer): StatusEntry[] {
  const fields = output.toString("utf8").split("\0");
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length < 4) continue;
    const x = field[0] as string;
    const y = field[1] as string;
    const path = field.slice(3);
    if (x === "?" && y === "?") {
      entries.push({ path, index: x, worktree: y, kind: "untracked" });
      continue;
    }
    let origPath: string | undefined;
    if (x === "R" || x === "C") origPath = fields[++i];
    const unmerged = x === "U" || y === "U" || (x === "A" && y === "A") || (x === "D" && y === "D");
    const code = x !== " " ? x : y;
    const kind: StatusKind = unmerged ? "unmerged" : (KIND_BY_CODE[code] ?? "modified");
    entries.push(origPath === undefined ? { path, index: x, worktree: y, kind } : { path, origPath, index: x, worktree: y, kind });
  }
  return entries;
}

/**
 * Go's `time.Time.String()` for a git ISO-like date (`2024-05-01 12:00:00 +0200`), as go-git parses it: the zone
 * has no name unless the offset is the local zone's, so the abbreviation repeats the offset. A +0000 commit read
 * on a machine whose local zone is UTC prints `UTC`, which is what werf prints in CI containers.
 */
export function goTimeString(gitIsoDate: string, localZoneIsUtc: () => boolean = isLocalZoneUtc): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4})$/.exec(gitIsoDate.trim());
  if (match === null) return gitIsoDate;
  const [, day, time, offset] = match as unknown as [string, string, string, string];
  const zone = offset === "+0000" && localZoneIsUtc() ? "UTC" : offset;
  return `${day} ${time} ${offset} ${zone}`;
}

let localZoneUtc: boolean | undefined;

function isLocalZoneUtc(): boolean {
  localZoneUtc ??= computeLocalZoneUtc();
  return localZoneUtc;
}

function computeLocalZoneUtc(): boolean {
  const tz = process.env.TZ;
  if (tz !== undefined && tz !== "" && !/^(UTC|Etc\/UTC|UTC0|:?UTC|GMT|Etc\/GMT)$/i.test(tz)) return false;
  if (tz === undefined) {
    // The zone the system names in /etc/localtime (a link into the zone database), read without loading ICU's zone
    // data (tens of milliseconds); Intl decides when it is a copied file.
    try {
      return /(^|\/)(Etc\/)?(UTC|UCT|Universal|Zulu|GMT|GMT0|GMT[+-]0|Greenwich)$/.test(readlinkSync("/etc/localtime"));
    } catch {
      // not a link, or no such file: ask Intl
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone.replace(/^Etc\//, "") === "UTC";
}
