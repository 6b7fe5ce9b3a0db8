// The deploy half of converge for the CLI: turns the build's result and the command line into the deploy phase's
// input (chart, values with werf's service values, release name and namespace, the live cluster's capabilities),
// runs it with a printer, and writes werf's deploy report. Loaded only when converge reaches the deploy.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import process from "node:process";
import { SecretMask } from "../secret/mask.js";
import { SlipwayError } from "../errors.js";
import { createKubeClient, type ClosableKubeClient } from "../kube/client.js";
import type { KubeClient, KubeRequestRecord } from "../kube/types.js";
import type { ClusterPort, LookupPort, RenderedRelease } from "../pipeline/converge.js";
import type { RenderResult } from "../render/render.js";
import type { BuildPipelineResult } from "../pipeline/build.js";
import { deployParams } from "../deploy/params.js";
import { deployRelease, DeployFailedError, planRelease, type DeployInput, type DeployOptions, type DeployResult } from "../deploy/install.js";
import { deployReportJson, type DeployReport } from "../deploy/report.js";
import type { DeployEvent } from "../deploy/events.js";
import type { TrackEvent } from "../track/events.js";
import { history } from "../release/codec.js";
import { createReleaseStorage, storageDriver } from "../release/storage.js";
import { marshalJson } from "../template/json.js";
import { werfVersionForState } from "../version.js";
import { createDeployPrinter, type DeployPrinter } from "../ui/deploy-printer.js";
import { formatPlannedChanges } from "../ui/plan-printer.js";
import { chartCrdDocuments, werfRuntimeAnnotations } from "../resource/resource.js";
import type { CommandContext } from "./context.js";
import type { ConvergeOptions } from "./options.js";
import { killPoint } from "./kill-point.js";

function toPlain(value: unknown): unknown {
  return JSON.parse(marshalJson(value)) as unknown;
}


/** The deploy settings of the command line. */
export function deployOptions(o: ConvergeOptions, project: string, extra: { cleanupOnFail?: boolean } = {}): DeployOptions {
  return {
    timeoutMs: o.deploy.timeout * 1000,
    autoRollback: o.deploy.autoRollback,
    forceAdoption: o.deploy.forceAdoption,
    noCreateNamespace: o.deploy.noCreateNamespace,
    noRemoveManualChanges: o.deploy.noRemoveManualChanges,
    noFinalTracking: o.deploy.noFinalTracking,
    noPodLogs: o.deploy.noPodLogs,
    noInstallCrds: o.deploy.noInstallCrds,
    networkParallelism: o.deploy.networkParallelism > 0 ? o.deploy.networkParallelism : 30,
    deletePropagation: o.deploy.deletePropagation === "Background" || o.deploy.deletePropagation === "Orphan" ? o.deploy.deletePropagation : "Foreground",
    // werf falls back to its default 5 for values <= 0.
    releasesHistoryMax: o.deploy.releasesHistoryMax > 0 ? o.deploy.releasesHistoryMax : 5,
    releaseStorage: o.deploy.releaseStorage,
    releaseLabels: o.deploy.releaseLabelMap,
    addAnnotations: o.deploy.addAnnotationMap,
    addLabels: o.deploy.addLabelMap,
    // Without a project (rollback/dismiss given --release and --namespace only) the project annotation is left out
    // rather than overwritten with "".
    runtimeAnnotations: {
      ...(project === "" ? { "werf.io/version": werfVersionForState() } : werfRuntimeAnnotations({ version: werfVersionForState(), project, env: o.project.env })),
      ...o.deploy.runtimeAnnotations,
    },
    runtimeLabels: o.deploy.runtimeLabels,
    cleanupOnFail: extra.cleanupOnFail ?? false,
    deployGraphPath: o.deploy.deployGraphPath,
    rollbackGraphPath: o.deploy.rollbackGraphPath,
  };
}

