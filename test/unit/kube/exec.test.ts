import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { execInfo, parseExecOutput, runExecPlugin } from "../../../src/kube/exec.js";
import type { ExecConfig } from "../../../src/kube/kubeconfig.js";

const dir = mkdtempSync(join(tmpdir(), "slipway-exec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny plugin: records its invocation and prints what $PLUGIN_OUT says. */
function plugin(body: string): string {
  const path = join(dir, `plugin-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const base = (command: string, apiVersion: ExecConfig["apiVersion"] = "client.authentication.k8s.io/v1"): ExecConfig => ({
  command,
  args: ["--flag"],
  env: [{ name: "FROM_KUBECONFIG", value: "yes" }],
  apiVersion,
  installHint: "install it with: apt-get install the-plugin",
  provideClusterInfo: false,
  user: "u",
});
const cluster = { server: "https://api.example:6443", insecure: false, ca: Buffer.from("CA") };

describe("exec credential plugins", () => {
  it("passes args, the kubeconfig's env and KUBERNETES_EXEC_INFO; reads the token and expiry", async () => {
    const seen = join(dir, "seen.json");
    const command = plugin(`
import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ args: process.argv.slice(2), env: process.env.FROM_KUBECONFIG, info: JSON.parse(process.env.KUBERNETES_EXEC_INFO) }));
console.log(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "tok-1", expirationTimestamp: "2030-01-02T03:04:05Z" } }));
`);
    const credential = await runExecPlugin(base(command), cluster, process.env);
    expect(credential.token).toBe("tok-1");
    expect(credential.expiresAt).toBe(Date.parse("2030-01-02T03:04:05Z"));
    const record = JSON.parse(readFileSync(seen, "utf8")) as { args: string[]; env: string; info: unknown };
    expect(record.args).toEqual(["--flag"]);
    expect(record.env).toBe("yes");
    expect(record.info).toEqual({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1", spec: { interactive: false } });
  });

  it("v1beta1 with provideClusterInfo describes the cluster", () => {
    const info = JSON.parse(execInfo({ ...base("x", "client.authentication.k8s.io/v1beta1"), provideClusterInfo: true }, cluster)) as unknown;
    expect(info).toEqual({
      kind: "ExecCredential",
      apiVersion: "client.authentication.k8s.io/v1beta1",
      spec: { interactive: false, cluster: { server: "https://api.example:6443", "certificate-authority-data": Buffer.from("CA").toString("base64") } },
    });
  });

  it("a failing plugin is named with its exit code and stderr", async () => {
    const command = plugin(`process.stderr.write("token expired, run login\\n"); process.exit(3);`);
    await expect(runExecPlugin(base(command), cluster, process.env)).rejects.toThrow(
      `getting credentials: exec: executable ${command} failed with exit code 3: token expired, run login`,
    );
  });

  it("a missing plugin is named with the install hint", async () => {
    await expect(runExecPlugin(base("slipway-no-such-plugin"), cluster, process.env)).rejects.toThrow(
      "getting credentials: exec: executable slipway-no-such-plugin not found\n\ninstall it with: apt-get install the-plugin",
    );
  });

  it("checks the output as client-go does", () => {
    const v1 = base("p");
    const out = (status: unknown, apiVersion = "client.authentication.k8s.io/v1"): string => JSON.stringify({ apiVersion, kind: "ExecCredential", status });
    expect(() => parseExecOutput(v1, out({ token: "t" }, "client.authentication.k8s.io/v1beta1"))).toThrow(
      "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1",
    );
    expect(() => parseExecOutput(v1, JSON.stringify({ apiVersion: v1.apiVersion, kind: "ExecCredential" }))).toThrow("exec plugin didn't return a status field");
    expect(() => parseExecOutput(v1, out({}))).toThrow("exec plugin didn't return a token or cert/key pair");
    expect(() => parseExecOutput(v1, out({ clientCertificateData: "C" }))).toThrow("exec plugin returned only certificate or key, not both");
    expect(() => parseExecOutput(v1, "not json")).toThrow("getting credentials: decoding stdout");
    const pair = parseExecOutput(v1, out({ clientCertificateData: "-----BEGIN CERT", clientKeyData: "-----BEGIN KEY" }));
    expect(pair.cert?.toString()).toBe("-----BEGIN CERT");
    expect(pair.expiresAt).toBe(Infinity);
  });
});
