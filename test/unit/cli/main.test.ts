import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { programNameFrom } from "../../../src/cli/main.js";
import { runCli } from "./cli-harness.js";

const packageVersion = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
}).version;
const VERSION_LINE = `slipway ${packageVersion} (follows werf v2.77)\n`;

describe("root help", () => {
  it.each([[[]], [["--help"]], [["-h"]]])("%j prints the command list on stdout and exits 0", async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Usage:\n  slipway [command] [options]\n");
    expect(result.stdout).toMatch(/^ {2}converge +Build and push images, then deploy the application into Kubernetes$/m);
    expect(result.stdout).toMatch(/^ {2}version +Print the slipway version and the werf version it follows$/m);
    expect(result.stdout).toMatch(/^ {2}help +Show help for a command$/m);
  });

  it("uses the werf name when invoked as werf", async () => {
    const result = await runCli(["--help"], {}, "/usr/local/bin/werf");
    expect(result.stdout).toContain("Usage:\n  werf [command] [options]\n");
    expect(result.stdout).toContain('Use "werf <command> --help" for more information about a command.');
  });
});

describe("version", () => {
  it("prints slipway's package version and the werf version it follows", async () => {
    expect(packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    const result = await runCli(["version"]);
    expect(result).toEqual({ code: 0, stdout: VERSION_LINE, stderr: "" });
  });

  it("works the same through the werf binary name", async () => {
    const result = await runCli(["version"], {}, "/builds/app/node_modules/.bin/werf");
    expect(result).toEqual({ code: 0, stdout: VERSION_LINE, stderr: "" });
  });

  it("is also available as --version", async () => {
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: VERSION_LINE, stderr: "" });
  });

  it("ignores extra positional arguments like werf, but rejects unknown flags", async () => {
    expect(await runCli(["version", "extra"])).toEqual({ code: 0, stdout: VERSION_LINE, stderr: "" });
    expect(await runCli(["version", "--short"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown flag: --short\n",
    });
  });

  it("has its own help", async () => {
    const result = await runCli(["version", "--help"], {}, "/usr/bin/werf");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage:\n  werf version\n");
    expect(result.stdout).toContain("  -h, --help=false\n");
  });
});

describe("program name", () => {
  it.each([
    ["/usr/local/lib/node_modules/slipway/bin/slipway.js", "slipway"],
    ["/builds/app/node_modules/.bin/werf", "werf"],
    ["werf.js", "werf"],
    ["/usr/bin/slipway", "slipway"],
    ["/somewhere/else/runner.mjs", "slipway"],
    [undefined, "slipway"],
  ])("%s → %s", (script, expected) => {
    expect(programNameFrom(script)).toBe(expected);
  });
});

describe("root errors", () => {
  it("rejects an unknown command like cobra", async () => {
    const result = await runCli(["bulid"], {}, "/usr/bin/werf");
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown command \"bulid\" for \"werf\"\nRun 'werf --help' for usage.\n",
    });
  });

  it("rejects an unknown flag before the command without dumping usage", async () => {
    expect(await runCli(["--skip-build", "converge"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown flag: --skip-build\n",
    });
    expect(await runCli(["--foo=1"])).toEqual({ code: 1, stdout: "", stderr: "Error: unknown flag: --foo\n" });
    expect(await runCli(["-x"])).toEqual({ code: 1, stdout: "", stderr: "Error: unknown shorthand flag: 'x' in -x\n" });
  });

  it("a command-line mistake is one line even when --debug asks for stacks", async () => {
    const result = await runCli(["version", "--debug"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("Error: unknown flag: --debug\n");
  });

  it("rejects a flag given to `help` with one error line, as cobra", async () => {
    expect(await runCli(["help", "--bogus"])).toEqual({ code: 1, stdout: "", stderr: "Error: unknown flag: --bogus\n" });
  });

  it("names a project directory that does not exist in one sentence (not Node's spawn error)", async () => {
    const result = await runCli(["converge", "--dir", "/nonexistent-slipway-dir"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error: project directory "/nonexistent-slipway-dir" does not exist\n');
  });

  it("shows command help through `help <command>`", async () => {
    const result = await runCli(["help", "converge"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Usage:\n  slipway converge [options]\n");
    const viaFlag = await runCli(["converge", "--help"]);
    expect(result.stdout).toBe(viaFlag.stdout);
  });
});
