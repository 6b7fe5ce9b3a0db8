import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../../src/errors.js";
import { CONVERGE_FLAGS, KUBE_OPTION_KEYS, LogOptionsError, parseConvergeArgs } from "../../../src/cli/options.js";
import { convergeOptions as parse } from "./cli-harness.js";

function parseError(args: readonly string[], env: Record<string, string> = {}): SlipwayError {
  try {
    parseConvergeArgs(args, env);
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(args)} to fail`);
}

// Every flag of reference sections 1.1-1.5 (werf v2.77 `werf converge`), including hidden aliases and the
// feature-gated resource validation flags.
const REFERENCE_FLAGS = [
  // 1.1
  "dir", "git-work-tree", "config", "config-templates-dir", "config-render-path", "giterminism-config", "dev",
  "dev-branch", "dev-ignore", "loose-giterminism", "allow-includes-update", "debug-templates", "env", "follow",
  "virtual-merge", "tmp-dir", "home-dir", "ssh-key", "project-name", "skip-image-spec-stage",
  // 1.2
  "repo", "repo-container-registry", "repo-docker-hub-username", "repo-docker-hub-password", "repo-docker-hub-token",
  "repo-github-token", "repo-harbor-username", "repo-harbor-password", "repo-quay-token", "final-repo",
  "final-repo-container-registry", "final-repo-docker-hub-username", "final-repo-docker-hub-password",
  "final-repo-docker-hub-token", "final-repo-github-token", "final-repo-harbor-username",
  "final-repo-harbor-password", "final-repo-quay-token", "secondary-repo", "cache-repo", "insecure-registry",
  "skip-tls-verify-registry", "docker-config", "container-registry-mirror", "require-built-images",
  "use-build-report", "save-build-report", "build-report-path", "add-custom-tag", "use-custom-tag",
  "final-images-only", "without-images", "parallel", "parallel-tasks-limit", "platform", "backend-network",
  "synchronization", "introspect-stage", "introspect-error", "introspect-before-error", "disable-auto-host-cleanup",
  "allowed-backend-storage-volume-usage", "allowed-docker-storage-volume-usage",
  "allowed-backend-storage-volume-usage-margin", "allowed-docker-storage-volume-usage-margin",
  "allowed-local-cache-volume-usage", "allowed-local-cache-volume-usage-margin", "backend-storage-path",
  "docker-server-storage-path",
  // 1.3
  "namespace", "release", "values", "set", "set-string", "set-file", "set-json", "set-literal", "set-root-json",
  "set-runtime-json", "secret-values", "secret-key", "ignore-secret-key", "disable-default-values",
  "disable-default-secret-values", "set-docker-config-json-value", "add-annotation", "add-label",
  "runtime-annotations", "runtime-labels", "release-label", "release-info-annotations", "release-storage",
  "release-storage-sql-connection", "releases-history-max", "timeout", "auto-rollback", "atomic",
  "no-final-tracking", "no-pod-logs", "status-progress-period", "hooks-status-progress-period", "no-install-crds",
  "no-create-namespace", "no-remove-manual-changes", "no-notes", "render-subchart-notes", "force-adoption",
  "delete-propagation", "network-parallelism", "templates-allow-dns", "skip-dependencies-repo-refresh",
  "insecure-helm-dependencies", "skip-tls-verify-helm-dependencies", "provenance-keyring", "provenance-strategy",
  "save-deploy-report", "deploy-report-path", "deploy-graph-path", "rollback-graph-path", "use-plan",
  "plan-lifetime", "ignore-bundle-js", "deno-binary-path", "no-resource-validation", "local-resource-validation",
  "resource-validation-kube-version", "resource-validation-skip", "resource-validation-schema",
  "resource-validation-extra-schema", "resource-validation-cache-lifetime",
  // 1.4
  "kube-context", "kube-config", "kube-config-base64", "kube-api-server", "kube-token", "kube-token-path",
  "kube-ca-path", "kube-ca-data", "kube-cert", "kube-cert-data", "kube-key", "kube-key-data", "kube-tls-server",
  "kube-auth-username", "kube-auth-password", "kube-auth-provider", "kube-auth-provider-config",
  "kube-context-cluster", "kube-context-user", "kube-impersonate-user", "kube-impersonate-uid",
  "kube-impersonate-group", "kube-proxy-url", "kube-qps-limit", "kube-burst-limit", "kube-request-timeout",
  "skip-tls-verify-kube",
  // 1.5
  "log-color-mode", "log-quiet", "quiet", "log-verbose", "verbose", "log-debug", "debug", "log-pretty",
  "log-terminal-width", "log-time", "log-time-format", "log-project-dir",
];
const REFERENCE_SHORTS = { N: "project-name", Z: "require-built-images", p: "parallel", S: "synchronization", t: "timeout", R: "auto-rollback", L: "skip-dependencies-repo-refresh" };

function allNames(): string[] {
  return CONVERGE_FLAGS.flatMap((spec) => [spec.name, ...("aliases" in spec ? spec.aliases.map((a) => a.name) : [])]);
}

describe("the converge flag table", () => {
  it("covers every flag of the reference, and nothing twice", () => {
    const names = allNames();
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...REFERENCE_FLAGS].sort());
  });

  it("has werf's shorthands", () => {
    const shorts = Object.fromEntries(
      CONVERGE_FLAGS.flatMap((spec) => ("short" in spec ? [[spec.short, spec.name] as const] : [])),
    );
    expect(shorts).toEqual(REFERENCE_SHORTS);
  });

  it("names each options field after its flag in camelCase (--atomic shares --auto-rollback's field)", () => {
    for (const spec of CONVERGE_FLAGS) {
      const camel = spec.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      expect(spec.key).toBe(spec.name === "atomic" ? "autoRollback" : camel);
    }
  });

  it("accepts every flag on the command line", () => {
    const sample = (spec: (typeof CONVERGE_FLAGS)[number]): string => {
      switch (spec.kind) {
        case "bool":
          return `--${spec.name}`;
        case "int":
          return `--${spec.name}=7`;
        case "duration":
          return `--${spec.name}=90s`;
        case "key-value":
        case "string-array":
          return `--${spec.name}=a=b`;
        case "string":
          if (spec.name === "log-color-mode") return `--${spec.name}=off`;
          if (spec.name === "delete-propagation") return `--${spec.name}=Orphan`;
          if (spec.name.endsWith("-report-path")) return `--${spec.name}=out.json`;
          if (spec.name.endsWith("-graph-path")) return `--${spec.name}=out.dot`;
          return `--${spec.name}=value`;
      }
    };
    for (const spec of CONVERGE_FLAGS) {
      expect(() => parse([sample(spec)]), spec.name).not.toThrow();
    }
  });
});

describe("defaults", () => {
  it("match werf's with an empty environment", () => {
    const o = parse([]);
    expect(o).toMatchObject({
      repo: "",
      env: "",
      dev: false,
      devBranch: "_werf-dev",
      parallel: true,
      parallelTasksLimit: 5,
      finalImagesOnly: true,
      timeout: 0,
      autoRollback: false,
      releasesHistoryMax: 5,
      statusProgressPeriod: 5,
      networkParallelism: 30,
      kubeQpsLimit: 0,
      kubeBurstLimit: 0,
      kubeRequestTimeout: 0,
      planLifetime: 2 * 3_600_000,
      resourceValidationCacheLifetime: 48 * 3_600_000,
      logColorMode: "auto",
      logPretty: true,
      logTerminalWidth: -1,
      logTimeFormat: "2006-01-02T15:04:05Z07:00",
      logLevel: "default",
      buildReportPath: ".werf-build-report.json",
      buildReportFormat: "json",
      buildReportPathExplicit: false,
      deployReportPath: ".werf-deploy-report.json",
      deployGraphPath: "",
      allowedBackendStorageVolumeUsage: "70",
      allowedBackendStorageVolumeUsageMargin: "5",
      imageNames: [],
      kubeConfigPathMergeList: [],
      values: [],
      set: [],
      platform: [],
      runtimeAnnotations: {},
      addAnnotationMap: {},
    });
    expect(o.resourceValidationSchema).toHaveLength(2);
  });
});

describe("WERF_* variables", () => {
  it("provide defaults, and explicit flags beat them", () => {
    const env = { WERF_REPO: "env.example/app", WERF_ENV: "staging", WERF_TIMEOUT: "600", WERF_DEV: "true" };
    expect(parse([], env)).toMatchObject({ repo: "env.example/app", env: "staging", timeout: 600, dev: true });
    expect(parse(["--repo=cli.example/app", "--env", "prod", "-t", "30", "--dev=false"], env)).toMatchObject({
      repo: "cli.example/app",
      env: "prod",
      timeout: 30,
      dev: false,
    });
  });

  it.each([
    ["1", true],
    ["true", true],
    ["yes", true],
    ["TRUE", false],
    ["True", false],
    ["on", false],
    ["y", false],
    ["", false],
  ])("default-false bool: WERF_DEV=%j → %s", (value, expected) => {
    expect(parse([], { WERF_DEV: value }).dev).toBe(expected);
  });

  it.each([
    ["0", false],
    ["false", false],
    ["no", false],
    ["FALSE", true],
    ["off", true],
    ["", true],
  ])("default-true bool: WERF_PARALLEL=%j → %s", (value, expected) => {
    expect(parse([], { WERF_PARALLEL: value }).parallel).toBe(expected);
    expect(parse([], { WERF_FINAL_IMAGES_ONLY: value }).finalImagesOnly).toBe(expected);
  });

  it.each([
    ["yes", true],
    ["on", false],
    ["TRUE", false],
    ["false", false],
  ])("WERF_LOG_PRETTY=%j → %s (werf reads it with the default-false rule)", (value, expected) => {
    expect(parse([], { WERF_LOG_PRETTY: value }).logPretty).toBe(expected);
  });

  it("take the first non-empty variable of a chain", () => {
    expect(parse([], { DOCKER_CONFIG: "/d" }).dockerConfig).toBe("/d");
    expect(parse([], { DOCKER_CONFIG: "/d", WERF_DOCKER_CONFIG: "/w" }).dockerConfig).toBe("/w");
    expect(parse([], { HELM_DRIVER: "configmap" }).releaseStorage).toBe("configmap");
    expect(parse([], { KUBECONFIG_BASE64: "a2s=" }).kubeConfigBase64).toBe("a2s=");
    expect(parse([], { WERF_STATUS_PROGRESS_PERIOD: "9" }).statusProgressPeriod).toBe(9);
    expect(
      parse([], { WERF_STATUS_PROGRESS_PERIOD_SECONDS: "", WERF_STATUS_PROGRESS_PERIOD: "9" }).statusProgressPeriod,
    ).toBe(9);
    expect(
      parse([], { WERF_STATUS_PROGRESS_PERIOD_SECONDS: "3", WERF_STATUS_PROGRESS_PERIOD: "9" }).statusProgressPeriod,
    ).toBe(3);
    expect(parse([], { WERF_ALLOWED_DOCKER_STORAGE_VOLUME_USAGE: "80" }).allowedBackendStorageVolumeUsage).toBe("80");
  });

  it("read the first non-empty of WERF_LOG_DEBUG and WERF_DEBUG", () => {
    expect(parse([], { WERF_DEBUG: "1" }).logDebug).toBe(true);
    expect(parse([], { WERF_LOG_DEBUG: "0", WERF_DEBUG: "1" }).logDebug).toBe(false);
    expect(parse([], { WERF_QUIET: "yes" }).logQuiet).toBe(true);
    expect(parse([], { WERF_VERBOSE: "true" }).logVerbose).toBe(true);
  });

  it("give a clear error for malformed ints and durations", () => {
    expect(parseError([], { WERF_RELEASES_HISTORY_MAX: "five" }).message).toBe(
      'bad WERF_RELEASES_HISTORY_MAX variable value "five": strconv.ParseInt: parsing "five": invalid syntax',
    );
    // Variables are decimal only (flags accept Go's base prefixes).
    expect(parseError([], { WERF_TIMEOUT: "0x10" }).message).toBe(
      'bad WERF_TIMEOUT variable value "0x10": strconv.ParseInt: parsing "0x10": invalid syntax',
    );
    expect(parseError([], { WERF_KUBE_REQUEST_TIMEOUT: "soon" }).message).toBe(
      'bad WERF_KUBE_REQUEST_TIMEOUT variable value "soon": time: invalid duration "soon"',
    );
    expect(parseError([], { WERF_RUNTIME_ANNOTATIONS: "nokey" }).message).toBe(
      'bad WERF_RUNTIME_ANNOTATIONS variable value "nokey": nokey must be formatted as key=value',
    );
    expect(parseError([], { WERF_TIMEOUT: "x" }).code).toBe("invalid-option");
  });

  it("ignore a malformed WERF_PLAN_LIFETIME, as werf does", () => {
    expect(parse([], { WERF_PLAN_LIFETIME: "forever" }).planLifetime).toBe(2 * 3_600_000);
    expect(parse([], { WERF_PLAN_LIFETIME: "30m" }).planLifetime).toBe(30 * 60_000);
  });

  it("WERF_TMP_DIR and WERF_HOME beat their flags", () => {
    expect(parse(["--tmp-dir=/flag/tmp", "--home-dir=/flag/home"], {}).tmpDir).toBe("/flag/tmp");
    const o = parse(["--tmp-dir=/flag/tmp", "--home-dir=/flag/home"], { WERF_TMP_DIR: "/env/tmp", WERF_HOME: "/env/home" });
    expect(o.tmpDir).toBe("/env/tmp");
    expect(o.homeDir).toBe("/env/home");
    expect(parse([], { WERF_TMP_DIR: "/env/tmp" }).tmpDir).toBe("/env/tmp");
    expect(parse(["--tmp-dir=/flag/tmp"], { WERF_TMP_DIR: "" }).tmpDir).toBe("/flag/tmp");
  });

  it("split the kubeconfig merge list from WERF_KUBE_CONFIG, WERF_KUBECONFIG or KUBECONFIG", () => {
    expect(parse([], { KUBECONFIG: "/a:/b" }).kubeConfigPathMergeList).toEqual(["/a", "/b"]);
    expect(parse([], { KUBECONFIG: "/a", WERF_KUBECONFIG: "/w" }).kubeConfigPathMergeList).toEqual(["/w"]);
    expect(parse(["--kube-config=/flag"], { KUBECONFIG: "/a" })).toMatchObject({
      kubeConfig: "/flag",
      kubeConfigPathMergeList: ["/a"],
    });
  });
});

describe("--atomic and --auto-rollback", () => {
  it("take their default from WERF_ATOMIC only (WERF_AUTO_ROLLBACK alone has no effect)", () => {
    expect(parse([], { WERF_AUTO_ROLLBACK: "true" }).autoRollback).toBe(false);
    expect(parse([], { WERF_ATOMIC: "true" }).autoRollback).toBe(true);
    expect(parse([], { WERF_AUTO_ROLLBACK: "true", WERF_ATOMIC: "1" }).autoRollback).toBe(true);
  });

  it("both work on the command line; the last one wins", () => {
    expect(parse(["-R"]).autoRollback).toBe(true);
    expect(parse(["--atomic"]).autoRollback).toBe(true);
    expect(parse(["--auto-rollback", "--atomic=false"]).autoRollback).toBe(false);
    expect(parse(["--atomic=false", "--auto-rollback"]).autoRollback).toBe(true);
  });
});

describe("bool flags", () => {
  it.each([
    [["--dev"], true],
    [["--dev=true"], true],
    [["--dev=1"], true],
    [["--dev=T"], true],
    [["--dev=false"], false],
    [["--dev=0"], false],
    [["--dev=False"], false],
  ])("%j → %s", (args, expected) => {
    expect(parse(args).dev).toBe(expected);
    expect(parse(args, { WERF_DEV: "yes" }).dev).toBe(expected);
  });

  it("--flag=false overrides a true variable", () => {
    expect(parse(["--dev=false"], { WERF_DEV: "1" }).dev).toBe(false);
    expect(parse(["--parallel=false"]).parallel).toBe(false);
    expect(parse(["-p=false"]).parallel).toBe(false);
  });

  it("never take the next argument as their value", () => {
    const err = parseError(["--dev", "false"]);
    expect(err.code).toBe("usage");
    expect(err.message).toContain('got "false"');
  });

  it("aliases --debug, --quiet and --verbose set the log-* fields; debug beats verbose beats quiet", () => {
    expect(parse(["--debug"])).toMatchObject({ logDebug: true, logLevel: "debug" });
    expect(parse(["--quiet"])).toMatchObject({ logQuiet: true, logLevel: "quiet" });
    expect(parse(["--verbose", "--quiet"])).toMatchObject({ logLevel: "verbose" });
    expect(parse(["--log-quiet", "--log-verbose", "--log-debug"])).toMatchObject({ logLevel: "debug" });
  });
});

describe("shorthands", () => {
  it.each([
    [["-t", "600"]],
    [["-t600"]],
    [["-t=600"]],
    [["--timeout", "600"]],
    [["--timeout=600"]],
  ])("%j sets the timeout", (args) => {
    expect(parse(args).timeout).toBe(600);
  });

  it("groups bool shorthands and lets the last one take a value", () => {
    expect(parse(["-Zp"], { WERF_PARALLEL: "0" })).toMatchObject({ requireBuiltImages: true, parallel: true });
    expect(parse(["-Zp=false"])).toMatchObject({ requireBuiltImages: true, parallel: false });
    expect(parse(["-RZt", "5"])).toMatchObject({ autoRollback: true, requireBuiltImages: true, timeout: 5 });
  });

  it("int flags accept Go's base prefixes", () => {
    expect(parse(["--timeout=0x10"]).timeout).toBe(16);
    expect(parse(["--timeout=1_000"]).timeout).toBe(1000);
    expect(parse(["--timeout=-1"]).timeout).toBe(-1);
  });
});

describe("string and string-array flags", () => {
  it("a value flag takes the next argument even when it looks like a flag, as pflag does", () => {
    expect(parse(["--repo", "--dev"])).toMatchObject({ repo: "--dev", dev: false });
    expect(parse(["--repo="]).repo).toBe("");
  });

  it("repeat and keep their order", () => {
    expect(parse(["--values", "a.yaml", "--values=b.yaml", "--set", "x=1,y=2"])).toMatchObject({
      values: ["a.yaml", "b.yaml"],
      set: ["x=1,y=2"],
    });
  });

  it("collect prefixed variables sorted by KEY=VALUE, before the CLI values", () => {
    const env = {
      WERF_VALUES_B: "b.yaml",
      WERF_VALUES_A: "a.yaml",
      WERF_VALUES_2: "two.yaml",
      WERF_VALUES_10: "ten.yaml",
      WERF_VALUES_X: "x.yaml",
      WERF_VALUES_X1: "x1.yaml",
    };
    // "WERF_VALUES_X1=..." sorts before "WERF_VALUES_X=..." because '1' < '='.
    expect(parse(["--values", "cli1.yaml", "--values=cli2.yaml"], env).values).toEqual([
      "ten.yaml",
      "two.yaml",
      "a.yaml",
      "b.yaml",
      "x1.yaml",
      "x.yaml",
      "cli1.yaml",
      "cli2.yaml",
    ]);
  });

  it("feed WERF_SET_JSON_*, WERF_SET_LITERAL_* and friends into --set too (werf's prefix quirk)", () => {
    const o = parse(["--set", "cli=1"], {
      WERF_SET_A: "a=1",
      WERF_SET_STRING_B: "b=2",
      WERF_SET_FILE_C: "c=file.txt",
      WERF_SET_JSON_D: 'd={"k":1}',
      WERF_SET_LITERAL_E: "e=x",
      WERF_SET_RUNTIME_JSON_F: "f=1",
      WERF_SET_DOCKER_CONFIG_JSON_VALUE: "1",
    });
    expect(o.set).toEqual(["a=1", 'd={"k":1}', "e=x", "f=1", "cli=1"]);
    expect(o.setString).toEqual(["b=2"]);
    expect(o.setFile).toEqual(["c=file.txt"]);
    expect(o.setJson).toEqual(['d={"k":1}']);
    expect(o.setLiteral).toEqual(["e=x"]);
    expect(o.setRuntimeJson).toEqual(["f=1"]);
    expect(o.setDockerConfigJsonValue).toBe(true);
  });

  it("collect the other prefixes the same way", () => {
    const o = parse(["--add-annotation=team=web"], {
      WERF_ADD_ANNOTATION_PROJECT_GIT: "project.werf.io/git=https://git.example/app",
      WERF_ADD_ANNOTATION_CI_COMMIT: "ci.werf.io/commit=abc123",
      WERF_ADD_LABEL_1: "tier=frontend",
      WERF_SECRET_VALUES_DB: ".helm/secret_db.yaml",
      WERF_KUBE_IMPERSONATE_GROUP_1: "admins",
    });
    expect(o.addAnnotation).toEqual([
      "ci.werf.io/commit=abc123",
      "project.werf.io/git=https://git.example/app",
      "team=web",
    ]);
    expect(o.addAnnotationMap).toEqual({
      "ci.werf.io/commit": "abc123",
      "project.werf.io/git": "https://git.example/app",
      team: "web",
    });
    expect(o.addLabelMap).toEqual({ tier: "frontend" });
    expect(o.secretValues).toEqual([".helm/secret_db.yaml"]);
    expect(o.kubeImpersonateGroup).toEqual(["admins"]);
  });

  it("--platform defaults to WERF_PLATFORM, then DOCKER_DEFAULT_PLATFORM; a flag replaces it", () => {
    expect(parse([], { DOCKER_DEFAULT_PLATFORM: "linux/arm64" }).platform).toEqual(["linux/arm64"]);
    expect(parse([], { WERF_PLATFORM: "linux/amd64", DOCKER_DEFAULT_PLATFORM: "linux/arm64" }).platform).toEqual([
      "linux/amd64",
    ]);
    expect(
      parse(["--platform", "linux/s390x", "--platform=linux/ppc64le"], { WERF_PLATFORM: "linux/amd64" }).platform,
    ).toEqual(["linux/s390x", "linux/ppc64le"]);
  });

  it("resource validation schemas: variables replace the defaults, flags replace both", () => {
    expect(parse([], { WERF_RESOURCE_VALIDATION_SCHEMA_1: "https://s/1" }).resourceValidationSchema).toEqual([
      "https://s/1",
    ]);
    expect(
      parse(["--resource-validation-schema=/abs"], { WERF_RESOURCE_VALIDATION_SCHEMA_1: "https://s/1" })
        .resourceValidationSchema,
    ).toEqual(["/abs"]);
  });
});

describe("key=value map flags", () => {
  it("parse comma-separated pairs, merge repeats and replace the variable's map", () => {
    expect(parse(["--runtime-annotations", "a=1,b=2", "--runtime-annotations=c=3"]).runtimeAnnotations).toEqual({
      a: "1",
      b: "2",
      c: "3",
    });
    expect(parse([], { WERF_RUNTIME_LABELS: "x=1,y=2" }).runtimeLabels).toEqual({ x: "1", y: "2" });
    expect(parse(["--runtime-labels=a=1"], { WERF_RUNTIME_LABELS: "x=1" }).runtimeLabels).toEqual({ a: "1" });
    expect(parse(['--release-info-annotations="a=1,2",b=3']).releaseInfoAnnotations).toEqual({ a: "1,2", b: "3" });
  });

  it("reject a value without =", () => {
    expect(parseError(["--kube-auth-provider-config=nokey"]).message).toBe(
      'invalid argument "nokey" for "--kube-auth-provider-config" flag: nokey must be formatted as key=value',
    );
  });
});

describe("durations", () => {
  it("use Go syntax and come out in milliseconds", () => {
    expect(parse(["--plan-lifetime=90m"]).planLifetime).toBe(90 * 60_000);
    expect(parse(["--plan-lifetime=1h30m"]).planLifetime).toBe(90 * 60_000);
    expect(parse(["--kube-request-timeout=1.5s"]).kubeRequestTimeout).toBe(1500);
    expect(parse([], { WERF_KUBE_REQUEST_TIMEOUT: "250ms" }).kubeRequestTimeout).toBe(250);
  });
});

describe("normalisation", () => {
  it.each([
    ["0", -1],
    ["-5", -1],
    ["3", 3],
  ])("--parallel-tasks-limit=%s → %d", (value, expected) => {
    expect(parse([`--parallel-tasks-limit=${value}`]).parallelTasksLimit).toBe(expected);
  });

  it("WERF_PARALLEL_TASKS_LIMIT is a default the flag beats", () => {
    expect(parse([], { WERF_PARALLEL_TASKS_LIMIT: "8" }).parallelTasksLimit).toBe(8);
    expect(parse(["--parallel-tasks-limit=2"], { WERF_PARALLEL_TASKS_LIMIT: "8" }).parallelTasksLimit).toBe(2);
  });

  it.each([
    ["report", "report.json", "json"],
    ["report.json", "report.json", "json"],
    ["report.env", "report.env", "envfile"],
    ["out.v1/report", "out.v1/report.json", "json"],
  ])("--build-report-path=%s → %s (%s)", (value, path, format) => {
    expect(parse([`--build-report-path=${value}`])).toMatchObject({
      buildReportPath: path,
      buildReportFormat: format,
      buildReportPathExplicit: true,
    });
  });

  it("takes the build report path from WERF_BUILD_REPORT_PATH too", () => {
    expect(parse([], { WERF_BUILD_REPORT_PATH: "r.env" })).toMatchObject({
      buildReportPath: "r.env",
      buildReportFormat: "envfile",
      buildReportPathExplicit: true,
    });
  });

  it("completes report and graph paths", () => {
    expect(parse(["--deploy-report-path=deploy"]).deployReportPath).toBe("deploy.json");
    expect(parse(["--deploy-graph-path=plan", "--rollback-graph-path=rb.dot"])).toMatchObject({
      deployGraphPath: "plan.dot",
      rollbackGraphPath: "rb.dot",
    });
  });
});

describe("validation", () => {
  it.each([
    [["--build-report-path=r.yaml"], 'invalid --build-report-path "r.yaml": extension must be either .json or .env or unspecified'],
    [["--deploy-report-path=d.env"], 'invalid --deploy-report-path "d.env": extension must be either .json or unspecified'],
    [["--deploy-graph-path=g.png"], 'invalid --deploy-graph-path "g.png": extension must be either .dot or unspecified'],
    [["--rollback-graph-path=g.svg"], 'invalid --rollback-graph-path "g.svg": extension must be either .dot or unspecified'],
    [["--add-annotation=novalue"], 'invalid --add-annotation value: invalid key=value pair "novalue" ("=")'],
    [["--add-annotation==v"], 'invalid --add-annotation value: invalid key=value pair "=v" ("=")'],
    [["--add-label=tier"], 'invalid --add-label value: invalid key=value pair "tier" ("=")'],
    [["--release-label=x"], 'invalid --release-label value: invalid key=value pair "x" ("=")'],
  ])("%j → %s", (args, message) => {
    const err = parseError(args);
    expect(err.message).toBe(message);
    expect(err.code).toBe("invalid-option");
    expect(err).not.toBeInstanceOf(LogOptionsError);
  });

  it("checks annotations that come from variables too", () => {
    expect(parseError([], { WERF_ADD_ANNOTATION_X: "broken" }).message).toBe(
      'invalid --add-annotation value: invalid key=value pair "broken" ("=")',
    );
  });

  it("keeps everything after the first = as the value", () => {
    expect(parse(["--add-annotation=k=v=w"]).addAnnotationMap).toEqual({ k: "v=w" });
  });

  it.each(["auto", "on", "off"])("accepts --log-color-mode=%s", (mode) => {
    expect(parse([`--log-color-mode=${mode}`]).logColorMode).toBe(mode);
  });

  it("rejects other colour modes, from a flag or the variable", () => {
    for (const [args, env] of [
      [["--log-color-mode=always"], {}],
      [[], { WERF_LOG_COLOR_MODE: "always" }],
    ] as const) {
      const err = parseError(args, env);
      expect(err).toBeInstanceOf(LogOptionsError);
      expect(err.message).toBe('bad log color mode "always": on, off and auto modes are supported');
    }
  });

  it("resolves and checks the terminal width", () => {
    expect(parse([], { WERF_LOG_TERMINAL_WIDTH: "130" }).logTerminalWidth).toBe(130);
    expect(parse(["--log-terminal-width=80"], { WERF_LOG_TERMINAL_WIDTH: "130" }).logTerminalWidth).toBe(80);
    expect(parse(["--log-terminal-width=0"]).logTerminalWidth).toBe(0);
    expect(parseError(["--log-terminal-width=-5"]).message).toBe(
      "--log-terminal-width parameter (-5) can not be negative",
    );
    expect(parseError([], { WERF_LOG_TERMINAL_WIDTH: "-3" }).message).toBe(
      "WERF_LOG_TERMINAL_WIDTH value (-3) can not be negative",
    );
    expect(parseError([], { WERF_LOG_TERMINAL_WIDTH: "wide" }).message).toBe(
      'bad WERF_LOG_TERMINAL_WIDTH variable value "wide": strconv.ParseInt: parsing "wide": invalid syntax',
    );
  });
});

describe("positional arguments", () => {
  it("are image names only with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1", () => {
    expect(parse(["backend", "--dev", "front*"], { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "1" })).toMatchObject({
      imageNames: ["backend", "front*"],
      dev: true,
    });
    const err = parseError(["backend"], { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "TRUE" });
    expect(err.code).toBe("usage");
    expect(err.message).toBe(
      'converge accepts no positional arguments, got "backend"; image names are accepted only with WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1',
    );
  });

  it("are always image names for build, as `werf build [IMAGE_NAME...]`", () => {
    const parsed = parseConvergeArgs(["backend", "api-*"], {}, "build");
    expect(parsed.help === false && parsed.options.build.imageNames).toEqual(["backend", "api-*"]);
  });

  it("after -- are positional even when they look like flags", () => {
    expect(parse(["--", "--dev"], { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "yes" })).toMatchObject({
      imageNames: ["--dev"],
      dev: false,
    });
  });
});

describe("help", () => {
  it.each([[["--help"]], [["-h"]], [["--repo", "x", "-h"]], [["--help=true"]]])("%j requests help", (args) => {
    expect(parseConvergeArgs(args, {})).toEqual({ help: true });
  });

  it("--help=false does not", () => {
    expect(parseConvergeArgs(["--help=false"], {}).help).toBe(false);
  });
});

describe("option groups", () => {
  it("give each phase its own group, derived from the group tag of each flag", () => {
    const parsed = parseConvergeArgs(["--repo=r.example/app", "--env=prod", "--set=a=1", "--namespace=ns", "--kube-context=c", "--log-quiet"], {});
    if (parsed.help) throw new Error("unexpected help");
    const o = parsed.options;
    expect(o.build.repo).toBe("r.example/app");
    expect(o.project.env).toBe("prod");
    expect(o.values.set).toEqual(["a=1"]);
    expect(o.deploy.namespace).toBe("ns");
    expect(o.kube.kubeContext).toBe("c");
    expect(o.log.logQuiet).toBe(true);
    expect(o.log.logLevel).toBe("quiet");
    for (const spec of CONVERGE_FLAGS) {
      expect(Object.keys(o[spec.group]), spec.name).toContain(spec.key);
    }
    const groups = [o.project, o.build, o.values, o.deploy, o.kube, o.log].map((g) => Object.keys(g));
    const all = groups.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it("carry exactly the Kubernetes connection fields in the kube group", () => {
    const o = parse([]);
    const parsed = parseConvergeArgs([], {});
    if (parsed.help) throw new Error("unexpected help");
    expect(Object.keys(parsed.options.kube).sort()).toEqual([...KUBE_OPTION_KEYS].sort());
    expect(KUBE_OPTION_KEYS).toHaveLength(25);
    expect(KUBE_OPTION_KEYS).not.toContain("kubeAuthProvider");
    expect(o.kubeQpsLimit).toBe(0);
  });
});
