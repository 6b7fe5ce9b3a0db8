// A plain-HTTP reverse proxy in front of the real API server that records every request, so end-to-end tests can
// count what slipway asks of the cluster (e.g. "a no-op converge makes no write"). It authenticates upstream with
// the bearer token of the environment's token context; slipway talks to it through a kubeconfig with an http://
// server and no credentials.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import type { LocalEnv } from "./local-env.js";

export interface KubeRequest {
  readonly method: string;
  readonly path: string;
}

export interface KubeProxy {
  readonly url: string;
  /** A kubeconfig file whose only context (`proxied`) points at the proxy. */
  readonly kubeconfig: string;
  readonly requests: KubeRequest[];
  /** Requests that change something: POST, PUT, PATCH (not dry-run), DELETE. */
  writes(): KubeRequest[];
  close(): Promise<void>;
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; "certificate-authority-data"?: string; "certificate-authority"?: string } }[];
  users: { name: string; user: { token?: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

/** The API server, its CA and the bearer token of the environment's token context. */
export function tokenContext(env: LocalEnv): { upstream: URL; token: string; ca: Buffer | undefined } {
  const config = parse(readFileSync(env.kubeconfig, "utf8")) as Kubeconfig;
  const context = config.contexts.find((c) => c.name === env.tokenContext)?.context;
  const cluster = config.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const token = config.users.find((u) => u.name === context?.user)?.user.token;
  if (cluster === undefined || token === undefined) throw new Error(`kubeconfig ${env.kubeconfig}: no token context ${env.tokenContext}`);
  const ca = cluster["certificate-authority-data"] !== undefined
    ? Buffer.from(cluster["certificate-authority-data"], "base64")
    : cluster["certificate-authority"] !== undefined ? readFileSync(cluster["certificate-authority"]) : undefined;
  return { upstream: new URL(cluster.server), token, ca };
}

/** Writes a kubeconfig whose only context, `name`, has the given cluster and user (YAML flow maps). */
export function writeKubeconfig(file: string, name: string, cluster: string, user: string): void {
  writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      `- name: ${name}`,
      `  cluster: ${cluster}`,
      "users:",
      `- name: ${name}`,
      `  user: ${user}`,
      "contexts:",
      `- name: ${name}`,
      `  context: {cluster: ${name}, user: ${name}, namespace: default}`,
      `current-context: ${name}`,
      "",
    ].join("\n"),
  );
}

export async function startKubeProxy(env: LocalEnv, dir: string): Promise<KubeProxy> {
  const { upstream, token, ca } = tokenContext(env);
  const requests: KubeRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "" });
    const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${token}` };
    const up = httpsRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, ...(ca ? { ca } : { rejectUnauthorized: false }) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, "proxied-kubeconfig");
  writeKubeconfig(kubeconfig, "proxied", `{server: "${url}"}`, "{}");
  return {
    url,
    kubeconfig,
    requests,
    writes: () =>
      requests.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && !/[?&]dryRun=All/.test(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
