import { describe, expect, it } from "vitest";
import { parseWerfConfig, splitDocuments } from "../../../src/config/werf-yaml.js";
import { SlipwayError } from "../../../src/errors.js";

const META = "project: app\nconfigVersion: 1\n";

function failure(text: string): SlipwayError {
  try {
    parseWerfConfig(text, "werf.yaml");
  } catch (error) {
    if (error instanceof SlipwayError) return error;
    throw error;
  }
  throw new Error("expected parseWerfConfig to fail");
}

describe("splitDocuments", () => {
  it("splits on separator lines with trailing spaces and comments, dropping empty and comment-only documents", () => {
    const docs = splitDocuments("# head\n---\na: 1\n---   # two\n# only a comment\n---\n\nb: 2\n");
    expect(docs.map((d) => [d.text.trim(), d.lineOffset])).toEqual([
      ["a: 1", 2],
      ["b: 2", 6],
    ]);
  });

  it("does not split on --- inside a line", () => {
    expect(splitDocuments("a: ---\nb: x---y\n")).toHaveLength(1);
  });
});

describe("parseWerfConfig", () => {
  it("reads the meta section and Dockerfile images with their defaults", () => {
    const config = parseWerfConfig(
      `${META}build:\n  cacheVersion: "7"\ndeploy:\n  namespace: "[[ project ]]-x"\n---\nimage: backend\ndockerfile: Dockerfile\n---\nimage: app\ncontext: app\ndockerfile: docker/Dockerfile\ntarget: prod\nargs: {NODE_ENV: production, N: 3, B: yes}\naddHost: h:1.2.3.4\ndependencies:\n- image: backend\n  imports:\n  - {type: ImageName, targetBuildArg: BACKEND_IMAGE}\n`,
      "werf.yaml",
    );
    expect(config.meta.project).toBe("app");
    expect(config.meta.build.cacheVersion).toBe("7");
    expect(config.meta.deploy).toMatchObject({ namespace: "[[ project ]]-x", helmReleaseSlug: true, namespaceSlug: true });
    expect(config.images.map((i) => i.name)).toEqual(["backend", "app"]);
    const app = config.images[1];
    expect(app).toMatchObject({
      context: "app",
      dockerfile: "docker/Dockerfile",
      target: "prod",
      final: true,
      addHost: ["h:1.2.3.4"],
      line: 11,
      dependencies: [{ image: "backend", imports: [{ type: "ImageName", targetBuildArg: "BACKEND_IMAGE" }] }],
    });
    // Build args are stringified; YAML 1.1 reads `yes` as a boolean, as werf's go-yaml does.
    expect(app?.args).toEqual({ NODE_ENV: "production", N: "3", B: "true" });
  });

  it("expands an image list into several images", () => {
    const config = parseWerfConfig(`${META}---\nimage: [a, b]\ndockerfile: Dockerfile\n`, "werf.yaml");
    expect(config.images.map((i) => i.name)).toEqual(["a", "b"]);
  });

  it("accepts a single nameless image", () => {
    const config = parseWerfConfig(`${META}---\nimage: ~\ndockerfile: Dockerfile\n`, "werf.yaml");
    expect(config.images[0]?.name).toBe("");
  });

  // The bad-werf.yaml corpus: each case names the line and the key, with werf's wording where werf has one.
  const bad: Array<[string, string, RegExp, number, string | undefined]> = [
    ["broken YAML", `${META}---\nimage: a\ndockerfile: [Dockerfile\n`, /invalid YAML/, 5, undefined],
    ["unknown key in an image", `${META}---\nimage: a\ndockerfile: Dockerfile\ndockerfil: x\n`, /unknown fields: `dockerfil`!/, 6, "dockerfil"],
    ["unknown key in meta", `${META}deploi: {}\n`, /unknown fields: `deploi`!/, 3, "deploi"],
    ["unknown nested key", `${META}deploy:\n  namespaces: x\n`, /unknown fields: `namespaces`!/, 4, "deploy.namespaces"],
    ["missing project", "configVersion: 1\n", /'project' field cannot be empty!/, 1, "project"],
    ["empty project", "project: ''\nconfigVersion: 1\n", /'project' field cannot be empty!/, 1, "project"],
    ["bad project name", "project: My_App\nconfigVersion: 1\n", /bad project name "My_App"/, 1, "project"],
    ["bad configVersion", "project: app\nconfigVersion: 2\n", /'configVersion: 1' field required!/, 2, "configVersion"],
    ["no meta section", "image: a\ndockerfile: Dockerfile\n", /meta config section .* is not defined/, 1, "configVersion"],
    ["duplicate meta", `${META}---\n${META}`, /duplicate meta config section definition/, 5, "configVersion"],
    ["duplicate image name", `${META}---\nimage: a\ndockerfile: D\n---\nimage: a\ndockerfile: D\n`, /duplicate image "a"/, 7, "image"],
    ["unknown dependency", `${META}---\nimage: a\ndockerfile: D\ndependencies:\n- image: nope\n`, /image "nope" not found!/, 4, 'image "a": dependencies'],
    ["dependency cycle", `${META}---\nimage: a\ndockerfile: D\ndependencies: [{image: b}]\n---\nimage: b\ndockerfile: D\ndependencies: [{image: a}]\n`, /infinite loop detected: a -> b -> a/, 4, "dependencies"],
    ["context outside the project", `${META}---\nimage: a\ncontext: ../other\ndockerfile: Dockerfile\n`, /`context: PATH` should be relative to project directory!/, 5, "context"],
    ["absolute dockerfile", `${META}---\nimage: a\ndockerfile: /etc/Dockerfile\n`, /`dockerfile: PATH` required and should be relative to context!/, 5, "dockerfile"],
    ["stapel image", `${META}---\nimage: a\nfrom: alpine\n`, /Stapel images are not supported/, 4, "image"],
    ["unrecognised section", `${META}---\nfoo: bar\n`, /cannot recognize type of config section/, 4, undefined],
    ["bad import type", `${META}---\nimage: b\ndockerfile: D\n---\nimage: a\ndockerfile: D\ndependencies:\n- image: b\n  imports:\n  - {type: ImageSize, targetBuildArg: X}\n`, /invalid dependency import type "ImageSize"/, 12, "dependencies[0].imports[0].type"],
    ["arg clashes with an import", `${META}---\nimage: b\ndockerfile: D\n---\nimage: a\ndockerfile: D\nargs: {X: "1"}\ndependencies:\n- image: b\n  imports:\n  - {type: ImageName, targetBuildArg: X}\n`, /build arg "X" already defined in dependency import/, 9, "args.X"],
    ["secret with two sources", `${META}---\nimage: a\ndockerfile: D\nsecrets:\n- {env: A, src: b}\n`, /secret type could be ONLY `env`, `src` or `value`/, 7, "secrets[0]"],
    ["nameless image among others", `${META}---\nimage: ~\ndockerfile: D\n---\nimage: b\ndockerfile: D\n`, /a nameless image cannot be specified/, 4, "image"],
    ["duplicate key", `${META}project: again\n`, /mapping key "project" already defined/, 3, "project"],
  ];

  it.each(bad)("rejects %s", (_name, text, message, line, key) => {
    const error = failure(text);
    expect(error.code).toBe("config");
    expect(error.message).toMatch(message);
    expect(error.location?.file).toBe("werf.yaml");
    expect(error.location?.line).toBe(line);
    expect(error.location?.key).toBe(key);
  });
});
