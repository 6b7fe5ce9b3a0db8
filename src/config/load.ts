/**
 * Loads werf.yaml as werf does: find `werf.yaml`/`werf.yml` (or `--config`), read it and the `.werf/**\/*.tmpl`
 * partials through giterminism, render it as a Go template with Sprig and werf's additions (`.Env`, `.Files`,
 * `.Commit`, `env`, `include`, `tpl`, `required`), then parse and validate the result.
 * Inputs: ProjectFiles (commit, dev snapshot or file system), the giterminism config, `--env` and the process
 * environment (for `env`). Output: a WerfConfig and the rendered text, or a SlipwayError with file, line and key.
 */
import { SlipwayError } from "../errors.js";
import type { CommitInfo } from "../git/repo.js";
import type { ProjectFiles} from "../git/project-files.js";
import { UncommittedFileError } from "../git/project-files.js";
import { GoFunc, GoObject, TemplateExecError, TemplateParseError, TemplateSet, type GoMap } from "../template/index.js";
import { helmFuncMap } from "../template/helm/funcs.js";
import { asUncommittedFilesError, isEnvVarAllowed, isPathAllowed, uncommittedFilesMessage, type GiterminismConfig } from "./giterminism.js";
import { parseWerfConfig, type WerfConfig } from "./werf-yaml.js";

export interface LoadWerfConfigOptions {
  readonly files: ProjectFiles;
  /** `--config`, relative to the project dir. */
  readonly configPath?: string | undefined;
  /** `--config-templates-dir`, relative to the project dir; `.werf` by default. */
  readonly templatesDir?: string | undefined;
  /** `--env`. */
  readonly env: string;
  /** The process environment, for the `env` function. */
  readonly environ: Readonly<Record<string, string | undefined>>;
  readonly giterminism: GiterminismConfig;
  readonly commit: CommitInfo;
  readonly dev: boolean;
}

export interface LoadedWerfConfig {
  readonly config: WerfConfig;
  /** The config file's path relative to the project dir. */
  readonly file: string;
  readonly rendered: string;
}

const TEMPLATE_HINT =
  "Use --debug --debug-templates (or $WERF_DEBUG and $WERF_DEBUG_TEMPLATES environment variables) to get more details about this error.";

/** `.Files` in werf.yaml: Get, Glob, Exists, IsDir over giterminism-checked project files. */
class WerfFiles extends GoObject {
  readonly goType = "*config.files";
  constructor(
    private readonly contents: ReadonlyMap<string, string>,
    private readonly dirs: ReadonlySet<string>,
    /** Files that differ from the commit and are not allowed to: reading one is a giterminism error. */
    private readonly uncommitted: ReadonlyMap<string, UncommittedFileError>,
    private readonly dev: boolean,
  ) {
    super();
  }

