import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadArchive, loadArchiveFiles } from "../../../src/chart/load.js";
import { tarArchive } from "../../../src/util/tar.js";

const tgz = (entries: { name: string; data: string }[]): Buffer =>
  gzipSync(tarArchive(entries.map((e) => ({ name: e.name, data: Buffer.from(e.data) }))));

describe("loadArchiveFiles", () => {
  it("strips the top-level directory and a UTF-8 BOM", () => {
    const files = loadArchiveFiles(
      tgz([
        { name: "mychart/Chart.yaml", data: "\ufeffapiVersion: v2\nname: mychart\nversion: 1.0.0\n" },
        { name: "mychart/templates/a.yaml", data: "a: 1\n" },
      ]),
    );
    expect(files.map((f) => f.name)).toEqual(["Chart.yaml", "templates/a.yaml"]);
    expect(Buffer.from(files[0]?.data ?? []).toString()).toMatch(/^apiVersion/);
    expect(loadArchive(tgz([{ name: "c/Chart.yaml", data: "apiVersion: v2\nname: c\nversion: 1.0.0\n" }])).name).toBe("c");
  });

  // Helm's archive.go wording; the top-level file case was checked against `helm template`.
  it("rejects paths outside the chart directory as Helm does", () => {
    expect(() => loadArchiveFiles(tgz([{ name: "Chart.yaml", data: "x" }]))).toThrow(
      'chart illegally contains content outside the base directory: "Chart.yaml"',
    );
    expect(() => loadArchiveFiles(tgz([{ name: "c/../../x", data: "x" }]))).toThrow("chart illegally references parent directory");
    expect(() => loadArchiveFiles(gzipSync(Buffer.alloc(1024)))).toThrow("no files in chart archive");
  });
});