/** The deploy printer for the command's output mode; what it writes passes through the secret mask. */
export function deployPrinter(o: ConvergeOptions, ctx: CommandContext, mask?: SecretMask): Promise<DeployPrinter> {
  return createDeployPrinter({
    write: (text: string) => ctx.stdout.write(mask === undefined ? text : mask.apply(text)),
    isTTY: process.stdout.isTTY === true && ctx.stdout === process.stdout,
    color: o.log.logColorMode,
    // --log-terminal-width (or $WERF_LOG_TERMINAL_WIDTH) beats the terminal's own width.
    columns: o.log.logTerminalWidth > 0 ? o.log.logTerminalWidth : (process.stdout.columns ?? 140),
    rows: process.stdout.rows ?? 40,
    logTime: o.log.logTime,
    timeFormat: o.log.logTimeFormat,
    statusProgressPeriodMs: o.deploy.statusProgressPeriod < 0 ? -1 : o.deploy.statusProgressPeriod * 1000,
    env: ctx.env,
  });
}

/** Release name and namespace by werf's rules. */
export function releaseTarget(built: Pick<BuildPipelineResult, "project" | "config">, o: ConvergeOptions): { namespace: string; release: string } {
  return deployParams({
    project: built.project,
    env: o.project.env,
    namespaceFlag: o.deploy.namespace,
    releaseFlag: o.deploy.release,
    deploy: built.config.meta.deploy,
  });
}

/**
 * The Kubernetes client of a command; with --log-debug every request is traced on stderr (method, path, status,
 * time). The test-only kill point (src/cli/kill-point.ts) sees every response too.
 */
export function kubeClient(o: ConvergeOptions, ctx: CommandContext): ClosableKubeClient {
  const trace =
    o.log.logLevel === "debug"
      ? (r: KubeRequestRecord): void => void ctx.stderr.write(`kube: +${(performance.now() / 1000).toFixed(3)}s ${r.method} ${r.path} ${r.status === 0 ? "failed" : r.status} ${r.ms}ms${r.retryInMs === undefined ? "" : ` (retry in ${r.retryInMs}ms)`}\n`)
      : undefined;
  const kill = killPoint(ctx.env);
  const onRequest =
    kill === undefined
      ? trace
      : (r: KubeRequestRecord): void => {
          trace?.(r);
          kill("kube", () => `${r.method} ${r.path}`);
        };
  return createKubeClient(o.kube, ctx.env, { onRequest });
}

/** The render phase's cluster port: the server's version and API versions, and where the release's history stands. */
export function clusterFacts(kube: KubeClient, o: ConvergeOptions, signal: AbortSignal): ClusterPort {
  return async ({ namespace, release }) => {
    const storage = createReleaseStorage(kube, namespace, { driver: storageDriver(o.deploy.releaseStorage) });
    const [records, version, apiVersions] = await Promise.all([
      // A history slipway cannot read renders as a first install; the deploy reads it again under the lock.
      storage.list(release).catch(() => []),
      kube.serverVersion({ signal }),
      kube.apiVersions({ signal }),
    ]);
    const h = history(records);
    return { kubeVersion: version.gitVersion, apiVersions, isUpgrade: h.deployType === "upgrade", revision: h.nextRevision };
  };
}

/**
 * Helm's `lookup` against the cluster: the object (`{}` when absent) or, for name "", the list (of every namespace
 * when namespace is ""), as the dynamic client returns them. A namespaced kind asked by name without a namespace
 * finds nothing, as in Helm.
 */
export function lookupPort(kube: KubeClient, signal: AbortSignal): LookupPort {
  return async ({ apiVersion, kind, namespace, name }) => {
    const { namespaced } = await kube.resourceType(apiVersion, kind, { signal });
    const ns = namespaced && namespace !== "" ? namespace : undefined;
    if (name !== "") {
      if (namespaced && ns === undefined) return undefined;
      return kube.get({ apiVersion, kind, namespace: ns, name }, { signal });
    }
    const list = await kube.list({ apiVersion, kind, namespace: ns }, { signal });
    return { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: list.resourceVersion }, items: list.items };
  };
}

/** The rendered documents as the deploy engine takes them. */
function releaseDocs(render: RenderResult): Pick<DeployInput, "manifests" | "hooks" | "notes"> {
  return {
    manifests: render.manifests.map((m) => ({ source: m.name, content: m.content, storeAs: "regular" as const })),
    hooks: render.hooks.map((m) => ({ source: m.name, content: m.content, storeAs: "hook" as const })),
    // --no-notes only stops the printing, as in werf; the record keeps the notes.
    notes: render.notes,
  };
}

