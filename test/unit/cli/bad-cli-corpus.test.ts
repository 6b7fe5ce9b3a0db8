// A corpus of bad command lines across every command: each fails with exactly one `Error: ...` line on stderr,
// exit code 1 and no stack trace (also with $WERF_LOG_DEBUG=1: a command-line mistake never gets a stack).
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

const CASES: readonly (readonly [string, readonly string[], Record<string, string>, string])[] = [
  ["unknown flag", ["converge", "--bogus"], {}, "unknown flag: --bogus"],
  ["unknown shorthand", ["converge", "-X"], {}, "unknown shorthand flag: 'X' in -X"],
  ["missing value", ["converge", "--repo"], {}, "flag needs an argument: --repo"],
  ["bad int", ["converge", "--parallel-tasks-limit", "abc"], {}, 'invalid argument "abc" for "--parallel-tasks-limit" flag'],
  ["float for an int", ["converge", "-t", "1.5"], {}, 'invalid argument "1.5" for "-t, --timeout" flag'],
  ["bad duration", ["converge", "--kube-request-timeout", "5x"], {}, 'time: unknown unit "x" in duration "5x"'],
  ["bad bool", ["converge", "--dev=maybe"], {}, 'invalid argument "maybe" for "--dev" flag'],
  ["bad int variable", ["converge"], { WERF_TIMEOUT: "soon" }, 'bad WERF_TIMEOUT variable value "soon"'],
  ["unknown command", ["deploy"], {}, 'unknown command "deploy" for "slipway"'],
  ["unknown root flag", ["--bogus"], {}, "unknown flag: --bogus"],
  ["positional without the images switch", ["converge", "web"], {}, "converge accepts no positional arguments"],
  ["bad color mode", ["converge", "--log-color-mode", "rainbow"], {}, 'bad log color mode "rainbow": on, off and auto modes are supported'],
  ["negative width", ["converge", "--log-terminal-width", "-5"], {}, "--log-terminal-width parameter (-5) can not be negative"],
  ["bad report extension", ["converge", "--build-report-path", "r.yaml"], {}, 'invalid --build-report-path "r.yaml"'],
  ["bad deploy report extension", ["converge", "--deploy-report-path", "r.txt"], {}, 'invalid --deploy-report-path "r.txt"'],
  ["annotation without =", ["converge", "--add-annotation", "novalue"], {}, "invalid --add-annotation value"],
  ["build: unknown flag", ["build", "--skip-build"], {}, "unknown flag: --skip-build"],
  ["render: positional arguments", ["render", "a", "b"], {}, 'render accepts no positional arguments, got "a", "b"'],
  ["render: unknown flag", ["render", "--bogus"], {}, "unknown flag: --bogus"],
  ["helm template: three arguments", ["helm", "template", "a", "b", "c"], {}, "accepts at most 2 arg(s), received 3"],
  ["plan: bad bool", ["plan", "--exit-code=maybe"], {}, 'invalid argument "maybe" for "--exit-code" flag'],
  ["rollback: bad revision", ["rollback", "--revision", "x"], {}, 'invalid argument "x" for "--revision" flag'],
  ["dismiss: missing value", ["dismiss", "--namespace"], {}, "flag needs an argument: --namespace"],
  ["completion: unknown shell", ["completion", "powershell"], {}, "powershell"],
  ["ci-env: unknown CI system", ["ci-env", "jenkins"], {}, "jenkins"],
  ["helm: unknown subcommand", ["helm", "install"], {}, 'unknown command "install" for "slipway helm"'],
  ["helm history: missing release", ["helm", "history"], {}, "accepts 1 arg(s), received 0"],
  ["helm list: bad output", ["helm", "list", "-o", "xml"], {}, 'invalid argument "xml" for "-o, --output" flag'],
  ["version: unknown flag", ["version", "--bogus"], {}, "unknown flag: --bogus"],
  ["help: unknown flag", ["help", "--bogus"], {}, "unknown flag: --bogus"],
];

describe("bad command lines", () => {
  it("covers at least 20 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES)("%s: one Error line, exit 1, no stack", async (_name, args, env, message) => {
    for (const debug of [false, true]) {
      const r = await runCli(args, debug ? { ...env, WERF_LOG_DEBUG: "1" } : env);
      expect(r.code).toBe(1);
      // cobra's unknown-command error is followed by its usage hint, as werf prints it.
      const lines = r.stderr.split("\n").filter((l) => l !== "" && l !== "Run 'slipway --help' for usage.");
      expect(lines).toHaveLength(1);
      expect(r.stderr).toMatch(/^Error: .+\n/);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
