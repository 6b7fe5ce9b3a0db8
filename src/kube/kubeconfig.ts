/**
 * @module kube/kubeconfig
 *
 * Resolves where and as whom to talk to Kubernetes, the way kubectl (client-go's clientcmd) does.
 * Takes the CLI's connection options (`KubeConnectionOptions`, "" and 0 mean unset) and the environment; gives a
 * `Connection`: plain data with every credential file already read (except token files, which are re-read).
 *
 * Sources: `--kube-config-base64` beats `--kube-config` (a single file, which must exist), which beats the merge
 * list from $WERF_KUBE_CONFIG/$WERF_KUBECONFIG/$KUBECONFIG (missing files skipped; the first file to define a
 * context/cluster/user name or current-context wins; relative paths resolve against the defining file's
 * directory), then ~/.kube/config. When that yields no server at all, the in-cluster service account is used.
 * Flags override the chosen entries with clientcmd's rules (a CA flag or --skip-tls-verify-kube replaces every
 * CA setting, --kube-api-server clears the file's tls-server-name, a cert flag replaces both cert fields...).
 *
 * No network. Must not import the HTTP client or anything outside src/errors.ts, src/util and this directory.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { SlipwayError } from "../errors.js";
import { goPathError } from "../util/go-errors.js";

/** The CLI's connection flags (names as in ConvergeFlagValues); "" / 0 / [] / false mean "not given". */
export interface KubeConnectionOptions {
  readonly kubeContext?: string | undefined;
  /** A single kubeconfig path given by flag; it must exist and is not merged with anything. */
  readonly kubeConfig?: string | undefined;
  readonly kubeConfigBase64?: string | undefined;
  /** Paths from $WERF_KUBE_CONFIG / $WERF_KUBECONFIG / $KUBECONFIG, already split. */
  readonly kubeConfigPathMergeList?: readonly string[] | undefined;
  readonly kubeApiServer?: string | undefined;
  readonly kubeToken?: string | undefined;
  readonly kubeTokenPath?: string | undefined;
  readonly kubeCaPath?: string | undefined;
  /** PEM, or base64 of PEM (as kubeconfig's certificate-authority-data). */
  readonly kubeCaData?: string | undefined;
  readonly kubeCert?: string | undefined;
  readonly kubeCertData?: string | undefined;
  readonly kubeKey?: string | undefined;
  readonly kubeKeyData?: string | undefined;
  readonly kubeTlsServer?: string | undefined;
  readonly kubeAuthUsername?: string | undefined;
  readonly kubeAuthPassword?: string | undefined;
  readonly kubeContextCluster?: string | undefined;
  readonly kubeContextUser?: string | undefined;
  readonly kubeImpersonateUser?: string | undefined;
  readonly kubeImpersonateUid?: string | undefined;
  readonly kubeImpersonateGroup?: readonly string[] | undefined;
  readonly kubeProxyUrl?: string | undefined;
  /** 0 = werf's default 30. */
  readonly kubeQpsLimit?: number | undefined;
  /** 0 = werf's default 100. */
  readonly kubeBurstLimit?: number | undefined;
  /** Milliseconds; 0 = none. */
  readonly kubeRequestTimeout?: number | undefined;
  readonly skipTlsVerifyKube?: boolean | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: "client.authentication.k8s.io/v1" | "client.authentication.k8s.io/v1beta1";
  readonly installHint: string;
  readonly provideClusterInfo: boolean;
  /** The user's entry name, for messages. */
  readonly user: string;
}

/** Everything needed to open connections, credentials already read from files. */
export interface Connection {
  /** No trailing slash; may carry a path prefix (Rancher-style proxies). */
  readonly server: string;
  readonly contextName: string;
  readonly namespace: string;
  /** What the settings came from, for messages: a file list, `--kube-config-base64` or `in-cluster`. */
  readonly source: string;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly token?: string | undefined;
  /** Re-read while running (rotated service-account tokens); when readable it beats `token`, as in client-go. */
  readonly tokenFile?: string | undefined;
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  readonly exec?: ExecConfig | undefined;
  readonly insecure: boolean;
  readonly tlsServerName?: string | undefined;
  readonly proxyUrl?: string | undefined;
  readonly impersonateUser?: string | undefined;
  readonly impersonateUid?: string | undefined;
  readonly impersonateGroups: readonly string[];
}

