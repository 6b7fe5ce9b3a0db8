/**
 * The HTTP transport of the registry client: one request over node:http / node:https with keep-alive agents,
 * a timeout, and a single retry when a reused keep-alive connection turns out to be closed.
 * Node's built-in fetch cannot turn TLS verification off without importing undici, which is not a dependency,
 * so `--skip-tls-verify-registry` needs node:https anyway; using it for everything keeps one code path.
 */
import type * as Http from "node:http";
import type * as Https from "node:https";

// Not `import http from "node:http"`: an ES import of node:http evaluates its lazy getters, which loads undici.
const http: typeof Http = process.getBuiltinModule("node:http");
const https: typeof Https = process.getBuiltinModule("node:https");

export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-cased header names; repeated headers joined with `, ` (`set-cookie` excepted, unused here). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface HttpTransportOptions {
  readonly skipTlsVerify?: boolean;
  readonly timeoutMs?: number;
  /** Larger bodies are refused; manifests and configs are small, tag lists of huge repos are not. */
  readonly maxBodyBytes?: number;
}

/** A network-level failure (no HTTP response at all). */
export class HttpTransportError extends Error {
  readonly code: string | undefined;
  readonly tls: boolean;

  constructor(message: string, code: string | undefined, tls: boolean, cause: unknown) {
    super(message, { cause });
    this.name = "HttpTransportError";
    this.code = code;
    this.tls = tls;
  }
}

const TLS_CODES = new Set([
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
]);

function isTlsError(code: string | undefined): boolean {
  return code !== undefined && (TLS_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"));
}

export class HttpTransport {
  readonly #http: Http.Agent;
  readonly #https: Https.Agent;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;

  constructor(options: HttpTransportOptions = {}) {
    this.#http = new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.#https = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      rejectUnauthorized: options.skipTlsVerify !== true,
    });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.#once(request);
    } catch (error) {
      // A keep-alive socket the server closed in the meantime: one fresh attempt is safe for registry calls.
      if (error instanceof RetryableReset) return this.#once(request);
      throw error;
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }

  #once(request: HttpRequest): Promise<HttpResponse> {
    const { url } = request;
    const secure = url.protocol === "https:";
    const module = secure ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
      const req = module.request(url, {
        method: request.method,
        headers,
        agent: secure ? this.#https : this.#http,
        timeout: this.#timeoutMs,
      });
      req.on("timeout", () => {
        req.destroy(
          Object.assign(new Error(`no answer within ${Math.round(this.#timeoutMs / 1000)}s`), { code: "ETIMEDOUT" }),
        );
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE")) {
          reject(new RetryableReset());
          return;
        }
        reject(new HttpTransportError(error.message, error.code, isTlsError(error.code), error));
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxBodyBytes) {
            res.destroy(new Error(`the response is larger than ${this.#maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", (error: NodeJS.ErrnoException) => {
          reject(new HttpTransportError(error.message, error.code, false, error));
        });
        res.on("end", () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers: flat,
            body: Buffer.concat(chunks),
          });
        });
      });
      req.end(request.body);
    });
  }
}

class RetryableReset extends Error {}
