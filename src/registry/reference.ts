/**
 * Image repository and reference parsing with Docker's normalisation rules (distribution/reference):
 * `app` is `docker.io/library/app`, the first path component is a registry host only when it contains `.` or
 * `:`, is `localhost`, or has an upper-case letter. Pure: no I/O.
 */
import { SlipwayError } from "../errors.js";

/** The registry name Docker Hub references are normalised to. */
export const DOCKER_HUB = "docker.io";
/** Where Docker Hub's Registry API really lives. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";
/** The key Docker Hub credentials are stored under in config.json and credential helpers. */
export const DOCKER_HUB_CREDENTIALS_KEY = "https://index.docker.io/v1/";

/** A repository in a registry: `127.0.0.1:5000/group/app` is `{ registry: "127.0.0.1:5000", path: "group/app" }`. */
export interface ImageRepository {
  /** Host with optional port, lower-cased when it is a name; Docker Hub is always `docker.io`. */
  readonly registry: string;
  /** Repository path inside the registry (`library/app` on Docker Hub for an official image). */
  readonly path: string;
}

/** A repository with a tag and/or a digest. */
export interface ImageReference extends ImageRepository {
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;
const HOST_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?$`);
const MAX_NAME_LENGTH = 255;

function invalid(text: string, why: string): SlipwayError {
  return new SlipwayError(`invalid image reference ${JSON.stringify(text)}: ${why}`, { code: "invalid-option" });
}

/** Whether a tag is a valid Docker tag (`[\w][\w.-]*`, at most 128 characters). */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Whether a string is a well-formed digest (`sha256:<64 hex>` and the like). */
export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

function splitName(text: string, name: string): ImageRepository {
  if (name === "") throw invalid(text, "the repository name is empty");
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  let registry: string;
  let path: string;
  if (slash >= 0 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) throw invalid(text, `${JSON.stringify(first)} is not a valid registry host`);
    registry = first.toLowerCase();
    path = name.slice(slash + 1);
  } else {
    registry = DOCKER_HUB;
    path = name;
  }
  if (registry === "index.docker.io") registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (path === "") throw invalid(text, "the repository path is empty");
  for (const component of path.split("/")) {
    if (!COMPONENT.test(component)) {
      throw invalid(
        text,
        component === ""
          ? "the repository path has an empty component"
          : `path component ${JSON.stringify(component)} must be lower-case letters and digits, ` +
              `joined by ".", "_", "__" or "-"`,
      );
    }
  }
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH) {
    throw invalid(text, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, path };
}

/**
 * Parses a reference: `127.0.0.1:5000/app`, `registry.example.com/group/app:tag`, `app` (Docker Hub),
 * `host:port/a/b@sha256:...`, `app:tag@sha256:...`. Neither tag nor digest is filled in when absent.
 */
export function parseReference(text: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(text, `${JSON.stringify(digest)} is not a valid digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `${JSON.stringify(tag)} is not a valid tag`);
  }
  const repository = splitName(text, rest);
  return {
    ...repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** Parses a repository without tag or digest, e.g. the value of `--repo`. */
export function parseRepository(text: string): ImageRepository {
  const reference = parseReference(text);
  if (reference.tag !== undefined || reference.digest !== undefined) {
    throw invalid(text, "a repository must not have a tag or a digest");
  }
  return { registry: reference.registry, path: reference.path };
}

/** `127.0.0.1:5000/app`, `docker.io/library/app`: the fully qualified repository name. */
export function formatRepository(repository: ImageRepository): string {
  return `${repository.registry}/${repository.path}`;
}

/** The fully qualified reference: `repo:tag`, `repo@digest` or `repo:tag@digest`. */
export function formatReference(reference: ImageReference): string {
  let text = formatRepository(reference);
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** Docker's short form: `app` for `docker.io/library/app`, `user/app` for `docker.io/user/app`. */
export function familiarName(repository: ImageRepository): string {
  if (repository.registry !== DOCKER_HUB) return formatRepository(repository);
  return repository.path.startsWith("library/") && repository.path.split("/").length === 2
    ? repository.path.slice("library/".length)
    : repository.path;
}

/** The host[:port] the Registry HTTP API is reached at. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** The key under which config.json and credential helpers keep the credentials of a registry. */
export function credentialsKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_CREDENTIALS_KEY : registry;
}

/** The host part of `host[:port]`, without IPv6 brackets. */
export function registryHostname(registry: string): string {
  if (registry.startsWith("[")) {
    const end = registry.indexOf("]");
    return end < 0 ? registry : registry.slice(1, end);
  }
  const colon = registry.lastIndexOf(":");
  return colon < 0 ? registry : registry.slice(0, colon);
}

/**
 * Whether a registry is on this machine (`localhost`, 127.0.0.0/8, `::1`). Docker and go-containerregistry
 * talk plain HTTP to these without `--insecure-registry`.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registryHostname(registry).toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
