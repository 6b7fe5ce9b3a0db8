/**
 * @module pipeline/render
 *
 * `werf render` as phases: the project and its images as converge reads them (giterminism, werf.yaml, the chart),
 * except that nothing is built: with a repo the images' tags are computed and looked up there (a missing image is
 * an error, as werf's --require-built-images), without one they get werf's placeholders; then the chart is rendered
 * by converge's render phase. Gives the rendered release and its documents (the charts' CRDs first); printing them
 * is src/resource/render-output.ts's. Must not import src/cli or src/ui.
 */
import { SlipwayError } from "../errors.js";
import { chartCrdDocuments, documentsFromRender, type RenderedDocument } from "../resource/resource.js";
import { runBuildPipeline, type BuildPipelineResult } from "./build.js";
import { renderRelease, type ConvergePipelineOptions, type ConvergePorts, type DeployGroupBase, type RenderedRelease } from "./converge.js";
import type { Emit } from "./events.js";

export interface RenderPhaseOptions {
  /** werf's --stub-tags: placeholders even with a repo. */
  readonly stubTags: boolean;
  /** Capabilities.KubeVersion offline (werf render's default is 1.20.0). */
  readonly kubeVersion: string;
  readonly extraApiVersions: readonly string[];
}

export interface RenderPipelineOptions<D extends DeployGroupBase = DeployGroupBase> extends Omit<ConvergePipelineOptions<D>, "kube"> {
  readonly render: RenderPhaseOptions;
}

export type RenderPipelinePorts = Pick<ConvergePorts, "adapters" | "cwd" | "environ" | "signal" | "now" | "cluster" | "lookup" | "readFile" | "dockerConfigJson" | "secretKeyFiles" | "parseCache"> & {
  readonly onRenderedFiles?: ((files: ReadonlyMap<string, string>) => void) | undefined;
};

export interface RenderPipelineResult {
  readonly built: BuildPipelineResult;
  readonly rendered: RenderedRelease;
  /** The charts' crds/ documents, hooks and manifests: what converge deploys. */
  readonly documents: RenderedDocument[];
}

/** werf's default Capabilities.KubeVersion for an offline render (nelm's DefaultLocalKubeVersion). */
export const WERF_RENDER_KUBE_VERSION = "1.20.0";

export async function runRenderPipeline<D extends DeployGroupBase>(options: RenderPipelineOptions<D>, ports: RenderPipelinePorts, emit: Emit): Promise<RenderPipelineResult> {
  // As werf render: no repo (or --stub-tags) means placeholders and no registry at all.
  const stub = !options.build.withoutImages && (options.render.stubTags || options.build.repo === "");
  const built = await runBuildPipeline(
    {
      project: options.project,
      build: { ...options.build, requireBuiltImages: true, withoutImages: options.build.withoutImages || stub, saveBuildReport: false },
      readChart: true,
    },
    { adapters: ports.adapters, cwd: ports.cwd, environ: ports.environ, emit, signal: ports.signal, ...(ports.now === undefined ? {} : { now: ports.now }) },
  ).catch((error: unknown) => {
    // Whatever the images' check in the repo says, say first that render would not have built them.
    if (error instanceof SlipwayError && error.code === "build") {
      throw new SlipwayError(`take the images from ${JSON.stringify(options.build.repo)} (render builds nothing: build or converge first)`, { code: "build", cause: error });
    }
    throw error;
  });
  const stubImageNames = stub ? built.config.images.filter((i) => i.final).map((i) => i.name) : undefined;
  const rendered = await renderRelease(built, options, ports, {
    kubeVersion: options.render.kubeVersion === "" ? WERF_RENDER_KUBE_VERSION : options.render.kubeVersion,
    extraApiVersions: options.render.extraApiVersions,
    stubImageNames,
    onRenderedFiles: ports.onRenderedFiles,
  });
  return { built, rendered, documents: documentsFromRender(rendered.render, chartCrdDocuments(rendered.chart)) };
}
