#!/usr/bin/env node
// bench/track: how fast a deploy tool exits once the API shows the outcome, side by side in one run:
//   ready  a one-Deployment chart (busybox sleep loop, exec readiness probe `true`, periodSeconds 1). The bench's own
//          watch on the Deployment records when the API first shows it available (observedGeneration current,
//          updatedReplicas == availableReplicas == replicas); reported: the tool's exit − that moment.
//   crash  a one-Deployment chart whose container exits 1 (same readiness probe, so the pod never turns Ready). The
//          bench's own pod watch records every time a container's state.waiting.reason becomes CrashLoopBackOff;
//          reported: exit − the first CrashLoopBackOff, and exit − the last CrashLoopBackOff seen before the exit
//          (the one that made a tool with a failures budget give up: werf's default budget is 1 per replica, so
//          werf/nelm/slipway fail at the second CrashLoopBackOff, ~10 s of kubelet back-off after the first).
//   crash0 (not in the default set) the crash chart with werf.io/failures-allowed-per-replica: "0".
// Tools: slipway converge (node bin/slipway.js in a temp git repo with werf.yaml and the chart as .helm),
//        helm v3.17.3 upgrade --install --wait (polls every 2 s; crash leg with --timeout 60s, capped there),
//        nelm v1.24.3 release install (werf's deploy engine; only if scripts/build-nelm.sh already built it).
// Each run gets a fresh namespace (created by the bench before the watch opens), deleted afterwards.
// The watches are raw HTTPS watches with the kubeconfig's client certificate, in this process, so the API's
// moment and the tool's exit are read on the same clock (performance.now()).
//
// Usage: node bench/track/run.js [--reps 3] [--legs ready,crash,crash0] [--tools slipway,helm,nelm] [--build] [--keep]
//                                [--verbose]
// Needs the local environment: `bash scripts/local-env up`.

import { Buffer } from "node:buffer";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath, URL } from "node:url";
import { helmBinary } from "../../scripts/helm-oracle.js";
import { kubectlFor, localEnv } from "../local-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argValue = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
};
const REPS = Number(argValue("--reps", "3"));
const LEGS = argValue("--legs", "ready,crash").split(",").filter(Boolean);
const NELM_PATH = join(process.env.SLIPWAY_CACHE ?? join(process.env.HOME ?? "/root", ".cache/slipway"), "nelm/1.24.3/bin/nelm");
const TOOLS = argValue("--tools", existsSync(NELM_PATH) ? "slipway,helm,nelm" : "slipway,helm").split(",").filter(Boolean);
const BUILD = process.argv.includes("--build");
const KEEP = process.argv.includes("--keep");
const VERBOSE = process.argv.includes("--verbose");
const IMAGE = "127.0.0.1:5000/base/busybox:latest";
const TOOL_TIMEOUT_S = 120; // slipway and nelm, both legs; helm's ready leg
const HELM_CRASH_TIMEOUT_S = 60;
const GOALS = { ready: 100, crash: 2000, crash0: 2000 }; // slipway, ms

// ---------------------------------------------------------------------------------------------------------------
// The environment

const env = localEnv(root);
const KUBECONFIG = env.KUBECONFIG;
const CONTEXT = env.SLIPWAY_KUBE_CONTEXT ?? "slipway-local";

const kubectl = kubectlFor(env);

/** Server, CA and client certificate of the context (kept in memory only). */
function kubeAccess() {
  const cfg = JSON.parse(kubectl(["config", "view", "--raw", "--minify", "-o", "json"]).stdout);
  const cluster = cfg.clusters[0].cluster;
  const user = cfg.users[0].user;
  const b64 = (s) => (s === undefined ? undefined : Buffer.from(s, "base64"));
  if (user["client-certificate-data"] === undefined) throw new Error(`context ${CONTEXT} has no client certificate`);
  return {
    server: new URL(cluster.server),
    ca: b64(cluster["certificate-authority-data"]),
    cert: b64(user["client-certificate-data"]),
    key: b64(user["client-key-data"]),
  };
}
const access = kubeAccess();

function apiRequest(path, onResponse, reject) {
  const req = request(
    {
      host: access.server.hostname,
      port: access.server.port || 443,
      path,
      method: "GET",
      ca: access.ca,
      cert: access.cert,
      key: access.key,
      headers: { Accept: "application/json" },
    },
    onResponse,
  );
  req.on("error", (e) => reject(e));
  req.end();
  return req;
}

