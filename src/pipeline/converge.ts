/**
 * @module pipeline/converge
 *
 * converge as a sequence of phases: config and build (runBuildPipeline), the release name and namespace, rendering
 * the chart with the user's values and the build's service values, then the deploy. Knows the order of the phases
 * and nothing else: the adapters come in as ports from src/cli, the deploy is a port too, and everything that
 * happens is told through `emit`. Must not import src/cli or src/ui.
 */
import { serviceValues } from "../build/service-values.js";
import type { Chart } from "../chart/types.js";
import { loadFiles } from "../chart/load.js";
import { readFileSync } from "node:fs";
import { mergeUserValues, mergeWerfValues, readValues } from "../chart/values.js";
import { chartDirOf } from "../config/werf-yaml.js";
import { deployParams } from "../deploy/params.js";
import { SlipwayError } from "../errors.js";
import { HelmRenderError, renderChart, type ParseCache, type RenderResult } from "../render/render.js";
import { lookupCache, type LookupPort } from "../render/lookup.js";
import { loadChartSecrets } from "../secret/chart.js";
import { SecretMask } from "../secret/mask.js";
import { findSecretKey, type SecretKeySources } from "../secret/key.js";
import { werfFuncMap } from "../template/helm/werf.js";
import type { GoMap } from "../template/value.js";
import { werfVersionForState } from "../version.js";
import { runBuildPipeline, type BuildAdapters, type BuildPhaseOptions, type BuildPipelineResult, type ProjectPhaseOptions } from "./build.js";
import type { DeployEvent, Emit, Phase, TrackEvent } from "./events.js";

/** The values the user gave, as the CLI's values group carries them. */
export interface ValuesPhaseOptions {
  readonly values: readonly string[];
  readonly set: readonly string[];
  readonly setString: readonly string[];
  readonly setFile: readonly string[];
  readonly setJson: readonly string[];
  readonly setLiteral: readonly string[];
  /** --secret-values files, decrypted and merged after the chart's secret-values.yaml. */
  readonly secretValues: readonly string[];
  readonly disableDefaultSecretValues: boolean;
  /** --secret-key (defaults to $WERF_SECRET_KEY); "" looks for the key files. */
  readonly secretKey?: string;
  /** --ignore-secret-key: secret values and files stay encrypted. */
  readonly ignoreSecretKey?: boolean;
  /** --disable-default-values: the top chart's values.yaml is left out. */
  readonly disableDefaultValues: boolean;
  /** --set-docker-config-json-value: `.Values.dockerconfigjson` from the docker config (see ConvergePorts). */
  readonly setDockerConfigJsonValue: boolean;
}

/** What Helm renders against: the live cluster's capabilities and the release's history. */
export interface ClusterFacts {
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  readonly isUpgrade: boolean;
  /** The revision this deploy will write. */
  readonly revision: number;
}

/** Reads ClusterFacts for a release; without it the chart renders against Helm's defaults (as `helm template`). */
export type ClusterPort = (target: { readonly namespace: string; readonly release: string }) => Promise<ClusterFacts>;

export type { LookupPort, LookupRef } from "../render/lookup.js";

/** How `renderRelease` renders besides the values: what werf render sets (converge sets none of it). */
export interface RenderTarget {
  /** Capabilities.KubeVersion when no cluster is asked (werf render's --kube-version; default Helm's). */
  readonly kubeVersion?: string | undefined;
  /** Added to Capabilities.APIVersions (werf render's --extra-apiversions). */
  readonly extraApiVersions?: readonly string[] | undefined;
  /** werf render without a repo: these final images get werf's placeholder names (`REPO:TAG`). */
  readonly stubImageNames?: readonly string[] | undefined;
  /** Sees the rendered files of each render before they are parsed (werf render's --debug). */
  readonly onRenderedFiles?: ((files: ReadonlyMap<string, string>) => void) | undefined;
}


/** What the pipeline reads of the deploy group itself; the whole group is handed on to the deploy port. */
export interface DeployGroupBase {
  readonly namespace: string;
  readonly release: string;
}

export interface ConvergePipelineOptions<D extends DeployGroupBase = DeployGroupBase, K = unknown> {
  readonly project: ProjectPhaseOptions;
  readonly build: BuildPhaseOptions;
  readonly values: ValuesPhaseOptions;
  readonly deploy: D;
  readonly kube: K;
}

/** The deploy port's input: the rendered release, the build's result and the deploy and kube option groups. */
export interface DeployPhaseInput<D = DeployGroupBase, K = unknown> extends RenderedRelease {
  /** The build phase's result: project, commit, images. */
  readonly build: BuildPipelineResult;
  readonly deploy: D;
  readonly kube: K;
}

