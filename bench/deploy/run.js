#!/usr/bin/env node
// bench/deploy: deploys generated charts that look like users' charts to the local cluster with
//   helm upgrade --install --wait   (v3.17.3, the oracle of scripts/helm-oracle.js)
//   nelm release install            (v1.24.3, built by scripts/build-nelm.sh)
//   slipway converge                (node bin/slipway.js, in a temp git repo with werf.yaml and the chart as .helm)
// side by side in one run, each into a fresh namespace (cold) and then again unchanged (no-op), and prints wall
// times, peak RSS and the ratios slipway/helm and slipway/nelm. A leg that fails prints its error and the others go on.
//
// Charts (one-replica Deployments on 127.0.0.1:5000/base/busybox with readiness probes, labels, env, resources):
//   small   45 ConfigMaps +  5 Deployments                     (the chart of werf-deploy.md §10)
//   medium 290 ConfigMaps + 10 Deployments                     (ditto)
//   large  1,000 resources: 950 ConfigMaps + 20 Secrets + 20 Services + 10 Deployments  (peak RSS)
//
// Usage: node bench/deploy/run.js [--charts small,medium,large] [--tools helm,nelm,slipway] [--timeout 300]
//                                 [--keep] [--build]
//   --keep   leave the namespaces (bench-<tool>-<chart>-<id>) in the cluster
//   --build  run `npm run build` first, so bin/slipway.js runs the current sources
// Needs the local environment: `bash scripts/local-env up`.

import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { clearInterval, clearTimeout, setInterval, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import { helmBinary } from "../../scripts/helm-oracle.js";
import { kubectlFor, localEnv } from "../local-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argValue = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
};
const CHARTS = argValue("--charts", "small,medium,large").split(",").filter(Boolean);
const TOOLS = argValue("--tools", "helm,nelm,slipway").split(",").filter(Boolean);
const TIMEOUT_S = Number(argValue("--timeout", "300"));
const KEEP = process.argv.includes("--keep");
const BUILD = process.argv.includes("--build");
const IMAGE = "127.0.0.1:5000/base/busybox:latest";

const SIZES = {
  small: { configMaps: 45, secrets: 0, services: 0, deployments: 5 },
  medium: { configMaps: 290, secrets: 0, services: 0, deployments: 10 },
  large: { configMaps: 950, secrets: 20, services: 20, deployments: 10 },
};

// ---------------------------------------------------------------------------------------------------------------
// The environment

const env = localEnv(root);
const KUBECONFIG = env.KUBECONFIG;
const CONTEXT = env.SLIPWAY_KUBE_CONTEXT ?? "slipway-local";

const kubectl = kubectlFor(env);

// ---------------------------------------------------------------------------------------------------------------
// The charts

const chartYaml = (name) => `apiVersion: v2
name: ${name}
description: A generated service chart for bench/deploy
type: application
version: 0.3.1
appVersion: "2.14.0"
`;

const helpers = `{{- define "svc.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "svc.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ .root.Values.global.system }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- with .root.Values.global.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "svc.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}
`;

const configMapsTpl = `{{- range $cm := .Values.configMaps }}
{{- $ctx := dict "root" $ "name" $cm.name }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "svc.fullname" $ctx }}
  labels:
    {{- include "svc.labels" $ctx | nindent 4 }}
    config.example.com/owner: {{ $cm.owner }}
  annotations:
    config.example.com/description: {{ printf "settings of %s (%s)" $cm.name $cm.owner | quote }}
data:
  LOG_LEVEL: {{ $cm.logLevel | quote }}
  FEATURE_FLAGS: {{ join "," $cm.features | quote }}
  MAX_CONNECTIONS: {{ $cm.maxConnections | quote }}
  application.yaml: |
    server:
      port: 8080
      shutdownTimeout: 15s
    database:
      host: {{ printf "postgres-%s.%s.svc" $cm.owner $.Release.Namespace }}
      pool: {{ $cm.maxConnections }}
    cache:
      ttl: {{ $cm.cacheTtl }}
      {{- with $cm.upstreams }}
    upstreams:
      {{- toYaml . | nindent 6 }}
      {{- end }}
{{- end }}
`;

