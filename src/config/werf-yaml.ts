/**
 * werf.yaml after template rendering: split into documents, parse (YAML 1.1, as werf's go-yaml does),
 * classify (meta / Dockerfile image / Stapel image), validate strictly, and cross-check images.
 * Inputs: the rendered text and the file name to report. Output: a typed WerfConfig, or a SlipwayError
 * whose location names the file, the line and the key. Pure: no I/O, nothing from other src/ areas but errors.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Pair, YAMLMap } from "yaml";
import { SlipwayError } from "../errors.js";

export type DependencyImportType = "ImageName" | "ImageTag" | "ImageRepo" | "ImageID" | "ImageDigest";

export interface DependencyImport {
  readonly type: DependencyImportType;
  readonly targetBuildArg: string;
}

export interface ImageDependency {
  readonly image: string;
  readonly imports: readonly DependencyImport[];
}

export interface BuildSecret {
  readonly id: string;
  readonly env?: string;
  readonly src?: string;
  readonly value?: string;
}

export interface DockerfileImage {
  /** The image name; "" for a nameless image (`image: ~`). */
  readonly name: string;
  readonly dockerfile: string;
  /** Context dir relative to the project dir; "" is the project dir itself. */
  readonly context: string;
  readonly contextAddFiles: readonly string[];
  readonly target?: string;
  readonly args: Readonly<Record<string, string>>;
  readonly addHost: readonly string[];
  readonly network?: string;
  readonly ssh?: string;
  readonly secrets: readonly BuildSecret[];
  readonly dependencies: readonly ImageDependency[];
  readonly staged?: boolean;
  readonly platform: readonly string[];
  readonly final: boolean;
  readonly cacheVersion?: string;
  readonly imageSpec?: Readonly<Record<string, unknown>>;
  /** 1-based line of the `image:` key in the rendered werf.yaml. */
  readonly line: number;
}

export interface MetaSection {
  readonly project: string;
  readonly configVersion: 1;
  readonly build: {
    readonly cacheVersion?: string;
    readonly platform: readonly string[];
    readonly staged?: boolean;
    readonly imageSpec?: Readonly<Record<string, unknown>>;
  };
  readonly deploy: {
    readonly helmChartDir?: string;
    readonly helmChartConfig?: { readonly appVersion?: string };
    readonly helmRelease?: string;
    readonly namespace?: string;
    readonly helmReleaseSlug: boolean;
    readonly namespaceSlug: boolean;
  };
  readonly cleanup: Readonly<Record<string, unknown>>;
  readonly gitWorktree: Readonly<Record<string, unknown>>;
}

export interface WerfConfig {
  readonly meta: MetaSection;
  readonly images: readonly DockerfileImage[];
}

const PROJECT_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

const META_KEYS = ["project", "configVersion", "build", "deploy", "cleanup", "gitWorktree"] as const;
const META_BUILD_KEYS = ["cacheVersion", "platform", "staged", "imageSpec"] as const;
const META_DEPLOY_KEYS = [
  "helmChartDir",
  "helmChartConfig",
  "helmRelease",
  "helmReleaseSlug",
  "namespace",
  "namespaceSlug",
] as const;
const META_CLEANUP_KEYS = [
  "disable",
  "disableKubernetesBasedPolicy",
  "disableGitHistoryBasedPolicy",
  "disableBuiltWithinLastNHoursPolicy",
  "keepImagesBuiltWithinLastNHours",
  "keepPolicies",
] as const;
const META_GIT_WORKTREE_KEYS = ["forceShallowClone", "allowUnshallow", "allowFetchOriginBranchesAndTags"] as const;
const DOCKERFILE_IMAGE_KEYS = [
  "image",
  "dockerfile",
  "context",
  "contextAddFiles",
  "contextAddFile",
  "target",
  "args",
  "addHost",
  "network",
  "ssh",
  "secrets",
  "dependencies",
  "staged",
  "platform",
  "final",
  "cacheVersion",
  "imageSpec",
] as const;
const IMPORT_TYPES: readonly DependencyImportType[] = ["ImageName", "ImageTag", "ImageRepo", "ImageID", "ImageDigest"];

/** One YAML document of the stream with the line where it starts. */
interface RawDocument {
  readonly text: string;
  /** 0-based line offset of the document's first line in the whole file. */
  readonly lineOffset: number;
  /** 1-based index among non-empty documents, for messages. */
  readonly index: number;
}

