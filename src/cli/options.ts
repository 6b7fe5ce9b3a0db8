// The `converge` command line: every flag of `werf converge` (werf v2.77) as one declarative table, parsed with
// werf's env semantics into a single typed ConvergeOptions object. Flags slipway does not implement yet are
// accepted and carried along, so CI scripts written for werf never fail on an unknown flag.
import { SlipwayError } from "../errors.js";
import type { Env, FlagSpec } from "./flags.js";
import { envBool, firstEnv, parseFlags, renderCommandHelp, renderFlagsHelp } from "./flags.js";
import { goExt, goQuote, parseGoInt, ValueSyntaxError } from "./go-values.js";

/** One field per flag, named after the flag in camelCase (`--repo-quay-token` → `repoQuayToken`). */
export interface ConvergeFlagValues {
  // Project, config and giterminism
  dir: string;
  gitWorkTree: string;
  config: string;
  configTemplatesDir: string;
  configRenderPath: string;
  giterminismConfig: string;
  dev: boolean;
  devBranch: string;
  devIgnore: string[];
  looseGiterminism: boolean;
  allowIncludesUpdate: boolean;
  debugTemplates: boolean;
  /** The environment name (`--env`), not process variables. */
  env: string;
  follow: boolean;
  virtualMerge: boolean;
  /** $WERF_TMP_DIR when set, else the flag. */
  tmpDir: string;
  /** $WERF_HOME when set, else the flag. */
  homeDir: string;
  sshKey: string[];
  projectName: string;
  skipImageSpecStage: boolean;

  // Build: images, repos and tagging
  repo: string;
  repoContainerRegistry: string;
  repoDockerHubUsername: string;
  repoDockerHubPassword: string;
  repoDockerHubToken: string;
  repoGithubToken: string;
  repoHarborUsername: string;
  repoHarborPassword: string;
  repoQuayToken: string;
  finalRepo: string;
  finalRepoContainerRegistry: string;
  finalRepoDockerHubUsername: string;
  finalRepoDockerHubPassword: string;
  finalRepoDockerHubToken: string;
  finalRepoGithubToken: string;
  finalRepoHarborUsername: string;
  finalRepoHarborPassword: string;
  finalRepoQuayToken: string;
  secondaryRepo: string[];
  cacheRepo: string[];
  insecureRegistry: boolean;
  skipTlsVerifyRegistry: boolean;
  dockerConfig: string;
  containerRegistryMirror: string[];
  requireBuiltImages: boolean;
  useBuildReport: boolean;
  saveBuildReport: boolean;
  /** Resolved: `.werf-build-report.json` when unset, `.json` appended when the path has no extension. */
  buildReportPath: string;
  addCustomTag: string[];
  useCustomTag: string;
  finalImagesOnly: boolean;
  withoutImages: boolean;
  parallel: boolean;
  /** -1 means unlimited (any value <= 0 given by the user). */
  parallelTasksLimit: number;
  platform: string[];
  backendNetwork: string;
  synchronization: string;
  introspectStage: string[];
  introspectError: boolean;
  introspectBeforeError: boolean;
  disableAutoHostCleanup: boolean;
  /** A percentage (`70`) or an absolute size (`10GB`), unparsed. */
  allowedBackendStorageVolumeUsage: string;
  allowedBackendStorageVolumeUsageMargin: string;
  allowedLocalCacheVolumeUsage: string;
  allowedLocalCacheVolumeUsageMargin: string;
  backendStoragePath: string;

  // Deploy: release, values and tracking
  namespace: string;
  release: string;
  values: string[];
  set: string[];
  setString: string[];
  setFile: string[];
  setJson: string[];
  setLiteral: string[];
  setRootJson: string[];
  setRuntimeJson: string[];
  secretValues: string[];
  secretKey: string;
  ignoreSecretKey: boolean;
  disableDefaultValues: boolean;
  disableDefaultSecretValues: boolean;
  setDockerConfigJsonValue: boolean;
  /** Raw `key=value` items, env values first; see ConvergeOptions.addAnnotationMap. */
  addAnnotation: string[];
  addLabel: string[];
  runtimeAnnotations: Record<string, string>;
  runtimeLabels: Record<string, string>;
  releaseLabel: string[];
  releaseInfoAnnotations: Record<string, string>;
  releaseStorage: string;
  releaseStorageSqlConnection: string;
  releasesHistoryMax: number;
  /** Seconds; 0 means no limit. */
  timeout: number;
  /** Set by both `--auto-rollback` and `--atomic`. */
  autoRollback: boolean;
  noFinalTracking: boolean;
  noPodLogs: boolean;
  /** Seconds between progress tables; -1 disables them. */
  statusProgressPeriod: number;
  hooksStatusProgressPeriod: number;
  noInstallCrds: boolean;
  noCreateNamespace: boolean;
  noRemoveManualChanges: boolean;
  noNotes: boolean;
  renderSubchartNotes: boolean;
  forceAdoption: boolean;
  deletePropagation: string;
  networkParallelism: number;
  templatesAllowDns: boolean;
  skipDependenciesRepoRefresh: boolean;
  insecureHelmDependencies: boolean;
  skipTlsVerifyHelmDependencies: boolean;
  provenanceKeyring: string;
  provenanceStrategy: string;
  saveDeployReport: boolean;
  /** Resolved: `.werf-deploy-report.json` when unset, `.json` appended when the path has no extension. */
  deployReportPath: string;
  /** Resolved: `.dot` appended when the path has no extension; "" when unset. */
  deployGraphPath: string;
  rollbackGraphPath: string;
  usePlan: string;
  /** Milliseconds. */
  planLifetime: number;
  ignoreBundleJs: boolean;
  denoBinaryPath: string;
  noResourceValidation: boolean;
  localResourceValidation: boolean;
  resourceValidationKubeVersion: string;
  resourceValidationSkip: string[];
  resourceValidationSchema: string[];
  resourceValidationExtraSchema: string[];
  /** Milliseconds. */
  resourceValidationCacheLifetime: number;

  // Kubernetes connection
  kubeContext: string;
  /** The flag only; the env merge list is ConvergeOptions.kubeConfigPathMergeList. */
  kubeConfig: string;
  kubeConfigBase64: string;
  kubeApiServer: string;
  kubeToken: string;
  kubeTokenPath: string;
  kubeCaPath: string;
  kubeCaData: string;
  kubeCert: string;
  kubeCertData: string;
  kubeKey: string;
  kubeKeyData: string;
  kubeTlsServer: string;
  kubeAuthUsername: string;
  kubeAuthPassword: string;
  kubeAuthProvider: string;
  kubeAuthProviderConfig: Record<string, string>;
  kubeContextCluster: string;
  kubeContextUser: string;
  kubeImpersonateUser: string;
  kubeImpersonateUid: string;
  kubeImpersonateGroup: string[];
  kubeProxyUrl: string;
  kubeQpsLimit: number;
  kubeBurstLimit: number;
  /** Milliseconds; 0 means no timeout. */
  kubeRequestTimeout: number;
  skipTlsVerifyKube: boolean;

  // Logging
  logColorMode: LogColorMode;
  logQuiet: boolean;
  logVerbose: boolean;
  logDebug: boolean;
  logPretty: boolean;
  /** Resolved with $WERF_LOG_TERMINAL_WIDTH; -1 means the TTY width, else 140. */
  logTerminalWidth: number;
  logTime: boolean;
  /** A Go time layout. */
  logTimeFormat: string;
  logProjectDir: boolean;
}

