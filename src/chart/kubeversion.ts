// Chart.yaml `kubeVersion` against the target Kubernetes version, as Helm checks it before rendering
// (pkg/action's renderResources with chartutil.IsCompatibleRange). Pure; imports the semver port of
// src/template.

import { SlipwayError } from "../errors.js";
import { semverSatisfies } from "../template/sprig/semver.js";
import type { Chart } from "./types.js";

/**
 * Throws Helm's error when the root chart's kubeVersion constraint rejects `kubeVersion` (the
 * Capabilities form, e.g. `v1.30.0`). Masterminds semantics: a pre-release Kubernetes version such as
 * `v1.30.1-eks.5` only satisfies constraints that carry a pre-release part themselves, hence charts' `-0`.
 */
export function checkKubeVersion(chart: Chart, kubeVersion: string): void {
  const constraint = chart.metadata.get("KubeVersion");
  if (typeof constraint !== "string" || constraint === "") return;
  if (!semverSatisfies(constraint, kubeVersion)) {
    throw new SlipwayError(
      `chart requires kubeVersion: ${constraint} which is incompatible with Kubernetes ${kubeVersion}`,
      { code: "chart" },
    );
  }
}