/**
 * Splits a YAML stream on `---` separator lines as werf does: trailing spaces and a `# comment` are allowed on the
 * separator; documents that are empty or hold only comments are dropped.
 */
export function splitDocuments(text: string): RawDocument[] {
  const lines = text.split("\n");
  const docs: RawDocument[] = [];
  let start = 0;
  const flush = (end: number): void => {
    const chunk = lines.slice(start, end);
    const meaningful = chunk.some((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
    if (meaningful) docs.push({ text: chunk.join("\n"), lineOffset: start, index: docs.length + 1 });
  };
  lines.forEach((line, i) => {
    if (/^---\s*(#.*)?$/.test(line)) {
      flush(i);
      start = i + 1;
    }
  });
  flush(lines.length);
  return docs;
}

/** How werf stringifies a scalar (Go's %v of the decoded value). */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

class DocumentReader {
  readonly lines = new LineCounter();
  readonly doc: Document;

  constructor(
    readonly file: string,
    readonly raw: RawDocument,
  ) {
    this.doc = parseDocument(raw.text, { version: "1.1", lineCounter: this.lines, uniqueKeys: true, prettyErrors: false });
    const problem = this.doc.errors[0];
    if (problem) {
      const offset = problem.pos[0];
      const pos = this.lines.linePos(offset);
      // A construct left open is detected at the end of input: point at the last line with content instead.
      const lastContentLine = raw.text.split("\n").findLastIndex((text) => text.trim() !== "") + 1;
      const line = Math.min(pos.line, Math.max(lastContentLine, 1)) + raw.lineOffset;
      if (problem.code === "DUPLICATE_KEY") {
        const key = /^[^:\n]*/.exec(raw.text.slice(offset))?.[0]?.trim() ?? "";
        throw new SlipwayError(`invalid YAML: mapping key "${key}" already defined`, {
          code: "config",
          location: { file, line, column: pos.col, key },
        });
      }
      throw new SlipwayError(`invalid YAML: ${problem.message.split("\n")[0] ?? problem.message}`, {
        code: "config",
        location: { file, line, column: pos.col },
      });
    }
  }

  /** A mapping key as written: YAML 1.1 would read keys like `N` or `on` as booleans, but keys are names here. */
  keyName(key: unknown): string {
    if (isScalar(key)) {
      if (typeof key.value === "string") return key.value;
      const range = key.range;
      if (range) return this.raw.text.slice(range[0], range[1]).trim();
      return String(key.value);
    }
    return String(key);
  }

  line(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return (offset === undefined ? 1 : this.lines.linePos(offset).line) + this.raw.lineOffset;
  }

  fail(message: string, node: Node | null | undefined, key?: string): never {
    throw new SlipwayError(message, {
      code: "config",
      location: { file: this.file, line: this.line(node), ...(key === undefined ? {} : { key }) },
    });
  }
}

/** A YAML mapping with the reader that owns it, for typed, located access. */
class Section {
  constructor(
    readonly reader: DocumentReader,
    readonly map: YAMLMap,
    readonly path: string,
  ) {}

  private pair(key: string): Pair<Node, Node | null> | undefined {
    return this.map.items.find((item) => isScalar(item.key) && item.key.value === key) as
      | Pair<Node, Node | null>
      | undefined;
  }

  keyPath(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.pair(key) !== undefined;
  }

  node(key: string): Node | null | undefined {
    return this.pair(key)?.value;
  }

  keyNode(key: string): Node | undefined {
    return this.pair(key)?.key;
  }

  rejectUnknown(allowed: readonly string[]): void {
    const unknown = this.map.items.filter((item) => !(isScalar(item.key) && allowed.includes(String(item.key.value))));
    const first = unknown[0];
    if (first === undefined) return;
    const names = unknown.map((item) => `\`${isScalar(item.key) ? String(item.key.value) : String(item.key)}\``);
    const firstName = isScalar(first.key) ? String(first.key.value) : String(first.key);
    this.reader.fail(`unknown fields: ${names.join(", ")}!`, first.key as Node, this.keyPath(firstName));
  }

  string(key: string): string | undefined {
    const node = this.node(key);
    if (node === undefined || node === null) return undefined;
    if (isScalar(node) && node.value === null) return undefined;
    if (isScalar(node) && ["string", "number", "boolean"].includes(typeof node.value)) return String(node.value);
    return this.reader.fail(`\`${key}\` must be a string`, node, this.keyPath(key));
  }

  bool(key: string): boolean | undefined {
    const node = this.node(key);
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (isScalar(node) && typeof node.value === "boolean") return node.value;
    return this.reader.fail(`\`${key}\` must be a boolean`, node, this.keyPath(key));
  }

  /** A string or a list of strings (werf's "string or []string" fields). */
  strings(key: string): string[] {
    const node = this.node(key);
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
    if (isScalar(node)) return [String(node.value)];
    if (isSeq(node)) {
      return node.items.map((item) => {
        if (isScalar(item) && item.value !== null && typeof item.value !== "object") return scalarText(item.value);
        return this.reader.fail(`\`${key}\` must be a string or a list of strings`, item as Node, this.keyPath(key));
      });
    }
    return this.reader.fail(`\`${key}\` must be a string or a list of strings`, node, this.keyPath(key));
  }

  section(key: string): Section | undefined {
    const node = this.node(key);
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return undefined;
    if (!isMap(node)) return this.reader.fail(`\`${key}\` must be a mapping`, node, this.keyPath(key));
    return new Section(this.reader, node, this.keyPath(key));
  }

  /** A mapping of scalar values, stringified as werf stringifies build args. */
  stringMap(key: string): Record<string, string> {
    const sub = this.section(key);
    const out: Record<string, string> = {};
    if (!sub) return out;
    for (const item of sub.map.items) {
      const name = this.reader.keyName(item.key);
      const value = item.value as Node | null;
      if (value !== null && !isScalar(value)) {
        this.reader.fail(`\`${key}.${name}\` must be a scalar value`, value, this.keyPath(`${key}.${name}`));
      }
      out[name] = value === null ? "" : scalarText(value.value);
    }
    return out;
  }

  plain(key: string): Record<string, unknown> | undefined {
    const node = this.node(key);
    if (node === undefined || node === null) return undefined;
    const value: unknown = node.toJSON();
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return this.reader.fail(`\`${key}\` must be a mapping`, node, this.keyPath(key));
    }
    return value as Record<string, unknown>;
  }
}

function parseMeta(section: Section): MetaSection {
  section.rejectUnknown(META_KEYS);
  const reader: DocumentReader = section.reader;
  const versionNode = section.node("configVersion");
  if (!(isScalar(versionNode) && (versionNode.value === 1 || versionNode.value === "1"))) {
    reader.fail("'configVersion: 1' field required!", versionNode ?? section.map, "configVersion");
  }
  const project = section.string("project");
  if (project === undefined || project === "") {
    reader.fail("'project' field cannot be empty!", section.node("project") ?? section.map, "project");
  }
  if (!PROJECT_NAME.test(project) || project.length > 50) {
    reader.fail(
      `bad project name "${project}" specified in config: project name should comply with regex "${PROJECT_NAME.source}" and be maximum 50 chars`,
      section.node("project"),
      "project",
    );
  }
  const build = section.section("build");
  build?.rejectUnknown(META_BUILD_KEYS);
  const deploy = section.section("deploy");
  deploy?.rejectUnknown(META_DEPLOY_KEYS);
  const cleanup = section.section("cleanup");
  cleanup?.rejectUnknown(META_CLEANUP_KEYS);
  const gitWorktree = section.section("gitWorktree");
  gitWorktree?.rejectUnknown(META_GIT_WORKTREE_KEYS);

  const nonEmpty = (sub: Section | undefined, key: string, message: string): string | undefined => {
    if (!sub?.has(key)) return undefined;
    const value = sub.string(key);
    if (value === undefined || value === "") reader.fail(message, sub.node(key) ?? sub.keyNode(key), sub.keyPath(key));
    return value;
  };
  const helmChartDir = nonEmpty(deploy, "helmChartDir", "helmChartDir field cannot be empty!");
  const helmRelease = nonEmpty(deploy, "helmRelease", "helmRelease field cannot be empty!");
  const namespace = nonEmpty(deploy, "namespace", "namespace field cannot be empty!");
  const chartConfig = deploy?.section("helmChartConfig");
  chartConfig?.rejectUnknown(["appVersion"]);
  const appVersion = chartConfig?.string("appVersion");
  const buildCacheVersion = build?.string("cacheVersion");
  const buildStaged = build?.bool("staged");
  const buildImageSpec = build?.plain("imageSpec");

  return {
    project,
    configVersion: 1,
    build: {
      platform: build?.strings("platform") ?? [],
      ...(buildCacheVersion === undefined ? {} : { cacheVersion: buildCacheVersion }),
      ...(buildStaged === undefined ? {} : { staged: buildStaged }),
      ...(buildImageSpec === undefined ? {} : { imageSpec: buildImageSpec }),
    },
    deploy: {
      ...(helmChartDir === undefined ? {} : { helmChartDir }),
      ...(chartConfig === undefined ? {} : { helmChartConfig: appVersion === undefined ? {} : { appVersion } }),
      ...(helmRelease === undefined ? {} : { helmRelease }),
      ...(namespace === undefined ? {} : { namespace }),
      helmReleaseSlug: deploy?.bool("helmReleaseSlug") ?? true,
      namespaceSlug: deploy?.bool("namespaceSlug") ?? true,
    },
    cleanup: section.plain("cleanup") ?? {},
    gitWorktree: section.plain("gitWorktree") ?? {},
  };
}

function isRelativeInside(path: string): boolean {
  if (path.startsWith("/")) return false;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return false;
      parts.pop();
    } else parts.push(part);
  }
  return true;
}