export type LogColorMode = "auto" | "on" | "off";
export type LogLevel = "debug" | "verbose" | "quiet" | "default";
export type BuildReportFormat = "json" | "envfile";

/**
 * The phase a flag belongs to. Each flag spec carries its group, and the option groups below are derived from
 * those tags, so a flag cannot end up in a phase's options without being tagged for it.
 */
export type OptionGroup = "project" | "build" | "values" | "deploy" | "kube" | "log";

export type GroupedFlagSpec = FlagSpec<ConvergeFlagValues> & { readonly group: OptionGroup };

/** The ConvergeFlagValues fields whose flags are tagged with group G. */
type GroupKeys<G extends OptionGroup> = Extract<(typeof CONVERGE_FLAGS)[number], { readonly group: G }>["key"];
type FlagGroup<G extends OptionGroup> = Readonly<Pick<ConvergeFlagValues, GroupKeys<G>>>;

/** Where the project is, how its files are read (giterminism) and which environment it is converged for. */
export type ProjectOptions = FlagGroup<"project">;

export interface BuildOptions extends FlagGroup<"build"> {
  /** Positional image names; only accepted with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1. */
  readonly imageNames: readonly string[];
  readonly buildReportFormat: BuildReportFormat;
  /** A build report path was given by flag or variable (`--use-build-report` requires one). */
  readonly buildReportPathExplicit: boolean;
}

/** The values the user gives the chart (files, --set*, secrets); release.config is made of these. */
export type ValuesOptions = FlagGroup<"values">;

export interface DeployOptions extends FlagGroup<"deploy"> {
  readonly addAnnotationMap: Readonly<Record<string, string>>;
  readonly addLabelMap: Readonly<Record<string, string>>;
  readonly releaseLabelMap: Readonly<Record<string, string>>;
}

/** The Kubernetes connection, field for field src/kube's KubeConnectionOptions. */
export interface KubeOptions extends FlagGroup<"kube"> {
  /** Kubeconfig files from $WERF_KUBE_CONFIG, then $WERF_KUBECONFIG, then $KUBECONFIG, split on `:`. */
  readonly kubeConfigPathMergeList: readonly string[];
}

export interface LogOptions extends FlagGroup<"log"> {
  /** debug beats verbose beats quiet, as in werf. */
  readonly logLevel: LogLevel;
}

/** Everything the converge pipeline needs from the command line and the WERF_* environment, one group per phase. */
export interface ConvergeOptions {
  readonly project: ProjectOptions;
  readonly build: BuildOptions;
  readonly values: ValuesOptions;
  readonly deploy: DeployOptions;
  readonly kube: KubeOptions;
  readonly log: LogOptions;
  /** The accepted-only flags the command line or the environment set (`--follow`, ...), for one warning. */
  readonly acceptedOnly: readonly string[];
}

/** The kube group's fields, exactly: the connection options src/kube takes. Checked both ways at compile time. */
const KUBE_CONNECTION_KEYS = [
  "kubeContext", "kubeConfig", "kubeConfigBase64", "kubeConfigPathMergeList", "kubeApiServer", "kubeToken",
  "kubeTokenPath", "kubeCaPath", "kubeCaData", "kubeCert", "kubeCertData", "kubeKey", "kubeKeyData", "kubeTlsServer",
  "kubeAuthUsername", "kubeAuthPassword", "kubeContextCluster", "kubeContextUser", "kubeImpersonateUser",
  "kubeImpersonateGroup", "kubeProxyUrl", "kubeQpsLimit", "kubeBurstLimit", "kubeRequestTimeout", "skipTlsVerifyKube",
] as const;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
/** Fails to compile when the kube group gains or loses a field. */
export type KubeGroupIsExact = AssertTrue<Exact<keyof KubeOptions, (typeof KUBE_CONNECTION_KEYS)[number]>>;
export const KUBE_OPTION_KEYS: readonly (keyof KubeOptions)[] = KUBE_CONNECTION_KEYS;

const RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00";
const DEFAULT_BUILD_REPORT_PATH = ".werf-build-report.json";
const DEFAULT_DEPLOY_REPORT_PATH = ".werf-deploy-report.json";
const DEFAULT_RESOURCE_VALIDATION_SCHEMAS = [
  "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json",
  "https://raw.githubusercontent.com/datreeio/CRDs-catalog/main/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json",
] as const;
const HOUR_MS = 3_600_000;

const REPO_CREDENTIAL_FLAGS = [
  ["container-registry", "ContainerRegistry", "Registry flavour: ecr, acr, default, dockerhub, gcr, github, gitlab, harbor or quay (default: detected from the address)"],
  ["docker-hub-username", "DockerHubUsername", "Docker Hub username for the Docker Hub API (tag deletion)"],
  ["docker-hub-password", "DockerHubPassword", "Docker Hub password for the Docker Hub API"],
  ["docker-hub-token", "DockerHubToken", "Docker Hub token for the Docker Hub API"],
  ["github-token", "GithubToken", "GitHub token for the GitHub Packages API"],
  ["harbor-username", "HarborUsername", "Harbor username for the Harbor API"],
  ["harbor-password", "HarborPassword", "Harbor password for the Harbor API"],
  ["quay-token", "QuayToken", "quay.io API token"],
] as const;

type RepoCredentialKey = `${"repo" | "finalRepo"}${(typeof REPO_CREDENTIAL_FLAGS)[number][1]}`;

function repoCredentialFlags(prefix: "repo" | "final-repo", keyPrefix: "repo" | "finalRepo") {
  const envPrefix = prefix === "repo" ? "WERF_REPO" : "WERF_FINAL_REPO";
  return REPO_CREDENTIAL_FLAGS.map(([suffix, keySuffix, description]) => ({
    group: "build" as const,
    kind: "string" as const,
    name: `${prefix}-${suffix}`,
    key: `${keyPrefix}${keySuffix}` satisfies RepoCredentialKey,
    default: "",
    env: [`${envPrefix}_${suffix.toUpperCase().replaceAll("-", "_")}`],
    description: `${prefix === "repo" ? "--repo" : "--final-repo"}: ${description}`,
  }));
}

/**
 * The `werf converge` flags. Order matters where several specs share a key: defaults are applied in table order,
 * so `--atomic`'s default ($WERF_ATOMIC) overwrites `--auto-rollback`'s ($WERF_AUTO_ROLLBACK), exactly as in werf.
 */
