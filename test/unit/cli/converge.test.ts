import { describe, expect, it } from "vitest";
import { CONVERGE_FLAGS } from "../../../src/cli/options.js";
import { runCli } from "./cli-harness.js";

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A directory outside any Git work tree: converge gets past option parsing and stops at werf's first check.
const NO_GIT = mkdtempSync(join(tmpdir(), "slipway-no-git-"));
const NO_GIT_ERROR = `Error: werf requires a git work tree for the project to exist: unable to find a valid .git in the current directory ${JSON.stringify(NO_GIT)} or parent directories, you may also specify git work tree explicitly with --git-work-tree option (or WERF_GIT_WORK_TREE env var)\n`;

function reachedPipeline(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(NO_GIT_ERROR);
  expect(result.stdout).toMatch(/^Version: slipway .* \(follows werf v2\.77\)\n/);
  expect(result.stdout).toMatch(/\nRunning time \d+\.\d\d seconds\n$/);
}

describe("converge --help", () => {
  it("lists the flags with their defaults and variables", async () => {
    const result = await runCli(["converge", "--help"], {}, "/usr/bin/werf");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const help = result.stdout;
    expect(help).toContain("Usage:\n  werf converge [options]\n");
    expect(help).toContain("werf converge --repo registry.mydomain.com/web --env production");
    expect(help).toContain("      --repo=''\n");
    expect(help).toMatch(/--repo=''\n.*\n +Env: \$WERF_REPO\n/);
    expect(help).toContain("  -Z, --require-built-images=false\n");
    expect(help).toContain("  -t, --timeout=0\n");
    expect(help).toContain("  -p, --parallel=true\n");
    expect(help).toContain("      --plan-lifetime=2h0m0s\n");
    expect(help).toMatch(/--docker-config=''\n.*\n.*Env: \$WERF_DOCKER_CONFIG, then \$DOCKER_CONFIG/);
    expect(help).toContain("Env: $WERF_VALUES_*, placed before the flag values");
    expect(help.replace(/\s+/g, " ")).toContain(
      "Env: $WERF_SET_* (except $WERF_SET_STRING_*, $WERF_SET_FILE_*, $WERF_SET_DOCKER_CONFIG_JSON_VALUE)",
    );
    expect(help.replace(/\s+/g, " ")).toContain("Env: $WERF_TMP_DIR (the variable overrides the flag)");
  });

  it("lists every visible flag and no hidden one", async () => {
    const { stdout } = await runCli(["converge", "--help"]);
    for (const spec of CONVERGE_FLAGS) {
      const line = new RegExp(`^ {2}(-${"short" in spec ? spec.short : "x"}, | {4})--${spec.name}=`, "m");
      if ("hidden" in spec && spec.hidden) {
        expect(stdout).not.toMatch(line);
      } else {
        expect(stdout).toMatch(line);
      }
    }
    for (const hiddenAlias of ["debug", "quiet", "verbose", "docker-server-storage-path", "allowed-docker-storage-volume-usage"]) {
      expect(stdout).not.toContain(`--${hiddenAlias}=`);
    }
  });

  it("answers -h the same way, and help beats positional arguments", async () => {
    const long = await runCli(["converge", "--help"]);
    expect(await runCli(["converge", "-h"])).toEqual(long);
    expect(await runCli(["converge", "myimage", "--help"])).toEqual(long);
  });

  it("still reports a flag error given together with --help, like cobra", async () => {
    expect(await runCli(["converge", "--help", "--skip-build"])).toEqual({
      code: 1,
      stdout: "",
      stderr: "Error: unknown flag: --skip-build\n",
    });
  });

  it("shows help even when a WERF_* int variable is malformed", async () => {
    const result = await runCli(["converge", "--help"], { WERF_TIMEOUT: "abc" });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
  });
});

