import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ciEnvLines } from "../../../src/cli/commands/ci-env.js";
import { runCli } from "./cli-harness.js";

const GITLAB = {
  CI_REGISTRY: "registry.lab.example",
  CI_REGISTRY_IMAGE: "registry.lab.example/group/chat",
  CI_ENVIRONMENT_SLUG: "production",
  CI_PROJECT_URL: "https://lab.example/group/chat",
  CI_COMMIT_SHA: "61368705db8652555bd96e68aadfd2ac423ba263",
  CI_PIPELINE_ID: "71340",
  CI_PIPELINE_URL: "https://lab.example/group/chat/-/pipelines/71340",
  CI_JOB_ID: "184071",
  CI_JOB_URL: "https://lab.example/group/chat/-/jobs/184071",
  CI_JOB_TOKEN: "job-token",
};

describe("ci-env lines (werf's format)", () => {
  it("gitlab: repo, env, annotations and log settings, empty values commented out", () => {
    const lines = ciEnvLines("gitlab", GITLAB, { dockerConfig: "/tmp/dc", shell: "", asEnvFile: false, verbose: false });
    expect(lines).toEqual([
      "# DOCKER CONFIG",
      'export DOCKER_CONFIG="/tmp/dc"',
      'export WERF_DOCKER_CONFIG="/tmp/dc"',
      "",
      "# REPO",
      'export WERF_REPO="registry.lab.example/group/chat"',
      'export WERF_REPO_CONTAINER_REGISTRY="gitlab"',
      "",
      "# DEPLOY",
      'export WERF_ENV="production"',
      '# export WERF_ADD_ANNOTATION_WERF_RELEASE_CHANNEL=""',
      'export WERF_ADD_ANNOTATION_PROJECT_GIT="project.werf.io/git=https://lab.example/group/chat"',
      'export WERF_ADD_ANNOTATION_CI_COMMIT="ci.werf.io/commit=61368705db8652555bd96e68aadfd2ac423ba263"',
      '# export WERF_ADD_ANNOTATION_CI_GIT_TAG=""',
      'export WERF_ADD_ANNOTATION_GITLAB_CI_PIPELINE_URL="gitlab.ci.werf.io/pipeline-url=https://lab.example/group/chat/-/pipelines/71340"',
      'export WERF_ADD_ANNOTATION_GITLAB_CI_JOB_URL="gitlab.ci.werf.io/job-url=https://lab.example/group/chat/-/jobs/184071"',
      "",
      "# OTHER",
      'export WERF_LOG_COLOR_MODE="on"',
      'export WERF_LOG_PROJECT_DIR="1"',
      'export WERF_ENABLE_PROCESS_EXTERMINATOR="1"',
      'export WERF_LOG_TERMINAL_WIDTH="130"',
    ]);
  });

  it("keeps what the job set (a skip comment), except DOCKER_CONFIG and annotations; .env and powershell forms", () => {
    const env = { ...GITLAB, WERF_ENV: "staging", WERF_REPO: "other.example/x", DOCKER_CONFIG: "/old" };
    const lines = ciEnvLines("gitlab", env, { dockerConfig: "/tmp/dc", shell: "", asEnvFile: true, verbose: false });
    expect(lines).toContain("DOCKER_CONFIG=/tmp/dc");
    expect(lines).toContain("# skip WERF_REPO= (other.example/x)");
    expect(lines).not.toContain("WERF_REPO_CONTAINER_REGISTRY=gitlab");
    expect(lines).toContain("# skip WERF_ENV=production (staging)");
    const ps = ciEnvLines("gitlab", GITLAB, { dockerConfig: "C:\\dc", shell: "powershell", asEnvFile: false, verbose: false });
    expect(ps).toContain('$Env:WERF_ENV = "production"');
  });

  it("github: ghcr.io repo of the project, run URL, the token for cleanup", () => {
    const env = { GITHUB_REPOSITORY: "Acme/Shop", GITHUB_SHA: "abc", GITHUB_RUN_ID: "42", GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v1.2.0", GITHUB_TOKEN: "t" };
    const lines = ciEnvLines("github", env, { dockerConfig: "/tmp/dc", shell: "", asEnvFile: false, verbose: false, githubProject: "shop" });
    expect(lines).toContain('export WERF_REPO="ghcr.io/acme/shop/shop"');
    expect(lines).toContain('export WERF_ADD_ANNOTATION_CI_GIT_TAG="ci.werf.io/tag=v1.2.0"');
    expect(lines).toContain('export WERF_ADD_ANNOTATION_GITHUB_ACTIONS_RUN_URL="github.ci.werf.io/workflow-run-url=https://github.com/Acme/Shop/actions/runs/42"');
    expect(lines).toContain('export WERF_REPO_GITHUB_TOKEN="t"');
  });
});

describe("slipway ci-env", () => {
  it("--as-file gives a script a shell sources; the session docker config holds the CI registry's credentials", async () => {
    const home = mkdtempSync(join(tmpdir(), "slipway-ci-env-home-"));
    const result = await runCli(["ci-env", "gitlab", "--as-file"], { ...GITLAB, HOME: home });
    expect(result.code).toBe(0);
    const file = result.stdout.trim();
    expect(file.startsWith(join(home, ".slipway", "tmp", "ci_env"))).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    const sourced = execFileSync("bash", ["-c", `. "${file}"; echo "$WERF_REPO|$WERF_ENV|$WERF_ADD_ANNOTATION_CI_COMMIT"; cat "$DOCKER_CONFIG/config.json"`], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } });
    const [vars, ...config] = sourced.split("\n");
    expect(vars).toBe("registry.lab.example/group/chat|production|ci.werf.io/commit=61368705db8652555bd96e68aadfd2ac423ba263");
    const auths = (JSON.parse(config.join("\n")) as { auths: Record<string, { auth: string }> }).auths;
    expect(Buffer.from(auths["registry.lab.example"]?.auth ?? "", "base64").toString()).toBe("gitlab-ci-token:job-token");
  });

  it("copies the job's docker config and writes -o files; rejects unknown systems and shells", async () => {
    const config = mkdtempSync(join(tmpdir(), "slipway-ci-env-dc-"));
    writeFileSync(join(config, "config.json"), JSON.stringify({ auths: { "other.example": { auth: "eDp5" } } }));
    // The Docker CLI's runtime state is not copied (a socket there would fail the copy).
    mkdirSync(join(config, "run"));
    writeFileSync(join(config, "run", "state"), "x");
    const out = join(mkdtempSync(join(tmpdir(), "slipway-ci-env-out-")), "env");
    const result = await runCli(["ci-env", "gitlab", "--as-env-file", "-o", out, "--docker-config", config], GITLAB);
    expect(result).toMatchObject({ code: 0, stdout: "" });
    const dir = /^DOCKER_CONFIG=(.*)$/m.exec(readFileSync(out, "utf8"))?.[1] ?? "";
    expect(Object.keys((JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { auths: object }).auths).sort()).toEqual(["other.example", "registry.lab.example"]);
    expect(existsSync(join(dir, "run"))).toBe(false);
    expect(await runCli(["ci-env", "jenkins"])).toMatchObject({ code: 1, stderr: 'Error: provided ci system "jenkins" not supported\n' });
    expect(await runCli(["ci-env", "gitlab", "--shell", "fish"])).toMatchObject({ code: 1, stderr: 'Error: provided shell "fish" not supported\n' });
  });
});
