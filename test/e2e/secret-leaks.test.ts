// No secret leaks: with registry credentials (an htpasswd registry, credentials in a Docker config.json), a bearer
// token in the kubeconfig, werf's encrypted secret values (and their key), a `--set` password that ends up in a Secret, and literal Secret data in a manifest,
// slipway runs a good converge (with build and deploy reports), a plan with a changed Secret, a converge with
// --log-debug, and failing converges (with and without --log-debug). None of the secrets, nor their base64 forms,
// may appear in stdout, stderr, the reports or error messages; the plan shows the Secret as changed with its
// values masked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import type { GitDir } from "../helpers/gitdir.js";
import { startHtpasswdRegistry, type RegistryServer } from "../helpers/registry-server.js";
import { runSlipway, type SlipwayResult } from "../helpers/slipway.js";
import { deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";
import { generateSecretKey, newSecretCipher } from "../../src/secret/cipher.js";
import { encryptSecretValues } from "../../src/secret/values-file.js";

const env = inject("localEnv");
const b64 = (text: string): string => Buffer.from(text).toString("base64");

/** Secrets in play, by where they come from; every form listed must stay out of every output. */
interface Secret {
  readonly what: string;
  readonly value: string;
}

describe("no secret leaks in output, reports, plans or errors", () => {
  let registry: RegistryServer;
  let dir: string;
  let project: GitDir;
  const namespace = uniqueName("e2e-leaks");
  const release = uniqueName("leaks");
  const setPasswords = ["set-password-0ne-Q7x", "set-password-tw0-K2m", "set-password-thr3e-W9z"];
  const LITERAL = "literal-secret-data-Z4p";
  // werf's encrypted values: .helm/secret-values.yaml, decrypted with WERF_SECRET_KEY.
  const SECRET_VALUE = "secret-value-from-werf-R3d";
  const secretKey = generateSecretKey();
  let token = "";
  const secrets: Secret[] = [];
  const outputs: { run: string; text: string }[] = [];
  let deployReport = "";
  let buildReport = "";

  beforeAll(async () => {
    registry = await startHtpasswdRegistry();
    dir = mkdtempSync(join(tmpdir(), "slipway-leaks-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: { [registry.host]: { auth: b64(`${registry.user}:${registry.password}`) } } }));
    const kubeconfig = parse(readFileSync(env.kubeconfig, "utf8")) as {
      contexts: { name: string; context: { user: string } }[];
      users: { name: string; user: { token?: string } }[];
    };
    const user = kubeconfig.contexts.find((c) => c.name === env.tokenContext)?.context.user;
    token = kubeconfig.users.find((u) => u.name === user)?.user.token ?? "";
    expect(token).not.toBe("");
    secrets.push(
      { what: "registry password", value: registry.password },
      { what: "registry auth (base64 user:password)", value: b64(`${registry.user}:${registry.password}`) },
      { what: "kubeconfig bearer token", value: token },
      { what: "Secret manifest data", value: LITERAL },
      { what: "Secret manifest data (base64)", value: b64(LITERAL) },
      ...setPasswords.flatMap((p) => [
        { what: "--set password", value: p },
        { what: "--set password (base64)", value: b64(p) },
      ]),
      { what: "decrypted secret value", value: SECRET_VALUE },
      { what: "decrypted secret value (base64)", value: b64(SECRET_VALUE) },
      { what: "secret key (WERF_SECRET_KEY)", value: secretKey },
    );
    deployReport = join(dir, "deploy-report.json");
    buildReport = join(dir, "build-report.json");
    project = makeProject({
      project: "e2e-leaks",
      images: "image: app\ndockerfile: Dockerfile\n",
      files: { Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo built > /built\n` },
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: leaks\nversion: 0.1.0\n",
        "values.yaml": "db:\n  password: \"\"\nfail: false\nfailRender: false\n",
        // A render that fails quoting the decrypted value.
        "templates/fail.yaml": '{{ if .Values.failRender }}{{ fail (printf "the token %s is refused" .Values.api.token) }}{{ end }}\n',
        "secret-values.yaml": encryptSecretValues(`api:\n  token: ${SECRET_VALUE}\n`, newSecretCipher(secretKey), "secret-values.yaml"),
        "templates/secret.yaml": [
          "apiVersion: v1",
          "kind: Secret",
          "metadata:",
          "  name: creds",
          "stringData:",
          "  password: {{ .Values.db.password | quote }}",
          "  apiToken: {{ .Values.api.token | quote }}",
          "data:",
          `  literal: ${b64(LITERAL)}`,
          "",
        ].join("\n"),
        "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: image\ndata:\n  image: {{ .Values.werf.image.app | quote }}\n  token: {{ .Values.api.token | quote }}\n",
        // A failing run: the server refuses this Secret (a key with a space), next to the password.
        "templates/bad.yaml": [
          "{{ if .Values.fail }}",
          "apiVersion: v1",
          "kind: Secret",
          "metadata:",
          "  name: bad",
          "stringData:",
          "  password: {{ .Values.db.password | quote }}",
          '  "not a valid key": {{ .Values.db.password | quote }}',
          "  apiToken: {{ .Values.api.token | quote }}",
          "---",
          // The server's refusal quotes the decrypted value (not a valid label value): the error line must not.
          "apiVersion: v1",
          "kind: ConfigMap",
          "metadata:",
          "  name: bad-label",
          "  labels:",
          '    token: {{ printf "%s!" .Values.api.token | quote }}',
          "{{ end }}",
          "",
        ].join("\n"),
      },
    });
  });

  afterAll(async () => {
    await registry.stop();
    project.remove();
    rmSync(dir, { recursive: true, force: true });
    deleteNamespace(env, namespace);
    const bytes = outputs.reduce((n, o) => n + o.text.length, 0);
    console.log(`secret leaks: ${secrets.length} secret forms searched in ${outputs.length} outputs (${bytes} bytes): ${outputs.map((o) => o.run).join(", ")}`);
  });

  const slipway = async (name: string, command: string, args: readonly string[]): Promise<SlipwayResult> => {
    const result = await runSlipway(
      [command, "--repo", `${registry.host}/leaks`, "--insecure-registry", "--namespace", namespace, "--release", release, ...args],
      {
        cwd: project.dir,
        env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.tokenContext, DOCKER_HOST: env.dockerHost, DOCKER_CONFIG: dir, WERF_LOG_COLOR_MODE: "off", WERF_SECRET_KEY: secretKey },
        timeoutMs: 240_000,
      },
    );
    outputs.push({ run: `${name} stdout`, text: result.stdout }, { run: `${name} stderr`, text: result.stderr });
    return result;
  };

  const expectNoSecrets = (): void => {
    const leaks: string[] = [];
    for (const o of outputs) for (const s of secrets) if (o.text.includes(s.value)) leaks.push(`${s.what} in ${o.run}`);
    expect(leaks).toEqual([]);
  };

  it("a good converge with build and deploy reports", async () => {
    const result = await slipway("converge", "converge", ["--set", `db.password=${setPasswords[0] ?? ""}`, "--save-deploy-report", "--deploy-report-path", deployReport, "--save-build-report", "--build-report-path", buildReport]);
    expect(result.code, result.stderr).toBe(0);
    // The secrets really were in play: pushed with the credentials, the password in the cluster.
    expect(kubectl(env, "get", "secret", "creds", "-n", namespace, "-o", "jsonpath={.data.password}")).toBe(b64(setPasswords[0] ?? ""));
    expect(kubectl(env, "get", "configmap", "image", "-n", namespace, "-o", "jsonpath={.data.image}")).toContain(registry.host);
    expect(kubectl(env, "get", "configmap", "image", "-n", namespace, "-o", "jsonpath={.data.token}")).toBe(SECRET_VALUE);
    for (const [name, file] of [["deploy report", deployReport], ["build report", buildReport]] as const) {
      expect(existsSync(file), name).toBe(true);
      outputs.push({ run: name, text: readFileSync(file, "utf8") });
    }
    expectNoSecrets();
  });

  it("a plan of a changed Secret shows the change with the values masked", async () => {
    const result = await slipway("plan", "plan", ["--set", `db.password=${setPasswords[1] ?? ""}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Secret\/creds/);
    // Same length, different value: the diff still says the value changes, and shows nothing of it.
    expect(result.stdout).toMatch(/\+\s+password: "<hidden: 28 bytes, changed>"/);
    expectNoSecrets();
  });

  it("a converge with --log-debug", async () => {
    const result = await slipway("converge --log-debug", "converge", ["--log-debug", "--set", `db.password=${setPasswords[1] ?? ""}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/kube: /);
    expectNoSecrets();
  });

  it("failing converges, with and without --log-debug", async () => {
    for (const debug of [false, true]) {
      const result = await slipway(`failing converge${debug ? " --log-debug" : ""}`, "converge", [
        ...(debug ? ["--log-debug"] : []),
        "--set",
        `db.password=${setPasswords[2] ?? ""}`,
        "--set",
        "fail=true",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Secret\/bad|not a valid key/);
      expect(result.stderr).toMatch(/ConfigMap\/bad-label|a valid label/);
    }
    for (const debug of [false, true]) {
      const result = await slipway(`failing render${debug ? " --log-debug" : ""}`, "converge", [...(debug ? ["--log-debug"] : []), "--set", "failRender=true"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("the token *** is refused");
    }
    expectNoSecrets();
  });
});
