// A werf chart's secrets and werf v2's values precedence (nelm's MergeInternal, confirmed with nelm 1.24.3's chart
// render in test/e2e/secrets.test.ts): service values > secret values > --set family and --values files > values.yaml.
import { describe, expect, it } from "vitest";
import { loadFiles } from "../../../src/chart/load.js";
import type { ChartFile } from "../../../src/chart/types.js";
import { mergeUserValues, mergeWerfValues } from "../../../src/chart/values.js";
import { formatError } from "../../../src/errors.js";
import { renderChart } from "../../../src/render/render.js";
import { generateSecretKey, newSecretCipher } from "../../../src/secret/cipher.js";
import { loadChartSecrets, type ChartSecretsOptions } from "../../../src/secret/chart.js";
import { encryptSecretValues } from "../../../src/secret/values-file.js";
import { werfFuncMap } from "../../../src/template/helm/werf.js";
import type { GoMap } from "../../../src/template/value.js";

const key = generateSecretKey();
const cipher = newSecretCipher(key);
const file = (name: string, text: string): ChartFile => ({ name, data: Buffer.from(text) });

const TEMPLATE = `a={{ .Values.a }} b={{ .Values.b }} c={{ .Values.c }} d={{ .Values.d }} e={{ .Values.e }} w={{ .Values.werf.x }} n={{ kindOf .Values.num }}`;

function chartFiles(secretValues: string): ChartFile[] {
  return [
    file("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n"),
    file("values.yaml", "a: default\nb: default\nc: default\nd: default\ne: default\nnum: 1\nwerf: {x: default}\n"),
    file("secret-values.yaml", encryptSecretValues(secretValues, cipher, "secret-values.yaml")),
    file("secret/tls.crt", `${cipher.encrypt(Buffer.from("CERT\n"))}\n`),
    file("templates/cm.yaml", `kind: Values\nv: ${TEMPLATE} f={{ werf_secret_file "tls.crt" | trim }}\n`),
  ];
}

function options(files: ChartFile[], extra: Partial<ChartSecretsOptions> = {}): ChartSecretsOptions {
  return {
    files,
    chartDir: ".helm",
    secretValuesFiles: [],
    readFile: () => {
      throw new Error("no file");
    },
    disableDefaultSecretValues: false,
    ignoreSecretKey: false,
    secretKey: () => key,
    ...extra,
  };
}

function render(files: ChartFile[], user: GoMap, service: GoMap, extra: Partial<ChartSecretsOptions> = {}): string {
  const secrets = loadChartSecrets(options(files, extra));
  const chart = loadFiles(files, null);
  const result = renderChart(chart, {
    releaseName: "r",
    namespace: "ns",
    values: mergeWerfValues(user, service, secrets.values),
    extraFuncs: werfFuncMap({ secretFiles: secrets.files }),
  });
  return result.manifests.map((m) => m.content).join("").replace(/^kind: Values\nv: /, "");
}

describe("werf v2 values precedence", () => {
  it("service > secret > --set > --values > values.yaml; decrypted scalars are strings", () => {
    const files = chartFiles("a: secret\nb: secret\nnum: 5\nwerf:\n  x: secret\n");
    const user = mergeUserValues({ valueFiles: ["vf.yaml"], values: ["a=set", "c=set"] }, () => "a: file\nb: file\nc: file\nd: file\n");
    const service: GoMap = new Map([["werf", new Map([["x", "service"]])]]);
    expect(render(files, user, service)).toBe("a=secret b=secret c=set d=file e=default w=service n=string f=CERT");
  });

  it("later --secret-values files win over earlier ones and the chart's own", () => {
    const files = chartFiles("a: secret\nb: secret\n");
    const extraFiles: Record<string, string> = {
      "one.yaml": encryptSecretValues("b: one\nc: one\n", cipher, "one.yaml"),
      "two.yaml": encryptSecretValues("c: two\n", cipher, "two.yaml"),
    };
    const out = render(files, new Map(), new Map(), { secretValuesFiles: ["one.yaml", "two.yaml"], readFile: (p) => extraFiles[p] ?? "" });
    expect(out).toContain("a=secret b=one c=two d=default");
  });

  it("--disable-default-secret-values leaves the chart's secret-values.yaml out", () => {
    expect(render(chartFiles("a: secret\n"), new Map(), new Map(), { disableDefaultSecretValues: true })).toContain("a=default");
  });
});

