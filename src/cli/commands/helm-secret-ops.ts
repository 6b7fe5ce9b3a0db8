// The work of `helm secret` (src/cli/commands/helm-secret.ts has its command table and help). Loaded only when a
// secret command runs: it brings the cipher (node:crypto), the values-file reader (the yaml package) and the editor.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { SlipwayError } from "../../errors.js";
import { SecretDataError, type SecretCipher } from "../../secret/cipher.js";
import { cipherForKey } from "../../secret/chart.js";
import { findSecretKey, secretKeyDirs } from "../../secret/key.js";
import { decryptSecretValues, encryptSecretValues, mergeSecretValues } from "../../secret/values-file.js";
import type { CommandContext } from "../context.js";
import type { Mode, SecretFlags } from "./helm-secret.js";

function cwdOf(ctx: CommandContext): string {
  return ctx.env["SLIPWAY_CWD"] ?? process.cwd();
}

/** The key as werf's secret commands find it: $WERF_SECRET_KEY, then --dir (or the current directory), then ~/.werf. */
function cipherFor(flags: SecretFlags, ctx: CommandContext): SecretCipher {
  try {
    const key = findSecretKey({ key: ctx.env["WERF_SECRET_KEY"] ?? "", ...secretKeyDirs(cwdOf(ctx), flags.dir, flags.homeDir) });
    return cipherForKey(key);
  } catch (error) {
    throw new SlipwayError("unable to load secret key", { code: "invalid-option", cause: error });
  }
}

const EXPECTED_INPUT = "expected FILE_PATH or pipe";

/** The input: the file, else a pipe; a terminal is an error for files and values, a hidden prompt for data. */
async function readInput(filePath: string | undefined, mode: Mode, ctx: CommandContext): Promise<Buffer | undefined> {
  if (filePath !== undefined && filePath !== "") {
    const abs = resolve(cwdOf(ctx), filePath);
    if (!existsSync(abs)) throw new SlipwayError(`secret file ${JSON.stringify(abs)} not found`, { code: "invalid-option" });
    return readFileSync(abs);
  }
  const stdin = ctx.stdin;
  if (stdin?.isTTY === true) {
    if (mode !== "data") throw new SlipwayError(EXPECTED_INPUT, { code: "usage" });
    return stdin.readHidden("Enter secret: ");
  }
  const data = stdin === undefined ? Buffer.alloc(0) : await stdin.readAll();
  return data.length === 0 ? undefined : data;
}

function save(path: string, data: string | Buffer, ctx: CommandContext): void {
  const abs = resolve(cwdOf(ctx), path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, data, { mode: 0o644 });
}

function label(filePath: string | undefined): string {
  return filePath === undefined || filePath === "" ? "<stdin>" : filePath;
}

export async function encrypt(filePath: string | undefined, mode: Mode, flags: SecretFlags, ctx: CommandContext): Promise<void> {
  const cipher = cipherFor(flags, ctx);
  const data = await readInput(filePath, mode, ctx);
  if (data === undefined || data.length === 0) return;
  let out = mode === "values" ? encryptSecretValues(data.toString("utf8"), cipher, label(filePath)) : cipher.encrypt(data);
  if (!out.endsWith("\n")) out += "\n";
  if (flags.outputFilePath !== "") save(flags.outputFilePath, out, ctx);
  else ctx.stdout.write(out);
}

function decryptData(text: string, mode: Mode, cipher: SecretCipher, file: string): Buffer {
  if (mode === "values") return Buffer.from(decryptSecretValues(text, { cipher, file, style: "werf" }));
  try {
    return cipher.decrypt(text);
  } catch (error) {
    if (!(error instanceof SecretDataError)) throw error;
    const hint = error.message.startsWith("inconsistent data") ? " (wrong secret key or corrupt data)" : "";
    throw new SlipwayError(`decryption failed: ${error.message}${hint}`, { code: "invalid-option", location: { file } });
  }
}

export async function decrypt(filePath: string | undefined, mode: Mode, flags: SecretFlags, ctx: CommandContext): Promise<void> {
  const cipher = cipherFor(flags, ctx);
  const data = await readInput(filePath, mode, ctx);
  if (data === undefined || data.length === 0) return;
  let out = decryptData(data.toString("utf8").trim(), mode, cipher, label(filePath));
  if (flags.outputFilePath !== "") {
    save(flags.outputFilePath, out, ctx);
    return;
  }
  if (ctx.stdout.isTTY === true && !out.toString("utf8").endsWith("\n")) out = Buffer.concat([out, Buffer.from("\n")]);
  ctx.stdout.write(out.toString("utf8"));
}

/** $EDITOR split into fields, else the first of vim, vi and nano on PATH. */
function editorCommand(ctx: CommandContext): [string, string[]] {
  const fields = (ctx.env["EDITOR"] ?? "").split(/\s+/).filter((f) => f !== "");
  const [bin, ...rest] = fields;
  if (bin !== undefined) return [bin, rest];
  for (const candidate of ["vim", "vi", "nano"]) {
    const found = (ctx.env["PATH"] ?? "").split(":").some((dir) => dir !== "" && existsSync(join(dir, candidate)));
    if (found) return [candidate, []];
  }
  throw new SlipwayError("editor not detected", { code: "invalid-option" });
}

