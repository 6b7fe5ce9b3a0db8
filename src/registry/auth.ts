/**
 * Registry credentials from a Docker config directory, resolved the way the Docker CLI does:
 * `credHelpers[host]` → `credsStore` → `auths[host]` (`auth` base64 `user:pass`, `username`/`password`,
 * `identitytoken`, `registrytoken`). Credential helpers are `docker-credential-<name>` executables that get the
 * server URL on stdin for `get` and answer `{ServerURL, Username, Secret}`; a `<token>` username means the secret
 * is an identity (OAuth refresh) token.
 *
 * The config directory is always passed in (the caller applies `--docker-config` → `WERF_DOCKER_CONFIG` →
 * `DOCKER_CONFIG` → `~/.docker`, see {@link dockerConfigDir}); this module reads no environment variables itself.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SlipwayError } from "../errors.js";
import { credentialsKey, DOCKER_HUB } from "./reference.js";

/** What the HTTP client authenticates with. */
export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token, exchanged at the token endpoint (`grant_type=refresh_token`). */
  readonly identityToken?: string;
  /** A bearer token sent to the registry as is. */
  readonly registryToken?: string;
  /** Where the credentials came from, for messages: `credential helper "docker-credential-pass"`, a file path. */
  readonly source: string;
}

/** The Docker Engine `authconfig` (`X-Registry-Auth`) for pushes and pulls. */
export interface DockerAuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
  readonly serveraddress?: string;
}

export interface ResolvedCredentials {
  readonly credentials: RegistryCredentials;
  readonly authconfig: DockerAuthConfig;
}

export interface DockerConfigOptions {
  /** The Docker config directory; `config.json` inside it is read. A missing file means no credentials. */
  readonly configDir: string;
  /**
   * Environment for credential helpers; its `PATH` is where `docker-credential-*` is looked up.
   * When absent, helpers inherit the environment of the process.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long a credential helper may take; 30 s by default. */
  readonly helperTimeoutMs?: number;
}

/** The parts of config.json this module uses. */
export interface DockerConfigFile {
  readonly auths?: Readonly<Record<string, DockerConfigAuthEntry>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

export interface DockerConfigAuthEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/**
 * Picks the Docker config directory like werf: `--docker-config`, then `$WERF_DOCKER_CONFIG`, then
 * `$DOCKER_CONFIG`, then `<home>/.docker`. Empty strings count as unset.
 */
export function dockerConfigDir(input: {
  readonly flag?: string | undefined;
  readonly werfDockerConfig?: string | undefined;
  readonly dockerConfig?: string | undefined;
  readonly home: string;
}): string {
  for (const candidate of [input.flag, input.werfDockerConfig, input.dockerConfig]) {
    if (candidate !== undefined && candidate !== "") return candidate;
  }
  return join(input.home, ".docker");
}

function configError(file: string, message: string, cause?: unknown): SlipwayError {
  return new SlipwayError(`docker config ${file}: ${message}`, {
    code: "registry",
    ...(cause === undefined ? {} : { cause }),
  });
}

function optionalString(file: string, where: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw configError(file, `${where} must be a string`);
  return value;
}

/** Reads and checks `<configDir>/config.json`; `undefined` when the file does not exist. */
export async function readDockerConfig(configDir: string): Promise<DockerConfigFile | undefined> {
  const file = join(configDir, "config.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw configError(file, `cannot read it: ${(error as Error).message}`, error);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw configError(file, `invalid JSON: ${(error as Error).message}`, error);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw configError(file, "the top level must be a JSON object");
  }
  const raw = data as Record<string, unknown>;
  const result: {
    auths?: Record<string, DockerConfigAuthEntry>;
    credHelpers?: Record<string, string>;
    credsStore?: string;
  } = {};
  if (raw["auths"] !== undefined && raw["auths"] !== null) {
    const auths = raw["auths"];
    if (typeof auths !== "object" || Array.isArray(auths)) throw configError(file, `"auths" must be an object`);
    result.auths = {};
    for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw configError(file, `auths[${JSON.stringify(key)}] must be an object`);
      }
      const entry = value as Record<string, unknown>;
      const where = (field: string): string => `auths[${JSON.stringify(key)}].${field}`;
      const parsed: Record<string, string> = {};
      for (const field of ["auth", "username", "password", "identitytoken", "registrytoken"] as const) {
        const fieldValue = optionalString(file, where(field), entry[field]);
        if (fieldValue !== undefined && fieldValue !== "") parsed[field] = fieldValue;
      }
      result.auths[key] = parsed;
    }
  }
  if (raw["credHelpers"] !== undefined && raw["credHelpers"] !== null) {
    const helpers = raw["credHelpers"];
    if (typeof helpers !== "object" || Array.isArray(helpers)) {
      throw configError(file, `"credHelpers" must be an object`);
    }
    result.credHelpers = {};
    for (const [key, value] of Object.entries(helpers as Record<string, unknown>)) {
      const name = optionalString(file, `credHelpers[${JSON.stringify(key)}]`, value);
      if (name !== undefined && name !== "") result.credHelpers[key] = name;
    }
  }
  const store = optionalString(file, `"credsStore"`, raw["credsStore"]);
  if (store !== undefined && store !== "") result.credsStore = store;
  return result;
}

