// `ci-env gitlab|github`: werf's CI integration. Prints the WERF_* (and DOCKER_CONFIG) exports a CI job sources
// before `werf converge` — `. $(slipway ci-env gitlab --as-file)` — with werf's lines, order and rules: a variable the
// job already set is kept (written as a `# skip` comment), except DOCKER_CONFIG and the annotations; an empty value is
// written commented out. The session docker config is a copy of the job's (`--docker-config`, else ~/.docker) with
// the CI registry's credentials added, as werf's `docker login` leaves it (slipway does not check them against the
// registry).
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import process from "node:process";
import { plainProjectName } from "../../config/project-name.js";
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { parseFlagsOrHelp, renderCommandHelp, renderFlagsHelp, type Env, type FlagSpec } from "../flags.js";

export const CI_ENV_SUMMARY = "Generate werf environment variables for a CI system (gitlab, github)";

interface CiEnvFlags {
  asFile: boolean;
  asEnvFile: boolean;
  outputFilePath: string;
  shell: string;
  loginToRegistry: boolean;
  dockerConfig: string;
  dir: string;
  logVerbose: boolean;
}

export const CI_ENV_FLAGS: readonly FlagSpec<CiEnvFlags>[] = [
  { kind: "bool", name: "as-file", key: "asFile", default: false, env: ["WERF_AS_FILE"], description: "Create the script and print the path for sourcing" },
  { kind: "bool", name: "as-env-file", key: "asEnvFile", default: false, env: ["WERF_AS_ENV_FILE"], description: "Create the .env file and print the path for sourcing" },
  { kind: "string", name: "output-file-path", short: "o", key: "outputFilePath", default: "", env: ["WERF_OUTPUT_FILE_PATH"], description: "Write to this file (with --as-file or --as-env-file)" },
  { kind: "string", name: "shell", key: "shell", default: "", env: ["WERF_SHELL"], description: "cmdexe, powershell, or the default, compatible with any unix shell" },
  { kind: "bool", name: "login-to-registry", key: "loginToRegistry", default: true, env: ["WERF_LOGIN_TO_REGISTRY"], description: "Add the CI registry's credentials to the session docker config" },
  { kind: "string", name: "docker-config", key: "dockerConfig", default: "", env: ["WERF_DOCKER_CONFIG", "DOCKER_CONFIG"], description: "Docker config directory copied into the session config (default: ~/.docker)" },
  { kind: "string", name: "dir", key: "dir", default: "", env: ["WERF_DIR"], description: "Project directory holding werf.yaml (github: the project name for WERF_REPO)" },
  { kind: "bool", name: "log-verbose", key: "logVerbose", default: false, env: ["WERF_LOG_VERBOSE"], description: "Also echo every line when the script is sourced" },
];

export function ciEnvHelp(programName: string): string {
  return renderCommandHelp({
    summary: CI_ENV_SUMMARY,
    usage: `${programName} ci-env CI_SYSTEM [options]`,
    examples: ["# Load the generated variables in a GitLab job", `. $(${programName} ci-env gitlab --as-file)`].join("\n"),
    flags: renderFlagsHelp(CI_ENV_FLAGS, "ci-env"),
  });
}

