// The deploy half of converge for the CLI: turns the build's result and the command line into the deploy phase's
// input (chart, values with werf's service values, release name and namespace, the live cluster's capabilities),
// runs it with a printer, and writes werf's deploy report. Loaded only when converge reaches the deploy.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import process from "node:process";
import { loadFiles } from "../chart/load.js";
import { mergeMaps, mergeUserValues, readValues } from "../chart/values.js";
import type { Chart } from "../chart/types.js";
import { chartFullPath } from "../chart/types.js";
import { serviceValues } from "../build/service-values.js";
import { SlipwayError } from "../errors.js";
import { createKubeClient } from "../kube/client.js";
import type { BuildPipelineResult } from "../pipeline/build.js";
import { deployParams } from "../deploy/params.js";
import { deployRelease, DeployFailedError, type DeployOptions } from "../deploy/install.js";
import { deployReportJson } from "../deploy/report.js";
import type { DeployEvent } from "../deploy/events.js";
import type { TrackEvent } from "../track/events.js";
import { HelmRenderError, renderChart } from "../render/render.js";
import { history } from "../release/codec.js";
import { createReleaseStorage, storageDriver } from "../release/storage.js";
import { marshalJson } from "../template/json.js";
import { werfVersionForState } from "../version.js";
import { createDeployPrinter } from "../ui/deploy-printer.js";
import type { CommandContext } from "./context.js";
import type { ConvergeOptions } from "./options.js";

function crdDocuments(chart: Chart): { source: string; content: string; storeAs: "none" }[] {
  const out: { source: string; content: string; storeAs: "none" }[] = [];
  const walk = (c: Chart): void => {
    for (const f of c.crds) {
      for (const part of Buffer.from(f.data).toString("utf8").split(/^---\s*$/m)) {
        if (part.trim() !== "") out.push({ source: `${chartFullPath(c)}/${f.name}`, content: part.trim(), storeAs: "none" });
      }
    }
    for (const d of c.dependencies) walk(d);
  };
  walk(chart);
  return out;
}

function toPlain(value: unknown): unknown {
  return JSON.parse(marshalJson(value)) as unknown;
}


export async function runDeploy(built: BuildPipelineResult, o: ConvergeOptions, ctx: CommandContext): Promise<void> {
  const files = built.chartFiles;
  if (files === undefined) throw new SlipwayError("internal: the chart was not read", { code: "internal" });
  const { namespace, release } = deployParams({
    project: built.project,
    env: o.project.env,
    namespaceFlag: o.deploy.namespace,
    releaseFlag: o.deploy.release,
    deploy: built.config.meta.deploy,
  });
  const chart = loadFiles(files, null);
  const user = mergeUserValues({ valueFiles: o.values.values, values: o.values.set, stringValues: o.values.setString, fileValues: o.values.setFile, jsonValues: o.values.setJson, literalValues: o.values.setLiteral });
  const images = built.images
    .filter((i) => i.final)
    .map((i) => ({ name: i.name, registry: i.repository.registry, repository: i.repository.path, tag: i.tag, digest: i.manifestDigest }));
  const service = serviceValues({
    project: built.project,
    werfVersion: werfVersionForState(),
    repo: built.valuesRepo,
    commit: { hash: built.commit.hash, dateHuman: built.commit.dateHuman, dateUnix: built.commit.unix },
    namespace,
    env: o.project.env,
    images,
  });
  // Service values win over what the user gave, as in werf.
  const values = mergeMaps(user, readValues(JSON.stringify(service), "service values"));

  const kube = createKubeClient(o.kube, ctx.env);
  try {
    const driver = storageDriver(o.deploy.releaseStorage);
    const records = await createReleaseStorage(kube, namespace, { driver }).list(release).catch(() => []);
    const h = history(records);
    const [version, apiVersions] = await Promise.all([kube.serverVersion({ signal: ctx.signal }), kube.apiVersions({ signal: ctx.signal })]);
    let rendered;
    try {
      rendered = renderChart(chart, {
        releaseName: release,
        namespace,
        values,
        kubeVersion: version.gitVersion,
        apiVersions,
        isUpgrade: h.deployType === "upgrade",
        revision: h.nextRevision,
      });
    } catch (e) {
      if (e instanceof HelmRenderError) throw new SlipwayError(e.message, { code: "template" });
      throw e;
    }
    const options: DeployOptions = {
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
      releasesHistoryMax: o.deploy.releasesHistoryMax,
      releaseStorage: o.deploy.releaseStorage,
      releaseLabels: o.deploy.releaseLabelMap,
      addAnnotations: o.deploy.addAnnotationMap,
      addLabels: o.deploy.addLabelMap,
      runtimeAnnotations: { "werf.io/version": werfVersionForState(), "project.werf.io/name": built.project, ...(o.project.env === "" ? {} : { "project.werf.io/env": o.project.env }), ...o.deploy.runtimeAnnotations },
      runtimeLabels: o.deploy.runtimeLabels,
      cleanupOnFail: ctx.env["SLIPWAY_CLEANUP_ON_FAIL"] === "1",
    };
    const printer = createDeployPrinter({
      write: (text: string) => ctx.stdout.write(text),
      isTTY: process.stdout.isTTY === true && ctx.stdout === process.stdout,
      color: o.log.logColorMode,
      columns: process.stdout.columns ?? 140,
      rows: process.stdout.rows ?? 40,
      logTime: o.log.logTime,
      statusProgressPeriodMs: o.deploy.statusProgressPeriod < 0 ? -1 : o.deploy.statusProgressPeriod * 1000,
      env: ctx.env,
    });
    const emit = (event: DeployEvent | TrackEvent): void => printer.handle(event);
    const input = {
      releaseName: release,
      namespace,
      chart,
      chartValues: toPlain(chart.values),
      userValues: toPlain(user) as Record<string, unknown>,
      manifests: rendered.manifests.map((m) => ({ source: m.name, content: m.content, storeAs: "regular" as const })),
      hooks: rendered.hooks.map((m) => ({ source: m.name, content: m.content, storeAs: "hook" as const })),
      crds: crdDocuments(chart),
      notes: o.deploy.noNotes ? "" : rendered.notes,
    };
    const writeReport = async (text: string): Promise<void> => {
      if (o.deploy.saveDeployReport) await writeFile(resolve(process.cwd(), o.deploy.deployReportPath), text, { mode: 0o600 });
    };
    try {
      const result = await deployRelease(kube, input, options, emit, ctx.signal);
      if (!o.deploy.noNotes && result.notes !== "" && result.report.status === "deployed") emit({ type: "release-notes", notes: result.notes });
      printer.finish();
      await writeReport(deployReportJson(result.report));
    } catch (err) {
      printer.finish();
      if (err instanceof DeployFailedError) await writeReport(deployReportJson(err.report)).catch(() => undefined);
      throw err;
    }
  } finally {
    kube.close();
  }
}
