// werf's converge-time dependency step over a fake chart source: which locked dependencies are fetched, from the
// cache or the source, and what a chart without a lock gets.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { dependencyLine, lockedDependencyFiles, lockedLocalDependencyDirs } from "../../../src/chartdeps/manager.js";
import { ChartCache, type ChartSources } from "../../../src/chartdeps/sources.js";
import type { ChartFile } from "../../../src/chart/types.js";
import { tarArchive } from "../../../src/util/tar.js";

const archive = (name: string, version: string): Buffer =>
  gzipSync(tarArchive([{ name: `${name}/Chart.yaml`, data: Buffer.from(`apiVersion: v2\nname: ${name}\nversion: ${version}\n`) }]));

function fakeSources(calls: string[]): ChartSources {
  return {
    httpGet: (url) => {
      calls.push(url);
      if (url.endsWith("/index.yaml")) return Promise.resolve(Buffer.from("apiVersion: v1\nentries:\n  lib:\n  - version: 1.2.0\n    urls: [pkg/lib-1.2.0.tgz]\n"));
      if (url.endsWith("lib-1.2.0.tgz")) return Promise.resolve(archive("lib", "1.2.0"));
      return Promise.reject(new Error(`failed to fetch ${url} : 404 Not Found`));
    },
    ociTags: () => Promise.resolve([]),
    ociPull: (repo, tag) => {
      calls.push(`oci ${repo}:${tag}`);
      return Promise.resolve(tag === "0.2.5_b1" ? archive("db", "0.2.5+b1") : Buffer.from("not a chart"));
    },
    close: () => undefined,
  };
}

const file = (name: string, text: string): ChartFile => ({ name, data: Buffer.from(text) });
const CHART = file("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: lib\n  version: ^1\n  repository: http://repo/charts\n- name: db\n  version: ~0.2\n  repository: oci://reg/charts\n- name: common\n  version: 3.x\n  repository: file://../common\n");
const LOCK = file("Chart.lock", "dependencies:\n- name: lib\n  repository: http://repo/charts\n  version: 1.2.0\n- name: db\n  repository: oci://reg/charts\n  version: 0.2.5+b1\n- name: common\n  repository: file://../common\n  version: 3.1.4\ndigest: sha256:x\ngenerated: \"2026-01-01T00:00:00Z\"\n");

describe("lockedDependencyFiles", () => {
  test("fetches each remote locked dependency once, then reads the cache", async () => {
    const calls: string[] = [];
    const cache = new ChartCache(mkdtempSync(join(tmpdir(), "slipway-cache-")));
    const ctx = { sources: fakeSources(calls), cache, repositories: [], out: () => undefined, warn: () => undefined };
    const first = await lockedDependencyFiles([CHART, LOCK], ".helm", ctx);
    expect(first.map((f) => f.name)).toEqual(["charts/lib-1.2.0.tgz", "charts/db-0.2.5+b1.tgz"]);
    expect(calls).toEqual(["http://repo/charts/index.yaml", "http://repo/charts/pkg/lib-1.2.0.tgz", "oci reg/charts/db:0.2.5_b1"]);
    const second = await lockedDependencyFiles([CHART, LOCK], ".helm", ctx);
    expect(second.map((f) => Buffer.from(f.data).equals(Buffer.from(first.find((x) => x.name === f.name)?.data ?? [])))).toEqual([true, true]);
    expect(calls).toHaveLength(3);
    expect(lockedLocalDependencyDirs([CHART, LOCK], ".helm")).toEqual([{ name: "common", dir: "common" }]);
  });

  test("an archive already committed in charts/ is used as it is", async () => {
    const calls: string[] = [];
    const ctx = { sources: fakeSources(calls), repositories: [], out: () => undefined, warn: () => undefined };
    const got = await lockedDependencyFiles([CHART, LOCK, file("charts/lib-1.2.0.tgz", ""), file("charts/db-0.2.5+b1.tgz", "")], ".helm", ctx);
    expect(got).toEqual([]);
    expect(calls).toEqual([]);
  });

  test("a broken archive is one error naming Chart.yaml, the key and the dependency; nothing is cached", async () => {
    const calls: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "slipway-cache-"));
    const lock = file("Chart.lock", Buffer.from(LOCK.data).toString("utf8").replace("0.2.5+b1", "0.2.6"));
    const ctx = { sources: fakeSources(calls), cache: new ChartCache(dir), repositories: [], out: () => undefined, warn: () => undefined };
    await expect(lockedDependencyFiles([CHART, lock], ".helm", ctx)).rejects.toMatchObject({
      message: 'dependency "db" (repository "oci://reg/charts", version "0.2.6") of Chart.lock: the downloaded archive is not a valid chart: gzip: invalid header',
      location: { file: ".helm/Chart.yaml", line: 8, key: "dependencies[1]" },
    });
    expect(new ChartCache(dir).get("oci://reg/charts", "db", "0.2.6")).toBeUndefined();
  });

  test("without a lock, werf's warning and nothing fetched", async () => {
    const warnings: string[] = [];
    const calls: string[] = [];
    const ctx = { sources: fakeSources(calls), repositories: [], out: () => undefined, warn: (t: string) => warnings.push(t) };
    expect(await lockedDependencyFiles([CHART], ".helm", ctx)).toEqual([]);
    expect(warnings).toEqual(["Cannot automatically download chart dependencies without Chart.lock or requirements.lock."]);
    expect(calls).toEqual([]);
  });
});

test("dependencyLine finds the n-th item of the top-level dependencies list", () => {
  const text = "name: a\ndependencies:\n  # first\n  - name: x\n    tags:\n    - t\n  -\n    name: y\nversion: 1\n";
  expect([0, 1, 2].map((i) => dependencyLine(text, i))).toEqual([4, 7, undefined]);
  expect(dependencyLine("dependencies: [{name: x}]\n", 0)).toBeUndefined();
});
