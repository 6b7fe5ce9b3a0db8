// `slipway render [CHART_DIR]`: renders a chart directory like `helm template <release> <chart>` and prints the
// manifests. Offline: `lookup` is empty and Capabilities come from --kube-version/--api-versions.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SlipwayError } from "../../errors.js";
import { loadChartDir } from "../../chart/load.js";
import { mergeUserValues } from "../../chart/values.js";
import { HelmRenderError, renderChart } from "../../render/render.js";
import { userParseCache } from "../../render/parse-cache.js";
import type { CommandContext } from "../context.js";
import { parseFlags, renderCommandHelp, renderFlagsHelp, type FlagSpec } from "../flags.js";

export const RENDER_SUMMARY = "Render the chart templates like `helm template` (offline)";

interface RenderFlags {
  values: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  setJson: string[];
  setLiteral: string[];
  namespace: string;
  release: string;
  kubeVersion: string;
  apiVersions: string[];
  includeCrds: boolean;
  skipTests: boolean;
  noHooks: boolean;
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
];

export function renderHelp(programName: string): string {
  return renderCommandHelp({
    summary: RENDER_SUMMARY,
    usage: `${programName} render [CHART_DIR] [options]`,
    flags: renderFlagsHelp(FLAGS, "render"),
  });
}

/**
 * A werf project's chart may have no Chart.yaml: werf then uses apiVersion v2, the project's name and version
 * 1.0.0. The project is the werf.yaml next to the chart directory; a bare chart keeps Helm's error.
 */
function werfDefaultChartYaml(dir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dirname(dir), "werf.yaml"), "utf8");
  } catch {
    return undefined;
  }
  const project = /^project:\s*["']?([a-z0-9-]+)["']?\s*$/m.exec(text)?.[1];
  return project === undefined ? undefined : `apiVersion: v2\nname: ${project}\nversion: 1.0.0\n`;
}

export function renderCommand(args: readonly string[], ctx: CommandContext): void {
  const parsed = parseFlags(FLAGS, args, ctx.env);
  if (parsed.help) {
    ctx.stdout.write(renderHelp(ctx.programName));
    return;
  }
  const f = parsed.values as unknown as RenderFlags;
  if (parsed.positionals.length > 1) {
    throw new SlipwayError(`accepts at most 1 arg(s), received ${parsed.positionals.length}`, { code: "usage" });
  }
  const dir = resolve(parsed.positionals[0] ?? ".helm");
  const chart = loadChartDir(dir, werfDefaultChartYaml(dir));
  const values = mergeUserValues({
    valueFiles: f.values,
    values: f.set,
    stringValues: f.setString,
    fileValues: f.setFile,
    jsonValues: f.setJson,
    literalValues: f.setLiteral,
  });
  const parseCache = userParseCache(ctx.env);
  let result;
  try {
    result = renderChart(chart, {
      ...(parseCache !== undefined ? { parseCache } : {}),
      releaseName: f.release,
      namespace: f.namespace,
      values,
      ...(f.kubeVersion !== "" ? { kubeVersion: f.kubeVersion } : {}),
      apiVersions: f.apiVersions,
      includeCrds: f.includeCrds,
      skipTests: f.skipTests,
      noHooks: f.noHooks,
      invalidYamlHint: true,
    });
  } catch (e) {
    // Worded as Helm words it.
    if (e instanceof HelmRenderError) throw new SlipwayError(e.message, { code: "template" });
    throw e;
  }
  ctx.stdout.write(result.output);
}

/** The flag table, for shell completion. */
export { FLAGS as RENDER_FLAGS };
