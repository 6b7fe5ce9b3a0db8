import { execFileSync } from "node:child_process";
// The build phase end to end: real Git repositories, the real Docker Engine and the real local registry.
// slipway runs as a child process, exactly as CI runs `werf build` / `werf converge`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startCountingProxy, type CountingProxy } from "../helpers/counting-proxy.js";
import { makeGitDir, type GitDir } from "../helpers/gitdir.js";
import { HTPASSWD_USER, startHtpasswdRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { runSlipway, type SlipwayResult } from "../helpers/slipway.js";
import Docker from "dockerode";
import { uniqueName } from "../helpers/cluster.js";

const env = inject("localEnv");
const docker = new Docker({ socketPath: env.dockerHost.replace(/^unix:\/\//, "") });
const TAG = /^[0-9a-f]{56}-\d{13}$/;

interface Report {
  Images: Record<string, { DockerTag: string; DockerImageName: string; DockerImageDigest: string; DockerImageID: string; Rebuilt: boolean; Final: boolean; WerfImageName: string }>;
}

function project(registry: string): Record<string, string> {
  return {
    "werf.yaml": [
      "project: e2e-build",
      "configVersion: 1",
      "---",
      "image: backend",
      "dockerfile: backend.Dockerfile",
      "---",
      "image: web",
      "dockerfile: web.Dockerfile",
      "dependencies:",
      "- image: backend",
      "  imports:",
      "  - type: ImageName",
      "    targetBuildArg: BACKEND_IMAGE",
      "---",
      "image: tool",
      "dockerfile: tool.Dockerfile",
      "",
    ].join("\n"),
    "backend.Dockerfile": `FROM ${registry}/base/busybox\nCOPY backend/ /app/\nRUN cat /app/version.txt\nCMD ["cat", "/app/version.txt"]\n`,
    "web.Dockerfile": `FROM ${registry}/base/busybox\nARG BACKEND_IMAGE\nRUN echo "backend is $BACKEND_IMAGE" | tee /backend-ref\nCOPY web/ /www/\n`,
    "tool.Dockerfile": `FROM ${registry}/base/busybox\nCOPY tool.sh /usr/local/bin/tool\n`,
    "backend/version.txt": "1\n",
    "web/index.html": "<h1>hello</h1>\n",
    "tool.sh": "#!/bin/sh\necho tool\n",
    "README.md": "not copied by any Dockerfile\n",
  };
}

async function listTags(registry: string, repo: string): Promise<string[]> {
  const res = await fetch(`http://${registry}/v2/${repo}/tags/list`);
  if (res.status === 404) return [];
  const body = (await res.json()) as { tags: string[] | null };
  return body.tags ?? [];
}

function readReport(path: string): Report {
  return JSON.parse(readFileSync(path, "utf8")) as Report;
}

function expectSuccess(result: SlipwayResult): void {
  if (result.code !== 0) throw new Error(`slipway failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
}

describe("slipway build against the real Docker Engine and registry", () => {
  let repo: GitDir;
  let proxy: CountingProxy;
  let imageRepo: string;
  let reportDir: string;

  beforeAll(async () => {
    repo = makeGitDir(project(env.registry));
    proxy = await startCountingProxy(env.registry);
    imageRepo = uniqueName("e2e/build");
    reportDir = mkdtempSync(join(tmpdir(), "slipway-report-"));
  });

  afterAll(async () => {
    await proxy.close();
    repo.remove();
    rmSync(reportDir, { recursive: true, force: true });
  });

  const build = (extra: string[] = [], extraEnv: Record<string, string> = {}): Promise<SlipwayResult> =>
    runSlipway(["build", "--repo", `${proxy.address}/${imageRepo}`, ...extra], {
      cwd: repo.dir,
      env: { DOCKER_HOST: env.dockerHost, ...extraEnv },
    });

  let first: Report;

  it("builds and pushes every image on the first run, with dependency imports and werf's report", async () => {
    const reportPath = join(reportDir, "first.json");
    const result = await build(["--save-build-report", "--build-report-path", reportPath]);
    expectSuccess(result);
    expect(result.stdout).toContain("Building stage backend/dockerfile");
    expect(result.stdout).toContain("Building stage web/dockerfile");
    const tags = await listTags(env.registry, imageRepo);
    expect(tags).toHaveLength(3);
    for (const tag of tags) expect(tag).toMatch(TAG);

    first = readReport(reportPath);
    expect(Object.keys(first.Images).sort()).toEqual(["backend", "tool", "web"]);
    const backend = first.Images["backend"];
    const web = first.Images["web"];
    expect(backend?.Rebuilt).toBe(true);
    expect(backend?.DockerImageName).toBe(`${proxy.address}/${imageRepo}:${backend?.DockerTag}`);
    expect(backend?.DockerImageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(backend?.DockerImageID).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The build arg from the dependency import reached the dependant's build.
    expect(result.stdout).toContain(`backend is ${backend?.DockerImageName}`);
    expect(web?.DockerTag).not.toBe(backend?.DockerTag);

    // The .env form of the report.
    const envReport = join(reportDir, "first.env");
    const again = await build(["--save-build-report", "--build-report-path", envReport]);
    expectSuccess(again);
    const text = readFileSync(envReport, "utf8");
    expect(text).toContain(`WERF_BACKEND_DOCKER_IMAGE_NAME=${backend?.DockerImageName}\n`);
    expect(text).toContain(`WERF_WEB_DOCKER_TAG=${web?.DockerTag}\n`);
    expect(text).toContain("WERF_TOOL_FINAL=true\n");
  });

  it("builds nothing on an unchanged commit: one tag list and at most one manifest lookup per image", async () => {
    proxy.requests.length = 0;
    const reportPath = join(reportDir, "second.json");
    const result = await build(["--save-build-report", "--build-report-path", reportPath]);
    expectSuccess(result);
    expect(result.stdout).not.toContain("Building stage");
    expect(result.stdout.match(/Use previously built image for/g)).toHaveLength(3);
    const manifests = proxy.requests.filter((r) => r.path.includes("/manifests/"));
    expect(manifests.length).toBeLessThanOrEqual(3);
    const pushes = proxy.requests.filter((r) => r.method === "PUT" || r.method === "POST" || r.method === "PATCH");
    expect(pushes).toEqual([]);
    const tagLists = proxy.requests.filter((r) => r.path.includes("/tags/list"));
    expect(tagLists).toHaveLength(1);
    const second = readReport(reportPath);
    for (const name of ["backend", "web", "tool"]) {
      expect(second.Images[name]?.DockerTag).toBe(first.Images[name]?.DockerTag);
      expect(second.Images[name]?.Rebuilt).toBe(false);
    }
  });

  it("keeps every digest when a file no COPY takes changes", async () => {
    repo.write({ "README.md": "changed, still not copied\n" });
    repo.commit("readme");
    const reportPath = join(reportDir, "readme.json");
    expectSuccess(await build(["--save-build-report", "--build-report-path", reportPath]));
    const after = readReport(reportPath);
    for (const name of ["backend", "web", "tool"]) expect(after.Images[name]?.DockerTag).toBe(first.Images[name]?.DockerTag);
  });

  it("changes the digest of the image that COPYs a changed file and of its dependant, and no other", async () => {
    repo.write({ "backend/version.txt": "2\n" });
    repo.commit("backend v2");
    const reportPath = join(reportDir, "backend2.json");
    const result = await build(["--save-build-report", "--build-report-path", reportPath]);
    expectSuccess(result);
    const after = readReport(reportPath);
    const digestOf = (r: Report, name: string): string | undefined => r.Images[name]?.DockerTag.split("-")[0];
    expect(digestOf(after, "backend")).not.toBe(digestOf(first, "backend"));
    expect(digestOf(after, "web")).not.toBe(digestOf(first, "web"));
    expect(digestOf(after, "tool")).toBe(digestOf(first, "tool"));
    expect(after.Images["tool"]?.Rebuilt).toBe(false);
    expect(after.Images["backend"]?.Rebuilt).toBe(true);
  });

  it("refuses an uncommitted change to a COPYed file, naming it, and --dev builds it", async () => {
    const tagsBefore = await listTags(env.registry, imageRepo);
    // Unique content: the Docker Engine's layer cache is shared between runs, and a cached RUN prints nothing.
    const marker = `3 (uncommitted) ${uniqueName("run")}`;
    repo.write({ "backend/version.txt": `${marker}\n` });
    const refused = await build();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: the file "backend\/version.txt" must be committed\n/);
    expect(await listTags(env.registry, imageRepo)).toEqual(tagsBefore);

    const reportPath = join(reportDir, "dev.json");
    const dev = await build(["--dev", "--save-build-report", "--build-report-path", reportPath]);
    expectSuccess(dev);
    expect(dev.stdout).toContain(marker);
    expect(readReport(reportPath).Images["backend"]?.Rebuilt).toBe(true);
    repo.git("checkout", "--", "backend/version.txt");
  });

  it("--require-built-images fails with werf's explanation when an image is missing, and builds nothing", async () => {
    repo.write({ "tool.sh": "#!/bin/sh\necho tool v2\n" });
    repo.commit("tool v2");
    const tagsBefore = await listTags(env.registry, imageRepo);
    const result = await build(["-Z"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: stages required/);
    expect(result.stderr).toMatch(/tool\/dockerfile with digest [0-9a-f]{56} is not exist in repo/);
    expect(await listTags(env.registry, imageRepo)).toEqual(tagsBefore);
  });
});

describe("build failures", () => {
  it("a failing Dockerfile step: exit 1, the step's output shown last, nothing pushed", async () => {
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-fail\nconfigVersion: 1\n---\nimage: broken\ndockerfile: Dockerfile\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo "about to fail: disk is full" && exit 3\n`,
    });
    const imageRepo = uniqueName("e2e/fail");
    try {
      const result = await runSlipway(["build", "--repo", `${env.registry}/${imageRepo}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("about to fail: disk is full");
      expect(result.stdout).toMatch(/image broken \(\d+\.\d\d seconds\) FAILED/);
      expect(result.stderr).toMatch(/^Error: image "broken": docker build failed: .*returned a non-zero code: 3/);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(await listTags(env.registry, imageRepo)).toEqual([]);
    } finally {
      repo.remove();
    }
  });

  describe("a registry that refuses the credentials", () => {
    let registry: RegistryServer;
    beforeAll(async () => {
      registry = await startHtpasswdRegistry();
    });
    afterAll(async () => {
      await registry.stop();
    });

    it("gives one clear error naming the registry and where the credentials came from", async () => {
      const repo = makeGitDir({
        "werf.yaml": "project: e2e-auth\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n",
        Dockerfile: `FROM ${env.registry}/base/busybox\n`,
      });
      const dockerConfig = mkdtempSync(join(tmpdir(), "slipway-docker-config-"));
      writeFileSync(
        join(dockerConfig, "config.json"),
        JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${HTPASSWD_USER}:wrong-password`).toString("base64") } } }),
      );
      try {
        const result = await runSlipway(["build", "--repo", `${registry.host}/app`], {
          cwd: repo.dir,
          env: { DOCKER_HOST: env.dockerHost, DOCKER_CONFIG: dockerConfig },
        });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`registry ${registry.host} refused the credentials for "app"`);
        expect(result.stderr).toContain(join(dockerConfig, "config.json"));
        expect(result.stderr).not.toMatch(/\n\s+at /);
      } finally {
        repo.remove();
        rmSync(dockerConfig, { recursive: true, force: true });
      }
    });
  });
});