export const CONVERGE_FLAGS = [
  // ----- Project, config and giterminism -----
  { group: "project", kind: "string", name: "dir", key: "dir", default: "", env: ["WERF_DIR"], description: "Project directory holding werf.yaml (default: the current directory); it must be inside the git work tree" },
  { group: "project", kind: "string", name: "git-work-tree", key: "gitWorkTree", default: "", env: ["WERF_GIT_WORK_TREE"], description: "Git work tree to use (default: the nearest directory upwards that contains .git)" },
  { group: "project", kind: "string", name: "config", key: "config", default: "", env: ["WERF_CONFIG"], description: "Path of the werf config (default: werf.yaml, then werf.yml in the project directory)" },
  { group: "project", kind: "string", name: "config-templates-dir", key: "configTemplatesDir", default: "", env: ["WERF_CONFIG_TEMPLATES_DIR"], description: "Directory scanned for **/*.tmpl config partials (default: .werf in the project directory)" },
  { group: "project", kind: "string", name: "config-render-path", key: "configRenderPath", default: "", description: "Write the rendered werf config to this path instead of a temporary file" },
  { group: "project", kind: "string", name: "giterminism-config", key: "giterminismConfig", default: "", env: ["WERF_GITERMINISM_CONFIG"], description: "Giterminism config path relative to the project directory (default: werf-giterminism.yaml)" },
  { group: "project", kind: "bool", name: "dev", key: "dev", default: false, env: ["WERF_DEV"], description: "Development mode: use the work tree state (tracked and untracked files, minus .gitignore) instead of HEAD" },
  { group: "project", kind: "string", name: "dev-branch", key: "devBranch", default: "_werf-dev", env: ["WERF_DEV_BRANCH"], acceptedOnly: true, description: "Service branch for the commits made in development mode" },
  { group: "project", kind: "string-array", name: "dev-ignore", key: "devIgnore", default: [], envPrefix: "WERF_DEV_IGNORE_", acceptedOnly: true, description: "Glob of changes to ignore in development mode (repeatable)" },
  { group: "project", kind: "bool", name: "loose-giterminism", key: "looseGiterminism", default: false, env: ["WERF_LOOSE_GITERMINISM"], description: "Turn giterminism off: read everything from the file system and allow env in werf.yaml" },
  { group: "project", kind: "bool", name: "allow-includes-update", key: "allowIncludesUpdate", default: false, env: ["WERF_ALLOW_INCLUDES_UPDATE"], description: "Use the latest commits of included repositories, ignoring the includes lock file" },
  { group: "project", kind: "bool", name: "debug-templates", key: "debugTemplates", default: false, env: ["WERF_DEBUG_TEMPLATES"], acceptedOnly: true, description: "Verbose Go template errors for werf.yaml and chart templates" },
  { group: "project", kind: "string", name: "env", key: "env", default: "", env: ["WERF_ENV"], description: "Environment name: used by the release and namespace templates, .Env and .Values.werf.env" },
  { group: "project", kind: "bool", name: "follow", key: "follow", default: false, env: ["WERF_FOLLOW"], acceptedOnly: true, description: "Keep running and converge again on every new commit (with --dev: on every work tree change)" },
  { group: "project", kind: "bool", name: "virtual-merge", key: "virtualMerge", default: false, env: ["WERF_VIRTUAL_MERGE"], acceptedOnly: true, description: "Build from a virtual merge commit (merge request pipelines)" },
  { group: "project", kind: "string", name: "tmp-dir", key: "tmpDir", default: "", env: ["WERF_TMP_DIR"], envOverridesFlag: true, acceptedOnly: true, description: "Directory for temporary files (default: the system temporary directory)" },
  { group: "project", kind: "string", name: "home-dir", key: "homeDir", default: "", env: ["WERF_HOME"], envOverridesFlag: true, acceptedOnly: true, description: "Directory for caches and state (default: ~/.werf)" },
  { group: "project", kind: "string-array", name: "ssh-key", key: "sshKey", default: [], envPrefix: "WERF_SSH_KEY_", acceptedOnly: true, description: "Use only these ssh keys, through a temporary ssh-agent (repeatable)" },
  { group: "project", kind: "string", name: "project-name", short: "N", key: "projectName", default: "", env: ["WERF_PROJECT_NAME"], hidden: true, description: "Project name for host cleanup" },
  { group: "project", kind: "bool", name: "skip-image-spec-stage", key: "skipImageSpecStage", default: false, env: ["WERF_SKIP_IMAGE_SPEC_STAGE"], hidden: true, acceptedOnly: true, description: "Skip the imageSpec stage (legacy)" },

  // ----- Build: images, repos and tagging -----
  { group: "build", kind: "string", name: "repo", key: "repo", default: "", env: ["WERF_REPO"], description: "Container registry repository for stages; required when werf.yaml declares images" },
  ...repoCredentialFlags("repo", "repo"),
  { group: "build", kind: "string", name: "final-repo", key: "finalRepo", default: "", env: ["WERF_FINAL_REPO"], description: "Extra repository that receives only the final images; chart values then point at it" },
  ...repoCredentialFlags("final-repo", "finalRepo"),
  { group: "build", kind: "string-array", name: "secondary-repo", key: "secondaryRepo", default: [], envPrefix: "WERF_SECONDARY_REPO_", acceptedOnly: true, description: "Read-only repository used as a stage cache; found stages are copied into --repo (repeatable)" },
  { group: "build", kind: "string-array", name: "cache-repo", key: "cacheRepo", default: [], envPrefix: "WERF_CACHE_REPO_", acceptedOnly: true, description: "Fast cache repository, read before --repo and filled on push and pull (repeatable)" },
  { group: "build", kind: "bool", name: "insecure-registry", key: "insecureRegistry", default: false, env: ["WERF_INSECURE_REGISTRY"], description: "Use plain HTTP for registries" },
  { group: "build", kind: "bool", name: "skip-tls-verify-registry", key: "skipTlsVerifyRegistry", default: false, env: ["WERF_SKIP_TLS_VERIFY_REGISTRY"], description: "Do not verify registry TLS certificates" },
  { group: "build", kind: "string", name: "docker-config", key: "dockerConfig", default: "", env: ["WERF_DOCKER_CONFIG", "DOCKER_CONFIG"], description: "Docker config directory with registry credentials (default: ~/.docker)" },
  { group: "build", kind: "string-array", name: "container-registry-mirror", key: "containerRegistryMirror", default: [], envPrefix: "WERF_CONTAINER_REGISTRY_MIRROR_", acceptedOnly: true, description: "docker.io mirror (Buildah only, repeatable)" },
  { group: "build", kind: "bool", name: "require-built-images", short: "Z", key: "requireBuiltImages", default: false, env: ["WERF_REQUIRE_BUILT_IMAGES"], description: "Build nothing; fail if a needed image is not in the repository (v2's replacement for --skip-build)" },
  { group: "build", kind: "bool", name: "use-build-report", key: "useBuildReport", default: false, env: ["WERF_USE_BUILD_REPORT"], description: "Build nothing; take image references from the report at --build-report-path (which must be set)" },
  { group: "build", kind: "bool", name: "save-build-report", key: "saveBuildReport", default: false, env: ["WERF_SAVE_BUILD_REPORT"], description: "Write a build report to --build-report-path" },
  { group: "build", kind: "string", name: "build-report-path", key: "buildReportPath", default: "", env: ["WERF_BUILD_REPORT_PATH"], description: "Build report path (default: .werf-build-report.json); .json writes JSON, .env an env file, no extension appends .json" },
  { group: "build", kind: "string-array", name: "add-custom-tag", key: "addCustomTag", default: [], envPrefix: "WERF_ADD_CUSTOM_TAG_", acceptedOnly: true, description: "Extra tag for each image; may use %image%, %image_slug%, %image_safe_slug% and %image_content_based_tag% (repeatable)" },
  { group: "build", kind: "string", name: "use-custom-tag", key: "useCustomTag", default: "", env: ["WERF_USE_CUSTOM_TAG"], acceptedOnly: true, description: "Give charts this custom tag instead of the content-based tag (same placeholders as --add-custom-tag)" },
  { group: "build", kind: "bool", name: "final-images-only", key: "finalImagesOnly", default: true, env: ["WERF_FINAL_IMAGES_ONLY"], acceptedOnly: true, description: "Process only final images (their dependencies are still built)" },
  { group: "build", kind: "bool", name: "without-images", key: "withoutImages", default: false, env: ["WERF_WITHOUT_IMAGES"], description: "Build no images and leave the image values empty" },
  { group: "build", kind: "bool", name: "parallel", short: "p", key: "parallel", default: true, env: ["WERF_PARALLEL"], description: "Build independent images in parallel" },
  { group: "build", kind: "int", name: "parallel-tasks-limit", key: "parallelTasksLimit", default: 5, env: ["WERF_PARALLEL_TASKS_LIMIT"], description: "Maximum number of images built at once; -1 (or any value <= 0) removes the limit" },
  { group: "build", kind: "string-array", name: "platform", key: "platform", default: [], env: ["WERF_PLATFORM", "DOCKER_DEFAULT_PLATFORM"], description: "Target platform os/arch[/variant], overriding werf.yaml (repeatable; a flag replaces the variable)" },
  { group: "build", kind: "string", name: "backend-network", key: "backendNetwork", default: "", env: ["WERF_BACKEND_NETWORK"], description: "Network mode of build containers, overriding werf.yaml (Docker only)" },
  { group: "build", kind: "string", name: "synchronization", short: "S", key: "synchronization", default: "", env: ["WERF_SYNCHRONIZATION"], description: "Lock server for processes sharing a repository: :local, kubernetes://NAMESPACE[:CONTEXT][@CONFIG] or http(s)://HOST" },
  { group: "build", kind: "string-array", name: "introspect-stage", key: "introspectStage", default: [], acceptedOnly: true, description: "Open a shell in a stage: IMAGE/STAGE or STAGE (repeatable)" },
  { group: "build", kind: "bool", name: "introspect-error", key: "introspectError", default: false, acceptedOnly: true, description: "Open a shell in a failed stage right after the failing instruction" },
  { group: "build", kind: "bool", name: "introspect-before-error", key: "introspectBeforeError", default: false, acceptedOnly: true, description: "Open a shell in a failed stage before its instructions ran" },
  { group: "build", kind: "bool", name: "disable-auto-host-cleanup", key: "disableAutoHostCleanup", default: false, env: ["WERF_DISABLE_AUTO_HOST_CLEANUP"], description: "Skip the automatic local cleanup at the end of the command" },
  { group: "build", kind: "string", name: "allowed-backend-storage-volume-usage", key: "allowedBackendStorageVolumeUsage", default: "70", env: ["WERF_ALLOWED_BACKEND_STORAGE_VOLUME_USAGE", "WERF_ALLOWED_DOCKER_STORAGE_VOLUME_USAGE"], aliases: [{ name: "allowed-docker-storage-volume-usage", hidden: true }], description: "Host cleanup threshold for the Docker or Buildah storage: a usage percentage (70) or a free space size (10GB)" },
  { group: "build", kind: "string", name: "allowed-backend-storage-volume-usage-margin", key: "allowedBackendStorageVolumeUsageMargin", default: "5", env: ["WERF_ALLOWED_BACKEND_STORAGE_VOLUME_USAGE_MARGIN", "WERF_ALLOWED_DOCKER_STORAGE_VOLUME_USAGE_MARGIN"], aliases: [{ name: "allowed-docker-storage-volume-usage-margin", hidden: true }], description: "Margin of the backend storage cleanup threshold, in the same unit" },
  { group: "build", kind: "string", name: "allowed-local-cache-volume-usage", key: "allowedLocalCacheVolumeUsage", default: "70", env: ["WERF_ALLOWED_LOCAL_CACHE_VOLUME_USAGE"], description: "Host cleanup threshold for ~/.werf/local_cache: a usage percentage or a free space size" },
  { group: "build", kind: "string", name: "allowed-local-cache-volume-usage-margin", key: "allowedLocalCacheVolumeUsageMargin", default: "5", env: ["WERF_ALLOWED_LOCAL_CACHE_VOLUME_USAGE_MARGIN"], description: "Margin of the local cache cleanup threshold, in the same unit" },
  { group: "build", kind: "string", name: "backend-storage-path", key: "backendStoragePath", default: "", env: ["WERF_BACKEND_STORAGE_PATH", "WERF_DOCKER_SERVER_STORAGE_PATH"], aliases: [{ name: "docker-server-storage-path", hidden: true }], description: "Path of the Docker or Buildah storage for the host cleanup volume check (default: detected)" },

  // ----- Deploy: release, values and tracking -----
  { group: "deploy", kind: "string", name: "namespace", key: "namespace", default: "", env: ["WERF_NAMESPACE"], description: "Kubernetes namespace (default: [[ project ]]-[[ env ]] or deploy.namespace from werf.yaml)" },
  { group: "deploy", kind: "string", name: "release", key: "release", default: "", env: ["WERF_RELEASE"], description: "Helm release name (default: [[ project ]]-[[ env ]] or deploy.helmRelease from werf.yaml)" },
  { group: "values", kind: "string-array", name: "values", key: "values", default: [], envPrefix: "WERF_VALUES_", description: "Values file or URL (repeatable)" },
  { group: "values", kind: "string-array", name: "set", key: "set", default: [], envPrefix: "WERF_SET_", envPrefixExcept: ["WERF_SET_STRING_", "WERF_SET_FILE_", "WERF_SET_DOCKER_CONFIG_JSON_VALUE"], description: "Set values: key1=val1,key2=val2 (repeatable). As in werf, $WERF_SET_JSON_*, $WERF_SET_LITERAL_*, $WERF_SET_ROOT_JSON_* and $WERF_SET_RUNTIME_JSON_* are collected here too" },
  { group: "values", kind: "string-array", name: "set-string", key: "setString", default: [], envPrefix: "WERF_SET_STRING_", description: "Set string values: key1=val1,key2=val2 (repeatable)" },
  { group: "values", kind: "string-array", name: "set-file", key: "setFile", default: [], envPrefix: "WERF_SET_FILE_", description: "Set values from files: key1=path1,key2=path2 (repeatable)" },
  { group: "values", kind: "string-array", name: "set-json", key: "setJson", default: [], envPrefix: "WERF_SET_JSON_", description: "Set JSON values: key1=json1,key2=json2 (repeatable)" },
  { group: "values", kind: "string-array", name: "set-literal", key: "setLiteral", default: [], envPrefix: "WERF_SET_LITERAL_", description: "Set values that always stay literal strings: key=value (repeatable)" },
  { group: "values", kind: "string-array", name: "set-root-json", key: "setRootJson", default: [], envPrefix: "WERF_SET_ROOT_JSON_", acceptedOnly: true, description: "Set JSON keys on the root template context $ (internal; prefer --set-json)" },
  { group: "values", kind: "string-array", name: "set-runtime-json", key: "setRuntimeJson", default: [], envPrefix: "WERF_SET_RUNTIME_JSON_", acceptedOnly: true, description: "Set JSON keys on $.Runtime (internal; prefer --set-json)" },
  { group: "values", kind: "string-array", name: "secret-values", key: "secretValues", default: [], envPrefix: "WERF_SECRET_VALUES_", description: "Encrypted values file (repeatable)" },
  { group: "values", kind: "string", name: "secret-key", key: "secretKey", default: "", env: ["WERF_SECRET_KEY"], description: "Secret key, hex (default $WERF_SECRET_KEY, then ./.werf_secret_key, then ~/.werf/global_secret_key)" },
  { group: "values", kind: "bool", name: "ignore-secret-key", key: "ignoreSecretKey", default: false, env: ["WERF_IGNORE_SECRET_KEY"], description: "Disable secrets decryption: secret values and files stay encrypted" },
  { group: "values", kind: "bool", name: "disable-default-values", key: "disableDefaultValues", default: false, env: ["WERF_DISABLE_DEFAULT_VALUES"], description: "Ignore the chart's values.yaml" },
  { group: "values", kind: "bool", name: "disable-default-secret-values", key: "disableDefaultSecretValues", default: false, env: ["WERF_DISABLE_DEFAULT_SECRET_VALUES"], description: "Ignore the chart's secret-values.yaml" },
  { group: "values", kind: "bool", name: "set-docker-config-json-value", key: "setDockerConfigJsonValue", default: false, env: ["WERF_SET_DOCKER_CONFIG_JSON_VALUE"], description: "Put the base64 docker config.json into .Values.dockerconfigjson" },
  { group: "deploy", kind: "string-array", name: "add-annotation", key: "addAnnotation", default: [], envPrefix: "WERF_ADD_ANNOTATION_", description: "Annotation for every deployed resource: key=value (repeatable)" },
  { group: "deploy", kind: "string-array", name: "add-label", key: "addLabel", default: [], envPrefix: "WERF_ADD_LABEL_", description: "Label for every deployed resource: key=value (repeatable)" },
  { group: "deploy", kind: "key-value", name: "runtime-annotations", key: "runtimeAnnotations", default: {}, env: ["WERF_RUNTIME_ANNOTATIONS"], description: "Annotations for every resource that do not trigger updates: k1=v1,k2=v2" },
  { group: "deploy", kind: "key-value", name: "runtime-labels", key: "runtimeLabels", default: {}, env: ["WERF_RUNTIME_LABELS"], description: "Labels for every resource that do not trigger updates: k1=v1,k2=v2" },
  { group: "deploy", kind: "string-array", name: "release-label", key: "releaseLabel", default: [], envPrefix: "WERF_RELEASE_LABEL_", description: "Label on the release storage object: key=value (repeatable)" },
  { group: "deploy", kind: "key-value", name: "release-info-annotations", key: "releaseInfoAnnotations", default: {}, env: ["WERF_RELEASE_INFO_ANNOTATIONS"], acceptedOnly: true, description: "Annotations in the release metadata: k1=v1,k2=v2" },
  { group: "deploy", kind: "string", name: "release-storage", key: "releaseStorage", default: "", env: ["WERF_RELEASE_STORAGE", "HELM_DRIVER"], description: "Helm release storage driver: secret, configmap or sql (default: secret)" },
  { group: "deploy", kind: "string", name: "release-storage-sql-connection", key: "releaseStorageSqlConnection", default: "", env: ["WERF_RELEASE_STORAGE_SQL_CONNECTION"], acceptedOnly: true, description: "Connection string of the sql release storage" },
  { group: "deploy", kind: "int", name: "releases-history-max", key: "releasesHistoryMax", default: 5, env: ["WERF_RELEASES_HISTORY_MAX"], description: "Number of release revisions to keep" },
  { group: "deploy", kind: "int", name: "timeout", short: "t", key: "timeout", default: 0, env: ["WERF_TIMEOUT"], description: "Resource tracking timeout in seconds; 0 waits forever" },
  { group: "deploy", kind: "bool", name: "auto-rollback", short: "R", key: "autoRollback", default: false, env: ["WERF_AUTO_ROLLBACK"], description: "Roll back to the last successful revision when the deploy fails. As in werf, $WERF_AUTO_ROLLBACK alone has no effect: the default comes from $WERF_ATOMIC" },
  { group: "deploy", kind: "bool", name: "atomic", key: "autoRollback", default: false, env: ["WERF_ATOMIC"], description: "Same as --auto-rollback" },
  { group: "deploy", kind: "bool", name: "no-final-tracking", key: "noFinalTracking", default: false, env: ["WERF_NO_FINAL_TRACKING"], description: "Skip readiness tracking that no later operation depends on, to finish sooner" },
  { group: "deploy", kind: "bool", name: "no-pod-logs", key: "noPodLogs", default: false, description: "Do not collect and print Pod logs (as in werf, $WERF_NO_POD_LOGS is not read)" },
  { group: "deploy", kind: "int", name: "status-progress-period", key: "statusProgressPeriod", default: 5, env: ["WERF_STATUS_PROGRESS_PERIOD_SECONDS", "WERF_STATUS_PROGRESS_PERIOD"], description: "Seconds between status progress tables; -1 turns them off" },
  { group: "deploy", kind: "int", name: "hooks-status-progress-period", key: "hooksStatusProgressPeriod", default: 0, description: "No-op, kept for compatibility" },
  { group: "deploy", kind: "bool", name: "no-install-crds", key: "noInstallCrds", default: false, env: ["WERF_NO_INSTALL_CRDS"], description: "Do not install CRDs from the crds/ directories of charts" },
  { group: "deploy", kind: "bool", name: "no-create-namespace", key: "noCreateNamespace", default: false, env: ["WERF_NO_CREATE_NAMESPACE"], description: "Do not create the release namespace" },
  { group: "deploy", kind: "bool", name: "no-remove-manual-changes", key: "noRemoveManualChanges", default: false, env: ["WERF_NO_REMOVE_MANUAL_CHANGES"], description: "Keep fields that were added to resources manually in the cluster" },
  { group: "deploy", kind: "bool", name: "no-notes", key: "noNotes", default: false, env: ["WERF_NO_NOTES"], description: "Do not print the chart's NOTES.txt" },
  { group: "deploy", kind: "bool", name: "render-subchart-notes", key: "renderSubchartNotes", default: false, env: ["WERF_RENDER_SUBCHART_NOTES"], acceptedOnly: true, description: "Also print the notes of subcharts" },
  { group: "deploy", kind: "bool", name: "force-adoption", key: "forceAdoption", default: false, env: ["WERF_FORCE_ADOPTION"], description: "Adopt resources even when they belong to another release" },
  { group: "deploy", kind: "string", name: "delete-propagation", key: "deletePropagation", default: "", env: ["WERF_DELETE_PROPAGATION"], description: "Default deletion propagation policy (default: Foreground)" },
  { group: "deploy", kind: "int", name: "network-parallelism", key: "networkParallelism", default: 30, env: ["WERF_NETWORK_PARALLELISM"], description: "Parallelism of network operations" },
  { group: "deploy", kind: "bool", name: "templates-allow-dns", key: "templatesAllowDns", default: false, env: ["WERF_TEMPLATES_ALLOW_DNS"], acceptedOnly: true, description: "Allow DNS lookups (getHostByName) in chart templates" },
  { group: "deploy", kind: "bool", name: "skip-dependencies-repo-refresh", short: "L", key: "skipDependenciesRepoRefresh", default: false, env: ["WERF_SKIP_DEPENDENCIES_REPO_REFRESH"], description: "Do not refresh the cached index of chart repositories" },
  { group: "deploy", kind: "bool", name: "insecure-helm-dependencies", key: "insecureHelmDependencies", default: false, env: ["WERF_INSECURE_HELM_DEPENDENCIES"], acceptedOnly: true, description: "Allow insecure OCI registries for chart dependencies" },
  { group: "deploy", kind: "bool", name: "skip-tls-verify-helm-dependencies", key: "skipTlsVerifyHelmDependencies", default: false, env: ["WERF_SKIP_TLS_VERIFY_HELM_DEPENDENCIES"], acceptedOnly: true, description: "Do not verify TLS certificates of chart repositories" },
  { group: "deploy", kind: "string", name: "provenance-keyring", key: "provenanceKeyring", default: "", env: ["WERF_PROVENANCE_KEYRING"], acceptedOnly: true, description: "Keyring with public keys for verifying chart provenance" },
  { group: "deploy", kind: "string", name: "provenance-strategy", key: "provenanceStrategy", default: "", env: ["WERF_PROVENANCE_STRATEGY"], acceptedOnly: true, description: "Chart provenance verification strategy" },
  { group: "deploy", kind: "bool", name: "save-deploy-report", key: "saveDeployReport", default: false, env: ["WERF_SAVE_DEPLOY_REPORT"], description: "Write a deploy report to --deploy-report-path" },
  { group: "deploy", kind: "string", name: "deploy-report-path", key: "deployReportPath", default: "", env: ["WERF_DEPLOY_REPORT_PATH"], description: "Deploy report path (default: .werf-deploy-report.json); it must end in .json or have no extension" },
  { group: "deploy", kind: "string", name: "deploy-graph-path", key: "deployGraphPath", default: "", env: ["WERF_DEPLOY_GRAPH_PATH"], description: "Write the deploy plan graph here; it must end in .dot or have no extension" },
  { group: "deploy", kind: "string", name: "rollback-graph-path", key: "rollbackGraphPath", default: "", env: ["WERF_ROLLBACK_GRAPH_PATH"], description: "Write the rollback plan graph here; it must end in .dot or have no extension" },
  { group: "deploy", kind: "string", name: "use-plan", key: "usePlan", default: "", env: ["WERF_USE_PLAN_PATH"], acceptedOnly: true, description: "Install a previously saved gzip JSON plan; nothing is built" },
  { group: "deploy", kind: "duration", name: "plan-lifetime", key: "planLifetime", default: 2 * HOUR_MS, env: ["WERF_PLAN_LIFETIME"], envInvalid: "ignore", acceptedOnly: true, description: "How long a saved plan stays valid (a malformed $WERF_PLAN_LIFETIME is ignored, as in werf)" },
  { group: "deploy", kind: "bool", name: "ignore-bundle-js", key: "ignoreBundleJs", default: false, env: ["WERF_IGNORE_BUNDLE_JS"], acceptedOnly: true, description: "Ignore the bundle of TypeScript charts (experimental)" },
  { group: "deploy", kind: "string", name: "deno-binary-path", key: "denoBinaryPath", default: "", env: ["WERF_DENO_BINARY_PATH"], acceptedOnly: true, description: "Deno binary for TypeScript charts (experimental)" },
  { group: "deploy", kind: "bool", name: "no-resource-validation", key: "noResourceValidation", default: false, env: ["WERF_NO_RESOURCE_VALIDATION"], acceptedOnly: true, description: "Do not validate resources against JSON schemas" },
  { group: "deploy", kind: "bool", name: "local-resource-validation", key: "localResourceValidation", default: false, env: ["WERF_LOCAL_RESOURCE_VALIDATION"], acceptedOnly: true, description: "Validate resources without external schema sources" },
  { group: "deploy", kind: "string", name: "resource-validation-kube-version", key: "resourceValidationKubeVersion", default: "", env: ["WERF_RESOURCE_VALIDATION_KUBE_VERSION"], acceptedOnly: true, description: "Kubernetes version of the validation schemas (default: nelm's built-in version)" },
  { group: "deploy", kind: "string-array", name: "resource-validation-skip", key: "resourceValidationSkip", default: [], envPrefix: "WERF_RESOURCE_VALIDATION_SKIP_", acceptedOnly: true, description: "Skip validation of matching resources: group=,version=,kind=,name=,namespace= (repeatable)" },
  { group: "deploy", kind: "string-array", name: "resource-validation-schema", key: "resourceValidationSchema", default: DEFAULT_RESOURCE_VALIDATION_SCHEMAS, envPrefix: "WERF_RESOURCE_VALIDATION_SCHEMA_", envPrefixMode: "default", acceptedOnly: true, description: "Default JSON schema source: a Go template of an http(s) URL or an absolute path (repeatable)" },
  { group: "deploy", kind: "string-array", name: "resource-validation-extra-schema", key: "resourceValidationExtraSchema", default: [], envPrefix: "WERF_RESOURCE_VALIDATION_EXTRA_SCHEMA_", acceptedOnly: true, description: "Extra JSON schema source, preferred over the default ones (repeatable)" },
  { group: "deploy", kind: "duration", name: "resource-validation-cache-lifetime", key: "resourceValidationCacheLifetime", default: 48 * HOUR_MS, env: ["WERF_RESOURCE_VALIDATION_CACHE_LIFETIME"], acceptedOnly: true, description: "How long cached validation schemas stay valid" },

  // ----- Kubernetes connection -----
  { group: "kube", kind: "string", name: "kube-context", key: "kubeContext", default: "", env: ["WERF_KUBE_CONTEXT"], description: "Kubeconfig context" },
  { group: "kube", kind: "string", name: "kube-config", key: "kubeConfig", default: "", description: "Kubeconfig path; $WERF_KUBE_CONFIG, then $WERF_KUBECONFIG, then $KUBECONFIG give a list of files to merge" },
  { group: "kube", kind: "string", name: "kube-config-base64", key: "kubeConfigBase64", default: "", env: ["WERF_KUBE_CONFIG_BASE64", "WERF_KUBECONFIG_BASE64", "KUBECONFIG_BASE64"], description: "Kubeconfig content as base64" },
  { group: "kube", kind: "string", name: "kube-api-server", key: "kubeApiServer", default: "", env: ["WERF_KUBE_API_SERVER"], description: "Kubernetes API server address" },
  { group: "kube", kind: "string", name: "kube-token", key: "kubeToken", default: "", env: ["WERF_KUBE_TOKEN"], description: "Bearer token for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-token-path", key: "kubeTokenPath", default: "", env: ["WERF_KUBE_TOKEN_PATH"], description: "File with the bearer token for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-ca-path", key: "kubeCaPath", default: "", env: ["WERF_KUBE_CA_PATH"], description: "CA certificate file of the Kubernetes API server" },
  { group: "kube", kind: "string", name: "kube-ca-data", key: "kubeCaData", default: "", env: ["WERF_KUBE_CA_DATA"], description: "CA certificate data of the Kubernetes API server" },
  { group: "kube", kind: "string", name: "kube-cert", key: "kubeCert", default: "", env: ["WERF_KUBE_CERT"], description: "PEM client certificate file for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-cert-data", key: "kubeCertData", default: "", env: ["WERF_KUBE_CERT_DATA"], description: "PEM client certificate data for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-key", key: "kubeKey", default: "", env: ["WERF_KUBE_KEY"], description: "PEM client key file for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-key-data", key: "kubeKeyData", default: "", env: ["WERF_KUBE_KEY_DATA"], description: "PEM client key data for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-tls-server", key: "kubeTlsServer", default: "", env: ["WERF_KUBE_TLS_SERVER"], description: "Server name for verifying the API server certificate (default: the host name contacted)" },
  { group: "kube", kind: "string", name: "kube-auth-username", key: "kubeAuthUsername", default: "", env: ["WERF_KUBE_AUTH_USERNAME"], description: "Basic auth username for the Kubernetes API" },
  { group: "kube", kind: "string", name: "kube-auth-password", key: "kubeAuthPassword", default: "", env: ["WERF_KUBE_AUTH_PASSWORD"], description: "Basic auth password for the Kubernetes API" },
  { group: "deploy", kind: "string", name: "kube-auth-provider", key: "kubeAuthProvider", default: "", env: ["WERF_KUBE_AUTH_PROVIDER"], acceptedOnly: true, description: "Auth provider plugin for the Kubernetes API" },
  { group: "deploy", kind: "key-value", name: "kube-auth-provider-config", key: "kubeAuthProviderConfig", default: {}, env: ["WERF_KUBE_AUTH_PROVIDER_CONFIG"], acceptedOnly: true, description: "Auth provider plugin config: k1=v1,k2=v2" },
  { group: "kube", kind: "string", name: "kube-context-cluster", key: "kubeContextCluster", default: "", env: ["WERF_KUBE_CONTEXT_CLUSTER"], description: "Use this kubeconfig cluster for the current context" },
  { group: "kube", kind: "string", name: "kube-context-user", key: "kubeContextUser", default: "", env: ["WERF_KUBE_CONTEXT_USER"], description: "Use this kubeconfig user for the current context" },
  { group: "kube", kind: "string", name: "kube-impersonate-user", key: "kubeImpersonateUser", default: "", env: ["WERF_KUBE_IMPERSONATE_USER"], description: "Impersonate this user" },
  { group: "deploy", kind: "string", name: "kube-impersonate-uid", key: "kubeImpersonateUid", default: "", env: ["WERF_KUBE_IMPERSONATE_UID"], description: "Impersonate this user UID" },
  { group: "kube", kind: "string-array", name: "kube-impersonate-group", key: "kubeImpersonateGroup", default: [], envPrefix: "WERF_KUBE_IMPERSONATE_GROUP_", description: "Impersonate this group (repeatable)" },
  { group: "kube", kind: "string", name: "kube-proxy-url", key: "kubeProxyUrl", default: "", env: ["WERF_KUBE_PROXY_URL"], description: "Proxy for Kubernetes API requests" },
  { group: "kube", kind: "int", name: "kube-qps-limit", key: "kubeQpsLimit", default: 0, env: ["WERF_KUBE_QPS_LIMIT"], description: "Kubernetes client queries per second (0: no client-side limit, the API server's priority and fairness applies; werf's default is 30)" },
  { group: "kube", kind: "int", name: "kube-burst-limit", key: "kubeBurstLimit", default: 0, env: ["WERF_KUBE_BURST_LIMIT"], description: "Kubernetes client burst (0: 100 when --kube-qps-limit is set)" },
  { group: "kube", kind: "duration", name: "kube-request-timeout", key: "kubeRequestTimeout", default: 0, env: ["WERF_KUBE_REQUEST_TIMEOUT"], description: "Timeout of each Kubernetes API request; 0 means none" },
  { group: "kube", kind: "bool", name: "skip-tls-verify-kube", key: "skipTlsVerifyKube", default: false, env: ["WERF_SKIP_TLS_VERIFY_KUBE"], description: "Do not verify the Kubernetes API server certificate" },

  // ----- Logging -----
  { group: "log", kind: "string", name: "log-color-mode", key: "logColorMode", default: "auto", env: ["WERF_LOG_COLOR_MODE"], description: "Colours: auto (when stdout is a terminal), on or off" },
  { group: "log", kind: "bool", name: "log-quiet", key: "logQuiet", default: false, env: ["WERF_LOG_QUIET", "WERF_QUIET"], aliases: [{ name: "quiet", hidden: true }], description: "Print errors only" },
  { group: "log", kind: "bool", name: "log-verbose", key: "logVerbose", default: false, env: ["WERF_LOG_VERBOSE", "WERF_VERBOSE"], aliases: [{ name: "verbose", hidden: true }], description: "Also print informational output" },
  { group: "log", kind: "bool", name: "log-debug", key: "logDebug", default: false, env: ["WERF_LOG_DEBUG", "WERF_DEBUG"], aliases: [{ name: "debug", hidden: true }], description: "Print debug output, durations and error stack traces" },
  // werf reads a non-empty $WERF_LOG_PRETTY with the default-false rule although the flag defaults to true.
  { group: "log", kind: "bool", name: "log-pretty", key: "logPretty", default: true, env: ["WERF_LOG_PRETTY"], envBool: "truthy", description: "Emojis, line wrapping and process borders" },
  { group: "log", kind: "int", name: "log-terminal-width", key: "logTerminalWidth", default: -1, description: "Line width for wrapping; -1 means $WERF_LOG_TERMINAL_WIDTH, else the terminal width, else 140" },
  { group: "log", kind: "bool", name: "log-time", key: "logTime", default: false, env: ["WERF_LOG_TIME"], description: "Prefix each line with a timestamp" },
  { group: "log", kind: "string", name: "log-time-format", key: "logTimeFormat", default: RFC3339_LAYOUT, env: ["WERF_LOG_TIME_FORMAT"], description: "Go time layout of the --log-time timestamps" },
  { group: "log", kind: "bool", name: "log-project-dir", key: "logProjectDir", default: false, env: ["WERF_LOG_PROJECT_DIR"], description: "Print the project directory" },
] as const satisfies readonly GroupedFlagSpec[];