/** The lines werf's ci-env writes; `env` is the CI job's environment. Pure but for the werf.yaml read (github). */
export function ciEnvLines(system: "gitlab" | "github", env: Env, o: { dockerConfig: string; shell: string; asEnvFile: boolean; verbose: boolean; githubProject?: string | undefined }): string[] {
  const out: string[] = [];
  const comment = (text: string): string => `${!o.asEnvFile && o.shell === "cmdexe" ? "::" : "#"} ${text}`;
  // werf's own format table names "cmd.exe", which --shell never is: cmdexe gets the default export lines.
  const line = (key: string, value: string): string => (o.asEnvFile ? `${key}=${value}` : o.shell === "powershell" ? `$Env:${key} = "${value}"` : `export ${key}="${value}"`);
  const echo = (text: string): void => {
    if (o.verbose && !o.asEnvFile) out.push(`echo '${text}'`);
  };
  const header = (name: string, blank: boolean): void => {
    if (blank) out.push("");
    out.push(comment(name));
    if (o.verbose && blank) echo("");
    echo(comment(name));
  };
  const write = (key: string, value: string, override: boolean): void => {
    const current = env[key] ?? "";
    if (!override && current !== "") {
      const skip = comment(`skip ${line(key, value)} (${current})`);
      out.push(skip);
      echo(skip);
      return;
    }
    const text = value === "" ? comment(line(key, value)) : line(key, value);
    out.push(text);
    echo(text);
  };
  const annotation = (key: string, prefix: string, value: string | undefined): void => write(key, value === undefined ? "" : `${prefix}=${value}`, true);
  const get = (name: string): string => env[name] ?? "";
  const channel = get("TRDL_USE_WERF_GROUP_CHANNEL") === "" ? undefined : get("TRDL_USE_WERF_GROUP_CHANNEL");

  header("DOCKER CONFIG", false);
  write("DOCKER_CONFIG", o.dockerConfig, true);
  write("WERF_DOCKER_CONFIG", o.dockerConfig, true);
  if (system === "gitlab") {
    const registryImage = get("CI_REGISTRY_IMAGE");
    const werfRepo = get("WERF_REPO");
    header("REPO", true);
    write("WERF_REPO", registryImage !== "" && werfRepo === "" ? registryImage : "", false);
    if (registryImage !== "" && (werfRepo === "" || werfRepo.startsWith(get("CI_REGISTRY")))) write("WERF_REPO_CONTAINER_REGISTRY", "gitlab", false);
    header("DEPLOY", true);
    write("WERF_ENV", get("CI_ENVIRONMENT_SLUG"), false);
    annotation("WERF_ADD_ANNOTATION_WERF_RELEASE_CHANNEL", "werf.io/release-channel", channel);
    const url = get("CI_PROJECT_URL");
    annotation("WERF_ADD_ANNOTATION_PROJECT_GIT", "project.werf.io/git", url === "" ? undefined : url);
    annotation("WERF_ADD_ANNOTATION_CI_COMMIT", "ci.werf.io/commit", get("CI_COMMIT_SHA") === "" ? undefined : get("CI_COMMIT_SHA"));
    annotation("WERF_ADD_ANNOTATION_CI_GIT_TAG", "ci.werf.io/tag", get("CI_COMMIT_TAG") === "" ? undefined : get("CI_COMMIT_TAG"));
    annotation("WERF_ADD_ANNOTATION_GITLAB_CI_PIPELINE_URL", "gitlab.ci.werf.io/pipeline-url", get("CI_PIPELINE_URL") === "" ? undefined : get("CI_PIPELINE_URL"));
    annotation("WERF_ADD_ANNOTATION_GITLAB_CI_JOB_URL", "gitlab.ci.werf.io/job-url", get("CI_JOB_URL") === "" ? undefined : get("CI_JOB_URL"));
    header("OTHER", true);
    write("WERF_LOG_COLOR_MODE", gitlabColorMode(get("CI_SERVER_VERSION")), false);
  } else {
    const repository = get("GITHUB_REPOSITORY");
    header("REPO", true);
    write("WERF_REPO", repository !== "" && o.githubProject !== undefined ? `ghcr.io/${repository.toLowerCase()}/${o.githubProject}` : "", false);
    header("DEPLOY", true);
    annotation("WERF_ADD_ANNOTATION_WERF_RELEASE_CHANNEL", "werf.io/release-channel", channel);
    annotation("WERF_ADD_ANNOTATION_PROJECT_GIT", "project.werf.io/git", repository === "" ? undefined : `https://github.com/${repository}`);
    annotation("WERF_ADD_ANNOTATION_CI_COMMIT", "ci.werf.io/commit", get("GITHUB_SHA") === "" ? undefined : get("GITHUB_SHA"));
    annotation("WERF_ADD_ANNOTATION_CI_GIT_TAG", "ci.werf.io/tag", get("GITHUB_REF_TYPE") === "tag" && get("GITHUB_REF_NAME") !== "" ? get("GITHUB_REF_NAME") : undefined);
    const runUrl = repository !== "" && get("GITHUB_RUN_ID") !== "" ? `https://github.com/${repository}/actions/runs/${get("GITHUB_RUN_ID")}` : undefined;
    annotation("WERF_ADD_ANNOTATION_GITHUB_ACTIONS_RUN_URL", "github.ci.werf.io/workflow-run-url", runUrl);
    header("CLEANUP", true);
    write("WERF_REPO_GITHUB_TOKEN", get("GITHUB_TOKEN"), false);
    header("OTHER", true);
    write("WERF_LOG_COLOR_MODE", "on", false);
  }
  write("WERF_LOG_PROJECT_DIR", "1", false);
  write("WERF_ENABLE_PROCESS_EXTERMINATOR", "1", false);
  write("WERF_LOG_TERMINAL_WIDTH", "130", false);
  return out;
}

/** GitLab 12.1.4 to 12.1.x could not show colours in job logs. */
function gitlabColorMode(version: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (m === null) return "on";
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return major === 12 && minor === 1 && patch > 3 ? "off" : "on";
}