describe("BuildKit through the Engine API", () => {
  it("builds with DOCKER_BUILDKIT=1, shows BuildKit's step output, and pushes", async () => {
    const marker = uniqueName("buildkit-marker");
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-buildkit\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\ntarget: final\n",
      Dockerfile: [
        `FROM ${env.registry}/base/busybox AS build`,
        "COPY src/ /src/",
        'RUN echo "compiled $(cat /src/main.txt)" > /out.txt && cat /out.txt',
        `FROM ${env.registry}/base/busybox AS final`,
        "COPY --from=build /out.txt /out.txt",
        'CMD ["cat", "/out.txt"]',
        "",
      ].join("\n"),
      "src/main.txt": `${marker}\n`,
    });
    const imageRepo = uniqueName("e2e/buildkit");
    try {
      const result = await runSlipway(["build", "--repo", `${env.registry}/${imageRepo}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost, DOCKER_BUILDKIT: "1" },
      });
      expectSuccess(result);
      expect(result.stdout).toMatch(/#\d+ \[build 3\/3\] RUN echo/);
      expect(result.stdout).toContain(`compiled ${marker}`);
      const tags = await listTags(env.registry, imageRepo);
      expect(tags).toHaveLength(1);
      expect(tags[0]).toMatch(TAG);
    } finally {
      repo.remove();
    }
  });
});

describe("--final-repo, --use-build-report and --without-images", () => {
  it("copies final images to --final-repo under the same tag, and a saved report replaces the build", async () => {
    const repo = makeGitDir({
      "werf.yaml": [
        "project: e2e-final",
        "configVersion: 1",
        "---",
        "image: base",
        "dockerfile: base.Dockerfile",
        "final: false",
        "---",
        "image: app",
        "dockerfile: app.Dockerfile",
        "dependencies:",
        "- image: base",
        "  imports:",
        "  - {type: ImageName, targetBuildArg: BASE}",
        "",
      ].join("\n"),
      "base.Dockerfile": `FROM ${env.registry}/base/busybox\nRUN echo base > /base.txt\n`,
      "app.Dockerfile": "ARG BASE\nFROM $BASE\nRUN cat /base.txt\n",
    });
    const stages = uniqueName("e2e/stages");
    const final = uniqueName("e2e/final");
    const reportDir = mkdtempSync(join(tmpdir(), "slipway-final-"));
    const reportPath = join(reportDir, "report.json");
    try {
      const result = await runSlipway(
        ["build", "--repo", `${env.registry}/${stages}`, "--final-repo", `${env.registry}/${final}`, "--save-build-report", "--build-report-path", reportPath],
        { cwd: repo.dir, env: { DOCKER_HOST: env.dockerHost } },
      );
      expectSuccess(result);
      const report = readReport(reportPath);
      const app = report.Images["app"];
      const base = report.Images["base"];
      expect(app?.DockerImageName).toBe(`${env.registry}/${final}:${app?.DockerTag}`);
      expect(base?.Final).toBe(false);
      expect(base?.DockerImageName.startsWith(`${env.registry}/${stages}:`)).toBe(true);
      expect(await listTags(env.registry, final)).toEqual([app?.DockerTag]);
      expect((await listTags(env.registry, stages)).sort()).toEqual([app?.DockerTag, base?.DockerTag].sort());

      // --use-build-report: no registry lookup and no build; the report's images are used as they are.
      const reused = await runSlipway(["build", "--repo", "127.0.0.1:1/unreachable", "--use-build-report", "--build-report-path", reportPath], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expectSuccess(reused);
      expect(reused.stdout).not.toContain("image app");
      const noPath = await runSlipway(["build", "--repo", `${env.registry}/${stages}`, "--use-build-report"], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expect(noPath.code).toBe(1);
      expect(noPath.stderr).toBe("Error: build report path must be specified\n");

      // --without-images: nothing is processed, not even --repo is needed.
      const without = await runSlipway(["build", "--without-images"], { cwd: repo.dir, env: { DOCKER_HOST: env.dockerHost } });
      expectSuccess(without);
      expect(without.stdout).not.toContain("image app");
    } finally {
      repo.remove();
      rmSync(reportDir, { recursive: true, force: true });
    }
  });
});

describe("slipway converge runs the same build phase", () => {
  it("builds and pushes on the first run, builds nothing on the second, and deploys (then skips) the release", async () => {
    const repo = makeGitDir(project(env.registry));
    const proxy = await startCountingProxy(env.registry);
    const imageRepo = uniqueName("e2e/converge");
    const namespace = uniqueName("e2e-build-converge");
    const converge = (): Promise<SlipwayResult> =>
      runSlipway(["converge"], {
        cwd: repo.dir,
        // CI often configures werf through WERF_* variables only.
        env: {
          DOCKER_HOST: env.dockerHost,
          WERF_REPO: `${proxy.address}/${imageRepo}`,
          WERF_ENV: "test",
          WERF_NAMESPACE: namespace,
          KUBECONFIG: env.kubeconfig,
          WERF_KUBE_CONTEXT: env.context,
        },
      });
    try {
      const first = await converge();
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout.match(/Building stage \w+\/dockerfile/g)).toHaveLength(3);
      // The release name is werf's default `[[ project ]]-[[ env ]]`; the project has no chart, so werf's defaults apply.
      expect(first.stdout).toContain(`Succeeded release "e2e-build-test" (namespace: "${namespace}")`);
      expect(first.stdout).toMatch(/\nRunning time \d+\.\d\d seconds\n$/);
      expect(await listTags(env.registry, imageRepo)).toHaveLength(3);

      proxy.requests.length = 0;
      const second = await converge();
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`Skipped release "e2e-build-test" (namespace: "${namespace}"): cluster resources already as desired`);
      expect(second.stdout).not.toContain("Building stage");
      expect(proxy.requests.filter((r) => r.path.includes("/manifests/")).length).toBeLessThanOrEqual(3);
      expect(proxy.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD")).toEqual([]);
    } finally {
      await proxy.close();
      repo.remove();
      execFileSync(`${env.kubeBin}/kubectl`, ["--kubeconfig", env.kubeconfig, "--context", env.context, "delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]);
    }
  });
});

describe("contextAddFiles", () => {
  it("adds an untracked file from disk when giterminism allows it, and its content takes part in the digest", async () => {
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-add-files\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\ncontextAddFiles: [generated.txt]\n",
      "werf-giterminism.yaml": "giterminismConfigVersion: 1\nconfig:\n  dockerfile:\n    allowContextAddFiles: [generated.txt]\n",
      ".gitignore": "generated.txt\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nCOPY generated.txt /generated.txt\nRUN cat /generated.txt\n`,
    });
    const imageRepo = uniqueName("e2e/addfiles");
    const reportDir = mkdtempSync(join(tmpdir(), "slipway-addfiles-"));
    const build = async (content: string): Promise<Report> => {
      repo.write({ "generated.txt": content });
      const reportPath = join(reportDir, "r.json");
      const result = await runSlipway(["build", "--repo", `${env.registry}/${imageRepo}`, "--save-build-report", "--build-report-path", reportPath], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expectSuccess(result);
      expect(result.stdout).toContain(content.trim());
      return readReport(reportPath);
    };
    try {
      const first = await build(`generated ${uniqueName("a")}\n`);
      const second = await build(`generated ${uniqueName("b")}\n`);
      expect(second.Images["app"]?.DockerTag.split("-")[0]).not.toBe(first.Images["app"]?.DockerTag.split("-")[0]);
    } finally {
      repo.remove();
      rmSync(reportDir, { recursive: true, force: true });
    }
  });
});

