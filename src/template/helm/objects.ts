// Helm 3's built-in objects (.Release, .Chart, .Capabilities) as Go values.

import { formatValue } from "../fmt.js";
import { JsonStruct } from "../json.js";
import { GoFunc, GoInt, GoObject, setMapTypeName, setSliceElemType, type GoMap } from "../value.js";

export const VALUES_TYPE = "chartutil.Values";

export function valuesMap(entries: Iterable<[string, unknown]> = []): GoMap {
  return setMapTypeName(new Map(entries), VALUES_TYPE);
}

/** The *chart.Metadata struct of Helm 3 (printed and accessed with Go field names). */
export class ChartMetadata extends GoObject {
  readonly goType = "*chart.Metadata";
  constructor(private readonly fields: ReadonlyMap<string, unknown>) {
    super();
  }
  static readonly FIELDS = [
    "Name",
    "Home",
    "Sources",
    "Version",
    "Description",
    "Keywords",
    "Maintainers",
    "Icon",
    "APIVersion",
    "Condition",
    "Tags",
    "AppVersion",
    "Deprecated",
    "Annotations",
    "KubeVersion",
    "Dependencies",
    "Type",
  ];
  override field(name: string): { value: unknown } | undefined {
    if (name === "IsRoot" && this.fields.has("IsRoot")) return { value: this.fields.get("IsRoot") };
    if (!ChartMetadata.FIELDS.includes(name)) return undefined;
    const v = this.fields.get(name);
    if (name === "Maintainers" && Array.isArray(v)) return { value: v.map((m) => structOf(m, "*chart.Maintainer", MAINTAINER_FIELDS)) };
    if (name === "Dependencies" && Array.isArray(v)) return { value: v.map((d) => structOf(d, "*chart.Dependency", DEPENDENCY_FIELDS)) };
    if (v !== undefined) return { value: v };
    // Zero values of the struct's field types.
    if (name === "Deprecated") return { value: false };
    if (["Sources", "Keywords", "Maintainers", "Dependencies"].includes(name)) return { value: null };
    if (name === "Annotations") return { value: null };
    return { value: "" };
  }
  /** encoding/json of Helm's chart object: chart.Metadata's tagged fields (all `omitempty`), then `IsRoot`. */
  toJSONValue(): unknown {
    const out = new Map<string, unknown>();
    const put = (key: string, value: unknown): void => {
      if (!isEmptyJsonValue(value)) out.set(key, value);
    };
    for (const [field, tag] of METADATA_JSON_TAGS) {
      put(tag, field === "Maintainers" || field === "Dependencies" ? this.field(field)?.value : this.fields.get(field));
    }
    if (this.fields.has("IsRoot")) out.set("IsRoot", this.fields.get("IsRoot"));
    return ordered(out);
  }
  format(): string {
    const parts = ChartMetadata.FIELDS.map((f) => {
      const v = this.field(f)?.value;
      if (v === null) return f === "Annotations" ? "map[]" : "[]";
      return formatValue(v);
    });
    return "&{" + parts.join(" ") + "}";
  }
}

const METADATA_JSON_TAGS: readonly (readonly [string, string])[] = [
  ["Name", "name"],
  ["Home", "home"],
  ["Sources", "sources"],
  ["Version", "version"],
  ["Description", "description"],
  ["Keywords", "keywords"],
  ["Maintainers", "maintainers"],
  ["Icon", "icon"],
  ["APIVersion", "apiVersion"],
  ["Condition", "condition"],
  ["Tags", "tags"],
  ["AppVersion", "appVersion"],
  ["Deprecated", "deprecated"],
  ["Annotations", "annotations"],
  ["KubeVersion", "kubeVersion"],
  ["Dependencies", "dependencies"],
  ["Type", "type"],
];
/** A struct field: Go name, key in the metadata map, JSON tag, whether it is `omitempty`, zero value. */
type StructField = readonly [go: string, key: string, tag: string, omitempty: boolean, zero: unknown];

const MAINTAINER_FIELDS: readonly StructField[] = [
  ["Name", "name", "name", true, ""],
  ["Email", "email", "email", true, ""],
  ["URL", "url", "url", true, ""],
];
const DEPENDENCY_FIELDS: readonly StructField[] = [
  ["Name", "name", "name", false, ""],
  ["Version", "version", "version", true, ""],
  ["Repository", "repository", "repository", false, ""],
  ["Condition", "condition", "condition", true, ""],
  ["Tags", "tags", "tags", true, []],
  ["Enabled", "enabled", "enabled", true, false],
  ["ImportValues", "importValues", "import-values", true, []],
  ["Alias", "alias", "alias", true, ""],
];

/**
 * *chart.Maintainer and *chart.Dependency: templates read their Go fields (`.Name`, `.Enabled`), and
 * toJson/toYaml write them by their JSON tags in field order.
 */
class MetadataStruct extends GoObject {
  constructor(
    readonly goType: string,
    private readonly src: ReadonlyMap<string, unknown>,
    private readonly spec: readonly StructField[],
  ) {
    super();
  }
  override field(name: string): { value: unknown } | undefined {
    const f = this.spec.find((x) => x[0] === name);
    if (f === undefined) return undefined;
    const v = this.src.get(f[1]);
    return { value: v === undefined ? f[4] : v };
  }
  toJSONValue(): unknown {
    const out = new Map<string, unknown>();
    for (const [go, , tag, omitempty] of this.spec) {
      const v = this.field(go)?.value;
      if (!omitempty || !isEmptyJsonValue(v)) out.set(tag, v);
    }
    return ordered(out);
  }
  format(): string {
    return "&{" + this.spec.map(([go]) => formatValue(this.field(go)?.value)).join(" ") + "}";
  }
}