/** The deploy engine's input: the rendered release, its CRDs, and the values as the release record keeps them. */
function deployInput(r: RenderedRelease): DeployInput {
  return {
    releaseName: r.release,
    namespace: r.namespace,
    chart: r.chart,
    chartValues: toPlain(r.chart.values),
    userValues: toPlain(r.userValues) as Record<string, unknown>,
    ...releaseDocs(r.render),
    crds: chartCrdDocuments(r.chart),
    renderedFor: r.facts === undefined ? undefined : { revision: r.facts.revision, isUpgrade: r.facts.isUpgrade },
    rerender: (at) => releaseDocs(r.rerender(at)),
  };
}

/** Writes werf's deploy report when asked (`--save-deploy-report`). */
async function writeReport(o: ConvergeOptions, report: DeployReport): Promise<void> {
  if (o.deploy.saveDeployReport) await writeFile(resolve(process.cwd(), o.deploy.deployReportPath), deployReportJson(report), { mode: 0o600 });
}

type DeployEmit = (e: DeployEvent | TrackEvent) => void;

/** Runs a release action: prints the notes on success; writes the report either way. */
async function reported(o: ConvergeOptions, emit: DeployEmit, action: (emit: DeployEmit) => Promise<DeployResult>): Promise<void> {
  let result: DeployResult;
  try {
    result = await action(emit);
  } catch (err) {
    if (err instanceof DeployFailedError) await writeReport(o, err.report).catch(() => undefined);
    throw err;
  }
  if (!o.deploy.noNotes && result.notes !== "" && result.report.status === "deployed") emit({ type: "release-notes", notes: result.notes });
  await writeReport(o, result.report);
}

/** A release action of its own (rollback, dismiss) with a deploy printer; see `reported`. */
export async function withPrinter(o: ConvergeOptions, ctx: CommandContext, action: (emit: DeployEmit) => Promise<DeployResult>): Promise<void> {
  const printer = await deployPrinter(o, ctx);
  try {
    await reported(o, (event) => printer.handle(event), action);
  } finally {
    printer.finish();
  }
}

export async function runDeploy(
  kube: KubeClient,
  rendered: RenderedRelease,
  project: string,
  o: ConvergeOptions,
  ctx: CommandContext,
  emit: DeployEmit,
  extra: { cleanupOnFail?: boolean; deadlineMs?: number } = {},
): Promise<void> {
  const options = deployOptions(o, project, extra);
  const signal = extra.deadlineMs !== undefined && extra.deadlineMs > 0 ? AbortSignal.any([ctx.signal, deadline(extra.deadlineMs)]) : ctx.signal;
  await reported(o, emit, (e) => deployRelease(kube, deployInput(rendered), options, e, signal));
}

/** `--deploy-deadline`: one limit for the whole deploy (werf has only per-operation timeouts). */
function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new SlipwayError(`the deploy did not finish within --deploy-deadline ${Math.round(ms / 1000)}s`, { code: "deploy" })), ms).unref();
  return controller.signal;
}

/** `slipway plan`: what converge would change; true when something would. */
export async function runPlan(kube: KubeClient, rendered: RenderedRelease, project: string, o: ConvergeOptions, ctx: CommandContext): Promise<boolean> {
  const mask = new SecretMask();
  mask.add(rendered.sensitive);
  const printer = await deployPrinter(o, ctx, mask);
  let planned;
  try {
    planned = await planRelease(kube, deployInput(rendered), deployOptions(o, project), (e) => printer.handle(e), ctx.signal);
  } catch (err) {
    throw mask.applyToError(err);
  } finally {
    printer.finish();
  }
  ctx.stdout.write(mask.apply(formatPlannedChanges(planned, { color: o.log.logColorMode === "on" || (o.log.logColorMode === "auto" && process.stdout.isTTY === true && ctx.stdout === process.stdout) })));
  return !planned.upToDate;
}
