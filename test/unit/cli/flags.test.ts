import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../../src/errors.js";
import { envBool, envValuesByPrefix, parseFlags, renderFlagsHelp } from "../../../src/cli/flags.js";
import type { FlagSpec } from "../../../src/cli/flags.js";

interface Demo {
  name: string;
  cache: string;
  verbose: boolean;
  color: boolean;
  count: number;
  wait: number;
  items: string[];
  tags: Record<string, string>;
}

const SPECS: readonly FlagSpec<Demo>[] = [
  { kind: "string", name: "name", short: "n", key: "name", default: "anon", env: ["DEMO_NAME", "DEMO_NAME_FALLBACK"], description: "Name" },
  { kind: "string", name: "cache", key: "cache", default: "", env: ["DEMO_CACHE"], envOverridesFlag: true, description: "Cache dir" },
  { kind: "bool", name: "verbose", short: "v", key: "verbose", default: false, env: ["DEMO_VERBOSE"], aliases: [{ name: "loud", hidden: true }], description: "Verbose" },
  { kind: "bool", name: "color", short: "c", key: "color", default: true, env: ["DEMO_COLOR"], description: "Colour" },
  { kind: "int", name: "count", short: "k", key: "count", default: 3, env: ["DEMO_COUNT"], description: "Count" },
  { kind: "duration", name: "wait", key: "wait", default: 1000, description: "Wait" },
  { kind: "string-array", name: "item", key: "items", default: [], envPrefix: "DEMO_ITEM_", envPrefixExcept: ["DEMO_ITEM_SKIP"], description: "Item" },
  { kind: "key-value", name: "tag", key: "tags", default: { base: "1" }, description: "Tags" },
];

function values(args: readonly string[], env: Record<string, string> = {}): Demo {
  return parseFlags(SPECS, args, env).values as unknown as Demo;
}

describe("parseFlags", () => {
  it("fills every key with its default", () => {
    expect(values([])).toEqual({ name: "anon", cache: "", verbose: false, color: true, count: 3, wait: 1000, items: [], tags: { base: "1" } });
  });

  it("records which keys the command line set", () => {
    const parsed = parseFlags(SPECS, ["-v", "--item=a", "pos", "--", "-n"], {});
    expect([...parsed.changed].sort()).toEqual(["items", "verbose"]);
    expect(parsed.positionals).toEqual(["pos", "-n"]);
    expect(parsed.help).toBe(false);
  });

  it("treats a lone - as a positional argument", () => {
    expect(parseFlags(SPECS, ["-"], {}).positionals).toEqual(["-"]);
  });

  it("uses the first non-empty variable of the chain", () => {
    expect(values([], { DEMO_NAME: "", DEMO_NAME_FALLBACK: "fb" }).name).toBe("fb");
  });

  it("lets the variable beat the flag only for envOverridesFlag", () => {
    expect(values(["--cache=/flag", "--name=flag"], { DEMO_CACHE: "/env", DEMO_NAME: "env" })).toMatchObject({ cache: "/env", name: "flag" });
  });

  it("handles aliases, grouped shorthands and shorthand values", () => {
    expect(values(["--loud"]).verbose).toBe(true);
    expect(values(["-vc=false"])).toMatchObject({ verbose: true, color: false });
    expect(values(["-vk9"])).toMatchObject({ verbose: true, count: 9 });
    expect(values(["-nfoo"]).name).toBe("foo");
    expect(values(["-n", "-v"])).toMatchObject({ name: "-v", verbose: false });
  });

  it("names the alias that was used in value errors", () => {
    expect(() => values(["--loud=maybe"])).toThrow('invalid argument "maybe" for "--loud" flag');
    expect(() => values(["-k", "x"])).toThrow('invalid argument "x" for "-k, --count" flag');
  });

  it("replaces the default of arrays and maps with the first flag, then accumulates", () => {
    expect(values(["--item=a", "--item", "b"]).items).toEqual(["a", "b"]);
    expect(values(["--tag=x=1", "--tag", "y=2"]).tags).toEqual({ x: "1", y: "2" });
  });

  it("prepends prefixed variables, honouring the exceptions", () => {
    expect(values(["--item=cli"], { DEMO_ITEM_B: "b", DEMO_ITEM_A: "a", DEMO_ITEM_SKIP_ME: "no" }).items).toEqual(["a", "b", "cli"]);
  });

  it("fails on usage errors with code usage", () => {
    let caught: unknown;
    try {
      values(["--nope"]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SlipwayError);
    expect((caught as SlipwayError).code).toBe("usage");
    expect((caught as SlipwayError).message).toBe("unknown flag: --nope");
    expect(() => values(["--=x"])).toThrow("bad flag syntax: --=x");
  });

  it("defers malformed variables until help is ruled out", () => {
    expect(parseFlags(SPECS, ["--help"], { DEMO_COUNT: "many" }).help).toBe(true);
    expect(() => values([], { DEMO_COUNT: "many" })).toThrow('bad DEMO_COUNT variable value "many"');
  });
});

describe("env helpers", () => {
  it("envBool follows werf's two rules", () => {
    expect(["1", "true", "yes", "TRUE", "on"].map((v) => envBool(v, "truthy"))).toEqual([true, true, true, false, false]);
    expect(["0", "false", "no", "FALSE", "off"].map((v) => envBool(v, "not-falsy"))).toEqual([false, false, false, true, true]);
  });

  it("envValuesByPrefix sorts by the whole KEY=VALUE string and keeps empty values", () => {
    expect(envValuesByPrefix({ P_B: "2", P_A: "", P_A1: "x", OTHER: "o", P_U: undefined }, "P_")).toEqual(["x", "", "2"]);
  });
});

describe("renderFlagsHelp", () => {
  it("lists visible names sorted, with shorthand, default and variables", () => {
    const help = renderFlagsHelp(SPECS, "demo");
    const heads = help.split("\n").filter((line) => /^ {2}(-|\s)/.test(line) && line.includes("--"));
    expect(heads).toEqual([
      "      --cache=''",
      "  -c, --color=true",
      "  -k, --count=3",
      "  -h, --help=false",
      "      --item=[]",
      "  -n, --name='anon'",
      "      --tag={base=1}",
      "  -v, --verbose=false",
      "      --wait=1s",
    ]);
    expect(help).toContain("Env: $DEMO_NAME, then $DEMO_NAME_FALLBACK\n");
    expect(help).toContain("Env: $DEMO_CACHE (the variable overrides the flag)\n");
    expect(help).toContain("Env: $DEMO_ITEM_* (except $DEMO_ITEM_SKIP), placed before the flag values\n");
    expect(help).not.toContain("--loud");
  });
});