function parseDependencies(section: Section): ImageDependency[] {
  const node = section.node("dependencies");
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) section.reader.fail("`dependencies` must be a list", node, section.keyPath("dependencies"));
  return node.items.map((item, i) => {
    const path = section.keyPath(`dependencies[${i}]`);
    if (!isMap(item)) return section.reader.fail("a dependency must be a mapping", item as Node, path);
    const dep = new Section(section.reader, item, path);
    dep.rejectUnknown(["image", "imports", "before", "after"]);
    for (const stapelOnly of ["before", "after"]) {
      if (dep.has(stapelOnly)) {
        section.reader.fail(
          `\`${stapelOnly}\` is not supported for dockerfile image dependencies`,
          dep.keyNode(stapelOnly),
          dep.keyPath(stapelOnly),
        );
      }
    }
    const image = dep.string("image");
    if (image === undefined || image === "") section.reader.fail("`image` required for dependency", item, dep.keyPath("image"));
    const importsNode = dep.node("imports");
    const imports: DependencyImport[] = [];
    if (importsNode !== undefined && importsNode !== null && !(isScalar(importsNode) && importsNode.value === null)) {
      if (!isSeq(importsNode)) section.reader.fail("`imports` must be a list", importsNode, dep.keyPath("imports"));
      importsNode.items.forEach((importItem, j) => {
        const importPath = dep.keyPath(`imports[${j}]`);
        if (!isMap(importItem)) return section.reader.fail("an import must be a mapping", importItem as Node, importPath);
        const imp = new Section(section.reader, importItem, importPath);
        imp.rejectUnknown(["type", "targetBuildArg", "targetEnv"]);
        if (imp.has("targetEnv")) {
          section.reader.fail(
            "`targetEnv` is not supported for dockerfile image dependencies, use `targetBuildArg`",
            imp.keyNode("targetEnv"),
            imp.keyPath("targetEnv"),
          );
        }
        const type = imp.string("type");
        if (type === undefined || !(IMPORT_TYPES as readonly string[]).includes(type)) {
          section.reader.fail(
            `invalid dependency import type "${type ?? ""}": expected one of ${IMPORT_TYPES.join(", ")}`,
            imp.node("type") ?? importItem,
            imp.keyPath("type"),
          );
        }
        const targetBuildArg = imp.string("targetBuildArg");
        if (targetBuildArg === undefined || targetBuildArg === "") {
          section.reader.fail("`targetBuildArg` required for dependency import", importItem, imp.keyPath("targetBuildArg"));
        }
        imports.push({ type: type as DependencyImportType, targetBuildArg });
        return undefined;
      });
    }
    return { image, imports };
  });
}