describe("loadChartSecrets", () => {
  it("asks for the key only when there is something to decrypt", () => {
    const noSecrets = [file("Chart.yaml", "name: x\n"), file("values.yaml", "a: 1\n")];
    const result = loadChartSecrets(options(noSecrets, { secretKey: () => { throw new Error("asked"); } }));
    expect(result.values).toBeUndefined();
    expect(result.files.size).toBe(0);
  });

  it("names the file when the key is missing", () => {
    let text = "";
    try {
      loadChartSecrets(options(chartFiles("a: s\n"), { secretKey: () => { throw new Error('required encryption key not found in: "$WERF_SECRET_KEY"'); } }));
    } catch (e) {
      text = formatError(e);
    }
    expect(text).toBe('Error: decrypt .helm/secret-values.yaml: required encryption key not found in: "$WERF_SECRET_KEY"\n');
  });

  it("names the key as werf does when it is not hex", () => {
    let text = "";
    try {
      loadChartSecrets(options(chartFiles("a: s\n"), { secretKey: () => "xyz" }));
    } catch (e) {
      text = formatError(e);
    }
    expect(text).toBe("Error: decrypt .helm/secret-values.yaml: check encryption key: encoding/hex: invalid byte: U+0078 'x'\n");
  });

  it("keeps everything encrypted with --ignore-secret-key, without asking for the key", () => {
    const files = chartFiles("a: s\n");
    const result = loadChartSecrets(options(files, { ignoreSecretKey: true, secretKey: () => { throw new Error("asked"); } }));
    expect(String(result.values?.get("a"))).toMatch(/^1000[0-9a-f]+$/);
    expect(result.files.get("tls.crt")).toMatch(/^1000[0-9a-f]+$/);
  });

  it("fails on a corrupt secret file even when no template uses it", () => {
    const files = [...chartFiles("a: s\n"), file("secret/bad", "1000abcd\n")];
    expect(() => loadChartSecrets(options(files))).toThrow(/^decrypt secret file: minimum required data length/);
  });
});

describe("werf template functions", () => {
  const ctx = (images: Record<string, string>): GoMap => new Map([["Values", new Map([["werf", new Map([["image", new Map(Object.entries(images))]])]])]]);
  const fns = werfFuncMap({ secretFiles: new Map([["a/b.txt", "B"], ["c.txt", "C"]]) });
  const call = (name: string, arg: unknown): unknown => fns.get(name)?.impl(arg);

  it("werf_image returns the image of a name, and lists the known names for an unknown one", () => {
    expect(call("werf_image", ["backend", ctx({ backend: "reg/app:tag1", frontend: "reg/app:tag2" })])).toBe("reg/app:tag1");
    expect(() => call("werf_image", ["db", ctx({ frontend: "f", backend: "b" })])).toThrow("Unknown image 'db' specified for template; known images: 'backend', 'frontend'");
    expect(call("werf_image", ctx({ "": "reg/app:nameless" }))).toBe("reg/app:nameless");
  });

  it("werf_secret_file returns a file and lists the files for an unknown path", () => {
    expect(call("werf_secret_file", "a/b.txt")).toBe("B");
    expect(() => call("werf_secret_file", "x")).toThrow(`secret file "x" not found, you may use one of the following: "a/b.txt', 'c.txt"`);
    expect(() => call("werf_secret_file", "/etc/passwd")).toThrow("expected relative secret file path, given path /etc/passwd");
  });
});
