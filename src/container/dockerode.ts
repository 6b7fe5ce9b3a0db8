/**
 * The ContainerEngine port over the Docker Engine API, through dockerode.
 * Builds upload the context tar in the request body, so no BuildKit session or buildx is needed.
 */
import Docker from "dockerode";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { Readable } from "node:stream";
import type {
  RegistryAuth,
  BuildRequest,
  BuildResult,
  ContainerEngine,
  ImageInfo,
  PushRequest,
} from "./engine.js";
import { ImageBuildError, ImagePushError } from "./engine.js";
import { decodeTrace, TracePrinter } from "./buildkit-trace.js";

export interface DockerEngineOptions {
  /** `unix:///path` or `tcp://host:port`; defaults to DOCKER_HOST or /var/run/docker.sock. */
  readonly host?: string;
  /** The environment to read DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface JsonMessage {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string; Tag?: string; Size?: number } | string;
}

function auxObject(message: JsonMessage): { ID?: string; Digest?: string } | undefined {
  return typeof message.aux === "object" ? message.aux : undefined;
}

/**
 * Connects as the Docker CLI does: DOCKER_HOST (unix:// or tcp://), and for tcp DOCKER_TLS_VERIFY with the
 * ca.pem/cert.pem/key.pem of DOCKER_CERT_PATH (~/.docker by default), e.g. GitLab's docker:dind on :2376.
 */
function connect(options: DockerEngineOptions): Docker {
  const env = options.env ?? {};
  const target = options.host ?? env["DOCKER_HOST"] ?? "unix:///var/run/docker.sock";
  if (target.startsWith("unix://")) return new Docker({ socketPath: target.slice("unix://".length) });
  const url = new URL(target.replace(/^tcp:/, "http:"));
  const tlsVerify = (env["DOCKER_TLS_VERIFY"] ?? "") !== "" && env["DOCKER_TLS_VERIFY"] !== "0";
  if (!tlsVerify && url.port !== "2376") return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
  const certPath = env["DOCKER_CERT_PATH"] ?? join(env["HOME"] ?? homedir(), ".docker");
  const read = (name: string): Buffer | undefined => {
    try {
      return readFileSync(join(certPath, name));
    } catch {
      return undefined;
    }
  };
  const ca = read("ca.pem");
  const cert = read("cert.pem");
  const key = read("key.pem");
  return new Docker({
    protocol: "https",
    host: url.hostname,
    port: Number(url.port || 2376),
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
  });
}

/** Splits a reference into repository and tag: `127.0.0.1:5000/app:v1` → [`127.0.0.1:5000/app`, `v1`]. */
export function splitReference(reference: string): { repo: string; tag: string } {
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  if (colon > slash) return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: "latest" };
}

/** Reads a stream of newline-delimited JSON messages as the Engine API sends them. */
async function* jsonMessages(stream: NodeJS.ReadableStream): AsyncGenerator<JsonMessage> {
  let pending = "";
  // A multi-byte character can be split between chunks.
  const decoder = new StringDecoder("utf8");
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as JsonMessage;
    }
  }
  if (pending.trim()) yield JSON.parse(pending) as JsonMessage;
}

export class DockerEngine implements ContainerEngine {
  private readonly docker: Docker;

  constructor(options: DockerEngineOptions = {}) {
    this.docker = connect(options);
  }

  /** The builder the engine uses by default: the `Builder-Version` header of `/_ping` ("2" is BuildKit). */
  async defaultBuilder(): Promise<"legacy" | "buildkit"> {
    const modem = (this.docker as unknown as { modem: { socketPath?: string; host?: string; port?: number } }).modem;
    const header = await new Promise<string | undefined>((resolve) => {
      const req = httpRequest(
        modem.socketPath ? { socketPath: modem.socketPath, path: "/_ping" } : { host: modem.host, port: modem.port, path: "/_ping" },
        (res) => {
          res.resume();
          const value = res.headers["builder-version"];
          resolve(Array.isArray(value) ? value[0] : value);
        },
      );
      req.on("error", () => resolve(undefined));
      req.end();
    });
    return header === "2" ? "buildkit" : "legacy";
  }