function parseSecrets(section: Section): BuildSecret[] {
  const node = section.node("secrets");
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) section.reader.fail("`secrets` must be a list", node, section.keyPath("secrets"));
  const seen = new Set<string>();
  return node.items.map((item, i) => {
    const path = section.keyPath(`secrets[${i}]`);
    if (!isMap(item)) return section.reader.fail("a secret must be a mapping", item as Node, path);
    const secret = new Section(section.reader, item, path);
    secret.rejectUnknown(["id", "env", "src", "value"]);
    const env = secret.string("env");
    const src = secret.string("src");
    const value = secret.string("value");
    if ([env, src, value].filter((v) => v !== undefined).length !== 1) {
      section.reader.fail("secrets validation error: secret type could be ONLY `env`, `src` or `value`", item, path);
    }
    let id = secret.string("id");
    if (id === undefined) {
      if (env !== undefined) id = env;
      else if (src !== undefined) id = src.split("/").filter(Boolean).at(-1) ?? src;
      else section.reader.fail("secrets validation error: `id` is required for a `value` secret", item, path);
    }
    if (seen.has(id)) section.reader.fail(`secrets validation error: duplicate secret id "${id}"`, item, path);
    seen.add(id);
    return {
      id,
      ...(env === undefined ? {} : { env }),
      ...(src === undefined ? {} : { src }),
      ...(value === undefined ? {} : { value }),
    };
  });
}

