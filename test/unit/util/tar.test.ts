import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tarArchive } from "../../../src/util/tar.js";

// GNU tar is the independent reader that checks the encoder.
describe("tarArchive", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("produces an archive GNU tar lists and extracts byte for byte", () => {
    const longName = `${"deep/".repeat(30)}file-with-a-long-name.txt`;
    const archive = tarArchive([
      { name: "Dockerfile", data: Buffer.from("FROM scratch\n") },
      { name: "bin/run.sh", data: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
      { name: "empty", data: Buffer.alloc(0) },
      { name: longName, data: Buffer.from("x".repeat(1000)) },
      { name: "link", data: Buffer.alloc(0), type: "symlink", linkname: "bin/run.sh" },
    ]);
    expect(archive.length % 512).toBe(0);
    const listed = execFileSync("tar", ["-tf", "-"], { input: archive, encoding: "utf8" }).trim().split("\n");
    expect(listed).toEqual(["Dockerfile", "bin/run.sh", "empty", longName, "link"]);

    dir = mkdtempSync(join(tmpdir(), "slipway-tar-"));
    execFileSync("tar", ["-xf", "-", "-C", dir], { input: archive });
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toBe("FROM scratch\n");
    expect(statSync(join(dir, "bin/run.sh")).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dir, longName), "utf8")).toBe("x".repeat(1000));
    expect(readFileSync(join(dir, "empty")).length).toBe(0);
    expect(readlinkSync(join(dir, "link"))).toBe("bin/run.sh");
  });

  it("is reproducible: the same entries give the same bytes", () => {
    const entries = [{ name: "a", data: Buffer.from("1") }, { name: "b/c", data: Buffer.from("2") }];
    expect(tarArchive(entries).equals(tarArchive(entries))).toBe(true);
  });
});
