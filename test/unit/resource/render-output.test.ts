// slipway's werf-render normalisation against nelm v1.24.3's `chart render` (werf render's engine): the goldens in
// test/golden/werf-render come from scripts/gen-werf-render-golden.js.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadChartDir } from "../../../src/chart/load.js";
import { renderChart } from "../../../src/render/render.js";
import { formatRenderOutput } from "../../../src/resource/render-output.js";
import { chartCrdDocuments, documentsFromRender } from "../../../src/resource/resource.js";

const root = join(import.meta.dirname, "../../..");

interface Case {
  readonly name: string;
  readonly includeCrds: boolean;
  readonly showOnly?: string[];
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
}

const CASES: Case[] = [
  { name: "normalise", includeCrds: true },
  { name: "normalise-no-crds", includeCrds: false },
  { name: "normalise-extra-metadata", includeCrds: true, annotations: { team: "a", num: "1" }, labels: { tier: "web" } },
  { name: "normalise-show-only", includeCrds: false, showOnly: ["templates/b.yaml"] },
];

describe("werf render output", () => {
  const chart = loadChartDir(join(root, "test/fixtures/werf-render/normalise"));
  const render = renderChart(chart, { releaseName: "rn", namespace: "ns1", values: new Map(), kubeVersion: "1.20.0", keepUnknownHooks: true });
  const docs = documentsFromRender(render, chartCrdDocuments(chart));
  for (const c of CASES) {
    it(`prints what nelm chart render prints: ${c.name}`, () => {
      const out = formatRenderOutput(docs, {
        releaseNamespace: "ns1",
        chartName: chart.name,
        includeCrds: c.includeCrds,
        showOnly: c.showOnly ?? [],
        extra: { annotations: c.annotations ?? {}, labels: c.labels ?? {} },
      });
      expect(out).toBe(readFileSync(join(root, "test/golden/werf-render", `${c.name}.out`), "utf8"));
    });
  }

  it("accepts --show-only paths with the chart's name", () => {
    const options = { releaseNamespace: "ns1", chartName: chart.name, includeCrds: false, extra: { annotations: {}, labels: {} } };
    expect(formatRenderOutput(docs, { ...options, showOnly: ["normalise/templates/b.yaml"] })).toBe(formatRenderOutput(docs, { ...options, showOnly: ["templates/b.yaml"] }));
  });
});
