/**
 * `werf-giterminism.yaml`: parsing, strict validation, and the pure checks built on it (may this uncommitted path
 * be used, may this env var be read), plus werf's exact wording for "uncommitted files" errors.
 *
 * Takes: the file's text. Gives: a typed config or a SlipwayError naming the offending key. No I/O.
 * Imports ../errors.js, the `yaml` package and the path matcher of ../git/context.js.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { SlipwayError } from "../errors.js";
import { IncludePathMatcher } from "../git/context.js";
import { UncommittedFileError } from "../git/project-files.js";

export interface GiterminismConfig {
  readonly giterminismConfigVersion: 1;
  readonly cli: { readonly allowCustomTags: boolean };
  readonly config: {
    readonly allowUncommitted: boolean;
    readonly allowUncommittedTemplates: readonly string[];
    readonly goTemplateRendering: {
      readonly allowEnvVariables: readonly string[];
      readonly allowUncommittedFiles: readonly string[];
    };
    readonly secrets: {
      readonly allowEnvVariables: readonly string[];
      readonly allowFiles: readonly string[];
      readonly allowValueIds: readonly string[];
    };
    readonly stapel: {
      readonly allowFromLatest: boolean;
      readonly git: { readonly allowBranch: boolean };
      readonly mount: { readonly allowBuildDir: boolean; readonly allowFromPaths: readonly string[] };
    };
    readonly dockerfile: {
      readonly allowUncommitted: readonly string[];
      readonly allowUncommittedDockerignoreFiles: readonly string[];
      readonly allowContextAddFiles: readonly string[];
    };
  };
  readonly helm: { readonly allowUncommittedFiles: readonly string[] };
  readonly includes: { readonly allowIncludesUpdate: boolean };
}

type Schema = "bool" | "strings" | { readonly [key: string]: Schema };

const SCHEMA: { readonly [key: string]: Schema } = {
  cli: { allowCustomTags: "bool" },
  config: {
    allowUncommitted: "bool",
    allowUncommittedTemplates: "strings",
    goTemplateRendering: { allowEnvVariables: "strings", allowUncommittedFiles: "strings" },
    secrets: { allowEnvVariables: "strings", allowFiles: "strings", allowValueIds: "strings" },
    stapel: {
      allowFromLatest: "bool",
      git: { allowBranch: "bool" },
      mount: { allowBuildDir: "bool", allowFromPaths: "strings" },
    },
    dockerfile: { allowUncommitted: "strings", allowUncommittedDockerignoreFiles: "strings", allowContextAddFiles: "strings" },
  },
  helm: { allowUncommittedFiles: "strings" },
  includes: { allowIncludesUpdate: "bool" },
};

/** The config werf uses when there is no werf-giterminism.yaml: nothing is allowed. */
export const DEFAULT_GITERMINISM_CONFIG: GiterminismConfig = buildConfig({});

const FILE = "werf-giterminism.yaml";

function validationError(message: string, key: string, node: Node | undefined, lines: LineCounter): SlipwayError {
  const pos = node?.range ? lines.linePos(node.range[0]) : undefined;
  return new SlipwayError(`the giterminism config validation failed: ${message}`, {
    code: "giterminism",
    location: pos === undefined ? { file: FILE, key } : { file: FILE, key, line: pos.line, column: pos.col },
  });
}

/**
 * Parses and validates `werf-giterminism.yaml`. Unknown keys, wrong types and a missing or unsupported
 * `giterminismConfigVersion` are errors naming the key (go-openapi style: `config.foo in body is a forbidden
 * property`). An empty file is the default (nothing allowed).
 */