type AssertAllCovered<Missing extends never> = Missing;
/** Fails to compile, naming the field, when a ConvergeFlagValues field has no flag in CONVERGE_FLAGS. */
export type ConvergeFlagCoverage = AssertAllCovered<
  Exclude<keyof ConvergeFlagValues, (typeof CONVERGE_FLAGS)[number]["key"]>
>;

const FLAG_SPECS: readonly FlagSpec<ConvergeFlagValues>[] = CONVERGE_FLAGS;

/** An invalid logging option. werf prints the command help before this error; so does slipway. */
export class LogOptionsError extends SlipwayError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: "invalid-option", cause });
    this.name = "LogOptionsError";
  }
}

export type ParsedConvergeArgs = { readonly help: true } | { readonly help: false; readonly options: ConvergeOptions };

/**
 * Parses the arguments that follow `converge` together with the environment. Throws a SlipwayError
 * (`usage` or `invalid-option`) for anything werf would reject; LogOptionsError for invalid logging options.
 */
export function parseConvergeArgs(args: readonly string[], env: Env, command = "converge"): ParsedConvergeArgs {
  const parsed = parseFlags(FLAG_SPECS, args, env);
  if (parsed.help) return { help: true };
  const values = parsed.values as unknown as ConvergeFlagValues;

  let imageNames: string[] = [];
  if (parsed.positionals.length > 0) {
    // `werf build [IMAGE_NAME...]` always takes image names; converge only with WERF_CONVERGE_ENABLE_IMAGES_PARAMS.
    if (command !== "build" && !envBool(env.WERF_CONVERGE_ENABLE_IMAGES_PARAMS ?? "", "truthy")) {
      const list = parsed.positionals.map(goQuote).join(", ");
      throw new SlipwayError(
        `${command} accepts no positional arguments, got ${list}; image names are accepted only with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1`,
        { code: "usage" },
      );
    }
    imageNames = [...parsed.positionals];
  }

  values.logTerminalWidth = resolveLogOptions(values, env);

  const buildReportPath = resolveBuildReportPath(values.buildReportPath);
  values.buildReportPath = buildReportPath.path;
  values.deployReportPath = resolveReportPath(values.deployReportPath, DEFAULT_DEPLOY_REPORT_PATH, "--deploy-report-path");
  values.deployGraphPath = resolveGraphPath(values.deployGraphPath, "--deploy-graph-path");
  values.rollbackGraphPath = resolveGraphPath(values.rollbackGraphPath, "--rollback-graph-path");
  // werf passes any value on and the API server refuses it at the first deletion, mid-deploy; refuse it up front.
  if (!["", "Foreground", "Background", "Orphan"].includes(values.deletePropagation)) {
    throw new SlipwayError(`invalid --delete-propagation ${goQuote(values.deletePropagation)}: must be Foreground, Background or Orphan`, { code: "invalid-option" });
  }
  if (values.parallelTasksLimit <= 0) values.parallelTasksLimit = -1;

  const group = <G extends OptionGroup>(g: G): FlagGroup<G> => pickGroup(values, g);
  const options: ConvergeOptions = {
    project: group("project"),
    build: {
      ...group("build"),
      imageNames,
      buildReportFormat: buildReportPath.format,
      buildReportPathExplicit: buildReportPath.explicit,
    },
    values: group("values"),
    deploy: {
      ...group("deploy"),
      addAnnotationMap: keyValueMap(values.addAnnotation, "--add-annotation"),
      addLabelMap: keyValueMap(values.addLabel, "--add-label"),
      releaseLabelMap: keyValueMap(values.releaseLabel, "--release-label"),
    },
    kube: { ...group("kube"), kubeConfigPathMergeList: kubeConfigMergeList(env) },
    log: {
      ...group("log"),
      logLevel: values.logDebug ? "debug" : values.logVerbose ? "verbose" : values.logQuiet ? "quiet" : "default",
    },
    acceptedOnly: FLAG_SPECS.filter(
      (spec) => spec.acceptedOnly === true && (parsed.changed.has(spec.key) || JSON.stringify(parsed.values[spec.key]) !== JSON.stringify(spec.default)),
    ).map((spec) => `--${spec.name}`),
  };
  return { help: false, options };
}

