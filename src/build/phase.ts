/**
 * The build phase of converge: for every Dockerfile image of werf.yaml, in dependency sets, compute werf v2's
 * content digest from the commit, look the digest up among the tags of `--repo`, and build (through the Docker
 * Engine API), tag `<digest>-<unix-ms>` and push only the images that are missing.
 *
 * Inputs: the parsed WerfConfig, ProjectFiles (giterminism), and the ports (ContainerEngine, RegistryClient,
 * credentials). Output: one BuiltImage per image, plus BuildEvents for the UI. No terminal output here.
 */
import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ContainerEngine, RegistryAuth } from "../container/engine.js";
import { ImageBuildError } from "../container/engine.js";
import type { DockerfileImage, WerfConfig } from "../config/werf-yaml.js";
import { asUncommittedFilesError, isPathAllowed, type GiterminismConfig } from "../config/giterminism.js";
import { SlipwayError } from "../errors.js";
import { copyInstructionChecksum, copySourcesMatch, filesChecksum, selectContextFiles, selectCopySources } from "../git/context.js";
import { contextAddFilesChecksums, listContextAddFiles, type ContextAddFilesOptions } from "../git/context-add-files.js";
import { goClean, goJoin, goRel } from "../git/gopath.js";
import { keepDockerfile, parseDockerignore } from "../git/dockerignore.js";
import type { ProjectFiles } from "../git/project-files.js";
import type { CommitInfo } from "../git/repo.js";
import type { RegistryClient } from "../registry/client.js";
import { parseRepository, type ImageRepository } from "../registry/reference.js";
import { tarEntry, tarEnd, type TarEntry } from "../util/tar.js";
import { contentTag, parseContentTag, planDockerfileDigest, type ContextChecksumRequest } from "./digest.js";
import { DockerfileSyntaxError } from "./dockerfile/parser.js";

export interface BuildPhaseOptions {
  /** `--repo`; required when there are images to process. */
  readonly repo: string | undefined;
  /** `--final-repo`: final images are copied there and the chart points at it. */
  readonly finalRepo?: string | undefined;
  /** `-Z`: check only; fail with werf's "stages required" explanation when something is missing. */
  readonly requireBuiltImages: boolean;
  readonly parallel: boolean;
  /** ≤ 0 means unlimited. */
  readonly parallelTasksLimit: number;
  /** `--platform` (each may hold a comma-separated list); more than one platform is refused. */
  readonly platform?: readonly string[] | undefined;
  /** `--backend-network`: overrides `network:` of every image. */
  readonly backendNetwork?: string | undefined;
  readonly project: string;
  readonly werfVersion: string;
  readonly commit: CommitInfo;
  readonly giterminism: GiterminismConfig;
  readonly dev: boolean;
  /** The builder the engine uses; "legacy" by default. */
  readonly builder?: "legacy" | "buildkit";
  /** The config file name for messages (werf.yaml). */
  readonly configFile: string;
  readonly signal?: AbortSignal | undefined;
}

export interface BuildPorts {
  readonly files: ProjectFiles;
  readonly engine: ContainerEngine;
  readonly registry: RegistryClient;
  readonly authconfig: (registry: string) => Promise<RegistryAuth>;
  readonly now: () => number;
  readonly emit: (event: BuildEvent) => void;
}

export interface BuiltImage {
  readonly name: string;
  readonly final: boolean;
  /** The werf v2 content digest (56 hex). */
  readonly digest: string;
  /** Where the chart finds the image: `--final-repo` for final images when set, else `--repo`. */
  readonly repo: string;
  readonly repository: ImageRepository;
  readonly tag: string;
  /** `<repo>:<tag>`. */
  readonly ref: string;
  /** The config digest (Docker's image ID). */
  readonly imageId: string;
  /** The manifest digest in the registry. */
  readonly manifestDigest: string;
  readonly size: number;
  readonly rebuilt: boolean;
  readonly buildMs: number;
  /** The `werf-project-repo-commit` label, when known. */
  readonly commit: string;
  readonly createdAtNs: number;
  /** The platform the image was built for (`linux/amd64` unless --platform or werf.yaml says otherwise). */
  readonly platform: string;
}

