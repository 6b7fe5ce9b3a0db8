// werf.yaml loading over real temporary Git repositories: template rendering with werf's additions and
// giterminism (what is read from the commit, what is refused).
import { afterEach, describe, expect, it } from "vitest";
import { loadWerfConfig, type LoadWerfConfigOptions } from "../../../src/config/load.js";
import { DEFAULT_GITERMINISM_CONFIG, parseGiterminismConfig } from "../../../src/config/giterminism.js";
import { SlipwayError } from "../../../src/errors.js";
import { ProjectFiles, type FilesMode } from "../../../src/git/project-files.js";
import { openGitRepo, type CliGitRepo } from "../../../src/git/repo.js";
import { makeGitDir, type GitDir } from "../../helpers/gitdir.js";

const META = "project: app\nconfigVersion: 1\n";
let repo: GitDir | undefined;
let git: CliGitRepo | undefined;

afterEach(async () => {
  await git?.close();
  repo?.remove();
  repo = undefined;
  git = undefined;
});

async function load(
  files: Record<string, string>,
  options: { mode?: FilesMode; dirty?: Record<string, string>; environ?: Record<string, string>; giterminism?: string; env?: string } = {},
) {
  repo = makeGitDir(files);
  if (options.dirty) repo.write(options.dirty);
  git = await openGitRepo(repo.dir);
  const commit = await git.headCommit();
  const input: LoadWerfConfigOptions = {
    files: new ProjectFiles({ git, commit: commit.hash, projectDir: "", mode: options.mode ?? "commit" }),
    env: options.env ?? "",
    environ: options.environ ?? {},
    giterminism: options.giterminism ? parseGiterminismConfig(options.giterminism) : DEFAULT_GITERMINISM_CONFIG,
    commit,
    dev: false,
  };
  return loadWerfConfig(input);
}

async function failure(...args: Parameters<typeof load>): Promise<SlipwayError> {
  try {
    await load(...args);
  } catch (error) {
    if (error instanceof SlipwayError) return error;
    throw error;
  }
  throw new Error("expected loadWerfConfig to fail");
}