const GROUP_KEYS: ReadonlyMap<OptionGroup, readonly string[]> = (() => {
  const keys = new Map<OptionGroup, string[]>();
  for (const spec of CONVERGE_FLAGS) {
    const list = keys.get(spec.group) ?? [];
    if (!list.includes(spec.key)) list.push(spec.key);
    keys.set(spec.group, list);
  }
  return keys;
})();

/** The fields of one group, by the group tags of the flag table. */
function pickGroup<G extends OptionGroup>(values: ConvergeFlagValues, group: G): FlagGroup<G> {
  const all = values as unknown as Readonly<Record<string, unknown>>;
  const picked = Object.fromEntries((GROUP_KEYS.get(group) ?? []).map((key) => [key, all[key]]));
  return picked as FlagGroup<G>;
}

/** Validates the colour mode and returns the terminal width, resolved with $WERF_LOG_TERMINAL_WIDTH. */
function resolveLogOptions(values: ConvergeFlagValues, env: Env): number {
  const mode: string = values.logColorMode;
  if (mode !== "auto" && mode !== "on" && mode !== "off") {
    throw new LogOptionsError(`bad log color mode ${goQuote(mode)}: on, off and auto modes are supported`);
  }
  const width = values.logTerminalWidth;
  if (width !== -1) {
    if (width < 0) throw new LogOptionsError(`--log-terminal-width parameter (${width}) can not be negative`);
    return width;
  }
  const raw = env.WERF_LOG_TERMINAL_WIDTH ?? "";
  if (raw === "") return -1;
  let fromEnv: number;
  try {
    fromEnv = parseGoInt(raw, 10);
  } catch (err) {
    const detail = err instanceof ValueSyntaxError ? err.message : String(err);
    throw new LogOptionsError(`bad WERF_LOG_TERMINAL_WIDTH variable value ${goQuote(raw)}: ${detail}`, err);
  }
  if (fromEnv < 0) throw new LogOptionsError(`WERF_LOG_TERMINAL_WIDTH value (${raw}) can not be negative`);
  return fromEnv;
}