export type BuildEvent =
  | { readonly kind: "plan"; readonly sets: readonly (readonly string[])[]; readonly limit: number }
  | { readonly kind: "image-start"; readonly image: string; readonly index: number; readonly total: number; readonly final: boolean }
  | { readonly kind: "image-reused"; readonly image: string; readonly result: BuiltImage }
  | { readonly kind: "build-start"; readonly image: string }
  | { readonly kind: "build-output"; readonly image: string; readonly line: string }
  | { readonly kind: "push"; readonly image: string; readonly ref: string }
  | { readonly kind: "image-built"; readonly image: string; readonly result: BuiltImage }
  | { readonly kind: "image-failed"; readonly image: string; readonly error: unknown; readonly ms: number }
  | { readonly kind: "image-done"; readonly image: string; readonly ms: number }
  | { readonly kind: "warning"; readonly text: string };

/** The image sets werf builds one after another: Set #0 has no dependencies, Set #1 depends on #0, ... */
export function dependencySets(images: readonly DockerfileImage[]): string[][] {
  const level = new Map<string, number>();
  const byName = new Map(images.map((image) => [image.name, image]));
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const deps = byName.get(name)?.dependencies ?? [];
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depth(d.image)));
    level.set(name, value);
    return value;
  };
  const sets: string[][] = [];
  for (const image of images) {
    const d = depth(image.name);
    (sets[d] ??= []).push(image.name);
  }
  return sets.filter((set) => set.length > 0);
}

/** A `/`-separated path relative to the project, cleaned as Go does, with "" (not ".") for the project dir itself. */
function cleanRel(path: string): string {
  const clean = goClean(path);
  return clean === "." ? "" : clean;
}

function imageLabel(image: DockerfileImage): string {
  return image.name === "" ? "~" : image.name;
}

const STAGES_REQUIRED_CAUSES = `Possible reasons:
  - The build context or Dockerfile changed since the images were built: build them without --require-built-images.
  - The Dockerfile COPYs files that change on every commit (e.g. .git, generated files).
  - werf.yaml uses non-permanent data (env, date functions, generated files).
  - The images were removed from the repo by cleanup.
  - --require-built-images was given where a build was intended.`;

interface PreparedImage {
  readonly image: DockerfileImage;
  readonly digest: string;
  readonly contextRepoPath: string;
  readonly dockerignorePatterns: readonly string[] | undefined;
  readonly buildArgs: Record<string, string>;
  /** Files of the context whose bytes were read outside the commit (an allowed uncommitted Dockerfile or
   * .dockerignore): the archive carries exactly what the digest saw. Paths relative to the context. */
  readonly overlay: ReadonlyMap<string, Buffer>;
  readonly platform: string | undefined;
}

/** The one platform an image is built for: --platform, else the image's, else werf.yaml's `build.platform`. */
function effectivePlatform(image: DockerfileImage, config: WerfConfig, options: BuildPhaseOptions, where: { file: string; line: number }): string | undefined {
  const given = (options.platform ?? []).flatMap((p) => p.split(",")).map((p) => p.trim()).filter((p) => p !== "");
  if (given.length > 1) throw new SlipwayError(`--platform: multi-platform builds are not supported yet (platforms ${given.join(", ")})`, { code: "usage" });
  const list = given.length === 1 ? given : image.platform.length > 0 ? image.platform : config.meta.build.platform;
  if (list.length > 1) {
    throw new SlipwayError(`multi-platform builds are not supported yet (platforms ${list.join(", ")})`, {
      code: "config",
      location: { ...where, key: `image "${imageLabel(image)}": platform` },
    });
  }
  return list[0];
}

