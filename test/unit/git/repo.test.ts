import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { goTimeString, noWorkTreeMessage, openGitRepo, type CliGitRepo } from "../../../src/git/repo.js";
import { makeGitDir, type GitDir } from "../../helpers/gitdir.js";

describe("CliGitRepo", () => {
  let repoDir: GitDir | undefined;
  let repo: CliGitRepo | undefined;
  afterEach(async () => {
    await repo?.close();
    repoDir?.remove();
    repo = undefined;
    repoDir = undefined;
  });

  async function setup(files: Parameters<typeof makeGitDir>[0]): Promise<{ g: GitDir; r: CliGitRepo }> {
    repoDir = makeGitDir(files);
    repo = await openGitRepo(join(repoDir.dir));
    return { g: repoDir, r: repo };
  }

  it("finds the work tree from a subdirectory and fails with werf's message outside one", async () => {
    const { g } = await setup({ "app/src/a.txt": "a" });
    const fromSub = await openGitRepo(join(g.dir, "app", "src"));
    expect(fromSub.workTree).toBe(g.git("rev-parse", "--show-toplevel"));

    const outside = mkdtempSync(join(tmpdir(), "slipway-nogit-"));
    try {
      await expect(openGitRepo(outside)).rejects.toThrow(noWorkTreeMessage(outside));
      expect(noWorkTreeMessage("/x")).toBe(
        'werf requires a git work tree for the project to exist: unable to find a valid .git in the current directory "/x" or parent directories, you may also specify git work tree explicitly with --git-work-tree option (or WERF_GIT_WORK_TREE env var)',
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("reads HEAD with the author date in Go's time.String() form", async () => {
    const { g, r } = await setup({ "a.txt": "a" });
    const head = await r.headCommit();
    expect(head.hash).toBe(g.git("rev-parse", "HEAD"));
    expect(head.unix).toBe(Date.parse("2024-05-01T12:00:00+02:00") / 1000);
    expect(head.date.toISOString()).toBe("2024-05-01T10:00:00.000Z");
    expect(head.dateHuman).toBe("2024-05-01 12:00:00 +0200 +0200");
    expect(goTimeString("2024-05-01 10:00:00 +0000", () => true)).toBe("2024-05-01 10:00:00 +0000 UTC");
    expect(goTimeString("2024-05-01 10:00:00 +0000", () => false)).toBe("2024-05-01 10:00:00 +0000 +0000");
  });

  it("lists a tree with nested dirs, symlinks, executable bits and a submodule entry in one call", async () => {
    const { g, r } = await setup({
      "Dockerfile": "FROM scratch\n",
      "app/src/main.go": "package main\n",
      "app/src/deep/x.txt": "x",
      "bin/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "link": { symlink: "app/src/main.go" },
    });
    const fakeSubmoduleCommit = "0123456789abcdef0123456789abcdef01234567";
    g.git("update-index", "--add", "--cacheinfo", `160000,${fakeSubmoduleCommit},vendor/lib`);
    g.git("commit", "-q", "-m", "submodule");

    const entries = await r.lsTree("HEAD");
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual(
      ["Dockerfile", "app", "app/src", "app/src/deep", "app/src/deep/x.txt", "app/src/main.go", "bin", "bin/run.sh", "link", "vendor", "vendor/lib"].sort(),
    );
    expect(byPath.get("bin/run.sh")).toMatchObject({ mode: "100755", type: "blob", isSymlink: false });
    expect(byPath.get("link")).toMatchObject({ mode: "120000", type: "blob", isSymlink: true });
    expect(byPath.get("app/src")).toMatchObject({ mode: "040000", type: "tree" });
    expect(byPath.get("vendor/lib")).toMatchObject({ mode: "160000", type: "commit", objectId: fakeSubmoduleCommit });
    expect(byPath.get("app/src/main.go")?.objectId).toBe(g.git("rev-parse", "HEAD:app/src/main.go"));

    const scoped = await r.lsTree("HEAD", { prefix: "app/src", trees: false });
    expect(scoped.map((e) => e.path).sort()).toEqual(["app/src/deep/x.txt", "app/src/main.go"]);
    expect(await r.treeId("HEAD")).toBe(g.git("rev-parse", "HEAD^{tree}"));
    expect(await r.treeId("HEAD", "app")).toBe(g.git("rev-parse", "HEAD:app"));
    await expect(r.treeId("HEAD", "no/such/dir")).rejects.toThrow(/HEAD:no\/such\/dir: fatal: Needed a single revision/);
  });

  it("reads many files through one cat-file process, and missing paths as undefined", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`d${i % 7}/f${i}.txt`] = `content ${i}\n`.repeat(i % 5);
    files["big.bin"] = "z".repeat(1 << 20);
    const { r } = await setup(files);
    const paths = [...Object.keys(files), "nope.txt", "d1"];
    const read = await r.readFiles("HEAD", paths);
    for (const [path, content] of Object.entries(files)) expect(read.get(path)?.toString("utf8")).toBe(content);
    expect(read.get("nope.txt")).toBeUndefined();
    expect(read.get("d1")).toBeUndefined(); // a directory is not a file
    expect((await r.fileAtCommit("HEAD", "big.bin"))?.length).toBe(1 << 20);

    const entries = (await r.lsTree("HEAD")).filter((e) => e.type === "blob");
    const blobs = await r.readBlobs([...entries.map((e) => e.objectId), "f".repeat(40)]);
    expect(blobs.get("f".repeat(40))).toBeUndefined();
    const d3 = entries.find((e) => e.path === "d3/f3.txt");
    expect(blobs.get(d3?.objectId ?? "")?.toString("utf8")).toBe(files["d3/f3.txt"]);

    // One long-lived process: many reads, still a single `git cat-file` child.
    const children = execFileSync("ps", ["-o", "args=", "--ppid", String(process.pid)], { encoding: "utf8" });
    expect(children.split("\n").filter((line) => line.includes("cat-file --batch"))).toHaveLength(1);
  });

  it("reports modified, staged, deleted, renamed and untracked files but not ignored ones", async () => {
    const { g, r } = await setup({
      ".gitignore": "*.log\nbuild/\n",
      "keep.txt": "k",
      "mod.txt": "1",
      "del.txt": "d",
      "old.txt": "rename me please, I am long enough to be detected\n",
    });
    g.write({ "mod.txt": "2", "del.txt": null, "new/untracked.txt": "u", "debug.log": "ignored", "build/out": "ignored" });
    g.git("mv", "old.txt", "renamed.txt");
    g.write({ "staged.txt": "s" });
    g.git("add", "staged.txt");
    const status = await r.status();
    const byPath = new Map(status.map((s) => [s.path, s]));
    expect(byPath.get("mod.txt")?.kind).toBe("modified");
    expect(byPath.get("del.txt")?.kind).toBe("deleted");
    expect(byPath.get("new/untracked.txt")?.kind).toBe("untracked");
    expect(byPath.get("staged.txt")).toMatchObject({ kind: "added", index: "A" });
    expect(byPath.get("renamed.txt")).toMatchObject({ kind: "renamed", origPath: "old.txt" });
    expect(byPath.has("debug.log")).toBe(false);
    expect(byPath.has("build/out")).toBe(false);
    expect(byPath.has("keep.txt")).toBe(false);
  });

  it("snapshots the work tree without touching the index or HEAD", async () => {
    const { g, r } = await setup({ ".gitignore": "*.log\n", "app/a.txt": "a", "b.txt": "b" });
    const head = g.git("rev-parse", "HEAD");
    const clean = await r.snapshotWorktree();
    expect(clean.tree).toBe(g.git("rev-parse", "HEAD^{tree}"));

    g.write({ "app/a.txt": "edited", "c.txt": "untracked", "x.log": "ignored" });
    g.git("add", "b.txt"); // an unrelated staged state must survive
    const indexBefore = g.git("ls-files", "-s");
    const snap = await r.snapshotWorktree();
    expect(snap.tree).not.toBe(clean.tree);
    expect(g.git("rev-parse", "HEAD")).toBe(head);
    expect(g.git("diff", "--cached", "--name-only")).toBe("");
    expect(g.git("ls-files", "-s")).toBe(indexBefore);
    expect(g.git("status", "--porcelain").split("\n")).toEqual(["M app/a.txt", "?? c.txt"]); // helper trims the leading space

    const entries = new Map((await r.lsTree(snap.commit)).map((e) => [e.path, e.objectId]));
    const headEntries = new Map((await r.lsTree("HEAD")).map((e) => [e.path, e.objectId]));
    expect(entries.get("app/a.txt")).not.toBe(headEntries.get("app/a.txt"));
    expect(entries.get("b.txt")).toBe(headEntries.get("b.txt"));
    expect(entries.has("c.txt")).toBe(true);
    expect(entries.has("x.log")).toBe(false);
    expect((await r.fileAtCommit(snap.commit, "app/a.txt"))?.toString()).toBe("edited");
    expect(g.git("rev-parse", `${snap.commit}^`)).toBe(head);
    // Deterministic: the same work tree gives the same snapshot commit.
    expect((await r.snapshotWorktree()).commit).toBe(snap.commit);
  });
});
