// bench/digest: slipway's werf-compatible context checksum of a 50,000-file tree beside plain `git ls-tree -r`.
// The repository is generated once with `git fast-import` (no work tree needed) and cached in
// ~/.cache/slipway/bench/digest-50k. slipway's TypeScript is transpiled on the fly with the TypeScript compiler.
// Usage: node bench/digest/run.js [rounds]
import process from "node:process";
import { Buffer } from "node:buffer";
import { performance } from "node:perf_hooks";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cache = join(homedir(), ".cache", "slipway", "bench");
const repoDir = join(cache, "digest-50k");
const DIRS = 200;
const FILES = 250;
const rounds = Number(process.argv[2] ?? 7);

function generate() {
  if (existsSync(join(repoDir, ".git", "refs", "heads", "main"))) return;
  mkdirSync(repoDir, { recursive: true });
  execFileSync("git", ["init", "-q", "-b", "main", repoDir]);
  const chunks = [];
  let mark = 0;
  const files = [];
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < FILES; f++) {
      const path = `src/d${d}/f${f}.${f % 25 === 0 ? "log" : "txt"}`;
      const data = `dir ${d} file ${f}\n`.repeat(8);
      chunks.push(`blob\nmark :${++mark}\ndata ${Buffer.byteLength(data)}\n${data}\n`);
      files.push(`M 100644 :${mark} ${path}\n`);
    }
  }
  const dockerignore = "**/*.log\n!keep.log\n";
  chunks.push(`blob\nmark :${++mark}\ndata ${dockerignore.length}\n${dockerignore}\n`);
  files.push(`M 100644 :${mark} .dockerignore\n`);
  const message = "bench";
  chunks.push(
    `commit refs/heads/main\ncommitter Bench <bench@invalid> 1714557600 +0000\ndata ${message.length}\n${message}\n`,
    ...files,
    "\n",
  );
  execFileSync("git", ["fast-import", "--quiet"], { cwd: repoDir, input: chunks.join("") , maxBuffer: 1 << 30 });
}

async function loadSlipway() {
  const out = join(cache, "build");
  const sources = ["src/errors.ts", ...readdirSync(join(root, "src/git")).map((f) => `src/git/${f}`)];
  for (const source of sources) {
    const text = readFileSync(join(root, source), "utf8");
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
    }).outputText;
    const target = join(out, source.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  const url = (p) => pathToFileURL(join(out, p)).href;
  return { repo: await import(url("src/git/repo.js")), context: await import(url("src/git/context.js")) };
}

function lsTreePlain() {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["ls-tree", "-r", "HEAD"], { cwd: repoDir });
    let bytes = 0;
    child.stdout.on("data", (c) => (bytes += c.length));
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`exit ${code}`))));
  });
}

async function slipwayChecksum(slipway, gitRepo) {
  const [entries, rootTree, ignore] = await Promise.all([
    gitRepo.lsTree("HEAD"),
    gitRepo.treeId("HEAD"),
    gitRepo.fileAtCommit("HEAD", ".dockerignore"),
  ]);
  const { parseDockerignore } = await import(pathToFileURL(join(cache, "build/src/git/dockerignore.js")).href);
  const index = new slipway.context.TreeIndex(entries, rootTree);
  return slipway.context.copyInstructionChecksum(index, {
    context: "",
    sources: ["."],
    dockerignorePatterns: parseDockerignore(ignore ?? ""),
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

generate();
const slipway = await loadSlipway();
const gitRepo = await slipway.repo.openGitRepo(repoDir);
await lsTreePlain();
const warm = await slipwayChecksum(slipway, gitRepo);
const plain = [];
const ours = [];
for (let i = 0; i < rounds; i++) {
  let t = performance.now();
  await lsTreePlain();
  plain.push(performance.now() - t);
  t = performance.now();
  await slipwayChecksum(slipway, gitRepo);
  ours.push(performance.now() - t);
}
await gitRepo.close();
const p = median(plain);
const o = median(ours);
process.stdout.write(`repository: ${relative(process.cwd(), repoDir) || repoDir} (${DIRS * FILES} files, ${warm.entries.length} entries hashed)\n`);
process.stdout.write(`git ls-tree -r HEAD           median ${p.toFixed(1)} ms over ${rounds} rounds\n`);
process.stdout.write(`slipway context checksum      median ${o.toFixed(1)} ms (ls-tree -r -t + .dockerignore + COPY filter + sha256)\n`);
process.stdout.write(`ratio slipway / git ls-tree   ${(o / p).toFixed(2)}x (goal <= 2x)\n`);