const DEFAULT_PLATFORM = "linux/amd64";

/** Runs the build phase; returns the images in werf.yaml order. */
export async function runBuildPhase(config: WerfConfig, options: BuildPhaseOptions, ports: BuildPorts): Promise<BuiltImage[]> {
  const images = config.images;
  if (images.length === 0) return [];
  if (options.repo === undefined || options.repo === "") {
    throw new SlipwayError("--repo=ADDRESS param required", { code: "usage" });
  }
  const repo = parseRepository(options.repo);
  const finalRepo = options.finalRepo ? parseRepository(options.finalRepo) : undefined;
  const results = new Map<string, BuiltImage>();
  const sets = dependencySets(images);
  const limit = !options.parallel ? 1 : options.parallelTasksLimit <= 0 ? Number.POSITIVE_INFINITY : options.parallelTasksLimit;
  if (images.length > 1 && options.parallel) ports.emit({ kind: "plan", sets, limit: options.parallelTasksLimit });

  let tagList: Promise<string[]> | undefined;
  const repoTags = (): Promise<string[]> => (tagList ??= ports.registry.listTags(repo));
  const missing: string[] = [];
  const failures: { image: string; error: unknown }[] = [];
  const digestLocks = new Map<string, Promise<void>>();
  let index = 0;
  const total = images.length;

  for (const set of sets) {
    const queue = set.map((name) => images.find((image) => image.name === name) as DockerfileImage);
    const runOne = async (image: DockerfileImage): Promise<void> => {
      const started = ports.now();
      ports.emit({ kind: "image-start", image: imageLabel(image), index: ++index, total, final: image.final });
      let release: (() => void) | undefined;
      try {
        const prepared = await prepareImage(image, config, options, ports, results);
        // Images with the same digest (an image list, or equal Dockerfiles) wait for each other, so the
        // second one finds what the first one pushed instead of building it again.
        const previous = digestLocks.get(prepared.digest);
        const done = new Promise<void>((resolve) => (release = resolve));
        digestLocks.set(prepared.digest, previous ? previous.then(() => done) : done);
        await previous;
        const existing = await findExisting(prepared.digest, repo, ports, repoTags);
        if (existing) {
          const result = describe(prepared, repo, existing, false, 0);
          results.set(image.name, result);
          ports.emit({ kind: "image-reused", image: imageLabel(image), result });
        } else if (options.requireBuiltImages) {
          missing.push(`${imageLabel(image)}/dockerfile with digest ${prepared.digest} is not exist in repo`);
        } else {
          const result = await buildAndPush(prepared, repo, options, ports);
          (await repoTags()).push(result.tag);
          results.set(image.name, result);
          ports.emit({ kind: "image-built", image: imageLabel(image), result });
        }
        ports.emit({ kind: "image-done", image: imageLabel(image), ms: ports.now() - started });
      } catch (error) {
        failures.push({ image: imageLabel(image), error });
        ports.emit({ kind: "image-failed", image: imageLabel(image), error, ms: ports.now() - started });
      } finally {
        release?.();
      }
    };
    // A pool of `limit` workers takes the set's images in order.
    const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (options.signal?.aborted) return;
        await runOne(next);
      }
    });
    await Promise.all(workers);
    options.signal?.throwIfAborted();
    // A missing image under -Z leaves its dependants without the dependency's tag: stop after this set.
    if (failures.length > 0 || missing.length > 0) break;
  }

  const firstFailure = failures[0];
  if (firstFailure) {
    const { image, error } = firstFailure;
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof SlipwayError && (error.code === "config" || error.code === "giterminism")) throw error;
    throw new SlipwayError(`image "${image}"`, { code: "build", cause: error });
  }
  if (missing.length > 0) {
    throw new SlipwayError(`stages required\n\n${missing.map((m) => `  - ${m}`).join("\n")}\n\n${STAGES_REQUIRED_CAUSES}`, {
      code: "build",
    });
  }

  const ordered = images.map((image) => results.get(image.name) as BuiltImage);
  if (!finalRepo) return ordered;
  // --final-repo: final images are copied there under the same tag, and the chart points at them.
  const copied: BuiltImage[] = [];
  for (const built of ordered) {
    if (!built.final) {
      copied.push(built);
      continue;
    }
    copied.push(await copyToFinalRepo(built, finalRepo, ports));
  }
  return copied;
}

