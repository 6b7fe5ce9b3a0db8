// The optimised path matching, lazy ls-tree walk and checksum (src/git) against the frozen, straightforward port
// they replaced (./reference): same entries, same order, same checksums, same errors, on seeded random trees,
// .dockerignore files and COPY sources, including the awkward names (dots, backslashes, non-BMP characters).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as now from "../../../src/git/context.js";
import * as nowIgnore from "../../../src/git/dockerignore.js";
import * as nowPath from "../../../src/git/gopath.js";
import { LsTreeParser, parseLsTree } from "../../../src/git/repo.js";
import * as ref from "./reference/context.js";
import * as refIgnore from "./reference/dockerignore.js";
import * as refPath from "./reference/gopath.js";
import { seededRandom } from "../../helpers/seeded.js";

const rng = seededRandom;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const oid = (s: string): string => createHash("sha1").update(s).digest("hex");

const NAMES = ["a", "b", "a.txt", "a-b", "a.b", ".x", "..y", "f.log", "keep.log", "sub", "src", "x\\", "ü.go", "😀", "\uE000", "Dockerfile"];

interface Node {
  readonly files: Set<string>;
  readonly dirs: Map<string, Node>;
  readonly submodules: Set<string>;
}

function randomTree(r: () => number): Node {
  const make = (depth: number): Node => {
    const node: Node = { files: new Set(), dirs: new Map(), submodules: new Set() };
    const n = 1 + Math.floor(r() * 6);
    for (let i = 0; i < n; i++) {
      const name = pick(r, NAMES);
      if (node.files.has(name) || node.dirs.has(name) || node.submodules.has(name)) continue;
      const kind = r();
      if (depth < 4 && kind < 0.35) node.dirs.set(name, make(depth + 1));
      else if (kind < 0.38) node.submodules.add(name);
      else node.files.add(name);
    }
    return node;
  };
  return make(0);
}

/** `git ls-tree -r -t` order: by name bytes, a directory compared as `name/`. */
function lsTreeEntries(tree: Node): now.ContextTreeEntry[] {
  const out: now.ContextTreeEntry[] = [];
  const walk = (node: Node, prefix: string): void => {
    const names = [...node.files, ...node.submodules, ...[...node.dirs.keys()].map((d) => `${d}/`)];
    names.sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const key of names) {
      const name = key.endsWith("/") ? key.slice(0, -1) : key;
      const path = prefix === "" ? name : `${prefix}/${name}`;
      const dir = key.endsWith("/") ? node.dirs.get(name) : undefined;
      if (dir !== undefined) {
        out.push({ path, type: "tree", objectId: oid(`tree ${path}`), mode: "040000" });
        walk(dir, path);
      } else if (node.submodules.has(name)) {
        out.push({ path, type: "commit", objectId: oid(`commit ${path}`), mode: "160000" });
      } else {
        out.push({ path, type: "blob", objectId: oid(`blob ${path}`), mode: "100644" });
      }
    }
  };
  walk(tree, "");
  return out;
}

const PATTERNS = [
  "**/*.log", "!keep.log", "a", "a/*", "*/b", "a/**/b", "**", "*", "sub/**", "!a/b", "[ab]*", "?", "a\\*", "src",
  "!src/a.txt", "*.txt", "**/a", "sub/*/a.txt", "x\\", "😀", "!**/keep.log", "a/b/../b", "./a", "/sub", "**/",
  // regexps with and without a literal tail
  "*.t[x]t", "a^b", "a\\.txt", "*\\-b", "**/[a]\\.b", "**/f.lo?", "\\d.log", "*[.]log", "*.l\\og", "**/*.go", "*/a.b", "**/a-b", "a*.{b}", "*$", "*(x)",
];
const SOURCES = [".", "./", "a", "a/*", "*.txt", "sub/**/a", "{a,b}", "a/b.txt", "sub", "*", "**/*.go", "src/../a", "/", "x\\"];
const CONTEXTS = ["", "a", "sub", "a/b", "src/sub", "missing", "."];

