import { describe, expect, it } from "vitest";
import {
  lex,
  normalizePlatform,
  platformArgs,
  processWord,
  processWords,
  resolveMetaArgs,
  resolveStageArg,
} from "../../../src/build/dockerfile/shell-lex.js";

// BuildKit's frontend/dockerfile/shell/envVarTest (Unix rows), run against the same environment.
const env = new Map([
  ["PWD", "/home"],
  ["SHELL", "bash"],
  ["KOREAN", "한국어"],
  ["NULL", ""],
]);

const envVarTest: [string, string][] = [
  ["hello", "hello"],
  ["he'll'o", "hello"],
  ["he'llo", "error"],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", "error"],
  ["abc\\tdef", "abctdef"],
  ['"abc\\tdef"', "abc\\tdef"],
  ['"abc\\\\tdef"', "abc\\tdef"],
  ["'abc\\tdef'", "abc\\tdef"],
  ["hello\\", "hello"],
  ["hello\\\\", "hello\\"],
  ['"hello', "error"],
  ['"hello\\"', "error"],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", "error"],
  ["'hello\\'", "hello\\"],
  ["'hello\\there'", "hello\\there"],
  ["'hello\\\\there'", "hello\\\\there"],
  ['"\'\'"', "''"],
  ["$.", "$."],
  ["he$1x", "hex"],
  ["he$.x", "he$.x"],
  ["he$pwd.", "he."],
  ["he$PWD", "he/home"],
  ["he\\$PWD", "he$PWD"],
  ["he\\\\$PWD", "he\\/home"],
  ['"he\\$PWD"', "he$PWD"],
  ['"he\\\\$PWD"', "he\\/home"],
  ["\\${}", "${}"],
  ["\\${}aaa", "${}aaa"],
  ["he\\${}", "he${}"],
  ["he\\${}xx", "he${}xx"],
  ["${}", "error"],
  ["${}aaa", "error"],
  ["he${}", "error"],
  ["he${}xx", "error"],
  ["he${hi}", "he"],
  ["he${hi}xx", "hexx"],
  ["he${PWD}", "he/home"],
  ["he${.}", "error"],
  ["he${XXX:-000}xx", "he000xx"],
  ["he${PWD:-000}xx", "he/homexx"],
  ["he${XXX:-$PWD}xx", "he/homexx"],
  ["he${XXX:-${PWD:-yyy}}xx", "he/homexx"],
  ["he${XXX:-${YYY:-yyy}}xx", "heyyyxx"],
  ["he${XXX:YYY}", "error"],
  ["he${XXX?}", "error"],
  ["he${XXX:?}", "error"],
  ["he${PWD?}", "he/home"],
  ["he${PWD:?}", "he/home"],
  ["he${NULL?}", "he"],
  ["he${NULL:?}", "error"],
  ["he${XXX:+${PWD}}xx", "hexx"],
  ["he${PWD:+${XXX}}xx", "hexx"],
  ["he${PWD:+${SHELL}}xx", "hebashxx"],
  ["he${XXX:+000}xx", "hexx"],
  ["he${PWD:+000}xx", "he000xx"],
  ["'he${XX}'", "he${XX}"],
  ['"he${PWD}"', "he/home"],
  ["\"he'$PWD'\"", "he'/home'"],
  ['"$PWD"', "/home"],
  ["'$PWD'", "$PWD"],
  ["'\\$PWD'", "\\$PWD"],
  ["'\"hello\"'", '"hello"'],
  ["he\\$PWD", "he$PWD"],
  ['"he\\$PWD"', "he$PWD"],
  ["'he\\$PWD'", "he\\$PWD"],
  ["he${PWD", "error"],
  ["he${PWD=000}xx", "error"],
  ["he${PWD+${PWD}:}xx", "he/home:xx"],
  ["he${XXX:-\\$PWD:}xx", "he$PWD:xx"],
  ["he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"],
  ["안녕하세요", "안녕하세요"],
  ["안'녕'하세요", "안녕하세요"],
  ["안'녕하세요", "error"],
  ["안녕\\'하세요", "안녕'하세요"],
  ["안녕\\t하세요", "안녕t하세요"],
  ['"안녕\\t하세요"', "안녕\\t하세요"],
  ["$KOREAN", "한국어"],
  ["안녕하세요$KOREAN", "안녕하세요한국어"],
  ["${a:-안녕하세요}", "안녕하세요"],
  ["${a:-안녕}하세요", "안녕하세요"],
  ["$@", ""],
  ["$0x", "x"],
  ["${#}", ""],
];

describe("processWord: BuildKit envVarTest", () => {
  it.each(envVarTest)("%s → %s", (source, expected) => {
    if (expected === "error") {
      expect(() => processWord(source, env)).toThrow();
    } else {
      expect(processWord(source, env)).toBe(expected);
    }
  });
});

