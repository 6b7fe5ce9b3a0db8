/**
 * @module build/digest
 *
 * werf v2's content digest of a Dockerfile image, reproduced from werf's source:
 * - `pkg/build/stage/full_dockerfile.go` `GetDependencies`: one dependency list per Dockerfile stage (addHost
 *   values, the resolved FROM, one entry per instruction, a files checksum per COPY/ADD without `--from`), the
 *   lists of the stages a stage uses appended to it, the target stage's list plus `cacheVersion` hashed with
 *   SHA-256 into `stageDependencies`;
 * - `pkg/build/build_phase.go` `calculateDigest`: `SHA3-224(join([platform unless linux/amd64, "1.2", stage name,
 *   stageDependencies, prev digest, prev next-stage deps], ":::"))`;
 * - `pkg/build/stage/image_spec.go` for the optional `imageSpec` stage that follows.
 *
 * Takes the Dockerfile text, the image's werf.yaml settings, dependency import values and a callback that
 * checksums context files (implemented elsewhere over `git ls-tree`); gives the 56-hex digest, the dependency list
 * behind it and the COPY/ADD sources giterminism must check. Pure: no I/O. Imports only `src/errors.ts` and
 * `src/build/dockerfile`.
 */

import { createHash } from "node:crypto";
import { posix } from "node:path";
import { SlipwayError } from "../errors.js";
import { parseReference } from "../registry/reference.js";
import {
  type CopyInstruction,
  type Dockerfile,
  type Instruction,
  DockerfileSyntaxError,
  parseDockerfile,
  parseDockerfileAst,
  parseInstructionNode,
} from "./dockerfile/parser.js";
import { DEFAULT_PLATFORM, normalizePlatform, platformArgs, processWord } from "./dockerfile/shell-lex.js";

/** werf's `image.BuildCacheVersion`: the second input of every stage digest. */
export const BUILD_CACHE_VERSION = "1.2";

/** The stage name of a non-staged Dockerfile image's only build stage. */
export const DOCKERFILE_STAGE = "dockerfile";

/** werf `util.Sha256Hash`: hex SHA-256 of the arguments joined with `:::`. */
export function sha256Hash(...args: readonly string[]): string {
  return createHash("sha256").update(args.join(":::"), "utf8").digest("hex");
}

