// `slipway helm template [NAME] [CHART_DIR]`: renders a chart directory like `helm template <release> <chart>` and
// prints exactly what Helm prints. Offline: `lookup` is empty and Capabilities come from --kube-version/--api-versions.
// (`slipway render` is werf's render of a whole project: src/cli/commands/render.ts.)
import { dirname, resolve } from "node:path";
import { plainProjectName } from "../../config/project-name.js";
import { SlipwayError } from "../../errors.js";
import { loadChartDir } from "../../chart/load.js";
import { mergeUserValues } from "../../chart/values.js";
import { goTrimSpace } from "../../render/manifests.js";
import { HelmRenderError, renderChart, renderedFilesText } from "../../render/render.js";
import { userParseCache } from "../../render/parse-cache.js";
import type { CommandContext } from "../context.js";
import type { ConvergeFlagValues } from "../options.js";
import { parseFlagsOrHelp, renderCommandHelp, renderFlagsHelp, type FlagSpec } from "../flags.js";

export const HELM_TEMPLATE_SUMMARY = "Render a chart directory exactly as `helm template` prints it (offline)";

/** converge's values and release fields, plus `helm template`'s own. */
interface RenderFlags extends Pick<ConvergeFlagValues, "values" | "set" | "setString" | "setFile" | "setJson" | "setLiteral" | "namespace" | "release"> {
  kubeVersion: string;
  apiVersions: string[];
  includeCrds: boolean;
  skipTests: boolean;
  noHooks: boolean;
  debug: boolean;
}

const FLAGS: readonly FlagSpec<RenderFlags>[] = [
  { kind: "string-array", name: "values", short: "f", key: "values", default: [], description: "Specify helm values in a YAML file (can specify multiple)" },
  { kind: "string-array", name: "set", key: "set", default: [], description: "Set helm values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)" },
  { kind: "string-array", name: "set-string", key: "setString", default: [], description: "Set STRING helm values on the command line (can specify multiple or separate values with commas: key1=val1,key2=val2)" },
  { kind: "string-array", name: "set-file", key: "setFile", default: [], description: "Set values from respective files specified via the command line (can specify multiple or separate values with commas: key1=path1,key2=path2)" },
  { kind: "string-array", name: "set-json", key: "setJson", default: [], description: "Set JSON values on the command line (can specify multiple or separate values with commas: key1=jsonval1,key2=jsonval2)" },
  { kind: "string-array", name: "set-literal", key: "setLiteral", default: [], description: "Set a literal STRING value on the command line" },
  { kind: "string", name: "namespace", short: "n", key: "namespace", default: "default", description: "Use specified Kubernetes namespace" },
  { kind: "string", name: "release", key: "release", default: "release-name", description: "Use specified Helm release name" },
  { kind: "string", name: "kube-version", key: "kubeVersion", default: "", description: "Kubernetes version used for Capabilities.KubeVersion" },
  { kind: "string-array", name: "api-versions", short: "a", key: "apiVersions", default: [], description: "Kubernetes api versions used for Capabilities.APIVersions" },
  { kind: "bool", name: "include-crds", key: "includeCrds", default: false, description: "Include CRDs in the templated output" },
  { kind: "bool", name: "skip-tests", key: "skipTests", default: false, description: "Skip tests from templated output" },
  { kind: "bool", name: "no-hooks", key: "noHooks", default: false, description: "Prevent hooks from being rendered" },
  { kind: "bool", name: "debug", key: "debug", default: false, description: "Print the rendered files even when they are not valid YAML" },
];

export function helmTemplateHelp(programName: string): string {
  return renderCommandHelp({
    summary: HELM_TEMPLATE_SUMMARY,
    usage: `${programName} helm template [NAME] [CHART_DIR] [options]`,
    flags: renderFlagsHelp(FLAGS, "template"),
  });
}

/**
 * A werf project's chart may have no Chart.yaml: werf then uses apiVersion v2, the project's name and version
 * 1.0.0. The project is the werf.yaml next to the chart directory; a bare chart keeps Helm's error.
 */
function werfDefaultChartYaml(dir: string): string | undefined {
  const project = plainProjectName(dirname(dir));
  return project === undefined ? undefined : `apiVersion: v2\nname: ${project}\nversion: 1.0.0\n`;
}

export function helmTemplateCommand(args: readonly string[], ctx: CommandContext): void {
  const parsed = parseFlagsOrHelp(FLAGS, args, ctx.env, ctx.stdout, () => helmTemplateHelp(ctx.programName));
  if (parsed === undefined) return;
  const f = parsed.values as unknown as RenderFlags;
  if (parsed.positionals.length > 2) {
    throw new SlipwayError(`accepts at most 2 arg(s), received ${parsed.positionals.length}`, { code: "usage" });
  }
  // As Helm: `template NAME CHART` or `template CHART` (the name then comes from --release).
  const [first, second] = parsed.positionals;
  const releaseName = second === undefined ? f.release : (first ?? f.release);
  const dir = resolve(second ?? first ?? ".helm");
  const chart = loadChartDir(dir, werfDefaultChartYaml(dir));
  const values = mergeUserValues({
    valueFiles: f.values,
    values: f.set,
    stringValues: f.setString,
    fileValues: f.setFile,
    jsonValues: f.setJson,
    literalValues: f.setLiteral,
  });
  let result;
  let files: ReadonlyMap<string, string> | undefined;
  try {
    const parseCache = userParseCache(ctx.env);
    result = renderChart(chart, {
      ...(parseCache !== undefined ? { parseCache } : {}),
      releaseName,
      namespace: f.namespace,
      values,
      ...(f.kubeVersion !== "" ? { kubeVersion: f.kubeVersion } : {}),
      apiVersions: f.apiVersions,
      includeCrds: f.includeCrds,
      skipTests: f.skipTests,
      noHooks: f.noHooks,
      invalidYamlHint: !f.debug,
      ...(f.debug ? { onRenderedFiles: (rendered: ReadonlyMap<string, string>) => (files = rendered) } : {}),
    });
  } catch (e) {
    // As `helm template --debug`: what the templates produced, then the error.
    if (files !== undefined) ctx.stdout.write(`${goTrimSpace(renderedFilesText(files, { skipPartials: false }))}\n`);
    // Worded as Helm words it.
    if (e instanceof HelmRenderError) throw new SlipwayError(e.message, { code: "template" });
    throw e;
  }
  ctx.stdout.write(result.output);
}

/** The flag table, for shell completion. */
export { FLAGS as HELM_TEMPLATE_FLAGS };