function structOf(value: unknown, goType: string, spec: readonly StructField[]): unknown {
  return value instanceof Map ? new MetadataStruct(goType, value, spec) : value;
}

/** Go's `omitempty`: false, 0, "", and nil or empty slices and maps are left out. */
function isEmptyJsonValue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map) return value.size === 0;
  return false;
}

/** A JSON object whose keys keep struct order (Go encodes structs in field order, maps sorted). */
function ordered(fields: Map<string, unknown>): JsonStruct {
  return new JsonStruct([...fields]);
}

class KubeVersion extends GoObject {
  readonly goType = "*chartutil.KubeVersion";
  constructor(
    readonly version: string,
    readonly major: string,
    readonly minor: string,
  ) {
    super();
  }
  override field(name: string): { value: unknown } | undefined {
    if (name === "Version") return { value: this.version };
    if (name === "Major") return { value: this.major };
    if (name === "Minor") return { value: this.minor };
    return undefined;
  }
  toJSONValue(): unknown {
    return new JsonStruct([
      ["Version", this.version],
      ["Major", this.major],
      ["Minor", this.minor],
    ]);
  }
  override method(name: string): GoFunc | undefined {
    if (name === "String" || name === "GitVersion") {
      return new GoFunc(name, [], null, () => this.version, "string");
    }
    return undefined;
  }
  format(): string {
    return this.version;
  }
}

class VersionSet extends GoObject {
  readonly goType = "chartutil.VersionSet";
  constructor(readonly versions: string[]) {
    super();
  }
  override get goKind(): string {
    return "slice";
  }
  override goLen(): number {
    return this.versions.length;
  }
  toJSONValue(): unknown {
    return this.versions;
  }
  override method(name: string): GoFunc | undefined {
    if (name === "Has") {
      return new GoFunc("Has", ["string"], null, (v: unknown) => this.versions.includes(v as string), "bool");
    }
    return undefined;
  }
  format(): string {
    return "[" + this.versions.join(" ") + "]";
  }
}

class HelmVersion extends GoObject {
  readonly goType = "helmversion.BuildInfo";
  private readonly f = new Map<string, string>([
    ["Version", "v3.17.3"],
    ["GitCommit", "e4da49785aa6e6ee2b86efd5dd9e43400318262b"],
    ["GitTreeState", "clean"],
    ["GoVersion", "go1.23.7"],
  ]);
  override field(name: string): { value: unknown } | undefined {
    const v = this.f.get(name);
    return v === undefined ? undefined : { value: v };
  }
  toJSONValue(): unknown {
    return new JsonStruct([
      ["version", this.f.get("Version")],
      ["git_commit", this.f.get("GitCommit")],
      ["git_tree_state", this.f.get("GitTreeState")],
      ["go_version", this.f.get("GoVersion")],
    ]);
  }
  format(): string {
    return "{" + [...this.f.values()].join(" ") + "}";
  }
}

export class Capabilities extends GoObject {
  readonly goType = "*chartutil.Capabilities";
  readonly kubeVersion: KubeVersion;
  readonly apiVersions: VersionSet;
  readonly helmVersion = new HelmVersion();
  constructor(kubeVersion: string, apiVersions: string[]) {
    super();
    const m = /^v?(\d+)\.(\d+)/.exec(kubeVersion);
    const v = kubeVersion.startsWith("v") ? kubeVersion : "v" + kubeVersion;
    this.kubeVersion = new KubeVersion(v, m?.[1] ?? "", m?.[2] ?? "");
    this.apiVersions = new VersionSet(setSliceElemType([...apiVersions], "string"));
  }
  override field(name: string): { value: unknown } | undefined {
    if (name === "KubeVersion") return { value: this.kubeVersion };
    if (name === "APIVersions") return { value: this.apiVersions };
    if (name === "HelmVersion") return { value: this.helmVersion };
    return undefined;
  }
  toJSONValue(): unknown {
    return new JsonStruct([
      ["KubeVersion", this.kubeVersion],
      ["APIVersions", this.apiVersions],
      ["HelmVersion", this.helmVersion],
    ]);
  }
  format(): string {
    return "&{" + this.kubeVersion.format() + " " + this.apiVersions.format() + " " + this.helmVersion.format() + "}";
  }
}

export interface ReleaseOptions {
  name: string;
  namespace: string;
  revision?: number;
  isUpgrade?: boolean;
}

export function releaseObject(o: ReleaseOptions): GoMap {
  const isUpgrade = o.isUpgrade ?? false;
  return new Map<string, unknown>([
    ["Name", o.name],
    ["Namespace", o.namespace],
    ["IsUpgrade", isUpgrade],
    ["IsInstall", !isUpgrade],
    ["Revision", GoInt.int(o.revision ?? 1)],
    ["Service", "Helm"],
  ]);
}

export interface RootOptions {
  values: GoMap;
  release: ReleaseOptions;
  chart: ReadonlyMap<string, unknown>;
  capabilities: Capabilities;
}

/** The root object Helm passes to every template of a chart. */
export function renderRoot(o: RootOptions): GoMap {
  return valuesMap([
    ["Values", o.values],
    ["Release", releaseObject(o.release)],
    ["Chart", new ChartMetadata(o.chart)],
    ["Capabilities", o.capabilities],
    ["Files", new Map()],
    ["Subcharts", new Map()],
  ]);
}