/** werf `util.Sha3_224Hash`: hex SHA3-224 of the arguments joined with `:::`. */
export function sha3_224Hash(...args: readonly string[]): string {
  return createHash("sha3-224").update(args.join(":::"), "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs and outputs

/** What the context-checksum callback is asked for: the files one COPY/ADD takes from the build context. */
export interface ContextChecksumRequest {
  /**
   * The sources as werf's path matcher gets them (`NormalizeCopyAddSourcesForPathMatcher`): ARG/ENV expanded,
   * `path.Clean`ed, `/` turned into `.`, the leading `/` dropped. Globs relative to the context directory.
   */
  readonly globs: readonly string[];
  /** The same sources after ARG/ENV expansion, before normalization. */
  readonly sources: readonly string[];
  readonly instruction: "COPY" | "ADD";
  /** The instruction text. */
  readonly code: string;
  readonly line: number;
  readonly stageIndex: number;
  /** The stage's `AS` name, "" when unnamed. */
  readonly stageName: string;
  /** The COPY/ADD is the trigger of an ONBUILD. */
  readonly onbuild: boolean;
}

/**
 * Returns werf's git checksum for the request (`LocalGitRepo().GetOrCreateChecksum` over the HEAD commit's files
 * under the context that match `globs`, minus `.dockerignore`). The digest code hashes it once more, as werf does.
 */
export type ContextChecksumFn = (request: ContextChecksumRequest) => string;

/** A COPY/ADD source list, reported for giterminism (werf inspects these for every stage, used or not). */
export interface ContextSource extends ContextChecksumRequest {
  /** Its checksum is part of the target's digest. */
  readonly usedByTarget: boolean;
}

export interface DockerfileDigestInput {
  /** The Dockerfile text (from the commit, under giterminism). */
  readonly dockerfile: string;
  /** The Dockerfile path for messages, e.g. `app/Dockerfile`. */
  readonly dockerfilePath: string;
  /** `target:`; the last stage when absent. */
  readonly target?: string | undefined;
  /** werf.yaml `args:`, values already stringified. */
  readonly args?: Readonly<Record<string, string>> | undefined;
  /** Dependency import values by `targetBuildArg` (`ImageName` = `repo:tag`, `ImageTag`, ...). */
  readonly dependencyArgs?: Readonly<Record<string, string>> | undefined;
  /** `addHost:` values. */
  readonly addHost?: readonly string[] | undefined;
  /** The image's `cacheVersion`, else `build.cacheVersion`. */
  readonly cacheVersion?: string | undefined;
  /** The target platform (`linux/arm64`); linux/amd64 when absent, and then not part of the digest. */
  readonly platform?: string | undefined;
  /** The platform werf runs on, for `BUILDPLATFORM` & co. Defaults to linux/amd64. */
  readonly buildPlatform?: string | undefined;
}

export interface DockerfileDigestCallbacks {
  readonly contextChecksum: ContextChecksumFn;
  /**
   * Only when the image has `contextAddFiles`: werf's `ContextAddFilesChecksum` for the same sources ("" when
   * none of the added files match). A non-empty result is folded in as `sha256(checksum, addFilesChecksum)`.
   */
  readonly contextAddFilesChecksum?: ContextChecksumFn | undefined;
}

export interface DockerfileDigestResult {
  /** 56 hex characters. */
  readonly digest: string;
  /** SHA-256 of the dependency list (werf's `stageDependencies`). */
  readonly stageDependencies: string;
  /** The list behind `stageDependencies`, as `WERF_DEBUG_DOCKERFILE_STAGE_DEPENDENCIES=1` prints it. */
  readonly dependencies: readonly string[];
  /** The platform string that went into the digest, if any. */
  readonly platformInput?: string;
}

export interface DockerfileDigestPlan {
  readonly dockerfile: Dockerfile;
  readonly targetStageIndex: number;
  /** Stages whose dependency lists end up in the target's (the target included), ascending. */
  readonly usedStages: readonly number[];
  /** Every COPY/ADD of the Dockerfile that reads the build context, in file order. */
  readonly contextSources: readonly ContextSource[];
  /** Resolves the context checksums the target needs (only those) and computes the digest. */
  digest(callbacks: DockerfileDigestCallbacks): DockerfileDigestResult;
}

// ---------------------------------------------------------------------------------------------------------------
// The dockerfile stage

interface LazyChecksum {
  readonly request: ContextChecksumRequest;
  used: boolean;
}

type Dep = string | LazyChecksum;

/**
 * Parses and resolves the Dockerfile the way werf's `FullDockerfileStage.GetDependencies` does, up to the
 * context checksums, which are left for {@link DockerfileDigestPlan.digest}.
 */
export function planDockerfileDigest(input: DockerfileDigestInput): DockerfileDigestPlan {
  const file = input.dockerfilePath;
  const dockerfile = parseDockerfile(input.dockerfile, { file });
  const stages = dockerfile.stages;
  if (stages.length === 0) {
    throw new SlipwayError(`unable to parse dockerfile ${file}: no build stage in current context`, { code: "build" });
  }

  const targetStageIndex = targetIndex(dockerfile, input.target);
  const targetPlatform = input.platform === undefined || input.platform === "" ? undefined : normalizePlatform(input.platform);
  const buildArgs = new Map(Object.entries(input.args ?? {}));
  const dependencyArgs = new Map(Object.entries(input.dependencyArgs ?? {}));
  const addHost = input.addHost ?? [];

  // werf resolves `--from` stage names to indices once (frontend.ResolveDockerStagesFromValue).
  const nameToIndex = new Map<string, number>();
  stages.forEach((s, i) => {
    const name = s.name.toLowerCase();
    if (name !== String(i)) nameToIndex.set(name, i);
  });
  const fromRef = (from: string): string => {
    const i = nameToIndex.get(from.toLowerCase());
    return i === undefined ? from : String(i);
  };

  const shlex = (value: string, env: ReadonlyMap<string, string>, line: number): string => {
    try {
      return processWord(value, env);
    } catch (err) {
      throw new DockerfileSyntaxError(err instanceof Error ? err.message : String(err), file, line);
    }
  };

  // Meta ARGs: dependency arg, then werf.yaml arg, then the default expanded with the meta ARGs resolved so far
  // (platform ARGs are merged in only afterwards, and a bare `ARG X` resolves to "" and shadows them).
  const resolvedMeta = new Map<string, string>();
  for (const cmd of dockerfile.metaArgs) {
    for (const arg of cmd.args) {
      const key = shlex(arg.key, resolvedMeta, cmd.line);
      const value =
        dependencyArgs.get(key) ?? buildArgs.get(key) ?? shlex(arg.value ?? "", resolvedMeta, cmd.line);
      resolvedMeta.set(key, value);
    }
  }
  const metaScope = platformArgs(targetPlatform, input.buildPlatform);
  for (const [k, v] of resolvedMeta) metaScope.set(k, v);

  const contextSources: LazyChecksum[] = [];
  const stageDeps: Dep[][] = [];
  const stageOnbuildDeps: Dep[][] = [];

  stages.forEach((stage, index) => {
    const stageArgs = new Map<string, string>();
    const stageEnvs = new Map<string, string>();
    // werf's toArgsArray: a stage ARG shadows an ENV of the same name.
    const argsAndEnvs = (): Map<string, string> => new Map([...stageEnvs, ...stageArgs]);

    const checksum = (cmd: CopyInstruction, sources: string[], onbuild: boolean): LazyChecksum => {
      const lazy: LazyChecksum = {
        request: {
          globs: normalizeSourcesForPathMatcher(sources),
          sources,
          instruction: cmd.kind === "copy" ? "COPY" : "ADD",
          code: cmd.code,
          line: cmd.line,
          stageIndex: index,
          stageName: stage.name,
          onbuild,
        },
        used: false,
      };
      contextSources.push(lazy);
      return lazy;
    };

    const instructionDeps = (cmd: Instruction, onbuild: boolean): { deps: Dep[]; onbuildDeps: Dep[] } => {
      const resolve = (value: string): string => shlex(value, onbuild ? stageEnvs : argsAndEnvs(), cmd.line);
      const deps: Dep[] = [];
      const onbuildDeps: Dep[] = [];
      switch (cmd.kind) {
        case "arg":
          for (const arg of cmd.args) {
            const value = arg.value ?? "";
            if (onbuild) {
              deps.push(`ARG ${resolve(arg.key)}=${resolve(value)}`);
              continue;
            }
            const key = resolve(arg.key);
            const resolved =
              dependencyArgs.get(key) ??
              buildArgs.get(key) ??
              (value === "" ? (metaScope.get(key) ?? "") : resolve(value));
            stageArgs.set(key, resolved);
            deps.push(`ARG ${key}=${resolved}`);
          }
          break;
        case "env":
          for (const kv of cmd.env) {
            const key = resolve(kv.key);
            const value = resolve(kv.value);
            if (!onbuild) stageEnvs.set(key, value);
            deps.push(`ENV ${key}=${value}`);
          }
          break;
        case "add":
        case "copy":
          deps.push(cmd.code);
          if (cmd.kind === "add" || cmd.from === undefined || cmd.from === "") {
            deps.push(checksum(cmd, cmd.sources.map(resolve), onbuild));
          }
          break;
        case "onbuild": {
          const trigger = parseTrigger(cmd.expression, file, cmd.line);
          deps.push(cmd.expression);
          onbuildDeps.push(...instructionDeps(trigger, true).deps);
          break;
        }
        default:
          deps.push(resolve(cmd.code));
      }
      return { deps, onbuildDeps };
    };

    const deps: Dep[] = [...addHost];
    const base = shlex(stage.baseName, metaScope, stage.line);
    if (base === "") {
      throw new DockerfileSyntaxError("invalid base image", file, stage.line);
    }
    // A malformed image name would reach the Docker Engine and come back without the Dockerfile's name and line.
    const isStage = stages.some((s, i) => i < index && s.name !== "" && s.name.toLowerCase() === base.toLowerCase());
    if (!isStage && base !== "scratch") {
      try {
        parseReference(base);
      } catch (err) {
        throw new DockerfileSyntaxError(`invalid base image ${JSON.stringify(base)}: ${(err as Error).message}`, file, stage.line);
      }
    }
    deps.push(base);
    const onbuildDeps: Dep[] = [];
    for (const cmd of stage.commands) {
      const r = instructionDeps(cmd, false);
      deps.push(...r.deps);
      onbuildDeps.push(...r.onbuildDeps);
    }
    stageDeps.push(deps);
    stageOnbuildDeps.push(onbuildDeps);
  });

  // Related stages, in werf's order: FROM <stage> (its list and its ONBUILD triggers), then COPY --from=<index>
  // and RUN --mount from=<index>. A stage earlier in the file has already received its own related lists.
  const contributors: Set<number>[] = stages.map((_, i) => new Set([i]));
  stages.forEach((stage, ind) => {
    const list = stageDeps[ind] ?? [];
    const mine = contributors[ind] ?? new Set<number>();
    const take = (rel: number, withOnbuild: boolean): void => {
      list.push(...(stageDeps[rel] ?? []));
      if (withOnbuild) list.push(...(stageOnbuildDeps[rel] ?? []));
      for (const c of contributors[rel] ?? []) mine.add(c);
    };
    stages.forEach((related, rel) => {
      if (rel !== ind && stage.baseName === related.name) take(rel, true);
    });
    for (const cmd of stage.commands) {
      if (cmd.kind === "copy" && cmd.from !== undefined) {
        const rel = stageIndexRef(fromRef(cmd.from), stages.length);
        if (rel !== undefined) take(rel, false);
      } else if (cmd.kind === "run") {
        for (const mount of cmd.mounts) {
          if (mount.from === undefined) continue;
          const rel = stageIndexRef(fromRef(mount.from), stages.length);
          if (rel !== undefined) take(rel, false);
        }
      }
    }
  });

  const targetDeps = [...(stageDeps[targetStageIndex] ?? [])];
  for (const dep of targetDeps) if (typeof dep !== "string") dep.used = true;
  const usedStages = [...(contributors[targetStageIndex] ?? [])].sort((a, b) => a - b);
  const cacheVersion = input.cacheVersion ?? "";
  const platformInput = targetPlatform !== undefined && targetPlatform !== DEFAULT_PLATFORM ? targetPlatform : undefined;

  return {
    dockerfile,
    targetStageIndex,
    usedStages,
    contextSources: contextSources.map((c) => ({ ...c.request, usedByTarget: c.used })),
    digest(callbacks: DockerfileDigestCallbacks): DockerfileDigestResult {
      const memo = new Map<LazyChecksum, string>();
      const checksumOf = (lazy: LazyChecksum): string => {
        const known = memo.get(lazy);
        if (known !== undefined) return known;
        let sum = sha256Hash(callbacks.contextChecksum(lazy.request));
        if (callbacks.contextAddFilesChecksum !== undefined) {
          const added = callbacks.contextAddFilesChecksum(lazy.request);
          if (added !== "") sum = sha256Hash(sum, added);
        }
        memo.set(lazy, sum);
        return sum;
      };
      const dependencies = targetDeps.map((d) => (typeof d === "string" ? d : checksumOf(d)));
      if (cacheVersion !== "") dependencies.push(cacheVersion);
      const stageDependencies = sha256Hash(...dependencies);
      const digest = calculateStageDigest({
        stageName: DOCKERFILE_STAGE,
        stageDependencies,
        ...(targetPlatform === undefined ? {} : { platform: targetPlatform }),
      });
      return { digest, stageDependencies, dependencies, ...(platformInput === undefined ? {} : { platformInput }) };
    },
  };
}

/** {@link planDockerfileDigest} and its `digest` in one call. */
export function computeDockerfileDigest(
  input: DockerfileDigestInput & DockerfileDigestCallbacks,
): DockerfileDigestResult & { readonly plan: DockerfileDigestPlan } {
  const plan = planDockerfileDigest(input);
  return { ...plan.digest(input), plan };
}

function targetIndex(dockerfile: Dockerfile, target: string | undefined): number {
  if (target === undefined || target === "") return dockerfile.stages.length - 1;
  const i = dockerfile.stages.findIndex((s) => s.name === target);
  if (i < 0) throw new SlipwayError(`${target} is not a valid target build stage`, { code: "build" });
  return i;
}

/** Go's `strconv.Atoi` for a stage reference; a negative or out-of-range index is no reference. */
function stageIndexRef(ref: string, count: number): number | undefined {
  if (!/^[+-]?\d+$/.test(ref)) return undefined;
  const n = Number.parseInt(ref, 10);
  return n >= 0 && n < count ? n : undefined;
}

function parseTrigger(expression: string, file: string, line: number): Instruction {
  try {
    const ast = parseDockerfileAst(expression, { file });
    const node = ast.nodes[0];
    if (ast.nodes.length !== 1 || node === undefined) {
      throw new Error(`unexpected condition: ${expression} (${ast.nodes.length} children)`);
    }
    return { ...parseInstructionNode(node), line, endLine: line };
  } catch (err) {
    const detail = err instanceof DockerfileSyntaxError ? err.detail : err instanceof Error ? err.message : String(err);
    throw new DockerfileSyntaxError(detail, file, line);
  }
}

/** werf `dockerfile.NormalizeCopyAddSourcesForPathMatcher`. */
export function normalizeSourcesForPathMatcher(sources: readonly string[]): string[] {
  return sources.map((source) => {
    let s = goPathClean(source);
    if (s === "/") s = ".";
    return s.startsWith("/") ? s.slice(1) : s;
  });
}

/** Go's `path.Clean`. */
function goPathClean(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

// ---------------------------------------------------------------------------------------------------------------
// Stage digests and the imageSpec stage

export interface StageDigestInput {
  readonly stageName: string;
  readonly stageDependencies: string;
  /** The target platform; left out of the digest when it is linux/amd64. */
  readonly platform?: string;
  /** The previous non-empty stage of the image (e.g. `dockerfile` before `imageSpec`). */
  readonly previous?: { readonly digest: string; readonly nextStageDependencies: string };
}

/** werf `calculateDigest` for a non-staged image's stage. */
export function calculateStageDigest(input: StageDigestInput): string {
  const args: string[] = [];
  const platform = input.platform === undefined || input.platform === "" ? undefined : normalizePlatform(input.platform);
  if (platform !== undefined && platform !== DEFAULT_PLATFORM) args.push(platform);
  args.push(BUILD_CACHE_VERSION, input.stageName, input.stageDependencies);
  if (input.previous !== undefined) args.push(input.previous.digest, input.previous.nextStageDependencies);
  return sha3_224Hash(...args);
}

/** werf.yaml `imageSpec` (the merged result for the image). */
export interface ImageSpecConfig {
  readonly author?: string;
  readonly clearHistory?: boolean;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly expose?: readonly string[];
  readonly healthcheck?: {
    readonly test?: readonly string[];
    readonly interval?: number;
    readonly timeout?: number;
    readonly startPeriod?: number;
    readonly retries?: number;
  };
  readonly labels?: Readonly<Record<string, string>>;
  readonly stopSignal?: string;
  readonly user?: string;
  readonly volumes?: readonly string[];
  readonly workingDir?: string;
  readonly removeLabels?: readonly string[];
  readonly removeVolumes?: readonly string[];
  readonly removeEnv?: readonly string[];
  readonly keepEssentialWerfLabels?: boolean;
  readonly clearCmd?: boolean;
  readonly clearEntrypoint?: boolean;
  readonly clearUser?: boolean;
  readonly clearWorkingDir?: boolean;
}

/** werf `ImageSpecStage.GetDependencies`. */
export function imageSpecDependencies(spec: ImageSpecConfig): string {
  const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort(goCompare);
  const mapArgs = (m: Readonly<Record<string, string>> | undefined): string[] =>
    Object.keys(m ?? {})
      .sort(goCompare)
      .flatMap((k) => [k, m?.[k] ?? ""]);
  const bool = (b: boolean | undefined): string => (b === true ? "true" : "false");
  const hc = spec.healthcheck;
  const healthcheck =
    hc === undefined
      ? "<nil>"
      : `&{[${(hc.test ?? []).join(" ")}] ${hc.interval ?? 0} ${hc.timeout ?? 0} ${hc.startPeriod ?? 0} ${hc.retries ?? 0}}`;
  return sha256Hash(
    spec.author ?? "",
    bool(spec.clearHistory),
    (spec.cmd ?? []).join(" "),
    (spec.entrypoint ?? []).join(" "),
    ...mapArgs(spec.env),
    ...sorted(spec.expose),
    healthcheck,
    ...mapArgs(spec.labels),
    spec.stopSignal ?? "",
    spec.user ?? "",
    ...sorted(spec.volumes),
    spec.workingDir ?? "",
    ...sorted(spec.removeLabels),
    ...sorted(spec.removeVolumes),
    ...sorted(spec.removeEnv),
    bool(spec.keepEssentialWerfLabels),
    bool(spec.clearCmd),
    bool(spec.clearEntrypoint),
    bool(spec.clearUser),
    bool(spec.clearWorkingDir),
  );
}

/** The digest of the `imageSpec` stage that follows a `dockerfile` stage with digest `previousDigest`. */
export function imageSpecStageDigest(previousDigest: string, spec: ImageSpecConfig, platform?: string): string {
  return calculateStageDigest({
    stageName: "imageSpec",
    stageDependencies: imageSpecDependencies(spec),
    ...(platform === undefined ? {} : { platform }),
    // A FullDockerfileStage has no dependencies for the next stage.
    previous: { digest: previousDigest, nextStageDependencies: "" },
  });
}

/** Go's byte-wise string order. */
function goCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// ---------------------------------------------------------------------------------------------------------------
// Tags

const contentTagRe = /^([0-9a-f]{56})-(\d{1,16})$/;

/** `<digest>-<unix ms>`: the tag werf gives a stage image in `--repo` (70 characters today). */
export function contentTag(digest: string, unixMillis: number): string {
  if (!/^[0-9a-f]{56}$/.test(digest)) throw new SlipwayError(`invalid stage digest ${JSON.stringify(digest)}`);
  if (!Number.isSafeInteger(unixMillis) || unixMillis < 0) {
    throw new SlipwayError(`invalid stage timestamp ${String(unixMillis)}`);
  }
  return `${digest}-${String(unixMillis)}`;
}

/** Splits a `<digest>-<unix ms>` tag; undefined for any other tag (custom tags, `-rejected`, service tags). */
export function parseContentTag(tag: string): { readonly digest: string; readonly unixMillis: number } | undefined {
  const m = contentTagRe.exec(tag);
  if (m === null) return undefined;
  const unixMillis = Number(m[2]);
  if (!Number.isSafeInteger(unixMillis)) return undefined;
  return { digest: m[1] ?? "", unixMillis };
}
