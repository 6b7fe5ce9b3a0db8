// The registry client against real registries: the local environment's anonymous registry (distribution 2.8,
// plain HTTP on loopback) and an extra docker-registry with htpasswd Basic auth started for this file.
// Images are built and pushed through the real Docker Engine, with the authconfig slipway resolves.
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DockerEngine } from "../../src/container/dockerode.js";
import {
  DockerCredentialStore,
  MANIFEST_ACCEPT,
  RegistryClient,
  RegistryError,
  type RegistryClientOptions,
} from "../../src/registry/index.js";
import { tarArchive } from "../../src/util/tar.js";
import { startHtpasswdRegistry, type RegistryServer } from "../helpers/registry-server.js";

const env = inject("localEnv");
const engine = new DockerEngine({ host: env.dockerHost });
const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;

interface Counting {
  readonly client: RegistryClient;
  readonly calls: string[];
}

const clients: RegistryClient[] = [];
function counting(options: RegistryClientOptions = {}): Counting {
  const calls: string[] = [];
  const client = new RegistryClient({
    ...options,
    onRequest: (method, url, status) => calls.push(`${method} ${new URL(url).pathname} ${status}`),
  });
  clients.push(client);
  return { client, calls };
}

/** Builds a one-layer image FROM the local base image, with a label to find it by. */
async function buildImage(reference: string, label: string): Promise<string> {
  const context = tarArchive([
    {
      name: "Dockerfile",
      data: Buffer.from(`FROM ${env.registry}/base/busybox\nRUN echo ${label} > /marker\nLABEL slipway.test=${label}\n`),
    },
  ]);
  const built = await engine.build({ context, tags: [reference] });
  return built.imageId;
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

const images: string[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  for (const image of images) await engine.removeImage(image);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the local anonymous registry", () => {
  const repo = `${env.registry}/base/busybox`;

  it("HEADs base/busybox:latest in one request, with the digest of the manifest bytes", async () => {
    // The independent view: the raw manifest with the docker v2 Accept type, hashed here.
    const raw = await fetch(`http://${env.registry}/v2/base/busybox/manifests/latest`, {
      headers: { Accept: MANIFEST_ACCEPT },
    });
    expect(raw.status).toBe(200);
    const body = Buffer.from(await raw.arrayBuffer());
    const expected = `sha256:${createHash("sha256").update(body).digest("hex")}`;

    const { client, calls } = counting();
    const head = await client.headManifest(repo, "latest");
    expect(head).toEqual({
      digest: expected,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      size: body.length,
    });
    expect(calls).toEqual(["HEAD /v2/base/busybox/manifests/latest 200"]);
    expect(await client.headManifest(repo, "no-such-tag")).toBeUndefined();
    expect(await client.headManifest(`${env.registry}/no/such/repo`, "latest")).toBeUndefined();
    expect(calls).toHaveLength(3);
  });

  it("lists the tags, and none for an unknown repository", async () => {
    const { client, calls } = counting();
    expect(await client.listTags(repo)).toContain("latest");
    expect(await client.listTags(`${env.registry}/no/such/repo`)).toEqual([]);
    expect(calls).toEqual(["GET /v2/base/busybox/tags/list 200", "GET /v2/no/such/repo/tags/list 404"]);
  });

  it("reads the image config: platform, creation time, size and image id", async () => {
    const raw = (await (
      await fetch(`http://${env.registry}/v2/base/busybox/manifests/latest`, { headers: { Accept: MANIFEST_ACCEPT } })
    ).json()) as { config: { digest: string }; layers: { size: number }[] };
    const { client, calls } = counting();
    const description = await client.getImageConfig(repo, "latest");
    expect(description?.os).toBe("linux");
    expect(description?.architecture).toBe(process.arch === "x64" ? "amd64" : process.arch);
    expect(description?.configDigest).toBe(raw.config.digest);
    expect(description?.size).toBe(raw.layers.reduce((sum, layer) => sum + layer.size, 0));
    expect(description?.size).toBeGreaterThan(100_000);
    expect(Date.parse(description?.created ?? "")).toBeGreaterThan(Date.parse("2020-01-01"));
    expect(calls).toEqual([
      "GET /v2/base/busybox/manifests/latest 200",
      `GET /v2/base/busybox/blobs/${raw.config.digest} 200`,
    ]);
  });

  it("sees a pushed image with its labels and image id, and deletes it", async () => {
    const reference = `${env.registry}/e2e/registry-${suffix}:v1`;
    images.push(reference);
    const imageId = await buildImage(reference, `local-${suffix}`);
    const { digest } = await engine.push({ reference });
    const { client, calls } = counting();
    const repository = `${env.registry}/e2e/registry-${suffix}`;
    expect((await client.headManifest(repository, "v1"))?.digest).toBe(digest);
    const description = await client.getImageConfig(repository, "v1");
    expect(description?.digest).toBe(digest);
    expect(description?.configDigest).toBe(imageId);
    expect(description?.labels["slipway.test"]).toBe(`local-${suffix}`);
    expect(description?.layers).toBe(2);
    expect(await client.listTags(repository)).toEqual(["v1"]);
    expect(await client.deleteManifest(repository, "v1")).toBe(true);
    expect(await client.headManifest(repository, "v1")).toBeUndefined();
    expect(await client.listTags(repository)).toEqual([]);
    expect(calls.filter((call) => call.startsWith("DELETE"))).toEqual([
      `DELETE /v2/e2e/registry-${suffix}/manifests/${digest} 202`,
    ]);
  });
});

