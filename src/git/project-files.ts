/**
 * Project files as giterminism sees them: read from a commit's objects (HEAD, or the work-tree snapshot in `--dev`),
 * or from the file system under `--loose-giterminism`. A file that differs from the commit is an error naming it,
 * unless the giterminism config allows it, in which case it is read from the file system as werf does.
 * Inputs: a GitRepo, a commit, the project dir; output: file contents and listings, paths relative to the project.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { GitRepo, StatusEntry, TreeEntry } from "./repo.js";
import { TreeIndex } from "./context.js";

export type FilesMode = "commit" | "dev" | "loose";

/** Thrown when a file that must be committed is not; `paths` are relative to the project dir. */
export class UncommittedFileError extends Error {
  constructor(
    readonly paths: readonly string[],
    readonly untracked: boolean,
  ) {
    super(`uncommitted files: ${paths.join(", ")}`);
    this.name = "UncommittedFileError";
  }
}

export interface ProjectFilesOptions {
  readonly git: GitRepo;
  /** The commit the project is read from: HEAD, or the snapshot commit in dev mode. */
  readonly commit: string;
  /** The project dir relative to the work tree root, "" for the root, `/`-separated. */
  readonly projectDir: string;
  readonly mode: FilesMode;
}

function joinPath(dir: string, path: string): string {
  return dir === "" ? path : path === "" ? dir : `${dir}/${path}`;
}

export class ProjectFiles {
  private entries: Promise<TreeEntry[]> | undefined;
  private index: Promise<TreeIndex> | undefined;
  private changed: Promise<Map<string, StatusEntry>> | undefined;

  constructor(readonly options: ProjectFilesOptions) {}

  get git(): GitRepo {
    return this.options.git;
  }

  get commit(): string {
    return this.options.commit;
  }

  /** Path relative to the work tree root. */
  repoPath(projectPath: string): string {
    return joinPath(this.options.projectDir, projectPath);
  }

  /** All entries of the commit (one `git ls-tree -r -t`), cached. */
  treeEntries(): Promise<TreeEntry[]> {
    this.entries ??= this.options.git.lsTree(this.options.commit).catch((error: unknown) => {
      this.entries = undefined; // a failure is not remembered: the next call tries again
      throw error;
    });
    return this.entries;
  }

  /** The index of {@link treeEntries}, built once; concurrent callers share it. */
  treeIndex(): Promise<TreeIndex> {
    this.index ??= Promise.all([this.treeEntries(), this.options.git.treeId(this.options.commit)]).then(
      ([entries, rootTree]) => new TreeIndex(entries, rootTree),
      (error: unknown) => {
        this.index = undefined;
        throw error;
      },
    );
    return this.index;
  }

  /** Work-tree changes against HEAD, by path relative to the work tree root (empty in dev and loose mode). */
  changes(): Promise<Map<string, StatusEntry>> {
    // One `git status` per run; concurrent callers share it, and a failure is not remembered.
    this.changed ??= (this.options.mode === "commit" ? this.options.git.status() : Promise.resolve([])).then(
      (entries) => new Map(entries.map((entry) => [entry.path, entry])),
      (error: unknown) => {
        this.changed = undefined;
        throw error;
      },
    );
    return this.changed;
  }

  /**
   * Checks that the given project paths are committed (commit mode only). `allowed` says which paths the
   * giterminism config lets stay uncommitted. Throws UncommittedFileError naming every offending path.
   */
  async requireCommitted(projectPaths: readonly string[], allowed: (projectPath: string) => boolean): Promise<void> {
    if (this.options.mode !== "commit") return;
    const changes = await this.changes();
    const bad = projectPaths.filter((p) => changes.has(this.repoPath(p)) && !allowed(p));
    if (bad.length > 0) {
      const untracked = bad.every((p) => changes.get(this.repoPath(p))?.kind === "untracked");
      throw new UncommittedFileError([...new Set(bad)].sort(), untracked);
    }
  }

  private fsPath(projectPath: string): string {
    return join(this.options.git.workTree, this.repoPath(projectPath));
  }