describe("loadWerfConfig", () => {
  it(".Files.Glob matches as werf's path matcher: doublestar, classes, alternatives, and a directory takes its files", async () => {
    const loaded = await load({
      "werf.yaml": [
        META + "---",
        '{{ range $path, $_ := .Files.Glob "conf/**/*.{yaml,yml}" }}# a {{ $path }}\n{{ end }}',
        '{{ range $path, $_ := .Files.Glob "img[0-9].txt" }}# b {{ $path }}\n{{ end }}',
        '{{ range $path, $_ := .Files.Glob "docs" }}# c {{ $path }}\n{{ end }}',
        "image: x",
        "dockerfile: Dockerfile",
      ].join("\n"),
      "conf/a.yaml": "",
      "conf/deep/b.yml": "",
      "conf/c.json": "",
      "img1.txt": "",
      "imgA.txt": "",
      "docs/one.md": "",
      "docs/sub/two.md": "",
    });
    const comments = loaded.rendered.split("\n").filter((l) => l.startsWith("# "));
    expect(comments).toEqual(["# a conf/a.yaml", "# a conf/deep/b.yml", "# b img1.txt", "# c docs/one.md", "# c docs/sub/two.md"]);
  });

  it("renders werf.yaml with Sprig, .Env, .Commit, .Files and .werf partials", async () => {
    const loaded = await load(
      {
        "werf.yaml": [
          META + "---",
          '{{ $names := list "api" "worker" }}',
          "{{ range $names }}",
          "image: {{ . }}",
          "dockerfile: Dockerfile",
          'args: {COMMIT: "{{ $.Commit.Hash }}", ENV: "{{ $.Env }}", GREETING: {{ $.Files.Get "greeting.txt" | trim | quote }}}',
          "---",
          "{{ end }}",
          '{{ include "extra.tmpl" . }}',
          "",
        ].join("\n"),
        ".werf/extra.tmpl": "image: extra\ndockerfile: {{ .Env | upper }}.Dockerfile\n",
        "greeting.txt": "  hello  \n",
      },
      { env: "prod" },
    );
    expect(loaded.config.images.map((i) => i.name)).toEqual(["api", "worker", "extra"]);
    const hash = repo?.git("rev-parse", "HEAD");
    expect(loaded.config.images[0]?.args).toEqual({ COMMIT: hash, ENV: "prod", GREETING: "hello" });
    expect(loaded.config.images[2]?.dockerfile).toBe("PROD.Dockerfile");
  });

  it("lets env read only variables giterminism allows", async () => {
    const files = { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\nargs: {TAG: '{{ env "APP_TAG" "none" }}'}\n` };
    const refused = await failure(files, { environ: { APP_TAG: "1.2" } });
    expect(refused.message).toContain('env name "APP_TAG" not allowed by giterminism');
    expect(refused.location?.file).toBe("werf.yaml");
    const allowed = await load(files, {
      environ: { APP_TAG: "1.2" },
      giterminism: "giterminismConfigVersion: 1\nconfig:\n  goTemplateRendering:\n    allowEnvVariables: [/APP_.*/]\n",
    });
    expect(allowed.config.images[0]?.args).toEqual({ TAG: "1.2" });
    const loose = await load(files, { mode: "loose", environ: {} });
    expect(loose.config.images[0]?.args).toEqual({ TAG: "none" });
  });

  it("refuses an uncommitted werf.yaml, and reads it from disk when giterminism allows it or with --loose-giterminism", async () => {
    const files = { "werf.yaml": `${META}---\nimage: committed\ndockerfile: Dockerfile\n` };
    const dirty = { "werf.yaml": `${META}---\nimage: dirty\ndockerfile: Dockerfile\n` };
    const refused = await failure(files, { dirty });
    expect(refused.message.split("\n")[0]).toBe('the file "werf.yaml" must be committed');
    const allowed = await load(files, { dirty, giterminism: "giterminismConfigVersion: 1\nconfig: {allowUncommitted: true}\n" });
    expect(allowed.config.images[0]?.name).toBe("dirty");
    const loose = await load(files, { dirty, mode: "loose" });
    expect(loose.config.images[0]?.name).toBe("dirty");
  });

  it("finds werf.yml and reports a missing config with werf's message", async () => {
    const yml = await load({ "werf.yml": `${META}---\nimage: a\ndockerfile: D\n` });
    expect(yml.file).toBe("werf.yml");
    const missing = await failure({ "README.md": "x" });
    expect(missing.message).toMatch(/^unable to read werf config: the file "werf.yaml" not found in the project git repository/);
  });

  it("names the template file and line of a rendering error", async () => {
    const error = await failure({
      "werf.yaml": `${META}---\n{{ include "broken.tmpl" . }}\n`,
      ".werf/broken.tmpl": "image: a\n{{ index .Env 3 }}\n",
    });
    expect(error.location?.file).toBe(".werf/broken.tmpl");
    expect(error.location?.line).toBe(2);
    expect(error.message).toContain("unable to render werf config");
  });

  it("lists new partials and files that giterminism allows, and refuses .Files.Get of a changed file it does not", async () => {
    const loaded = await load(
      {
        "werf.yaml": `${META}---\n{{ include "new.tmpl" . }}\nargs: {V: {{ .Files.Get "extra/w.txt" | quote }}}\n`,
        "version.txt": "committed\n",
      },
      {
        dirty: { ".werf/new.tmpl": "image: fresh\ndockerfile: Dockerfile", "extra/w.txt": "from disk" },
        giterminism:
          "giterminismConfigVersion: 1\nconfig:\n  allowUncommittedTemplates: [.werf/**/*.tmpl]\n  goTemplateRendering:\n    allowUncommittedFiles: [extra/*]\n",
      },
    );
    expect(loaded.config.images[0]?.name).toBe("fresh");
    expect(loaded.config.images[0]?.args).toEqual({ V: "from disk" });

    const refused = await failure(
      { "werf.yaml": `${META}---\nimage: a\ndockerfile: Dockerfile\nargs: {V: {{ .Files.Get "version.txt" | quote }}}\n`, "version.txt": "committed\n" },
      { dirty: { "version.txt": "changed\n" } },
    );
    expect(refused.message).toContain('the file "version.txt" must be committed');
  });

  it("knows werf's debug helpers, which print nothing without --debug-templates", async () => {
    const loaded = await load({
      "werf.yaml": `${META}---\nimage: {{ include_debug "name" . }}{{ printf_debug "x=%d" 1 }}{{ dump_debug . }}\ndockerfile: Dockerfile\n{{ define "name" }}dbg{{ end }}\n`,
    });
    expect(loaded.config.images[0]?.name).toBe("dbg");
  });
});
