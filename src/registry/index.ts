/**
 * @module registry
 *
 * slipway's port to container registries (Registry HTTP API v2).
 *
 * Takes: image repositories and references as text (`127.0.0.1:5000/app`, `app:tag`, `host/a/b@sha256:...`),
 * the Docker config directory the caller chose (`--docker-config` → `WERF_DOCKER_CONFIG` → `DOCKER_CONFIG` →
 * `~/.docker`; see {@link dockerConfigDir}), the `--insecure-registry` / `--skip-tls-verify-registry` switches and
 * an optional request hook.
 *
 * Gives: parsed references with Docker Hub normalisation; credentials for the HTTP API and the Docker Engine
 * `authconfig` for pushes (from `auths`, `credHelpers`, `credsStore`); a client with `headManifest`, `getManifest`,
 * `getImageConfig`, `listTags`, `deleteManifest` and `ping`, which authenticates anonymously, with Basic or with
 * Bearer tokens as `WWW-Authenticate` asks, and counts every request through `onRequest`. Failures are
 * {@link RegistryError}s (`code: "registry"`) with one clear message naming the registry.
 *
 * Must not import: `src/cli`, `src/ui` (engine code reports through return values, errors and hooks). It reads no
 * environment variables; everything comes in through arguments.
 */
export {
  DOCKER_HUB,
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_CREDENTIALS_KEY,
  credentialsKey,
  familiarName,
  formatReference,
  formatRepository,
  isDigest,
  isLoopbackRegistry,
  isValidTag,
  parseReference,
  parseRepository,
  registryApiHost,
  registryHostname,
  type ImageReference,
  type ImageRepository,
} from "./reference.js";
export {
  DockerCredentialStore,
  dockerConfigDir,
  readDockerConfig,
  resolveCredentials,
  runCredentialHelper,
  type DockerAuthConfig,
  type DockerConfigAuthEntry,
  type DockerConfigFile,
  type DockerConfigOptions,
  type RegistryCredentials,
  type ResolvedCredentials,
} from "./auth.js";
export {
  MANIFEST_ACCEPT,
  MEDIA_TYPE_DOCKER_MANIFEST,
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
  RegistryClient,
  RegistryError,
  describeResponse,
  nextLink,
  type ImageDescription,
  type Manifest,
  type ManifestDescriptor,
  type ManifestJson,
  type ManifestLayer,
  type PingResult,
  type Platform,
  type RegistryClientOptions,
  type RegistryErrorReason,
  type RepositoryInput,
} from "./client.js";
export { parseWwwAuthenticate, type AuthChallenge } from "./www-authenticate.js";
