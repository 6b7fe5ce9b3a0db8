import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BuiltImage } from "../../../src/build/phase.js";
import { reportToJson } from "../../../src/build/report.js";
import { openGitRepo } from "../../../src/git/repo.js";
import { buildReport, type BuildAdapters } from "../../../src/pipeline/build.js";
import { renderRelease, runConverge, type ConvergePipelineOptions, type DeployPhaseInput } from "../../../src/pipeline/converge.js";
import { runBuildPipeline } from "../../../src/pipeline/build.js";
import type { PipelineEvent } from "../../../src/pipeline/events.js";
import { parseWerfConfig } from "../../../src/config/werf-yaml.js";
import { generateSecretKey, newSecretCipher } from "../../../src/secret/cipher.js";
import { encryptSecretValues } from "../../../src/secret/values-file.js";

const WERF_YAML = "project: shop\nconfigVersion: 1\n---\nimage: web\ndockerfile: Dockerfile\n";

function project(template: string, chartFiles: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-converge-"));
  writeFileSync(join(dir, "werf.yaml"), WERF_YAML);
  writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  mkdirSync(join(dir, ".helm", "templates"), { recursive: true });
  writeFileSync(join(dir, ".helm", "templates", "cm.yaml"), template);
  for (const [name, text] of Object.entries(chartFiles)) {
    mkdirSync(dirname(join(dir, ".helm", name)), { recursive: true });
    writeFileSync(join(dir, ".helm", name), text);
  }
  const git = (...args: string[]): void => {
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "ignore" });
  };
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "init");
  const image: BuiltImage = {
    name: "web",
    final: true,
    digest: "abc",
    repo: "registry.example/shop",
    repository: { registry: "registry.example", path: "shop" },
    tag: "abc-1",
    ref: "registry.example/shop:abc-1",
    imageId: "sha256:1",
    manifestDigest: "sha256:2",
    size: 1,
    rebuilt: false,
    buildMs: 0,
    commit: "",
    createdAtNs: 0,
    platform: "linux/amd64",
  };
  writeFileSync(join(dir, "report.json"), reportToJson(buildReport([image], parseWerfConfig(WERF_YAML, "werf.yaml"))));
  return dir;
}

function options(dir: string): ConvergePipelineOptions<{ namespace: string; release: string; marker: string }, { kubeContext: string }> {
  return {
    project: { dir, gitWorkTree: "", config: "", configTemplatesDir: "", configRenderPath: "", giterminismConfig: "", dev: false, looseGiterminism: false, env: "prod", projectName: "" },
    build: {
      repo: "registry.example/shop", finalRepo: "", insecureRegistry: false, skipTlsVerifyRegistry: false, dockerConfig: "", requireBuiltImages: false,
      withoutImages: false, useBuildReport: true, saveBuildReport: false, buildReportPath: join(dir, "report.json"), buildReportFormat: "json",
      buildReportPathExplicit: true, parallel: true, parallelTasksLimit: 5, platform: [], backendNetwork: "", imageNames: [],
    },
    values: { values: [], set: ["greeting=hi"], setString: [], setFile: [], setJson: [], setLiteral: [], secretValues: [], disableDefaultSecretValues: false, disableDefaultValues: false, setDockerConfigJsonValue: false },
    deploy: { namespace: "", release: "", marker: "deploy-group" },
    kube: { kubeContext: "ctx" },
  };
}

function fakeAdapters(asked: string[]): BuildAdapters {
  return {
    openGit: (dir) => {
      asked.push("git");
      return openGitRepo(dir);
    },
    registry: () => {
      asked.push("registry");
      return Promise.reject(new Error("registry must not be needed"));
    },
    engine: () => {
      asked.push("engine");
      return Promise.reject(new Error("engine must not be needed"));
    },
  };
}

