import { describe, expect, it } from "vitest";
import {
  formatBuildTime,
  imageEnvPrefix,
  parseBuildReport,
  reportToEnvFile,
  reportToJson,
  type BuildReport,
  type ReportImageRecord,
} from "../../../src/build/report.js";

const digest = "a".repeat(56);
const backend: ReportImageRecord = {
  WerfImageName: "backend",
  ConfigType: "dockerfile",
  DockerRepo: "127.0.0.1:5000/app",
  DockerTag: `${digest}-1752501317353`,
  DockerImageID: "sha256:" + "1".repeat(64),
  DockerImageDigest: "sha256:" + "2".repeat(64),
  DockerImageName: `127.0.0.1:5000/app:${digest}-1752501317353`,
  TargetPlatform: "linux/amd64",
  Rebuilt: true,
  Final: true,
  Size: 2200000,
  BuildTime: "1.50",
  Commit: "c0ffee",
  Stages: [
    {
      Name: "dockerfile",
      DockerImageName: `127.0.0.1:5000/app:${digest}-1752501317353`,
      DockerTag: `${digest}-1752501317353`,
      DockerImageID: "sha256:" + "1".repeat(64),
      DockerImageDigest: "sha256:" + "2".repeat(64),
      CreatedAt: 1752501317353000000,
      Size: 2200000,
      SourceType: "",
      BaseImagePulled: false,
      Rebuilt: true,
      BuildTime: "1.50",
      Commit: "c0ffee",
    },
  ],
};
const report: BuildReport = {
  Runtime: { Backend: "docker", InContainer: false },
  Images: { "my-app.web": { ...backend, WerfImageName: "my-app.web", Stages: [], Final: false }, backend },
  ImagesByPlatform: {},
};

describe("build report", () => {
  it("writes JSON as Go's MarshalIndent does: tab indent, struct order, sorted image names, omitempty", () => {
    const json = reportToJson(report);
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.startsWith('{\n\t"Runtime": {\n\t\t"Backend": "docker",\n\t\t"InContainer": false\n\t},\n\t"Images": {\n\t\t"backend": {\n\t\t\t"WerfImageName": "backend",\n\t\t\t"ConfigType": "dockerfile",')).toBe(true);
    expect(json.indexOf('"backend"')).toBeLessThan(json.indexOf('"my-app.web"'));
    // An empty Stages list and a false StagesSkipped are omitted, as with Go's omitempty.
    const web = (JSON.parse(json) as { Images: Record<string, object> }).Images["my-app.web"] ?? {};
    expect(Object.keys(web)).toEqual([
      "WerfImageName", "ConfigType", "DockerRepo", "DockerTag", "DockerImageID", "DockerImageDigest",
      "DockerImageName", "TargetPlatform", "Rebuilt", "Final", "Size", "BuildTime", "Commit",
    ]);
    expect(json).toContain('\t"ImagesByPlatform": {}\n}');
  });

  it("escapes HTML characters like Go", () => {
    const json = reportToJson({ ...report, Images: { x: { ...backend, Commit: "<&>" } } });
    expect(json).toContain('"Commit": "\\u003c\\u0026\\u003e"');
  });

  it("writes the .env form and reads both forms back", () => {
    const env = reportToEnvFile(report);
    expect(env).toContain("WERF_MY_APP_WEB_DOCKER_IMAGE_NAME=127.0.0.1:5000/app:");
    expect(env).toContain("WERF_MY_APP_WEB_FINAL=false\n");
    expect(env).toContain(`WERF_BACKEND_DOCKER_TAG=${digest}-1752501317353\n`);
    const fromEnv = parseBuildReport(env, "envfile");
    expect(fromEnv.Images["backend"]?.DockerImageDigest).toBe(backend.DockerImageDigest);
    expect(fromEnv.Images["my-app.web"]?.Final).toBe(false);
    const fromJson = parseBuildReport(reportToJson(report), "json");
    expect(fromJson.Images["backend"]?.DockerImageName).toBe(backend.DockerImageName);
  });

  it("rejects reports werf would reject", () => {
    expect(() => parseBuildReport('{"Images":{}}', "json")).toThrow("build report contains no images");
    expect(() => parseBuildReport('{"Images":{"a":{"WerfImageName":"a"}}}', "json")).toThrow('image "a" has empty DockerImageName');
    expect(() => parseBuildReport("{", "json")).toThrow(/unable to decode build report/);
    expect(() => parseBuildReport("WERF_A_DOCKER_IMAGE_NAME", "envfile")).toThrow(/malformed env line 1/);
  });

  it("names env prefixes as werf does (report paths: the CLI's option parsing, test/unit/cli/options.test.ts)", () => {
    expect(imageEnvPrefix("")).toBe("WERF_");
    expect(imageEnvPrefix("a/b-c.d")).toBe("WERF_A_B_C_D_");
    expect(formatBuildTime(1234)).toBe("1.23");
  });
});