export function parseGiterminismConfig(text: string, fileName = FILE): GiterminismConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: "1.2", uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const pos = lines.linePos(firstError.pos[0]);
    throw new SlipwayError(`unable to parse ${fileName}: ${firstError.message.split("\n")[0] ?? ""}`, {
      code: "giterminism",
      location: { file: fileName, line: pos.line, column: pos.col },
    });
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return DEFAULT_GITERMINISM_CONFIG;
  if (!isMap(root)) throw validationError("body must be of type object", "", root, lines);

  const value: Record<string, unknown> = {};
  let version: Node | undefined;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (key === "giterminismConfigVersion") {
      version = (pair.value ?? undefined);
      continue;
    }
    const schema = SCHEMA[key];
    if (schema === undefined) throw validationError(`${key} in body is a forbidden property`, key, pair.key, lines);
    value[key] = checkNode(pair.value, schema, key, lines);
  }
  if (version === undefined) throw validationError("giterminismConfigVersion in body is required", "giterminismConfigVersion", root, lines);
  const v = isScalar(version) ? version.value : undefined;
  if (!(v === 1 || v === "1")) {
    throw validationError(
      `giterminismConfigVersion in body should be one of [1]`,
      "giterminismConfigVersion",
      version,
      lines,
    );
  }
  return buildConfig(value);
}

function checkNode(node: Node | null, schema: Schema, key: string, lines: LineCounter): unknown {
  if (node === null || (isScalar(node) && node.value === null)) return undefined;
  if (schema === "bool") {
    if (!isScalar(node) || typeof node.value !== "boolean") {
      throw validationError(`${key} in body must be of type boolean: ${describe(node)}`, key, node, lines);
    }
    return node.value;
  }
  if (schema === "strings") {
    if (!isSeq(node)) throw validationError(`${key} in body must be of type array: ${describe(node)}`, key, node, lines);
    return node.items.map((item, i) => {
      const itemKey = `${key}.${i}`;
      if (!isScalar(item) || typeof item.value !== "string") {
        throw validationError(`${itemKey} in body must be of type string: ${describe(item as Node)}`, itemKey, item as Node, lines);
      }
      return item.value;
    });
  }
  if (!isMap(node)) throw validationError(`${key} in body must be of type object: ${describe(node)}`, key, node, lines);
  const out: Record<string, unknown> = {};
  for (const pair of node.items) {
    const sub = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const subKey = `${key}.${sub}`;
    const subSchema = schema[sub];
    if (subSchema === undefined) throw validationError(`${subKey} in body is a forbidden property`, subKey, pair.key as Node, lines);
    out[sub] = checkNode(pair.value as Node | null, subSchema, subKey, lines);
  }
  return out;
}

function describe(node: Node | null | undefined): string {
  if (node === null || node === undefined) return '"null"';
  if (isMap(node)) return '"object"';
  if (isSeq(node)) return '"array"';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === "number") return Number.isInteger(v) ? '"integer"' : '"number"';
    return JSON.stringify(v === null ? "null" : typeof v);
  }
  return '"unknown"';
}

type Loose = Record<string, unknown>;

function obj(value: unknown): Loose {
  return typeof value === "object" && value !== null ? (value as Loose) : {};
}
function bool(value: unknown): boolean {
  return value === true;
}
function strings(value: unknown): readonly string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

function buildConfig(raw: Loose): GiterminismConfig {
  const config = obj(raw.config);
  const gtr = obj(config.goTemplateRendering);
  const secrets = obj(config.secrets);
  const stapel = obj(config.stapel);
  const mount = obj(stapel.mount);
  const dockerfile = obj(config.dockerfile);
  return {
    giterminismConfigVersion: 1,
    cli: { allowCustomTags: bool(obj(raw.cli).allowCustomTags) },
    config: {
      allowUncommitted: bool(config.allowUncommitted),
      allowUncommittedTemplates: strings(config.allowUncommittedTemplates),
      goTemplateRendering: {
        allowEnvVariables: strings(gtr.allowEnvVariables),
        allowUncommittedFiles: strings(gtr.allowUncommittedFiles),
      },
      secrets: {
        allowEnvVariables: strings(secrets.allowEnvVariables),
        allowFiles: strings(secrets.allowFiles),
        allowValueIds: strings(secrets.allowValueIds),
      },
      stapel: {
        allowFromLatest: bool(stapel.allowFromLatest),
        git: { allowBranch: bool(obj(stapel.git).allowBranch) },
        mount: { allowBuildDir: bool(mount.allowBuildDir), allowFromPaths: strings(mount.allowFromPaths) },
      },
      dockerfile: {
        allowUncommitted: strings(dockerfile.allowUncommitted),
        allowUncommittedDockerignoreFiles: strings(dockerfile.allowUncommittedDockerignoreFiles),
        allowContextAddFiles: strings(dockerfile.allowContextAddFiles),
      },
    },
    helm: { allowUncommittedFiles: strings(obj(raw.helm).allowUncommittedFiles) },
    includes: { allowIncludesUpdate: bool(obj(raw.includes).allowIncludesUpdate) },
  };
}

