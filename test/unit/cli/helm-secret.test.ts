// `helm secret ...` in-process: the command tree, werf's flags and env for secret values on converge, and the
// encrypt/decrypt round trip through stdin (a fake CliInput).
import { describe, expect, it } from "vitest";
import { run } from "../../../src/cli/main.js";
import type { CliInput } from "../../../src/cli/context.js";
import { convergeOptions, runCli } from "./cli-harness.js";

const KEY = "c80a8c4ea7040123e2a72324d34a0bde";

async function withInput(args: readonly string[], input: string, env: Record<string, string> = { WERF_SECRET_KEY: KEY }) {
  let stdout = "";
  let stderr = "";
  const stdin: CliInput = { isTTY: false, readAll: () => Promise.resolve(Buffer.from(input)), readHidden: () => Promise.reject(new Error("not a terminal")) };
  const code = await run(["node", "slipway", ...args], { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) }, env, stdin });
  return { code, stdout, stderr };
}

describe("helm secret", () => {
  it("lists its commands and groups", async () => {
    const r = await runCli(["helm", "secret"]);
    expect(r.code).toBe(0);
    for (const name of ["generate-secret-key", "rotate-secret-key", "encrypt", "decrypt", "values", "file"]) expect(r.stdout).toContain(`  ${name} `);
    expect((await runCli(["helm", "secret", "values", "--help"])).stdout).toMatch(/encrypt\s+Encrypt values file data\n\s+decrypt\s+Decrypt values file data\n\s+edit\s+Edit or create new secret values file/);
    expect((await runCli(["helm", "--help"])).stdout).toMatch(/^ {2}secret +Work with secrets$/m);
  });

  it("shows -o/--output-file-path in the help of the commands that write", async () => {
    const r = await runCli(["helm", "secret", "values", "encrypt", "--help"]);
    expect(r.stdout).toContain("Usage:\n  slipway helm secret values encrypt [FILE_PATH] [options]");
    expect(r.stdout).toMatch(/-o, --output-file-path/);
  });

  it("rejects an unknown command and extra arguments", async () => {
    expect(await runCli(["helm", "secret", "nope"])).toMatchObject({ code: 1, stderr: 'Error: unknown command "nope" for "slipway helm secret"\n' });
    expect(await runCli(["helm", "nope"])).toMatchObject({ code: 1, stderr: 'Error: unknown command "nope" for "slipway helm"\n' });
    expect((await runCli(["helm", "secret", "values", "edit"], { WERF_SECRET_KEY: KEY })).stderr).toBe("Error: accepts 1 position argument, received 0\n");
  });

  it("generates a 32-character hex key", async () => {
    expect((await runCli(["helm", "secret", "generate-secret-key"])).stdout).toMatch(/^[0-9a-f]{32}\n$/);
  });

  it("encrypts stdin and decrypts it back; values files keep their keys", async () => {
    const enc = await withInput(["helm", "secret", "encrypt"], "pa ss\n");
    expect(enc).toMatchObject({ code: 0, stderr: "" });
    expect(enc.stdout).toMatch(/^1000[0-9a-f]+\n$/);
    expect((await withInput(["helm", "secret", "decrypt"], enc.stdout)).stdout).toBe("pa ss\n");
    const values = await withInput(["helm", "secret", "values", "encrypt"], "db:\n  password: x\n");
    expect(values.stdout).toMatch(/^db:\n {2}password: 1000[0-9a-f]+\n$/);
    expect((await withInput(["helm", "secret", "values", "decrypt"], values.stdout)).stdout).toBe("db:\n  password: x\n");
  });

  it("prints nothing for empty input, as werf", async () => {
    expect(await withInput(["helm", "secret", "encrypt"], "")).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("names the key path and not the value when the key is wrong", async () => {
    const values = await withInput(["helm", "secret", "values", "encrypt"], "db:\n  password: hunter2\n");
    const r = await withInput(["helm", "secret", "values", "decrypt"], values.stdout, { WERF_SECRET_KEY: "0".repeat(32) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: <stdin>:2 \(key: db\.password\): decrypt secret value: /);
    expect(r.stderr).not.toContain("hunter2");
  });
});

describe("converge's secret flags", () => {
  it("take --secret-key from $WERF_SECRET_KEY and --secret-values from $WERF_SECRET_VALUES_* before the flags", () => {
    const o = convergeOptions(["--secret-values", "cli.yaml", "--ignore-secret-key"], { WERF_SECRET_KEY: KEY, WERF_SECRET_VALUES_DB: "db.yaml" });
    expect(o).toMatchObject({ secretKey: KEY, secretValues: ["db.yaml", "cli.yaml"], ignoreSecretKey: true, disableDefaultSecretValues: false });
    expect(convergeOptions(["--secret-key", "abc"], { WERF_SECRET_KEY: KEY }).secretKey).toBe("abc");
  });
});