async function prepareImage(
  image: DockerfileImage,
  config: WerfConfig,
  options: BuildPhaseOptions,
  ports: BuildPorts,
  results: ReadonlyMap<string, BuiltImage>,
): Promise<PreparedImage> {
  const files = ports.files;
  const g = options.giterminism.config;
  const contextDir = cleanRel(image.context);
  const dockerfilePath = goJoin(contextDir, image.dockerfile);
  const where = { file: options.configFile, line: image.line };
  let dockerfile: Buffer | undefined;
  let dockerignorePatterns: string[] | undefined;
  const overlay = new Map<string, Buffer>();
  const platform = effectivePlatform(image, config, options, where);
  try {
    dockerfile = await files.read(dockerfilePath, (p) => isPathAllowed(g.dockerfile.allowUncommitted, p));
    if (dockerfile === undefined) {
      throw new SlipwayError(`the dockerfile ${JSON.stringify(dockerfilePath)} not found in the project git repository`, {
        code: "config",
        location: { ...where, key: `image "${imageLabel(image)}": dockerfile` },
      });
    }
    for (const candidate of [`${cleanRel(image.dockerfile)}.dockerignore`, ".dockerignore"]) {
      const path = goJoin(contextDir, candidate);
      const text = await files.read(path, (p) => isPathAllowed(g.dockerfile.allowUncommittedDockerignoreFiles, p));
      if (text === undefined) continue;
      overlay.set(candidate, text);
      const kept = keepDockerfile(parseDockerignore(text), cleanRel(image.dockerfile));
      if (kept.warning) ports.emit({ kind: "warning", text: kept.warning.trimEnd() });
      dockerignorePatterns = kept.patterns;
      break;
    }
  } catch (error) {
    throw asUncommittedFilesError(error, options.dev);
  }

  const dependencyArgs: Record<string, string> = {};
  for (const dep of image.dependencies) {
    const built = results.get(dep.image);
    if (!built) throw new SlipwayError(`image "${dep.image}" was not built before "${imageLabel(image)}"`, { code: "internal" });
    for (const imp of dep.imports) {
      dependencyArgs[imp.targetBuildArg] = {
        ImageName: built.ref,
        ImageTag: built.tag,
        ImageRepo: built.repo,
        ImageID: built.imageId,
        ImageDigest: built.manifestDigest,
      }[imp.type];
    }
  }

  let plan;
  try {
    plan = planDockerfileDigest({
      dockerfile: dockerfile.toString("utf8"),
      dockerfilePath,
      target: image.target,
      args: image.args,
      dependencyArgs,
      addHost: image.addHost,
      cacheVersion: image.cacheVersion ?? config.meta.build.cacheVersion,
      platform,
    });
  } catch (error) {
    if (error instanceof DockerfileSyntaxError) {
      throw new SlipwayError(error.message, { code: "config", cause: error });
    }
    throw new SlipwayError(`unable to parse ${dockerfilePath}`, { code: "config", cause: error });
  }

  const index = await files.treeIndex();
  const contextRepoPath = files.repoPath(contextDir);
  // Giterminism: every file a COPY/ADD takes from the context must be committed (werf checks all stages).
  const projectPrefix = files.options.projectDir === "" ? "" : `${files.options.projectDir}/`;
  const copied = new Set<string>();
  for (const source of plan.contextSources) {
    for (const entry of selectCopySources(index, { context: contextRepoPath, sources: source.sources, dockerignorePatterns })) {
      copied.add(entry.path.slice(projectPrefix.length));
    }
  }
  const contextAddFiles = image.contextAddFiles.map((f) => goJoin(contextDir, cleanRel(f)));
  for (const path of contextAddFiles) {
    if (!isPathAllowed(g.dockerfile.allowContextAddFiles, path)) {
      throw new SlipwayError(
        `contextAddFiles: the path ${JSON.stringify(path)} must be allowed by config.dockerfile.allowContextAddFiles in werf-giterminism.yaml`,
        { code: "giterminism", location: { ...where, key: `image "${imageLabel(image)}": contextAddFiles` } },
      );
    }
  }
  // Files that are new in the work tree are not in the commit's tree: match them against the COPY/ADD sources.
  const changes = await files.changes();
  for (const [repoPath, change] of changes) {
    if (!repoPath.startsWith(projectPrefix) || (change.kind !== "untracked" && change.kind !== "added")) continue;
    const rel = repoPath.slice(projectPrefix.length);
    if (contextAddFiles.some((f) => rel === f || rel.startsWith(`${f}/`))) continue;
    const taken = plan.contextSources.some((source) =>
      copySourcesMatch({ context: contextRepoPath, sources: source.sources, dockerignorePatterns }, repoPath),
    );
    if (taken) copied.add(rel);
  }
  try {
    await files.requireCommitted([...copied], (p) => isPathAllowed(g.dockerfile.allowUncommitted, p));
  } catch (error) {
    throw asUncommittedFilesError(error, options.dev);
  }

  const addFilesChecksum = contextAddFiles.length === 0 ? undefined : await contextAddFilesDigest(files, image, plan.contextSources);
  const result = plan.digest({
    contextChecksum: (request: ContextChecksumRequest) =>
      filesChecksum(copyInstructionChecksum(index, { context: contextRepoPath, sources: request.sources, dockerignorePatterns }).entries),
    ...(addFilesChecksum === undefined ? {} : { contextAddFilesChecksum: (request: ContextChecksumRequest) => addFilesChecksum(request.sources) }),
  });
  overlay.set(cleanRel(image.dockerfile), dockerfile);
  return {
    image,
    digest: result.digest,
    contextRepoPath,
    dockerignorePatterns,
    buildArgs: { ...image.args, ...dependencyArgs },
    overlay,
    platform,
  };
}

