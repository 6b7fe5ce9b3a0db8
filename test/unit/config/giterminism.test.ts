import { describe, expect, it } from "vitest";
import {
  DEFAULT_GITERMINISM_CONFIG,
  isEnvVarAllowed,
  isPathAllowed,
  parseGiterminismConfig,
  uncommittedFilesMessage,
} from "../../../src/config/giterminism.js";
import { SlipwayError } from "../../../src/errors.js";

const FULL = `giterminismConfigVersion: 1
cli:
  allowCustomTags: true
config:
  allowUncommitted: true
  allowUncommittedTemplates: [".werf/**/*.tmpl"]
  goTemplateRendering:
    allowEnvVariables: [CI_COMMIT_SHA, /^APP_.*$/]
    allowUncommittedFiles: ["configs/**"]
  secrets:
    allowEnvVariables: [TOKEN]
    allowFiles: ["~/secret"]
    allowValueIds: [id1]
  stapel:
    allowFromLatest: false
    git: {allowBranch: true}
    mount: {allowBuildDir: true, allowFromPaths: ["/tmp"]}
  dockerfile:
    allowUncommitted: ["docker/*.Dockerfile"]
    allowUncommittedDockerignoreFiles: [".dockerignore"]
    allowContextAddFiles: ["secrets"]
helm:
  allowUncommittedFiles: [".helm/values-local.yaml"]
includes:
  allowIncludesUpdate: true
`;

function errorOf(text: string): SlipwayError {
  try {
    parseGiterminismConfig(text);
  } catch (error) {
    if (error instanceof SlipwayError) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("parseGiterminismConfig", () => {
  it("reads every documented key", () => {
    const c = parseGiterminismConfig(FULL);
    expect(c.cli.allowCustomTags).toBe(true);
    expect(c.config.goTemplateRendering.allowEnvVariables).toEqual(["CI_COMMIT_SHA", "/^APP_.*$/"]);
    expect(c.config.stapel.mount.allowFromPaths).toEqual(["/tmp"]);
    expect(c.config.dockerfile.allowContextAddFiles).toEqual(["secrets"]);
    expect(c.helm.allowUncommittedFiles).toEqual([".helm/values-local.yaml"]);
    expect(c.includes.allowIncludesUpdate).toBe(true);
    expect(parseGiterminismConfig('giterminismConfigVersion: "1"\n').config.allowUncommitted).toBe(false);
    expect(parseGiterminismConfig("")).toEqual(DEFAULT_GITERMINISM_CONFIG);
  });

  it("names unknown keys, wrong types and a bad version", () => {
    const unknown = errorOf("giterminismConfigVersion: 1\nconfig:\n  dockerfile:\n    allowUncommited: []\n");
    expect(unknown.message).toBe("the giterminism config validation failed: config.dockerfile.allowUncommited in body is a forbidden property");
    expect(unknown.location).toMatchObject({ file: "werf-giterminism.yaml", key: "config.dockerfile.allowUncommited", line: 4 });
    expect(errorOf("giterminismConfigVersion: 1\nfoo: 1\n").message).toContain("foo in body is a forbidden property");
    expect(errorOf("giterminismConfigVersion: 1\ncli: {allowCustomTags: yes}\n").message).toBe(
      'the giterminism config validation failed: cli.allowCustomTags in body must be of type boolean: "string"',
    );
    expect(errorOf("giterminismConfigVersion: 1\nhelm: {allowUncommittedFiles: a}\n").message).toContain(
      "helm.allowUncommittedFiles in body must be of type array",
    );
    expect(errorOf("config: {}\n").message).toContain("giterminismConfigVersion in body is required");
    expect(errorOf("giterminismConfigVersion: 2\n").message).toContain("giterminismConfigVersion in body should be one of [1]");
    expect(errorOf("giterminismConfigVersion: 1\ncli: [\n").message).toMatch(/^unable to parse werf-giterminism.yaml/);
  });
});

describe("allow-lists", () => {
  it("matches paths with ** and directory prefixes", () => {
    expect(isPathAllowed([".helm/**"], ".helm/templates/a.yaml")).toBe(true);
    expect(isPathAllowed(["configs"], "configs/a/b.yaml")).toBe(true);
    expect(isPathAllowed(["docker/*.Dockerfile"], "docker/app.Dockerfile")).toBe(true);
    expect(isPathAllowed(["docker/*.Dockerfile"], "docker/sub/app.Dockerfile")).toBe(false);
    expect(isPathAllowed(["**/*.tmpl"], ".werf/a/b.tmpl")).toBe(true);
    expect(isPathAllowed([], "werf.yaml")).toBe(false);
  });

  it("matches env names exactly or by whole-name /regex/", () => {
    const allowed = ["CI_COMMIT_SHA", "/APP_.*/"];
    expect(isEnvVarAllowed(allowed, "CI_COMMIT_SHA")).toBe(true);
    expect(isEnvVarAllowed(allowed, "CI_COMMIT")).toBe(false);
    expect(isEnvVarAllowed(allowed, "APP_NAME")).toBe(true);
    expect(isEnvVarAllowed(allowed, "MY_APP_NAME")).toBe(false);
  });
});

describe("uncommitted files errors (werf wording)", () => {
  const hint =
    "You may be interested in the development mode (activated by the --dev option), which allows working with project files without doing redundant commits during debugging and development.";
  it("one file, several files, untracked, dev mode", () => {
    expect(uncommittedFilesMessage(["werf.yaml"], { dev: false })).toBe(`the file "werf.yaml" must be committed\n\n${hint}`);
    expect(uncommittedFilesMessage(["a", "b"], { dev: false })).toBe(`the following files must be committed:\n\n - a\n - b\n\n${hint}`);
    expect(uncommittedFilesMessage(["x"], { dev: false, untracked: true })).toBe(`the untracked file "x" must be committed\n\n${hint}`);
    expect(uncommittedFilesMessage(["x", "y"], { dev: true, untracked: true })).toBe(
      'the following untracked files must be staged:\n\n - x\n - y\n\nTo stage the changes use the following command: "git add x y".',
    );
    expect(uncommittedFilesMessage(["werf.yaml"], { dev: true })).toBe(
      'the file "werf.yaml" must be staged\n\nTo stage the changes use the following command: "git add werf.yaml".',
    );
  });
});
