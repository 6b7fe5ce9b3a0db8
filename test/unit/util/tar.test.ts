import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readTar, tarArchive } from "../../../src/util/tar.js";

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

describe("readTar", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("reads back what the writer and GNU tar produce, long names and symlinks included", () => {
    const longName = `${"deep/".repeat(30)}file.txt`;
    const entries = [
      { name: "a.txt", data: Buffer.from("one") },
      { name: longName, data: Buffer.from("x".repeat(700)) },
      { name: "link", data: Buffer.alloc(0), type: "symlink" as const, linkname: "a.txt" },
    ];
    const read = readTar(tarArchive(entries));
    expect(read.map((e) => [e.name, e.typeflag, e.data.toString()])).toEqual([
      ["a.txt", "0", "one"],
      [longName, "0", "x".repeat(700)],
      ["link", "2", ""],
    ]);
    expect(read[2]?.linkname).toBe("a.txt");

    const tmp = mkdtempSync(join(tmpdir(), "slipway-tar-"));
    dir = tmp;
    mkdirSync(join(tmp, "top", longName.slice(0, longName.lastIndexOf("/"))), { recursive: true });
    writeFileSync(join(tmp, "top", longName), "gnu");
    const gnu = execFileSync("tar", ["--format=gnu", "-cf", "-", "-C", tmp, "top"]);
    const names = readTar(gnu).filter((e) => e.typeflag === "0").map((e) => [e.name, e.data.toString()]);
    expect(names).toEqual([[`top/${longName}`, "gnu"]]);
  });

  it("words truncation and corruption as Go's archive/tar", () => {
    const archive = tarArchive([{ name: "a.txt", data: Buffer.from("x".repeat(600)) }]);
    expect(() => readTar(archive.subarray(0, 700))).toThrow(/^unexpected EOF$/);
    const bad = Buffer.from(archive);
    bad[0] = 0x41;
    expect(() => readTar(bad)).toThrow(/^archive\/tar: invalid tar header$/);
    expect(readTar(Buffer.alloc(0))).toEqual([]);
    expect(() => readTar(Buffer.alloc(0), new Error("gzip: invalid checksum"))).toThrow(/invalid checksum/);
  });
});