function resolveBuildReportPath(path: string): { path: string; format: BuildReportFormat; explicit: boolean } {
  if (path === "") return { path: DEFAULT_BUILD_REPORT_PATH, format: "json", explicit: false };
  switch (goExt(path)) {
    case ".json":
      return { path, format: "json", explicit: true };
    case ".env":
      return { path, format: "envfile", explicit: true };
    case "":
      return { path: `${path}.json`, format: "json", explicit: true };
    default:
      throw new SlipwayError(
        `invalid --build-report-path ${goQuote(path)}: extension must be either .json or .env or unspecified`,
        { code: "invalid-option" },
      );
  }
}

function resolveReportPath(path: string, fallback: string, flag: string): string {
  const value = path === "" ? fallback : path;
  switch (goExt(value)) {
    case ".json":
      return value;
    case "":
      return `${value}.json`;
    default:
      throw new SlipwayError(`invalid ${flag} ${goQuote(value)}: extension must be either .json or unspecified`, {
        code: "invalid-option",
      });
  }
}

function resolveGraphPath(path: string, flag: string): string {
  if (path.trim() === "") return "";
  switch (goExt(path)) {
    case ".dot":
      return path;
    case "":
      return `${path}.dot`;
    default:
      throw new SlipwayError(`invalid ${flag} ${goQuote(path)}: extension must be either .dot or unspecified`, {
        code: "invalid-option",
      });
  }
}

