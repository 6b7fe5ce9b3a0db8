/**
 * @module kube/kubeconfig
 *
 * Resolves where and as whom to talk to Kubernetes, the way kubectl (client-go's clientcmd) does: `--kube-config-
 * base64` beats `--kube-config`, which beats the merge list from $WERF_KUBE_CONFIG/$KUBECONFIG (first file to define
 * a name wins, relative paths resolve against the defining file), then ~/.kube/config, then the in-cluster service
 * account. Flags such as `--kube-context`, `--kube-api-server`, `--kube-token` override the chosen entries.
 * Gives plain connection data; imports the YAML reader lazily; no network.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { SlipwayError } from "../errors.js";

export interface KubeConnectionOptions {
  readonly kubeContext?: string;
  readonly kubeConfig?: string;
  readonly kubeConfigBase64?: string;
  readonly kubeConfigPathMergeList?: readonly string[];
  readonly kubeApiServer?: string;
  readonly kubeToken?: string;
  readonly kubeTokenPath?: string;
  readonly kubeCaPath?: string;
  readonly kubeCaData?: string;
  readonly kubeCert?: string;
  readonly kubeCertData?: string;
  readonly kubeKey?: string;
  readonly kubeKeyData?: string;
  readonly kubeTlsServer?: string;
  readonly kubeAuthUsername?: string;
  readonly kubeAuthPassword?: string;
  readonly kubeContextCluster?: string;
  readonly kubeContextUser?: string;
  readonly kubeImpersonateUser?: string;
  readonly kubeImpersonateGroup?: readonly string[];
  readonly kubeQpsLimit?: number;
  readonly kubeBurstLimit?: number;
  /** Milliseconds; 0 = none. */
  readonly kubeRequestTimeout?: number;
  readonly skipTlsVerifyKube?: boolean;
}

export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { name: string; value: string }[];
  readonly apiVersion: string;
  /** Directory relative commands resolve against. */
  readonly baseDir: string;
}

/** Everything needed to open connections, credentials already read from files. */
export interface Connection {
  readonly server: string;
  readonly contextName: string;
  readonly namespace: string;
  readonly ca?: Buffer | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  readonly token?: string | undefined;
  /** Re-read on every request (rotated service-account tokens). */
  readonly tokenFile?: string | undefined;
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  readonly exec?: ExecConfig | undefined;
  readonly insecure: boolean;
  readonly tlsServerName?: string | undefined;
  readonly impersonateUser?: string | undefined;
  readonly impersonateGroups: readonly string[];
}

type Named<T> = { name: string } & T;
interface RawCluster {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
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
  "as-groups"?: string[];
  exec?: { command?: string; args?: string[]; env?: { name: string; value: string }[] | null; apiVersion?: string };
}
interface RawContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** A merged kubeconfig: each entry remembers the directory of the file that defined it. */
interface Merged {
  currentContext: string;
  clusters: Map<string, { value: RawCluster; dir: string }>;
  users: Map<string, { value: RawUser; dir: string }>;
  contexts: Map<string, RawContext>;
  sources: string[];
}

function emptyMerged(): Merged {
  return { currentContext: "", clusters: new Map(), users: new Map(), contexts: new Map(), sources: [] };
}

function mergeText(merged: Merged, text: string, dir: string, source: string): void {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SlipwayError(`error loading config file "${source}": ${(err as Error).message}`, { code: "kube" });
  }
  if (doc === null || doc === undefined) return;
  if (typeof doc !== "object") throw new SlipwayError(`error loading config file "${source}": not a kubeconfig`, { code: "kube" });
  const config = doc as {
    "current-context"?: string;
    clusters?: Named<{ cluster?: RawCluster }>[] | null;
    users?: Named<{ user?: RawUser }>[] | null;
    contexts?: Named<{ context?: RawContext }>[] | null;
  };
  merged.sources.push(source);
  if (merged.currentContext === "" && typeof config["current-context"] === "string") merged.currentContext = config["current-context"];
  for (const c of config.clusters ?? []) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, { value: c.cluster ?? {}, dir });
  for (const u of config.users ?? []) if (!merged.users.has(u.name)) merged.users.set(u.name, { value: u.user ?? {}, dir });
  for (const c of config.contexts ?? []) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c.context ?? {});
}

function readPath(path: string, dir: string): Buffer {
  const full = isAbsolute(path) ? path : resolve(dir, path);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new SlipwayError(`read ${full}: ${(err as Error).message}`, { code: "kube" });
  }
}

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

function inClusterConnection(env: Readonly<Record<string, string | undefined>>): Connection | undefined {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  if (host === undefined || port === undefined || !existsSync(join(SA_DIR, "token"))) return undefined;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const namespace = existsSync(join(SA_DIR, "namespace")) ? readFileSync(join(SA_DIR, "namespace"), "utf8").trim() : "default";
  return {
    server: `https://${hostPart}:${port}`,
    contextName: "in-cluster",
    namespace,
    ca: existsSync(join(SA_DIR, "ca.crt")) ? readFileSync(join(SA_DIR, "ca.crt")) : undefined,
    tokenFile: join(SA_DIR, "token"),
    insecure: false,
    impersonateGroups: [],
  };
}