/** `https://host/v1/` → `host`, the way the Docker CLI matches legacy `auths` keys. */
function keyHostname(key: string): string {
  let host = key.replace(/^https?:\/\//i, "");
  const slash = host.indexOf("/");
  if (slash >= 0) host = host.slice(0, slash);
  return host.toLowerCase();
}

function hostnamesFor(registry: string): string[] {
  return registry === DOCKER_HUB ? ["index.docker.io", "docker.io", "registry-1.docker.io"] : [registry.toLowerCase()];
}

function findByHost<T>(map: Readonly<Record<string, T>> | undefined, registry: string): [string, T] | undefined {
  if (map === undefined) return undefined;
  const key = credentialsKey(registry);
  const exact = map[key];
  if (exact !== undefined) return [key, exact];
  const wanted = hostnamesFor(registry);
  for (const [candidate, value] of Object.entries(map)) {
    if (wanted.includes(keyHostname(candidate))) return [candidate, value];
  }
  return undefined;
}

function fromAuthEntry(file: string, key: string, entry: DockerConfigAuthEntry): ResolvedCredentials | undefined {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw configError(file, `auths[${JSON.stringify(key)}].auth is not base64 of "username:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const source = `${file} (auths[${JSON.stringify(key)}])`;
  if (entry.identitytoken !== undefined) {
    return {
      credentials: { ...(username === undefined ? {} : { username }), identityToken: entry.identitytoken, source },
      authconfig: { identitytoken: entry.identitytoken, serveraddress: key },
    };
  }
  if (entry.registrytoken !== undefined) {
    return {
      credentials: { registryToken: entry.registrytoken, source },
      authconfig: { registrytoken: entry.registrytoken, serveraddress: key },
    };
  }
  if (username === undefined || username === "") return undefined;
  const secret = password ?? "";
  return {
    credentials: { username, password: secret, source },
    authconfig: { username, password: secret, serveraddress: key },
  };
}

const NOT_FOUND = /credentials not found/i;

/** Runs `docker-credential-<helper> get`; `undefined` when the helper has nothing for the server. */
export async function runCredentialHelper(
  helper: string,
  serverUrl: string,
  options: Pick<DockerConfigOptions, "env" | "helperTimeoutMs"> = {},
): Promise<ResolvedCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(program, ["get"], {
        stdio: ["pipe", "pipe", "pipe"],
        timeout: options.helperTimeoutMs ?? 30_000,
        ...(options.env === undefined ? {} : { env: { ...options.env } }),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", (error: NodeJS.ErrnoException) => {
        reject(
          new SlipwayError(
            error.code === "ENOENT"
              ? `credential helper ${program} is not installed (not found on PATH)`
              : `credential helper ${program}: ${error.message}`,
            { code: "registry", cause: error },
          ),
        );
      });
      child.on("close", (exitCode, signal) => {
        resolve({
          code: signal === null ? exitCode : -1,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
        });
      });
      // A helper that exits without reading stdin makes the write fail with EPIPE; the exit code tells the story.
      child.stdin.on("error", () => undefined);
      child.stdin.end(serverUrl);
    },
  );
  if (code !== 0) {
    const text = (stdout.trim() || stderr.trim()).split("\n")[0] ?? "";
    if (NOT_FOUND.test(text)) return undefined;
    throw new SlipwayError(
      `credential helper ${program} failed to get the credentials for ${serverUrl}` +
        (code === -1 ? " (timed out or killed)" : ` (exit code ${code})`) +
        (text === "" ? "" : `: ${text}`),
      { code: "registry" },
    );
  }
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    throw new SlipwayError(`credential helper ${program} printed something that is not JSON for ${serverUrl}`, {
      code: "registry",
    });
  }
  const record = (typeof answer === "object" && answer !== null ? answer : {}) as Record<string, unknown>;
  const username = typeof record["Username"] === "string" ? record["Username"] : "";
  const secret = typeof record["Secret"] === "string" ? record["Secret"] : "";
  if (username === "" && secret === "") return undefined;
  const source = `credential helper ${program}`;
  if (username === "<token>") {
    return {
      credentials: { identityToken: secret, source },
      authconfig: { identitytoken: secret, serveraddress: serverUrl },
    };
  }
  return {
    credentials: { username, password: secret, source },
    authconfig: { username, password: secret, serveraddress: serverUrl },
  };
}

/**
 * The credentials for one registry (`127.0.0.1:5000`, `docker.io`, ...), or `undefined` for anonymous access.
 * `config` may be passed when it was already read.
 */
export async function resolveCredentials(
  registry: string,
  options: DockerConfigOptions,
  config?: DockerConfigFile,
): Promise<ResolvedCredentials | undefined> {
  const file = join(options.configDir, "config.json");
  const data = config ?? (await readDockerConfig(options.configDir));
  if (data === undefined) return undefined;
  const serverUrl = credentialsKey(registry);
  const helper = findByHost(data.credHelpers, registry);
  if (helper !== undefined) return runCredentialHelper(helper[1], serverUrl, options);
  if (data.credsStore !== undefined) {
    const found = await runCredentialHelper(data.credsStore, serverUrl, options);
    if (found !== undefined) return found;
  }
  const entry = findByHost(data.auths, registry);
  return entry === undefined ? undefined : fromAuthEntry(file, entry[0], entry[1]);
}

/** Looks credentials up per registry, reading config.json once and asking each registry's helper once. */
export class DockerCredentialStore {
  readonly #options: DockerConfigOptions;
  #config: Promise<DockerConfigFile | undefined> | undefined;
  readonly #cache = new Map<string, Promise<ResolvedCredentials | undefined>>();

  constructor(options: DockerConfigOptions) {
    this.#options = options;
  }

  /** The config file this store reads, for messages. */
  get file(): string {
    return join(this.#options.configDir, "config.json");
  }

  lookup(registry: string): Promise<ResolvedCredentials | undefined> {
    let pending = this.#cache.get(registry);
    if (pending === undefined) {
      this.#config ??= readDockerConfig(this.#options.configDir);
      pending = this.#config.then((config) =>
        config === undefined ? undefined : resolveCredentials(registry, this.#options, config),
      );
      // A failure is not cached, so that a retry asks the helper again.
      pending.catch(() => this.#cache.delete(registry));
      this.#cache.set(registry, pending);
    }
    return pending;
  }

  /** The HTTP credentials, in the shape {@link RegistryClientOptions.credentials} takes. */
  readonly credentials = async (registry: string): Promise<RegistryCredentials | undefined> =>
    (await this.lookup(registry))?.credentials;

  /** The Docker Engine authconfig for a push to `registry`; `{}` for anonymous access. */
  async authconfig(registry: string): Promise<DockerAuthConfig> {
    return (await this.lookup(registry))?.authconfig ?? {};
  }
}
