/**
 * @module deploy/report
 *
 * werf's deploy report (`--save-deploy-report`, `--deploy-report-path`): version 3, indented with tabs, empty
 * lists omitted, each list sorted. Pure: the caller writes the text with mode 0600.
 */

export type DeployReportStatus = "deployed" | "failed" | "skipped";

export interface DeployReport {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: DeployReportStatus;
  readonly completedOperations?: readonly string[];
  readonly canceledOperations?: readonly string[];
  readonly failedOperations?: readonly string[];
}

export function deployReportJson(report: DeployReport): string {
  const out: Record<string, unknown> = {
    version: 3,
    release: report.release,
    namespace: report.namespace,
    revision: report.revision,
    status: report.status,
  };
  if (report.status !== "skipped") {
    for (const key of ["completedOperations", "canceledOperations", "failedOperations"] as const) {
      const list = report[key];
      if (list !== undefined && list.length > 0) out[key] = [...list].sort();
    }
  }
  return `${JSON.stringify(out, null, "\t")}\n`;
}

/** `create: ConfigMap/app`, with ` (namespace=x)` outside the release namespace and ` (iteration=N)` for N > 0. */
export function operationDescription(
  type: string,
  kind: string,
  name: string,
  namespace: string,
  releaseNamespace: string,
  iteration = 0,
): string {
  let text = `${type.replaceAll("-", " ")}: ${kind}/${name}`;
  if (namespace !== "" && namespace !== releaseNamespace) text += ` (namespace=${namespace})`;
  if (iteration > 0) text += ` (iteration=${iteration})`;
  return text;
}
