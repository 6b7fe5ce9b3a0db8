// The on-disk cache of parsed templates: where it lives, what it keeps, and that a broken disk only costs time.

import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { diskParseCache, parseCacheDir, userParseCache } from "../../../src/render/parse-cache.js";

const tmp = mkdtempSync(join(tmpdir(), "slipway-parse-cache-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("parse cache on disk", () => {
  test("lives under $XDG_CACHE_HOME, else ~/.cache, and nowhere without an absolute home", () => {
    expect(parseCacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/u" })).toBe("/x/cache/slipway/templates");
    expect(parseCacheDir({ XDG_CACHE_HOME: "relative", HOME: "/home/u" })).toBe("/home/u/.cache/slipway/templates");
    expect(parseCacheDir({ HOME: "/home/u" })).toBe("/home/u/.cache/slipway/templates");
    expect(parseCacheDir({})).toBeUndefined();
    expect(parseCacheDir({ SLIPWAY_CACHE: "/c", HOME: "/home/u" })).toBe("/c/templates");
    expect(userParseCache({})).toBeUndefined();
    expect(userParseCache({ HOME: "/home/u", SLIPWAY_PARSE_CACHE: "0" })).toBeUndefined();
  });

  test("keeps its folder and files private to the user (0700, 0600)", () => {
    const dir = join(tmp, "private");
    const cache = diskParseCache(dir);
    cache.write("k", "{}");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(dir);
    expect(statSync(join(dir, file ?? "")).mode & 0o777).toBe(0o600);
  });

  test("gives back what was written, one file per key, and misses other keys", () => {
    const dir = join(tmp, "a");
    const cache = diskParseCache(dir);
    expect(cache.read("k1")).toBeUndefined();
    cache.write("k1", '{"t":1}');
    cache.write("k2", '{"t":2}');
    expect(cache.read("k1")).toBe('{"t":1}');
    expect(cache.read("k2")).toBe('{"t":2}');
    expect(cache.read("k3")).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(2);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("keeps the 16 most recently written entries", () => {
    const dir = join(tmp, "b");
    const cache = diskParseCache(dir);
    for (let i = 0; i < 16; i++) cache.write(`k${i}`, String(i));
    const old = new Date(Date.now() - 3600_000);
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), old, old);
    cache.write("new", "n");
    expect(readdirSync(dir)).toHaveLength(16);
    expect(cache.read("new")).toBe("n");
  });

  test("a directory it cannot write is no error: every read misses", () => {
    const file = join(tmp, "not-a-dir");
    writeFileSync(file, "");
    const cache = diskParseCache(join(file, "templates"));
    cache.write("k", "v");
    expect(cache.read("k")).toBeUndefined();
  });
});