function outcome<T>(f: () => T): { value: T } | { error: string } {
  try {
    return { value: f() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const plain = (entries: readonly now.ContextTreeEntry[]): string[][] => entries.map((e) => [e.path, e.type, e.objectId]);

describe("optimised src/git against the reference port", () => {
  it("gopath: Clean and Dir on random strings", () => {
    const r = rng(1);
    const alphabet = ["a", "b", ".", "/", "\\", "ü"];
    for (let i = 0; i < 20000; i++) {
      let s = "";
      const n = Math.floor(r() * 9);
      for (let k = 0; k < n; k++) s += pick(r, alphabet);
      expect([s, nowPath.goClean(s)]).toEqual([s, refPath.goClean(s)]);
      expect([s, nowPath.goDir(s)]).toEqual([s, refPath.goDir(s)]);
      // Conservative: "clean" promises that Clean leaves the path alone; `.` and `..` components never count.
      if (nowPath.isCleanPath(s)) expect([s, refPath.goClean(s)]).toEqual([s, s]);
      if (!/(^|\/)\.\.?(\/|$)/.test(s)) expect([s, nowPath.isCleanPath(s)]).toEqual([s, s !== "" && refPath.goClean(s) === s]);
    }
  });

  it("dockerignore: matches, matchesLegacy and matchesExact on random patterns and paths", () => {
    const r = rng(2);
    for (let i = 0; i < 400; i++) {
      const patterns = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, PATTERNS));
      const a = outcome(() => new nowIgnore.DockerignoreMatcher(patterns));
      const b = outcome(() => new refIgnore.DockerignoreMatcher(patterns));
      if (!("value" in a) || !("value" in b)) {
        expect(a).toEqual(b);
        continue;
      }
      // Siblings one after another, then jumps: exercises the memory of the last parent dir.
      const paths = lsTreeEntries(randomTree(r)).map((e) => e.path);
      for (const path of [...paths, ...[...paths].reverse()]) {
        const m = [outcome(() => a.value.matchesLegacy(path)), outcome(() => a.value.matches(path)), outcome(() => a.value.matchesExact(path))];
        const n = [outcome(() => b.value.matchesLegacy(path)), outcome(() => b.value.matches(path)), outcome(() => b.value.matchesExact(path))];
        expect([patterns, path, m]).toEqual([patterns, path, n]);
      }
    }
  });

  it("lazy ls-tree, COPY checksum, giterminism selection and context files on random trees", () => {
    const r = rng(3);
    let compared = 0;
    for (let i = 0; i < 600; i++) {
      const entries = lsTreeEntries(randomTree(r));
      const rootTree = oid(`root ${i}`);
      const a = new now.TreeIndex(entries, rootTree);
      const b = new ref.TreeIndex(entries, rootTree);
      const dockerignorePatterns =
        r() < 0.2 ? undefined : Array.from({ length: Math.floor(r() * 4) }, () => pick(r, PATTERNS));
      const sources = Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, SOURCES));
      const context = r() < 0.5 ? "" : pick(r, [...CONTEXTS, ...entries.filter((e) => e.type === "tree").map((e) => e.path)]);
      const options = { context, sources, dockerignorePatterns };
      const label = JSON.stringify(options);

      const checksumA = outcome(() => {
        const c = now.copyInstructionChecksum(a, options);
        return { entries: plain(c.entries), checksum: c.checksum, files: now.filesChecksum(c.entries) };
      });
      const checksumB = outcome(() => {
        const c = ref.copyInstructionChecksum(b, options);
        return { entries: plain(c.entries), checksum: c.checksum, files: ref.filesChecksum(c.entries) };
      });
      expect([label, checksumA]).toEqual([label, checksumB]);
      expect([label, outcome(() => plain(now.selectCopySources(a, options)))]).toEqual([label, outcome(() => plain(ref.selectCopySources(b, options)))]);
      expect([label, outcome(() => plain(now.selectContextFiles(a, context, dockerignorePatterns)))]).toEqual([
        label,
        outcome(() => plain(ref.selectContextFiles(b, context, dockerignorePatterns))),
      ]);
      for (const e of entries.slice(0, 12)) {
        expect([label, e.path, outcome(() => now.copySourcesMatch(options, e.path))]).toEqual([label, e.path, outcome(() => ref.copySourcesMatch(options, e.path))]);
      }
      if ("value" in checksumA && checksumA.value.entries.length > 0) compared++;
    }
    expect(compared).toBeGreaterThan(150); // the random cases mostly select something
  });

  it("a tree with paths git would not store (unclean) takes the slow way with the same answers", () => {
    const entries: now.ContextTreeEntry[] = [
      { path: "a", type: "tree", objectId: oid("a") },
      { path: "a/./b.txt", type: "blob", objectId: oid("1") },
      { path: "a/b.log", type: "blob", objectId: oid("2") },
      { path: "a//c", type: "blob", objectId: oid("3") },
      { path: "a/.", type: "blob", objectId: oid("6") },
      { path: "a/..", type: "blob", objectId: oid("7") },
      { path: "a/.b.log", type: "blob", objectId: oid("8") },
      { path: "x\\", type: "tree", objectId: oid("x") },
      { path: "x\\/y.log", type: "blob", objectId: oid("4") },
      { path: "x\\/z", type: "blob", objectId: oid("5") },
    ];
    for (const context of ["", "a", "x\\"]) {
      for (const dockerignorePatterns of [undefined, ["**/*.log"], ["a/b.txt", "x\\/z"]]) {
        const options = { context, sources: ["."], dockerignorePatterns };
        const mine = outcome(() => plain(now.selectCopySources(new now.TreeIndex(entries, "r"), options)));
        expect(mine).toEqual(outcome(() => plain(ref.selectCopySources(new ref.TreeIndex(entries, "r"), options))));
        expect(outcome(() => now.copyInstructionChecksum(new now.TreeIndex(entries, "r"), options).checksum)).toEqual(
          outcome(() => ref.copyInstructionChecksum(new ref.TreeIndex(entries, "r"), options).checksum),
        );
      }
    }
  });

  it("the ls-tree parser reads the output the same in one piece and in chunks split anywhere", () => {
    const entries = lsTreeEntries(randomTree(rng(4)));
    const text = entries.map((e) => `${e.mode ?? ""} ${e.type} ${e.objectId}\t${e.path}\0`).join("");
    const bytes = Buffer.from(text, "utf8");
    const whole = parseLsTree(bytes);
    expect(whole.map((e) => [e.path, e.type, e.objectId, e.mode])).toEqual(entries.map((e) => [e.path, e.type, e.objectId, e.mode]));
    const r = rng(5);
    for (let i = 0; i < 50; i++) {
      // Cut points anywhere, also inside a multi-byte character or right after a NUL.
      const cuts = [0, ...Array.from({ length: 5 }, () => Math.floor(r() * bytes.length)).sort((x, y) => x - y), bytes.length];
      const parser = new LsTreeParser();
      for (let k = 1; k < cuts.length; k++) parser.push(bytes.subarray(cuts[k - 1], cuts[k]));
      expect(parser.end()).toEqual(whole);
    }
  });
});

