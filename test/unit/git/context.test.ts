import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyInstructionChecksum,
  doublestarMatch,
  filesChecksum,
  IncludePathMatcher,
  lazyLsTree,
  newPathMatcher,
  selectContextFiles,
  selectCopySources,
  sha256Joined,
  TreeIndex,
} from "../../../src/git/context.js";
import { openGitRepo, type CliGitRepo } from "../../../src/git/repo.js";
import { makeGitDir, type GitDir } from "../../helpers/gitdir.js";

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

describe("werf path matchers", () => {
  it("doublestar v1 PathMatch", () => {
    expect(doublestarMatch("a/**/b", "a/b")).toBe(true);
    expect(doublestarMatch("a/**/b", "a/x/y/b")).toBe(true);
    expect(doublestarMatch("a/**", "a")).toBe(false);
    expect(doublestarMatch("**", "a/b")).toBe(true);
    expect(doublestarMatch("*.go", "x/y.go")).toBe(false);
    expect(doublestarMatch("{a,b}.txt", "b.txt")).toBe(true);
    expect(doublestarMatch("[!a]x", "bx")).toBe(true);
  });

  it("include globs: a directory source takes its subtree, * is universal", () => {
    const m = new IncludePathMatcher(["src", "package*.json"]);
    expect(m.isPathMatched("src/a/b.ts")).toBe(true);
    expect(m.isPathMatched("package-lock.json")).toBe(true);
    expect(m.isPathMatched("README.md")).toBe(false);
    expect(m.shouldGoThrough("")).toBe(true);
    expect(m.shouldGoThrough("src")).toBe(false);
    expect(new IncludePathMatcher(["*"]).isPathMatched("deep/file")).toBe(true);
    expect(new IncludePathMatcher(["app/*/conf"]).shouldGoThrough("app/x")).toBe(true);
  });
});

describe("context selection and checksum over a real repository", () => {
  let g: GitDir;
  let repo: CliGitRepo;
  let index: TreeIndex;
  const id = (path: string): string => g.git("rev-parse", `HEAD:${path}`);

  beforeAll(async () => {
    g = makeGitDir({
      "werf.yaml": "project: x\n",
      "app/Dockerfile": "FROM scratch\nCOPY src /src\n",
      "app/.dockerignore": "**/*.log\n!keep.log\n",
      "app/src/main.go": "package main\n",
      "app/src/debug.log": "noise",
      "app/src/lib/util.go": "package lib\n",
      "app/keep.log": "kept",
      "app/docs/README.md": "docs",
      "other/x.txt": "x",
    });
    repo = await openGitRepo(g.dir);
    index = new TreeIndex(await repo.lsTree("HEAD"), await repo.treeId("HEAD"));
  });
  afterAll(async () => {
    await repo.close();
    g.remove();
  });

  it("without .dockerignore, COPY . takes the context as one tree id (werf's lazy ls-tree)", () => {
    const { checksum, entries } = copyInstructionChecksum(index, { context: "app", sources: ["."] });
    expect(entries.map((e) => [e.path, e.objectId])).toEqual([["app", id("app")]]);
    expect(checksum).toBe(sha256(sha256(id("app"))));
    const root = copyInstructionChecksum(index, { context: "", sources: ["./"] });
    expect(root.entries).toEqual([{ path: "", type: "tree", objectId: g.git("rev-parse", "HEAD^{tree}") }]);
  });

  it("takes a fully matched directory as its tree id when no ignore rule reaches into it", () => {
    const { entries } = copyInstructionChecksum(index, { context: "app", sources: ["src"], dockerignorePatterns: ["docs"] });
    expect(entries.map((e) => [e.path, e.type])).toEqual([["app/src", "tree"]]);
  });

  it("with .dockerignore, walks into directories and drops ignored files", () => {
    const patterns = ["**/*.log", "!keep.log"];
    const { checksum, entries } = copyInstructionChecksum(index, { context: "app", sources: ["src"], dockerignorePatterns: patterns });
    // `**/*.log` stays "in progress" in every directory, so werf walks into src/lib instead of taking its tree id.
    expect(entries.map((e) => e.path)).toEqual(["app/src/lib/util.go", "app/src/main.go"]);
    const expected = sha256([id("app/src/lib/util.go"), id("app/src/main.go")].join(""));
    expect(checksum).toBe(sha256(expected));

    const files = selectCopySources(index, { context: "app", sources: ["src"], dockerignorePatterns: patterns });
    expect(files.map((e) => e.path).sort()).toEqual(["app/src/lib/util.go", "app/src/main.go"]);
    const context = selectContextFiles(index, "app", patterns).map((e) => e.path).sort();
    expect(context).toEqual(["app/.dockerignore", "app/Dockerfile", "app/docs/README.md", "app/keep.log", "app/src/lib/util.go", "app/src/main.go"]);
  });

  it("a source that matches nothing hashes the empty string; files outside COPY do not matter", async () => {
    const none = copyInstructionChecksum(index, { context: "app", sources: ["missing"] });
    expect(none.entries).toEqual([]);
    expect(none.checksum).toBe(sha256(""));

    const before = copyInstructionChecksum(index, { context: "app", sources: ["src"] }).checksum;
    g.write({ "app/docs/README.md": "changed", "other/x.txt": "changed" });
    g.commit("unrelated");
    const changed = new TreeIndex(await repo.lsTree("HEAD"), await repo.treeId("HEAD"));
    expect(copyInstructionChecksum(changed, { context: "app", sources: ["src"] }).checksum).toBe(before);
    g.write({ "app/src/main.go": "package main // edit\n" });
    g.commit("related");
    const edited = new TreeIndex(await repo.lsTree("HEAD"), await repo.treeId("HEAD"));
    expect(copyInstructionChecksum(edited, { context: "app", sources: ["src"] }).checksum).not.toBe(before);
  });

  it("filesChecksum concatenates hex ids in Go string order", () => {
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    expect(filesChecksum([{ path: "z", objectId: a }, { path: "B", objectId: b }])).toBe(sha256(b + a));
    expect(filesChecksum([])).toBe("");
    expect(sha256Joined("x", "y")).toBe(sha256("x:::y"));
  });

  it("lazyLsTree with allFiles descends into matched trees", () => {
    const all = lazyLsTree(index, { pathScope: "other", pathMatcher: newPathMatcher({}), allFiles: true });
    expect(all.map((e) => e.path)).toEqual(["other/x.txt"]);
  });
});
