import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DockerCredentialStore,
  dockerConfigDir,
  readDockerConfig,
  resolveCredentials,
} from "../../../src/registry/auth.js";

const b64 = (text: string): string => Buffer.from(text).toString("base64");

describe("dockerConfigDir", () => {
  it("prefers --docker-config, then WERF_DOCKER_CONFIG, then DOCKER_CONFIG, then ~/.docker", () => {
    expect(dockerConfigDir({ flag: "/f", werfDockerConfig: "/w", dockerConfig: "/d", home: "/h" })).toBe("/f");
    expect(dockerConfigDir({ flag: "", werfDockerConfig: "/w", dockerConfig: "/d", home: "/h" })).toBe("/w");
    expect(dockerConfigDir({ werfDockerConfig: undefined, dockerConfig: "/d", home: "/h" })).toBe("/d");
    expect(dockerConfigDir({ home: "/h" })).toBe("/h/.docker");
  });
});

describe("credentials from a docker config dir", () => {
  let dir: string;
  let bin: string;
  let log: string;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "slipway-auth-"));
    bin = join(dir, "bin");
    log = join(dir, "helper.log");
    mkdirSync(bin);
    env = { PATH: `${bin}:/usr/bin:/bin`, HELPER_LOG: log };
    // A fake credential helper speaking docker-credential-helpers' protocol.
    const helper = [
      "#!/bin/sh",
      'read -r url || true',
      'echo "$0 $1 $url" >> "$HELPER_LOG"',
      'case "$url" in',
      '  helped.example.com) printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-pass"}\' "$url" ;;',
      '  https://index.docker.io/v1/) printf \'{"ServerURL":"%s","Username":"hub-user","Secret":"hub-pass"}\' "$url" ;;',
      '  token.example.com) printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh-me"}\' "$url" ;;',
      '  broken.example.com) echo "the keychain is locked" >&2; exit 3 ;;',
      '  *) echo "credentials not found in native keychain"; exit 1 ;;',
      "esac",
      "",
    ].join("\n");
    for (const name of ["docker-credential-fake", "docker-credential-store"]) {
      writeFileSync(join(bin, name), helper);
      chmodSync(join(bin, name), 0o755);
    }
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const writeConfig = (config: unknown): void => {
    writeFileSync(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  };
  const helperCalls = (): string[] => {
    try {
      return readFileSync(log, "utf8").trim().split("\n");
    } catch {
      return [];
    }
  };

  it("has no credentials when config.json does not exist", async () => {
    expect(await readDockerConfig(dir)).toBeUndefined();
    expect(await resolveCredentials("127.0.0.1:5000", { configDir: dir, env })).toBeUndefined();
  });

  it("decodes auths[host].auth into HTTP credentials and an authconfig", async () => {
    writeConfig({ auths: { "127.0.0.1:5001": { auth: b64("alice:s3cr:et") } } });
    const found = await resolveCredentials("127.0.0.1:5001", { configDir: dir, env });
    expect(found?.credentials).toEqual({
      username: "alice",
      password: "s3cr:et",
      source: `${join(dir, "config.json")} (auths["127.0.0.1:5001"])`,
    });
    expect(found?.authconfig).toEqual({ username: "alice", password: "s3cr:et", serveraddress: "127.0.0.1:5001" });
    expect(await resolveCredentials("127.0.0.1:5002", { configDir: dir, env })).toBeUndefined();
  });

  it("matches legacy keys with a scheme and path, and username/password fields", async () => {
    writeConfig({ auths: { "https://registry.example.com/v1/": { username: "bob", password: "pw" } } });
    const found = await resolveCredentials("registry.example.com", { configDir: dir, env });
    expect(found?.authconfig).toEqual({
      username: "bob",
      password: "pw",
      serveraddress: "https://registry.example.com/v1/",
    });
  });

  it("uses Docker Hub's https://index.docker.io/v1/ key for docker.io", async () => {
    writeConfig({ auths: { "https://index.docker.io/v1/": { auth: b64("hub:pw") } } });
    const found = await resolveCredentials("docker.io", { configDir: dir, env });
    expect(found?.authconfig).toEqual({ username: "hub", password: "pw", serveraddress: "https://index.docker.io/v1/" });
  });

  it("returns identity and registry tokens as such", async () => {
    writeConfig({
      auths: {
        "id.example.com": { auth: b64("user:"), identitytoken: "refresh" },
        "rt.example.com": { registrytoken: "bearer-token" },
        "empty.example.com": {},
      },
    });
    const id = await resolveCredentials("id.example.com", { configDir: dir, env });
    expect(id?.credentials.identityToken).toBe("refresh");
    expect(id?.authconfig).toEqual({ identitytoken: "refresh", serveraddress: "id.example.com" });
    const rt = await resolveCredentials("rt.example.com", { configDir: dir, env });
    expect(rt?.credentials.registryToken).toBe("bearer-token");
    expect(rt?.authconfig).toEqual({ registrytoken: "bearer-token", serveraddress: "rt.example.com" });
    expect(await resolveCredentials("empty.example.com", { configDir: dir, env })).toBeUndefined();
  });

  it("asks credHelpers[host] first, with the server URL on stdin", async () => {
    writeConfig({
      credHelpers: { "helped.example.com": "fake" },
      credsStore: "store",
      auths: { "helped.example.com": { auth: b64("file:pw") } },
    });
    const found = await resolveCredentials("helped.example.com", { configDir: dir, env });
    expect(found?.credentials).toEqual({
      username: "helper-user",
      password: "helper-pass",
      source: "credential helper docker-credential-fake",
    });
    expect(found?.authconfig).toEqual({
      username: "helper-user",
      password: "helper-pass",
      serveraddress: "helped.example.com",
    });
    expect(helperCalls()).toEqual([`${join(bin, "docker-credential-fake")} get helped.example.com`]);
  });

  it("asks credsStore, with the hub URL for docker.io, and maps <token> to an identity token", async () => {
    writeConfig({ credsStore: "store", auths: { "https://index.docker.io/v1/": {} } });
    const hub = await resolveCredentials("docker.io", { configDir: dir, env });
    expect(hub?.authconfig).toEqual({ username: "hub-user", password: "hub-pass", serveraddress: "https://index.docker.io/v1/" });
    const token = await resolveCredentials("token.example.com", { configDir: dir, env });
    expect(token?.credentials).toEqual({ identityToken: "refresh-me", source: "credential helper docker-credential-store" });
    expect(token?.authconfig).toEqual({ identitytoken: "refresh-me", serveraddress: "token.example.com" });
  });

  it("falls back from a credsStore that has nothing to auths", async () => {
    writeConfig({ credsStore: "store", auths: { "other.example.com": { auth: b64("o:p") } } });
    const found = await resolveCredentials("other.example.com", { configDir: dir, env });
    expect(found?.authconfig).toEqual({ username: "o", password: "p", serveraddress: "other.example.com" });
    expect(await resolveCredentials("nothing.example.com", { configDir: dir, env })).toBeUndefined();
    expect(helperCalls()).toHaveLength(2);
  });

  it("reports a failing or missing helper clearly", async () => {
    writeConfig({ credHelpers: { "broken.example.com": "fake", "missing.example.com": "nope" } });
    await expect(resolveCredentials("broken.example.com", { configDir: dir, env })).rejects.toThrow(
      "credential helper docker-credential-fake failed to get the credentials for broken.example.com (exit code 3): the keychain is locked",
    );
    await expect(resolveCredentials("missing.example.com", { configDir: dir, env })).rejects.toThrow(
      "credential helper docker-credential-nope is not installed (not found on PATH)",
    );
  });

  it("names the file when config.json is broken", async () => {
    writeConfig("{ not json");
    await expect(resolveCredentials("x.example.com", { configDir: dir, env })).rejects.toThrow(
      `docker config ${join(dir, "config.json")}: invalid JSON`,
    );
    writeConfig({ auths: { "x.example.com": { auth: 42 } } });
    await expect(resolveCredentials("x.example.com", { configDir: dir, env })).rejects.toThrow(
      'auths["x.example.com"].auth must be a string',
    );
    writeConfig({ auths: { "x.example.com": { auth: b64("no-colon") } } });
    await expect(resolveCredentials("x.example.com", { configDir: dir, env })).rejects.toThrow(
      'auths["x.example.com"].auth is not base64 of "username:password"',
    );
  });

  it("DockerCredentialStore reads the file once and asks a helper once per registry", async () => {
    writeConfig({ credHelpers: { "helped.example.com": "fake" }, auths: { "a.example.com": { auth: b64("a:b") } } });
    const store = new DockerCredentialStore({ configDir: dir, env });
    const [one, two] = await Promise.all([store.lookup("helped.example.com"), store.lookup("helped.example.com")]);
    expect(one).toBe(two);
    expect(await store.credentials("helped.example.com")).toMatchObject({ username: "helper-user" });
    expect(await store.authconfig("a.example.com")).toEqual({ username: "a", password: "b", serveraddress: "a.example.com" });
    expect(await store.authconfig("anonymous.example.com")).toEqual({});
    expect(helperCalls()).toHaveLength(1);
  });
});
