#!/usr/bin/env node
// bench/render: renders the bench charts (bench/render/charts.js: the generated `big` chart and charts in the style
// of the most used public ones: a library-based application, an umbrella of five subcharts, a CRD-heavy operator)
// with `slipway render` and with the oracle `helm template` v3.17.3, alternating the two, and prints per chart the
// medians of wall time and peak RSS (per process, start-up included) and their ratios slipway/helm.
//
// slipway is the worktree's current build, as shipped: `tsc -p tsconfig.build.json` then scripts/bundle.js, run
// through bin/slipway.js (skip the build with --no-build). Peak RSS and CPU time (user + system, less sensitive
// than wall time to a busy machine) come from GNU time (/usr/bin/time -f "%M %U %S").
// Run it with Node 24 (node_modules/.bin/node): slipway runs on the Node that runs the bench.
// slipway keeps parsed templates in its cache directory (XDG_CACHE_HOME, here a folder of the bench): the warm-up
// run fills it, so the timed runs are second renders of an unchanged chart; --no-parse-cache measures first renders.
//
// Usage: node bench/render/run.js [--runs N] [--templates N] [--charts big,library,umbrella,crds] [--no-build]
//        [--no-parse-cache] [--keep DIR] (writes the charts to DIR and keeps them, for profiling)

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { helmBinary } from "../../scripts/helm-oracle.js";
import { CHARTS } from "./charts.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const opt = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const RUNS = Number(opt("--runs", "5"));
const TEMPLATES = Number(opt("--templates", "250"));
const NAMES = opt("--charts", Object.keys(CHARTS).join(",")).split(",");
const KEEP = opt("--keep", null);
const TIME = "/usr/bin/time";

/** Builds the worktree as `npm run build` does; returns bin/slipway.js. */
function buildSlipway() {
  if (!process.argv.includes("--no-build")) {
    execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
    execFileSync(process.execPath, [join(root, "scripts/bundle.js")], { stdio: "inherit", cwd: root });
  }
  return join(root, "bin/slipway.js");
}

/** One run under GNU time: wall milliseconds, peak RSS in KiB, CPU milliseconds, stdout. */
function measure(cmd, args, env = {}) {
  const rssFile = join(tmpdir(), `slipway-bench-rss-${process.pid}`);
  const start = process.hrtime.bigint();
  const r = spawnSync(TIME, ["-f", "%M %U %S", "-o", rssFile, cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, TZ: "UTC", ...env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  const [rss, user, sys] = (readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
  rmSync(rssFile, { force: true });
  return { ms, rss, cpu: (user + sys) * 1000, out: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed for peak RSS`);
const helm = helmBinary();
const bin = buildSlipway();
const dir = KEEP ?? mkdtempSync(join(tmpdir(), "slipway-bench-"));
const cacheDir = mkdtempSync(join(tmpdir(), "slipway-bench-cache-"));
// SLIPWAY_PARSE_CACHE=0 turns the parse cache off.
const slipEnv = process.argv.includes("--no-parse-cache") ? { SLIPWAY_PARSE_CACHE: "0", XDG_CACHE_HOME: cacheDir } : { XDG_CACHE_HOME: cacheDir };
const rows = [];
try {
  for (const name of NAMES) {
    const spec = CHARTS[name];
    if (spec === undefined) throw new Error(`unknown chart ${name}; known: ${Object.keys(CHARTS).join(", ")}`);
    const chart = join(dir, name);
    rmSync(chart, { recursive: true, force: true });
    mkdirSync(chart, { recursive: true });
    spec.generate(chart, { templates: TEMPLATES });
    const common = ["--namespace", "default", "--kube-version", "1.30.0", ...spec.args];
    const helmArgs = ["template", "rn", chart, ...common];
    const slipArgs = [bin, "helm", "template", chart, "--release", "rn", ...common];
    // Warm-up (also fills Node's compile cache) and equality check.
    const h0 = measure(helm, helmArgs);
    const s0 = measure(process.execPath, slipArgs, slipEnv);
    const h = { ms: [], rss: [], cpu: [] };
    const s = { ms: [], rss: [], cpu: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [acc, m] of [[h, measure(helm, helmArgs)], [s, measure(process.execPath, slipArgs, slipEnv)]]) {
        acc.ms.push(m.ms);
        acc.rss.push(m.rss);
        acc.cpu.push(m.cpu);
      }
    }
    const row = {
      name,
      bytes: h0.out.length,
      same: h0.out === s0.out,
      helmMs: median(h.ms),
      slipMs: median(s.ms),
      helmRss: median(h.rss) / 1024,
      slipRss: median(s.rss) / 1024,
      helmCpu: median(h.cpu),
      slipCpu: median(s.cpu),
    };
    rows.push(row);
  }
} finally {
  if (KEEP === null) rmSync(dir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}
const pad = (s, n) => String(s).padStart(n);
let out = `helm template v3.17.3 vs slipway render (node ${process.version}, parse cache ${slipEnv.SLIPWAY_PARSE_CACHE === "0" ? "off" : "warm"}), median of ${RUNS} alternating runs\n`;
out += `${"chart".padEnd(9)} ${pad("output", 9)} ${pad("same", 5)} ${pad("helm ms", 8)} ${pad("slip ms", 8)} ${pad("wall", 6)} ${pad("helm MB", 8)} ${pad("slip MB", 8)} ${pad("rss", 6)} ${pad("helm cpu", 9)} ${pad("slip cpu", 9)} ${pad("cpu", 6)}\n`;
for (const r of rows) {
  out +=
    `${r.name.padEnd(9)} ${pad(r.bytes, 9)} ${pad(r.same ? "yes" : "NO", 5)} ${pad(r.helmMs.toFixed(0), 8)} ${pad(r.slipMs.toFixed(0), 8)} ` +
    `${pad((r.slipMs / r.helmMs).toFixed(2) + "x", 6)} ${pad(r.helmRss.toFixed(0), 8)} ${pad(r.slipRss.toFixed(0), 8)} ${pad((r.slipRss / r.helmRss).toFixed(2) + "x", 6)} ` +
    `${pad(r.helmCpu.toFixed(0), 9)} ${pad(r.slipCpu.toFixed(0), 9)} ${pad((r.slipCpu / r.helmCpu).toFixed(2) + "x", 6)}\n`;
}
process.stdout.write(out);
if (rows.some((r) => !r.same)) process.exitCode = 1;
