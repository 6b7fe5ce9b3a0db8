import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { resolveConnection } from "../../../src/kube/kubeconfig.js";

const root = mkdtempSync(join(tmpdir(), "slipway-kubeconfig-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function file(text: string, dir = root): string {
  const path = join(dir, `config-${++counter}`);
  writeFileSync(path, text);
  return path;
}
const b64 = (text: string): string => Buffer.from(text).toString("base64");
const noInCluster = { serviceAccountDir: join(root, "no-such-sa") };

const A = `
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: shared
  cluster: {server: "https://a.example:6443", certificate-authority-data: "${b64("CA-A")}"}
- name: only-a
  cluster: {server: "https://only-a.example"}
users:
- name: shared
  user: {token: token-a}
contexts:
- name: a
  context: {cluster: shared, user: shared, namespace: ns-a}
- name: shared-ctx
  context: {cluster: only-a, user: shared}
`;
const B = `
apiVersion: v1
kind: Config
current-context: b
clusters:
- name: shared
  cluster: {server: "https://b.example:6443"}
- name: only-b
  cluster: {server: "https://only-b.example", insecure-skip-tls-verify: true}
users:
- name: shared
  user: {token: token-b}
- name: b-user
  user: {username: admin, password: secret}
contexts:
- name: b
  context: {cluster: only-b, user: b-user}
- name: shared-ctx
  context: {cluster: only-b, user: b-user}
`;

describe("kubeconfig merge list (kubectl's rules)", () => {
  const a = file(A);
  const b = file(B);

  it("takes current-context and every name from the first file that defines it", () => {
    const conn = resolveConnection({ kubeConfigPathMergeList: [a, b] }, {}, noInCluster);
    expect(conn.contextName).toBe("a");
    expect(conn.server).toBe("https://a.example:6443");
    expect(conn.token).toBe("token-a");
    expect(conn.namespace).toBe("ns-a");
    expect(conn.ca?.toString()).toBe("CA-A");

    const reversed = resolveConnection({ kubeConfigPathMergeList: [b, a] }, {}, noInCluster);
    expect(reversed.contextName).toBe("b");
    expect(reversed.server).toBe("https://only-b.example");
    expect(reversed.basicAuth).toEqual({ username: "admin", password: "secret" });
    expect(reversed.insecure).toBe(true);
    expect(reversed.namespace).toBe("default");
  });

  it("a context defined in both files comes whole from the first, entries it names from wherever first defined", () => {
    const conn = resolveConnection({ kubeConfigPathMergeList: [a, b], kubeContext: "shared-ctx" }, {}, noInCluster);
    expect(conn.server).toBe("https://only-a.example");
    expect(conn.token).toBe("token-a");
    const fromB = resolveConnection({ kubeConfigPathMergeList: [b, a], kubeContext: "shared-ctx" }, {}, noInCluster);
    expect(fromB.server).toBe("https://only-b.example");
    expect(fromB.basicAuth?.username).toBe("admin");
  });

  it("skips missing files in the list", () => {
    const conn = resolveConnection({ kubeConfigPathMergeList: [join(root, "missing"), b] }, {}, noInCluster);
    expect(conn.contextName).toBe("b");
  });

  it("resolves relative paths against the directory of the file that defined the entry", () => {
    const dir = join(root, "rel");
    mkdirSync(join(dir, "certs"), { recursive: true });
    writeFileSync(join(dir, "certs", "ca.pem"), "CA-FILE");
    writeFileSync(join(dir, "certs", "client.pem"), "CERT-FILE");
    writeFileSync(join(dir, "certs", "client.key"), "KEY-FILE");
    writeFileSync(join(dir, "token"), "file-token\n");
    const path = file(
      `
current-context: c
clusters: [{name: c, cluster: {server: "https://c.example", certificate-authority: certs/ca.pem}}]
users: [{name: c, user: {client-certificate: certs/client.pem, client-key: certs/client.key, tokenFile: token}}]
contexts: [{name: c, context: {cluster: c, user: c}}]
`,
      dir,
    );
    const conn = resolveConnection({ kubeConfigPathMergeList: [path] }, {}, { ...noInCluster, cwd: "/" });
    expect(conn.ca?.toString()).toBe("CA-FILE");
    expect(conn.cert?.toString()).toBe("CERT-FILE");
    expect(conn.key?.toString()).toBe("KEY-FILE");
    expect(conn.tokenFile).toBe(join(dir, "token"));
  });
});

describe("source precedence", () => {
  const a = file(A);
  const b = file(B);

  it("--kube-config beats the merge list and is not merged with it", () => {
    const conn = resolveConnection({ kubeConfig: b, kubeConfigPathMergeList: [a] }, {}, noInCluster);
    expect(conn.contextName).toBe("b");
    expect(conn.source).toBe(`kubeconfig ${b}`);
    expect(() => resolveConnection({ kubeConfig: b, kubeConfigPathMergeList: [a], kubeContext: "a" }, {}, noInCluster)).toThrow(
      `kubeconfig ${b}: context "a" does not exist`,
    );
  });

  it("--kube-config must exist, in Go's words", () => {
    const missing = join(root, "nope");
    expect(() => resolveConnection({ kubeConfig: missing }, {}, noInCluster)).toThrow(`stat ${missing}: no such file or directory`);
  });

  it("--kube-config-base64 beats both", () => {
    const conn = resolveConnection({ kubeConfigBase64: b64(B), kubeConfig: a, kubeConfigPathMergeList: [a] }, {}, noInCluster);
    expect(conn.contextName).toBe("b");
    expect(conn.source).toBe("kubeconfig --kube-config-base64");
  });

  it("falls back to ~/.kube/config", () => {
    const home = join(root, "home");
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(join(home, ".kube", "config"), A);
    const conn = resolveConnection({}, { HOME: home }, noInCluster);
    expect(conn.contextName).toBe("a");
  });

  it("with no kubeconfig at all uses the in-cluster service account", () => {
    const sa = join(root, "sa");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "token"), "sa-token");
    writeFileSync(join(sa, "ca.crt"), "SA-CA");
    writeFileSync(join(sa, "namespace"), "team-ns\n");
    const env = { HOME: join(root, "empty-home"), KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const conn = resolveConnection({}, env, { serviceAccountDir: sa });
    expect(conn).toMatchObject({ server: "https://10.0.0.1:443", contextName: "in-cluster", namespace: "team-ns", tokenFile: join(sa, "token") });
    expect(conn.ca?.toString()).toBe("SA-CA");
    const v6 = resolveConnection({}, { ...env, KUBERNETES_SERVICE_HOST: "fd00::1", POD_NAMESPACE: "from-env" }, { serviceAccountDir: sa });
    expect(v6.server).toBe("https://[fd00::1]:443");
    expect(v6.namespace).toBe("from-env");
  });

  it("with nothing at all says what kubectl says", () => {
    expect(() => resolveConnection({}, { HOME: join(root, "empty-home") }, noInCluster)).toThrow(
      "invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable",
    );
  });
});

