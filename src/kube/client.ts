/**
 * @module kube/client
 *
 * The one adapter of the KubeClient port (src/kube/types.ts): thin JSON requests over node:http(s) on one
 * keep-alive agent, client-go's QPS/burst token bucket, exec credential plugins, kubectl's discovery cache on
 * disk, streamed watches and logs. Takes KubeConnectionOptions and the environment; gives a KubeClient.
 *
 * Chosen over @kubernetes/client-node by measurement: importing that package alone costs ~0.6-0.8 s CPU, more than
 * a whole no-op converge may spend; node:https + yaml cost ~0.08 s. Must not import @kubernetes/client-node, and
 * nothing outside src/errors.ts and this directory.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import type { Agent as HttpAgentType, IncomingMessage, ClientRequest } from "node:http";
import type { Agent as HttpsAgentType, AgentOptions as HttpsAgentOptions, RequestOptions as HttpsRequestOptions } from "node:https";
import { isIP, type Socket } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { runExecPlugin, type ExecCredential } from "./exec.js";
import { goFileError, resolveConnection, type Connection, type Env, type KubeConnectionOptions, type ResolveSeams } from "./kubeconfig.js";
import { backoffMs, delay, retryAfterMs, shouldRetry } from "./retry.js";
import { TokenBucket } from "./throttle.js";

// Not `import ... from "node:http"`: an ES import of node:http evaluates its lazy getters, which loads undici
// (about 20 ms of every start) for nothing.
const { Agent: HttpAgent, request: httpRequest } = process.getBuiltinModule("node:http");
const { Agent: HttpsAgent, request: httpsRequest } = process.getBuiltinModule("node:https");
import {
  KubeApiError,
  type ApplyOptions,
  type DeleteOptions,
  type KubeClient,
  type KubeObject,
  type KubeRequestRecord,
  type KubeStatus,
  type ListQuery,
  type LogQuery,
  type ObjectList,
  type ObjectRef,
  type RequestOptions,
  type ResourceType,
  type ServerVersion,
  type WatchEvent,
  type WatchQuery,
} from "./types.js";

export type { KubeConnectionOptions } from "./kubeconfig.js";

export interface KubeClientExtras {
  readonly onRequest?: ((record: KubeRequestRecord) => void) | undefined;
  /** The cache root (`<dir>/discovery/<host_port>/...`); defaults to $KUBECACHEDIR, else ~/.kube/cache, as kubectl. */
  readonly cacheDir?: string | undefined;
  /** Test seams for the kubeconfig resolution. */
  readonly seams?: ResolveSeams | undefined;
}

/** kubectl's discovery cache lifetime (genericclioptions: 6 h). */
export const DISCOVERY_TTL_MS = 6 * 3_600_000;

/** client-go re-reads token files at most once a minute. */
const TOKEN_FILE_PERIOD_MS = 60_000;

interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

interface APIResourceList {
  kind?: string;
  apiVersion?: string;
  groupVersion: string;
  resources: APIResource[];
}

interface APIGroupList {
  kind?: string;
  apiVersion?: string;
  groups: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { groupVersion: string; version: string } }[];
}

/** The aggregated discovery document (apidiscovery.k8s.io/v2), the parts slipway reads. */
interface AggregatedList {
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        singularResource?: string;
        scope?: string;
        responseKind?: { kind?: string };
        verbs?: string[];
        shortNames?: string[];
        categories?: string[];
        subresources?: { subresource: string; responseKind?: { kind?: string }; verbs?: string[] }[];
      }[];
    }[];
  }[];
}

const AGGREGATED_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/** kubectl's `computeDiscoverCacheDir`: the server without its scheme, every unusual character as `_`. */
export function discoveryCacheDir(cacheRoot: string, server: string): string {
  const schemeless = server.replace("https://", "").replace("http://", "");
  return join(cacheRoot, "discovery", schemeless.replace(/[^(\w/.)]/g, "_"));
}

