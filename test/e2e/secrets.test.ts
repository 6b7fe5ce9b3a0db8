// Secret values and files against the real nelm v1.24.3 (werf v2's deploy engine, same werf/common-go secret code):
// what slipway encrypts nelm decrypts and the reverse; `helm secret values edit` keeps the ciphertext of unchanged
// values; a converge on the real cluster deploys the decrypted values with werf's precedence (checked against
// `nelm chart render` of the same chart and flags); a wrong or missing key fails with one clear line, exit 1, and
// nothing applied. No secret plaintext ever reaches slipway's output.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { uniqueName } from "../helpers/cluster.js";
import { nelmBinary } from "../helpers/oracles.js";
import { runSlipway } from "../helpers/slipway.js";
import { busyboxJob, converge, deleteNamespace, kubectl, kubectlJson, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) deleteNamespace(env, ns);
});

const nelm = (args: readonly string[], cwd: string): string =>
  execFileSync(nelmBinary(), args, { cwd, encoding: "utf8", env: { PATH: process.env["PATH"], HOME: process.env["HOME"], NELM_COLOR_MODE: "off" } });

/** `nelm chart secret values-file|file encrypt` of a text (through a file in `dir`). */
function nelmEncrypt(kind: "values-file" | "file", dir: string, text: string): string {
  const path = join(dir, `plain-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, text);
  return nelm(["chart", "secret", kind, "encrypt", "--secret-key", KEY, path], dir);
}

const KEY = nelm(["chart", "secret", "key", "create"], tmpdir()).trim();
const PASSWORD = "s3cret-Pa55";

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-secrets-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const slipway = (args: readonly string[], cwd: string, extra: { input?: string; env?: Record<string, string> } = {}) =>
  runSlipway(["helm", "secret", ...args], { cwd, env: { WERF_SECRET_KEY: KEY, ...extra.env }, ...(extra.input === undefined ? {} : { input: extra.input }) });

const PLAIN_VALUES = `# database
db:
  host: db.internal
  password: ${PASSWORD}
  port: 5432
  replicas: [a, 2, true]
tls:
  enabled: True
  note: |
    multi
    line
`;

describe("helm secret commands against nelm", () => {
  it("slipway encrypts values, files and data that nelm decrypts", async () => {
    const dir = scratch({ "plain.yaml": PLAIN_VALUES, "cert.pem": "-----BEGIN CERT-----\nabc\n" });
    const values = await slipway(["values", "encrypt", "plain.yaml", "-o", "enc/secret-values.yaml"], dir);
    expect(values).toMatchObject({ code: 0, stderr: "", stdout: "" });
    const nelmPlain = nelm(["chart", "secret", "values-file", "decrypt", "--secret-key", KEY, "enc/secret-values.yaml"], dir);
    const nelmOwn = nelm(["chart", "secret", "values-file", "encrypt", "--secret-key", KEY, "plain.yaml"], dir);
    writeFileSync(join(dir, "nelm-enc.yaml"), nelmOwn);
    expect(nelmPlain).toBe(nelm(["chart", "secret", "values-file", "decrypt", "--secret-key", KEY, "nelm-enc.yaml"], dir));
    expect(nelmPlain).toContain(`password: ${PASSWORD}\n  port: "5432"`);

    const file = await slipway(["file", "encrypt", "cert.pem"], dir);
    expect(file.code).toBe(0);
    writeFileSync(join(dir, "cert.enc"), file.stdout);
    expect(nelm(["chart", "secret", "file", "decrypt", "--secret-key", KEY, "cert.enc"], dir)).toBe("-----BEGIN CERT-----\nabc\n");

    const data = await slipway(["encrypt"], dir, { input: PASSWORD });
    expect(data.stdout).toMatch(/^1000[0-9a-f]+\n$/);
    writeFileSync(join(dir, "data.enc"), data.stdout);
    expect(nelm(["chart", "secret", "file", "decrypt", "--secret-key", KEY, "data.enc"], dir)).toBe(PASSWORD);
  });

  it("slipway decrypts what nelm encrypts, printing exactly what nelm prints", async () => {
    const dir = scratch({ "plain.yaml": PLAIN_VALUES, "cert.pem": "CERT\n" });
    writeFileSync(join(dir, "enc.yaml"), nelm(["chart", "secret", "values-file", "encrypt", "--secret-key", KEY, "plain.yaml"], dir));
    writeFileSync(join(dir, "cert.enc"), nelm(["chart", "secret", "file", "encrypt", "--secret-key", KEY, "cert.pem"], dir));
    const values = await slipway(["values", "decrypt", "enc.yaml"], dir);
    expect(values).toMatchObject({ code: 0, stderr: "" });
    expect(values.stdout).toBe(nelm(["chart", "secret", "values-file", "decrypt", "--secret-key", KEY, "enc.yaml"], dir));
    const piped = await slipway(["values", "decrypt"], dir, { input: readFileSync(join(dir, "enc.yaml"), "utf8") });
    expect(piped.stdout).toBe(values.stdout);
    expect((await slipway(["file", "decrypt", "cert.enc"], dir)).stdout).toBe("CERT\n");
    expect((await slipway(["decrypt"], dir, { input: readFileSync(join(dir, "cert.enc"), "utf8") })).stdout).toBe("CERT\n");
  });

  it("values edit re-encrypts only the values that changed", async () => {
    const dir = scratch({ "plain.yaml": "a: one\nb: two\nlist:\n  - x\n  - z\n" });
    writeFileSync(join(dir, "secret-values.yaml"), nelm(["chart", "secret", "values-file", "encrypt", "--secret-key", KEY, "plain.yaml"], dir));
    const before = readFileSync(join(dir, "secret-values.yaml"), "utf8").split("\n");
    const edited = await slipway(["values", "edit", "secret-values.yaml"], dir, { env: { EDITOR: "sed -i -e s/two/deux/ -e s/z$/zed/" } });
    expect(edited).toMatchObject({ code: 0, stderr: "" });
    const after = readFileSync(join(dir, "secret-values.yaml"), "utf8").split("\n");
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[3]).toBe(before[3]);
    expect(after[4]).not.toBe(before[4]);
    expect(nelm(["chart", "secret", "values-file", "decrypt", "--secret-key", KEY, "secret-values.yaml"], dir)).toBe("a: one\nb: deux\nlist:\n  - x\n  - zed\n");
    const untouched = await slipway(["values", "edit", "secret-values.yaml"], dir, { env: { EDITOR: "true" } });
    expect(untouched.code).toBe(0);
    expect(readFileSync(join(dir, "secret-values.yaml"), "utf8").split("\n")).toEqual(after);
  });

  it("rotate-secret-key re-encrypts the chart's secrets and the given files with the new key", async () => {
    const dir = scratch({});
    mkdirSync(join(dir, ".helm/secret/tls"), { recursive: true });
    writeFileSync(join(dir, ".helm/secret-values.yaml"), nelmEncrypt("values-file", dir, "a: one\n"));
    writeFileSync(join(dir, ".helm/secret/tls/key.pem"), nelmEncrypt("file", dir, "KEY\n"));
    writeFileSync(join(dir, "prod.yaml"), nelmEncrypt("values-file", dir, "b: two\n"));
    const newKey = nelm(["chart", "secret", "key", "create"], dir).trim();
    const r = await slipway(["rotate-secret-key", "prod.yaml"], dir, { env: { WERF_OLD_SECRET_KEY: KEY, WERF_SECRET_KEY: newKey } });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const dec = (kind: string, file: string): string => nelm(["chart", "secret", kind, "decrypt", "--secret-key", newKey, file], dir);
    expect(dec("values-file", ".helm/secret-values.yaml")).toBe("a: one\n");
    expect(dec("values-file", "prod.yaml")).toBe("b: two\n");
    expect(dec("file", ".helm/secret/tls/key.pem")).toBe("KEY\n");
  });

  it("fails clearly without a key, naming every place it looked", async () => {
    const dir = scratch({ "enc.yaml": "a: 1000\n" });
    const r = await runSlipway(["helm", "secret", "values", "decrypt", "enc.yaml"], { cwd: dir, env: { HOME: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: unable to load secret key: required encryption key not found in: "$WERF_SECRET_KEY", "${dir}/.werf_secret_key", "${dir}/.werf/global_secret_key"\n`);
  });
});