/** werf's keyValueArrayToMap: every item is `key=value` with a non-empty key; later items win. */
function keyValueMap(items: readonly string[], flag: string): Record<string, string> {
  const entries: Array<[string, string]> = [];
  for (const item of items) {
    const at = item.indexOf("=");
    if (at <= 0) {
      throw new SlipwayError(`invalid ${flag} value: invalid key=value pair ${goQuote(item)} ("=")`, {
        code: "invalid-option",
      });
    }
    entries.push([item.slice(0, at), item.slice(at + 1)]);
  }
  return Object.fromEntries(entries);
}

export function kubeConfigMergeList(env: Env): string[] {
  const found = firstEnv(env, ["WERF_KUBE_CONFIG", "WERF_KUBECONFIG", "KUBECONFIG"]);
  // Go's filepath.SplitList drops nothing but returns no elements for an empty string.
  return found === undefined ? [] : found.value.split(":");
}

/** Help text of `converge`, listing every visible flag with its default and variables. */
export function convergeHelp(programName: string): string {
  return commandHelp(programName, {
    command: "converge",
    summary: "Build and push images, then deploy the application into Kubernetes",
    example: "# Build and deploy the current state of the application into the production environment",
    exampleArgs: "--repo registry.mydomain.com/web --env production",
  });
}

/** The help of a command that takes converge's flags (converge, build, plan, rollback, dismiss). */
export function commandHelp(programName: string, c: { command: string; summary: string; example: string; exampleArgs: string }): string {
  return renderCommandHelp({
    summary: c.summary,
    usage: `${programName} ${c.command} [options]`,
    examples: [c.example, `${programName} ${c.command} ${c.exampleArgs}`].join("\n"),
    flags: renderFlagsHelp(FLAG_SPECS, c.command),
    footer:
      "Variables: a flag given on the command line beats its variable. Bool variables count as true only when exactly " +
      "1, true or yes (false only when exactly 0, false or no for flags that default to true).",
  });
}