/**
 * werf's allow-list glob test (giterminism_manager/config `isPathMatched`): a path, relative to the project dir,
 * matches a glob as-is (doublestar, `**` spans directories) or lies under a matching directory.
 */
export function isPathAllowed(globs: readonly string[], path: string): boolean {
  if (globs.length === 0) return false;
  return new IncludePathMatcher(globs).isPathMatched(path.replaceAll("\\", "/"));
}

/** `allowEnvVariables`: an exact name, or `/regex/` that must match the whole name. */
export function isEnvVarAllowed(allowed: readonly string[], name: string): boolean {
  return allowed.some((entry) => {
    if (entry.length >= 2 && entry.startsWith("/") && entry.endsWith("/")) {
      try {
        return new RegExp(`^(?:${entry.slice(1, -1)})$`).test(name);
      } catch {
        return false;
      }
    }
    return entry === name;
  });
}

export interface UncommittedErrorOptions {
  /** `--dev`: files must be staged rather than committed. */
  readonly dev: boolean;
  /** The files are untracked rather than modified. */
  readonly untracked?: boolean;
}

const DEV_HINT =
  "You may be interested in the development mode (activated by the --dev option), which allows working with " +
  "project files without doing redundant commits during debugging and development.";

/**
 * werf's text (giterminism_manager/file_reader/errors.go) for files that differ from the commit:
 * `the file "werf.yaml" must be committed`, `the following files must be committed:\n\n - a\n - b`,
 * `the untracked file "x" must be committed`, `must be staged` in dev mode, then the --dev hint or the
 * `git add` command. werf's generic reproducibility paragraph that follows is not included.
 */
export function uncommittedFilesMessage(paths: readonly string[], options: UncommittedErrorOptions): string {
  if (paths.length === 0) throw new Error("uncommittedFilesMessage: no paths");
  const slashed = paths.map((p) => p.replaceAll("\\", "/"));
  const action = options.dev ? "must be staged" : "must be committed";
  const noun = options.untracked === true ? "untracked file" : "file";
  const message =
    slashed.length === 1
      ? `the ${noun} ${goQuote(slashed[0] as string)} ${action}`
      : `the following ${noun}s ${action}:\n\n - ${slashed.join("\n - ")}`;
  return options.dev
    ? `${message}\n\nTo stage the changes use the following command: "git add ${slashed.join(" ")}".`
    : `${message}\n\n${DEV_HINT}`;
}

/** Go's `%q` for ordinary paths (printable characters kept, quotes and backslashes escaped). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

export function uncommittedFilesError(paths: readonly string[], options: UncommittedErrorOptions): SlipwayError {
  return new SlipwayError(uncommittedFilesMessage(paths, options), { code: "giterminism" });
}

/** A file that must be committed (UncommittedFileError from the project files), in werf's words; other errors pass. */
export function asUncommittedFilesError(error: unknown, dev: boolean): unknown {
  return error instanceof UncommittedFileError ? uncommittedFilesError(error.paths, { dev, untracked: error.untracked }) : error;
}
