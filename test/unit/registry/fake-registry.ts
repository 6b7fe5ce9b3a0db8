// A tiny in-process Registry API v2 over node:http, for unit tests of the client: anonymous, Basic or Bearer
// (with its own token endpoint) authentication, manifests, tags with `Link` pagination, blobs and deletes.
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export interface FakeRegistryOptions {
  readonly auth?: "none" | "basic" | "bearer";
  readonly users?: Readonly<Record<string, string>>;
  /** Identity (refresh) tokens the token endpoint accepts via POST, mapped to the user they stand for. */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  /** Bearer: hand out tokens without credentials (like Docker Hub for public images). */
  readonly anonymousTokens?: boolean;
  /** Bearer: users that may only pull from these repositories. */
  readonly access?: Readonly<Record<string, readonly string[]>>;
  readonly tokenExpiresIn?: number;
  /** Leave `Docker-Content-Digest` out of HEAD answers. */
  readonly headWithoutDigest?: boolean;
  /** Answer blob GETs with a redirect to this base URL (another origin). */
  readonly blobRedirect?: string;
  /** Serve HTTPS with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Address to listen on; 127.0.0.1 by default. */
  readonly listen?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly body: string;
}

interface StoredManifest {
  readonly body: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

export function digestOf(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export class FakeRegistry {
  readonly requests: RecordedRequest[] = [];
  readonly options: FakeRegistryOptions;
  readonly #server: http.Server | https.Server;
  readonly #manifests = new Map<string, Map<string, StoredManifest>>();
  readonly #tags = new Map<string, Map<string, string>>();
  readonly #blobs = new Map<string, Buffer>();
  #tokenCounter = 0;
  readonly #tokens = new Map<string, { user: string | undefined; scopes: string[] }>();
  port = 0;

  constructor(options: FakeRegistryOptions = {}) {
    this.options = options;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.#handle(req, res, Buffer.concat(chunks).toString("utf8")));
    };
    this.#server = options.tls === undefined ? http.createServer(listener) : https.createServer(options.tls, listener);
  }

  /** `127.0.0.1:<port>` by default: a loopback registry, so the client talks plain HTTP to it. */
  get host(): string {
    return `${this.options.listen ?? "127.0.0.1"}:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, this.options.listen ?? "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addBlob(data: Buffer | string): string {
    const buffer = Buffer.from(data);
    const digest = digestOf(buffer);
    this.#blobs.set(digest, buffer);
    return digest;
  }

  /** Stores a manifest under its digest and, if given, a tag; returns the digest. */
  putManifest(repo: string, tag: string | undefined, json: unknown, mediaType: string): string {
    const body = Buffer.from(JSON.stringify(json));
    const digest = digestOf(body);
    const byRef = this.#manifests.get(repo) ?? new Map<string, StoredManifest>();
    this.#manifests.set(repo, byRef);
    byRef.set(digest, { body, mediaType, digest });
    if (tag !== undefined) {
      byRef.set(tag, { body, mediaType, digest });
      const tags = this.#tags.get(repo) ?? new Map<string, string>();
      this.#tags.set(repo, tags);
      tags.set(tag, digest);
    }
    return digest;
  }

  /** An image: a config blob with labels plus a docker v2 manifest with the given layer sizes. */
  putImage(repo: string, tag: string, labels: Record<string, string>, layerSizes: number[] = [100, 250]): {
    digest: string;
    configDigest: string;
  } {
    const config = JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "2025-01-02T03:04:05Z",
      config: { Labels: labels },
      rootfs: { type: "layers", diff_ids: [] },
    });
    const configDigest = this.addBlob(config);
    const digest = this.putManifest(
      repo,
      tag,
      {
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: configDigest },
        layers: layerSizes.map((size, i) => ({
          mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
          size,
          digest: digestOf(`layer-${i}`),
        })),
      },
      "application/vnd.docker.distribution.manifest.v2+json",
    );
    return { digest, configDigest };
  }

  /** Invalidates every token handed out, as a token service restart or an expiry would. */
  forgetTokens(): void {
    this.#tokens.clear();
  }

  requestsTo(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.includes(pathPart));
  }

  #json(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...extra });
    res.end(res.req.method === "HEAD" ? undefined : text);
  }

  #error(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
    this.#json(res, status, { errors: [{ code, message, detail: null }] }, extra);
  }

  #basicUser(header: string | undefined): string | undefined {
    if (header === undefined || !header.startsWith("Basic ")) return undefined;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = decoded.slice(0, colon);
    return this.options.users?.[user] === decoded.slice(colon + 1) ? user : undefined;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", `http://${this.host}`);
    this.requests.push({
      method: req.method ?? "",
      url: url.pathname + url.search,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      body,
    });
    if (url.pathname === "/token") return this.#token(req, res, url, body);
    if (url.pathname.startsWith("/blobstore/")) {
      const blob = this.#blobs.get(url.pathname.slice("/blobstore/".length));
      if (blob === undefined) return this.#error(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length });
      res.end(blob);
      return;
    }
    const match = /^\/v2\/(?:(.+)\/(manifests|tags|blobs)\/(.+))?$/.exec(url.pathname);
    if (match === null) return this.#error(res, 404, "NOT_FOUND", "no route");
    const [, repo, kind, ref] = match;
    const action = req.method === "DELETE" ? "delete" : "pull";
    if (!this.#authorized(req, res, repo, action)) return;
    if (repo === undefined || kind === undefined || ref === undefined) return this.#json(res, 200, {});
    if (kind === "manifests") return this.#manifest(req, res, repo, ref);
    if (kind === "blobs") {
      const blob = this.#blobs.get(ref);
      if (blob === undefined) return this.#error(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
      if (this.options.blobRedirect !== undefined) {
        res.writeHead(307, { location: `${this.options.blobRedirect}/blobstore/${ref}`, "content-length": 0 });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length, "docker-content-digest": ref });
      res.end(blob);
      return;
    }
    if (ref !== "list") return this.#error(res, 404, "NOT_FOUND", "no route");
    const tags = this.#tags.get(repo);
    if (tags === undefined) return this.#error(res, 404, "NAME_UNKNOWN", "repository name not known to registry", {});
    const all = [...tags.keys()].sort();
    const n = url.searchParams.get("n");
    const last = url.searchParams.get("last");
    let page = last === null ? all : all.filter((t) => t > last);
    const extra: Record<string, string> = {};
    if (n !== null) {
      const size = Number(n);
      if (page.length > size) {
        const lastOfPage = page[size - 1] ?? "";
        extra["link"] = `</v2/${repo}/tags/list?last=${encodeURIComponent(lastOfPage)}&n=${size}>; rel="next"`;
      }
      page = page.slice(0, size);
    }
    this.#json(res, 200, { name: repo, tags: page.length === 0 ? null : page }, extra);
  }

  #authorized(req: http.IncomingMessage, res: http.ServerResponse, repo: string | undefined, action: string): boolean {
    const mode = this.options.auth ?? "none";
    if (mode === "none") return true;
    const header = req.headers.authorization;
    if (mode === "basic") {
      if (this.#basicUser(header) !== undefined) return true;
      this.#error(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": `Basic realm="fake-registry"` });
      return false;
    }
    const scope = repo === undefined ? undefined : `repository:${repo}:${action}`;
    const token = header?.startsWith("Bearer ") === true ? this.#tokens.get(header.slice(7)) : undefined;
    if (token !== undefined && (scope === undefined || token.scopes.includes(scope))) return true;
    const challenge =
      `Bearer realm="${this.options.tls === undefined ? "http" : "https"}://${this.host}/token",service="fake-registry"` +
      (scope === undefined ? "" : `,scope="${scope}"`) +
      (token !== undefined ? `,error="insufficient_scope"` : "");
    this.#error(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": challenge });
    return false;
  }

  #token(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): void {
    let user: string | undefined;
    let scopes: string[];
    if (req.method === "POST") {
      const form = new URLSearchParams(body);
      user = this.options.refreshTokens?.[form.get("refresh_token") ?? ""];
      if (form.get("grant_type") !== "refresh_token" || user === undefined) {
        return this.#json(res, 401, { details: "invalid refresh token" });
      }
      scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
    } else {
      user = this.#basicUser(req.headers.authorization);
      if (req.headers.authorization !== undefined && user === undefined) {
        return this.#json(res, 401, { details: "incorrect username or password" });
      }
      if (user === undefined && this.options.anonymousTokens !== true) {
        return this.#json(res, 401, { details: "authentication required" });
      }
      scopes = url.searchParams.getAll("scope");
    }
    const allowed = scopes.filter((scope) => {
      const repo = scope.split(":")[1] ?? "";
      const list = user === undefined ? undefined : this.options.access?.[user];
      return list === undefined || list.includes(repo);
    });
    const token = `token-${++this.#tokenCounter}`;
    this.#tokens.set(token, { user, scopes: allowed.flatMap((s) => expandScope(s)) });
    const answer: Record<string, unknown> = { token, issued_at: new Date().toISOString() };
    if (this.options.tokenExpiresIn !== undefined) answer["expires_in"] = this.options.tokenExpiresIn;
    this.#json(res, 200, answer);
  }