/** The files to merge, in order; explicit choices first. */
function configSources(options: KubeConnectionOptions, env: Readonly<Record<string, string | undefined>>): { path: string; required: boolean }[] {
  if (options.kubeConfig !== undefined && options.kubeConfig !== "") return [{ path: options.kubeConfig, required: true }];
  const list = options.kubeConfigPathMergeList ?? [];
  if (list.length > 0) return list.filter((p) => p !== "").map((path) => ({ path, required: false }));
  const home = env["HOME"] ?? homedir();
  return [{ path: join(home, ".kube", "config"), required: false }];
}

export function resolveConnection(options: KubeConnectionOptions, env: Readonly<Record<string, string | undefined>>): Connection {
  const merged = emptyMerged();
  if (options.kubeConfigBase64 !== undefined && options.kubeConfigBase64 !== "") {
    mergeText(merged, Buffer.from(options.kubeConfigBase64, "base64").toString("utf8"), process.cwd(), "--kube-config-base64");
  } else {
    for (const source of configSources(options, env)) {
      const path = resolve(source.path);
      if (!existsSync(path)) {
        if (source.required) throw new SlipwayError(`stat ${source.path}: no such file or directory`, { code: "kube" });
        continue;
      }
      mergeText(merged, readFileSync(path, "utf8"), dirname(path), path);
    }
  }

  const contextName = options.kubeContext !== undefined && options.kubeContext !== "" ? options.kubeContext : merged.currentContext;
  if (merged.sources.length === 0 || (contextName === "" && (options.kubeApiServer ?? "") === "")) {
    const inCluster = inClusterConnection(env);
    if (inCluster !== undefined) return inCluster;
    if ((options.kubeApiServer ?? "") === "") {
      throw new SlipwayError(
        "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable",
        { code: "kube" },
      );
    }
  }
  const context = contextName === "" ? {} : merged.contexts.get(contextName);
  if (context === undefined) throw new SlipwayError(`context "${contextName}" does not exist`, { code: "kube" });
  const clusterName = options.kubeContextCluster || context.cluster || "";
  const userName = options.kubeContextUser || context.user || "";
  const clusterEntry = merged.clusters.get(clusterName);
  if (clusterEntry === undefined && (options.kubeApiServer ?? "") === "") {
    throw new SlipwayError(`cluster "${clusterName}" does not exist (context "${contextName}")`, { code: "kube" });
  }
  const userEntry = merged.users.get(userName);
  if (userEntry === undefined && userName !== "") {
    throw new SlipwayError(`user "${userName}" does not exist (context "${contextName}")`, { code: "kube" });
  }
  const cluster = clusterEntry?.value ?? {};
  const clusterDir = clusterEntry?.dir ?? process.cwd();
  const user = userEntry?.value ?? {};
  const userDir = userEntry?.dir ?? process.cwd();

  const pick = (flagData: string | undefined, flagPath: string | undefined, data: string | undefined, path: string | undefined, dir: string): Buffer | undefined => {
    if (flagData) return Buffer.from(flagData, "base64");
    if (flagPath) return readPath(flagPath, process.cwd());
    if (data) return Buffer.from(data, "base64");
    if (path) return readPath(path, dir);
    return undefined;
  };
  const server = options.kubeApiServer || cluster.server || "";
  if (server === "") throw new SlipwayError(`cluster "${clusterName}" has no server`, { code: "kube" });
  const token = options.kubeToken || user.token || undefined;
  const tokenFile = options.kubeTokenPath || (user.tokenFile === undefined ? undefined : resolve(userDir, user.tokenFile));
  const exec = user.exec?.command
    ? {
        command: user.exec.command,
        args: user.exec.args ?? [],
        env: user.exec.env ?? [],
        apiVersion: user.exec.apiVersion ?? "client.authentication.k8s.io/v1",
        baseDir: userDir,
      }
    : undefined;
  const username = options.kubeAuthUsername || user.username;
  const password = options.kubeAuthPassword || user.password;
  return {
    server: server.replace(/\/+$/, ""),
    contextName: contextName === "" ? "(none)" : contextName,
    namespace: context.namespace || "default",
    ca: pick(options.kubeCaData, options.kubeCaPath, cluster["certificate-authority-data"], cluster["certificate-authority"], clusterDir),
    cert: pick(options.kubeCertData, options.kubeCert, user["client-certificate-data"], user["client-certificate"], userDir),
    key: pick(options.kubeKeyData, options.kubeKey, user["client-key-data"], user["client-key"], userDir),
    token,
    tokenFile: token === undefined ? tokenFile : undefined,
    basicAuth: username !== undefined && username !== "" ? { username, password: password ?? "" } : undefined,
    exec,
    insecure: options.skipTlsVerifyKube === true || cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: options.kubeTlsServer || cluster["tls-server-name"] || undefined,
    impersonateUser: options.kubeImpersonateUser || user.as || undefined,
    impersonateGroups: options.kubeImpersonateGroup?.length ? options.kubeImpersonateGroup : (user["as-groups"] ?? []),
  };
}
