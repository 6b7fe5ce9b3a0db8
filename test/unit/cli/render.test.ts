// `slipway render` (werf render) in-process on a committed project without a repo: werf's placeholder images, the
// normalised output, and render's own flags (--show-only/-s and $WERF_SHOW_ONLY*, --include-crds, --output).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-render-"));
  const files: Record<string, string> = {
    "werf.yaml": "project: shop\nconfigVersion: 1\n---\nimage: web\ndockerfile: Dockerfile\n",
    Dockerfile: "FROM scratch\n",
    ".helm/templates/web.yaml": "# a comment\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: {{ .Release.Namespace }}\nspec:\n  containers:\n  - name: web\n    image: {{ .Values.werf.image.web }}\n",
    ".helm/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  stub: {{ .Values.werf.is_stub | quote }}\n  b: \"1\"\n  a: x\n",
    ".helm/templates/caps.yaml": '{{ if .Values.caps }}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caps\ndata:\n  kube: {{ .Capabilities.KubeVersion.Version }}\n  extra: {{ .Capabilities.APIVersions.Has "x.io/v1" | quote }}\n  lookup: {{ lookup "v1" "Namespace" "" "default" | toJson | quote }}\n{{ end }}',
    ".helm/crds/crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: foos.example.com\nspec:\n  group: example.com\n  names: {kind: Foo, plural: foos}\n  scope: Namespaced\n  versions: []\n",
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const git = (...args: string[]): void => void execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "init");
  return dir;
}

describe("slipway render", () => {
  const dir = project();
  const env = { SLIPWAY_CWD: dir, HOME: dir };

  it("prints werf's normalised manifests with placeholder images when there is no repo", async () => {
    const r = await runCli(["render", "--namespace", "shop-ns"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "---",
        "# Source: shop/crds/crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata:",
        "  annotations: {}",
        "  labels: {}",
        "  name: foos.example.com",
        "spec:",
        "  group: example.com",
        "  names:",
        "    kind: Foo",
        "    plural: foos",
        "  scope: Namespaced",
        "  versions: []",
        "---",
        "# Source: shop/templates/cm.yaml",
        "apiVersion: v1",
        "data:",
        "  a: x",
        '  b: "1"',
        '  stub: "true"',
        "kind: ConfigMap",
        "metadata:",
        "  annotations: {}",
        "  labels: {}",
        "  name: cm",
        "---",
        "# Source: shop/templates/web.yaml",
        "apiVersion: v1",
        "kind: Pod",
        "metadata:",
        "  annotations: {}",
        "  labels: {}",
        "  name: web",
        "spec:",
        "  containers:",
        "  - image: REPO:TAG",
        "    name: web",
        "",
      ].join("\n"),
    );
  });

  it("takes --show-only/-s and $WERF_SHOW_ONLY*, --include-crds=false and --output", async () => {
    const only = await runCli(["render", "-s", "templates/web.yaml", "--include-crds=false"], env);
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout.match(/^# Source: .*$/gm)).toEqual(["# Source: shop/templates/web.yaml"]);
    const fromEnv = await runCli(["render", "--show-only", "shop/templates/cm.yaml"], { ...env, WERF_SHOW_ONLY_1: "templates/web.yaml", WERF_INCLUDE_CRDS: "0" });
    expect(fromEnv.stdout.match(/^# Source: .*$/gm)).toEqual(["# Source: shop/templates/cm.yaml", "# Source: shop/templates/web.yaml"]);
    const toFile = await runCli(["render", "--output", "out.yaml"], env);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe("");
    expect(readFileSync(join(dir, "out.yaml"), "utf8")).toContain("# Source: shop/templates/web.yaml\n");
  });

  it("renders offline against werf's defaults, --kube-version and --extra-apiversions (alias --api-versions)", async () => {
    const defaults = await runCli(["render", "--set", "caps=true", "-s", "templates/caps.yaml"], env);
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(defaults.stdout).toContain("  extra: \"false\"\n  kube: v1.20.0\n  lookup: '{}'\n");
    const given = await runCli(["render", "--set", "caps=true", "-s", "templates/caps.yaml", "--kube-version", "1.29.3", "--api-versions", "a.io/v1,x.io/v1"], env);
    expect(given.stdout).toContain("  extra: \"true\"\n  kube: v1.29.3\n");
    const fromEnv = await runCli(["render", "--set", "caps=true", "-s", "templates/caps.yaml"], { ...env, WERF_EXTRA_APIVERSIONS_1: "x.io/v1", WERF_KUBE_VERSION: "1.28.0" });
    expect(fromEnv.stdout).toContain("  extra: \"true\"\n  kube: v1.28.0\n");
  });

  it("names render's own flags in its help", async () => {
    const r = await runCli(["render", "--help"], env);
    expect(r.code).toBe(0);
    for (const flag of ["--validate", "--show-only", "--output", "--include-crds", "--kube-version", "--extra-apiversions", "--stub-tags", "--set-json", "--repo"]) expect(r.stdout).toContain(flag);
  });
});