const secretsTpl = `{{- range $s := .Values.secrets }}
{{- $ctx := dict "root" $ "name" $s.name }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "svc.fullname" $ctx }}
  labels:
    {{- include "svc.labels" $ctx | nindent 4 }}
type: Opaque
stringData:
  username: {{ $s.name | quote }}
  password: {{ $s.password | quote }}
  dsn: {{ printf "postgres://%s:%s@db:5432/%s" $s.name $s.password $s.name | quote }}
{{- end }}
`;

const servicesTpl = `{{- range $svc := .Values.services }}
{{- $ctx := dict "root" $ "name" $svc.name }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "svc.fullname" $ctx }}
  labels:
    {{- include "svc.labels" $ctx | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "svc.selector" $ctx | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: 8080
      protocol: TCP
{{- end }}
`;

const deploymentsTpl = `{{- range $app := .Values.apps }}
{{- $ctx := dict "root" $ "name" $app.name }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "svc.fullname" $ctx }}
  labels:
    {{- include "svc.labels" $ctx | nindent 4 }}
spec:
  replicas: 1
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      {{- include "svc.selector" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "svc.labels" $ctx | nindent 8 }}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: {{ $app.name }}
          image: {{ $.Values.image }}
          imagePullPolicy: IfNotPresent
          {{- if eq $app.kind "http" }}
          command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /index.html
              port: http
            periodSeconds: 2
            failureThreshold: 3
          {{- else }}
          command: ["sh", "-c", "touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 1; done"]
          readinessProbe:
            exec:
              command: ["test", "-f", "/tmp/ready"]
            periodSeconds: 2
          {{- end }}
          env:
            - name: APP_NAME
              value: {{ $app.name | quote }}
            - name: APP_ENV
              value: {{ $.Values.global.environment | quote }}
            - name: LOG_LEVEL
              valueFrom:
                configMapKeyRef:
                  name: {{ include "svc.fullname" (dict "root" $ "name" $app.config) }}
                  key: LOG_LEVEL
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          resources:
            requests: {cpu: 5m, memory: 8Mi}
            limits: {cpu: 100m, memory: 64Mi}
{{- end }}
`;

function generateChart(dir, size) {
  const s = SIZES[size];
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), chartYaml(`bench-${size}`));
  writeFileSync(join(dir, "templates/_helpers.tpl"), helpers);
  writeFileSync(join(dir, "templates/configmaps.yaml"), configMapsTpl);
  if (s.secrets) writeFileSync(join(dir, "templates/secrets.yaml"), secretsTpl);
  if (s.services) writeFileSync(join(dir, "templates/services.yaml"), servicesTpl);
  writeFileSync(join(dir, "templates/deployments.yaml"), deploymentsTpl);
  const owners = ["payments", "orders", "search", "identity", "catalog", "billing", "notifications"];
  const levels = ["info", "debug", "warn"];
  let v = `image: ${IMAGE}\nglobal:\n  system: shop\n  environment: bench\n  labels:\n    team: platform\n    cost-center: "4711"\n`;
  v += "configMaps:\n";
  for (let i = 0; i < s.configMaps; i++) {
    const owner = owners[i % owners.length];
    v += `  - name: ${owner}-cfg-${i}\n    owner: ${owner}\n    logLevel: ${levels[i % 3]}\n`;
    v += `    features: [checkout-v${(i % 4) + 1}, fast-search, ${i % 2 ? "beta-ui" : "legacy-ui"}]\n`;
    v += `    maxConnections: ${10 + (i % 40)}\n    cacheTtl: ${30 + (i % 7) * 15}s\n`;
    if (i % 3 === 0) v += `    upstreams:\n      - {name: ${owners[(i + 1) % owners.length]}, url: "http://${owners[(i + 1) % owners.length]}:8080", retries: 3}\n`;
  }
  v += s.secrets ? "secrets:\n" : "secrets: []\n";
  for (let i = 0; i < s.secrets; i++) v += `  - {name: db-user-${i}, password: "p${(i * 7919).toString(36)}x${i}"}\n`;
  v += s.services ? "services:\n" : "services: []\n";
  for (let i = 0; i < s.services; i++) v += `  - {name: app-${i % s.deployments}-${i}}\n`;
  v += "apps:\n";
  for (let i = 0; i < s.deployments; i++) {
    v += `  - {name: app-${i}, kind: ${i % 2 ? "sleep" : "http"}, config: ${owners[i % owners.length]}-cfg-${i}}\n`;
  }
  writeFileSync(join(dir, "values.yaml"), v);
  return s.configMaps + s.secrets + s.services + s.deployments;
}

