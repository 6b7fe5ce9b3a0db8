/**
 * A small client for the Registry HTTP API v2: manifest HEAD/GET/DELETE, tag lists, image configs.
 *
 * Round trips are the cost that matters, so no request is made "just in case":
 * - there is no `/v2/` ping before real calls; the first call goes out anonymously and a `401` teaches the client
 *   the registry's scheme (`Basic` or `Bearer` from `WWW-Authenticate`);
 * - after that, Basic credentials are sent up front, and Bearer tokens are fetched per scope and cached until they
 *   expire, so each later call is one request (plus one token request per new repository);
 * - credentials are looked up (and credential helpers spawned) only when a registry asks for them.
 * Every HTTP request, token requests included, is reported through `onRequest`.
 *
 * Manifests are always requested with all four manifest media types: registry 2.8 converts a docker v2 manifest
 * to schema 1 (another digest) without the docker Accept type, and 404s an OCI manifest without the OCI one.
 * Plain HTTP is used with `insecureRegistry` and, like Docker and go-containerregistry, for loopback registries.
 */
import { createHash } from "node:crypto";
import { SlipwayError } from "../errors.js";
import type { RegistryCredentials } from "./auth.js";
import { HttpTransport, HttpTransportError, type HttpResponse } from "./http.js";
import {
  isDigest,
  isLoopbackRegistry,
  isValidTag,
  parseRepository,
  registryApiHost,
  type ImageRepository,
} from "./reference.js";
import { parseWwwAuthenticate } from "./www-authenticate.js";

export const MEDIA_TYPE_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const MEDIA_TYPE_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** The Accept header of every manifest request. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_MANIFEST,
  MEDIA_TYPE_OCI_INDEX,
].join(", ");

/** A repository given as text (`127.0.0.1:5000/app`) or already parsed. */
export type RepositoryInput = string | ImageRepository;