function parseDockerfileImage(section: Section, names: string[]): DockerfileImage[] {
  const reader: DocumentReader = section.reader;
  section.rejectUnknown(DOCKERFILE_IMAGE_KEYS);
  const imageNode = section.node("image");
  let imageNames: string[];
  if (imageNode === null || (isScalar(imageNode) && imageNode.value === null)) imageNames = [""];
  else if (isScalar(imageNode) && typeof imageNode.value === "string") imageNames = [imageNode.value];
  else if (isSeq(imageNode) && imageNode.items.every((i) => isScalar(i) && typeof i.value === "string")) {
    imageNames = imageNode.items.map((i) => String((i as { value: unknown }).value));
  } else reader.fail(`invalid image name \`${String(imageNode?.toJSON())}\`!`, imageNode ?? section.map, "image");
  names.push(...imageNames);

  const context = section.string("context") ?? "";
  if (!isRelativeInside(context)) {
    reader.fail("`context: PATH` should be relative to project directory!", section.node("context"), "context");
  }
  const dockerfile = section.string("dockerfile");
  if (dockerfile === undefined || dockerfile === "" || !isRelativeInside(dockerfile)) {
    reader.fail(
      "`dockerfile: PATH` required and should be relative to context!",
      section.node("dockerfile") ?? section.keyNode("dockerfile"),
      "dockerfile",
    );
  }
  if (section.has("contextAddFiles") && section.has("contextAddFile")) {
    reader.fail(
      "`contextAddFile` and `contextAddFiles` cannot be used together, use `contextAddFiles`",
      section.keyNode("contextAddFile"),
      "contextAddFile",
    );
  }
  const contextAddFiles = [...section.strings("contextAddFiles"), ...section.strings("contextAddFile")];
  for (const file of contextAddFiles) {
    if (!isRelativeInside(file)) {
      reader.fail(`contextAddFiles: "${file}" should be relative to the context`, section.node("contextAddFiles"), "contextAddFiles");
    }
  }
  const dependencies = parseDependencies(section);
  const args = section.stringMap("args");
  const seenArgs = new Set<string>();
  for (const dep of dependencies) {
    for (const imp of dep.imports) {
      if (seenArgs.has(imp.targetBuildArg)) {
        reader.fail(`duplicate dependency import \`targetBuildArg: ${imp.targetBuildArg}\``, section.node("dependencies"), "dependencies");
      }
      seenArgs.add(imp.targetBuildArg);
      if (imp.targetBuildArg in args) {
        reader.fail(
          `dockerfile \`args:\` build arg "${imp.targetBuildArg}" already defined in dependency import \`targetBuildArg:\` directive`,
          section.node("args"),
          `args.${imp.targetBuildArg}`,
        );
      }
    }
  }
  const target = section.string("target");
  const network = section.string("network");
  const ssh = section.string("ssh");
  const staged = section.bool("staged");
  const cacheVersion = section.string("cacheVersion");
  const imageSpec = section.plain("imageSpec");
  const line = reader.line(section.keyNode("image"));
  return imageNames.map((name) => ({
    name,
    dockerfile,
    context,
    contextAddFiles,
    args,
    addHost: section.strings("addHost"),
    secrets: parseSecrets(section),
    dependencies,
    platform: section.strings("platform"),
    final: section.bool("final") ?? true,
    line,
    ...(target === undefined ? {} : { target }),
    ...(network === undefined ? {} : { network }),
    ...(ssh === undefined ? {} : { ssh }),
    ...(staged === undefined ? {} : { staged }),
    ...(cacheVersion === undefined ? {} : { cacheVersion }),
    ...(imageSpec === undefined ? {} : { imageSpec }),
  }));
}