/**
 * werf's `ContextAddFilesChecksum` per COPY/ADD source list (see ../git/context-add-files.ts), computed up front for
 * every list of the Dockerfile because the digest callbacks are synchronous.
 */
async function contextAddFilesDigest(
  files: ProjectFiles,
  image: DockerfileImage,
  requests: readonly ContextChecksumRequest[],
): Promise<(sources: readonly string[]) => string> {
  return contextAddFilesChecksums(addFilesOptions(files, image), requests.map((request) => request.sources));
}

interface ExistingImage {
  readonly tag: string;
  readonly manifestDigest: string;
  readonly imageId: string;
  /** Sum of the compressed layer sizes, as the registry reports them. */
  readonly size: number;
  readonly createdAtNs: number;
  readonly commit: string;
}

/**
 * The oldest `<digest>-<ts>` tag of the repo that has no `-rejected` twin, described with one manifest request
 * (plus its config blob, for the labels and the creation time).
 */
async function findExisting(
  digest: string,
  repo: ImageRepository,
  ports: BuildPorts,
  repoTags: () => Promise<string[]>,
): Promise<ExistingImage | undefined> {
  const tags = await repoTags();
  const rejected = new Set(tags.filter((t) => t.endsWith("-rejected")).map((t) => t.slice(0, -"-rejected".length)));
  const candidates = tags
    .map((tag) => ({ tag, parsed: parseContentTag(tag) }))
    .filter((c) => c.parsed?.digest === digest && !rejected.has(c.tag))
    .sort((a, b) => (a.parsed?.unixMillis ?? 0) - (b.parsed?.unixMillis ?? 0));
  for (const candidate of candidates) {
    const found = await describeInRegistry(repo, candidate.tag, ports);
    if (found) return found;
  }
  return undefined;
}

