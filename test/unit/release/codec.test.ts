// The release codec against records written by the real helm v3.17.3 (fixtures/generate.js), plus tables for
// the history and pruning rules.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadChartDir } from "../../../src/chart/load.js";
import {
  chartRecord,
  decodeRelease,
  decodeReleaseJson,
  encodeRelease,
  goTime,
  history,
  interruptedRepairs,
  releaseFromObject,
  releaseJson,
  revisionsToPrune,
  storageObject,
  type HelmRelease,
  type ReleaseStatus,
} from "../../../src/release/codec.js";
import type { KubeObject } from "../../../src/kube/types.js";

interface Saved {
  kind: string;
  name: string;
  labels: Record<string, string>;
  type?: string;
  data: { release: string };
}
const FIXTURES = new URL("./fixtures/", import.meta.url);
const records = JSON.parse(readFileSync(new URL("helm-records.json", FIXTURES), "utf8")) as Record<string, Saved>;
const object = (s: Saved): KubeObject => ({ apiVersion: "v1", kind: s.kind, metadata: { name: s.name, labels: s.labels }, data: s.data, ...(s.type === undefined ? {} : { type: s.type }) });
const driverString = (s: Saved): string => (s.kind === "Secret" ? Buffer.from(s.data.release, "base64").toString("utf8") : s.data.release);