/** The caller's own directory for ci-env's files (werf keeps them under ~/.werf/service/tmp/ci_env). */
function serviceDir(env: Env): string {
  const dir = join(env["HOME"] ?? homedir(), ".slipway", "tmp", "ci_env");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** A copy of the job's docker config with the CI registry's credentials added. */
function sessionDockerConfig(system: "gitlab" | "github", env: Env, o: CiEnvFlags): string {
  const source = o.dockerConfig !== "" ? o.dockerConfig : join(env["HOME"] ?? homedir(), ".docker");
  const dir = mkdtempSync(join(serviceDir(env), "docker-config-"));
  // As werf: the Docker CLI's runtime state (sockets, buildx, plugins, ...) is not configuration.
  const skipped = new Set(["run", "buildx", "cli-plugins", "machine", "desktop", "mutagen", "scout"]);
  if (existsSync(source)) {
    cpSync(source, dir, {
      recursive: true,
      filter: (from) => {
        const rel = relative(source, from);
        if (rel !== "" && skipped.has(rel.split(sep)[0] ?? "")) return false;
        const st = lstatSync(from);
        return st.isDirectory() || st.isFile() || st.isSymbolicLink();
      },
    });
  }
  const login = (): { registry: string; username: string; password: string } | undefined => {
    if (system === "gitlab") {
      const image = env["CI_REGISTRY_IMAGE"] ?? "";
      const token = env["CI_JOB_TOKEN"] ?? "";
      return image !== "" && token !== "" ? { registry: image.split("/")[0] ?? image, username: "gitlab-ci-token", password: token } : undefined;
    }
    const actor = env["GITHUB_ACTOR"] ?? "";
    const token = env["GITHUB_TOKEN"] ?? "";
    return actor !== "" && token !== "" ? { registry: "ghcr.io", username: actor, password: token } : undefined;
  };
  const credentials = o.loginToRegistry ? login() : undefined;
  if (credentials !== undefined) {
    const file = join(dir, "config.json");
    let config: { auths?: Record<string, unknown> } & Record<string, unknown> = {};
    if (existsSync(file)) {
      try {
        config = JSON.parse(readFileSync(file, "utf8")) as typeof config;
      } catch (err) {
        throw new SlipwayError(`docker config ${file}: ${(err as Error).message}`, { code: "config" });
      }
    }
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
    config.auths = { ...config.auths, [credentials.registry]: { auth } };
    writeFileSync(file, `${JSON.stringify(config, null, "\t")}\n`, { mode: 0o600 });
  }
  return dir;
}

export function ciEnvCommand(args: readonly string[], ctx: CommandContext): void {
  const parsed = parseFlagsOrHelp(CI_ENV_FLAGS, args, ctx.env, ctx.stdout, () => ciEnvHelp(ctx.programName));
  if (parsed === undefined) return;
  const o = parsed.values as unknown as CiEnvFlags;
  if (parsed.positionals.length !== 1) {
    throw new SlipwayError(`accepts 1 arg(s), received ${parsed.positionals.length}`, { code: "usage" });
  }
  if (!["", "default", "cmdexe", "powershell"].includes(o.shell)) throw new SlipwayError(`provided shell "${o.shell}" not supported`, { code: "usage" });
  const system = parsed.positionals[0];
  if (system !== "gitlab" && system !== "github") throw new SlipwayError(`provided ci system "${system ?? ""}" not supported`, { code: "usage" });
  const cwd = ctx.env["SLIPWAY_CWD"] ?? process.cwd();
  const dockerConfig = sessionDockerConfig(system, ctx.env, o);
  const lines = ciEnvLines(system, ctx.env, {
    dockerConfig,
    shell: o.shell,
    asEnvFile: o.asEnvFile,
    verbose: o.logVerbose,
    ...(system === "github" ? { githubProject: plainProjectName(resolve(cwd, o.dir)) } : {}),
  });
  const text = `${lines.join("\n")}\n`;
  if (!o.asFile && !o.asEnvFile) {
    ctx.stdout.write(text);
    return;
  }
  let file = o.outputFilePath;
  if (file === "") {
    const dir = serviceDir(ctx.env);
    const suffix = o.asFile ? (o.shell === "cmdexe" ? ".bat" : o.shell === "powershell" ? ".ps1" : "") : "";
    file = join(mkdtempSync(join(dir, `${o.asFile ? "source" : ".env"}_${Math.floor(Date.now() / 1000)}_`)), `env${suffix}`);
  }
  // A script to source, holding tokens: the caller's alone unless -o names a file.
  writeFileSync(file, text, { mode: o.outputFilePath === "" ? 0o600 : 0o755 });
  if (o.outputFilePath === "") ctx.stdout.write(`${file}\n`);
}