/**
 * Lists `path` (a list path), then watches it from the list's resourceVersion (as an informer does: a watch without
 * one waits for the watch cache to reach etcd's newest revision, which this cluster may refuse after 3 s with "Too
 * large resource version"). Calls onEvent(event, t) for each item (as ADDED) and event, t = performance.now() at
 * receipt. Resolves { close } once the watch is established.
 */
function openWatch(path, onEvent) {
  return new Promise((resolve, reject) => {
    apiRequest(
      path,
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          const t = performance.now();
          if (res.statusCode !== 200) return reject(new Error(`list ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
          const list = JSON.parse(body);
          for (const object of list.items ?? []) onEvent({ type: "ADDED", object }, t);
          const rv = list.metadata.resourceVersion;
          const req = apiRequest(
            `${path}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1800`,
            (wres) => {
              if (wres.statusCode !== 200) {
                wres.resume();
                return reject(new Error(`watch ${path}: HTTP ${wres.statusCode}`));
              }
              let buf = "";
              wres.setEncoding("utf8");
              wres.on("data", (chunk) => {
                const t2 = performance.now();
                buf += chunk;
                let nl;
                while ((nl = buf.indexOf("\n")) >= 0) {
                  const line = buf.slice(0, nl).trim();
                  buf = buf.slice(nl + 1);
                  if (!line) continue;
                  const ev = JSON.parse(line);
                  if (ev.type === "ERROR") process.stderr.write(`bench/track: watch ${path}: ${ev.object?.message}\n`);
                  onEvent(ev, t2);
                }
              });
              wres.on("error", () => {});
              resolve({ close: () => req.destroy() });
            },
            reject,
          );
        });
      },
      reject,
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The charts

const chartYaml = (name) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;

const deployment = (name, command, annotations = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${annotations}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: {{ .Values.image }}
          imagePullPolicy: IfNotPresent
          command: ${JSON.stringify(command)}
          readinessProbe:
            exec:
              command: ["true"]
            periodSeconds: 1
          resources:
            requests: {cpu: 5m, memory: 8Mi}
            limits: {cpu: 100m, memory: 32Mi}
`;

const CHARTS = {
  ready: deployment("app", ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]),
  crash: deployment("app", ["sh", "-c", "echo starting; echo failing >&2; exit 1"]),
  // the same with werf's failures budget set to 0 (werf/nelm/slipway: fail at the first CrashLoopBackOff; helm ignores it)
  crash0: deployment("app", ["sh", "-c", "echo starting; echo failing >&2; exit 1"], `
  annotations:
    werf.io/failures-allowed-per-replica: "0"`),
};

function writeChart(dir, leg) {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "Chart.yaml"), chartYaml(`track-${leg}`));
  writeFileSync(join(dir, "values.yaml"), `image: ${IMAGE}\n`);
  writeFileSync(join(dir, "templates/deployment.yaml"), CHARTS[leg]);
}

// ---------------------------------------------------------------------------------------------------------------
// The tools: each returns [cmd, args, { cwd, env }, capMs]

const helmHome = join(root, ".cache/tools/helm/home");
const tools = {
  slipway: (leg, chart, ns, release) => {
    const repo = slipwayRepo(leg, chart);
    return [
      process.execPath,
      [join(root, "bin/slipway.js"), "converge", "--kube-context", CONTEXT, "--namespace", ns, "--release", release, "--timeout", String(TOOL_TIMEOUT_S)],
      { cwd: repo, env: {} },
      (TOOL_TIMEOUT_S + 30) * 1000,
    ];
  },
  helm: (leg, chart, ns, release) => {
    const t = leg !== "ready" ? HELM_CRASH_TIMEOUT_S : TOOL_TIMEOUT_S;
    return [
      helmBinary(),
      ["upgrade", "--install", release, chart, "-n", ns, "--wait", "--timeout", `${t}s`, "--kube-context", CONTEXT],
      { cwd: root, env: { HELM_CACHE_HOME: join(helmHome, "cache"), HELM_CONFIG_HOME: join(helmHome, "config"), HELM_DATA_HOME: join(helmHome, "data") } },
      // the crash leg is capped at helm's own timeout (plus a little to let it print and exit by itself)
      (t + (leg !== "ready" ? 5 : 30)) * 1000,
    ];
  },
  nelm: (leg, chart, ns, release) => [
    NELM_PATH,
    ["release", "install", "-n", ns, "-r", release, chart, "--kube-context", CONTEXT, "--timeout", `${TOOL_TIMEOUT_S}s`],
    { cwd: root, env: { NELM_COLOR_MODE: "off" } },
    (TOOL_TIMEOUT_S + 30) * 1000,
  ],
};

const repos = new Map();
let work;
function slipwayRepo(leg, chart) {
  let repo = repos.get(leg);
  if (!repo) {
    repo = mkdtempSync(join(tmpdir(), "slipway-bench-track-repo-"));
    writeFileSync(join(repo, "werf.yaml"), "project: bench-track\nconfigVersion: 1\n");
    cpSync(chart, join(repo, ".helm"), { recursive: true });
    const git = (...a) => execFileSync("git", a, { cwd: repo, stdio: "ignore" });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "bench chart");
    repos.set(leg, repo);
  }
  return repo;
}

/** Runs the command; resolves { code, signal, start, exit, stdout, stderr, capped } (times from performance.now()). */
function runTool([cmd, args, { cwd, env: extraEnv }, capMs]) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, KUBECONFIG, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let exit;
    let code;
    let signal;
    let capped = false;
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const killer = setTimeout(() => {
      capped = true;
      child.kill("SIGKILL");
    }, capMs);
    // "exit" is the moment the process ended; "close" (all output read) comes after it
    child.on("exit", (c, s) => {
      exit = performance.now();
      code = c;
      signal = s;
    });
    child.on("close", () => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, signal, start, exit: exit ?? performance.now(), stdout, stderr, capped });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// One measurement

const isAvailable = (d) => {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want
  );
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function measure(leg, tool, chart, ns) {
  kubectl(["create", "namespace", ns]);
  const seen = { ready: undefined, clbo: [] }; // clbo: [{ t, key, restartCount }]
  const lastReason = new Map();
  const watches = [];
  try {
    watches.push(
      await openWatch(`/apis/apps/v1/namespaces/${ns}/deployments`, (ev, t) => {
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED") return;
        if (seen.ready === undefined && isAvailable(ev.object)) seen.ready = t;
      }),
    );
    watches.push(
      await openWatch(`/api/v1/namespaces/${ns}/pods`, (ev, t) => {
        if (ev.type !== "ADDED" && ev.type !== "MODIFIED") return;
        const pod = ev.object;
        for (const c of pod.status?.containerStatuses ?? []) {
          const key = `${pod.metadata.name}/${c.name}`;
          const reason = c.state?.waiting?.reason ?? (c.state?.running ? "Running" : c.state?.terminated ? "Terminated" : "");
          if (reason === "CrashLoopBackOff" && lastReason.get(key) !== "CrashLoopBackOff") {
            seen.clbo.push({ t, key, restartCount: c.restartCount });
          }
          lastReason.set(key, reason);
        }
      }),
    );
    const r = await runTool(tools[tool](leg, chart, ns, "track"));
    await sleep(1000); // an event that is on its way still counts (it would show a negative figure)
    const out = { leg, tool, code: r.code, signal: r.signal, capped: r.capped, wall: r.exit - r.start, output: `${r.stdout}\n${r.stderr}` };
    if (leg === "ready") {
      out.delta = seen.ready === undefined ? undefined : r.exit - seen.ready;
      out.apiAfterStart = seen.ready === undefined ? undefined : seen.ready - r.start;
    } else {
      const before = seen.clbo.filter((c) => c.t <= r.exit);
      out.clboCount = before.length;
      out.delta = before.length ? r.exit - before[0].t : undefined;
      out.deltaLast = before.length ? r.exit - before[before.length - 1].t : undefined;
      out.lastRestart = before.length ? before[before.length - 1].restartCount : undefined;
    }
    return out;
  } finally {
    for (const w of watches) w.close();
    if (!KEEP) kubectl(["delete", "namespace", ns, "--ignore-not-found", "--wait=true", "--timeout=120s"], { check: false });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Main

const median = (xs) => {
  const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const fmtMs = (ms) => (ms === undefined ? "-" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const lastLines = (text, n = 8) => text.trim().split("\n").slice(-n).map((l) => `      ${l}`).join("\n");

if (kubectl(["get", "--raw", "/readyz"], { check: false }).status !== 0) {
  process.stderr.write("bench/track: the local cluster is not reachable; start it with `bash scripts/local-env up`\n");
  process.exit(1);
}
for (const t of TOOLS) if (!tools[t]) throw new Error(`unknown tool ${t} (slipway, helm, nelm)`);
for (const l of LEGS) if (!CHARTS[l]) throw new Error(`unknown leg ${l} (ready, crash, crash0)`);
if (BUILD) execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });

const id = Date.now().toString(36).slice(-5);
work = mkdtempSync(join(tmpdir(), "slipway-bench-track-"));
const results = [];
process.stdout.write(`bench/track on ${CONTEXT}: ${REPS} repetitions, legs ${LEGS.join(",")}, tools ${TOOLS.join(",")}\n`);
try {
  const charts = {};
  for (const leg of LEGS) {
    charts[leg] = join(work, `track-${leg}`);
    writeChart(charts[leg], leg);
  }
  for (let rep = 1; rep <= REPS; rep++) {
    for (const leg of LEGS) {
      // rotate the order per repetition so no tool always runs right after another's namespace deletion
      const order = TOOLS.map((_, i) => TOOLS[(i + rep - 1) % TOOLS.length]);
      for (const tool of order) {
        const ns = `track-${leg}-${tool}-${id}-${rep}`;
        let r;
        try {
          r = await measure(leg, tool, charts[leg], ns);
        } catch (error) {
          r = { leg, tool, code: -1, output: String(error?.stack ?? error) };
        }
        r.rep = rep;
        results.push(r);
        const extra =
          leg === "ready"
            ? `exit − ready ${fmtMs(r.delta)}  (API ready ${fmtMs(r.apiAfterStart)} after start)`
            : `exit − first CLBO ${fmtMs(r.delta)}, − last CLBO ${fmtMs(r.deltaLast)} (${r.clboCount ?? 0} CLBO, last restartCount ${r.lastRestart ?? "-"})`;
        process.stdout.write(
          `rep ${rep} ${leg.padEnd(5)} ${tool.padEnd(7)} exit ${String(r.signal ?? r.code).padStart(7)}${r.capped ? " (capped)" : ""}  wall ${fmtMs(r.wall).padStart(7)}  ${extra}\n`,
        );
        const expectedCode = leg === "ready" ? 0 : 1;
        if (VERBOSE || (r.code !== expectedCode && !r.capped) || r.delta === undefined) process.stdout.write(`${lastLines(r.output ?? "")}\n`);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  for (const repo of repos.values()) rmSync(repo, { recursive: true, force: true });
}

// Summary
const med = (leg, tool, field = "delta") => median(results.filter((r) => r.leg === leg && r.tool === tool).map((r) => r[field]));
const all = (leg, tool, field = "delta") => results.filter((r) => r.leg === leg && r.tool === tool).map((r) => fmtMs(r[field])).join(", ");
process.stdout.write(`\nmedians of ${REPS} repetitions\n`);
process.stdout.write(`${"".padEnd(38)} ${TOOLS.map((t) => t.padStart(9)).join(" ")}\n`);
const rows = [];
if (LEGS.includes("ready")) rows.push(["ready: exit − API ready", "ready", "delta"], ["ready: wall", "ready", "wall"]);
for (const leg of ["crash", "crash0"].filter((l) => LEGS.includes(l))) {
  rows.push([`${leg}: exit − first CrashLoopBackOff`, leg, "delta"], [`${leg}: exit − last CrashLoopBackOff`, leg, "deltaLast"], [`${leg}: wall`, leg, "wall"]);
}
for (const [label, leg, field] of rows) {
  process.stdout.write(`${label.padEnd(38)} ${TOOLS.map((t) => fmtMs(med(leg, t, field)).padStart(9)).join(" ")}\n`);
}
process.stdout.write("\nall runs\n");
for (const [label, leg, field] of rows) for (const t of TOOLS) process.stdout.write(`  ${label.padEnd(38)} ${t.padEnd(7)} ${all(leg, t, field)}\n`);

const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(3)}x`);
process.stdout.write("\nratios of medians\n");
for (const [label, leg, field] of rows.filter((r) => r[2] !== "wall")) {
  const parts = TOOLS.filter((t) => t !== "slipway").map((t) => `slipway/${t} ${ratio(med(leg, "slipway", field), med(leg, t, field))}`);
  process.stdout.write(`  ${label.padEnd(38)} ${parts.join("   ")}\n`);
}
if (TOOLS.includes("slipway")) {
  process.stdout.write("\nslipway goals\n");
  for (const leg of LEGS) {
    const m = med(leg, "slipway");
    if (GOALS[leg] === undefined) continue;
    const goal = GOALS[leg];
    const verdict = m === undefined ? "no figure" : m <= goal ? "met" : `missed by ${fmtMs(m - goal)}`;
    process.stdout.write(`  ${leg}: median ${fmtMs(m)} vs goal ≤ ${fmtMs(goal)} (${leg === "ready" ? "exit − API ready" : "exit − first CrashLoopBackOff"}): ${verdict}\n`);
  }
}