async function describeInRegistry(repo: ImageRepository, tag: string, ports: BuildPorts): Promise<ExistingImage | undefined> {
  const description = await ports.registry.getImageConfig(repo, tag);
  if (!description) return undefined;
  const created = Date.parse(description.created ?? "");
  return {
    tag,
    manifestDigest: description.manifestDigest,
    imageId: description.configDigest,
    size: description.size,
    createdAtNs: Number.isNaN(created) ? (parseContentTag(tag)?.unixMillis ?? 0) * 1e6 : created * 1e6,
    commit: description.labels["werf-project-repo-commit"] ?? "",
  };
}

function describe(
  prepared: PreparedImage,
  repo: ImageRepository,
  found: ExistingImage,
  rebuilt: boolean,
  buildMs: number,
): BuiltImage {
  const repoText = `${repo.registry}/${repo.path}`;
  return {
    name: prepared.image.name,
    final: prepared.image.final,
    digest: prepared.digest,
    repo: repoText,
    repository: repo,
    tag: found.tag,
    ref: `${repoText}:${found.tag}`,
    imageId: found.imageId,
    manifestDigest: found.manifestDigest,
    size: found.size,
    rebuilt,
    buildMs,
    commit: found.commit,
    createdAtNs: found.createdAtNs,
    platform: prepared.platform ?? DEFAULT_PLATFORM,
  };
}

function addFilesOptions(files: ProjectFiles, image: DockerfileImage): ContextAddFilesOptions {
  return {
    projectDirAbs: join(files.git.workTree, files.options.projectDir),
    projectDirInRepo: files.options.projectDir,
    context: image.context,
    contextAddFiles: image.contextAddFiles,
  };
}

/**
 * The build context as werf sends it: the commit's files under the context (minus .dockerignore), with what was
 * read outside the commit on top — an allowed uncommitted Dockerfile or .dockerignore (exactly the bytes the
 * digest saw) and the contextAddFiles from disk, which replace the commit's files at their paths.
 */
async function buildContextArchive(prepared: PreparedImage, files: ProjectFiles): Promise<Readable> {
  const index = await files.treeIndex();
  const contextDir = cleanRel(prepared.image.context);
  const fromDisk = new Map<string, { data: Buffer; mode: number } | { link: string }>();
  for (const added of await listContextAddFiles(addFilesOptions(files, prepared.image))) {
    const name = goRel(contextDir, added.path);
    const info = await lstat(added.abs);
    fromDisk.set(
      name,
      info.isSymbolicLink() ? { link: await readlink(added.abs) } : { data: await readFile(added.abs), mode: info.mode & 0o111 ? 0o755 : 0o644 },
    );
  }
  for (const [name, data] of prepared.overlay) fromDisk.set(name, { data, mode: 0o644 });
  const addedDirs = prepared.image.contextAddFiles.map((f) => cleanRel(f));
  const replaced = (name: string): boolean => fromDisk.has(name) || addedDirs.some((d) => name.startsWith(`${d}/`));

  const entries = selectContextFiles(index, prepared.contextRepoPath, prepared.dockerignorePatterns).filter((e) => e.type === "blob");
  const prefix = prepared.contextRepoPath === "" ? "" : `${prepared.contextRepoPath}/`;
  const kept = entries.filter((e) => !replaced(e.path.slice(prefix.length)));

  // Streamed: the Git objects are read in batches while the engine consumes the archive, so a large context
  // never sits in memory whole.
  async function* archive(): AsyncGenerator<Buffer> {
    for (let start = 0; start < kept.length; start += CONTEXT_BATCH) {
      const batch = kept.slice(start, start + CONTEXT_BATCH);
      const blobs = await files.git.readBlobs(batch.map((e) => e.objectId));
      for (const entry of batch) {
        const data = blobs.get(entry.objectId) ?? Buffer.alloc(0);
        const name = entry.path.slice(prefix.length);
        const tar: TarEntry =
          entry.mode === "120000"
            ? { name, data: Buffer.alloc(0), type: "symlink", linkname: data.toString("utf8") }
            : { name, data, mode: entry.mode === "100755" ? 0o755 : 0o644 };
        yield* tarEntry(tar);
      }
    }
    for (const [name, file] of fromDisk) {
      yield* tarEntry("link" in file ? { name, data: Buffer.alloc(0), type: "symlink", linkname: file.link } : { name, data: file.data, mode: file.mode });
    }
    yield tarEnd();
  }
  return Readable.from(archive(), { objectMode: false });
}

