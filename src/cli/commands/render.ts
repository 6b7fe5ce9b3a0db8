// `slipway render`: werf render. Reads the werf project as converge does (werf.yaml, giterminism, --dev), takes the
// images' names from the repo without building (or werf's placeholders without --repo), renders the chart with the
// service values and prints werf's normalised manifests. `--validate` renders against the live cluster
// (capabilities, lookup, release history) and dry-runs every object on the server. `--debug` (werf's alias of
// --log-debug) prints the rendered files before they are parsed, so a template that produced invalid YAML can be
// read. (`slipway helm template` prints a bare chart exactly as `helm template` does.)
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import type { CommandContext } from "../context.js";
import { extraFlagsHelp, extraList, extraString, takeExtraFlags, type ExtraFlag } from "../extra-flags.js";
import { commandHelp } from "../options.js";
import { parseOrHelp, secretKeyFiles, warnAcceptedOnly } from "./converge.js";
import { renderedFilesText } from "../../render/render.js";
import { userParseCache } from "../../render/parse-cache.js";

export const RENDER_SUMMARY = "Render the project's chart as werf render does: images from the repo without building, normalised manifests";

export const RENDER_FLAGS: readonly ExtraFlag[] = [
  { name: "validate", kind: "bool", env: "WERF_VALIDATE", description: "Render against the cluster (its version, API versions, lookup, release history) and dry-run every object on the server" },
  { name: "include-crds", kind: "bool", env: "WERF_INCLUDE_CRDS", defaultTrue: true, description: "Include the charts' crds/ files in the output" },
  { name: "output", kind: "string", env: "WERF_RENDER_OUTPUT", description: "Write the output to this file instead of stdout" },
  { name: "show-only", short: "s", kind: "string-array", env: "WERF_SHOW_ONLY", description: "Only show manifests rendered from these templates (templates/x.yaml; repeatable)" },
  { name: "kube-version", kind: "string", env: "WERF_KUBE_VERSION", description: "Capabilities.KubeVersion without --validate (werf's default 1.20.0)" },
  {
    name: "extra-apiversions",
    aliases: ["api-versions"],
    kind: "string-array",
    env: "WERF_EXTRA_APIVERSIONS_",
    commaSeparated: true,
    description: "Extra API versions for Capabilities.APIVersions (comma-separated, repeatable)",
  },
  { name: "stub-tags", kind: "bool", env: "WERF_STUB_TAGS", description: "Use werf's placeholder image names even with --repo" },
];

export function renderHelp(programName: string): string {
  const example = "# The manifests converge would apply, with the images already in the repo";
  return `${commandHelp(programName, { command: "render", summary: RENDER_SUMMARY, example, exampleArgs: "--repo registry.example.com/app --env production" })}\nrender flags:\n${extraFlagsHelp(RENDER_FLAGS)}\n`;
}

export async function renderCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const { rest, values: extra } = takeExtraFlags(args, RENDER_FLAGS, ctx.env);
  const options = parseOrHelp(rest, ctx, renderHelp, "render");
  if (options === undefined) return;
  warnAcceptedOnly(options, ctx);
  const [{ runRenderPipeline }, { buildAdapters, readDockerConfigJson }, { Reporter }, runner, { formatRenderOutput, renderOutputObjects }] = await Promise.all([
    import("../../pipeline/render.js"),
    import("../ports.js"),
    import("../reporter.js"),
    import("../deploy-runner.js"),
    import("../../resource/render-output.js"),
  ]);
  const validate = extra["validate"] === true;
  const debug = options.log.logLevel === "debug";
  const warn = (message: string): void => void ctx.stderr.write(`Warning: ${message}\n`);
  // werf render is quiet: stdout carries the manifests only; the build log goes to stderr when asked for.
  const verbose = options.log.logLevel === "verbose" || debug;
  const reporter = verbose ? new Reporter({ write: (text) => ctx.stderr.write(text), log: options.log, env: ctx.env }) : undefined;
  const kube = validate ? runner.kubeClient(options, ctx) : undefined;
  let renderedFiles: ReadonlyMap<string, string> | undefined;
  // What the templates produced, even when it is not YAML (nelm logs it at debug level before parsing it).
  const showRendered = (): void => {
    if (renderedFiles !== undefined) ctx.stdout.write(renderedFilesText(renderedFiles, { skipPartials: true }));
    renderedFiles = undefined;
  };
  try {
    const result = await runRenderPipeline(
      {
        ...options,
        render: {
          stubTags: extra["stub-tags"] === true,
          kubeVersion: extraString(extra, "kube-version"),
          extraApiVersions: extraList(extra, "extra-apiversions"),
        },
      },
      {
        adapters: buildAdapters(options.build, ctx.env),
        cwd: ctx.env["SLIPWAY_CWD"] ?? process.cwd(),
        environ: ctx.env,
        signal: ctx.signal,
        ...(kube === undefined ? {} : { cluster: runner.clusterFacts(kube, options, ctx.signal), lookup: runner.lookupPort(kube, ctx.signal) }),
        dockerConfigJson: () => readDockerConfigJson(options.build, ctx.env),
        secretKeyFiles: secretKeyFiles(options, ctx),
        parseCache: userParseCache(ctx.env),
        ...(debug ? { onRenderedFiles: (files: ReadonlyMap<string, string>) => (renderedFiles = files) } : {}),
      },
      reporter?.emit ?? (() => undefined),
    ).finally(showRendered);
    const { rendered, documents } = result;
    const outputOptions = {
      releaseNamespace: rendered.namespace,
      chartName: rendered.chart.name,
      extra: { annotations: options.deploy.addAnnotationMap, labels: options.deploy.addLabelMap },
      includeCrds: extra["include-crds"] !== false,
      showOnly: extraList(extra, "show-only"),
      warn,
    };
    if (kube !== undefined) {
      const { validateOnServer } = await import("../../deploy/validate.js");
      await validateOnServer(kube, renderOutputObjects(documents, outputOptions), {
        releaseNamespace: rendered.namespace,
        signal: ctx.signal,
        warn,
        parallelism: options.deploy.networkParallelism > 0 ? options.deploy.networkParallelism : 30,
      });
    }
    const text = formatRenderOutput(documents, outputOptions);
    const output = extraString(extra, "output");
    if (output === "") ctx.stdout.write(text);
    else writeFileSync(resolve(ctx.env["SLIPWAY_CWD"] ?? process.cwd(), output), text);
  } finally {
    kube?.close();
    reporter?.finish();
  }
}