describe("flags over the file", () => {
  const a = file(A);
  const b = file(B);

  it("--kube-context, --kube-context-cluster and --kube-context-user pick entries", () => {
    const conn = resolveConnection({ kubeConfigPathMergeList: [a, b], kubeContextCluster: "only-b", kubeContextUser: "b-user" }, {}, noInCluster);
    expect(conn.server).toBe("https://only-b.example");
    expect(conn.basicAuth?.username).toBe("admin");
    expect(conn.namespace).toBe("ns-a");
  });

  it("names the missing context, cluster and user with clientcmd's wording and the file", () => {
    const where = `kubeconfig ${a}:${b}`;
    const options = { kubeConfigPathMergeList: [a, b] };
    expect(() => resolveConnection({ ...options, kubeContext: "x" }, {}, noInCluster)).toThrow(`${where}: context "x" does not exist`);
    expect(() => resolveConnection({ ...options, kubeContextCluster: "y" }, {}, noInCluster)).toThrow(`${where}: cluster "y" does not exist`);
    expect(() => resolveConnection({ ...options, kubeContextUser: "z" }, {}, noInCluster)).toThrow(`${where}: auth info "z" does not exist`);
    const dangling = file("current-context: gone\ncontexts: []\n");
    expect(() => resolveConnection({ kubeConfigPathMergeList: [dangling] }, {}, noInCluster)).toThrow(
      "invalid configuration: context was not found for specified context: gone",
    );
  });

  it("--kube-api-server, --kube-token, TLS flags and impersonation override the entries", () => {
    const conn = resolveConnection(
      {
        kubeConfigPathMergeList: [a],
        kubeApiServer: "https://flag.example/",
        kubeToken: "flag-token",
        kubeCaData: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
        kubeTlsServer: "api.internal",
        kubeImpersonateUser: "alice",
        kubeImpersonateGroup: ["g1", "g2"],
      },
      {},
      noInCluster,
    );
    expect(conn.server).toBe("https://flag.example");
    expect(conn.token).toBe("flag-token");
    expect(conn.ca?.toString()).toContain("BEGIN CERTIFICATE");
    expect(conn.tlsServerName).toBe("api.internal");
    expect(conn.impersonateUser).toBe("alice");
    expect(conn.impersonateGroups).toEqual(["g1", "g2"]);
  });

  it("--skip-tls-verify-kube clears the file's CA; --kube-api-server clears its tls-server-name", () => {
    const withTls = file(`
current-context: t
clusters: [{name: t, cluster: {server: "https://t", certificate-authority-data: "${b64("CA")}", tls-server-name: from-file}}]
users: [{name: t, user: {}}]
contexts: [{name: t, context: {cluster: t, user: t}}]
`);
    const plain = resolveConnection({ kubeConfigPathMergeList: [withTls] }, {}, noInCluster);
    expect(plain.tlsServerName).toBe("from-file");
    expect(plain.insecure).toBe(false);
    const skip = resolveConnection({ kubeConfigPathMergeList: [withTls], skipTlsVerifyKube: true }, {}, noInCluster);
    expect(skip.insecure).toBe(true);
    expect(skip.ca).toBeUndefined();
    const other = resolveConnection({ kubeConfigPathMergeList: [withTls], kubeApiServer: "https://other" }, {}, noInCluster);
    expect(other.tlsServerName).toBeUndefined();
  });

  it("a client certificate needs its key", () => {
    const certOnly = file(`
current-context: c
clusters: [{name: c, cluster: {server: "https://c"}}]
users: [{name: u, user: {client-certificate-data: "${b64("CERT")}"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
`);
    expect(() => resolveConnection({ kubeConfigPathMergeList: [certOnly] }, {}, noInCluster)).toThrow(
      'client-key-data or client-key must be specified for "u" to use the clientCert authentication method',
    );
    const fixed = resolveConnection({ kubeConfigPathMergeList: [certOnly], kubeKeyData: b64("KEY") }, {}, noInCluster);
    expect(fixed.key?.toString()).toBe("KEY");
  });

  it("token plus basic auth is rejected as kubectl rejects it", () => {
    const b2 = file(B);
    expect(() => resolveConnection({ kubeConfigPathMergeList: [b2], kubeToken: "t" }, {}, noInCluster)).toThrow(
      'more than one authentication method found for "b-user"; found [token basicAuth], only one is allowed',
    );
  });

  it("an unreadable credential file names the file and the user", () => {
    const bad = file(`
current-context: c
clusters: [{name: c, cluster: {server: "https://c"}}]
users: [{name: u, user: {tokenFile: /nonexistent/token}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
`);
    expect(() => resolveConnection({ kubeConfigPathMergeList: [bad] }, {}, noInCluster)).toThrow(
      'unable to read tokenFile /nonexistent/token for "u" due to open /nonexistent/token: no such file or directory',
    );
  });

  it("reads an exec plugin and rejects an unknown apiVersion", () => {
    const dir = join(root, "execdir");
    mkdirSync(dir, { recursive: true });
    const exec = file(
      `
current-context: c
clusters: [{name: c, cluster: {server: "https://c"}}]
users:
- name: u
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/plugin, args: [a], env: [{name: X, value: "1"}]}
- name: old
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: plugin}
contexts: [{name: c, context: {cluster: c, user: u}}, {name: old, context: {cluster: c, user: old}}]
`,
      dir,
    );
    const conn = resolveConnection({ kubeConfigPathMergeList: [exec] }, {}, noInCluster);
    expect(conn.exec).toMatchObject({ command: join(dir, "bin/plugin"), args: ["a"], env: [{ name: "X", value: "1" }], apiVersion: "client.authentication.k8s.io/v1beta1" });
    expect(() => resolveConnection({ kubeConfigPathMergeList: [exec], kubeContext: "old" }, {}, noInCluster)).toThrow(
      'invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
    );
  });

  it("a malformed file is named", () => {
    const broken = file("clusters: [unclosed\n");
    expect(() => resolveConnection({ kubeConfigPathMergeList: [broken] }, {}, noInCluster)).toThrow(`error loading config file "${broken}"`);
  });
});