// ---------------------------------------------------------------------------------------------------------------
// Running a tool: wall time (hrtime in this process) and peak RSS

const HAVE_TIME = existsSync("/usr/bin/time");

/** Sum of VmRSS over a process and its descendants (for the /proc polling fallback). */
function treeRssKb(pid) {
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const m = /VmRSS:\s+(\d+)/.exec(status);
      if (m) total += Number(m[1]);
      for (const t of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/)) if (t) stack.push(Number(t));
    } catch {
      // gone
    }
  }
  return total;
}

/** Runs a command; resolves { code, ms, rssMb, stdout, stderr }. */
function run(cmd, args, { cwd = root, extraEnv = {} } = {}) {
  return new Promise((resolve) => {
    const timeFile = join(tmpdir(), `slipway-bench-time-${process.pid}-${Date.now()}`);
    const [bin, argv] = HAVE_TIME ? ["/usr/bin/time", ["-v", "-o", timeFile, cmd, ...args]] : [cmd, args];
    const start = process.hrtime.bigint();
    const child = spawn(bin, argv, {
      cwd,
      env: { ...process.env, KUBECONFIG, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    let peakKb = 0;
    const poll = HAVE_TIME ? undefined : setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid))), 50);
    const killer = setTimeout(() => child.kill("SIGKILL"), (TIMEOUT_S + 60) * 1000);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      clearTimeout(killer);
      if (poll) clearInterval(poll);
      if (HAVE_TIME && existsSync(timeFile)) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, "utf8"));
        if (m) peakKb = Number(m[1]);
        rmSync(timeFile, { force: true });
      }
      resolve({ code: code ?? -1, ms, rssMb: peakKb / 1024, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The three legs

function nelmBinary() {
  const cache = process.env.SLIPWAY_CACHE ?? join(process.env.HOME ?? "/root", ".cache/slipway");
  const cached = join(cache, "nelm/1.24.3/bin/nelm");
  if (existsSync(cached)) return cached;
  process.stderr.write("bench/deploy: nelm is not built yet; running scripts/build-nelm.sh (one-time, ~10 min)\n");
  const out = execFileSync("bash", [join(root, "scripts/build-nelm.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return out.trim().split("\n").pop();
}

const legs = {
  helm: () => {
    const helm = helmBinary();
    const helmHome = join(root, ".cache/tools/helm/home");
    const extraEnv = {
      HELM_CACHE_HOME: join(helmHome, "cache"),
      HELM_CONFIG_HOME: join(helmHome, "config"),
      HELM_DATA_HOME: join(helmHome, "data"),
    };
    return (chart, ns, release) =>
      run(
        helm,
        ["upgrade", "--install", release, chart, "-n", ns, "--create-namespace", "--wait", "--timeout", `${TIMEOUT_S}s`, "--kube-context", CONTEXT],
        { extraEnv },
      );
  },
  nelm: () => {
    const nelm = nelmBinary();
    return (chart, ns, release) =>
      run(nelm, ["release", "install", "-n", ns, "-r", release, chart, "--kube-context", CONTEXT, "--timeout", `${TIMEOUT_S}s`], {
        extraEnv: { NELM_COLOR_MODE: "off" },
      });
  },
  slipway: () => {
    if (BUILD) execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
    const bin = join(root, "bin/slipway.js");
    const repos = new Map();
    return async (chart, ns, release) => {
      let repo = repos.get(chart);
      if (!repo) {
        repo = mkdtempSync(join(tmpdir(), "slipway-bench-repo-"));
        writeFileSync(join(repo, "werf.yaml"), "project: bench\nconfigVersion: 1\n");
        cpSync(chart, join(repo, ".helm"), { recursive: true });
        const git = (...a) => execFileSync("git", a, { cwd: repo, stdio: "ignore" });
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench chart");
        repos.set(chart, repo);
      }
      return run(
        process.execPath,
        [bin, "converge", "--kube-context", CONTEXT, "--namespace", ns, "--release", release, "--timeout", String(TIMEOUT_S)],
        { cwd: repo },
      );
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Main

function fmtS(ms) {
  return ms === undefined ? "    -   " : `${(ms / 1000).toFixed(1).padStart(6)} s`;
}
function ratio(a, b) {
  return a === undefined || b === undefined ? "  -  " : `${(a / b).toFixed(2)}x`;
}
function lastLines(text, n = 6) {
  return text.trim().split("\n").slice(-n).map((l) => `      ${l}`).join("\n");
}

if (kubectl(["get", "--raw", "/readyz"], { check: false }).status !== 0) {
  process.stderr.write("bench/deploy: the local cluster is not reachable; start it with `bash scripts/local-env up`\n");
  process.exit(1);
}

const id = Date.now().toString(36).slice(-5);
const work = mkdtempSync(join(tmpdir(), "slipway-bench-deploy-"));
const results = []; // { chart, resources, tool, cold, noop, error }
const runners = {};
for (const tool of TOOLS) {
  if (!legs[tool]) throw new Error(`unknown tool ${tool} (helm, nelm, slipway)`);
  try {
    runners[tool] = legs[tool]();
  } catch (error) {
    process.stdout.write(`${tool}: cannot start: ${error.message}\n`);
  }
}
process.stdout.write(
  `bench/deploy on ${CONTEXT} (peak RSS ${HAVE_TIME ? "from /usr/bin/time -v, largest process" : "from /proc polling, process tree"}); ` +
    `timeout ${TIMEOUT_S}s\n`,
);

try {
  for (const size of CHARTS) {
    if (!SIZES[size]) throw new Error(`unknown chart ${size} (small, medium, large)`);
    const chart = join(work, `bench-${size}`);
    const resources = generateChart(chart, size);
    for (const tool of TOOLS) {
      const runner = runners[tool];
      if (!runner) continue;
      const ns = `bench-${tool}-${size}-${id}`;
      const release = `bench-${size}`;
      const entry = { chart: size, resources, tool };
      results.push(entry);
      for (const phase of ["cold", "noop"]) {
        let r;
        try {
          r = await runner(chart, ns, release);
        } catch (error) {
          r = { code: -1, ms: 0, rssMb: 0, stdout: "", stderr: String(error?.stack ?? error) };
        }
        process.stdout.write(
          `${size.padEnd(6)} ${tool.padEnd(7)} ${phase.padEnd(4)} ${fmtS(r.ms)}  peak RSS ${r.rssMb.toFixed(0).padStart(4)} MB  exit ${r.code}\n`,
        );
        if (r.code !== 0) {
          entry.error = `${phase} exited ${r.code}`;
          process.stdout.write(`${lastLines(`${r.stdout}\n${r.stderr}`)}\n`);
          break;
        }
        entry[phase] = r;
      }
      if (!KEEP) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=180s"], { check: false });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Summary
process.stdout.write("\nchart  (resources)  tool      cold      no-op    peak RSS\n");
for (const e of results) {
  process.stdout.write(
    `${`${e.chart} (${e.resources})`.padEnd(18)} ${e.tool.padEnd(8)} ${fmtS(e.cold?.ms)} ${fmtS(e.noop?.ms)}  ` +
      `${e.cold ? `${Math.max(e.cold.rssMb, e.noop?.rssMb ?? 0).toFixed(0).padStart(4)} MB` : "   -   "}` +
      `${e.error ? `  (${e.error})` : ""}\n`,
  );
}
process.stdout.write("\nratios        cold: slipway/helm slipway/nelm nelm/helm   no-op: slipway/helm slipway/nelm nelm/helm\n");
for (const size of CHARTS) {
  const get = (tool, phase) => results.find((e) => e.chart === size && e.tool === tool)?.[phase]?.ms;
  const row = (phase) =>
    `${ratio(get("slipway", phase), get("helm", phase)).padStart(12)} ${ratio(get("slipway", phase), get("nelm", phase)).padStart(12)} ` +
    `${ratio(get("nelm", phase), get("helm", phase)).padStart(9)}`;
  process.stdout.write(`${size.padEnd(12)} ${row("cold")}        ${row("noop")}\n`);
}
