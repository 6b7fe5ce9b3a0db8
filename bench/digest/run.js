// bench/digest: slipway's werf-compatible content digest of an image whose context is a 50,000-file tree, beside
// plain `git ls-tree -r` on the same tree.
//
// Each round is what one `slipway converge` run does for one image (src/build/phase.ts `prepareImage`, git part),
// in the same order: a fresh ProjectFiles (so one `git ls-tree -r -t` and one tree index per round), the Dockerfile
// and .dockerignore read from the commit, the digest plan of the Dockerfile (`COPY . .`), the giterminism selection
// of the files the COPY takes (selectCopySources), then the digest with its context checksum. The .dockerignore excludes a subtree
// (`src/d13`) and a glob (`**/*.log`, with a `!keep.log` exception), so the matcher walk visits every directory.
// The git repository (no work tree) is generated once with `git fast-import` and cached in
// ~/.cache/slipway/bench/; the long-lived `git cat-file --batch` process is warm, as it is after werf.yaml is read.
// slipway's TypeScript is transpiled on the fly with the TypeScript compiler.
//
// Usage: node bench/digest/run.js [rounds]   (default 15; rounds alternate git and slipway; medians are reported)
import process from "node:process";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cache = join(homedir(), ".cache", "slipway", "bench");
// Bump the suffix when the generated content changes.
const repoDir = join(cache, "digest-50k-v2");
const DIRS = 200;
const FILES = 250;
const DOCKERFILE = "FROM alpine:3.20\nWORKDIR /app\nCOPY . .\nRUN true\n";
const DOCKERIGNORE = "# a subtree and a glob\nsrc/d13\n**/*.log\n!keep.log\n";
const rounds = Number(process.argv[2] ?? 15);

function generate() {
  if (existsSync(join(repoDir, ".git", "refs", "heads", "main"))) return;
  mkdirSync(repoDir, { recursive: true });
  execFileSync("git", ["init", "-q", "-b", "main", repoDir]);
  const chunks = [];
  const files = [];
  let mark = 0;
  const add = (path, data) => {
    chunks.push(`blob\nmark :${++mark}\ndata ${Buffer.byteLength(data)}\n${data}\n`);
    files.push(`M 100644 :${mark} ${path}\n`);
  };
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < FILES; f++) {
      add(`src/d${d}/f${f}.${f % 25 === 0 ? "log" : "txt"}`, `dir ${d} file ${f}\n`.repeat(8));
    }
  }
  add(".dockerignore", DOCKERIGNORE);
  add("Dockerfile", DOCKERFILE);
  const message = "bench";
  chunks.push(
    `commit refs/heads/main\ncommitter Bench <bench@invalid> 1714557600 +0000\ndata ${message.length}\n${message}\n`,
    ...files,
    "\n",
  );
  execFileSync("git", ["fast-import", "--quiet"], { cwd: repoDir, input: chunks.join(""), maxBuffer: 1 << 30 });
}

async function loadSlipway() {
  const out = join(cache, "build");
  const dirs = ["src/git", "src/build/dockerfile"];
  const sources = ["src/errors.ts", "src/build/digest.ts", ...dirs.flatMap((d) => readdirSync(join(root, d)).map((f) => `${d}/${f}`))];
  for (const source of sources) {
    const text = readFileSync(join(root, source), "utf8");
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
    }).outputText;
    const target = join(out, source.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  const load = (p) => import(pathToFileURL(join(out, p)).href);
  return {
    repo: await load("src/git/repo.js"),
    context: await load("src/git/context.js"),
    dockerignore: await load("src/git/dockerignore.js"),
    projectFiles: await load("src/git/project-files.js"),
    digest: await load("src/build/digest.js"),
  };
}

function lsTreePlain() {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["ls-tree", "-r", "HEAD"], { cwd: repoDir });
    let bytes = 0;
    child.stdout.on("data", (c) => (bytes += c.length));
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`exit ${code}`))));
  });
}

/** One image's git work in one run, as src/build/phase.ts does it; returns the digest and the stage times. */
async function slipwayImage(s, git, commit) {
  const t0 = performance.now();
  const files = new s.projectFiles.ProjectFiles({ git, commit, projectDir: "", mode: "dev" });
  const [dockerfile, ignore, index] = await Promise.all([files.read("Dockerfile"), files.read(".dockerignore"), files.treeIndex()]);
  const t1 = performance.now();
  const { patterns } = s.dockerignore.keepDockerfile(s.dockerignore.parseDockerignore(ignore ?? ""), "Dockerfile");
  const plan = s.digest.planDockerfileDigest({ dockerfile: dockerfile.toString("utf8"), dockerfilePath: "Dockerfile" });
  const options = (sources) => ({ context: "", sources, dockerignorePatterns: patterns });
  let selected = 0;
  for (const source of plan.contextSources) selected += s.context.selectCopySources(index, options(source.sources)).length;
  const t2 = performance.now();
  const result = plan.digest({
    contextChecksum: (request) => s.context.filesChecksum(s.context.copyInstructionChecksum(index, options(request.sources)).entries),
  });
  const t3 = performance.now();
  return { digest: result.digest, selected, lsTree: t1 - t0, selection: t2 - t1, checksum: t3 - t2 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1).padStart(6)} ms`;

generate();
const slipway = await loadSlipway();
const git = await slipway.repo.openGitRepo(repoDir);
const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim();
// Warm-up: the cat-file process, the JIT, the page cache.
let warm;
for (let i = 0; i < 3; i++) {
  await lsTreePlain();
  warm = await slipwayImage(slipway, git, commit);
}
const plain = [];
const ours = [];
const parts = { lsTree: [], selection: [], checksum: [] };
for (let i = 0; i < rounds; i++) {
  let t = performance.now();
  await lsTreePlain();
  plain.push(performance.now() - t);
  t = performance.now();
  const r = await slipwayImage(slipway, git, commit);
  ours.push(performance.now() - t);
  for (const k of Object.keys(parts)) parts[k].push(r[k]);
  if (r.digest !== warm.digest) throw new Error(`digest changed between rounds: ${r.digest} != ${warm.digest}`);
}
await git.close();
const p = median(plain);
const o = median(ours);
const out = process.stdout;
out.write(`repository  ${repoDir}: ${DIRS * FILES} files; Dockerfile \`COPY . .\`; .dockerignore: src/d13, **/*.log, !keep.log\n`);
out.write(`digest      ${warm.digest} (${warm.selected} files taken by COPY)\n`);
out.write(`medians over ${rounds} rounds:\n`);
out.write(`  git ls-tree -r HEAD                                         ${ms(p)}\n`);
out.write(`  slipway, one image's digest with everything it needs        ${ms(o)}\n`);
out.write(`    ls-tree -r -t + tree index, Dockerfile + .dockerignore    ${ms(median(parts.lsTree))}\n`);
out.write(`    giterminism selection of the COPY sources (matcher walk)  ${ms(median(parts.selection))}\n`);
out.write(`    digest: context checksum (walk, answers reused) + hashing ${ms(median(parts.checksum))}\n`);
out.write(`ratio slipway / git ls-tree -r: ${(o / p).toFixed(2)}x (goal <= 2x)\n`);