/** Where the in-cluster files live; tests point it elsewhere. */
export interface ResolveSeams {
  readonly serviceAccountDir?: string;
  readonly cwd?: string;
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

interface RawCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
}
interface RawExec {
  command?: string;
  args?: string[] | null;
  env?: { name: string; value: string }[] | null;
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
}
interface RawUser {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  username?: string;
  password?: string;
  as?: string;
  "as-uid"?: string;
  "as-groups"?: string[] | null;
  exec?: RawExec | null;
  "auth-provider"?: { name?: string } | null;
}
interface RawContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** A merged kubeconfig: file paths in entries are already absolute (kubectl's ResolveLocalPaths). */
interface Merged {
  currentContext: string;
  clusters: Map<string, RawCluster>;
  users: Map<string, RawUser>;
  contexts: Map<string, RawContext>;
  /** The files read (or `--kube-config-base64`), for messages. */
  sources: string[];
  /** Files of the merge list that do not exist (skipped, as client-go skips them), for messages. */
  missing: string[];
}

function kubeError(message: string, cause?: unknown): SlipwayError {
  return new SlipwayError(message, { code: "kube", ...(cause === undefined ? {} : { cause }) });
}

/** Go's wording for a failed file operation (`open /x: no such file or directory`). */
export function goFileError(op: string, path: string, err: unknown): string {
  return goPathError(op, path, err);
}

function given(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

function absolute(path: string | undefined, dir: string): string | undefined {
  if (!given(path)) return undefined;
  return isAbsolute(path) ? path : resolve(dir, path);
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function mergeDocument(merged: Merged, text: string, dir: string, source: string): void {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw kubeError(`error loading config file "${source}": ${(err as Error).message}`);
  }
  merged.sources.push(source);
  if (doc === null || doc === undefined) return;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw kubeError(`error loading config file "${source}": couldn't get version/kind; json parse error`);
  }
  const config = doc as Record<string, unknown>;
  const current = asString(config["current-context"]);
  if (merged.currentContext === "" && given(current)) merged.currentContext = current;
  const entries = (key: string, field: string): [string, Record<string, unknown>][] => {
    const list = config[key];
    if (!Array.isArray(list)) return [];
    const out: [string, Record<string, unknown>][] = [];
    for (const item of list as unknown[]) {
      if (item === null || typeof item !== "object") continue;
      const name = asString((item as Record<string, unknown>)["name"]);
      const body = (item as Record<string, unknown>)[field];
      if (name === undefined) continue;
      out.push([name, body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {}]);
    }
    return out;
  };
  for (const [name, body] of entries("clusters", "cluster")) {
    if (merged.clusters.has(name)) continue;
    const cluster = { ...body } as RawCluster;
    const ca = absolute(cluster["certificate-authority"], dir);
    if (ca !== undefined) cluster["certificate-authority"] = ca;
    merged.clusters.set(name, cluster);
  }
  for (const [name, body] of entries("users", "user")) {
    if (merged.users.has(name)) continue;
    const user = { ...body } as RawUser;
    for (const key of ["client-certificate", "client-key", "tokenFile"] as const) {
      const path = absolute(user[key], dir);
      if (path !== undefined) user[key] = path;
    }
    const exec = user.exec;
    // A bare command name is looked up on $PATH; only a command with a directory part is file-relative.
    if (exec !== undefined && exec !== null && given(exec.command) && exec.command.includes("/") && !isAbsolute(exec.command)) {
      user.exec = { ...exec, command: resolve(dir, exec.command) };
    }
    merged.users.set(name, user);
  }
  for (const [name, body] of entries("contexts", "context")) {
    if (!merged.contexts.has(name)) merged.contexts.set(name, body);
  }
}

function loadMerged(options: KubeConnectionOptions, env: Env, cwd: string): Merged {
  const merged: Merged = { currentContext: "", clusters: new Map(), users: new Map(), contexts: new Map(), sources: [], missing: [] };
  if (given(options.kubeConfigBase64)) {
    const text = Buffer.from(options.kubeConfigBase64, "base64").toString("utf8");
    mergeDocument(merged, text, cwd, "--kube-config-base64");
    return merged;
  }
  let files: { path: string; required: boolean }[];
  if (given(options.kubeConfig)) {
    files = [{ path: resolve(cwd, options.kubeConfig), required: true }];
  } else {
    const list = (options.kubeConfigPathMergeList ?? []).filter(given);
    files =
      list.length > 0
        ? list.map((path) => ({ path: resolve(cwd, path), required: false }))
        : [{ path: join(env["HOME"] ?? homedir(), ".kube", "config"), required: false }];
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) continue;
    seen.add(file.path);
    let text: string;
    try {
      text = readFileSync(file.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && !file.required) {
        merged.missing.push(file.path);
        continue;
      }
      throw kubeError(goFileError((err as NodeJS.ErrnoException).code === "ENOENT" ? "stat" : "open", file.path, err));
    }
    mergeDocument(merged, text, dirname(file.path), file.path);
  }
  return merged;
}