describe("a registry with htpasswd authentication", () => {
  let server: RegistryServer;
  let pushed: { digest: string; imageId: string };

  const b64 = (text: string): string => Buffer.from(text).toString("base64");
  const configDir = (config: unknown): string => {
    const dir = tempDir("slipway-docker-config-");
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    return dir;
  };

  beforeAll(async () => {
    server = await startHtpasswdRegistry();
    // Push an image through the Docker Engine with the authconfig resolved from a config.json.
    const store = new DockerCredentialStore({
      configDir: configDir({ auths: { [server.host]: { auth: b64(`${server.user}:${server.password}`) } } }),
    });
    const reference = `${server.host}/app:v1`;
    images.push(reference);
    const imageId = await buildImage(reference, `auth-${suffix}`);
    const authconfig = await store.authconfig(server.host);
    expect(authconfig).toEqual({ username: server.user, password: server.password, serveraddress: server.host });
    const { digest } = await engine.push({ reference, auth: authconfig });
    pushed = { digest, imageId };
  });

  afterAll(async () => {
    await server.stop();
  });

  it("works with the right credentials from auths: one 401, then credentials sent up front", async () => {
    const store = new DockerCredentialStore({
      configDir: configDir({ auths: { [server.host]: { auth: b64(`${server.user}:${server.password}`) } } }),
    });
    const { client, calls } = counting({ credentials: store.credentials });
    expect((await client.headManifest(`${server.host}/app`, "v1"))?.digest).toBe(pushed.digest);
    expect(calls).toEqual(["HEAD /v2/app/manifests/v1 401", "HEAD /v2/app/manifests/v1 200"]);
    // Once the registry's scheme is known, a lookup is exactly one request.
    expect((await client.headManifest(`${server.host}/app`, "v1"))?.digest).toBe(pushed.digest);
    expect(calls).toHaveLength(3);
    expect(await client.listTags(`${server.host}/app`)).toEqual(["v1"]);
    const description = await client.getImageConfig(`${server.host}/app`, "v1");
    expect(description?.configDigest).toBe(pushed.imageId);
    expect(description?.labels["slipway.test"]).toBe(`auth-${suffix}`);
    expect(calls.slice(3).map((call) => call.split(" ").at(-1))).toEqual(["200", "200", "200"]);
    expect(await client.ping(server.host)).toEqual({ authentication: "basic", apiVersion: "registry/2.0" });
  });

  it("works with credentials from a credential helper found on the PATH it is given", async () => {
    const dir = tempDir("slipway-helper-");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "docker-credential-slipwaytest"),
      [
        "#!/bin/sh",
        "read -r url || true",
        `if [ "$url" = "${server.host}" ]; then`,
        `  printf '{"ServerURL":"%s","Username":"${server.user}","Secret":"${server.password}"}' "$url"`,
        "else",
        "  echo 'credentials not found in native keychain'; exit 1",
        "fi",
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "docker-credential-slipwaytest"), 0o755);
    const store = new DockerCredentialStore({
      configDir: configDir({ credHelpers: { [server.host]: "slipwaytest" } }),
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    const { client } = counting({ credentials: store.credentials });
    expect((await client.headManifest(`${server.host}/app`, "v1"))?.digest).toBe(pushed.digest);
    expect((await store.lookup(server.host))?.credentials.source).toBe("credential helper docker-credential-slipwaytest");
  });

  it("gives one clear error for wrong credentials, and the Docker Engine refuses the push too", async () => {
    const dir = configDir({ auths: { [server.host]: { auth: b64(`${server.user}:wrong-password`) } } });
    const store = new DockerCredentialStore({ configDir: dir });
    const { client } = counting({ credentials: store.credentials });
    const error = (await client.headManifest(`${server.host}/app`, "v1").catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.reason).toBe("unauthorized");
    expect(error.message).toBe(
      `registry ${server.host} refused the credentials for "app" (401 UNAUTHORIZED: authentication required); ` +
        `they came from ${join(dir, "config.json")} (auths["${server.host}"])`,
    );
    await expect(client.listTags(`${server.host}/app`)).rejects.toThrow(
      `registry ${server.host} refused the credentials for "app" (401 UNAUTHORIZED: authentication required)`,
    );
    await expect(
      engine.push({ reference: `${server.host}/app:v1`, auth: await store.authconfig(server.host) }),
    ).rejects.toThrow(/unauthorized|authentication required|no basic auth credentials/i);
  });

  it("says that credentials are missing when the config has none", async () => {
    const store = new DockerCredentialStore({ configDir: configDir({ auths: {} }) });
    const { client } = counting({ credentials: store.credentials });
    await expect(client.headManifest(`${server.host}/app`, "v1")).rejects.toThrow(
      `registry ${server.host} requires credentials for "app" and none were found (401 UNAUTHORIZED: authentication required); ` +
        `log in with docker login ${server.host}`,
    );
  });
});