  /**
   * Reads a project file. `allowUncommitted` returns true for paths giterminism lets come from the file system.
   * Returns undefined when the file does not exist where it is read from.
   */
  async read(projectPath: string, allowUncommitted: (projectPath: string) => boolean = () => false): Promise<Buffer | undefined> {
    if (this.options.mode === "loose") return readFsFile(this.fsPath(projectPath));
    if (this.options.mode === "commit") {
      const change = (await this.changes()).get(this.repoPath(projectPath));
      if (change !== undefined) {
        if (allowUncommitted(projectPath)) return readFsFile(this.fsPath(projectPath));
        throw new UncommittedFileError([projectPath], change.kind === "untracked");
      }
    }
    return this.options.git.fileAtCommit(this.options.commit, this.repoPath(projectPath));
  }

  /**
   * Reads many project files at once: unchanged ones through one batched read of the commit, changed ones from the
   * file system when `allowUncommitted` allows them; a changed file it does not allow maps to an
   * UncommittedFileError (the caller decides whether reading it is an error).
   */
  async readAll(
    projectPaths: readonly string[],
    allowUncommitted: (projectPath: string) => boolean = () => false,
  ): Promise<Map<string, Buffer | UncommittedFileError | undefined>> {
    const out = new Map<string, Buffer | UncommittedFileError | undefined>();
    if (this.options.mode === "loose") {
      for (const path of projectPaths) out.set(path, await readFsFile(this.fsPath(path)));
      return out;
    }
    const changes = await this.changes();
    const fromCommit: string[] = [];
    for (const path of projectPaths) {
      const change = changes.get(this.repoPath(path));
      if (change === undefined) fromCommit.push(path);
      else if (allowUncommitted(path)) out.set(path, await readFsFile(this.fsPath(path)));
      else out.set(path, new UncommittedFileError([path], change.kind === "untracked"));
    }
    const read = await this.options.git.readFiles(this.options.commit, fromCommit.map((p) => this.repoPath(p)));
    for (const path of fromCommit) out.set(path, read.get(this.repoPath(path)));
    return out;
  }

  /**
   * Files (blobs and symlinks) under a project dir, as project-relative paths, sorted. Files new in the work tree
   * are listed too when `allowUncommitted` lets them be read (giterminism allow-lists).
   */
  async list(projectDir: string, allowUncommitted: (projectPath: string) => boolean = () => false): Promise<string[]> {
    if (this.options.mode === "loose") return listFsFiles(this.fsPath(projectDir), projectDir);
    const prefix = this.repoPath(projectDir);
    const base = this.options.projectDir === "" ? 0 : this.options.projectDir.length + 1;
    const under = (path: string): boolean => prefix === "" || path.startsWith(`${prefix}/`);
    const paths = new Set(
      (await this.treeEntries()).filter((e) => e.type === "blob" && under(e.path)).map((e) => e.path.slice(base)),
    );
    for (const [path, change] of await this.changes()) {
      if (!under(path) || (change.kind !== "untracked" && change.kind !== "added")) continue;
      const projectPath = path.slice(base);
      if (allowUncommitted(projectPath)) paths.add(projectPath);
    }
    return [...paths].sort();
  }

  async exists(projectPath: string): Promise<boolean> {
    if (this.options.mode === "loose") return (await stat(this.fsPath(projectPath)).catch(() => undefined)) !== undefined;
    const path = this.repoPath(projectPath);
    return path === "" || (await this.treeIndex()).get(path) !== undefined;
  }

  async isDir(projectPath: string): Promise<boolean> {
    if (this.options.mode === "loose") return (await stat(this.fsPath(projectPath)).catch(() => undefined))?.isDirectory() ?? false;
    const path = this.repoPath(projectPath);
    return path === "" || (await this.treeIndex()).get(path)?.type === "tree";
  }
}

async function readFsFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

async function listFsFiles(dir: string, projectDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string, rel: string): Promise<void> => {
    let names;
    try {
      names = await readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of names) {
      if (entry.name === ".git") continue;
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(join(abs, entry.name), childRel);
      else out.push(childRel);
    }
  };
  await walk(dir, projectDir);
  return out.sort();
}