/** base64 as kubeconfig's *-data fields, or PEM given as-is (werf's --kube-*-data flags accept either). */
function pemOrBase64(value: string): Buffer {
  return value.includes("-----BEGIN") ? Buffer.from(value) : Buffer.from(value, "base64");
}

function readCredentialFile(kind: string, path: string, owner: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw kubeError(`invalid configuration: unable to read ${kind} ${path} for ${owner} due to ${goFileError("open", path, err)}`);
  }
}

function describeSources(merged: Merged): string {
  if (merged.sources.length === 0) return "no kubeconfig";
  return merged.sources.length === 1 ? `kubeconfig ${merged.sources[0] ?? ""}` : `kubeconfig ${merged.sources.join(":")}`;
}

function inClusterPossible(env: Env, dir: string): boolean {
  if (!given(env["KUBERNETES_SERVICE_HOST"]) || !given(env["KUBERNETES_SERVICE_PORT"])) return false;
  try {
    return !statSync(join(dir, "token")).isDirectory();
  } catch {
    return false;
  }
}

function inClusterConnection(options: KubeConnectionOptions, env: Env, dir: string): Connection {
  const host = env["KUBERNETES_SERVICE_HOST"] ?? "";
  const port = env["KUBERNETES_SERVICE_PORT"] ?? "";
  let namespace = env["POD_NAMESPACE"] ?? "";
  if (namespace === "") {
    try {
      namespace = readFileSync(join(dir, "namespace"), "utf8").trim();
    } catch {
      namespace = "";
    }
  }
  let ca: Buffer | undefined;
  if (given(options.kubeCaPath)) ca = readCredentialFile("certificate-authority", options.kubeCaPath, "in-cluster");
  else {
    try {
      ca = readFileSync(join(dir, "ca.crt"));
    } catch {
      // client-go only logs a missing root CA and falls back to the system roots.
      ca = undefined;
    }
  }
  const tokenOverride = given(options.kubeToken) || given(options.kubeTokenPath);
  return {
    server: given(options.kubeApiServer) ? trimServer(options.kubeApiServer) : `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    contextName: "in-cluster",
    namespace: namespace === "" ? "default" : namespace,
    source: "in-cluster",
    ca,
    token: tokenOverride ? (given(options.kubeToken) ? options.kubeToken : undefined) : undefined,
    tokenFile: tokenOverride ? (given(options.kubeTokenPath) ? options.kubeTokenPath : undefined) : join(dir, "token"),
    insecure: false,
    impersonateGroups: [],
  };
}

function trimServer(server: string): string {
  return server.replace(/\/+$/, "");
}

function execConfig(raw: RawExec, user: string): ExecConfig {
  const command = raw.command ?? "";
  const apiVersion = raw.apiVersion ?? "";
  if (apiVersion !== "client.authentication.k8s.io/v1" && apiVersion !== "client.authentication.k8s.io/v1beta1") {
    throw kubeError(`invalid configuration: exec plugin of user "${user}": invalid apiVersion "${apiVersion}"`);
  }
  return {
    command,
    args: raw.args ?? [],
    env: (raw.env ?? []).map((e) => ({ name: String(e.name), value: String(e.value) })),
    apiVersion,
    installHint: raw.installHint ?? "",
    provideClusterInfo: raw.provideClusterInfo === true,
    user,
  };
}

/**
 * The connection kubectl would use for these flags. Throws SlipwayError (code "kube") with kubectl's wording,
 * prefixed by the kubeconfig file(s) the names were looked up in.
 */
export function resolveConnection(options: KubeConnectionOptions, env: Env, seams: ResolveSeams = {}): Connection {
  const cwd = seams.cwd ?? process.cwd();
  const saDir = seams.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const merged = loadMerged(options, env, cwd);
  const where = describeSources(merged);

  const contextRequired = given(options.kubeContext);
  const contextName = contextRequired ? (options.kubeContext ?? "") : merged.currentContext;
  const context = merged.contexts.get(contextName);
  if (context === undefined && contextRequired) throw kubeError(`${where}: context "${contextName}" does not exist`);
  if (context === undefined && contextName !== "") {
    // current-context names a context no file defines: clientcmd's ConfirmUsable wording.
    throw kubeError(`${where}: invalid configuration: context was not found for specified context: ${contextName}`);
  }
  const clusterRequired = given(options.kubeContextCluster);
  const clusterName = clusterRequired ? (options.kubeContextCluster ?? "") : (context?.cluster ?? "");
  const userRequired = given(options.kubeContextUser);
  const userName = userRequired ? (options.kubeContextUser ?? "") : (context?.user ?? "");
  const rawCluster = merged.clusters.get(clusterName);
  if (rawCluster === undefined && (clusterRequired || clusterName !== "")) {
    throw kubeError(`${where}: cluster "${clusterName}" does not exist`);
  }
  const rawUser = merged.users.get(userName);
  if (rawUser === undefined && (userRequired || userName !== "")) {
    throw kubeError(`${where}: auth info "${userName}" does not exist`);
  }
  const cluster: RawCluster = { ...(rawCluster ?? {}) };
  const user: RawUser = { ...(rawUser ?? {}) };

  // Flags over the file, with clientcmd's special cases.
  if (given(options.kubeApiServer)) cluster.server = options.kubeApiServer;
  if (given(options.kubeProxyUrl)) cluster["proxy-url"] = options.kubeProxyUrl;
  if (options.skipTlsVerifyKube === true || given(options.kubeCaPath) || given(options.kubeCaData)) {
    cluster["insecure-skip-tls-verify"] = options.skipTlsVerifyKube === true;
    delete cluster["certificate-authority"];
    delete cluster["certificate-authority-data"];
    if (given(options.kubeCaPath)) cluster["certificate-authority"] = resolve(cwd, options.kubeCaPath);
  }
  if (given(options.kubeTlsServer) || given(options.kubeApiServer)) {
    delete cluster["tls-server-name"];
    if (given(options.kubeTlsServer)) cluster["tls-server-name"] = options.kubeTlsServer;
  }
  if (given(options.kubeToken)) user.token = options.kubeToken;
  if (given(options.kubeTokenPath)) user.tokenFile = resolve(cwd, options.kubeTokenPath);
  if (given(options.kubeCert) || given(options.kubeCertData)) {
    delete user["client-certificate"];
    delete user["client-certificate-data"];
    if (given(options.kubeCert)) user["client-certificate"] = resolve(cwd, options.kubeCert);
  }
  if (given(options.kubeKey) || given(options.kubeKeyData)) {
    delete user["client-key"];
    delete user["client-key-data"];
    if (given(options.kubeKey)) user["client-key"] = resolve(cwd, options.kubeKey);
  }
  if (given(options.kubeAuthUsername)) user.username = options.kubeAuthUsername;
  if (given(options.kubeAuthPassword)) user.password = options.kubeAuthPassword;

  if (!given(cluster.server)) {
    // Nothing usable in any kubeconfig: client-go's deferred loader falls back to the service account.
    if (inClusterPossible(env, saDir)) return inClusterConnection(options, env, saDir);
    throw kubeError(
      merged.sources.length === 0 || (contextName === "" && clusterName === "")
        ? `invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable${merged.missing.length === 0 ? "" : ` (kubeconfig not found: ${merged.missing.join(", ")})`}`
        : `${where}: invalid configuration: cluster "${clusterName}" has no server defined`,
    );
  }

  const userLabel = userName === "" ? "the flags" : `"${userName}"`;
  const methods: string[] = [];
  if (given(user.token) || given(user.tokenFile)) methods.push("token");
  if (given(user.username) || given(user.password)) methods.push("basicAuth");
  if (methods.length > 1) {
    throw kubeError(`${where}: invalid configuration: more than one authentication method found for ${userLabel}; found [${methods.join(" ")}], only one is allowed`);
  }
  if (given(user["auth-provider"]?.name)) {
    throw kubeError(`${where}: auth provider "${user["auth-provider"]?.name ?? ""}" of user ${userLabel} is not supported; use an exec credential plugin`);
  }

  const clusterLabel = `"${clusterName}"`;
  let ca: Buffer | undefined;
  if (given(options.kubeCaData)) ca = pemOrBase64(options.kubeCaData);
  else if (given(cluster["certificate-authority-data"])) ca = Buffer.from(cluster["certificate-authority-data"], "base64");
  else if (given(cluster["certificate-authority"])) ca = readCredentialFile("certificate-authority", cluster["certificate-authority"], clusterLabel);

  let cert: Buffer | undefined;
  if (given(options.kubeCertData)) cert = pemOrBase64(options.kubeCertData);
  else if (given(user["client-certificate-data"])) cert = Buffer.from(user["client-certificate-data"], "base64");
  else if (given(user["client-certificate"])) cert = readCredentialFile("client-cert", user["client-certificate"], userLabel);
  let key: Buffer | undefined;
  if (given(options.kubeKeyData)) key = pemOrBase64(options.kubeKeyData);
  else if (given(user["client-key-data"])) key = Buffer.from(user["client-key-data"], "base64");
  else if (given(user["client-key"])) key = readCredentialFile("client-key", user["client-key"], userLabel);
  if (cert !== undefined && key === undefined) {
    throw kubeError(`${where}: invalid configuration: client-key-data or client-key must be specified for ${userLabel} to use the clientCert authentication method`);
  }
  if (key !== undefined && cert === undefined) {
    throw kubeError(`${where}: invalid configuration: client-cert-data or client-cert must be specified for ${userLabel} to use the clientCert authentication method`);
  }
  if (!given(user.token) && given(user.tokenFile)) {
    // clientcmd reads the file once up front, so a missing file fails at start-up rather than on the first request.
    readCredentialFile("tokenFile", user.tokenFile, userLabel);
  }

  const exec = user.exec !== undefined && user.exec !== null && given(user.exec.command) ? execConfig(user.exec, userName) : undefined;
  const server = trimServer(/^[a-z][a-z0-9+.-]*:\/\//i.test(cluster.server) ? cluster.server : `${ca !== undefined || cert !== undefined || cluster["insecure-skip-tls-verify"] === true ? "https" : "http"}://${cluster.server}`);
  const impersonateGroups = options.kubeImpersonateGroup !== undefined && options.kubeImpersonateGroup.length > 0 ? options.kubeImpersonateGroup : (user["as-groups"] ?? []);
  const impersonateUser = given(options.kubeImpersonateUser) ? options.kubeImpersonateUser : user.as;
  const impersonateUid = given(options.kubeImpersonateUid) ? options.kubeImpersonateUid : user["as-uid"];
  return {
    server,
    contextName,
    namespace: given(context?.namespace) ? context.namespace : "default",
    source: where,
    ca,
    cert,
    key,
    token: given(user.token) ? user.token : undefined,
    tokenFile: given(user.tokenFile) ? user.tokenFile : undefined,
    basicAuth: given(user.username) || given(user.password) ? { username: user.username ?? "", password: user.password ?? "" } : undefined,
    exec,
    insecure: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: given(cluster["tls-server-name"]) ? cluster["tls-server-name"] : undefined,
    proxyUrl: given(cluster["proxy-url"]) ? cluster["proxy-url"] : undefined,
    impersonateUser: given(impersonateUser) ? impersonateUser : undefined,
    impersonateUid: given(impersonateUid) ? impersonateUid : undefined,
    impersonateGroups,
  };
}
