/**
 * werf's build report (`--save-build-report`, `--build-report-path`, `--use-build-report`): the JSON document
 * (Go's json.MarshalIndent with a tab, struct field order, sorted map keys, HTML-escaped strings) and the
 * `.env` file. Pure: turns records into text and text back into records.
 */

export interface ReportStageRecord {
  readonly Name: string;
  readonly DockerImageName: string;
  readonly DockerTag: string;
  readonly DockerImageID: string;
  readonly DockerImageDigest: string;
  /** Unix nanoseconds. */
  readonly CreatedAt: number;
  readonly Size: number;
  readonly SourceType: string;
  readonly BaseImagePulled: boolean;
  readonly Rebuilt: boolean;
  readonly BuildTime: string;
  readonly Commit: string;
}

export interface ReportImageRecord {
  readonly WerfImageName: string;
  readonly ConfigType: "dockerfile" | "staged" | "stapel" | "unknown";
  readonly DockerRepo: string;
  readonly DockerTag: string;
  readonly DockerImageID: string;
  readonly DockerImageDigest: string;
  readonly DockerImageName: string;
  readonly TargetPlatform: string;
  readonly Rebuilt: boolean;
  readonly Final: boolean;
  readonly Size: number;
  readonly BuildTime: string;
  readonly Commit: string;
  readonly Stages?: readonly ReportStageRecord[];
  readonly StagesSkipped?: boolean;
}

export interface BuildReport {
  readonly Runtime: { readonly Backend: "docker" | "buildah"; readonly InContainer: boolean };
  readonly Images: Readonly<Record<string, ReportImageRecord>>;
  readonly ImagesByPlatform: Readonly<Record<string, Readonly<Record<string, ReportImageRecord>>>>;
}

export type ReportFormat = "json" | "envfile";

/** `BuildTime` as werf writes it: seconds with two decimals. */
export function formatBuildTime(milliseconds: number): string {
  return (milliseconds / 1000).toFixed(2);
}

const IMAGE_FIELDS: ReadonlyArray<keyof ReportImageRecord> = [
  "WerfImageName",
  "ConfigType",
  "DockerRepo",
  "DockerTag",
  "DockerImageID",
  "DockerImageDigest",
  "DockerImageName",
  "TargetPlatform",
  "Rebuilt",
  "Final",
  "Size",
  "BuildTime",
  "Commit",
  "Stages",
  "StagesSkipped",
];

const STAGE_FIELDS: ReadonlyArray<keyof ReportStageRecord> = [
  "Name",
  "DockerImageName",
  "DockerTag",
  "DockerImageID",
  "DockerImageDigest",
  "CreatedAt",
  "Size",
  "SourceType",
  "BaseImagePulled",
  "Rebuilt",
  "BuildTime",
  "Commit",
];

function ordered<T extends object>(value: T, fields: ReadonlyArray<keyof T>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const v = value[field];
    // `Stages` and `StagesSkipped` carry `omitempty`.
    if ((field === "Stages" && (v === undefined || (Array.isArray(v) && v.length === 0))) || (field === "StagesSkipped" && !v)) {
      continue;
    }
    out[field as string] = v;
  }
  return out;
}

function sortedRecord<T>(map: Readonly<Record<string, T>>, each: (value: T) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(map).sort()) out[key] = each(map[key] as T);
  return out;
}

function imageJson(record: ReportImageRecord): Record<string, unknown> {
  const out = ordered(record, IMAGE_FIELDS);
  if (record.Stages && record.Stages.length > 0) out["Stages"] = record.Stages.map((s) => ordered(s, STAGE_FIELDS));
  return out;
}

