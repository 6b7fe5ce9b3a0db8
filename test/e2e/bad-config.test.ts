// Bad werf.yaml: every case gets one clear message naming the file, the line and the key, exit code 1, and
// nothing is built or pushed. slipway runs as a child process against the real Docker Engine and registry.
import Docker from "dockerode";
import { afterAll, describe, expect, inject, it } from "vitest";
import { makeGitDir, type GitDir } from "../helpers/gitdir.js";
import { runSlipway } from "../helpers/slipway.js";
import { uniqueName } from "../helpers/cluster.js";

const env = inject("localEnv");
const docker = new Docker({ socketPath: env.dockerHost.replace(/^unix:\/\//, "") });
const PROJECT = "e2e-bad-config";
const META = `project: ${PROJECT}\nconfigVersion: 1\n`;
const FROM = `FROM ${env.registry}/base/busybox\n`;

interface Case {
  readonly name: string;
  readonly files: Record<string, string>;
  /** What the single error line must contain, in order. */
  readonly expect: readonly (string | RegExp)[];
  readonly args?: readonly string[];
  /** Files written after the commit (uncommitted). */
  readonly dirty?: Record<string, string>;
}

const cases: Case[] = [
  { name: "YAML syntax error", files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: [Dockerfile\n` }, expect: ["werf.yaml:5", "invalid YAML"] },
  { name: "tab indentation", files: { "werf.yaml": `${META}---\nimage: a\n\tdockerfile: Dockerfile\n` }, expect: ["werf.yaml:5", "invalid YAML"] },
  { name: "template parse error", files: { "werf.yaml": `${META}---\nimage: {{ .Env \n` }, expect: ["werf.yaml:5", "unable to render werf config", "unclosed action started at werf.yaml:4"] },
  {
    name: "template execution error",
    files: { "werf.yaml": `${META}---\nimage: {{ index .Env 3 }}\ndockerfile: Dockerfile\n` },
    expect: ["werf.yaml:4", "unable to render werf config", "index"],
  },
  { name: "required value", files: { "werf.yaml": `${META}---\nimage: {{ required "image name is required" "" }}\n` }, expect: ["werf.yaml", "image name is required"] },
  { name: "env not allowed by giterminism", files: { "werf.yaml": `${META}---\nimage: {{ env "HOME" }}\ndockerfile: Dockerfile\n` }, expect: ["werf.yaml", 'env name "HOME" not allowed by giterminism'] },
  { name: "unknown key", files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\ndockerfil: x\n`, Dockerfile: FROM }, expect: ["werf.yaml:6", "key: dockerfil", "unknown fields: `dockerfil`!"] },
  { name: "missing project", files: { "werf.yaml": "configVersion: 1\n" }, expect: ["werf.yaml:1", "'project' field cannot be empty!"] },
  { name: "bad project name", files: { "werf.yaml": "project: My_Project\nconfigVersion: 1\n" }, expect: ["werf.yaml:1", 'bad project name "My_Project"'] },
  { name: "bad configVersion", files: { "werf.yaml": "project: x\nconfigVersion: 2\n" }, expect: ["werf.yaml:2", "'configVersion: 1' field required!"] },
  {
    name: "duplicate image name",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\n---\nimage: a\ndockerfile: Dockerfile\n`, Dockerfile: FROM },
    expect: ["werf.yaml:7", 'duplicate image "a"'],
  },
  {
    name: "unknown dependency",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\ndependencies:\n- image: nope\n`, Dockerfile: FROM },
    expect: ["werf.yaml:4", 'image "nope" not found!'],
  },
  {
    name: "Dockerfile that does not exist",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: docker/Missing.Dockerfile\n` },
    expect: ["werf.yaml:4", 'the dockerfile "docker/Missing.Dockerfile" not found'],
  },
  {
    name: "context outside the repository",
    files: { "werf.yaml": `${META}---\nimage: a\ncontext: ../..\ndockerfile: Dockerfile\n` },
    expect: ["werf.yaml:5", "key: context", "`context: PATH` should be relative to project directory!"],
  },
  { name: "Stapel image", files: { "werf.yaml": `${META}---\nimage: a\nfrom: alpine:3\n` }, expect: ["werf.yaml:4", "Stapel images are not supported"] },
  { name: "no werf.yaml", files: { "README.md": "no config here\n" }, expect: ['the file "werf.yaml" not found in the project git repository'] },
  {
    name: "uncommitted werf.yaml",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\n`, Dockerfile: FROM },
    dirty: { "werf.yaml": `${META}---\nimage: b\ndockerfile: Dockerfile\n` },
    expect: ['the file "werf.yaml" must be committed'],
  },
  {
    name: "Dockerfile syntax error",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\n`, Dockerfile: `${FROM}FORM x\n` },
    expect: ["Dockerfile:2", "unknown instruction: FORM"],
  },
  {
    name: "--repo missing",
    files: { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\n`, Dockerfile: FROM },
    args: ["--repo", ""],
    expect: ["--repo=ADDRESS param required"],
  },
];

describe("a bad werf.yaml is refused before anything is built or pushed", () => {
  const repos: GitDir[] = [];
  afterAll(() => {
    for (const repo of repos) repo.remove();
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const repo = makeGitDir(c.files);
    repos.push(repo);
    if (c.dirty) repo.write(c.dirty);
    const imageRepo = uniqueName("e2e/bad");
    const result = await runSlipway(["build", "--repo", `${env.registry}/${imageRepo}`, ...(c.args ?? [])], {
      cwd: repo.dir,
      env: { DOCKER_HOST: env.dockerHost },
    });
    expect(result.code).toBe(1);
    const first = result.stderr.split("\n")[0] ?? "";
    expect(first).toMatch(/^Error: /);
    let rest = first;
    for (const part of c.expect) {
      const index = typeof part === "string" ? rest.indexOf(part) : rest.search(part);
      expect(index, `${JSON.stringify(part)} in ${JSON.stringify(first)}`).toBeGreaterThanOrEqual(0);
      rest = rest.slice(index);
    }
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain("Building stage");
    const tags = await fetch(`http://${env.registry}/v2/${imageRepo}/tags/list`);
    expect(tags.status).toBe(404);
  });

  it("built no image for any of the cases", async () => {
    const images = await docker.listImages({ filters: { label: [`werf=${PROJECT}`] } });
    expect(images).toEqual([]);
  });
});
