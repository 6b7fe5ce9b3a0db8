/**
 * ContainerEngine: the port through which slipway builds and pushes images.
 * Inputs: a build context as a tar stream, tags, build args; outputs: image ids, pushed digests, progress events.
 * Implemented over the Docker Engine API by ./dockerode.ts. Imports nothing from other src/ areas.
 */
import type { Readable } from "node:stream";

export type BuildProgress =
  | { readonly kind: "log"; readonly text: string }
  | { readonly kind: "step"; readonly text: string };

export interface BuildRequest {
  /** A tar archive of the build context. */
  readonly context: Readable | Buffer;
  /** Dockerfile path inside the context. */
  readonly dockerfile?: string;
  readonly tags: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly network?: string;
  readonly extraHosts?: readonly string[];
  readonly platform?: string;
  /** "legacy" is the classic builder; "buildkit" asks the engine for BuildKit (Engine API version=2). */
  readonly builder?: "legacy" | "buildkit";
  readonly noCache?: boolean;
  readonly pull?: boolean;
  readonly onProgress?: (event: BuildProgress) => void;
  readonly signal?: AbortSignal;
}

export interface BuildResult {
  readonly imageId: string;
  /** Every line of build output, for the error report of a failed build. */
  readonly log: readonly string[];
}

export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress?: string;
}

export interface PushRequest {
  /** Full reference `registry/repo:tag`. */
  readonly reference: string;
  readonly auth?: RegistryAuth;
  readonly onProgress?: (text: string) => void;
}

export interface ImageInfo {
  readonly id: string;
  readonly size: number;
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ContainerEngine {
  /** Server version, e.g. "20.10.24"; throws when the engine does not answer. */
  version(): Promise<{ readonly version: string; readonly apiVersion: string }>;
  /** The builder the engine uses when the client does not choose (Docker's `Builder-Version`). */
  defaultBuilder(): Promise<"legacy" | "buildkit">;
  build(request: BuildRequest): Promise<BuildResult>;
  /** Pushes and returns the manifest digest the registry answered with. */
  push(request: PushRequest): Promise<{ readonly digest: string }>;
  inspectImage(reference: string): Promise<ImageInfo | undefined>;
  /** Pulls `registry/repo:tag` into the engine. */
  pull(reference: string, auth?: RegistryAuth): Promise<void>;
  /** Adds the tag `target` (`registry/repo:tag`) to the local image `source`. */
  tag(source: string, target: string): Promise<void>;
  removeImage(reference: string): Promise<void>;
}

/** A build that the engine reported as failed; `log` holds its output for the report. */
export class ImageBuildError extends Error {
  readonly log: readonly string[];
  constructor(message: string, log: readonly string[]) {
    super(message);
    this.name = "ImageBuildError";
    this.log = log;
  }
}

export class ImagePushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImagePushError";
  }
}