/** Finds `a -> b -> a` in the dependency graph, returning the cycle's names. */
function findCycle(images: readonly DockerfileImage[]): string[] | undefined {
  const byName = new Map(images.map((image) => [image.name, image]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of byName.get(name)?.dependencies ?? []) {
      const cycle = visit(dep.image);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const image of images) {
    const cycle = visit(image.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Parses and validates the rendered werf.yaml text. `file` is the name used in messages (e.g. "werf.yaml"). */
export function parseWerfConfig(rendered: string, file: string): WerfConfig {
  let meta: MetaSection | undefined;
  const images: DockerfileImage[] = [];
  const names: string[] = [];
  for (const raw of splitDocuments(rendered)) {
    const reader: DocumentReader = new DocumentReader(file, raw);
    const contents = reader.doc.contents;
    if (!isMap(contents)) {
      reader.fail(
        `config section ${raw.index} (part of YAML stream separated by three hyphens) must be a mapping`,
        contents,
      );
    }
    const section = new Section(reader, contents, "");
    if (section.has("configVersion")) {
      if (meta) reader.fail("duplicate meta config section definition", section.keyNode("configVersion"), "configVersion");
      meta = parseMeta(section);
    } else if (section.has("dockerfile")) {
      const before = names.length;
      images.push(...parseDockerfileImage(section, names));
      for (const name of names.slice(before)) {
        if (names.indexOf(name) < before) {
          reader.fail(
            name === "" ? "conflict between images names: duplicate nameless image!" : `conflict between images names: duplicate image "${name}"!`,
            section.node("image"),
            "image",
          );
        }
      }
    } else if (section.has("image") || section.has("artifact")) {
      const key = section.has("image") ? "image" : "artifact";
      reader.fail(
        `Stapel images are not supported by slipway: the section "${String(section.node(key)?.toJSON() ?? "")}" has no \`dockerfile\` key (slipway builds Dockerfile images only)`,
        section.keyNode(key),
        key,
      );
    } else {
      reader.fail(
        `cannot recognize type of config section (part of YAML stream separated by three hyphens, document ${raw.index}): * 'configVersion' required for meta config section; * 'image' required for the image config sections; * 'artifact' required for the artifact config sections;`,
        contents.items[0]?.key as Node | undefined,
      );
    }
  }
  if (!meta) {
    throw new SlipwayError(
      "meta config section (part of YAML stream separated by three hyphens) is not defined: add following example config section with required fields, e.g:\n\nconfigVersion: 1\nproject: PROJECT_NAME\n---",
      { code: "config", location: { file, line: 1, key: "configVersion" } },
    );
  }
  if (images.length > 1 && images.some((image) => image.name === "")) {
    const nameless = images.find((image) => image.name === "");
    throw new SlipwayError(
      "conflict between images names: a nameless image cannot be specified in the config with multiple images!",
      { code: "config", location: { file, line: nameless?.line ?? 1, key: "image" } },
    );
  }
  const known = new Set(images.map((image) => image.name));
  for (const image of images) {
    for (const dep of image.dependencies) {
      if (!known.has(dep.image)) {
        throw new SlipwayError(`image "${dep.image}" not found!`, {
          code: "config",
          location: { file, line: image.line, key: `image "${image.name}": dependencies` },
        });
      }
    }
  }
  const cycle = findCycle(images);
  if (cycle) {
    const first = images.find((image) => image.name === cycle[0]);
    throw new SlipwayError(`infinite loop detected: ${cycle.join(" -> ")}`, {
      code: "config",
      location: { file, line: first?.line ?? 1, key: "dependencies" },
    });
  }
  return { meta, images };
}

/** The chart directory of a project: werf.yaml's deploy.helmChartDir (trailing slashes dropped), else `.helm`. */
export function chartDirOf(meta: { readonly deploy: { readonly helmChartDir?: string } }): string {
  return (meta.deploy.helmChartDir ?? ".helm").replace(/\/+$/, "");
}