  #manifest(req: http.IncomingMessage, res: http.ServerResponse, repo: string, ref: string): void {
    const stored = this.#manifests.get(repo)?.get(ref);
    if (req.method === "DELETE") {
      if (!ref.startsWith("sha256:")) return this.#error(res, 400, "UNSUPPORTED", "The operation is unsupported.");
      if (stored === undefined) return this.#error(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
      const byRef = this.#manifests.get(repo);
      const tags = this.#tags.get(repo);
      for (const [key, value] of [...(byRef?.entries() ?? [])]) if (value.digest === ref) byRef?.delete(key);
      for (const [key, value] of [...(tags?.entries() ?? [])]) if (value === ref) tags?.delete(key);
      res.writeHead(202, { "content-length": 0 });
      res.end();
      return;
    }
    const accept = req.headers.accept ?? "";
    if (stored === undefined || !accept.includes(stored.mediaType)) {
      return this.#error(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
    }
    const headers: Record<string, string | number> = { "content-type": stored.mediaType, "content-length": stored.body.length };
    if (req.method !== "HEAD" || this.options.headWithoutDigest !== true) headers["docker-content-digest"] = stored.digest;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : stored.body);
  }
}

function expandScope(scope: string): string[] {
  const [type, repo, actions] = scope.split(":");
  return (actions ?? "").split(",").map((action) => `${type}:${repo}:${action}`);
}