/** Go's encoding/json escapes these characters in strings by default. */
function goJsonEscape(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function reportToJson(report: BuildReport): string {
  const doc = {
    Runtime: { Backend: report.Runtime.Backend, InContainer: report.Runtime.InContainer },
    Images: sortedRecord(report.Images, imageJson),
    ImagesByPlatform: sortedRecord(report.ImagesByPlatform, (byPlatform) => sortedRecord(byPlatform, imageJson)),
  };
  return `${goJsonEscape(JSON.stringify(doc, null, "\t"))}\n`;
}

/** `WERF_<NAME>_` with the name upper-cased and `/`, `-`, `.` replaced by `_`; `WERF_` for a nameless image. */
export function imageEnvPrefix(imageName: string): string {
  if (imageName === "") return "WERF_";
  return `WERF_${imageName.toUpperCase().replace(/[/.-]/g, "_")}_`;
}

export function reportToEnvFile(report: BuildReport): string {
  let out = "";
  for (const [name, record] of Object.entries(report.Images)) {
    const prefix = imageEnvPrefix(name);
    out += `${prefix}DOCKER_IMAGE_NAME=${record.DockerImageName}\n`;
    out += `${prefix}DOCKER_IMAGE_ID=${record.DockerImageID}\n`;
    out += `${prefix}DOCKER_IMAGE_DIGEST=${record.DockerImageDigest}\n`;
    out += `${prefix}DOCKER_REPO=${record.DockerRepo}\n`;
    out += `${prefix}DOCKER_TAG=${record.DockerTag}\n`;
    out += `${prefix}WERF_IMAGE_NAME=${record.WerfImageName}\n`;
    out += `${prefix}FINAL=${String(record.Final)}\n`;
  }
  return out;
}

export class BuildReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildReportError";
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Reads a report back (`--use-build-report`) and validates it as werf does. */
export function parseBuildReport(text: string, format: ReportFormat): BuildReport {
  let images: Record<string, ReportImageRecord> = {};
  if (format === "envfile") {
    const values = new Map<string, string>();
    text.split("\n").forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      if (eq < 0) throw new BuildReportError(`malformed env line ${i + 1}: ${JSON.stringify(line)}`);
      values.set(line.slice(0, eq), line.slice(eq + 1));
    });
    for (const key of values.keys()) {
      if (!key.endsWith("_DOCKER_IMAGE_NAME")) continue;
      const prefix = key.slice(0, -"DOCKER_IMAGE_NAME".length);
      const name = values.get(`${prefix}WERF_IMAGE_NAME`) ?? "";
      images[name] = {
        WerfImageName: name,
        ConfigType: "unknown",
        DockerRepo: values.get(`${prefix}DOCKER_REPO`) ?? "",
        DockerTag: values.get(`${prefix}DOCKER_TAG`) ?? "",
        DockerImageID: values.get(`${prefix}DOCKER_IMAGE_ID`) ?? "",
        DockerImageDigest: values.get(`${prefix}DOCKER_IMAGE_DIGEST`) ?? "",
        DockerImageName: values.get(key) ?? "",
        TargetPlatform: "",
        Rebuilt: false,
        Final: (values.get(`${prefix}FINAL`) ?? "true") === "true",
        Size: 0,
        BuildTime: "0.00",
        Commit: "",
      };
    }
  } else {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new BuildReportError(`unable to decode build report: ${(error as Error).message}`);
    }
    const raw = (doc as { Images?: unknown }).Images;
    if (raw !== null && typeof raw === "object") {
      images = {};
      for (const [name, value] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
        images[name] = {
          WerfImageName: str(value["WerfImageName"]),
          ConfigType: (str(value["ConfigType"]) || "unknown") as ReportImageRecord["ConfigType"],
          DockerRepo: str(value["DockerRepo"]),
          DockerTag: str(value["DockerTag"]),
          DockerImageID: str(value["DockerImageID"]),
          DockerImageDigest: str(value["DockerImageDigest"]),
          DockerImageName: str(value["DockerImageName"]),
          TargetPlatform: str(value["TargetPlatform"]),
          Rebuilt: value["Rebuilt"] === true,
          Final: value["Final"] !== false,
          Size: typeof value["Size"] === "number" ? value["Size"] : 0,
          BuildTime: str(value["BuildTime"]) || "0.00",
          Commit: str(value["Commit"]),
        };
      }
    }
  }
  const names = Object.keys(images);
  if (names.length === 0) throw new BuildReportError("build report contains no images");
  for (const name of names) {
    const record = images[name] as ReportImageRecord;
    for (const field of ["WerfImageName", "DockerImageName", "DockerRepo", "DockerTag", "DockerImageID"] as const) {
      if (record[field] === "") throw new BuildReportError(`image ${JSON.stringify(name)} has empty ${field}`);
    }
  }
  return { Runtime: { Backend: "docker", InContainer: false }, Images: images, ImagesByPlatform: {} };
}