export interface DeployPhaseResult {
  readonly status: "deployed" | "skipped";
}

export type DeployPort<D = DeployGroupBase, K = unknown> = (
  input: DeployPhaseInput<D, K>,
  emit: (event: DeployEvent | TrackEvent) => void,
) => Promise<DeployPhaseResult>;

export interface ConvergePorts<D extends DeployGroupBase = DeployGroupBase, K = unknown> {
  readonly adapters: BuildAdapters;
  readonly deploy: DeployPort<D, K>;
  readonly cwd: string;
  readonly environ: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => number;
  /** Reads a --values/--set-file file; defaults to the file system. */
  readonly readFile?: (path: string) => string;
  readonly cluster?: ClusterPort | undefined;
  /** The live `lookup`; without it `lookup` gives `{}` as in `helm template`. */
  readonly lookup?: LookupPort | undefined;
  /** The docker config.json werf would read for --set-docker-config-json-value; undefined when there is none. */
  readonly dockerConfigJson?: (() => Buffer | undefined) | undefined;
  /** Where the secret key files are looked for when --secret-key and $WERF_SECRET_KEY are empty. */
  readonly secretKeyFiles?: Omit<SecretKeySources, "key"> | undefined;
  /** Parsed templates kept between runs; none when undefined. */
  readonly parseCache?: ParseCache | undefined;
}

/** The release rendered for the deploy. */
export interface RenderedRelease {
  readonly namespace: string;
  readonly release: string;
  /** The loaded top chart. */
  readonly chart: Chart;
  readonly userValues: GoMap;
  readonly service: GoMap;
  readonly render: RenderResult;
  /** What the cluster port told the render, if it was asked. */
  readonly facts?: ClusterFacts | undefined;
  /** Decrypted secret strings that output must hide (see src/secret/mask.ts). */
  readonly sensitive: readonly string[];
  /** The same render for another point of the release's history (the deploy's check under its lock). */
  readonly rerender: (at: Pick<ClusterFacts, "revision" | "isUpgrade">) => RenderResult;
}

export interface ConvergeResult {
  readonly build: BuildPipelineResult;
  readonly releaseName: string;
  readonly namespace: string;
  readonly deploy: DeployPhaseResult;
}

async function phase<T>(name: Phase, emit: Emit, now: () => number, body: () => Promise<T> | T): Promise<T> {
  const started = now();
  emit({ type: "phase-start", phase: name });
  try {
    const result = await body();
    emit({ type: "phase-done", phase: name, elapsedMs: now() - started });
    return result;
  } catch (error) {
    emit({ type: "phase-failed", phase: name, elapsedMs: now() - started });
    throw error;
  }
}

export async function runConverge<D extends DeployGroupBase, K>(
  options: ConvergePipelineOptions<D, K>,
  ports: ConvergePorts<D, K>,
  emit: Emit,
): Promise<ConvergeResult> {
  const now = ports.now ?? Date.now;
  // The config phase (giterminism, werf.yaml, the chart's files) runs inside the build pipeline, before any image.
  const built = await phase("build", emit, now, () =>
    runBuildPipeline(
      { project: options.project, build: options.build, readChart: true },
      { adapters: ports.adapters, cwd: ports.cwd, environ: ports.environ, emit, signal: ports.signal, now },
    ),
  );

  const rendered = await phase("render", emit, now, () => renderRelease(built, options, ports));

  const deploy = await phase("deploy", emit, now, () =>
    ports.deploy({ ...rendered, build: built, deploy: options.deploy, kube: options.kube }, emit),
  );
  return { build: built, releaseName: rendered.release, namespace: rendered.namespace, deploy };
}

/**
 * The render phase: release name and namespace by werf's rules, the user's values under werf's service values, and
 * the chart rendered as Helm renders it for a deploy (against the cluster's capabilities and the release's history
 * when the cluster port is given; hooks of unknown events kept for the deploy engine to judge).
 */
