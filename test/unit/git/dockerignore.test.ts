import { describe, expect, it } from "vitest";
import {
  chooseDockerignore,
  DOCKERFILE_IGNORED_WARNING,
  DockerignoreMatcher,
  keepDockerfile,
  parseDockerignore,
} from "../../../src/git/dockerignore.js";

// Cases from moby/patternmatcher patternmatcher_test.go (TestMatches): "exact" means the pattern itself matches,
// "inexact" only through a parent directory, "fail" not at all.
const MATCHES: [string, string, "exact" | "inexact" | "fail"][] = [
  ["**", "file", "exact"],
  ["**", "file/", "exact"],
  ["**/", "file", "exact"],
  ["**/", "file/", "exact"],
  ["**", "/", "exact"],
  ["**/", "/", "exact"],
  ["**", "dir/file", "exact"],
  ["**/", "dir/file", "exact"],
  ["**", "dir/file/", "exact"],
  ["**/", "dir/file/", "exact"],
  ["**/**", "dir/file", "exact"],
  ["**/**", "dir/file/", "exact"],
  ["dir/**", "dir/file", "exact"],
  ["dir/**", "dir/file/", "exact"],
  ["dir/**", "dir/dir2/file", "exact"],
  ["dir/**", "dir/dir2/file/", "exact"],
  ["**/dir", "dir", "exact"],
  ["**/dir", "dir/file", "inexact"],
  ["**/dir2/*", "dir/dir2/file", "exact"],
  ["**/dir2/*", "dir/dir2/file/", "inexact"],
  ["**/dir2/**", "dir/dir2/dir3/file", "exact"],
  ["**/dir2/**", "dir/dir2/dir3/file/", "exact"],
  ["**file", "file", "exact"],
  ["**file", "dir/file", "exact"],
  ["**/file", "dir/file", "exact"],
  ["**file", "dir/dir/file", "exact"],
  ["**/file", "dir/dir/file", "exact"],
  ["**/file*", "dir/dir/file", "exact"],
  ["**/file*", "dir/dir/file.txt", "exact"],
  ["**/file*txt", "dir/dir/file.txt", "exact"],
  ["**/file*.txt", "dir/dir/file.txt", "exact"],
  ["**/file*.txt*", "dir/dir/file.txt", "exact"],
  ["**/**/*.txt", "dir/dir/file.txt", "exact"],
  ["**/**/*.txt2", "dir/dir/file.txt", "fail"],
  ["**/*.txt", "file.txt", "exact"],
  ["**/**/*.txt", "file.txt", "exact"],
  ["a**/*.txt", "a/file.txt", "exact"],
  ["a**/*.txt", "a/dir/file.txt", "exact"],
  ["a**/*.txt", "a/dir/dir/file.txt", "exact"],
  ["a/*.txt", "a/dir/file.txt", "fail"],
  ["a/*.txt", "a/file.txt", "exact"],
  ["a/*.txt**", "a/file.txt", "exact"],
  ["a[b-d]e", "ae", "fail"],
  ["a[b-d]e", "ace", "exact"],
  ["a[b-d]e", "aae", "fail"],
  ["a[^b-d]e", "aze", "exact"],
  [".*", ".foo", "exact"],
  [".*", "foo", "fail"],
  ["abc.def", "abcdef", "fail"],
  ["abc.def", "abc.def", "exact"],
  ["abc.def", "abcZdef", "fail"],
  ["abc?def", "abcZdef", "exact"],
  ["abc?def", "abcdef", "fail"],
  ["**/foo/bar", "foo/bar", "exact"],
  ["**/foo/bar", "dir/foo/bar", "exact"],
  ["**/foo/bar", "dir/dir2/foo/bar", "exact"],
  ["abc/**", "abc", "fail"],
  ["abc/**", "abc/def", "exact"],
  ["abc/**", "abc/def/ghi", "exact"],
  ["**/.foo", ".foo", "exact"],
  ["**/.foo", "bar.foo", "fail"],
  ["a(b)c/def", "a(b)c/def", "exact"],
  ["a(b)c/def", "a(b)c/xyz", "fail"],
  ["a.|)$(}+{bc", "a.|)$(}+{bc", "exact"],
  ["dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "exact"],
  ["dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", "exact"],
  ["a\\\\", "a\\", "exact"],
  ["a\\*b", "a*b", "exact"],
];

const MULTI: [string[], string, boolean][] = [
  [["**", "!util/docker/web"], "util/docker/web/foo", false],
  [["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", true],
  [["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false],
  [["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false],
];

// Go filepath.Match cases that moby's TestMatch runs through its own matcher.
const GO_MATCH: [string, string, boolean | "bad"][] = [
  ["abc", "abc", true],
  ["*", "abc", true],
  ["*c", "abc", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ab/c", true],
  ["a*/b", "abc/b", true],
  ["a*/b", "a/c/b", false],
  ["a*b*c*d*e*/f", "axbxcxdxe/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/f", true],
  ["a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false],
  ["a*b*c*d*e*/f", "axbxcxdxexxx/fff", false],
  ["a*b?c*x", "abxbbxdbxebxczzx", true],
  ["a*b?c*x", "abxbbxdbxebxczzy", false],
  ["ab[c]", "abc", true],
  ["ab[b-d]", "abc", true],
  ["ab[e-g]", "abc", false],
  ["ab[^c]", "abc", false],
  ["ab[^b-d]", "abc", false],
  ["ab[^e-g]", "abc", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "ab", false],
  ["a?b", "a☺b", true],
  ["a[^a]b", "a☺b", true],
  ["a???b", "a☺b", false],
  ["a[^a][^a][^a]b", "a☺b", false],
  ["[a-ζ]*", "α", true],
  ["*[a-ζ]", "A", false],
  ["a?b", "a/b", false],
  ["a*b", "a/b", false],
  ["[\\]a]", "]", true],
  ["[\\-]", "-", true],
  ["[x\\-]", "x", true],
  ["[x\\-]", "-", true],
  ["[x\\-]", "z", false],
  ["[\\-x]", "x", true],
  ["[\\-x]", "-", true],
  ["[\\-x]", "a", false],
  ["[]a]", "]", "bad"],
  ["[-]", "-", "bad"],
  ["[x-]", "x", "bad"],
  ["[x-]", "-", "bad"],
  ["[x-]", "z", "bad"],
  ["[-x]", "x", "bad"],
  ["[-x]", "-", "bad"],
  ["[-x]", "a", "bad"],
  ["\\", "a", "bad"],
  ["[a-b-c]", "a", "bad"],
  ["[", "a", "bad"],
  ["[^", "a", "bad"],
  ["[^bc", "a", "bad"],
  ["a[", "a", "bad"],
  ["a[", "ab", "bad"],
  ["*x", "xxx", true],
];

describe("DockerignoreMatcher (moby patternmatcher)", () => {
  it.each(MATCHES)("%s vs %s: %s", (pattern, text, kind) => {
    const m = new DockerignoreMatcher([pattern]);
    expect(m.matchesExact(text)).toBe(kind === "exact");
    expect(m.matches(text)).toBe(kind !== "fail");
  });

  it.each(MULTI)("%j vs %s", (patterns, text, expected) => {
    expect(new DockerignoreMatcher(patterns).matches(text)).toBe(expected);
  });

  it.each(GO_MATCH)("filepath.Match-compatible: %s vs %s", (pattern, text, expected) => {
    if (expected === "bad") {
      expect(() => new DockerignoreMatcher([pattern]).matchesLegacy(text)).toThrow("syntax error in pattern");
    } else {
      expect(new DockerignoreMatcher([pattern]).matchesLegacy(text)).toBe(expected);
    }
  });

  it("applies exceptions in order: the last matching rule wins", () => {
    expect(new DockerignoreMatcher(["!fileutils.go", "*.go"]).matches("fileutils.go")).toBe(true);
    expect(new DockerignoreMatcher(["*.go", "!fileutils.go"]).matches("fileutils.go")).toBe(false);
    expect(new DockerignoreMatcher(["docs", "!docs/README.md"]).matches("docs/README.md")).toBe(false);
    expect(new DockerignoreMatcher(["docs/", "!docs/README.md"]).matches("docs/README.md")).toBe(false);
    expect(new DockerignoreMatcher(["docs/*", "!docs/README.md"]).matches("docs/README.md")).toBe(false);
    expect(new DockerignoreMatcher(["docs"]).matches("docs/sub/deep.md")).toBe(true);
    expect(new DockerignoreMatcher([]).matches("any/path")).toBe(false);
  });

  it("differs between Docker's parent matching and werf's legacy Matches only on deep parents", () => {
    const m = new DockerignoreMatcher(["a/*"]);
    // Docker: a/b matches a/*, so everything under a/b is excluded.
    expect(m.matches("a/b/c/d")).toBe(true);
    // Legacy Matches checks only the parent prefix with as many parts as the pattern: "a/b" — also a match.
    expect(m.matchesLegacy("a/b/c/d")).toBe(true);
    const one = new DockerignoreMatcher(["b"]);
    expect(one.matches("b/c/d")).toBe(true);
    expect(one.matchesLegacy("b/c/d")).toBe(true);
    const deep = new DockerignoreMatcher(["*/c"]);
    expect(deep.matches("x/b/c/d")).toBe(false);
    const wild = new DockerignoreMatcher(["b*/c"]);
    expect(wild.matches("b1/c/x/y")).toBe(true);
    expect(wild.matchesLegacy("b1/c/x/y")).toBe(true);
  });

  it("rejects a lone ! and cleans patterns", () => {
    expect(() => new DockerignoreMatcher(["!"])).toThrow('illegal exclusion pattern: "!"');
    const m = new DockerignoreMatcher(["  docs/../build//out/  ", "  !build/out/keep  "]);
    expect(m.patterns.map((p) => `${p.exclusion ? "!" : ""}${p.cleaned}`)).toEqual(["build/out", "!build/out/keep"]);
    expect(m.exclusions).toBe(true);
  });
});

describe("parseDockerignore (moby ignorefile.ReadAll)", () => {
  it("handles comments, absolute and ./ paths, exceptions and a BOM", () => {
    const content = "\uFEFFtest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! \n./dot/./x/../y\r\n  # not a comment\n";
    expect(parseDockerignore(content)).toEqual([
      "test1",
      "test2",
      "a/file/here",
      "lastfile",
      "!inverted/abs/path",
      "!",
      "!",
      "dot/y",
      "# not a comment",
    ]);
  });
});

describe("werf's .dockerignore choice and Dockerfile rule", () => {
  it("prefers <dockerfile>.dockerignore, then .dockerignore", () => {
    const both = new Set(["docker/app.Dockerfile.dockerignore", ".dockerignore"]);
    expect(chooseDockerignore("docker/app.Dockerfile", (p) => both.has(p))).toBe("docker/app.Dockerfile.dockerignore");
    expect(chooseDockerignore("./Dockerfile", (p) => p === ".dockerignore")).toBe(".dockerignore");
    expect(chooseDockerignore("Dockerfile", () => false)).toBeUndefined();
  });

  it("re-includes the Dockerfile with a warning when the rules would exclude it", () => {
    expect(keepDockerfile(["*.md"], "Dockerfile")).toEqual({ patterns: ["*.md"] });
    const result = keepDockerfile(["*", "!src"], "Dockerfile");
    expect(result.patterns).toEqual(["*", "!src", "!Dockerfile"]);
    expect(result.warning).toBe(DOCKERFILE_IGNORED_WARNING);
    expect(new DockerignoreMatcher(result.patterns).matches("Dockerfile")).toBe(false);
    expect(keepDockerfile(["docker"], "docker/Dockerfile").patterns).toEqual(["docker", "!docker/Dockerfile"]);
  });
});