/** How many Git objects are read at once while the build context is streamed. */
const CONTEXT_BATCH = 256;

async function buildAndPush(
  prepared: PreparedImage,
  repo: ImageRepository,
  options: BuildPhaseOptions,
  ports: BuildPorts,
): Promise<BuiltImage> {
  const { image, digest } = prepared;
  const started = ports.now();
  ports.emit({ kind: "build-start", image: imageLabel(image) });
  const context = await buildContextArchive(prepared, ports.files);
  const tag = contentTag(digest, ports.now());
  const repoText = `${repo.registry}/${repo.path}`;
  const ref = `${repoText}:${tag}`;
  const labels: Record<string, string> = {
    werf: options.project,
    "werf-version": options.werfVersion,
    "werf-stage-content-digest": digest,
    "werf-project-repo-commit": options.commit.hash,
  };
  const network = options.backendNetwork ?? image.network;
  try {
    await ports.engine.build({
      context,
      dockerfile: cleanRel(image.dockerfile),
      tags: [ref],
      buildArgs: prepared.buildArgs,
      labels,
      ...(image.target === undefined ? {} : { target: image.target }),
      ...(network === undefined ? {} : { network }),
      ...(image.addHost.length > 0 ? { extraHosts: image.addHost } : {}),
      ...(prepared.platform === undefined ? {} : { platform: prepared.platform }),
      builder: options.builder ?? "legacy",
      onProgress: (event) => ports.emit({ kind: "build-output", image: imageLabel(image), line: event.text }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof ImageBuildError) throw new SlipwayError(`docker build failed: ${error.message}`, { code: "build", cause: error });
    throw error;
  }
  ports.emit({ kind: "push", image: imageLabel(image), ref });
  await ports.engine.push({ reference: ref, auth: await ports.authconfig(repo.registry) });
  // Described from the registry, as a reused image is, so reports say the same thing either way.
  const pushed = await describeInRegistry(repo, tag, ports);
  if (!pushed) throw new SlipwayError(`the registry does not show ${ref} after the push`, { code: "registry" });
  return describe(prepared, repo, pushed, true, ports.now() - started);
}

async function copyToFinalRepo(built: BuiltImage, finalRepo: ImageRepository, ports: BuildPorts): Promise<BuiltImage> {
  const finalText = `${finalRepo.registry}/${finalRepo.path}`;
  const ref = `${finalText}:${built.tag}`;
  const existing = await ports.registry.headManifest(finalRepo, built.tag);
  let manifestDigest = existing?.digest;
  if (!existing) {
    // The image is in the local engine when it was just built; otherwise it is pulled from --repo first.
    if (!(await ports.engine.inspectImage(built.ref))) {
      await ports.engine.pull(built.ref, await ports.authconfig(built.repository.registry));
    }
    await ports.engine.tag(built.ref, ref);
    manifestDigest = (await ports.engine.push({ reference: ref, auth: await ports.authconfig(finalRepo.registry) })).digest;
  }
  return { ...built, repo: finalText, repository: finalRepo, ref, manifestDigest: manifestDigest ?? built.manifestDigest };
}