export async function renderRelease(
  built: BuildPipelineResult,
  options: { readonly project: ProjectPhaseOptions; readonly values: ValuesPhaseOptions; readonly deploy: DeployGroupBase },
  ports: Pick<ConvergePorts, "cluster" | "lookup" | "readFile" | "dockerConfigJson" | "secretKeyFiles" | "parseCache">,
  target: RenderTarget = {},
): Promise<RenderedRelease> {
  // As werf: the namespace and release are derived after the build, so a bad --namespace shows up only then.
  const { namespace, release } = deployParams({
    project: built.project,
    env: options.project.env,
    namespaceFlag: options.deploy.namespace,
    releaseFlag: options.deploy.release,
    deploy: built.config.meta.deploy,
  });
  const files = built.chartFiles;
  if (files === undefined) throw new SlipwayError("the chart was not read", { code: "internal" });
  const v = options.values;
  const readFile = ports.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const chart = loadFiles(files, null);
  // As nelm's chart loader (after Chart.yaml and values.yaml): every secret is decrypted before anything renders,
  // so a wrong or missing key stops the converge here, before the cluster is touched.
  const secrets = loadChartSecrets({
    files,
    chartDir: chartDirOf(built.config.meta),
    secretValuesFiles: v.secretValues,
    readFile,
    disableDefaultSecretValues: v.disableDefaultSecretValues,
    ignoreSecretKey: v.ignoreSecretKey ?? false,
    secretKey: () => findSecretKey({ key: v.secretKey ?? "", workDir: ports.secretKeyFiles?.workDir ?? "", homeDir: ports.secretKeyFiles?.homeDir ?? "" }, readFile),
  });
  if (v.disableDefaultValues) chart.values = new Map();
  const userValues = mergeUserValues(
    { valueFiles: v.values, values: v.set, stringValues: v.setString, fileValues: v.setFile, jsonValues: v.setJson, literalValues: v.setLiteral },
    ...(ports.readFile === undefined ? [] : [ports.readFile]),
  );
  const dockerConfig = v.setDockerConfigJsonValue ? ports.dockerConfigJson?.() : undefined;
  const service = readValues(
    JSON.stringify(
      serviceValues({
        ...(dockerConfig === undefined ? {} : { dockerConfigJson: dockerConfig.toString("base64") }),
        project: built.project,
        werfVersion: werfVersionForState(),
        repo: target.stubImageNames === undefined ? built.valuesRepo : STUB_REPO,
        ...(target.stubImageNames === undefined ? {} : { stubImageNames: target.stubImageNames }),
        commit: { hash: built.commit.hash, dateHuman: built.commit.dateHuman, dateUnix: built.commit.unix },
        namespace,
        env: options.project.env,
        images: built.images
          .filter((i) => i.final)
          .map((i) => ({ name: i.name, registry: i.repository.registry, repository: i.repository.path, tag: i.tag, digest: i.manifestDigest })),
      }),
    ),
    "service values",
  );
  const facts = ports.cluster === undefined ? undefined : await ports.cluster({ namespace, release });
  const values = mergeWerfValues(userValues, service, secrets.values);
  const extraFuncs = werfFuncMap({ secretFiles: secrets.files });
  const lookups = lookupCache(ports.lookup);
  // A template's error may quote a decrypted value (`fail`, `required`, a bad conversion): it is masked as werf masks it.
  const mask = new SecretMask();
  mask.add(secrets.sensitive);
  const renderAt = (at: ClusterFacts | undefined): RenderResult => {
    try {
      return renderChart(chart, {
        releaseName: release,
        namespace,
        values,
        ...(at === undefined
          ? { ...(target.kubeVersion === undefined ? {} : { kubeVersion: target.kubeVersion }) }
          : { kubeVersion: at.kubeVersion, liveApiVersions: at.apiVersions, isUpgrade: at.isUpgrade, revision: at.revision }),
        ...(target.extraApiVersions === undefined ? {} : { apiVersions: target.extraApiVersions }),
        ...(lookups === undefined ? {} : { lookup: lookups.reader }),
        ...(target.onRenderedFiles === undefined ? {} : { onRenderedFiles: target.onRenderedFiles }),
        keepUnknownHooks: true,
        extraFuncs,
        ...(ports.parseCache !== undefined ? { parseCache: ports.parseCache } : {}),
      });
    } catch (error) {
      // One line, worded as Helm words it.
      if (error instanceof HelmRenderError) throw mask.applyToError(new SlipwayError(error.message, { code: "template", cause: error }));
      throw mask.applyToError(error);
    }
  };
  const render = lookups === undefined ? renderAt(facts) : await lookups.settle(() => renderAt(facts));
  // A rerender reads the objects the render read; one it did not read is `{}`.
  const rerender = (at: Pick<ClusterFacts, "revision" | "isUpgrade">): RenderResult =>
    renderAt(facts === undefined ? undefined : { ...facts, revision: at.revision, isUpgrade: at.isUpgrade });
  return { namespace, release, chart, userValues, service, render, facts, rerender, sensitive: secrets.sensitive };
}

/** werf render's `.Values.werf.repo` without a repo. */
const STUB_REPO = "REPO";
