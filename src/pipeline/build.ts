/**
 * The first half of converge (and all of `slipway build`): open the Git work tree, choose where project files are
 * read from (the HEAD commit, the work-tree snapshot with --dev, or the file system with --loose-giterminism),
 * load werf-giterminism.yaml and werf.yaml, run the build phase, and write the build report.
 * Knows the order of these steps only; the work is done in config/, git/, build/, registry/ and container/.
 */
import { readFile, realpath, writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import type { BuildEvent, BuiltImage } from "../build/phase.js";
import { formatBuildTime, parseBuildReport, reportToEnvFile, reportToJson, type BuildReport, type ReportFormat } from "../build/report.js";
import type { ContainerEngine, RegistryAuth } from "../container/engine.js";
import { DEFAULT_GITERMINISM_CONFIG, isPathAllowed, parseGiterminismConfig, type GiterminismConfig } from "../config/giterminism.js";
import { selectImages, withDependencies } from "../config/images-to-process.js";
import { loadWerfConfig } from "../config/load.js";
import { IgnoreRules } from "../chart/helmignore.js";
import { lockedDependencyFiles, lockedLocalDependencyDirs, type DependencyContext } from "../chartdeps/manager.js";
import type { ChartFile } from "../chart/types.js";
import { chartDirOf, type WerfConfig } from "../config/werf-yaml.js";
import { SlipwayError } from "../errors.js";
import { ProjectFiles, UncommittedFileError, type FilesMode } from "../git/project-files.js";
import type { CommitInfo, GitRepo } from "../git/repo.js";
import type { RegistryClient } from "../registry/client.js";
import { parseReference } from "../registry/reference.js";
import { werfVersionForState } from "../version.js";

/** What the pipeline reads of the CLI's project group (where the project is, how its files are read). */
export interface ProjectPhaseOptions {
  readonly dir: string;
  readonly gitWorkTree: string;
  readonly config: string;
  readonly configTemplatesDir: string;
  readonly configRenderPath: string;
  readonly giterminismConfig: string;
  readonly dev: boolean;
  readonly looseGiterminism: boolean;
  readonly env: string;
  /** Overrides werf.yaml's project name ("" keeps it). */
  readonly projectName: string;
}

/** What the build phase reads of the CLI's build group. */
export interface BuildPhaseOptions {
  readonly repo: string;
  readonly finalRepo: string;
  readonly insecureRegistry: boolean;
  readonly skipTlsVerifyRegistry: boolean;
  readonly dockerConfig: string;
  readonly requireBuiltImages: boolean;
  readonly withoutImages: boolean;
  readonly useBuildReport: boolean;
  readonly saveBuildReport: boolean;
  readonly buildReportPath: string;
  readonly buildReportFormat: ReportFormat;
  readonly buildReportPathExplicit: boolean;
  readonly parallel: boolean;
  readonly parallelTasksLimit: number;
  readonly platform: readonly string[];
  readonly backendNetwork: string;
  /** Positional image arguments (globs, `!` excludes): build only these and their dependencies; [] builds all. */
  readonly imageNames: readonly string[];
}

export interface BuildPipelineOptions {
  readonly project: ProjectPhaseOptions;
  readonly build: BuildPhaseOptions;
  /** Read the chart (deploy.helmChartDir, default `.helm`) through the same project-files source as werf.yaml. */
  readonly readChart?: boolean;
}

/** The registry adapter with the credentials it was made with. */
export interface RegistryPort {
  readonly client: RegistryClient;
  authconfig(host: string): Promise<RegistryAuth>;
}

/** The I/O adapters, made by src/cli. Registry and engine are asked for only when images are checked or built. */
export interface BuildAdapters {
  readonly openGit: (dir: string) => Promise<GitRepo>;
  readonly registry: () => Promise<RegistryPort>;
  readonly engine: () => Promise<ContainerEngine>;
  /** Chart repositories, OCI registries and the download cache for the chart's locked dependencies. */
  readonly chartDependencies?: () => Promise<Omit<DependencyContext, "out">>;
}

export interface PipelineContext {
  readonly adapters: BuildAdapters;
  readonly cwd: string;
  readonly environ: Readonly<Record<string, string | undefined>>;
  readonly emit: (event: BuildEvent) => void;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => number;
}

export interface BuildPipelineResult {
  readonly config: WerfConfig;
  readonly project: string;
  readonly commit: CommitInfo;
  readonly images: readonly BuiltImage[];
  /** The repo the chart's `.Values.werf.repo` names: --final-repo if set, else --repo; "" without images. */
  readonly valuesRepo: string;
  readonly projectDir: string;
  readonly workTree: string;
  /** The chart's files (names relative to the chart dir), when `readChart` was asked; werf's defaults fill a missing Chart.yaml. */
  readonly chartFiles?: ChartFile[];
}

function toPosix(path: string): string {
  return path.split("\\").join("/");
}

async function readGiterminismConfig(files: ProjectFiles, path: string): Promise<GiterminismConfig> {
  let text: Buffer | undefined;
  try {
    text = await files.read(path);
  } catch (error) {
    // werf-giterminism.yaml itself must be committed: an uncommitted version is never accepted.
    if (error instanceof UncommittedFileError) {
      throw new SlipwayError(`the file ${JSON.stringify(path)} must be committed`, { code: "giterminism", location: { file: path } });
    }
    throw error;
  }
  return text === undefined ? DEFAULT_GITERMINISM_CONFIG : parseGiterminismConfig(text.toString("utf8"), path);
}

export async function runBuildPipeline(pipelineOptions: BuildPipelineOptions, ctx: PipelineContext): Promise<BuildPipelineResult> {
  const options = { ...pipelineOptions.project, ...pipelineOptions.build };
  const now = ctx.now ?? Date.now;
  const given = resolve(ctx.cwd, options.dir || ".");
  // git reports the work tree with symlinks resolved, so the project dir is compared in the same form.
  const projectDirAbs = await realpath(given).catch(() => given);
  const git = await ctx.adapters.openGit(options.gitWorkTree ? resolve(ctx.cwd, options.gitWorkTree) : projectDirAbs);
  try {
    const projectDir = toPosix(relative(git.workTree, projectDirAbs));
    if (projectDir.startsWith("..") || isAbsolute(projectDir)) {
      throw new SlipwayError(`the project dir ${JSON.stringify(projectDirAbs)} is outside the git work tree ${JSON.stringify(git.workTree)}`, {
        code: "usage",
      });
    }
    const mode: FilesMode = options.looseGiterminism ? "loose" : options.dev ? "dev" : "commit";
    let commit = await git.headCommit();
    let readCommit = commit.hash;
    if (options.dev) {
      const snapshot = await git.snapshotWorktree();
      readCommit = snapshot.commit;
      commit = { ...commit, hash: snapshot.commit };
    }
    const files = new ProjectFiles({ git, commit: readCommit, projectDir, mode });
    const giterminism = await readGiterminismConfig(files, options.giterminismConfig || "werf-giterminism.yaml");
    // --config is a path from the current directory (as werf takes it), turned into one inside the project dir.
    const configPath = options.config ? toPosix(relative(projectDirAbs, resolve(ctx.cwd, options.config))) : undefined;
    if (configPath?.startsWith("..")) {
      throw new SlipwayError(`the config file ${JSON.stringify(options.config)} must be inside the project dir ${JSON.stringify(projectDirAbs)}`, {
        code: "usage",
      });
    }
    const loaded = await loadWerfConfig({
      files,
      configPath,
      templatesDir: options.configTemplatesDir || undefined,
      env: options.env,
      environ: ctx.environ,
      giterminism,
      commit,
      dev: options.dev,
    });
    if (options.configRenderPath) await writeFile(resolve(ctx.cwd, options.configRenderPath), loaded.rendered);
    const project = options.projectName || loaded.config.meta.project;
    // Positional image names select what is built (and what the chart gets), as werf's ImagesToProcess.
    const config = options.imageNames.length === 0 ? loaded.config : { ...loaded.config, images: withDependencies(loaded.config.images, selectImages(loaded.config.images, options.imageNames)) };
    const chartDir = chartDirOf(config.meta);
    const chartFiles =
      pipelineOptions.readChart === true ? await withChartDependencies(await readChartFiles(files, chartDir, project, giterminism), chartDir, files, giterminism, ctx) : undefined;
    const result = { config, project, commit, projectDir, workTree: git.workTree, ...(chartFiles === undefined ? {} : { chartFiles }) };

    if (options.withoutImages || config.images.length === 0) return { ...result, images: [], valuesRepo: "" };
    if (options.useBuildReport) {
      if (!options.buildReportPathExplicit) throw new SlipwayError("build report path must be specified", { code: "usage" });
      const path = resolve(ctx.cwd, options.buildReportPath);
      let report: BuildReport;
      try {
        report = parseBuildReport(await readFile(path, "utf8"), options.buildReportFormat);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
        throw new SlipwayError(`--use-build-report: unable to read build report file ${JSON.stringify(path)}: ${reason}`, { code: "usage" });
      }
      const images = imagesFromReport(report, config);
      const absent = config.images.filter((i) => i.final && !images.some((b) => b.name === i.name)).map((i) => i.name);
      if (absent.length > 0) {
        throw new SlipwayError(`--use-build-report: the build report ${JSON.stringify(path)} has no image ${absent.map((n) => JSON.stringify(n)).join(", ")} of ${loaded.file}`, {
          code: "usage",
        });
      }
      return { ...result, images, valuesRepo: options.finalRepo || options.repo };
    }

    const registryPort = await ctx.adapters.registry();
    const registry = registryPort.client;
    try {
      const engine = await ctx.adapters.engine();
      // Like the Docker CLI: DOCKER_BUILDKIT chooses the builder, else the engine's default (its Builder-Version).
      const buildkitEnv = ctx.environ["DOCKER_BUILDKIT"];
      const builder =
        buildkitEnv === "1" || buildkitEnv === "true"
          ? "buildkit"
          : buildkitEnv === "0" || buildkitEnv === "false"
            ? "legacy"
            : await engine.defaultBuilder();
      // The build engine (digests, Dockerfile parsing, build contexts) is loaded only when there are images.
      const { runBuildPhase } = await import("../build/phase.js");
      const images = await runBuildPhase(
        config,
        {
          repo: options.repo,
          finalRepo: options.finalRepo || undefined,
          requireBuiltImages: options.requireBuiltImages,
          parallel: options.parallel,
          parallelTasksLimit: options.parallelTasksLimit,
          platform: options.platform,
          backendNetwork: options.backendNetwork || undefined,
          project,
          werfVersion: werfVersionForState(),
          commit,
          giterminism,
          dev: options.dev,
          configFile: loaded.file,
          builder,
          signal: ctx.signal,
        },
        {
          files,
          engine,
          registry,
          authconfig: (host) => registryPort.authconfig(host),
          now,
          emit: ctx.emit,
        },
      );
      if (options.saveBuildReport) {
        const report = buildReport(images, config);
        const path = resolve(ctx.cwd, options.buildReportPath);
        await writeFile(path, options.buildReportFormat === "envfile" ? reportToEnvFile(report) : reportToJson(report));
      }
      return { ...result, images, valuesRepo: options.finalRepo || options.repo };
    } finally {
      registry.close();
    }
  } finally {
    await git.close();
  }
}

/**
 * The chart as werf reads it: from the commit (or the --dev snapshot, or the file system when loose), honouring
 * .helmignore; a chart without Chart.yaml gets werf's defaults (apiVersion v2, the project name, version 1.0.0).
 */
async function readChartFiles(files: ProjectFiles, chartDir: string, project: string, giterminism: GiterminismConfig): Promise<ChartFile[]> {
  const dir = chartDir.replace(/\/+$/, "");
  const allowed = (path: string): boolean => isPathAllowed(giterminism.helm.allowUncommittedFiles, path);
  const paths = await files.list(dir, allowed);
  const read = await files.readAll(paths, allowed);
  const rel = (path: string): string => path.slice(dir.length + 1);
  let rules = new IgnoreRules();
  const ignore = read.get(`${dir}/.helmignore`);
  if (ignore instanceof UncommittedFileError) throw ignore;
  if (ignore !== undefined) rules = IgnoreRules.parse(ignore.toString("utf8"));
  rules.addDefaults();
  const out: ChartFile[] = [];
  for (const path of paths) {
    const data = read.get(path);
    if (data instanceof UncommittedFileError) throw data;
    if (data === undefined) continue;
    const name = rel(path);
    if (rules.ignore(name, false)) continue;
    out.push({ name, data });
  }
  if (!out.some((f) => f.name === "Chart.yaml")) {
    out.unshift({ name: "Chart.yaml", data: Buffer.from(`apiVersion: v2\nname: ${project}\nversion: 1.0.0\n`) });
  }
  return out;
}

/**
 * werf's dependency step at converge (nelm's LoadChartDependencies): with a committed Chart.lock, its file://
 * dependencies are read from the project like the chart itself, as `charts/<name>/`, and its remote ones come from
 * the download cache or their repository, as `charts/<name>-<version>.tgz`.
 */
async function withChartDependencies(chartFiles: ChartFile[], chartDir: string, files: ProjectFiles, giterminism: GiterminismConfig, ctx: PipelineContext): Promise<ChartFile[]> {
  if (!chartFiles.some((f) => f.name === "Chart.lock") && !/^dependencies:/m.test(Buffer.from(chartFiles.find((f) => f.name === "Chart.yaml")?.data ?? []).toString("utf8"))) return chartFiles;
  const out = [...chartFiles];
  for (const local of lockedLocalDependencyDirs(chartFiles, chartDir)) {
    const sub = await readChartFiles(files, local.dir, local.name, giterminism);
    out.push(...sub.map((f) => ({ name: `charts/${local.name}/${f.name}`, data: f.data })));
  }
  const deps = await ctx.adapters.chartDependencies?.();
  if (deps === undefined) return out;
  try {
    out.push(...(await lockedDependencyFiles(chartFiles, chartDir, { ...deps, out: () => undefined, warn: (text) => ctx.emit({ kind: "warning", text }) })));
  } finally {
    deps.sources.close();
  }
  return out;
}

export function buildReport(images: readonly BuiltImage[], config: WerfConfig): BuildReport {
  const records: BuildReport["Images"] = Object.fromEntries(
    images.map((image) => {
      const buildTime = formatBuildTime(image.buildMs);
      const configImage = config.images.find((i) => i.name === image.name);
      return [
        image.name,
        {
          WerfImageName: image.name,
          ConfigType: configImage?.staged ? "staged" : "dockerfile",
          DockerRepo: image.repo,
          DockerTag: image.tag,
          DockerImageID: image.imageId,
          DockerImageDigest: image.manifestDigest,
          DockerImageName: image.ref,
          TargetPlatform: image.platform,
          Rebuilt: image.rebuilt,
          Final: image.final,
          Size: image.size,
          BuildTime: buildTime,
          Commit: image.commit,
          Stages: [
            {
              Name: "dockerfile",
              DockerImageName: image.ref,
              DockerTag: image.tag,
              DockerImageID: image.imageId,
              DockerImageDigest: image.manifestDigest,
              CreatedAt: image.createdAtNs,
              Size: image.size,
              SourceType: image.rebuilt ? "" : "repo",
              BaseImagePulled: false,
              Rebuilt: image.rebuilt,
              BuildTime: image.rebuilt ? buildTime : "0.00",
              Commit: image.commit,
            },
          ],
        },
      ];
    }),
  );
  return { Runtime: { Backend: "docker", InContainer: false }, Images: records, ImagesByPlatform: {} };
}

function imagesFromReport(report: BuildReport, config: WerfConfig): BuiltImage[] {
  return Object.values(report.Images).map((record) => {
    const ref = parseReference(record.DockerImageName);
    return {
      name: record.WerfImageName,
      final: config.images.find((i) => i.name === record.WerfImageName)?.final ?? record.Final,
      digest: record.DockerTag.split("-")[0] ?? "",
      repo: record.DockerRepo,
      repository: { registry: ref.registry, path: ref.path },
      tag: record.DockerTag,
      ref: record.DockerImageName,
      imageId: record.DockerImageID,
      manifestDigest: record.DockerImageDigest,
      size: record.Size,
      rebuilt: false,
      buildMs: 0,
      commit: record.Commit,
      createdAtNs: 0,
      platform: record.TargetPlatform || "linux/amd64",
    };
  });
}