describe("processWord: substitutions (BuildKit TestProcessWithMatches)", () => {
  it.each([
    ["${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", { FOO: "xxx", BAR: "" }, "xxx  ccc"],
    ["${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", { FOO: "xxx", BAR: "" }, "xxx bbb ccc"],
    ["${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", { FOO: "xxx", BAR: "" }, "aaa bbb "],
    ["${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", { FOO: "xxx", BAR: "" }, "aaa  "],
    ["${FOO#()[]{\\}^$.\\*\\?|\\\\}", { FOO: "()[]{}^$.*?|\\x" }, "x"],
    ["${FOO%%\\**}", { FOO: "xx**" }, "xx"],
    ["${FOO#*x*y}", { FOO: "xxyy" }, "y"],
    ["${FOO#*}", { FOO: "xxyy" }, "xxyy"],
    ["${FOO#$BAR}", { FOO: "xxyy", BAR: "x" }, "xyy"],
    ["${FOO##*x}", { FOO: "xxyy" }, "yy"],
    ["${FOO#?\\?}", { FOO: "???y" }, "?y"],
    ["${ABC:-.}${FOO%x}${ABC:-.}", { FOO: "xxyy" }, ".xxyy."],
    ["${FOO%%\\**\\*}", { FOO: "a***yy*" }, "a"],
    ["${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", { FOO: "/foo*/*/*.txt", NEEDLE: "\\*/" }, "/foo.*/*.txt - /foo..*.txt"],
    ["${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", { FOO: "/tmp/tmp/bar.txt", NEEDLE: "/tmp" }, "/tmp/bar.txt - /bar.txt"],
    ["${FOO/$NEEDLE/$REPLACEMENT}", { FOO: "http://google.de", NEEDLE: "http://", REPLACEMENT: "https://" }, "https://google.de"],
    ["${FOO//\\//\\/}", { FOO: "/tmp/foo.txt" }, "\\/tmp\\/foo.txt"],
    ["${FOO///}", { FOO: "xxyy" }, "xxyy"],
  ])("%s", (input, envs, expected) => {
    expect(processWord(input, envs)).toBe(expected);
  });

  it.each(["${BAZ?ccc}", "${BAR:?bbb}", "${FOO=aaa}", "${FOO//ww}"])("%s is an error", (input) => {
    expect(() => processWord(input, { FOO: "xxx", BAR: "" })).toThrow(/failed to process/);
  });

  it("reports the variables it found and missed", () => {
    const r = lex("${FOO:-a} $BAR $BAZ", { FOO: "1", BAZ: "" });
    expect([...r.matched].sort()).toEqual(["BAZ", "FOO"]);
    expect([...r.unmatched]).toEqual(["BAR"]);
  });

  it("can leave unset variables alone and keep quotes", () => {
    expect(processWord("$A ${B} ${C:-x} '$D'", { A: "1" }, { skipUnsetEnv: true, rawQuotes: true })).toBe(
      "1 ${B} ${C:-x} '$D'",
    );
  });

  it("uses the escape directive's token", () => {
    expect(processWord("a`$B c\\d", { B: "x" }, { escapeToken: "`" })).toBe("a$B c\\d");
  });

  it("splits words after expansion unless quoted (BuildKit wordsTest)", () => {
    const e = { PWD: "/home", SHELL: "bash", EMPTY: "" };
    expect(processWords("hello world", e)).toEqual(["hello", "world"]);
    expect(processWords("'hello world'", e)).toEqual(["hello world"]);
    expect(processWords("$PWD $SHELL", e)).toEqual(["/home", "bash"]);
    expect(processWords('"$PWD $SHELL"', e)).toEqual(["/home bash"]);
    expect(processWords("a$EMPTY b", e)).toEqual(["a", "b"]);
    expect(processWords('""', e)).toEqual([]);
  });
});

describe("platform ARGs and ARG scope", () => {
  it("defaults to linux/amd64", () => {
    expect(Object.fromEntries(platformArgs())).toEqual({
      BUILDPLATFORM: "linux/amd64",
      BUILDOS: "linux",
      BUILDARCH: "amd64",
      BUILDVARIANT: "",
      TARGETPLATFORM: "linux/amd64",
      TARGETOS: "linux",
      TARGETARCH: "amd64",
      TARGETVARIANT: "",
    });
    expect(platformArgs("linux/arm/v7").get("TARGETVARIANT")).toBe("v7");
  });

  it("normalizes platforms like containerd", () => {
    expect(normalizePlatform("x86_64")).toBe("linux/amd64");
    expect(normalizePlatform("linux/aarch64")).toBe("linux/arm64");
    expect(normalizePlatform("linux/arm64/v8")).toBe("linux/arm64");
    expect(normalizePlatform("linux/arm")).toBe("linux/arm/v7");
    expect(normalizePlatform("Linux/AMD64")).toBe("linux/amd64");
  });

  it("resolves meta ARGs in order, build args overriding defaults", () => {
    const scope = resolveMetaArgs(
      [{ key: "REG", value: "docker.io" }, { key: "IMG", value: "${REG}/lib/alpine-$TARGETARCH" }, { key: "TAG" }, { key: "V", value: "1" }],
      { V: "2" },
      { targetPlatform: "linux/arm64" },
    );
    expect(scope.get("IMG")).toBe("docker.io/lib/alpine-arm64");
    expect(scope.has("TAG")).toBe(false);
    expect(scope.get("V")).toBe("2");
  });

  it("re-declaring a global ARG in a stage pulls its meta value", () => {
    const meta = new Map([["VERSION", "1.2"]]);
    expect(resolveStageArg({ key: "VERSION" }, new Map(), meta, {})).toBe("1.2");
    expect(resolveStageArg({ key: "VERSION" }, new Map(), meta, { VERSION: "9" })).toBe("9");
    expect(resolveStageArg({ key: "OTHER" }, new Map(), meta, {})).toBeUndefined();
    expect(resolveStageArg({ key: "X", value: "v$VERSION" }, new Map([["VERSION", "3"]]), meta, {})).toBe("v3");
  });
});
