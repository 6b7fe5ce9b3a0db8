import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gunzip } from "../../../src/util/gzip.js";

describe("gunzip", () => {
  it("decodes concatenated members as Go's multistream reader", () => {
    const r = gunzip(Buffer.concat([gzipSync("ab"), gzipSync("cd")]));
    expect(r.data.toString()).toBe("abcd");
    expect(r.tail).toBeNull();
  });

  // The wording is what `helm template` printed for such files in charts/ (see the packaged-* cases).
  it("fails on a bad first header as gzip.NewReader does", () => {
    expect(() => gunzip(Buffer.alloc(0))).toThrow(/^EOF$/);
    expect(() => gunzip(Buffer.from("notgz\n"))).toThrow(/^unexpected EOF$/);
    expect(() => gunzip(Buffer.from("this is not a gzip file at all\n"))).toThrow(/^gzip: invalid header$/);
  });

  it("keeps the bytes decoded before a truncation or a bad checksum", () => {
    const z = gzipSync(Buffer.from("y".repeat(5000)));
    const cut = gunzip(z.subarray(0, z.length - 4));
    expect(cut.data.toString()).toBe("y".repeat(5000));
    expect(cut.tail?.message).toBe("unexpected EOF");
    const bad = Buffer.from(z);
    bad[bad.length - 8] = (bad[bad.length - 8] ?? 0) ^ 0xff;
    expect(gunzip(bad).tail?.message).toBe("gzip: invalid checksum");
  });
});