describe("release JSON as helm writes it", () => {
  for (const [key, saved] of Object.entries(records)) {
    it(`re-encodes ${key} byte for byte`, () => {
      const helmJson = decodeReleaseJson(driverString(saved));
      const release = releaseFromObject(object(saved));
      expect(releaseJson(release)).toBe(helmJson);
      // And through the whole storage encoding (gzip is not byte-stable across zlib builds; the JSON inside is).
      expect(gunzipSync(Buffer.from(encodeRelease(release), "base64")).toString("utf8")).toBe(helmJson);
      expect(decodeRelease(encodeRelease(release))).toEqual({ ...release, labels: undefined });
    });
  }

  it("reads helm's labels and keeps them apart from the JSON", () => {
    const saved = records["configMapInstalled"];
    if (saved === undefined) throw new Error("fixture missing");
    const release = releaseFromObject(object(saved));
    expect(release.labels).toEqual(saved.labels);
    expect(releaseJson(release)).not.toContain("modifiedAt");
  });

  it("decodes a plain (not gzipped) record", () => {
    const json = '{"name":"a","info":{"first_deployed":"","last_deployed":"","deleted":"","status":"deployed"},"version":3,"namespace":"n"}';
    const r = decodeRelease(Buffer.from(json).toString("base64"));
    expect(r.version).toBe(3);
    expect(r.info.status).toBe("deployed");
    expect(releaseJson(r)).toBe('{"name":"a","info":{"first_deployed":"","last_deployed":"","deleted":"","status":"deployed"},"chart":{"metadata":null,"lock":null,"templates":null,"values":null,"schema":null,"files":null},"version":3,"namespace":"n"}');
  });

  it("rejects a record that is not JSON with a wrapped error", () => {
    expect(() => decodeRelease(Buffer.from("not json").toString("base64"))).toThrow(/^decode release: /);
  });

  it("writes Go's zero values and omitempty rules", () => {
    const r: HelmRelease = {
      name: "x",
      info: { deleted: "", status: "pending-install", last_stage: 0, annotations: {} },
      chart: { metadata: { name: "c", deprecated: false, dependencies: [{ name: "d", enabled: true }] }, lock: null, templates: [], values: new Map<string, unknown>([["b", 1], ["a", new Map()]]), schema: null, files: null },
      config: {},
      manifest: "",
      hooks: [{ name: "h", last_run: { phase: "" }, weight: 0, events: ["pre-install"] }],
      version: 1,
      namespace: "ns",
    };
    expect(releaseJson(r)).toBe(
      '{"name":"x","info":{"first_deployed":"","last_deployed":"","deleted":"","status":"pending-install","last_stage":0},' +
        '"chart":{"metadata":{"name":"c","dependencies":[{"name":"d","repository":"","enabled":true}]},"lock":null,"templates":[],"values":{"a":{},"b":1},"schema":null,"files":null},' +
        '"hooks":[{"name":"h","events":["pre-install"],"last_run":{"started_at":"","completed_at":"","phase":""}}],"version":1,"namespace":"ns"}',
    );
  });

  it("formats times as Go's RFC3339Nano", () => {
    const t = Date.UTC(2026, 11, 3, 5, 53, 25, 36);
    const offset = new Date(t).getTimezoneOffset();
    const expected = offset === 0 ? "2026-12-03T05:53:25.036123Z" : undefined;
    if (expected !== undefined) expect(goTime(t, 123_000)).toBe(expected);
    expect(goTime(Date.UTC(2026, 0, 1), 0)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  });
});

describe("storage objects", () => {
  const saved = records["secretUpgraded"];
  if (saved === undefined) throw new Error("fixture missing");
  const release = releaseFromObject(object(saved));

  it("builds the Secret helm builds, with Helm's label merge", () => {
    const fresh: HelmRelease = { ...release, version: 3, info: { ...release.info, status: "pending-upgrade" } };
    delete fresh.labels;
    const created = storageObject("secret", fresh, { customLabels: { team: "a", name: "ignored" }, nowSeconds: 100, update: false });
    expect(created.metadata).toEqual({
      name: "sh.helm.release.v1.golden.v3",
      namespace: release.namespace,
      labels: { team: "a", createdAt: "100", name: "golden", owner: "helm", status: "pending-upgrade", version: "3" },
    });
    expect(created["type"]).toBe("helm.sh/release.v1");
    const back = releaseFromObject(created);
    expect(back.version).toBe(3);
    expect(releaseJson(back)).toBe(releaseJson(fresh));
  });

  it("keeps an old modifiedAt of a record read from the cluster, as helm's double merge does", () => {
    const updated = storageObject("secret", { ...release, info: { ...release.info, status: "superseded" } }, { nowSeconds: 999, update: true });
    expect(updated.metadata.labels).toEqual({ ...saved.labels, status: "superseded" });
  });

  it("builds a ConfigMap with the driver string unwrapped", () => {
    const cm = storageObject("configmap", { ...release, labels: { tier: "web" } }, { nowSeconds: 5, update: true });
    expect(cm.kind).toBe("ConfigMap");
    expect(cm["type"]).toBeUndefined();
    expect(cm.metadata.labels).toEqual({ tier: "web", modifiedAt: "5", name: "golden", owner: "helm", status: "deployed", version: "2" });
    expect(decodeRelease((cm["data"] as { release: string }).release).manifest).toBe(release.manifest);
  });
});

describe("chart field from slipway's loaded chart", () => {
  it("equals what helm stored for the same chart", () => {
    const saved = records["secretInstalled"];
    if (saved === undefined) throw new Error("fixture missing");
    const helmChart = JSON.parse(decodeReleaseJson(driverString(saved))) as { chart: unknown };
    const chart = loadChartDir(new URL("golden-chart", FIXTURES).pathname);
    const ours = chartRecord(chart);
    const release = { ...releaseFromObject(object(saved)), chart: ours };
    expect((JSON.parse(releaseJson(release)) as { chart: unknown }).chart).toEqual(helmChart.chart);
    // Byte for byte too: the map order, the float format and the HTML escaping come from our encoder.
    expect(releaseJson(release)).toBe(decodeReleaseJson(driverString(saved)));
  });
});

const rec = (version: number, status: ReleaseStatus): HelmRelease => ({
  name: "r",
  info: { deleted: "", status },
  chart: { metadata: null, lock: null, templates: null, values: null, schema: null, files: null },
  version,
  namespace: "ns",
});

describe("history", () => {
  const cases: [string, [number, ReleaseStatus][], { prev?: number; prevDeployed?: number; next: number; type: string; failed: boolean }][] = [
    ["empty", [], { next: 1, type: "initial", failed: false }],
    ["one deployed", [[1, "deployed"]], { prev: 1, prevDeployed: 1, next: 2, type: "upgrade", failed: false }],
    ["failed first install", [[1, "failed"]], { prev: 1, next: 2, type: "install", failed: true }],
    ["failed upgrade", [[1, "deployed"], [2, "failed"]], { prev: 2, prevDeployed: 1, next: 3, type: "upgrade", failed: true }],
    ["stuck pending", [[2, "pending-upgrade"], [1, "deployed"]], { prev: 2, prevDeployed: 1, next: 3, type: "upgrade", failed: true }],
    ["superseded then uninstalled", [[1, "superseded"], [2, "uninstalled"]], { prev: 2, next: 3, type: "install", failed: false }],
    ["deployed after uninstall", [[1, "superseded"], [2, "uninstalled"], [3, "deployed"], [4, "failed"]], { prev: 4, prevDeployed: 3, next: 5, type: "upgrade", failed: true }],
    ["uninstalling", [[1, "deployed"], [2, "uninstalling"]], { prev: 2, next: 3, type: "install", failed: true }],
    ["unknown", [[1, "deployed"], [2, "unknown"]], { prev: 2, prevDeployed: 1, next: 3, type: "upgrade", failed: true }],
    ["superseded only", [[1, "superseded"], [2, "superseded"]], { prev: 2, prevDeployed: 2, next: 3, type: "upgrade", failed: false }],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      const h = history(input.map(([v, s]) => rec(v, s)));
      expect(h.previous?.version).toBe(want.prev);
      expect(h.lastDeployed?.version).toBe(want.prevDeployed);
      expect(h.nextRevision).toBe(want.next);
      expect(h.deployType).toBe(want.type);
      expect(h.previousFailed).toBe(want.failed);
      expect(h.releases.map((r) => r.version)).toEqual([...input.map(([v]) => v)].sort((a, b) => a - b));
    });
  }
});

