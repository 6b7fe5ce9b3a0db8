#!/usr/bin/env node
// bench/render: renders a large generated chart (250 templates, heavy on include, tpl and toYaml) with
// `slipway render` and with the oracle `helm template` v3.17.3, side by side in one run, and prints
// the ratio of the medians (wall time per process, including start-up).
//
// Usage: node bench/render/run.js [--runs N] [--templates N]

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { helmBinary } from "../../scripts/helm-oracle.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg("--runs", 5);
const TEMPLATES = arg("--templates", 250);


/** Compiles slipway into .cache/bench/dist (node_modules resolve from the repository). */
function buildSlipway() {
  const out = join(root, ".cache/bench/dist");
  mkdirSync(out, { recursive: true });
  // src/version.ts reads ../package.json relative to the compiled file.
  copyFileSync(join(root, "package.json"), join(root, ".cache/bench/package.json"));
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json"), "--outDir", out], {
    stdio: "inherit",
  });
  const entry = join(out, "bench-entry.js");
  writeFileSync(entry, 'import process from "node:process";\nimport { run } from "./cli/main.js";\nprocess.exitCode = await run(process.argv);\n');
  return entry;
}

function generateChart(dir, n) {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: \"1.0\"\n");
  let values = "global:\n  labels:\n    team: platform\n    tier: backend\ncommonAnnotations:\n  owner: \"{{ .Release.Name }}-owner\"\n  note: \"rendered for {{ .Release.Namespace }}\"\nservices:\n";
  for (let i = 0; i < n; i++) {
    values += `  svc${i}:\n    enabled: true\n    replicas: ${(i % 5) + 1}\n    image: {repository: registry.example.com/app${i}, tag: "v1.${i}.0"}\n`;
    values += `    env:\n      - {name: INDEX, value: "${i}"}\n      - {name: NAME, value: "svc${i}-{{ .Release.Name }}"}\n`;
    values += `    resources: {limits: {cpu: ${100 + i}m, memory: ${64 + i}Mi}, requests: {cpu: 10m, memory: 32Mi}}\n`;
    values += `    config:\n      key${i}: "value ${i} with a fairly long text that makes toYaml fold the line when it is long enough to pass eighty columns"\n      nested: {a: 1, b: [x, y, z], c: {d: true}}\n`;
  }
  writeFileSync(join(dir, "values.yaml"), values);
  writeFileSync(
    join(dir, "templates/_helpers.tpl"),
    `{{- define "big.fullname" -}}{{- printf "%s-%s" .ctx.Release.Name .name | trunc 63 | trimSuffix "-" -}}{{- end -}}
{{- define "big.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
{{ toYaml .ctx.Values.global.labels }}
{{- end -}}
{{- define "big.render" -}}
{{- if typeIs "string" .value }}{{ tpl .value .context }}{{ else }}{{ tpl (toYaml .value) .context }}{{ end -}}
{{- end -}}
{{- define "big.annotations" -}}
{{- include "big.render" (dict "value" .ctx.Values.commonAnnotations "context" .ctx) -}}
{{- end -}}
`,
  );
  for (let i = 0; i < n; i++) {
    writeFileSync(
      join(dir, `templates/svc${i}.yaml`),
      `{{- $svc := index .Values.services "svc${i}" }}
{{- if $svc.enabled }}
{{- $ctx := dict "name" "svc${i}" "ctx" $ }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "big.fullname" $ctx }}
  labels: {{- include "big.labels" $ctx | nindent 4 }}
  annotations: {{- include "big.annotations" $ctx | nindent 4 }}
spec:
  replicas: {{ $svc.replicas }}
  selector:
    matchLabels: {{- include "big.labels" $ctx | nindent 6 }}
  template:
    metadata:
      labels: {{- include "big.labels" $ctx | nindent 8 }}
    spec:
      containers:
        - name: app
          image: {{ printf "%s:%s" $svc.image.repository $svc.image.tag }}
          env: {{- include "big.render" (dict "value" $svc.env "context" $) | nindent 12 }}
          resources: {{- toYaml $svc.resources | nindent 12 }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "big.fullname" $ctx }}-config
  labels: {{- include "big.labels" $ctx | nindent 4 }}
data:
  config.yaml: |
    {{- toYaml $svc.config | nindent 4 }}
  all.json: {{ toJson $svc | quote }}
{{- end }}
`,
    );
  }
}

function time(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, TZ: "UTC" } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const helm = helmBinary();
const entry = buildSlipway();
const dir = mkdtempSync(join(tmpdir(), "slipway-bench-"));
try {
  const chart = join(dir, "big");
  generateChart(chart, TEMPLATES);
  const common = ["--namespace", "default", "--kube-version", "1.30.0"];
  const helmArgs = ["template", "rn", chart, ...common];
  const slipArgs = [entry, "render", chart, "--release", "rn", ...common];
  // Warm-up and equality check.
  const h0 = time(helm, helmArgs);
  const s0 = time(process.execPath, slipArgs);
  const same = h0.out === s0.out;
  const helmTimes = [];
  const slipTimes = [];
  for (let i = 0; i < RUNS; i++) {
    helmTimes.push(time(helm, helmArgs).ms);
    slipTimes.push(time(process.execPath, slipArgs).ms);
  }
  const h = median(helmTimes);
  const s = median(slipTimes);
  process.stdout.write(
    `chart: ${TEMPLATES} templates, ${h0.out.length} bytes of output, outputs identical: ${same}\n` +
      `helm template (v3.17.3): median ${h.toFixed(0)} ms over ${RUNS} runs\n` +
      `slipway render:          median ${s.toFixed(0)} ms over ${RUNS} runs (node ${process.version})\n` +
      `ratio slipway/helm: ${(s / h).toFixed(2)}x\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