describe("what the review found", () => {
  it("builds the Dockerfile the digest was computed from when giterminism allows an uncommitted one", async () => {
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-overlay\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n",
      "werf-giterminism.yaml": "giterminismConfigVersion: 1\nconfig:\n  dockerfile:\n    allowUncommitted: [Dockerfile]\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo committed-version\n`,
    });
    const marker = uniqueName("worktree-version");
    repo.write({ Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${marker}\n` });
    try {
      const result = await runSlipway(["build", "--repo", `${env.registry}/${uniqueName("e2e/overlay")}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expectSuccess(result);
      expect(result.stdout).toContain(marker);
      expect(result.stdout).not.toContain("committed-version");
    } finally {
      repo.remove();
    }
  });

  it("copies to --final-repo an image that is only in the registry (pulled first)", async () => {
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-final-pull\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${uniqueName("final-pull")} > /m\n`,
    });
    const stages = uniqueName("e2e/fp-stages");
    const final = uniqueName("e2e/fp-final");
    const reportDir = mkdtempSync(join(tmpdir(), "slipway-fp-"));
    try {
      const reportPath = join(reportDir, "r.json");
      expectSuccess(
        await runSlipway(["build", "--repo", `${env.registry}/${stages}`, "--save-build-report", "--build-report-path", reportPath], {
          cwd: repo.dir,
          env: { DOCKER_HOST: env.dockerHost },
        }),
      );
      const built = readReport(reportPath).Images["app"];
      await docker.getImage(built?.DockerImageName ?? "").remove({ force: true });
      const result = await runSlipway(["build", "--repo", `${env.registry}/${stages}`, "--final-repo", `${env.registry}/${final}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expectSuccess(result);
      expect(result.stdout).toContain("Use previously built image for app/dockerfile");
      expect(await listTags(env.registry, final)).toEqual([built?.DockerTag]);
    } finally {
      repo.remove();
      rmSync(reportDir, { recursive: true, force: true });
    }
  });

  it("exits 130 with the signal as the error when SIGINT stops a build", async () => {
    const repo = makeGitDir({
      "werf.yaml": "project: e2e-sigint\nconfigVersion: 1\n---\nimage: slow\ndockerfile: Dockerfile\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${uniqueName("slow")} && sleep 20\n`,
    });
    try {
      const result = await runSlipway(["build", "--repo", `${env.registry}/${uniqueName("e2e/sigint")}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
        signalAfterMs: { signal: "SIGINT", ms: 3000 },
      });
      expect(result.code).toBe(130);
      expect(result.stderr).toBe("Error: interrupted by SIGINT\n");
    } finally {
      repo.remove();
    }
  });
});

describe("a context larger than one read batch", () => {
  it("streams every file of the commit into the build", async () => {
    const files: Record<string, string> = {
      "werf.yaml": "project: e2e-big-context\nconfigVersion: 1\n---\nimage: app\ndockerfile: Dockerfile\n",
      Dockerfile: `FROM ${env.registry}/base/busybox\nCOPY data/ /data/\nRUN echo "files: $(ls /data | wc -l) ${uniqueName("count")}"\n`,
    };
    for (let i = 0; i < 700; i++) files[`data/f${i}.txt`] = `file ${i}\n`;
    const repo = makeGitDir(files);
    try {
      const result = await runSlipway(["build", "--repo", `${env.registry}/${uniqueName("e2e/big")}`], {
        cwd: repo.dir,
        env: { DOCKER_HOST: env.dockerHost },
      });
      expectSuccess(result);
      expect(result.stdout).toMatch(/files: 700 /);
    } finally {
      repo.remove();
    }
  });
});