export interface ManifestDescriptor {
  /** `sha256:...` as the registry computes it (`Docker-Content-Digest`). */
  readonly digest: string;
  readonly mediaType: string;
  /** Manifest size in bytes. */
  readonly size: number;
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface ManifestLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

/** The JSON of an image manifest or an index, the fields this client reads. */
export interface ManifestJson {
  readonly schemaVersion?: number;
  readonly mediaType?: string;
  readonly config?: ManifestLayer;
  readonly layers?: readonly ManifestLayer[];
  readonly manifests?: readonly (ManifestLayer & { readonly platform?: Platform })[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface Manifest extends ManifestDescriptor {
  readonly json: ManifestJson;
  readonly raw: Buffer;
}

/** What the build phase needs to know about an image in the registry. */
export interface ImageDescription {
  /** Digest of what the reference points at (an index digest for a multi-platform image). */
  readonly digest: string;
  readonly mediaType: string;
  /** Digest of the platform's image manifest; equal to `digest` for a single-platform image. */
  readonly manifestDigest: string;
  /** The config blob digest: the image ID Docker shows. */
  readonly configDigest: string;
  readonly labels: Readonly<Record<string, string>>;
  /** RFC 3339 timestamp from the config, when it has one. */
  readonly created: string | undefined;
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | undefined;
  /** Sum of the compressed layer sizes, in bytes. */
  readonly size: number;
  readonly layers: number;
}

export interface PingResult {
  /** The authentication scheme the registry asked for, `none` when `/v2/` answered 200 anonymously. */
  readonly authentication: "none" | "basic" | "bearer";
  /** The `Docker-Distribution-Api-Version` header, e.g. `registry/2.0`. */
  readonly apiVersion: string | undefined;
}

export interface RegistryClientOptions {
  /** Credentials of a registry (`127.0.0.1:5000`, `docker.io`), asked for only when the registry wants them. */
  readonly credentials?: (registry: string) => Promise<RegistryCredentials | undefined>;
  /** `--insecure-registry`: plain HTTP to every registry. Loopback registries get plain HTTP anyway. */
  readonly insecureRegistry?: boolean;
  /** `--skip-tls-verify-registry`: HTTPS without certificate verification. */
  readonly skipTlsVerify?: boolean;
  /** Called once per HTTP request with the final status (0 when no response came). */
  readonly onRequest?: (method: string, url: string, status: number) => void;
  /** Per-request timeout; 60 s by default. */
  readonly timeoutMs?: number;
  /** The image {@link RegistryClient.getImageConfig} picks from an index; linux/<host arch> by default. */
  readonly platform?: Platform;
  readonly userAgent?: string;
}

/** Why a registry call failed; callers branch on this, not on the message. */
export type RegistryErrorReason =
  | "unauthorized"
  | "denied"
  | "connection"
  | "tls"
  | "unsupported"
  | "protocol"
  | "http";

export class RegistryError extends SlipwayError {
  readonly registry: string;
  readonly reason: RegistryErrorReason;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;

  constructor(
    message: string,
    details: { registry: string; reason: RegistryErrorReason; status?: number | undefined; cause?: unknown },
  ) {
    super(message, { code: "registry", ...(details.cause === undefined ? {} : { cause: details.cause }) });
    this.name = "RegistryError";
    this.registry = details.registry;
    this.reason = details.reason;
    this.status = details.status;
  }
}

interface BearerChallenge {
  readonly kind: "bearer";
  readonly realm: string;
  readonly service: string | undefined;
}

type Challenge = { readonly kind: "basic" } | BearerChallenge;

interface Token {
  readonly token: string;
  readonly expiresAt: number;
}

interface RegistryState {
  readonly registry: string;
  readonly base: string;
  challenge: Challenge | undefined;
  readonly tokens: Map<string, Promise<Token>>;
  credentials: Promise<RegistryCredentials | undefined> | undefined;
  /** Set once a call got an answer, so the registry's authentication scheme (or lack of one) is known. */
  probed: boolean;
  /** The first call in flight; parallel first calls wait for it instead of each collecting its own 401. */
  probing: Promise<void> | undefined;
}

interface Authorization {
  readonly header: string | undefined;
  /** The cached token the header carries, to drop exactly that one when the registry rejects it. */
  readonly token: Promise<Token> | undefined;
}

interface CallRequest {
  readonly method: "GET" | "HEAD" | "DELETE";
  /** Path and query below the registry base, e.g. `/v2/app/tags/list`, or an absolute URL (pagination). */
  readonly target: string;
  readonly accept?: string;
  /** Repository the call is about: it names the token scope and appears in messages. */
  readonly repository?: ImageRepository;
  readonly actions?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const MAX_TAG_PAGES = 10_000;
const TOKEN_MIN_LIFETIME_S = 60;
const TOKEN_EARLY_REFRESH_MS = 10_000;

function hostArchitecture(): string {
  switch (process.arch) {
    case "x64":
      return "amd64";
    case "ia32":
      return "386";
    default:
      return process.arch;
  }
}

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function stripParams(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim() ?? "";
}

/** `401 UNAUTHORIZED: authentication required` from a registry error body, or the status line. */
export function describeResponse(response: Pick<HttpResponse, "status" | "statusText" | "body">): string {
  const statusLine = `${response.status}${response.statusText === "" ? "" : ` ${response.statusText}`}`;
  const text = response.body.toString("utf8").trim();
  if (text === "") return statusLine;
  try {
    const parsed = JSON.parse(text) as { errors?: unknown; error?: unknown; details?: unknown };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      const items = (parsed.errors as { code?: unknown; message?: unknown }[]).map((e) => {
        const code = typeof e.code === "string" ? e.code : "";
        const message = typeof e.message === "string" ? e.message : "";
        return code !== "" && message !== "" ? `${code}: ${message}` : code || message;
      });
      return `${response.status} ${items.filter((s) => s !== "").join("; ")}`;
    }
    for (const field of [parsed.details, parsed.error]) {
      if (typeof field === "string" && field !== "") return `${statusLine}: ${field}`;
    }
  } catch {
    // Not JSON: fall through to the text.
  }
  const oneLine = text.replace(/\s+/g, " ");
  return `${statusLine}: ${oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine}`;
}

function registryErrorCodes(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errors?: { code?: unknown }[] };
    return Array.isArray(parsed.errors) ? parsed.errors.map((e) => (typeof e.code === "string" ? e.code : "")) : [];
  } catch {
    return [];
  }
}

/** The `next` target of a `Link: <...>; rel="next"` header, if any. */
export function nextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match?.[1] !== undefined && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? "")) {
      return match[1];
    }
  }
  return undefined;
}

function quote(repository: ImageRepository | undefined): string {
  return repository === undefined ? "" : ` for ${JSON.stringify(repository.path)}`;
}