/**
 * Decrypts FILE_PATH (if it exists) into a temporary file, runs the editor on it, and writes the file back
 * encrypted when the text changed; a values file keeps the old ciphertext of every value that did not change.
 */
export async function edit(positionals: readonly string[], mode: Mode, flags: SecretFlags, ctx: CommandContext): Promise<void> {
  const filePath = positionals[0] ?? "";
  const cipher = cipherFor(flags, ctx);
  const abs = resolve(cwdOf(ctx), filePath);
  let plain = "";
  let encrypted = "";
  if (existsSync(abs)) {
    encrypted = readFileSync(abs, "utf8").trim();
    plain = decryptData(encrypted, mode, cipher, filePath).toString("utf8");
  }
  const [bin, args] = editorCommand(ctx);
  const dir = mkdtempSync(join(flags.tmpDir === "" ? tmpdir() : flags.tmpDir, "werf-edit-secret-"));
  const tmp = join(dir, `werf-edit-secret-${randomUUID()}.yaml`);
  try {
    writeFileSync(tmp, plain, { mode: 0o600 });
    for (;;) {
      const result = spawnSync(bin, [...args, tmp], { stdio: "inherit", env: { ...ctx.env } });
      if (result.error !== undefined) throw new SlipwayError(`run editor ${JSON.stringify(bin)}`, { code: "invalid-option", cause: result.error });
      if (result.status !== 0) throw new SlipwayError(`editor ${JSON.stringify(bin)} exited with code ${result.status ?? "null"}`, { code: "invalid-option" });
      const edited = readFileSync(tmp, "utf8");
      let out: string;
      try {
        out = mode === "values" ? encryptSecretValues(edited, cipher, filePath) : `${cipher.encrypt(Buffer.from(edited))}\n`;
      } catch (error) {
        // As werf: a file that does not parse can be fixed in the editor again.
        if (!(error instanceof SlipwayError)) throw error;
        ctx.stderr.write(`Error: encryption failed: ${error.message}\nDo you want to continue editing the file (Y/n)?\n`);
        if (await confirmed(ctx)) continue;
        throw error;
      }
      if (edited !== plain) {
        if (mode === "values") out = mergeSecretValues(plain, edited, encrypted, out, filePath);
        save(filePath, out, ctx);
      }
      return;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every regular file under `dir`, recursively (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * `rotate-secret-key`: the chart's secret-values.yaml, every file under its secret/ directory and the given values
 * files, decrypted with $WERF_OLD_SECRET_KEY and encrypted with the new key; nothing is written unless all succeed.
 * The chart directory is `<--dir>/.helm` (werf.yaml's deploy.helmChartDir is not read).
 */
export async function rotate(positionals: readonly string[], flags: SecretFlags, ctx: CommandContext): Promise<void> {
  const cipher = cipherFor(flags, ctx);
  const oldKey = ctx.env["WERF_OLD_SECRET_KEY"] ?? "";
  if (oldKey === "") throw new SlipwayError("unable to load old secret key: WERF_OLD_SECRET_KEY environment required", { code: "invalid-option" });
  let oldCipher: SecretCipher;
  try {
    oldCipher = cipherForKey(oldKey.trim());
  } catch (error) {
    throw new SlipwayError("unable to load old secret key", { code: "invalid-option", cause: error });
  }
  const cwd = cwdOf(ctx);
  const chartDir = join(resolve(cwd, flags.dir === "" ? "." : flags.dir), ".helm");
  const valuesFiles = [...positionals.map((p) => resolve(cwd, p)), ...[join(chartDir, "secret-values.yaml")].filter((p) => existsSync(p))];
  const secretFiles = filesUnder(join(chartDir, "secret"));
  const rel = (p: string): string => relative(cwd, p);
  const out = new Map<string, string>();
  for (const [paths, mode] of [[secretFiles, "file"], [valuesFiles, "values"]] as const) {
    for (const path of paths) {
      const text = readFileSync(path, "utf8").trim();
      const plain = decryptData(text, mode, oldCipher, rel(path));
      out.set(path, mode === "values" ? encryptSecretValues(plain.toString("utf8"), cipher, rel(path)) : cipher.encrypt(plain));
      ctx.stdout.write(`Regenerating file ${JSON.stringify(rel(path))}\n`);
    }
  }
  for (const [path, data] of out) {
    writeFileSync(path, `${data.trim()}\n`, { mode: 0o644 });
    ctx.stdout.write(`Saving file ${JSON.stringify(rel(path))}\n`);
  }
  return Promise.resolve();
}

async function confirmed(ctx: CommandContext): Promise<boolean> {
  const answer = ctx.stdin?.isTTY === true ? await ctx.stdin.readHidden("") : await (ctx.stdin?.readAll() ?? Promise.resolve(Buffer.alloc(0)));
  const c = answer.toString("utf8")[0];
  return c === undefined ? ctx.stdin?.isTTY === true : c === "y" || c === "Y" || c === "\r" || c === "\n";
}

/** `helm secret` subcommand paths with their flags, for shell completion. */