describe("converge command-line errors", () => {
  it.each([
    [["--skip-build"], "unknown flag: --skip-build"],
    [["--repo", "r", "--skip-build=true"], "unknown flag: --skip-build"],
    [["-x"], "unknown shorthand flag: 'x' in -x"],
    [["-Zx"], "unknown shorthand flag: 'x' in -x"],
    [["--repo"], "flag needs an argument: --repo"],
    [["-t"], "flag needs an argument: 't' in -t"],
    [["---repo"], "bad flag syntax: ---repo"],
    [["--timeout=abc"], 'invalid argument "abc" for "-t, --timeout" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [["--dev=maybe"], 'invalid argument "maybe" for "--dev" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [["--debug=yes"], 'invalid argument "yes" for "--debug" flag: strconv.ParseBool: parsing "yes": invalid syntax'],
    [
      ["--plan-lifetime=2"],
      'invalid argument "2" for "--plan-lifetime" flag: time: missing unit in duration "2"',
    ],
  ])("%j → %s, exit 1, no usage dump", async (args, message) => {
    expect(await runCli(["converge", ...args])).toEqual({ code: 1, stdout: "", stderr: `Error: ${message}\n` });
  });

  it("rejects positional arguments", async () => {
    expect(await runCli(["converge", "backend"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: converge accepts no positional arguments, got "backend"; image names are accepted only with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1\n',
    });
  });

  it("treats arguments after -- as positional, as pflag does", async () => {
    const result = await runCli(["converge", "--", "--dev"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('got "--dev"');
  });

  it("accepts image names with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1 (and then reaches the pipeline)", async () => {
    const result = await runCli(["converge", "--dir", NO_GIT, "backend", "frontend"], { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "1" });
    reachedPipeline(result);
  });

  it("reports a malformed WERF_* int variable clearly instead of crashing", async () => {
    expect(await runCli(["converge"], { WERF_TIMEOUT: "10m" })).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error: bad WERF_TIMEOUT variable value "10m": strconv.ParseInt: parsing "10m": invalid syntax\n',
    });
  });

  it("prints the help before a bad logging option, as werf does", async () => {
    const result = await runCli(["converge", "--log-color-mode=always"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("Usage:\n  slipway converge [options]\n");
    expect(result.stderr).toBe('Error: bad log color mode "always": on, off and auto modes are supported\n');
  });

  it("reports other invalid values without help", async () => {
    expect(await runCli(["converge", "--build-report-path=report.yaml"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        'Error: invalid --build-report-path "report.yaml": extension must be either .json or .env or unspecified\n',
    });
  });
});

describe("converge reaching the pipeline", () => {
  it("fails with werf's message outside a Git work tree, exit 1, one error line", async () => {
    const result = await runCli(["converge", "--dir", NO_GIT, "--repo", "registry.example.com/app", "--env", "production"]);
    reachedPipeline(result);
  });

  it("fails the same way when configured only through WERF_* variables", async () => {
    const result = await runCli(["converge"], {
      WERF_DIR: NO_GIT,
      WERF_REPO: "registry.example.com/app",
      WERF_ENV: "production",
      WERF_SET_IMAGE_TAG: "image.tag=1",
      WERF_ADD_ANNOTATION_CI: "ci.werf.io/commit=abc",
      WERF_LOG_COLOR_MODE: "on",
      WERF_LOG_TERMINAL_WIDTH: "130",
    });
    reachedPipeline(result);
  });

  it.each([
    [["--log-debug"], {}],
    [["--debug"], {}],
    [[], { WERF_LOG_DEBUG: "1" }],
    [[], { WERF_DEBUG: "yes" }],
  ])("adds stack traces in debug mode (%j %j)", async (args, env) => {
    const result = await runCli(["converge", "--dir", NO_GIT, ...args], env);
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(NO_GIT_ERROR)).toBe(true);
    expect(result.stderr).toContain("SlipwayError: werf requires a git work tree");
    expect(result.stderr).toMatch(/\n +at /);
  });

  it("keeps stack traces out without debug (WERF_LOG_DEBUG=TRUE is not true for werf)", async () => {
    reachedPipeline(await runCli(["converge", "--dir", NO_GIT], { WERF_LOG_DEBUG: "TRUE" }));
    reachedPipeline(await runCli(["converge", "--dir", NO_GIT, "--log-debug=false"], { WERF_LOG_DEBUG: "1" }));
  });
});

describe("flags accepted for werf compatibility but not implemented", () => {
  it("one warning names those the command line or the environment set; none otherwise", async () => {
    const given = await runCli(["converge", "--dir", NO_GIT, "--follow", "--use-plan", "plan.json"], { WERF_SECONDARY_REPO_A: "registry.example/cache" });
    expect(given.stderr).toBe(`Warning: slipway accepts --follow, --secondary-repo, --use-plan for werf compatibility but does not implement them: no effect\n${NO_GIT_ERROR}`);
    const one = await runCli(["converge", "--dir", NO_GIT], { WERF_VIRTUAL_MERGE: "1" });
    expect(one.stderr).toBe(`Warning: slipway accepts --virtual-merge for werf compatibility but does not implement it: no effect\n${NO_GIT_ERROR}`);
    const none = await runCli(["converge", "--dir", NO_GIT, "--timeout", "30"]);
    reachedPipeline(none);
  });

  it("every accepted-only flag is a real flag of the table", () => {
    const acceptedOnly = CONVERGE_FLAGS.filter((f) => "acceptedOnly" in f && f.acceptedOnly === true).map((f) => f.name);
    expect(acceptedOnly).toContain("follow");
    expect(acceptedOnly).not.toContain("timeout");
    expect(acceptedOnly.length).toBeGreaterThan(30);
  });
});

describe("help of the commands that take converge's flags", () => {
  it("build's help is its own, not converge's with the word replaced", async () => {
    const result = await runCli(["build", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Build images that are missing in the repo and push them\n\nUsage:\n {2}slipway build \[options\]\n/);
    expect(result.stdout).not.toContain("deploy the application");
    const plan = await runCli(["plan", "--help"]);
    expect(plan.stdout).toMatch(/^Show what converge would change in the cluster, without changing anything\n\nUsage:\n {2}slipway plan \[options\]\n/);
    expect(plan.stdout).toContain("plan flags:\n");
  });
});

describe("--platform", () => {
  it("a second platform, as a second flag or in a list, reaches the multi-platform error (nothing is built)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-platforms-"));
    writeFileSync(join(dir, "werf.yaml"), "project: plat\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n");
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    for (const args of [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "t"]]) {
      execFileSync("git", args, { cwd: dir, stdio: "ignore" });
    }
    const expected = 'Error: image "app": --platform: multi-platform builds are not supported yet (platforms linux/amd64, linux/arm64)\n';
    // An unreachable registry: the error must come before any registry or engine request.
    const base = ["build", "--dir", dir, "--repo", "127.0.0.1:1/plat"];
    expect((await runCli([...base, "--platform", "linux/amd64", "--platform", "linux/arm64"])).stderr).toBe(expected);
    expect((await runCli([...base, "--platform", "linux/amd64,linux/arm64"])).stderr).toBe(expected);
  });
});