function at(repository: ImageRepository, reference: string): string {
  return `${JSON.stringify(repository.path)}${isDigest(reference) ? "@" : ":"}${reference}`;
}

function protocolError(registry: string, message: string, cause?: unknown): RegistryError {
  return new RegistryError(message, { registry, reason: "protocol", ...(cause === undefined ? {} : { cause }) });
}

function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username ?? ""}:${credentials.password ?? ""}`).toString("base64")}`;
}

/** "requires credentials ... none were found" or "refused the credentials", the two 401 stories. */
function credentialsError(
  registry: string,
  repository: ImageRepository | undefined,
  credentials: RegistryCredentials | undefined,
  detail: string,
  status: number,
): RegistryError {
  const message =
    credentials === undefined
      ? `registry ${registry} requires credentials${quote(repository)} and none were found (${detail}); ` +
        `log in with docker login ${registry}, or point --docker-config at a config that has them`
      : `registry ${registry} refused the credentials${quote(repository)} (${detail}); ` +
        `they came from ${credentials.source}`;
  return new RegistryError(message, { registry, reason: "unauthorized", status });
}

export class RegistryClient {
  readonly #options: RegistryClientOptions;
  readonly #transport: HttpTransport;
  readonly #states = new Map<string, RegistryState>();

  constructor(options: RegistryClientOptions = {}) {
    this.#options = options;
    this.#transport = new HttpTransport({
      ...(options.skipTlsVerify === undefined ? {} : { skipTlsVerify: options.skipTlsVerify }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Closes idle connections; the client stays usable. */
  close(): void {
    this.#transport.close();
  }

  /**
   * `GET /v2/`: checks that the registry answers and, when it asks for authentication, that the credentials are
   * accepted (for Bearer, by getting a token without scope, like `docker login`).
   */
  async ping(registry: string): Promise<PingResult> {
    const response = await this.#call(registry, { method: "GET", target: "/v2/" });
    if (response.status !== 200) throw this.#unexpected(registry, "GET /v2/", response, undefined);
    const challenge = this.#state(registry).challenge;
    return {
      authentication: challenge?.kind ?? "none",
      apiVersion: response.headers["docker-distribution-api-version"],
    };
  }

  /** `HEAD` of a manifest by tag or digest: one request when the registry's authentication is known. */
  async headManifest(repository: RepositoryInput, reference: string): Promise<ManifestDescriptor | undefined> {
    const repo = this.#repository(repository);
    const target = this.#manifestPath(repo, reference);
    const response = await this.#call(repo.registry, {
      method: "HEAD",
      target,
      accept: MANIFEST_ACCEPT,
      repository: repo,
      actions: "pull",
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.#unexpected(repo.registry, `HEAD ${target}`, response, repo);
    const digest = response.headers["docker-content-digest"];
    const size = Number(response.headers["content-length"]);
    if (digest === undefined || !isDigest(digest) || !Number.isFinite(size)) {
      // Some registries leave the digest out of HEAD answers; the body tells it.
      const manifest = await this.getManifest(repo, reference);
      return manifest === undefined
        ? undefined
        : { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
    }
    return { digest, mediaType: stripParams(response.headers["content-type"]), size };
  }

  /** `GET` of a manifest; the digest is checked against the body. */
  async getManifest(repository: RepositoryInput, reference: string): Promise<Manifest | undefined> {
    const repo = this.#repository(repository);
    const target = this.#manifestPath(repo, reference);
    const response = await this.#call(repo.registry, {
      method: "GET",
      target,
      accept: MANIFEST_ACCEPT,
      repository: repo,
      actions: "pull",
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.#unexpected(repo.registry, `GET ${target}`, response, repo);
    const computed = sha256(response.body);
    const header = response.headers["docker-content-digest"];
    const expected = isDigest(reference) ? reference : header?.startsWith("sha256:") ? header : undefined;
    if (expected !== undefined && expected !== computed) {
      throw protocolError(
        repo.registry,
        `registry ${repo.registry} sent a manifest for ${at(repo, reference)} ` +
          `whose digest is ${computed}, not ${expected}`,
      );
    }
    let json: ManifestJson;
    try {
      json = JSON.parse(response.body.toString("utf8")) as ManifestJson;
    } catch (error) {
      throw protocolError(
        repo.registry,
        `registry ${repo.registry} sent a manifest for ${at(repo, reference)} that is not JSON`,
        error,
      );
    }
    const mediaType = stripParams(response.headers["content-type"]) || json.mediaType || MEDIA_TYPE_OCI_MANIFEST;
    // Docker's schema 1 types (`…distribution.manifest.v1+json`, `…v1+prettyjws`); the OCI manifest type also reads "manifest.v1+".
    if (json.schemaVersion === 1 || mediaType.startsWith("application/vnd.docker.distribution.manifest.v1+")) {
      throw new RegistryError(
        `registry ${repo.registry} sent a schema 1 manifest for ${at(repo, reference)}, which is not supported`,
        { registry: repo.registry, reason: "unsupported" },
      );
    }
    const digest = header !== undefined && isDigest(header) ? header : computed;
    return { digest, mediaType, size: response.body.length, json, raw: response.body };
  }

  /** All tags of a repository, following `Link` pagination; `[]` when the repository does not exist. */
  async listTags(repository: RepositoryInput, options: { readonly pageSize?: number } = {}): Promise<string[]> {
    const repo = this.#repository(repository);
    let target: string | undefined =
      `/v2/${repo.path}/tags/list${options.pageSize === undefined ? "" : `?n=${options.pageSize}`}`;
    const tags: string[] = [];
    for (let page = 0; target !== undefined; page++) {
      if (page >= MAX_TAG_PAGES) {
        throw protocolError(
          repo.registry,
          `registry ${repo.registry}: the tag list of ${JSON.stringify(repo.path)} does not end`,
        );
      }
      const response = await this.#call(repo.registry, { method: "GET", target, repository: repo, actions: "pull" });
      if (response.status === 404) {
        if (page === 0) return [];
        throw this.#unexpected(repo.registry, `GET ${target}`, response, repo);
      }
      if (response.status !== 200) throw this.#unexpected(repo.registry, `GET ${target}`, response, repo);
      let body: { tags?: unknown };
      try {
        body = JSON.parse(response.body.toString("utf8")) as { tags?: unknown };
      } catch (error) {
        throw protocolError(repo.registry, `registry ${repo.registry} sent a tag list that is not JSON`, error);
      }
      if (Array.isArray(body.tags)) {
        for (const tag of body.tags) if (typeof tag === "string") tags.push(tag);
      }
      const next = nextLink(response.headers["link"]);
      target = next === undefined ? undefined : new URL(next, this.#url(repo.registry, target)).href;
    }
    return tags;
  }

  /** A blob's bytes, checked against its digest. */
  async getBlob(repository: RepositoryInput, digest: string): Promise<Buffer> {
    const repo = this.#repository(repository);
    if (!isDigest(digest)) {
      throw new SlipwayError(`invalid blob digest ${JSON.stringify(digest)}`, { code: "internal" });
    }
    const target = `/v2/${repo.path}/blobs/${digest}`;
    const response = await this.#call(repo.registry, { method: "GET", target, repository: repo, actions: "pull" });
    if (response.status !== 200) throw this.#unexpected(repo.registry, `GET ${target}`, response, repo);
    if (digest.startsWith("sha256:") && sha256(response.body) !== digest) {
      throw protocolError(
        repo.registry,
        `registry ${repo.registry} sent blob ${digest} of ${JSON.stringify(repo.path)} with the wrong content`,
      );
    }
    return response.body;
  }

  /**
   * Labels, creation time, platform and size of an image, from its manifest and config blob (two requests; three
   * for a multi-platform index, where `platform` or the client's platform picks the image).
   */
  async getImageConfig(
    repository: RepositoryInput,
    reference: string,
    options: { readonly platform?: Platform } = {},
  ): Promise<ImageDescription | undefined> {
    const repo = this.#repository(repository);
    const top = await this.getManifest(repo, reference);
    if (top === undefined) return undefined;
    let image: Manifest = top;
    if (top.json.manifests !== undefined && top.json.config === undefined) {
      const wanted = options.platform ?? this.#options.platform ?? { os: "linux", architecture: hostArchitecture() };
      const entries = top.json.manifests;
      const match =
        entries.find(
          (m) =>
            m.platform?.os === wanted.os &&
            m.platform.architecture === wanted.architecture &&
            (wanted.variant === undefined || m.platform.variant === wanted.variant),
        );
      if (match === undefined) {
        const available = entries
          .map((m) => m.platform)
          .filter((p): p is Platform => p !== undefined && p.os !== "unknown")
          .map((p) => [p.os, p.architecture, p.variant].filter((s) => s !== undefined && s !== "").join("/"));
        const platform = [wanted.os, wanted.architecture, wanted.variant].filter((s) => s !== undefined).join("/");
        throw new RegistryError(
          `image ${repo.registry}/${repo.path}:${reference} has no ${platform} manifest ` +
            `(it has ${available.join(", ") || "none"})`,
          { registry: repo.registry, reason: "unsupported" },
        );
      }
      const child = await this.getManifest(repo, match.digest);
      if (child === undefined) {
        throw protocolError(
          repo.registry,
          `registry ${repo.registry} lists manifest ${match.digest} in ${at(repo, reference)} but does not have it`,
        );
      }
      image = child;
    }
    const config = image.json.config;
    if (config === undefined || !isDigest(config.digest)) {
      throw protocolError(
        repo.registry,
        `registry ${repo.registry}: the manifest of ${at(repo, reference)} has no config`,
      );
    }
    const blob = await this.getBlob(repo, config.digest);
    let parsed: {
      architecture?: unknown;
      os?: unknown;
      variant?: unknown;
      created?: unknown;
      config?: { Labels?: unknown } | null;
    };
    try {
      parsed = JSON.parse(blob.toString("utf8")) as typeof parsed;
    } catch (error) {
      throw protocolError(
        repo.registry,
        `registry ${repo.registry}: the config blob ${config.digest} is not JSON`,
        error,
      );
    }
    const labels: Record<string, string> = {};
    const rawLabels = parsed.config?.Labels;
    if (typeof rawLabels === "object" && rawLabels !== null) {
      for (const [key, value] of Object.entries(rawLabels as Record<string, unknown>)) {
        if (typeof value === "string") labels[key] = value;
      }
    }
    const layers = image.json.layers ?? [];
    return {
      digest: top.digest,
      mediaType: top.mediaType,
      manifestDigest: image.digest,
      configDigest: config.digest,
      labels,
      created: typeof parsed.created === "string" ? parsed.created : undefined,
      os: typeof parsed.os === "string" ? parsed.os : "",
      architecture: typeof parsed.architecture === "string" ? parsed.architecture : "",
      variant: typeof parsed.variant === "string" ? parsed.variant : undefined,
      size: layers.reduce((sum, layer) => sum + (typeof layer.size === "number" ? layer.size : 0), 0),
      layers: layers.length,
    };
  }

  /**
   * Deletes a manifest (every tag pointing at it goes with it). A tag is resolved to its digest first, since
   * registries delete by digest only. Returns false when there was nothing to delete.
   */
  async deleteManifest(repository: RepositoryInput, reference: string): Promise<boolean> {
    const repo = this.#repository(repository);
    let digest = reference;
    if (!isDigest(reference)) {
      const head = await this.headManifest(repo, reference);
      if (head === undefined) return false;
      digest = head.digest;
    }
    const target = this.#manifestPath(repo, digest);
    const response = await this.#call(repo.registry, { method: "DELETE", target, repository: repo, actions: "delete" });
    if (response.status === 202 || response.status === 200) return true;
    if (response.status === 404) return false;
    if (response.status === 405) {
      throw new RegistryError(
        `registry ${repo.registry} does not allow deleting ${at(repo, digest)} (${describeResponse(response)})`,
        { registry: repo.registry, reason: "unsupported", status: response.status },
      );
    }
    throw this.#unexpected(repo.registry, `DELETE ${target}`, response, repo);
  }

  // ---------------------------------------------------------------------------------------------------------------

  #repository(input: RepositoryInput): ImageRepository {
    return typeof input === "string" ? parseRepository(input) : input;
  }

  #manifestPath(repo: ImageRepository, reference: string): string {
    if (!isValidTag(reference) && !isDigest(reference)) {
      throw new SlipwayError(`invalid tag or digest ${JSON.stringify(reference)} for ${repo.registry}/${repo.path}`, {
        code: "invalid-option",
      });
    }
    return `/v2/${repo.path}/manifests/${reference}`;
  }

  #state(registry: string): RegistryState {
    let state = this.#states.get(registry);
    if (state === undefined) {
      const plain = this.#options.insecureRegistry === true || isLoopbackRegistry(registry);
      state = {
        registry,
        base: `${plain ? "http" : "https"}://${registryApiHost(registry)}`,
        challenge: undefined,
        tokens: new Map(),
        credentials: undefined,
        probed: false,
        probing: undefined,
      };
      this.#states.set(registry, state);
    }
    return state;
  }

  #url(registry: string, target: string): URL {
    return new URL(target, this.#state(registry).base);
  }

  #credentials(state: RegistryState): Promise<RegistryCredentials | undefined> {
    const source = this.#options.credentials;
    if (source === undefined) return Promise.resolve(undefined);
    if (state.credentials === undefined) {
      const pending = source(state.registry);
      state.credentials = pending;
      pending.catch(() => {
        state.credentials = undefined;
      });
    }
    return state.credentials;
  }

