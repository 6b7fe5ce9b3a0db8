/**
 * @module kube/client
 *
 * The one adapter of the KubeClient port: thin JSON requests over node:https on one keep-alive agent, with
 * client-go's QPS/burst throttle, exec credential plugins, kubectl's discovery cache on disk, streamed watches and
 * logs. Chosen over @kubernetes/client-node because importing that package alone costs more CPU than a whole no-op
 * converge may spend (see the README's figures); the connection settings are the same kubeconfig rules.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { SlipwayError } from "../errors.js";
import { resolveConnection, type Connection, type KubeConnectionOptions } from "./kubeconfig.js";
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
  readonly onRequest?: (record: KubeRequestRecord) => void;
  /** Defaults to $KUBECACHEDIR or ~/.kube/cache, as kubectl. */
  readonly cacheDir?: string;
}

/** kubectl's discovery cache lifetime. */
const DISCOVERY_TTL_MS = 6 * 3_600_000;

/** client-go's token bucket: `qps` tokens a second, at most `burst` saved. */
class Throttle {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.qps) * 1000)));
    }
  }
}

interface Credential {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  expiresAt: number;
}

function runExec(conn: Connection): Promise<Credential> {
  const exec = conn.exec;
  if (exec === undefined) return Promise.resolve({ expiresAt: Infinity });
  const info = JSON.stringify({ apiVersion: exec.apiVersion, kind: "ExecCredential", spec: { interactive: false } });
  const env: Record<string, string | undefined> = { ...process.env, KUBERNETES_EXEC_INFO: info };
  for (const { name, value } of exec.env) env[name] = value;
  const command = exec.command.includes("/") && !exec.command.startsWith("/") ? join(exec.baseDir, exec.command) : exec.command;
  return new Promise((resolvePromise, reject) => {
    execFile(command, [...exec.args], { env, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err !== null) {
        reject(new SlipwayError(`getting credentials: exec: executable ${exec.command} failed: ${stderr.trim() || err.message}`, { code: "kube" }));
        return;
      }
      try {
        const out = JSON.parse(stdout) as { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } };
        const status = out.status ?? {};
        resolvePromise({
          ...(status.token === undefined ? {} : { token: status.token }),
          ...(status.clientCertificateData === undefined ? {} : { cert: Buffer.from(status.clientCertificateData) }),
          ...(status.clientKeyData === undefined ? {} : { key: Buffer.from(status.clientKeyData) }),
          expiresAt: status.expirationTimestamp === undefined ? Infinity : Date.parse(status.expirationTimestamp),
        });
      } catch (parseErr) {
        reject(new SlipwayError(`getting credentials: exec plugin ${exec.command}: decoding stdout: ${(parseErr as Error).message}`, { code: "kube" }));
      }
    });
  });
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function gvPath(apiVersion: string): string {
  return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

function statusMessage(status: KubeStatus | undefined, fallback: string): string {
  return status?.message !== undefined && status.message !== "" ? status.message : fallback;
}

class HttpKubeClient implements KubeClient {
  readonly server: string;
  readonly contextName: string;
  readonly defaultNamespace: string;
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly throttle: Throttle;
  private credential: Credential | undefined;
  private credentialPending: Promise<Credential> | undefined;
  private readonly resourceLists = new Map<string, Promise<APIResourceList>>();
  private readonly cacheRoot: string;

  constructor(
    private readonly conn: Connection,
    private readonly options: KubeConnectionOptions,
    private readonly extras: KubeClientExtras,
    env: Readonly<Record<string, string | undefined>>,
  ) {
    this.server = conn.server;
    this.contextName = conn.contextName;
    this.defaultNamespace = conn.namespace;
    this.url = new URL(conn.server);
    const qps = options.kubeQpsLimit !== undefined && options.kubeQpsLimit > 0 ? options.kubeQpsLimit : 30;
    const burst = options.kubeBurstLimit !== undefined && options.kubeBurstLimit > 0 ? options.kubeBurstLimit : 100;
    this.throttle = new Throttle(qps, burst);
    const tls = {
      ...(conn.ca === undefined ? {} : { ca: conn.ca }),
      ...(conn.cert === undefined ? {} : { cert: conn.cert }),
      ...(conn.key === undefined ? {} : { key: conn.key }),
      rejectUnauthorized: !conn.insecure,
      ...(conn.tlsServerName === undefined ? {} : { servername: conn.tlsServerName }),
    };
    this.agent = this.url.protocol === "http:" ? new HttpAgent({ keepAlive: true, maxSockets: 64 }) : new HttpsAgent({ keepAlive: true, maxSockets: 64, ...tls });
    const cacheBase = extras.cacheDir ?? env["KUBECACHEDIR"] ?? join(env["HOME"] ?? homedir(), ".kube", "cache");
    const hostDir = `${this.url.hostname}_${this.url.port || (this.url.protocol === "http:" ? "80" : "443")}`.replace(/[^a-zA-Z0-9._-]/g, "_");
    this.cacheRoot = join(cacheBase, "discovery", hostDir);
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (this.conn.exec !== undefined) {
      if (this.credential === undefined || this.credential.expiresAt - 10_000 < Date.now()) {
        this.credentialPending ??= runExec(this.conn).finally(() => (this.credentialPending = undefined));
        this.credential = await this.credentialPending;
      }
      if (this.credential.token !== undefined) headers["authorization"] = `Bearer ${this.credential.token}`;
    } else if (this.conn.token !== undefined) {
      headers["authorization"] = `Bearer ${this.conn.token}`;
    } else if (this.conn.tokenFile !== undefined) {
      headers["authorization"] = `Bearer ${readFileSync(this.conn.tokenFile, "utf8").trim()}`;
    } else if (this.conn.basicAuth !== undefined) {
      headers["authorization"] = `Basic ${Buffer.from(`${this.conn.basicAuth.username}:${this.conn.basicAuth.password}`).toString("base64")}`;
    }
    if (this.conn.impersonateUser !== undefined) headers["impersonate-user"] = this.conn.impersonateUser;
    return headers;
  }

  /** One request; resolves with the response stream (any status). */
  private async open(method: string, path: string, body: string | undefined, contentType: string, signal: AbortSignal | undefined, stream: boolean): Promise<IncomingMessage> {
    await this.throttle.take();
    const headers: Record<string, string | string[]> = { accept: "application/json", "user-agent": "slipway", ...(await this.authHeaders()) };
    if (this.conn.impersonateGroups.length > 0) headers["impersonate-group"] = [...this.conn.impersonateGroups];
    if (body !== undefined) {
      headers["content-type"] = contentType;
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const credential = this.credential;
    const request = this.url.protocol === "http:" ? httpRequest : httpsRequest;
    const timeout = !stream && this.options.kubeRequestTimeout !== undefined && this.options.kubeRequestTimeout > 0 ? this.options.kubeRequestTimeout : undefined;
    return new Promise((resolvePromise, reject) => {
      const req = request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          method,
          path: `${this.url.pathname === "/" ? "" : this.url.pathname}${path}`,
          headers,
          agent: credential?.cert !== undefined ? undefined : this.agent,
          ...(credential?.cert !== undefined ? { cert: credential.cert, key: credential.key, ca: this.conn.ca, rejectUnauthorized: !this.conn.insecure } : {}),
          ...(signal === undefined ? {} : { signal }),
          ...(timeout === undefined ? {} : { timeout }),
        },
        resolvePromise,
      );
      req.on("timeout", () => req.destroy(new Error(`request timed out after ${timeout} ms`)));
      req.on("error", (err) => reject(err));
      req.end(body);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType = "application/json", options?: RequestOptions): Promise<{ status: number; value: T }> {
    const started = Date.now();
    let res: IncomingMessage;
    try {
      res = await this.open(method, path, body === undefined ? undefined : JSON.stringify(body), contentType, options?.signal, false);
    } catch (err) {
      this.extras.onRequest?.({ method, path, status: 0, ms: Date.now() - started });
      if (options?.signal?.aborted === true) throw options.signal.reason;
      throw new KubeApiError(`${method} ${this.server}${path}: ${(err as Error).message}`, 0, "Transport", undefined, err);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const status = res.statusCode ?? 0;
    this.extras.onRequest?.({ method, path, status, ms: Date.now() - started });
    if (status >= 400) {
      let apiStatus: KubeStatus | undefined;
      try {
        apiStatus = JSON.parse(text) as KubeStatus;
      } catch {
        apiStatus = undefined;
      }
      const message = statusMessage(apiStatus, `the server responded with status ${status}: ${text.trim().slice(0, 200)}`);
      throw new KubeApiError(message, status, apiStatus?.reason ?? String(status), apiStatus);
    }
    return { status, value: (text === "" ? undefined : JSON.parse(text)) as T };
  }

  // ---- discovery ----

  private cachePath(apiVersion: string): string {
    return join(this.cacheRoot, apiVersion, "serverresources.json");
  }

  private resourceList(apiVersion: string, options?: RequestOptions): Promise<APIResourceList> {
    let pending = this.resourceLists.get(apiVersion);
    if (pending === undefined) {
      pending = (async () => {
        const file = this.cachePath(apiVersion);
        try {
          if (Date.now() - statSync(file).mtimeMs < DISCOVERY_TTL_MS) return JSON.parse(readFileSync(file, "utf8")) as APIResourceList;
        } catch {
          // no usable cache entry
        }
        let list: APIResourceList;
        try {
          list = (await this.call<APIResourceList>("GET", gvPath(apiVersion), undefined, undefined, options)).value;
        } catch (err) {
          if (err instanceof KubeApiError && err.notFound) list = { groupVersion: apiVersion, resources: [] };
          else throw err;
        }
        try {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, JSON.stringify(list));
        } catch {
          // the cache is an optimisation only
        }
        return list;
      })();
      pending.catch(() => this.resourceLists.delete(apiVersion));
      this.resourceLists.set(apiVersion, pending);
    }
    return pending;
  }

  async resourceType(apiVersion: string, kind: string, options?: RequestOptions): Promise<ResourceType> {
    const find = (list: APIResourceList) => list.resources.find((r) => r.kind === kind && !r.name.includes("/"));
    let found = find(await this.resourceList(apiVersion, options));
    if (found === undefined) {
      // A stale cache may predate a CRD: ask the server once more before giving up.
      this.forget(apiVersion);
      found = find(await this.resourceList(apiVersion, options));
    }
    if (found === undefined) {
      throw new KubeApiError(`no matches for kind "${kind}" in version "${apiVersion}"`, 404, "NoKindMatch");
    }
    const { group, version } = groupVersion(apiVersion);
    return { group, version, kind, plural: found.name, namespaced: found.namespaced };
  }

  private forget(apiVersion: string): void {
    this.resourceLists.delete(apiVersion);
    rmSync(this.cachePath(apiVersion), { force: true });
  }

  invalidateDiscovery(): void {
    for (const apiVersion of [...this.resourceLists.keys()]) this.forget(apiVersion);
    this.resourceLists.clear();
  }

  async apiVersions(options?: RequestOptions): Promise<string[]> {
    const core = (await this.call<{ versions: string[] }>("GET", "/api", undefined, undefined, options)).value;
    const groups = (await this.call<{ groups: { versions: { groupVersion: string }[] }[] }>("GET", "/apis", undefined, undefined, options)).value;
    return [...core.versions, ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
  }

  async serverVersion(options?: RequestOptions): Promise<ServerVersion> {
    return (await this.call<ServerVersion>("GET", "/version", undefined, undefined, options)).value;
  }

  // ---- objects ----

  private async objectPath(apiVersion: string, kind: string, namespace: string | undefined, name?: string, options?: RequestOptions): Promise<string> {
    const type = await this.resourceType(apiVersion, kind, options);
    let path = gvPath(apiVersion);
    if (type.namespaced) path += `/namespaces/${encodeURIComponent(namespace === undefined || namespace === "" ? this.defaultNamespace : namespace)}`;
    path += `/${type.plural}`;
    if (name !== undefined) path += `/${encodeURIComponent(name)}`;
    return path;
  }

  async get(ref: ObjectRef, options?: RequestOptions): Promise<KubeObject | undefined> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, options);
    try {
      return (await this.call<KubeObject>("GET", path, undefined, undefined, options)).value;
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return undefined;
      throw err;
    }
  }

  private static query(params: Record<string, string | number | boolean | undefined>): string {
    const parts = Object.entries(params)
      .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== "")
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
    return parts.length === 0 ? "" : `?${parts.join("&")}`;
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
    const value = (await this.call<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>("GET", path + q, undefined, undefined, options)).value;
    const items = value.items.map((item) => ({ ...item, apiVersion: query.apiVersion, kind: query.kind }));
    return { items, resourceVersion: value.metadata?.resourceVersion ?? "" };
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name, options);
    const q = HttpKubeClient.query({ fieldManager: options.fieldManager, force: options.force ? "true" : undefined, dryRun: options.dryRun === true ? "All" : undefined });
    return (await this.call<KubeObject>("PATCH", path + q, object, "application/apply-patch+yaml", options)).value;
  }

  async create(object: KubeObject, options?: RequestOptions & { readonly dryRun?: boolean }): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, undefined, options);
    const q = HttpKubeClient.query({ dryRun: options?.dryRun === true ? "All" : undefined });
    return (await this.call<KubeObject>("POST", path + q, object, "application/json", options)).value;
  }

  async update(object: KubeObject, options?: RequestOptions): Promise<KubeObject> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name, options);
    return (await this.call<KubeObject>("PUT", path, object, "application/json", options)).value;
  }

  async mergePatch(ref: ObjectRef, patch: unknown, options?: RequestOptions): Promise<KubeObject> {
    const path = await this.objectPath(ref.apiVersion, ref.kind, ref.namespace, ref.name, options);
    return (await this.call<KubeObject>("PATCH", path, patch, "application/merge-patch+json", options)).value;
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

  async raw<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.call<T>(method, path, body, "application/json", options)).value;
  }

  /** Streams the response body line by line. */
  private async *lines(path: string, signal: AbortSignal | undefined): AsyncGenerator<string> {
    const started = Date.now();
    let res: IncomingMessage;
    try {
      res = await this.open("GET", path, undefined, "", signal, true);
    } catch (err) {
      if (signal?.aborted === true) return;
      throw new KubeApiError(`GET ${this.server}${path}: ${(err as Error).message}`, 0, "Transport", undefined, err);
    }
    const status = res.statusCode ?? 0;
    this.extras.onRequest?.({ method: "GET", path, status, ms: Date.now() - started });
    if (status >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      let apiStatus: KubeStatus | undefined;
      try {
        apiStatus = JSON.parse(text) as KubeStatus;
      } catch {
        apiStatus = undefined;
      }
      throw new KubeApiError(statusMessage(apiStatus, text.trim()), status, apiStatus?.reason ?? String(status), apiStatus);
    }
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
      if (signal?.aborted === true) return;
      // The server or a proxy cut the stream: the caller resumes from its last resourceVersion / timestamp.
      void err;
      return;
    } finally {
      res.destroy();
    }
    if (rest !== "") yield rest;
  }

  async *watch(query: WatchQuery, options?: RequestOptions): AsyncIterable<WatchEvent> {
    const path = await this.collectionPath(query, options);
    const q = HttpKubeClient.query({
      watch: "1",
      allowWatchBookmarks: "true",
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
      resourceVersion: query.resourceVersion,
      timeoutSeconds: query.timeoutSeconds,
    });
    for await (const line of this.lines(path + q, options?.signal)) {
      if (line.trim() === "") continue;
      const event = JSON.parse(line) as { type: string; object: unknown };
      if (event.type === "ERROR") yield { type: "ERROR", status: event.object as KubeStatus };
      else {
        const object = event.object as KubeObject;
        if (object.apiVersion === undefined) object.apiVersion = query.apiVersion;
        if (object.kind === undefined) object.kind = query.kind;
        yield { type: event.type as "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK", object };
      }
    }
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

  close(): void {
    this.agent.destroy();
  }
}

export interface ClosableKubeClient extends KubeClient {
  raw<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  close(): void;
}

export function createKubeClient(
  options: KubeConnectionOptions,
  env: Readonly<Record<string, string | undefined>>,
  extras: KubeClientExtras = {},
): ClosableKubeClient {
  return new HttpKubeClient(resolveConnection(options, env), options, extras, env);
}
