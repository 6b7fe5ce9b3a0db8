import { describe, expect, it } from "vitest";
import { EXIT_FAILURE, exitCodeFor, exitCodeForSignal } from "../../../src/cli/exit.js";
import {
  InterruptedError,
  MultiError,
  SlipwayError,
  describeChain,
  formatError,
  formatLocation,
} from "../../../src/errors.js";

describe("SlipwayError", () => {
  it("carries a code, an optional cause and an optional location", () => {
    const cause = new Error("disk full");
    const err = new SlipwayError("write build report", { code: "build", cause, location: { file: "werf.yaml", line: 3 } });
    expect(err.code).toBe("build");
    expect(err.cause).toBe(cause);
    expect(err.location).toEqual({ file: "werf.yaml", line: 3 });
    expect(err).toBeInstanceOf(Error);
    expect(new SlipwayError("x").code).toBe("generic");
    expect("cause" in new SlipwayError("x")).toBe(false);
  });
});

describe("formatError", () => {
  it("prints one Error: line with the cause chain joined by ': '", () => {
    const err = new SlipwayError("unable to load werf config", {
      code: "config",
      cause: new SlipwayError("unable to render werf config", {
        cause: new Error('the file "werf.yaml" must be committed'),
      }),
    });
    expect(formatError(err)).toBe(
      'Error: unable to load werf config: unable to render werf config: the file "werf.yaml" must be committed\n',
    );
  });

  it("does not repeat a cause the wrapper already spelled out", () => {
    const cause = new Error("connection refused");
    const err = new SlipwayError(`release install: ${cause.message}`, { cause });
    expect(formatError(err)).toBe("Error: release install: connection refused\n");
  });

  it("leaves Node's error code text out under a message of ours, and keeps it for --log-debug", () => {
    const cause = Object.assign(new Error("ENOENT: no such file or directory, stat '/nonexistent'"), { code: "ENOENT", syscall: "stat", path: "/nonexistent" });
    const err = new SlipwayError('path "/nonexistent" not found', { cause });
    expect(formatError(err)).toBe('Error: path "/nonexistent" not found\n');
    expect(formatError(err, { debug: true })).toContain("Caused by: Error: ENOENT: no such file or directory");
    // Under a message that does not name its file or address, the Node text is the information and stays.
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:2375"), { code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1" });
    expect(formatError(new SlipwayError('image "app"', { cause: refused }))).toBe('Error: image "app": connect ECONNREFUSED 127.0.0.1:2375\n');
    // Alone, it is all there is to say.
    expect(formatError(cause)).toBe("Error: ENOENT: no such file or directory, stat '/nonexistent'\n");
  });

  it("names the file, line and key in the one-line message, and adds stacks only in debug mode", () => {
    const err = new SlipwayError("unable to load werf config", {
      cause: new SlipwayError('image "base" not found!', {
        code: "config",
        location: { file: "werf.yaml", line: 7, column: 3, key: 'image "app": dependencies' },
      }),
    });
    const line = 'Error: unable to load werf config: werf.yaml:7:3 (key: image "app": dependencies): image "base" not found!\n';
    expect(formatError(err)).toBe(line);
    expect(formatError(err).split("\n").filter(Boolean)).toHaveLength(1);
    const debug = formatError(err, { debug: true });
    expect(debug.startsWith(`${line}\n`)).toBe(true);
    expect(debug).toContain("SlipwayError: unable to load werf config");
    expect(debug).toContain("Caused by: SlipwayError: image \"base\" not found!");
    expect(formatLocation({ key: "deploy.namespace" })).toBe("key: deploy.namespace");
    expect(formatLocation({ file: "a.yaml", column: 4 })).toBe("a.yaml");
    expect(formatLocation({ file: "a.yaml", line: 2 })).toBe("a.yaml:2");
    expect(formatLocation({})).toBe("");
  });

  it("handles thrown non-errors", () => {
    expect(formatError("boom")).toBe("Error: boom\n");
    expect(formatError({ reason: 1 })).toBe('Error: {"reason":1}\n');
    expect(formatError(new Error(""))).toBe("Error: Error\n");
  });

  it("adds stack traces, cause by cause, only in debug mode", () => {
    const err = new SlipwayError("outer", { cause: new TypeError("inner") });
    expect(formatError(err, { debug: false })).toBe("Error: outer: inner\n");
    const debug = formatError(err, { debug: true });
    expect(debug.startsWith("Error: outer: inner\n\nSlipwayError: outer\n")).toBe(true);
    expect(debug).toContain("\nCaused by: TypeError: inner\n");
    expect(debug).toMatch(/\n +at /);
  });

  it("survives cyclic causes", () => {
    const a = new SlipwayError("a");
    const b = new SlipwayError("b", { cause: a });
    Object.defineProperty(a, "cause", { value: b });
    expect(describeChain(b)).toEqual(["b", "a"]);
    expect(formatError(b, { debug: true })).toContain("Error: b: a\n");
  });
});

describe("MultiError", () => {
  it("lists every error with its chain", () => {
    const err = new MultiError(
      [new SlipwayError("bad weight", { cause: new Error('"abc" is not an integer') }), new Error("duplicate resource")],
      { code: "deploy" },
    );
    expect(err.code).toBe("deploy");
    expect(err.errors).toHaveLength(2);
    expect(formatError(err)).toBe(
      'Error: 2 errors occurred:\n  * bad weight: "abc" is not an integer\n  * duplicate resource\n',
    );
    expect(new MultiError([new Error("one")]).message).toBe("1 error occurred:\n  * one");
  });
});

describe("exit codes", () => {
  it("are 1 for any error", () => {
    expect(exitCodeFor(new SlipwayError("x"))).toBe(EXIT_FAILURE);
    expect(exitCodeFor(new TypeError("bug"))).toBe(1);
    expect(exitCodeFor("string")).toBe(1);
  });

  it("are 128 + the signal number when interrupted", () => {
    expect(exitCodeFor(new InterruptedError("SIGINT"))).toBe(130);
    expect(exitCodeFor(new InterruptedError("SIGTERM"))).toBe(143);
    expect(exitCodeForSignal("SIGHUP")).toBe(129);
    expect(exitCodeForSignal("SIGQUIT")).toBe(131);
    expect(exitCodeForSignal("SIGUSR2")).toBe(1);
    expect(new InterruptedError("SIGINT")).toMatchObject({ code: "interrupted", message: "interrupted by SIGINT" });
  });
});