  async version(): Promise<{ version: string; apiVersion: string }> {
    const v = await this.docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const context = Buffer.isBuffer(request.context) ? Readable.from([request.context]) : request.context;
    const options: Docker.ImageBuildOptions & { version?: "1" | "2"; extrahosts?: string } = {
      t: request.tags[0] ?? "",
      dockerfile: request.dockerfile ?? "Dockerfile",
      buildargs: { ...request.buildArgs },
      labels: { ...request.labels },
      rm: true,
      forcerm: true,
      version: request.builder === "buildkit" ? "2" : "1",
    };
    if (request.target) options.target = request.target;
    if (request.network) options.networkmode = request.network;
    if (request.platform) options.platform = request.platform;
    if (request.noCache) options.nocache = true;
    if (request.pull) options.pull = true;
    if (request.extraHosts?.length) options.extrahosts = request.extraHosts.join(",");
    const stream = await this.docker.buildImage(context, options);
    const abort = (): void => (stream as unknown as { destroy(): void }).destroy();
    request.signal?.addEventListener("abort", abort, { once: true });
    try {
      return await this.readBuild(stream, request);
    } catch (error) {
      // An interrupted build reports the interruption, not the closed stream.
      if (request.signal?.aborted) throw request.signal.reason;
      throw error;
    } finally {
      request.signal?.removeEventListener("abort", abort);
    }
  }

  private async readBuild(stream: NodeJS.ReadableStream, request: BuildRequest): Promise<BuildResult> {
    const log: string[] = [];
    let imageId: string | undefined;
    const trace = new TracePrinter((line) => {
      log.push(line);
      request.onProgress?.({ kind: /^#\d+ \[/.test(line) ? "step" : "log", text: line });
    });
    for await (const message of jsonMessages(stream)) {
      if (message.error !== undefined) {
        trace.flush();
        const reason = message.errorDetail?.message ?? message.error;
        log.push(reason);
        throw new ImageBuildError(reason, log);
      }
      // BuildKit (version=2): progress comes as base64 protobuf, the image id as `moby.image.id`.
      if (message.id === "moby.buildkit.trace" && typeof message.aux === "string") {
        trace.push(decodeTrace(message.aux));
        continue;
      }
      if (message.stream !== undefined) {
        for (const line of message.stream.split("\n")) {
          if (!line.trim()) continue;
          log.push(line);
          request.onProgress?.({ kind: /^Step \d+\/\d+ :/.test(line) ? "step" : "log", text: line });
        }
      }
      const aux = auxObject(message);
      if (aux?.ID) imageId = aux.ID;
    }
    trace.flush();
    if (!imageId) throw new ImageBuildError("the Docker Engine finished the build without an image id", log);
    for (const extra of request.tags.slice(1)) {
      const { repo, tag } = splitReference(extra);
      await this.docker.getImage(imageId).tag({ repo, tag });
    }
    return { imageId, log };
  }

  async push(request: PushRequest): Promise<{ digest: string }> {
    const { repo, tag } = splitReference(request.reference);
    const image = this.docker.getImage(`${repo}:${tag}`);
    const stream = await image.push({ tag, authconfig: request.auth ?? {} });
    let digest: string | undefined;
    for await (const message of jsonMessages(stream)) {
      if (message.error !== undefined) {
        throw new ImagePushError(`push ${request.reference}: ${message.errorDetail?.message ?? message.error}`);
      }
      if (message.status) request.onProgress?.(`${message.id ? message.id + ": " : ""}${message.status}`);
      const aux = auxObject(message);
      if (aux?.Digest) digest = aux.Digest;
    }
    if (!digest) throw new ImagePushError(`push ${request.reference}: the engine reported no digest`);
    return { digest };
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(reference).inspect();
      return {
        id: info.Id,
        size: info.Size,
        created: info.Created,
        labels: info.Config?.Labels ?? {},
      };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async pull(reference: string, auth?: RegistryAuth): Promise<void> {
    const stream = (await this.docker.pull(reference, { authconfig: auth ?? {} }));
    for await (const message of jsonMessages(stream)) {
      if (message.error !== undefined) throw new ImagePushError(`pull ${reference}: ${message.errorDetail?.message ?? message.error}`);
    }
  }

  async tag(source: string, target: string): Promise<void> {
    const { repo, tag } = splitReference(target);
    await this.docker.getImage(source).tag({ repo, tag });
  }

  async removeImage(reference: string): Promise<void> {
    try {
      await this.docker.getImage(reference).remove({ force: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
}