describe("converge with secret values", () => {
  const chart = (dir: string): Record<string, string> => {
    return {
      "Chart.yaml": "apiVersion: v2\nname: secrets\nversion: 0.1.0\n",
      "values.yaml": "greeting: default\nmode: default\nhost: default-host\nport: 1\ndb: {password: default-pass}\n",
      "secret-values.yaml": nelmEncrypt("values-file", dir, `greeting: from-secret\nport: 5432\ndb:\n  password: ${PASSWORD}\n`),
      "secret/cert.pem": nelmEncrypt("file", dir, "CERT-BODY\n"),
      "templates/cm.yaml":
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n" +
        '  greeting: {{ .Values.greeting | quote }}\n  mode: {{ .Values.mode | quote }}\n  host: {{ .Values.host | quote }}\n' +
        '  port: {{ printf "%v/%s" .Values.port (kindOf .Values.port) | quote }}\n  extra: {{ .Values.extra | quote }}\n',
      "templates/secret.yaml":
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-secret\nstringData:\n" +
        '  password: {{ .Values.db.password | quote }}\n  cert: {{ werf_secret_file "cert.pem" | quote }}\n',
      // Prints the password to its log, which converge shows: werf masks decrypted secrets in its output.
      "templates/job.yaml": busyboxJob(env.registry, "print-secret", "echo pw=$PW", { container: "main" }).replace(
        '        command: ["sh", "-c", "echo pw=$PW"]\n',
        '        command: ["sh", "-c", "echo pw=$PW"]\n        env: [{name: PW, valueFrom: {secretKeyRef: {name: app-secret, key: password}}}]\n',
      ),
    };
  };

  it("deploys the decrypted values over the chart defaults and --set, as nelm renders them", async () => {
    const namespace = uniqueName("secrets");
    namespaces.push(namespace);
    const release = "secrets";
    const keyDir = mkdtempSync(join(tmpdir(), "slipway-secrets-"));
    const extra = nelmEncrypt("values-file", keyDir, "extra: from-secret-values-flag\n");
    const project = makeProject({
      project: "secrets",
      chart: chart(keyDir),
      files: { ".werf_secret_key": `${KEY}\n`, "vf.yaml": "mode: from-values-file\nhost: from-values-file\n", "extra-secret.yaml": extra },
    });
    const args = ["--set", "greeting=from-set", "--set", "mode=from-set", "--values", "vf.yaml", "--secret-values", "extra-secret.yaml"];
    const run = await converge(env, project, { namespace, release, args });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    expect(run.stdout).toContain("pw=***");
    expect(kubectl(env, "logs", "job/print-secret", "-n", namespace)).toBe(`pw=${PASSWORD}\n`);

    const data = kubectlJson<{ data: Record<string, string> }>(env, "get", "configmap", "app-config", "-n", namespace).data;
    expect(data).toEqual({ greeting: "from-secret", mode: "from-set", host: "from-values-file", port: "5432/string", extra: "from-secret-values-flag" });
    const secret = kubectlJson<{ data: Record<string, string> }>(env, "get", "secret", "app-secret", "-n", namespace).data;
    expect(Buffer.from(secret["password"] ?? "", "base64").toString()).toBe(PASSWORD);
    expect(Buffer.from(secret["cert"] ?? "", "base64").toString()).toBe("CERT-BODY\n");

    // The same chart and flags through nelm's own render.
    const rendered = nelm(["chart", "render", ".helm", "--secret-key", KEY, ...args], project.dir);
    const cm = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string; data?: unknown }).find((d) => d.kind === "ConfigMap");
    expect(cm?.data).toEqual(data);

    // Secret values are not stored in the release's config, as in werf.
    const config = kubectl(env, "get", "secret", `sh.helm.release.v1.${release}.v1`, "-n", namespace, "-o", "jsonpath={.data.release}");
    const decoded = execFileSync("sh", ["-c", "base64 -d | base64 -d | gunzip"], { input: config, encoding: "utf8" });
    expect((JSON.parse(decoded) as { config: unknown }).config).toEqual({ greeting: "from-set", mode: "from-set", host: "from-values-file" });
  });

  it("a wrong or missing key: one line naming the file (and key), exit 1, nothing applied", async () => {
    const namespace = uniqueName("secrets-bad");
    namespaces.push(namespace);
    const keyDir = mkdtempSync(join(tmpdir(), "slipway-secrets-"));
    const project = makeProject({ project: "secrets-bad", chart: chart(keyDir) });
    const wrongKey = nelm(["chart", "secret", "key", "create"], keyDir).trim();
    const wrong = await converge(env, project, { namespace, release: "secrets-bad", env: { WERF_SECRET_KEY: wrongKey } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^Error: \.helm\/secret(\/cert\.pem|-values\.yaml:\d+ \(key: [a-z.]+\)): decrypt secret (file|value): inconsistent data, unpad failed \(wrong secret key or corrupt (file|value)\)\n$/,
    );
    expect(wrong.stdout + wrong.stderr).not.toContain(PASSWORD);
    expect(() => kubectl(env, "get", "namespace", namespace)).toThrow(/not found/);

    const missing = await converge(env, project, { namespace, release: "secrets-bad", env: { HOME: keyDir } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `Error: decrypt .helm/secret-values.yaml: required encryption key not found in: "$WERF_SECRET_KEY", "${project.dir}/.werf_secret_key", "${keyDir}/.werf/global_secret_key"\n`,
    );
    expect(() => kubectl(env, "get", "namespace", namespace)).toThrow(/not found/);
  });
});
