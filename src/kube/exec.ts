/**
 * @module kube/exec
 *
 * Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1), as client-go runs them: the command
 * with the kubeconfig's args and env on top of ours, KUBERNETES_EXEC_INFO describing the request (and the
 * cluster when provideClusterInfo is set), an ExecCredential on stdout. Takes an ExecConfig; gives a credential
 * with its expiry. Imports only node:child_process, src/errors.ts and this directory's types.
 */
import { execFile } from "node:child_process";
import { SlipwayError } from "../errors.js";
import type { ExecConfig } from "./kubeconfig.js";

export interface ExecCredential {
  readonly token?: string | undefined;
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
  /** Epoch ms; Infinity when the plugin gave no expirationTimestamp (cached for the whole run). */
  readonly expiresAt: number;
}

export interface ExecClusterInfo {
  readonly server: string;
  readonly tlsServerName?: string | undefined;
  readonly insecure: boolean;
  readonly ca?: Buffer | undefined;
  readonly proxyUrl?: string | undefined;
}

function fail(message: string, cause?: unknown): SlipwayError {
  return new SlipwayError(`getting credentials: ${message}`, { code: "kube", ...(cause === undefined ? {} : { cause }) });
}

export function execInfo(exec: ExecConfig, cluster: ExecClusterInfo): string {
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec["cluster"] = {
      server: cluster.server,
      ...(cluster.tlsServerName === undefined ? {} : { "tls-server-name": cluster.tlsServerName }),
      ...(cluster.insecure ? { "insecure-skip-tls-verify": true } : {}),
      ...(cluster.ca === undefined ? {} : { "certificate-authority-data": cluster.ca.toString("base64") }),
      ...(cluster.proxyUrl === undefined ? {} : { "proxy-url": cluster.proxyUrl }),
    };
  }
  return JSON.stringify({ kind: "ExecCredential", apiVersion: exec.apiVersion, spec });
}

/** Parses a plugin's stdout with client-go's checks and messages. */
export function parseExecOutput(exec: ExecConfig, stdout: string): ExecCredential {
  let out: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> | null };
  try {
    out = JSON.parse(stdout) as typeof out;
  } catch (err) {
    throw fail(`decoding stdout: ${(err as Error).message}`);
  }
  if (out === null || typeof out !== "object") throw fail("decoding stdout: not an object");
  if (out.apiVersion !== exec.apiVersion || out.kind !== "ExecCredential") {
    throw fail(`exec plugin is configured to use API version ${exec.apiVersion}, plugin returned version ${String(out.apiVersion)}`);
  }
  const status = out.status;
  if (status === undefined || status === null) throw fail("exec plugin didn't return a status field");
  const token = typeof status["token"] === "string" && status["token"] !== "" ? status["token"] : undefined;
  const cert = typeof status["clientCertificateData"] === "string" && status["clientCertificateData"] !== "" ? status["clientCertificateData"] : undefined;
  const key = typeof status["clientKeyData"] === "string" && status["clientKeyData"] !== "" ? status["clientKeyData"] : undefined;
  if (token === undefined && cert === undefined && key === undefined) throw fail("exec plugin didn't return a token or cert/key pair");
  if ((cert === undefined) !== (key === undefined)) throw fail("exec plugin returned only certificate or key, not both");
  let expiresAt = Infinity;
  if (typeof status["expirationTimestamp"] === "string") {
    expiresAt = Date.parse(status["expirationTimestamp"]);
    if (Number.isNaN(expiresAt)) throw fail(`decoding stdout: bad expirationTimestamp "${status["expirationTimestamp"]}"`);
  }
  return { token, cert: cert === undefined ? undefined : Buffer.from(cert), key: key === undefined ? undefined : Buffer.from(key), expiresAt };
}

/** Runs the plugin once. `baseEnv` is the process environment the plugin inherits. */
export function runExecPlugin(exec: ExecConfig, cluster: ExecClusterInfo, baseEnv: Readonly<Record<string, string | undefined>>): Promise<ExecCredential> {
  const env: Record<string, string | undefined> = { ...baseEnv };
  for (const { name, value } of exec.env) env[name] = value;
  env["KUBERNETES_EXEC_INFO"] = execInfo(exec, cluster);
  return new Promise((resolvePromise, reject) => {
    execFile(exec.command, [...exec.args], { env, maxBuffer: 16 << 20, windowsHide: true }, (err, stdout, stderr) => {
      if (err !== null) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          const hint = exec.installHint === "" ? "" : `\n\n${exec.installHint}`;
          reject(fail(`exec: executable ${exec.command} not found${hint}`, err));
          return;
        }
        const exit = typeof code === "number" ? code : ((err as { status?: number }).status ?? "unknown");
        const detail = stderr.trim() === "" ? "" : `: ${stderr.trim().split("\n").slice(-5).join("; ")}`;
        reject(fail(`exec: executable ${exec.command} failed with exit code ${String(exit)}${detail}`, err));
        return;
      }
      try {
        resolvePromise(parseExecOutput(exec, stdout));
      } catch (parseErr) {
        reject(parseErr instanceof Error ? parseErr : new Error(String(parseErr)));
      }
    });
  });
}