describe("runConverge", () => {
  it("runs build, render and deploy in order; the deploy port gets the render made with the build's service values", async () => {
    const dir = project("kind: ConfigMap\ndata:\n  image: {{ .Values.werf.image.web }}\n  greeting: {{ .Values.greeting }}\n");
    const events: PipelineEvent[] = [];
    const asked: string[] = [];
    let input: DeployPhaseInput<{ namespace: string; release: string; marker: string }, { kubeContext: string }> | undefined;
    const result = await runConverge(
      options(dir),
      {
        adapters: fakeAdapters(asked),
        deploy: (given, emit) => {
          input = given;
          emit({ type: "release-succeeded", release: given.release, namespace: given.namespace, revision: 1 });
          return Promise.resolve({ status: "deployed" });
        },
        cwd: dir,
        environ: {},
      },
      (e) => events.push(e),
    );
    const markers = events.map((e) => ("type" in e ? `${e.type}${"phase" in e ? `:${e.phase}` : ""}` : e.kind));
    expect(markers).toEqual(["phase-start:build", "phase-done:build", "phase-start:render", "phase-done:render", "phase-start:deploy", "release-succeeded", "phase-done:deploy"]);
    expect(asked).toEqual(["git"]);
    expect(input?.release).toBe("shop-prod");
    expect(input?.namespace).toBe("shop-prod");
    expect(input?.render.output).toContain("image: registry.example/shop:abc-1");
    expect(input?.render.output).toContain("greeting: hi");
    expect(input?.chart.name).toBe("shop");
    expect(input?.userValues.get("greeting")).toBe("hi");
    expect(input?.userValues.has("werf")).toBe(false);
    expect(input?.service.has("werf")).toBe(true);
    expect(input?.deploy.marker).toBe("deploy-group");
    expect(input?.kube.kubeContext).toBe("ctx");
    expect(result.deploy.status).toBe("deployed");
  });

  it("never calls the deploy port when rendering fails", async () => {
    const dir = project("kind: ConfigMap\ndata:\n  x: {{ .Values.missing.deep }}\n");
    const events: PipelineEvent[] = [];
    let deployed = false;
    const run = runConverge(
      options(dir),
      {
        adapters: fakeAdapters([]),
        deploy: () => {
          deployed = true;
          return Promise.resolve({ status: "deployed" });
        },
        cwd: dir,
        environ: {},
      },
      (e) => events.push(e),
    );
    await expect(run).rejects.toThrow(/nil pointer evaluating interface \{\}\.deep/);
    expect(deployed).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: "phase-failed", phase: "render" });
  });
});