export function defaultCacheRoot(env: Env): string {
  const fromEnv = env["KUBECACHEDIR"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(env["HOME"] ?? homedir(), ".kube", "cache");
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function gvPath(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `Get`, `Patch`...: how Go's url.Error names the operation. */
function goOp(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

/** Node's socket errors in Go's net wording, which is what users of kubectl know. */
function describeTransport(err: unknown, host: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case "ECONNREFUSED":
      return `dial tcp ${host}: connect: connection refused`;
    case "ENOTFOUND":
      return `dial tcp: lookup ${host.replace(/:\d+$/, "")}: no such host`;
    case "ETIMEDOUT":
      return `dial tcp ${host}: i/o timeout`;
    case "ECONNRESET":
      return "read: connection reset by peer";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return `tls: failed to verify certificate: x509: certificate signed by unknown authority (${e.message})`;
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `tls: failed to verify certificate: x509: ${e.message}`;
    default:
      return e.message;
  }
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && (value as KubeStatus).kind === "Status" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** An API error as kubectl prints it: the Status message, else client-go's generic text for the code. */
export function apiError(status: number, text: string, method: string): KubeApiError {
  const apiStatus = parseStatus(text);
  if (apiStatus?.message !== undefined && apiStatus.message !== "") {
    return new KubeApiError(apiStatus.message, status, apiStatus.reason ?? String(status), apiStatus);
  }
  const body = text.trim();
  const generic: Record<number, [string, string]> = {
    400: ["BadRequest", "the server rejected our request for an unknown reason"],
    401: ["Unauthorized", "the server has asked for the client to provide credentials"],
    403: ["Forbidden", "the server does not allow access to the requested resource"],
    404: ["NotFound", "the server could not find the requested resource"],
    405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
    409: ["Conflict", "the server reported a conflict"],
    410: ["Expired", "the server reported the resource version is too old"],
    422: ["Invalid", "the server rejected our request due to an error in our request"],
    429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
    500: ["InternalError", "an error on the server has prevented the request from succeeding"],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: ["Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"],
  };
  const [reason, message] = generic[status] ?? ["Unknown", `an error on the server ("${body.slice(0, 200)}") has prevented the request from succeeding`];
  const withBody = body !== "" && generic[status] !== undefined && status !== 404 ? `${message} (${method.toLowerCase()} ${body.slice(0, 200)})` : message;
  return new KubeApiError(withBody, status, reason, apiStatus);
}

/** Go's http.ProxyFromEnvironment: HTTPS_PROXY / HTTP_PROXY unless NO_PROXY matches; never for localhost. */
export function proxyFromEnvironment(server: URL, env: Env): string | undefined {
  const pick = (...names: string[]): string => {
    for (const name of names) {
      const value = env[name];
      if (value !== undefined && value !== "") return value;
    }
    return "";
  };
  const proxy = server.protocol === "https:" ? pick("HTTPS_PROXY", "https_proxy") : pick("HTTP_PROXY", "http_proxy");
  if (proxy === "") return undefined;
  const host = server.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host === "::1" || /^127\./.test(host)) return undefined;
  const port = server.port || (server.protocol === "https:" ? "443" : "80");
  for (const raw of pick("NO_PROXY", "no_proxy").split(",")) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return undefined;
    const portMatch = /^(.*):(\d+)$/.exec(entry);
    if (portMatch !== null && !entry.includes("]") && (portMatch[1] ?? "").includes(".")) {
      if (portMatch[2] !== port) continue;
      entry = portMatch[1] ?? "";
    }
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (host === entry || host === entry.replace(/^\./, "") || (entry.startsWith(".") && host.endsWith(entry)) || host.endsWith(`.${entry}`)) return undefined;
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/** An https.Agent that tunnels through an HTTP(S) proxy with CONNECT, as Go's transport does. */
class TunnelingAgent extends HttpsAgent {
  constructor(
    private readonly proxy: URL,
    options: HttpsAgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: HttpsRequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    // Node calls back with only an error when the socket cannot be made; the typings insist on a stream.
    const done = callback as ((err: Error | null, stream?: Duplex) => void) | undefined;
    const host = (options.hostname ?? options.host ?? "").replace(/^\[|\]$/g, "");
    const target = `${host.includes(":") ? `[${host}]` : host}:${String(options.port ?? 443)}`;
    const headers: Record<string, string> = { host: target };
    if (this.proxy.username !== "") {
      headers["proxy-authorization"] = `Basic ${Buffer.from(`${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`).toString("base64")}`;
    }
    const open = this.proxy.protocol === "https:" ? httpsRequest : httpRequest;
    const req = open({ host: this.proxy.hostname, port: this.proxy.port || (this.proxy.protocol === "https:" ? 443 : 80), method: "CONNECT", path: target, headers });
    req.once("connect", (res: IncomingMessage, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done?.(new Error(`proxyconnect tcp: proxy ${this.proxy.host} answered CONNECT with ${String(res.statusCode ?? 0)} ${res.statusMessage ?? ""}`.trim()));
        return;
      }
      const servername = typeof options.servername === "string" && options.servername !== "" ? options.servername : host;
      const tls = tlsConnect({
        socket,
        // SNI must not carry an IP address (RFC 6066); the certificate is still checked against the host.
        ...(isIP(servername) === 0 ? { servername } : { host: servername }),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.cert === undefined ? {} : { cert: options.cert }),
        ...(options.key === undefined ? {} : { key: options.key }),
        rejectUnauthorized: options.rejectUnauthorized !== false,
      });
      tls.once("secureConnect", () => done?.(null, tls));
      tls.once("error", (err: Error) => done?.(err));
    });
    req.once("error", (err) => done?.(new Error(`proxyconnect tcp: ${describeTransport(err, this.proxy.host)}`)));
    req.end();
    return undefined;
  }
}

const widened = new WeakSet<AbortSignal>();

/** One signal stops every request of a deploy, tens at a time: not the leak Node's listener warning is about. */
function allowManyRequests(signal: AbortSignal): void {
  if (widened.has(signal)) return;
  widened.add(signal);
  setMaxListeners(0, signal);
}

/** What the disk cache returned and whether this process fetched it (a miss in fetched data is final). */
interface CachedList {
  readonly list: APIResourceList | undefined;
  readonly fetched: boolean;
}

export class HttpKubeClient implements KubeClient {
  readonly server: string;
  readonly contextName: string;
  readonly defaultNamespace: string;
  private readonly url: URL;
  private readonly secure: boolean;
  private readonly proxy: URL | undefined;
  private readonly agent: HttpAgentType | HttpsAgentType;
  /** Agents for client certificates an exec plugin returned, keyed by the certificate. */
  private execAgent: { cert: Buffer; agent: HttpsAgentType } | undefined;
  private readonly throttle: TokenBucket;
  private readonly timeoutMs: number;
  private credential: ExecCredential | undefined;
  private credentialPending: Promise<ExecCredential> | undefined;
  private tokenFromFile: { value: string; readAt: number } | undefined;
  private readonly resourceLists = new Map<string, Promise<CachedList>>();
  private readonly cacheDir: string;
  /** Disk entries older than this are ignored (kubectl's Invalidate() keeps only files it wrote since). */
  private invalidatedAt = 0;
  private readonly tlsOptions: HttpsAgentOptions;

  constructor(
    private readonly conn: Connection,
    options: KubeConnectionOptions,
    private readonly extras: KubeClientExtras,
    private readonly env: Env,
  ) {
    this.server = conn.server;
    this.contextName = conn.contextName;
    this.defaultNamespace = conn.namespace;
    this.url = new URL(conn.server);
    this.secure = this.url.protocol === "https:";
    this.throttle = new TokenBucket(options.kubeQpsLimit ?? 0, options.kubeBurstLimit ?? 0);
    this.timeoutMs = options.kubeRequestTimeout ?? 0;
    const proxy = conn.proxyUrl ?? proxyFromEnvironment(this.url, env);
    if (proxy !== undefined && !/^https?:\/\//i.test(proxy)) {
      throw new KubeApiError(`proxy URL "${proxy}": only http:// and https:// proxies are supported`, 0, "Transport");
    }
    this.proxy = proxy === undefined ? undefined : new URL(proxy);
    this.tlsOptions = {
      keepAlive: true,
      maxSockets: 64,
      ...(conn.ca === undefined || conn.insecure ? {} : { ca: conn.ca }),
      ...(conn.cert === undefined ? {} : { cert: conn.cert }),
      ...(conn.key === undefined ? {} : { key: conn.key }),
      rejectUnauthorized: !conn.insecure,
      ...(conn.tlsServerName === undefined ? {} : { servername: conn.tlsServerName }),
    };
    this.agent = this.makeAgent(this.tlsOptions);
    this.cacheDir = discoveryCacheDir(extras.cacheDir ?? defaultCacheRoot(env), conn.server);
  }

  private makeAgent(tls: HttpsAgentOptions): HttpAgentType | HttpsAgentType {
    if (!this.secure) return new HttpAgent({ keepAlive: true, maxSockets: 64 });
    return this.proxy === undefined ? new HttpsAgent(tls) : new TunnelingAgent(this.proxy, tls);
  }

  private async execCredential(): Promise<ExecCredential> {
    const exec = this.conn.exec;
    if (exec === undefined) return { expiresAt: Infinity };
    // client-go refreshes shortly before expiry, so a request never leaves with a token about to lapse.
    if (this.credential !== undefined && this.credential.expiresAt - 10_000 > Date.now()) return this.credential;
    this.credentialPending ??= runExecPlugin(
      exec,
      { server: this.conn.server, tlsServerName: this.conn.tlsServerName, insecure: this.conn.insecure, ca: this.conn.ca, proxyUrl: this.conn.proxyUrl },
      process.env,
    ).finally(() => (this.credentialPending = undefined));
    this.credential = await this.credentialPending;
    return this.credential;
  }

  private bearerFromFile(file: string): string | undefined {
    const now = Date.now();
    if (this.tokenFromFile !== undefined && now - this.tokenFromFile.readAt < TOKEN_FILE_PERIOD_MS) return this.tokenFromFile.value;
    try {
      this.tokenFromFile = { value: readFileSync(file, "utf8").trim(), readAt: now };
    } catch (err) {
      // client-go keeps the last good value (or the static token) when a rotated file is briefly unreadable.
      if (this.tokenFromFile === undefined && this.conn.token === undefined) {
        throw new KubeApiError(`read token file: ${goFileError("open", file, err)}`, 0, "Transport", undefined, err);
      }
    }
    return this.tokenFromFile?.value;
  }

  /** Headers and the agent for one request. Credentials are never sent over plain http, as in client-go. */
  private async identity(): Promise<{ headers: Record<string, string | string[]>; agent: HttpAgentType | HttpsAgentType }> {
    const headers: Record<string, string | string[]> = {};
    let agent = this.agent;
    if (this.conn.impersonateUser !== undefined) headers["impersonate-user"] = this.conn.impersonateUser;
    if (this.conn.impersonateUid !== undefined) headers["impersonate-uid"] = this.conn.impersonateUid;
    if (this.conn.impersonateGroups.length > 0) headers["impersonate-group"] = [...this.conn.impersonateGroups];
    if (!this.secure) return { headers, agent };
    const fileToken = this.conn.tokenFile === undefined ? undefined : this.bearerFromFile(this.conn.tokenFile);
    const token = fileToken ?? this.conn.token;
    if (token !== undefined && token !== "") headers["authorization"] = `Bearer ${token}`;
    else if (this.conn.basicAuth !== undefined) {
      headers["authorization"] = `Basic ${Buffer.from(`${this.conn.basicAuth.username}:${this.conn.basicAuth.password}`).toString("base64")}`;
    }
    if (this.conn.exec !== undefined && (headers["authorization"] === undefined || this.conn.cert === undefined)) {
      const credential = await this.execCredential();
      if (headers["authorization"] === undefined && credential.token !== undefined) headers["authorization"] = `Bearer ${credential.token}`;
      if (credential.cert !== undefined && credential.key !== undefined && this.conn.cert === undefined) {
        if (this.execAgent?.cert.equals(credential.cert) !== true) {
          this.execAgent?.agent.destroy();
          this.execAgent = { cert: credential.cert, agent: this.makeAgent({ ...this.tlsOptions, cert: credential.cert, key: credential.key }) as HttpsAgentType };
        }
        agent = this.execAgent.agent;
      }
    }
    return { headers, agent };
  }

  /** One request; resolves with the response (any status). Transport failures become KubeApiError status 0. */
  private async open(method: string, path: string, body: string | undefined, contentType: string, signal: AbortSignal | undefined, stream: boolean, accept = "application/json"): Promise<IncomingMessage> {
    await this.throttle.take();
    signal?.throwIfAborted();
    const { headers: auth, agent } = await this.identity();
    const headers: Record<string, string | string[]> = { accept, "user-agent": "slipway", ...auth };
    if (body !== undefined) {
      headers["content-type"] = contentType;
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const fullPath = `${this.url.pathname === "/" ? "" : this.url.pathname}${path}`;
    const timeout = !stream && this.timeoutMs > 0 ? this.timeoutMs : undefined;
    const viaHttpProxy = !this.secure && this.proxy !== undefined;
    if (signal !== undefined) allowManyRequests(signal);
    return new Promise((resolvePromise, reject) => {
      let req: ClientRequest;
      const common = { method, headers, agent, ...(signal === undefined ? {} : { signal }) };
      if (viaHttpProxy && this.proxy !== undefined) {
        // A plain-http server through a proxy: the request line carries the absolute URL.
        req = httpRequest({ ...common, host: this.proxy.hostname, port: this.proxy.port || 80, path: `${this.url.origin}${fullPath}`, headers: { ...headers, host: this.url.host } });
      } else {
        const request = this.secure ? httpsRequest : httpRequest;
        req = request({ ...common, hostname: this.url.hostname.replace(/^\[|\]$/g, ""), port: this.url.port, path: fullPath }, resolvePromise);
      }
      if (viaHttpProxy) req.once("response", resolvePromise);
      if (timeout !== undefined) {
        req.setTimeout(timeout, () => req.destroy(Object.assign(new Error(`context deadline exceeded (Client.Timeout exceeded after ${timeout} ms)`), { code: "SLIPWAY_TIMEOUT" })));
      }
      req.once("error", (err) => {
        if (signal?.aborted === true) {
          reject(signal.reason as Error);
          return;
        }
        reject(new KubeApiError(`${goOp(method)} "${this.server}${path}": ${describeTransport(err, this.url.host)}`, 0, "Transport", undefined, err));
      });
      req.end(body);
    });
  }

  private async readBody(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType = "application/json", options?: RequestOptions, accept?: string): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = { method, contentType, body };
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let failure: KubeApiError;
      let retryAfter: string | undefined;
      try {
        const res = await this.open(method, path, payload, contentType, options?.signal, false, accept);
        const text = await this.readBody(res);
        const status = res.statusCode ?? 0;
        if (status === 401 && !reauthenticated && this.conn.exec !== undefined && this.credential !== undefined) {
          // client-go drops a rejected exec credential and runs the plugin again once.
          this.extras.onRequest?.({ method, path, status, ms: Math.round(performance.now() - started) });
          reauthenticated = true;
          this.credential = undefined;
          continue;
        }
        if (status < 400) {
          this.extras.onRequest?.({ method, path, status, ms: Math.round(performance.now() - started) });
          return (text === "" ? undefined : JSON.parse(text)) as T;
        }
        retryAfter = res.headers["retry-after"];
        failure = apiError(status, text, method);
      } catch (err) {
        if (options?.signal?.aborted === true) throw err;
        failure = err instanceof KubeApiError ? err : new KubeApiError(`${goOp(method)} "${this.server}${path}": ${describeTransport(err, this.url.host)}`, 0, "Transport", undefined, err);
      }
      const ms = Math.round(performance.now() - started);
      if (!shouldRetry(request, failure, attempt)) {
        this.extras.onRequest?.({ method, path, status: failure.status, ms });
        throw failure;
      }
      const wait = backoffMs(attempt, retryAfterMs(retryAfter, Date.now()));
      this.extras.onRequest?.({ method, path, status: failure.status, ms, retryInMs: wait });
      await delay(wait, options?.signal);
    }
  }

  // ---- discovery ----

  private resourcesFile(apiVersion: string): string {
    return join(this.cacheDir, apiVersion, "serverresources.json");
  }

  private readCache<T>(file: string): T | undefined {
    try {
      const stat = statSync(file);
      if (Date.now() - stat.mtimeMs > DISCOVERY_TTL_MS || stat.mtimeMs < this.invalidatedAt) return undefined;
      return JSON.parse(readFileSync(file, "utf8")) as T;
    } catch {
      return undefined;
    }
  }

  private writeCache(file: string, value: unknown): void {
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(value), { mode: 0o660 });
      renameSync(temp, file);
    } catch {
      // The cache only saves requests; an unwritable home must not fail a deploy.
    }
  }

  private resourceList(apiVersion: string, options: RequestOptions | undefined, fromServer: boolean): Promise<CachedList> {
    // Disk-or-server lookups and forced server lookups are deduplicated separately.
    const key = fromServer ? `server:${apiVersion}` : apiVersion;
    let pending = this.resourceLists.get(key);
    if (pending !== undefined) return pending;
    pending = (async (): Promise<CachedList> => {
      if (!fromServer) {
        const cached = this.readCache<APIResourceList>(this.resourcesFile(apiVersion));
        if (cached !== undefined && Array.isArray(cached.resources)) return { list: cached, fetched: false };
      }
      try {
        const list = await this.call<APIResourceList>("GET", gvPath(apiVersion), undefined, undefined, options);
        this.writeCache(this.resourcesFile(apiVersion), { kind: "APIResourceList", apiVersion: "v1", ...list });
        return { list, fetched: true };
      } catch (err) {
        if (err instanceof KubeApiError && err.notFound) return { list: undefined, fetched: true };
        throw err;
      }
    })();
    const settled = pending;
    settled.then(
      (result) => {
        if (result.fetched) this.resourceLists.set(apiVersion, settled);
      },
      () => this.resourceLists.delete(key),
    );
    this.resourceLists.set(key, settled);
    return settled;
  }

  async resourceType(apiVersion: string, kind: string, options?: RequestOptions): Promise<ResourceType> {
    const find = (cached: CachedList): APIResource | undefined => cached.list?.resources.find((r) => r.kind === kind && !r.name.includes("/"));
    let cached = await this.resourceList(apiVersion, options, false);
    let found = find(cached);
    if (found === undefined && !cached.fetched) {
      // A cache entry may predate a CRD: ask the server before giving up, as kubectl's restmapper does.
      cached = await this.resourceList(apiVersion, options, true);
      found = find(cached);
    }
    if (found === undefined) {
      throw new KubeApiError(`no matches for kind "${kind}" in version "${apiVersion}"`, 404, "NoKindMatch");
    }
    const { group, version } = splitApiVersion(apiVersion);
    return { group, version, kind, plural: found.name, namespaced: found.namespaced };
  }

  invalidateDiscovery(): void {
    this.resourceLists.clear();
    this.invalidatedAt = Date.now();
  }

  /**
   * Every group/version and group/version/Kind. Two aggregated-discovery requests (or kubectl's cached
   * servergroups.json plus the per-version files) instead of one request per group-version.
   */
  async apiVersions(options?: RequestOptions): Promise<string[]> {
    const groupsFile = join(this.cacheDir, "servergroups.json");
    let groups = this.readCache<APIGroupList>(groupsFile);
    const lists = new Map<string, APIResourceList>();
    if (groups !== undefined) {
      for (const gv of groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))) {
        const list = this.readCache<APIResourceList>(this.resourcesFile(gv));
        if (list === undefined) {
          groups = undefined;
          break;
        }
        lists.set(gv, list);
      }
    }
    if (groups === undefined) {
      lists.clear();
      const [core, named] = await Promise.all([
        this.call<AggregatedList>("GET", "/api", undefined, undefined, options, AGGREGATED_ACCEPT),
        this.call<AggregatedList>("GET", "/apis", undefined, undefined, options, AGGREGATED_ACCEPT),
      ]);
      groups = { kind: "APIGroupList", apiVersion: "v1", groups: [] };
      for (const item of [...(core.items ?? []), ...(named.items ?? [])]) {
        const name = item.metadata?.name ?? "";
        const versions = (item.versions ?? []).map((v) => ({ groupVersion: name === "" ? v.version : `${name}/${v.version}`, version: v.version }));
        const preferred = versions[0];
        groups.groups.push({ name, versions, ...(preferred === undefined ? {} : { preferredVersion: preferred }) });
        for (const v of item.versions ?? []) {
          const gv = name === "" ? v.version : `${name}/${v.version}`;
          const resources: APIResource[] = [];
          for (const r of v.resources ?? []) {
            const namespaced = r.scope === "Namespaced";
            resources.push({
              name: r.resource,
              singularName: r.singularResource ?? "",
              namespaced,
              kind: r.responseKind?.kind ?? "",
              verbs: r.verbs ?? [],
              ...(r.shortNames === undefined ? {} : { shortNames: r.shortNames }),
              ...(r.categories === undefined ? {} : { categories: r.categories }),
            });
            for (const s of r.subresources ?? []) {
              resources.push({ name: `${r.resource}/${s.subresource}`, singularName: "", namespaced, kind: s.responseKind?.kind ?? "", verbs: s.verbs ?? [] });
            }
          }
          const list: APIResourceList = { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources };
          lists.set(gv, list);
          this.writeCache(this.resourcesFile(gv), list);
          this.resourceLists.set(gv, Promise.resolve({ list, fetched: true }));
        }
      }
      this.writeCache(groupsFile, groups);
    }
    const out = new Set<string>();
    for (const group of groups.groups) for (const v of group.versions) out.add(v.groupVersion);
    for (const [gv, list] of lists) for (const r of list.resources) if (!r.name.includes("/")) out.add(`${gv}/${r.kind}`);
    return [...out];
  }

  async serverVersion(options?: RequestOptions): Promise<ServerVersion> {
    const v = await this.call<ServerVersion>("GET", "/version", undefined, undefined, options);
    return { major: v.major, minor: v.minor, gitVersion: v.gitVersion };
  }

  // ---- objects ----

  private async objectPath(apiVersion: string, kind: string, namespace: string | undefined, name: string | undefined, options?: RequestOptions): Promise<string> {
    const type = await this.resourceType(apiVersion, kind, options);
    let path = gvPath(apiVersion);
    if (type.namespaced) path += `/namespaces/${encodeURIComponent(namespace === undefined || namespace === "" ? this.defaultNamespace : namespace)}`;
    path += `/${type.plural}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    return path;
  }

  private static query(params: Record<string, string | number | undefined>): string {
    const parts = Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "")
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
    return parts.length === 0 ? "" : `?${parts.join("&")}`;
  }

  async get(ref: ObjectRef, options?: RequestOptions): Promise<KubeObject | undefined> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, options);
    try {
      return await this.call<KubeObject>("GET", path, undefined, undefined, options);
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return undefined;
      throw err;
    }
  }

  private async collectionPath(query: ListQuery, options?: RequestOptions): Promise<string> {
    const type = await this.resourceType(query.apiVersion, query.kind, options);
    let path = gvPath(query.apiVersion);
    if (type.namespaced && query.namespace !== undefined && query.namespace !== "") path += `/namespaces/${encodeURIComponent(query.namespace)}`;
    return `${path}/${type.plural}`;
  }

  async list(query: ListQuery, options?: RequestOptions): Promise<ObjectList> {
    const path = await this.collectionPath(query, options);
    const q = HttpKubeClient.query({ labelSelector: query.labelSelector, fieldSelector: query.fieldSelector });
    const value = await this.call<{ items: KubeObject[] | null; metadata?: { resourceVersion?: string } }>("GET", path + q, undefined, undefined, options);
    // Items of a list carry no apiVersion/kind on the wire.
    const items = (value.items ?? []).map((item) => ({ ...item, apiVersion: query.apiVersion, kind: query.kind }));
    return { items, resourceVersion: value.metadata?.resourceVersion ?? "" };
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name, options);
    const q = HttpKubeClient.query({ fieldManager: options.fieldManager, force: options.force ? "true" : undefined, dryRun: options.dryRun === true ? "All" : undefined });
    // JSON is YAML: the apply-patch+yaml content type accepts the JSON body as is.
    return this.call<KubeObject>("PATCH", path + q, object, "application/apply-patch+yaml", options);
  }

  async create(object: KubeObject, options?: RequestOptions & { readonly dryRun?: boolean }): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, undefined, options);
    const q = HttpKubeClient.query({ dryRun: options?.dryRun === true ? "All" : undefined });
    return this.call<KubeObject>("POST", path + q, object, "application/json", options);
  }

  async update(object: KubeObject, options?: RequestOptions): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name, options);
    return this.call<KubeObject>("PUT", path, object, "application/json", options);
  }

  async mergePatch(ref: ObjectRef, patch: unknown, options?: RequestOptions): Promise<KubeObject> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, options);
    return this.call<KubeObject>("PATCH", path, patch, "application/merge-patch+json", options);
  }

  async delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, options);
    const body = { kind: "DeleteOptions", apiVersion: "v1", ...(options?.propagationPolicy === undefined ? {} : { propagationPolicy: options.propagationPolicy }) };
    try {
      await this.call("DELETE", path, body, "application/json", options);
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return false;
      throw err;
    }
  }

  /** Any request by path (SelfSubjectReview, subresources); API errors as for the port's methods. */
  async raw<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.call<T>(method, path, body, "application/json", options);
  }

  /**
   * Streams a response body line by line. Ends quietly when the signal aborts or the server closes the stream;
   * `onError` turns an error answer into a final line-less result (used for a watch's 410).
   */
  private async *lines(path: string, signal: AbortSignal | undefined, onError?: (err: KubeApiError) => boolean): AsyncGenerator<string> {
    if (isAborted(signal)) return;
    const started = performance.now();
    let res: IncomingMessage;
    try {
      res = await this.open("GET", path, undefined, "", signal, true);
    } catch (err) {
      this.extras.onRequest?.({ method: "GET", path, status: 0, ms: Math.round(performance.now() - started) });
      if (isAborted(signal)) return;
      throw err;
    }
    const status = res.statusCode ?? 0;
    this.extras.onRequest?.({ method: "GET", path, status, ms: Math.round(performance.now() - started) });
    if (status >= 400) {
      const error = apiError(status, await this.readBody(res), "GET");
      if (onError?.(error) === true) return;
      throw error;
    }
    const onAbort = (): void => {
      res.destroy();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let rest = "";
    try {
      for await (const chunk of res) {
        rest += (chunk as Buffer).toString("utf8");
        let nl: number;
        while ((nl = rest.indexOf("\n")) >= 0) {
          yield rest.slice(0, nl);
          rest = rest.slice(nl + 1);
        }
      }
    } catch (err) {
      if (isAborted(signal)) return;
      // A server or proxy that cuts the stream ends it; callers resume from their last resourceVersion or time.
      if ((err as NodeJS.ErrnoException).code !== "ECONNRESET" && (err as Error).name !== "AbortError") throw err;
      return;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      res.destroy();
    }
    if (rest !== "" && signal?.aborted !== true) yield rest;
  }

  async *watch(query: WatchQuery, options?: RequestOptions): AsyncIterable<WatchEvent> {
    const path = await this.collectionPath(query, options);
    const q = HttpKubeClient.query({
      watch: "1",
      resourceVersion: query.resourceVersion,
      allowWatchBookmarks: "true",
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
      timeoutSeconds: query.timeoutSeconds,
    });
    let gone: KubeApiError | undefined;
    for await (const line of this.lines(path + q, options?.signal, (err) => {
      if (err.status !== 410) return false;
      gone = err;
      return true;
    })) {
      if (line.trim() === "") continue;
      let event: { type?: string; object?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch (err) {
        throw new KubeApiError(`watch ${path}: decoding event: ${(err as Error).message}`, 0, "Transport", undefined, err);
      }
      if (event.type === "ERROR") {
        yield { type: "ERROR", status: (event.object ?? {}) };
        continue;
      }
      const object = event.object as KubeObject;
      if (typeof object.apiVersion !== "string" || object.apiVersion === "") object.apiVersion = query.apiVersion;
      if (typeof object.kind !== "string" || object.kind === "") object.kind = query.kind;
      if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED" || event.type === "BOOKMARK") yield { type: event.type, object };
    }
    if (gone !== undefined) yield { type: "ERROR", status: gone.apiStatus ?? { kind: "Status", status: "Failure", code: 410, reason: "Expired", message: gone.message } };
  }

  async *logs(query: LogQuery, options?: RequestOptions): AsyncIterable<string> {
    const q = HttpKubeClient.query({
      container: query.container,
      follow: query.follow ? "true" : undefined,
      timestamps: query.timestamps ? "true" : undefined,
      sinceTime: query.sinceTime,
      previous: query.previous === true ? "true" : undefined,
      tailLines: query.tailLines,
    });
    yield* this.lines(`/api/v1/namespaces/${encodeURIComponent(query.namespace)}/pods/${encodeURIComponent(query.pod)}/log${q}`, options?.signal);
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
    this.execAgent?.agent.destroy();
  }
}

export interface ClosableKubeClient extends KubeClient {
  /** The settings in use, for `--log-debug` and messages. */
  readonly connection: Connection;
  raw<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  close(): void;
}

/** Resolves the connection (throws SlipwayError with kubectl's wording) and returns the client; no request yet. */
export function createKubeClient(options: KubeConnectionOptions, env: Env, extras: KubeClientExtras = {}): ClosableKubeClient {
  const conn = resolveConnection(options, env, extras.seams);
  const client = new HttpKubeClient(conn, options, extras, env);
  return Object.assign(client, { connection: conn });
}