  /**
   * One API call with authentication: at most one retry, after a 401 that taught the scheme or rejected a cached
   * token. The first call to a registry goes alone; calls made meanwhile wait and then use what it learnt.
   */
  async #call(registry: string, request: CallRequest): Promise<HttpResponse> {
    const state = this.#state(registry);
    let release: (() => void) | undefined;
    if (!state.probed) {
      if (state.probing === undefined) {
        state.probing = new Promise<void>((resolve) => (release = resolve));
      } else {
        await state.probing;
      }
    }
    try {
      const response = await this.#authenticatedCall(state, request);
      state.probed = true;
      return response;
    } finally {
      if (release !== undefined) {
        state.probing = undefined;
        release();
      }
    }
  }

  async #authenticatedCall(state: RegistryState, request: CallRequest): Promise<HttpResponse> {
    const url = new URL(request.target, state.base);
    const scope =
      request.repository === undefined
        ? undefined
        : `repository:${request.repository.path}:${request.actions ?? "pull"}`;
    const headers: Record<string, string> = {};
    if (request.accept !== undefined) headers["accept"] = request.accept;
    if (this.#options.userAgent !== undefined) headers["user-agent"] = this.#options.userAgent;
    const what = `registry ${state.registry}`;

    const first = await this.#authorization(state, scope, request.repository);
    let response = await this.#send(state, request.method, url, withAuth(headers, first.header), what);
    if (response.status !== 401) return this.#checkDenied(state, request, url, headers, first.header, response);

    const challenges = parseWwwAuthenticate(response.headers["www-authenticate"] ?? "");
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    const credentials = await this.#credentials(state);
    const realm = bearer?.params["realm"];
    if (realm !== undefined && realm !== "") {
      state.challenge = { kind: "bearer", realm, service: bearer?.params["service"] };
    } else if (basic !== undefined) {
      state.challenge = { kind: "basic" };
    } else {
      throw await this.#authFailure(state, request, url, headers, first.header, response, credentials);
    }
    if (first.header !== undefined && state.challenge.kind === "basic") {
      // The credentials went with the request and were refused: asking again changes nothing.
      throw await this.#authFailure(state, request, url, headers, first.header, response, credentials);
    }
    const wantedScope = bearer?.params["scope"] ?? scope;
    if (first.token !== undefined) {
      for (const [key, token] of state.tokens) if (token === first.token) state.tokens.delete(key);
    }
    const retry = await this.#authorization(state, wantedScope, request.repository);
    if (retry.header === undefined) {
      throw await this.#authFailure(state, request, url, headers, first.header, response, credentials);
    }
    response = await this.#send(state, request.method, url, withAuth(headers, retry.header), what);
    if (response.status === 401) {
      throw await this.#authFailure(state, request, url, headers, retry.header, response, credentials);
    }
    return this.#checkDenied(state, request, url, headers, retry.header, response);
  }

  async #checkDenied(
    state: RegistryState,
    request: CallRequest,
    url: URL,
    headers: Record<string, string>,
    authorization: string | undefined,
    response: HttpResponse,
  ): Promise<HttpResponse> {
    if (response.status !== 403) return response;
    const detail = await this.#detail(state, request, url, headers, authorization, response);
    throw new RegistryError(`registry ${state.registry} denied access${quote(request.repository)} (${detail})`, {
      registry: state.registry,
      reason: "denied",
      status: 403,
    });
  }

  /** The error text of a failed response; a body-less HEAD answer is asked again as GET for the registry's words. */
  async #detail(
    state: RegistryState,
    request: CallRequest,
    url: URL,
    headers: Record<string, string>,
    authorization: string | undefined,
    response: HttpResponse,
  ): Promise<string> {
    if (request.method === "HEAD" && response.body.length === 0) {
      try {
        const what = `registry ${state.registry}`;
        const again = await this.#send(state, "GET", url, withAuth(headers, authorization), what);
        if (again.status === response.status && again.body.length > 0) return describeResponse(again);
      } catch {
        // The HEAD answer is what counts; its status line will do.
      }
    }
    return describeResponse(response);
  }

  async #authFailure(
    state: RegistryState,
    request: CallRequest,
    url: URL,
    headers: Record<string, string>,
    authorization: string | undefined,
    response: HttpResponse,
    credentials: RegistryCredentials | undefined,
  ): Promise<RegistryError> {
    const detail = await this.#detail(state, request, url, headers, authorization, response);
    const insufficientScope = /insufficient_scope/.test(response.headers["www-authenticate"] ?? "");
    if (insufficientScope || registryErrorCodes(response.body).includes("DENIED")) {
      return new RegistryError(`registry ${state.registry} denied access${quote(request.repository)} (${detail})`, {
        registry: state.registry,
        reason: "denied",
        status: response.status,
      });
    }
    return credentialsError(state.registry, request.repository, credentials, detail, response.status);
  }

  /** The Authorization header for the registry's known scheme; no header for an anonymous request. */
  async #authorization(
    state: RegistryState,
    scope: string | undefined,
    repository: ImageRepository | undefined,
  ): Promise<Authorization> {
    const anonymous = { header: undefined, token: undefined };
    const challenge = state.challenge;
    if (challenge === undefined) return anonymous;
    const credentials = await this.#credentials(state);
    if (credentials?.registryToken !== undefined) {
      return { header: `Bearer ${credentials.registryToken}`, token: undefined };
    }
    if (challenge.kind === "basic") {
      return credentials?.username === undefined
        ? anonymous
        : { header: basicAuthorization(credentials), token: undefined };
    }
    const key = scope ?? "";
    let pending = state.tokens.get(key);
    if (pending !== undefined) {
      const token = await pending.catch(() => undefined);
      if (token !== undefined && token.expiresAt > Date.now() + TOKEN_EARLY_REFRESH_MS) {
        return { header: `Bearer ${token.token}`, token: pending };
      }
      if (state.tokens.get(key) === pending) state.tokens.delete(key);
    }
    pending = state.tokens.get(key);
    if (pending === undefined) {
      const fetching = this.#fetchToken(state, challenge, scope, repository, credentials);
      state.tokens.set(key, fetching);
      fetching.catch(() => {
        if (state.tokens.get(key) === fetching) state.tokens.delete(key);
      });
      pending = fetching;
    }
    return { header: `Bearer ${(await pending).token}`, token: pending };
  }

  async #fetchToken(
    state: RegistryState,
    challenge: BearerChallenge,
    scope: string | undefined,
    repository: ImageRepository | undefined,
    credentials: RegistryCredentials | undefined,
  ): Promise<Token> {
    let url: URL;
    try {
      url = new URL(challenge.realm);
    } catch {
      throw protocolError(
        state.registry,
        `registry ${state.registry} names an invalid token realm ${JSON.stringify(challenge.realm)}`,
      );
    }
    const headers: Record<string, string> = {};
    if (this.#options.userAgent !== undefined) headers["user-agent"] = this.#options.userAgent;
    const scopes = scope === undefined ? [] : scope.split(" ").filter((s) => s !== "");
    const what = `token service ${url.host} of registry ${state.registry}`;
    let response: HttpResponse;
    if (credentials?.identityToken !== undefined) {
      const form = new URLSearchParams();
      form.set("grant_type", "refresh_token");
      form.set("refresh_token", credentials.identityToken);
      form.set("client_id", "slipway");
      if (challenge.service !== undefined) form.set("service", challenge.service);
      if (scopes.length > 0) form.set("scope", scopes.join(" "));
      headers["content-type"] = "application/x-www-form-urlencoded";
      response = await this.#send(state, "POST", url, headers, what, form.toString());
    } else {
      if (challenge.service !== undefined) url.searchParams.set("service", challenge.service);
      for (const s of scopes) url.searchParams.append("scope", s);
      if (credentials?.username !== undefined) {
        headers["authorization"] = basicAuthorization(credentials);
      }
      response = await this.#send(state, "GET", url, headers, what);
    }
    if (response.status === 401 || response.status === 403) {
      const detail = `${what}: ${describeResponse(response)}`;
      throw credentialsError(state.registry, repository, credentials, detail, response.status);
    }
    if (response.status !== 200) {
      throw new RegistryError(`${what} answered ${describeResponse(response)}`, {
        registry: state.registry,
        reason: "http",
        status: response.status,
      });
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      body = JSON.parse(response.body.toString("utf8")) as typeof body;
    } catch (error) {
      throw protocolError(state.registry, `${what} answered with something that is not JSON`, error);
    }
    const token = typeof body.token === "string" && body.token !== "" ? body.token : body.access_token;
    if (typeof token !== "string" || token === "") {
      throw protocolError(state.registry, `${what} answered without a token`);
    }
    const lifetime =
      typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : TOKEN_MIN_LIFETIME_S;
    const issued = typeof body.issued_at === "string" ? Date.parse(body.issued_at) : Number.NaN;
    // Clocks differ; trust issued_at only when it is not in the future.
    const start = Number.isFinite(issued) && issued <= Date.now() ? issued : Date.now();
    return { token, expiresAt: start + Math.max(lifetime, TOKEN_MIN_LIFETIME_S) * 1000 };
  }

  /** One HTTP exchange plus redirects; network failures become RegistryErrors that name the host. */
  async #send(
    state: RegistryState,
    method: string,
    start: URL,
    headers: Record<string, string>,
    what: string,
    body?: string,
  ): Promise<HttpResponse> {
    let url = start;
    let current = headers;
    for (let hop = 0; ; hop++) {
      let response: HttpResponse;
      try {
        const request = { method, url, headers: current, ...(body === undefined ? {} : { body }) };
        response = await this.#transport.send(request);
      } catch (error) {
        this.#options.onRequest?.(method, url.href, 0);
        throw this.#networkError(state, url, what, error);
      }
      this.#options.onRequest?.(method, url.href, response.status);
      const location = response.headers["location"];
      if (!REDIRECTS.has(response.status) || location === undefined || hop >= MAX_REDIRECTS) return response;
      if (method !== "GET" && method !== "HEAD") return response;
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        // Blob storage behind a redirect must not see the registry's credentials.
        current = Object.fromEntries(Object.entries(current).filter(([name]) => name !== "authorization"));
      }
      url = next;
    }
  }

  #networkError(state: RegistryState, url: URL, what: string, error: unknown): RegistryError {
    let message = error instanceof Error ? error.message : String(error);
    // OpenSSL's own text (`write EPROTO 40AD...:error:0A00010B:SSL routines:fn:wrong version number:file.c:77:`)
    // is reduced to its reason.
    const openssl = /SSL routines:[^:]*:([^:]+):/.exec(message);
    if (openssl?.[1] !== undefined) message = openssl[1];
    message = message.trim();
    const place = url.host === registryApiHost(state.registry) ? what : `${url.host} (${what})`;
    if (error instanceof HttpTransportError && error.tls) {
      const plainHttp =
        error.code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|packet length/i.test(message);
      const hint = plainHttp
        ? "; if it is a plain HTTP registry, use --insecure-registry"
        : "; for a self-signed certificate, use --skip-tls-verify-registry";
      return new RegistryError(`TLS connection to ${place} at ${url.origin} failed: ${message}${hint}`, {
        registry: state.registry,
        reason: "tls",
        cause: error,
      });
    }
    return new RegistryError(`cannot reach ${place} at ${url.origin}: ${message}`, {
      registry: state.registry,
      reason: "connection",
      cause: error,
    });
  }

  #unexpected(
    registry: string,
    what: string,
    response: HttpResponse,
    repository: ImageRepository | undefined,
  ): RegistryError {
    const about = repository === undefined ? "" : ` (${JSON.stringify(repository.path)})`;
    return new RegistryError(`registry ${registry}${about}: ${what} answered ${describeResponse(response)}`, {
      registry,
      reason: "http",
      status: response.status,
    });
  }
}

function withAuth(headers: Record<string, string>, authorization: string | undefined): Record<string, string> {
  return authorization === undefined ? headers : { ...headers, authorization };
}