describe("renderRelease", () => {
  async function render(
    template: string,
    chartFiles: Readonly<Record<string, string>>,
    values: Partial<ConvergePipelineOptions["values"]>,
    withCluster: boolean,
    secretKeyFiles?: (dir: string) => { workDir: string; homeDir: string },
  ) {
    const dir = project(template, chartFiles);
    const o = options(dir);
    const built = await runBuildPipeline({ project: o.project, build: o.build, readChart: true }, { adapters: fakeAdapters([]), cwd: dir, environ: {}, emit: () => undefined });
    const cluster = () => Promise.resolve({ kubeVersion: "v1.31.4", apiVersions: ["example.com/v1/Widget"], isUpgrade: true, revision: 7 });
    return renderRelease(built, { ...o, values: { ...o.values, ...values } }, { ...(withCluster ? { cluster } : {}), ...(secretKeyFiles ? { secretKeyFiles: secretKeyFiles(dir) } : {}) });
  }
  const TEMPLATE = 'kind: ConfigMap\ndata:\n  kube: "{{ .Capabilities.KubeVersion.Version }}"\n  widget: "{{ .Capabilities.APIVersions.Has "example.com/v1/Widget" }}"\n  revision: "{{ .Release.Revision }}"\n  upgrade: "{{ .Release.IsUpgrade }}"\n  color: "{{ .Values.color }}"\n';

  it("renders against what the cluster port tells (capabilities, the next revision, upgrade or install)", async () => {
    const live = await render(TEMPLATE, { "values.yaml": "color: blue\n" }, {}, true);
    expect(live.render.output).toContain('kube: "v1.31.4"\n  widget: "true"\n  revision: "7"\n  upgrade: "true"\n  color: "blue"');
    const offline = await render(TEMPLATE, { "values.yaml": "color: blue\n" }, {}, false);
    expect(offline.render.output).toContain('widget: "false"\n  revision: "1"\n  upgrade: "false"');
  });

  it("--disable-default-values leaves the chart's values.yaml out; --set still applies", async () => {
    const r = await render(TEMPLATE, { "values.yaml": "color: blue\n" }, { disableDefaultValues: true, set: [] }, false);
    expect(r.render.output).toContain('color: ""');
    const set = await render(TEMPLATE, { "values.yaml": "color: blue\n" }, { disableDefaultValues: true, set: ["color=red"] }, false);
    expect(set.render.output).toContain('color: "red"');
  });

  it("--set-docker-config-json-value puts the docker config, base64, into .Values.dockerconfigjson (nothing without a config)", async () => {
    const dir = project('kind: ConfigMap\ndata:\n  cfg: "{{ .Values.dockerconfigjson }}"\n');
    const o = options(dir);
    const built = await runBuildPipeline({ project: o.project, build: o.build, readChart: true }, { adapters: fakeAdapters([]), cwd: dir, environ: {}, emit: () => undefined });
    const values = { ...o.values, setDockerConfigJsonValue: true };
    const withConfig = await renderRelease(built, { ...o, values }, { dockerConfigJson: () => Buffer.from('{"auths":{}}') });
    expect(withConfig.render.output).toContain(`cfg: "${Buffer.from('{"auths":{}}').toString("base64")}"`);
    const without = await renderRelease(built, { ...o, values }, { dockerConfigJson: () => undefined });
    expect(without.render.output).toContain('cfg: ""');
  });

  it("werf_image names a built image, and an unknown name lists the known ones", async () => {
    const r = await render('kind: ConfigMap\ndata:\n  image: "{{ tuple "web" . | werf_image }}"\n', {}, {}, false);
    expect(r.render.output).toContain('image: "registry.example/shop:abc-1"');
    await expect(render('kind: ConfigMap\ndata:\n  image: "{{ tuple "api" . | werf_image }}"\n', {}, {}, false)).rejects.toThrow(
      "error calling werf_image: Unknown image 'api' specified for template; known images: 'web'",
    );
  });

  describe("secret values", () => {
    const key = generateSecretKey();
    const cipher = newSecretCipher(key);
    const secretFiles = {
      "values.yaml": "color: blue\n",
      "secret-values.yaml": encryptSecretValues("color: secret-red\n", cipher, "secret-values.yaml"),
      "secret/note.txt": cipher.encrypt(Buffer.from("from a secret file")),
    };
    const template = `${TEMPLATE}  note: "{{ werf_secret_file "note.txt" }}"\n`;

    it("decrypt .helm/secret-values.yaml over the chart default and --set; werf_secret_file reads .helm/secret/", async () => {
      const r = await render(template, secretFiles, { secretKey: key, set: ["color=green"] }, false);
      expect(r.render.output).toContain('color: "secret-red"\n  note: "from a secret file"');
      // Secret values are not user values: the release stores only --values/--set.
      expect(r.userValues).toEqual(new Map([["color", "green"]]));
    });

    it("find the key in the work dir's .werf_secret_key", async () => {
      const r = await render(template, secretFiles, {}, false, (dir) => {
        writeFileSync(join(dir, ".werf_secret_key"), `${key}\n`);
        return { workDir: dir, homeDir: join(dir, "no-home") };
      });
      expect(r.render.output).toContain('color: "secret-red"');
    });

    it("fail with the file and key path on a wrong key, and name every place tried without a key", async () => {
      const wrong = render(TEMPLATE, { "secret-values.yaml": encryptSecretValues("db:\n  password: x\n", cipher, "s") }, { secretKey: "0".repeat(32) }, false);
      await expect(wrong).rejects.toMatchObject({ location: { file: ".helm/secret-values.yaml", line: 2, key: "db.password" } });
      const missing = render(template, secretFiles, {}, false, (dir) => ({ workDir: dir, homeDir: join(dir, "no-home") }));
      await expect(missing).rejects.toThrow(/^decrypt \.helm\/secret-values\.yaml$/);
      await expect(missing.catch((e: Error) => String(e.cause))).resolves.toMatch(/required encryption key not found in: "\$WERF_SECRET_KEY", ".*\/\.werf_secret_key", ".*no-home\/global_secret_key"/);
    });

    it("--disable-default-secret-values and --ignore-secret-key need no key", async () => {
      const noSecretFile = { "values.yaml": "color: blue\n", "secret-values.yaml": secretFiles["secret-values.yaml"] };
      const off = await render(TEMPLATE, noSecretFile, { disableDefaultSecretValues: true }, false, (dir) => ({ workDir: dir, homeDir: join(dir, "h") }));
      expect(off.render.output).toContain('color: "blue"');
      const ignored = await render(TEMPLATE, noSecretFile, { ignoreSecretKey: true }, false, (dir) => ({ workDir: dir, homeDir: join(dir, "h") }));
      expect(ignored.render.output).toMatch(/color: "1000[0-9a-f]+"/);
    });
  });

  it("settles lookup over render rounds: objects a lookup names from another's result, errors, {} for absent ones", async () => {
    const template = [
      "kind: ConfigMap",
      "data:",
      '  {{- $a := lookup "v1" "ConfigMap" "ns" "a" }}',
      // Fails until `a` is known (nil .data), as in Helm: the render is retried once it is fetched.
      '  a: "{{ $a.data.next }}"',
      '  b: "{{ (lookup "v1" "ConfigMap" "ns" $a.data.next).data.v }}"',
      '  n: "{{ typeOf (lookup "v1" "ConfigMap" "ns" "a").data.n }}"',
      '  none: "{{ lookup "v1" "Secret" "ns" "none" | toJson }}"',
      "",
    ].join("\n");
    const dir = project(template);
    const o = options(dir);
    const built = await runBuildPipeline({ project: o.project, build: o.build, readChart: true }, { adapters: fakeAdapters([]), cwd: dir, environ: {}, emit: () => undefined });
    const asked: string[] = [];
    const objects: Record<string, Record<string, unknown>> = {
      a: { kind: "ConfigMap", metadata: { name: "a" }, data: { next: "b", n: 3 } },
      b: { kind: "ConfigMap", metadata: { name: "b" }, data: { v: "from-b" } },
    };
    const lookup = (ref: { kind: string; name: string }) => {
      asked.push(`${ref.kind}/${ref.name}`);
      return Promise.resolve(objects[ref.name]);
    };
    const r = await renderRelease(built, o, { lookup });
    expect(r.render.output).toContain('a: "b"\n  b: "from-b"\n  n: "int64"\n  none: "{}"');
    // Each object is fetched once, however many renders it took.
    expect(asked.sort()).toEqual(["ConfigMap/a", "ConfigMap/b", "Secret/none"]);

    const failing = () => Promise.reject(new Error("forbidden"));
    await expect(renderRelease(built, o, { lookup: failing })).rejects.toThrow(/error calling lookup: forbidden/);
  });

  it("gives werf render's placeholders to the images of a stub render", async () => {
    const dir = project('kind: ConfigMap\ndata:\n  image: "{{ .Values.werf.image.web }}"\n  stub: "{{ .Values.werf.is_stub }}"\n  repo: "{{ .Values.werf.repo }}"\n  ref: "{{ .Values.global.werf.images.web.ref }}"\n');
    const o = options(dir);
    const built = await runBuildPipeline({ project: o.project, build: { ...o.build, withoutImages: true }, readChart: true }, { adapters: fakeAdapters([]), cwd: dir, environ: {}, emit: () => undefined });
    const r = await renderRelease(built, o, {}, { stubImageNames: ["web"] });
    expect(r.render.output).toContain('image: "REPO:TAG"\n  stub: "true"\n  repo: "REPO"\n  ref: "REPO:TAG@DIGEST"');
  });
});