  override method(name: string): GoFunc | undefined {
    switch (name) {
      case "Get":
        return new GoFunc("Get", ["string"], null, (path: unknown) => {
          const refused = this.uncommitted.get(normalize(path as string));
          if (refused) throw new Error(uncommittedFilesMessage(refused.paths, { dev: this.dev, untracked: refused.untracked }).split("\n")[0]);
          const text = this.contents.get(normalize(path as string));
          if (text === undefined) throw new Error(`{{ .Files.Get ${JSON.stringify(path)} }}: the file ${JSON.stringify(path)} not found in the project git repository`);
          return text;
        }, "string");
      case "Exists":
        return new GoFunc("Exists", ["string"], null, (path: unknown) => {
          const p = normalize(path as string);
          return this.contents.has(p) || this.uncommitted.has(p) || this.dirs.has(p);
        }, "bool");
      case "IsDir":
        return new GoFunc("IsDir", ["string"], null, (path: unknown) => this.dirs.has(normalize(path as string)), "bool");
      case "Glob":
        return new GoFunc("Glob", ["string"], null, (pattern: unknown) => {
          // werf walks the files with its path matcher: doublestar globs, and a matching directory takes its files.
          const glob = normalize(pattern as string);
          const out: GoMap = new Map();
          for (const [path, text] of [...this.contents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
            if (isPathAllowed([glob], path)) out.set(path, text);
          }
          return out;
        }, "map");
      default:
        return undefined;
    }
  }

  format(): string {
    return "&{}";
  }
}

function normalize(path: string): string {
  return path.replace(/^\.\//, "").replace(/\/+$/, "");
}

function werfFuncs(options: LoadWerfConfigOptions, set: TemplateSet, loose: boolean): Map<string, GoFunc> {
  const funcs = new Map<string, GoFunc>();
  funcs.set(
    "env",
    new GoFunc("env", ["string"], "string", (name: unknown, ...defaults: unknown[]) => {
      const key = name as string;
      if (defaults.length > 1) throw new Error("more than one default value is not supported");
      if (!loose && !isEnvVarAllowed(options.giterminism.config.goTemplateRendering.allowEnvVariables, key)) {
        throw new Error(
          `the configuration with potential external dependency found in the werf config: env name ${JSON.stringify(key)} not allowed by giterminism (https://werf.io/docs/v2/usage/project_configuration/giterminism.html)`,
        );
      }
      const value = options.environ[key];
      if (value === undefined || value === "") {
        if (defaults.length === 1) return defaults[0];
        if (value === undefined && !loose) {
          throw new Error(`the environment variable ${JSON.stringify(key)} must be set or default must be provided`);
        }
        return "";
      }
      return value;
    }, "string"),
  );
  funcs.set(
    "include",
    new GoFunc("include", ["string", "any"], null, (name: unknown, data: unknown) => set.execute(name as string, data), "string"),
  );
  funcs.set(
    "tpl",
    new GoFunc("tpl", ["string", "any"], null, (text: unknown, data: unknown) => {
      const clone = set.clone();
      clone.parse("tpl", text as string);
      return clone.execute("tpl", data);
    }, "string"),
  );
  // werf's debug helpers print only with --debug-templates; otherwise they behave as their plain twins or as nothing.
  const include = funcs.get("include");
  const tpl = funcs.get("tpl");
  if (include) funcs.set("include_debug", new GoFunc("include_debug", include.params, include.variadic, include.impl, include.result));
  if (tpl) funcs.set("tpl_debug", new GoFunc("tpl_debug", tpl.params, tpl.variadic, tpl.impl, tpl.result));
  funcs.set("printf_debug", new GoFunc("printf_debug", ["string"], "any", () => "", "string"));
  funcs.set("dump_debug", new GoFunc("dump_debug", ["any"], null, () => "", "string"));
  funcs.set(
    "required",
    new GoFunc("required", ["string", "any"], null, (message: unknown, value: unknown) => {
      if (value === null || value === undefined || value === "") throw new Error(message as string);
      return value;
    }),
  );
  return funcs;
}

function templateError(error: unknown, file: string, partials: ReadonlyMap<string, string>): SlipwayError {
  if (error instanceof TemplateParseError || error instanceof TemplateExecError) {
    // The innermost `template: NAME:LINE:COL` of the message is where it failed (through `include`, a .werf partial).
    const locations = [...error.message.matchAll(/template: ([^\s:]+):(\d+):(\d+)/g)];
    const where = error instanceof TemplateExecError ? error.location : null;
    const match = locations.at(-1) ?? (where ? /^(.*):(\d+):(\d+)$/.exec(where) : null);
    const templateName = match?.[1] ?? error.templateName;
    const line = error instanceof TemplateParseError ? error.line : match ? Number(match[2]) : undefined;
    const column = match ? Number(match[3]) + 1 : undefined;
    const sourceFile = partials.get(templateName) ?? file;
    return new SlipwayError(`unable to render werf config: ${error.message}\n\n${TEMPLATE_HINT}`, {
      code: "config",
      location: {
        file: sourceFile,
        ...(line === undefined ? {} : { line }),
        ...(column === undefined ? {} : { column }),
      },
    });
  }
  return new SlipwayError(`unable to render werf config: ${(error as Error).message}\n\n${TEMPLATE_HINT}`, {
    code: "config",
    location: { file },
  });
}

async function findConfigFile(options: LoadWerfConfigOptions): Promise<string> {
  const files = options.files;
  if (options.configPath !== undefined && options.configPath !== "") {
    if (!(await files.exists(options.configPath)) && !(await existsUncommitted(options, options.configPath))) {
      throw new SlipwayError(
        `unable to read werf config: the file ${JSON.stringify(options.configPath)} not found in the project git repository`,
        { code: "config", location: { file: options.configPath } },
      );
    }
    return options.configPath;
  }
  for (const candidate of ["werf.yaml", "werf.yml"]) {
    if ((await files.exists(candidate)) || (await existsUncommitted(options, candidate))) return candidate;
  }
  throw new SlipwayError(
    'unable to read werf config: the file "werf.yaml" not found in the project git repository. If the file exists locally, configure werf-giterminism.yaml to allow uncommitted files',
    { code: "config", location: { file: "werf.yaml" } },
  );
}

async function existsUncommitted(options: LoadWerfConfigOptions, path: string): Promise<boolean> {
  const changes = await options.files.changes();
  return changes.has(options.files.repoPath(path));
}

export async function loadWerfConfig(options: LoadWerfConfigOptions): Promise<LoadedWerfConfig> {
  const files = options.files;
  const loose = files.options.mode === "loose";
  const g = options.giterminism.config;
  const file = await findConfigFile(options);

  let source: Buffer | undefined;
  const partialSources = new Map<string, string>();
  const partialFiles = new Map<string, string>();
  const fileContents = new Map<string, string>();
  const uncommitted = new Map<string, UncommittedFileError>();
  const dirs = new Set<string>([""]);
  try {
    source = await files.read(file, () => g.allowUncommitted);
    const templatesDir = normalize(options.templatesDir ?? ".werf");
    for (const path of await files.list(templatesDir, (p) => isPathAllowed(g.allowUncommittedTemplates, p))) {
      if (!path.endsWith(".tmpl")) continue;
      const text = await files.read(path, (p) => isPathAllowed(g.allowUncommittedTemplates, p));
      if (text === undefined) continue;
      const name = path.slice(templatesDir.length + 1);
      partialSources.set(name, text.toString("utf8"));
      partialFiles.set(name, path);
    }
    // `.Files` reads project files through giterminism; they are loaded (in one batch) only when a template uses it.
    if (source !== undefined && /\.Files\b/.test(source.toString("utf8") + [...partialSources.values()].join("\n"))) {
      const allowed = (p: string): boolean => isPathAllowed(g.goTemplateRendering.allowUncommittedFiles, p);
      const paths = await files.list("", allowed);
      for (const [path, content] of await files.readAll(paths, allowed)) {
        if (content === undefined) continue;
        if (content instanceof UncommittedFileError) uncommitted.set(path, content);
        else fileContents.set(path, content.toString("utf8"));
        const parts = path.split("/");
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
      }
    }
  } catch (error) {
    if (error instanceof UncommittedFileError) throw asUncommittedFilesError(error, options.dev);
    throw error;
  }
  if (source === undefined) {
    throw new SlipwayError(`unable to read werf config: the file ${JSON.stringify(file)} not found in the project git repository`, {
      code: "config",
      location: { file },
    });
  }

  const set = new TemplateSet(undefined, { missingKey: "default" });
  const funcs = helmFuncMap();
  funcs.delete("env");
  funcs.delete("expandenv");
  set.addFuncs(funcs);
  set.addFuncs(werfFuncs(options, set, loose));
  const root: GoMap = new Map<string, unknown>([
    ["Files", new WerfFiles(fileContents, dirs, uncommitted, options.dev)],
    ["Env", options.env],
    [
      "Commit",
      new Map<string, unknown>([
        ["Hash", options.commit.hash],
        ["Date", new Map<string, unknown>([["Human", options.commit.dateHuman], ["Unix", String(options.commit.unix)]])],
      ]),
    ],
  ]);
  let rendered: string;
  try {
    for (const [name, text] of partialSources) set.parse(name, text);
    set.parse(file, source.toString("utf8"));
    rendered = set.execute(file, root);
  } catch (error) {
    throw templateError(error, file, partialFiles);
  }
  return { config: parseWerfConfig(rendered, file), file, rendered };
}
