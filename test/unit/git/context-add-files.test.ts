import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planDockerfileDigest } from "../../../src/build/digest.js";
import { SlipwayError } from "../../../src/errors.js";
import {
  contextAddFilesChecksum,
  contextAddFilesChecksums,
  listContextAddFiles,
  type ContextAddFilesOptions,
} from "../../../src/git/context-add-files.js";

// Independent re-implementation of werf's ContextAddFilesChecksum hash: path, then content, no separators.
const werfSum = (...parts: (string | Buffer)[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
const sha256Joined = (...a: string[]): string => createHash("sha256").update(a.join(":::")).digest("hex");

let root: string;

function write(rel: string, content: string): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, ".."), { recursive: true });
  writeFileSync(abs, content);
}

function options(contextAddFiles: readonly string[], more: Partial<ContextAddFilesOptions> = {}): ContextAddFilesOptions {
  return { projectDirAbs: root, projectDirInRepo: "", context: "", contextAddFiles, ...more };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "slipway-addfiles-"));
  // gen/ walks as a, a.txt, b.txt (names sorted per directory, as filepath.Walk does), not as a.txt, a/x, b.txt.
  write("gen/b.txt", "B");
  write("gen/a.txt", "A");
  write("gen/a/x", "X");
  write("secret.txt", "S");
  write("src/main.go", "package main");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("werf ContextAddFilesChecksum", () => {
  it("lists a directory the way filepath.Walk does, then the file, without duplicates", async () => {
    const listed = await listContextAddFiles(options(["gen", "secret.txt", "gen/a.txt"]));
    expect(listed.map((f) => f.path)).toEqual(["gen/a/x", "gen/a.txt", "gen/b.txt", "secret.txt"]);
  });

  it("hashes path then content of every matched file, in list order", async () => {
    const opts = options(["gen", "secret.txt"]);
    expect(await contextAddFilesChecksum(opts, ["."])).toBe(
      werfSum("gen/a/x", "X", "gen/a.txt", "A", "gen/b.txt", "B", "secret.txt", "S"),
    );
    expect(await contextAddFilesChecksum(opts, ["secret.txt"])).toBe(werfSum("secret.txt", "S"));
    expect(await contextAddFilesChecksum(opts, ["gen/*.txt"])).toBe(werfSum("gen/a.txt", "A", "gen/b.txt", "B"));
    // A leading slash is trimmed by werf's include matcher itself.
    expect(await contextAddFilesChecksum(opts, ["/gen/a"])).toBe(werfSum("gen/a/x", "X"));
  });

  it("is empty when the COPY wildcards take none of the added files", async () => {
    expect(await contextAddFilesChecksum(options(["gen", "secret.txt"]), ["src", "go.mod"])).toBe("");
    // An empty directory contributes no path at all.
    mkdirSync(join(root, "empty"));
    expect(await contextAddFilesChecksum(options(["empty"]), ["."])).toBe("");
  });

  it("changes with the content, not with the mode", async () => {
    const opts = options(["gen", "secret.txt"]);
    const before = await contextAddFilesChecksum(opts, ["."]);
    chmodSync(join(root, "gen/a.txt"), 0o755);
    chmodSync(join(root, "secret.txt"), 0o600);
    expect(await contextAddFilesChecksum(opts, ["."])).toBe(before);
    write("gen/a.txt", "A2");
    const changed = await contextAddFilesChecksum(opts, ["."]);
    expect(changed).not.toBe(before);
    expect(changed).toBe(werfSum("gen/a/x", "X", "gen/a.txt", "A2", "gen/b.txt", "B", "secret.txt", "S"));
  });

  it("takes a symlink by its path only (lstat: not a regular file, not followed)", async () => {
    symlinkSync("../secret.txt", join(root, "gen/link"));
    const opts = options(["gen"]);
    const sum = await contextAddFilesChecksum(opts, ["gen/link"]);
    expect(sum).toBe(werfSum("gen/link"));
    write("secret.txt", "S2");
    expect(await contextAddFilesChecksum(opts, ["gen/link"])).toBe(sum);
    // A symlink given directly is not walked either, even when it points to a directory.
    symlinkSync("gen", join(root, "gen-link"));
    expect((await listContextAddFiles(options(["gen-link"]))).map((f) => f.path)).toEqual(["gen-link"]);
  });

  it("matches and hashes paths relative to the project dir, under the context", async () => {
    write("app/gen/c.txt", "C");
    const opts = options(["gen"], { context: "app" });
    expect(await contextAddFilesChecksum(opts, ["gen"])).toBe(werfSum("app/gen/c.txt", "C"));
    expect(await contextAddFilesChecksum(opts, ["app/gen"])).toBe("");
  });

  it("matches nothing when the project dir is below the work tree root, as werf does", async () => {
    // werf's base path is relative to the work tree, the paths it meets are relative to the project dir.
    expect(await contextAddFilesChecksum(options(["gen"], { projectDirInRepo: "proj" }), ["."])).toBe("");
  });

  it("fails with a config error naming a missing contextAddFile", async () => {
    const error = await contextAddFilesChecksum(options(["missing.txt"]), ["."]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlipwayError);
    expect((error as SlipwayError).code).toBe("config");
    expect((error as SlipwayError).message).toBe(
      `unable to calculate checksum for contextAddFiles files list: unable to get file info for contextAddFile ` +
        `${JSON.stringify(join(root, "missing.txt"))}: lstat ${join(root, "missing.txt")}: no such file or directory`,
    );
  });
});

describe("contextAddFiles in the Dockerfile digest", () => {
  it("is computed per COPY/ADD and folded in only where the wildcards match", async () => {
    const plan = planDockerfileDigest({
      dockerfile: "FROM alpine\nCOPY src /src\nCOPY secret.txt gen/ /etc/app/\n",
      dockerfilePath: "Dockerfile",
    });
    const lookup = await contextAddFilesChecksums(
      options(["gen", "secret.txt"]),
      plan.contextSources.map((s) => s.sources),
    );
    const withAdded = plan.digest({ contextChecksum: () => "L", contextAddFilesChecksum: (r) => lookup(r.sources) });
    const without = plan.digest({ contextChecksum: () => "L" });
    const added = werfSum("gen/a/x", "X", "gen/a.txt", "A", "gen/b.txt", "B", "secret.txt", "S");
    expect(withAdded.dependencies).toEqual([
      "alpine",
      "COPY src /src",
      sha256Joined("L"),
      "COPY secret.txt gen/ /etc/app/",
      sha256Joined(sha256Joined("L"), added),
    ]);
    expect(without.dependencies[2]).toBe(withAdded.dependencies[2]);
    expect(withAdded.digest).not.toBe(without.digest);
    expect(() => lookup(["other"])).toThrow(/was not prepared/);
  });

  it("does not touch the file system when no instruction reads the context", async () => {
    const lookup = await contextAddFilesChecksums(options(["missing.txt"]), []);
    expect(() => lookup(["."])).toThrow(SlipwayError);
  });
});
