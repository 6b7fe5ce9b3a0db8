/**
 * Temporary Git repositories for tests: `makeGitDir({ "a.txt": "x", "bin/run": { content: "...", mode: 0o755 } })`
 * writes the files into a fresh dir under os.tmpdir(), runs `git init` and commits them. The identity and dates
 * come from environment variables, never from the global git config, so commit ids are reproducible.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

export type GitDirFile = string | Buffer | { readonly content?: string | Buffer; readonly mode?: number; readonly symlink?: string };

export interface GitDir {
  readonly dir: string;
  /** Runs git in the repository and returns trimmed stdout. */
  git(...args: string[]): string;
  /** Writes (or with `null`, deletes) files in the work tree without committing. */
  write(files: Readonly<Record<string, GitDirFile | null>>): void;
  /** `git add -A` and commit; returns the new HEAD hash. */
  commit(message?: string): string;
  remove(): void;
}

const FIXED_DATE = "2024-05-01T12:00:00+02:00";

export const GIT_TEST_ENV: Readonly<Record<string, string>> = {
  GIT_AUTHOR_NAME: "Slipway Test",
  GIT_AUTHOR_EMAIL: "test@slipway.invalid",
  GIT_COMMITTER_NAME: "Slipway Test",
  GIT_COMMITTER_EMAIL: "test@slipway.invalid",
  GIT_AUTHOR_DATE: FIXED_DATE,
  GIT_COMMITTER_DATE: FIXED_DATE,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function makeGitDir(files: Readonly<Record<string, GitDirFile>> = {}, options: { commit?: boolean } = {}): GitDir {
  const dir = mkdtempSync(join(tmpdir(), "slipway-git-"));
  const git = (...args: string[]): string =>
    execFileSync("git", args, { cwd: dir, env: { ...process.env, ...GIT_TEST_ENV }, encoding: "utf8" }).trim();
  const write = (entries: Readonly<Record<string, GitDirFile | null>>): void => {
    for (const [path, file] of Object.entries(entries)) {
      const full = join(dir, path);
      if (file === null) {
        rmSync(full, { recursive: true, force: true });
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      rmSync(full, { force: true });
      if (typeof file === "string" || Buffer.isBuffer(file)) {
        writeFileSync(full, file);
      } else if (file.symlink !== undefined) {
        symlinkSync(file.symlink, full);
      } else {
        writeFileSync(full, file.content ?? "");
        if (file.mode !== undefined) chmodSync(full, file.mode);
      }
    }
  };
  git("init", "-q", "-b", "main");
  git("config", "core.autocrlf", "false");
  write(files);
  const commit = (message = "commit"): string => {
    git("add", "-A");
    git("commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
  };
  if (options.commit !== false) commit("initial");
  return { dir, git, write, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file of examples/<name> of this repository, with its mode, for makeGitDir. */
export function exampleFiles(name: string): Record<string, GitDirFile> {
  const root = join(import.meta.dirname, "../../examples", name);
  const files: Record<string, GitDirFile> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[relative(root, full)] = { content: readFileSync(full), mode: statSync(full).mode & 0o777 };
    }
  };
  walk(root);
  return files;
}