describe("pruning for --releases-history-max", () => {
  const cases: [string, [number, ReleaseStatus][], number, number[]][] = [
    ["under the limit", [[1, "superseded"], [2, "deployed"]], 5, []],
    ["room for one more", [[1, "superseded"], [2, "superseded"], [3, "superseded"], [4, "superseded"], [5, "deployed"]], 5, [1]],
    ["keeps the deployed one even when oldest", [[1, "deployed"], [2, "failed"], [3, "failed"], [4, "failed"], [5, "failed"], [6, "failed"]], 5, [2, 3]],
    ["max 1 keeps only the deployed one", [[1, "superseded"], [2, "deployed"], [3, "failed"]], 1, [1, 3]],
    ["max 1 without deployed deletes all", [[1, "failed"], [2, "failed"]], 1, [1, 2]],
    ["zero keeps everything", [[1, "superseded"], [2, "deployed"]], 0, []],
    ["unsorted input", [[7, "deployed"], [3, "superseded"], [5, "superseded"], [4, "superseded"], [6, "superseded"]], 3, [3, 4, 5]],
  ];
  for (const [name, input, max, want] of cases) {
    it(name, () => {
      expect(revisionsToPrune(input.map(([v, s]) => rec(v, s)), max)).toEqual(want);
    });
  }
  it("an explicit protected revision wins", () => {
    expect(revisionsToPrune([rec(1, "superseded"), rec(2, "superseded"), rec(3, "deployed")], 2, 1)).toEqual([2, 3]);
  });
});

describe("repairs of a history left by a run that died", () => {
  const repaired = (input: [number, ReleaseStatus][]): [number, string | undefined][] => interruptedRepairs(input.map(([v, s]) => rec(v, s))).map((r) => [r.version, r.info.status]);
  it("pending-* revisions become failed, with a description that says why", () => {
    expect(repaired([[1, "superseded"], [2, "deployed"], [3, "pending-upgrade"]])).toEqual([[3, "failed"]]);
    expect(repaired([[1, "pending-install"]])).toEqual([[1, "failed"]]);
    expect(repaired([[1, "deployed"], [2, "pending-rollback"]])).toEqual([[2, "failed"]]);
    expect(interruptedRepairs([rec(1, "pending-upgrade")])[0]?.info.description).toMatch(/^Upgrade failed: interrupted/);
  });
  it("of several deployed revisions all but the newest become superseded", () => {
    expect(repaired([[1, "deployed"], [2, "failed"], [3, "deployed"]])).toEqual([[1, "superseded"]]);
  });
  it("a consistent history needs nothing", () => {
    expect(repaired([[1, "superseded"], [2, "failed"], [3, "deployed"], [4, "failed"], [5, "uninstalling"]])).toEqual([]);
  });
});
