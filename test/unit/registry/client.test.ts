import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RegistryCredentials } from "../../../src/registry/auth.js";
import {
  MANIFEST_ACCEPT,
  RegistryClient,
  RegistryError,
  describeResponse,
  nextLink,
  type RegistryClientOptions,
} from "../../../src/registry/client.js";
import { FakeRegistry, digestOf, type FakeRegistryOptions } from "./fake-registry.js";

const started: FakeRegistry[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(started.splice(0).map((r) => r.stop()));
});

async function fake(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const registry = await new FakeRegistry(options).start();
  started.push(registry);
  return registry;
}

interface Counted {
  client: RegistryClient;
  calls: string[];
  lookups: string[];
}

function client(options: RegistryClientOptions & { creds?: Record<string, Omit<RegistryCredentials, "source">> } = {}): Counted {
  const calls: string[] = [];
  const lookups: string[] = [];
  const { creds, ...rest } = options;
  const instance = new RegistryClient({
    ...rest,
    onRequest: (method, url, status) => calls.push(`${method} ${new URL(url).pathname} ${status}`),
    ...(creds === undefined
      ? {}
      : {
          credentials: (registry: string) => {
            lookups.push(registry);
            const found = creds[registry];
            return Promise.resolve(found === undefined ? undefined : { ...found, source: "the test" });
          },
        }),
  });
  clients.push(instance);
  return { client: instance, calls, lookups };
}

describe("RegistryClient, anonymous registry", () => {
  it("HEADs a manifest in one request with all four Accept types", async () => {
    const registry = await fake();
    const { digest } = registry.putImage("group/app", "v1", { a: "b" });
    const { client: c, calls } = client();
    const head = await c.headManifest(`${registry.host}/group/app`, "v1");
    expect(head).toEqual({
      digest,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      size: expect.any(Number) as number,
    });
    expect(calls).toEqual(["HEAD /v2/group/app/manifests/v1 200"]);
    expect(registry.requests[0]?.accept).toBe(MANIFEST_ACCEPT);
    expect(MANIFEST_ACCEPT.split(", ")).toHaveLength(4);
    expect(await c.headManifest(`${registry.host}/group/app`, "missing")).toBeUndefined();
    expect(await c.headManifest(`${registry.host}/nothing`, digest)).toBeUndefined();
  });

  it("falls back to GET when HEAD has no digest", async () => {
    const registry = await fake({ headWithoutDigest: true });
    const { digest } = registry.putImage("app", "v1", {});
    const { client: c, calls } = client();
    expect((await c.headManifest(`${registry.host}/app`, "v1"))?.digest).toBe(digest);
    expect(calls).toEqual(["HEAD /v2/app/manifests/v1 200", "GET /v2/app/manifests/v1 200"]);
  });

  it("lists tags, following Link pages, and gives [] for an unknown repository", async () => {
    const registry = await fake();
    for (const tag of ["a", "b", "c", "d", "e"]) registry.putImage("app", tag, {});
    const { client: c, calls } = client();
    expect(await c.listTags(`${registry.host}/app`)).toEqual(["a", "b", "c", "d", "e"]);
    expect(calls).toHaveLength(1);
    expect(await c.listTags(`${registry.host}/app`, { pageSize: 2 })).toEqual(["a", "b", "c", "d", "e"]);
    expect(calls.slice(1)).toEqual([
      "GET /v2/app/tags/list 200",
      "GET /v2/app/tags/list 200",
      "GET /v2/app/tags/list 200",
    ]);
    expect(registry.requests.map((r) => r.url).slice(1)).toEqual([
      "/v2/app/tags/list?n=2",
      "/v2/app/tags/list?last=b&n=2",
      "/v2/app/tags/list?last=d&n=2",
    ]);
    expect(await c.listTags(`${registry.host}/unknown`)).toEqual([]);
  });

  it("reads an image config: labels, created, platform and summed layer sizes", async () => {
    const registry = await fake();
    const { digest, configDigest } = registry.putImage("app", "v1", { "werf.io/stage": "x" }, [10, 20, 30]);
    const { client: c, calls } = client();
    expect(await c.getImageConfig(`${registry.host}/app`, "v1")).toEqual({
      digest,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      manifestDigest: digest,
      configDigest,
      labels: { "werf.io/stage": "x" },
      created: "2025-01-02T03:04:05Z",
      os: "linux",
      architecture: "amd64",
      variant: undefined,
      size: 60,
      layers: 3,
    });
    expect(calls).toEqual([`GET /v2/app/manifests/v1 200`, `GET /v2/app/blobs/${configDigest} 200`]);
    expect(await c.getImageConfig(`${registry.host}/app`, "nope")).toBeUndefined();
  });

  it("picks the platform's manifest out of an index", async () => {
    const registry = await fake();
    const amd = registry.putImage("app", "amd", { arch: "amd64" });
    const arm = registry.putImage("app", "arm", { arch: "arm64" });
    const index = registry.putManifest(
      "app",
      "multi",
      {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: amd.digest, size: 1, platform: { os: "linux", architecture: "amd64" } },
          { mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: arm.digest, size: 1, platform: { os: "linux", architecture: "arm64", variant: "v8" } },
        ],
      },
      "application/vnd.oci.image.index.v1+json",
    );
    const { client: c } = client({ platform: { os: "linux", architecture: "arm64" } });
    const description = await c.getImageConfig(`${registry.host}/app`, "multi");
    expect(description?.digest).toBe(index);
    expect(description?.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(description?.manifestDigest).toBe(arm.digest);
    expect(description?.labels).toEqual({ arch: "arm64" });
    await expect(c.getImageConfig(`${registry.host}/app`, "multi", { platform: { os: "windows", architecture: "amd64" } })).rejects.toThrow(
      "has no windows/amd64 manifest (it has linux/amd64, linux/arm64/v8)",
    );
  });

  it("deletes by digest, resolving a tag first", async () => {
    const registry = await fake();
    const { digest } = registry.putImage("app", "v1", {});
    const { client: c, calls } = client();
    expect(await c.deleteManifest(`${registry.host}/app`, "v1")).toBe(true);
    expect(calls).toEqual(["HEAD /v2/app/manifests/v1 200", `DELETE /v2/app/manifests/${digest} 202`]);
    expect(await c.headManifest(`${registry.host}/app`, "v1")).toBeUndefined();
    expect(await c.deleteManifest(`${registry.host}/app`, digest)).toBe(false);
    expect(await c.deleteManifest(`${registry.host}/app`, "v1")).toBe(false);
  });

  it("checks a manifest's digest against its body", async () => {
    const registry = await fake();
    const { digest } = registry.putImage("app", "v1", {});
    const { client: c } = client();
    const manifest = await c.getManifest(`${registry.host}/app`, digest);
    expect(manifest?.digest).toBe(digest);
    expect(digestOf(manifest?.raw ?? "")).toBe(digest);
    expect(manifest?.json.layers).toHaveLength(2);
  });

  it("reads an OCI image manifest (a Helm chart): its media type is not Docker's schema 1", async () => {
    const registry = await fake();
    const layer = registry.addBlob("chart");
    const oci = { schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: layer, size: 5 }] };
    registry.putManifest("chart", "1.0.0", oci, "application/vnd.oci.image.manifest.v1+json");
    const { client: c } = client();
    expect((await c.getManifest(`${registry.host}/chart`, "1.0.0"))?.json.layers?.[0]?.digest).toBe(layer);
  });

  it("refuses a bad tag before any request", async () => {
    const { client: c, calls } = client();
    await expect(c.headManifest("127.0.0.1:1/app", "bad tag")).rejects.toThrow('invalid tag or digest "bad tag"');
    expect(calls).toEqual([]);
  });
});

describe("RegistryClient, Basic authentication", () => {
  it("learns Basic from the first 401, then sends credentials up front", async () => {
    const registry = await fake({ auth: "basic", users: { alice: "pw" } });
    registry.putImage("app", "v1", {});
    registry.putImage("other", "v1", {});
    const { client: c, calls, lookups } = client({ creds: { [registry.host]: { username: "alice", password: "pw" } } });
    expect(await c.headManifest(`${registry.host}/app`, "v1")).toBeDefined();
    expect(await c.headManifest(`${registry.host}/other`, "v1")).toBeDefined();
    expect(await c.listTags(`${registry.host}/app`)).toEqual(["v1"]);
    expect(calls).toEqual([
      "HEAD /v2/app/manifests/v1 401",
      "HEAD /v2/app/manifests/v1 200",
      "HEAD /v2/other/manifests/v1 200",
      "GET /v2/app/tags/list 200",
    ]);
    expect(lookups).toEqual([registry.host]);
    expect(registry.requests[0]?.authorization).toBeUndefined();
    expect(registry.requests[1]?.authorization).toBe(`Basic ${Buffer.from("alice:pw").toString("base64")}`);
  });

  it("sends parallel first calls after the first one learnt the scheme", async () => {
    const registry = await fake({ auth: "basic", users: { alice: "pw" } });
    for (const repo of ["a", "b", "c"]) registry.putImage(repo, "v1", {});
    const { client: c, calls } = client({ creds: { [registry.host]: { username: "alice", password: "pw" } } });
    await Promise.all(["a", "b", "c"].map((repo) => c.headManifest(`${registry.host}/${repo}`, "v1")));
    expect(calls.filter((call) => call.endsWith(" 401"))).toHaveLength(1);
    expect(calls).toHaveLength(4);
  });

  it("says clearly that the credentials were refused", async () => {
    const registry = await fake({ auth: "basic", users: { alice: "pw" } });
    const { client: c, calls } = client({ creds: { [registry.host]: { username: "alice", password: "wrong" } } });
    const error = await c.headManifest(`${registry.host}/app`, "v1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe(
      `registry ${registry.host} refused the credentials for "app" (401 UNAUTHORIZED: authentication required); they came from the test`,
    );
    expect((error as RegistryError).reason).toBe("unauthorized");
    expect((error as RegistryError).code).toBe("registry");
    // 401 anonymous, 401 with the credentials, then one GET for the error body a HEAD cannot carry.
    expect(calls).toEqual(["HEAD /v2/app/manifests/v1 401", "HEAD /v2/app/manifests/v1 401", "GET /v2/app/manifests/v1 401"]);
  });

  it("says clearly that credentials are missing", async () => {
    const registry = await fake({ auth: "basic", users: { alice: "pw" } });
    const { client: c } = client({ creds: {} });
    await expect(c.listTags(`${registry.host}/app`)).rejects.toThrow(
      `registry ${registry.host} requires credentials for "app" and none were found (401 UNAUTHORIZED: authentication required); log in with docker login ${registry.host}`,
    );
  });

  it("ping verifies the credentials", async () => {
    const registry = await fake({ auth: "basic", users: { alice: "pw" } });
    const good = client({ creds: { [registry.host]: { username: "alice", password: "pw" } } });
    expect(await good.client.ping(registry.host)).toEqual({ authentication: "basic", apiVersion: undefined });
    const bad = client({ creds: { [registry.host]: { username: "alice", password: "no" } } });
    await expect(bad.client.ping(registry.host)).rejects.toThrow(`registry ${registry.host} refused the credentials (401`);
  });
});

describe("RegistryClient, Bearer tokens", () => {
  it("gets a token per scope, caches it, and fetches the next scope's token up front", async () => {
    const registry = await fake({ auth: "bearer", users: { bob: "pw" } });
    registry.putImage("app", "v1", {});
    registry.putImage("lib", "v1", {});
    const { client: c, calls } = client({ creds: { [registry.host]: { username: "bob", password: "pw" } } });
    await c.headManifest(`${registry.host}/app`, "v1");
    await c.headManifest(`${registry.host}/app`, "v1");
    await c.listTags(`${registry.host}/app`);
    await c.headManifest(`${registry.host}/lib`, "v1");
    expect(calls).toEqual([
      "HEAD /v2/app/manifests/v1 401",
      "GET /token 200",
      "HEAD /v2/app/manifests/v1 200",
      "HEAD /v2/app/manifests/v1 200",
      "GET /v2/app/tags/list 200",
      "GET /token 200",
      "HEAD /v2/lib/manifests/v1 200",
    ]);
    const tokenRequests = registry.requestsTo("/token");
    expect(tokenRequests.map((r) => r.url)).toEqual([
      "/token?service=fake-registry&scope=repository%3Aapp%3Apull",
      "/token?service=fake-registry&scope=repository%3Alib%3Apull",
    ]);
    expect(tokenRequests[0]?.authorization).toBe(`Basic ${Buffer.from("bob:pw").toString("base64")}`);
  });

  it("lets the first call to a registry go alone, so parallel calls share its 401 and its token", async () => {
    const registry = await fake({ auth: "bearer", anonymousTokens: true });
    for (const tag of ["a", "b", "c", "d"]) registry.putImage("app", tag, {});
    const { client: c, calls } = client();
    const heads = await Promise.all(["a", "b", "c", "d"].map((tag) => c.headManifest(`${registry.host}/app`, tag)));
    expect(heads.every((h) => h !== undefined)).toBe(true);
    expect(calls.filter((call) => call.endsWith(" 401"))).toHaveLength(1);
    expect(calls.filter((call) => call.startsWith("GET /token"))).toHaveLength(1);
    expect(calls).toHaveLength(1 + 1 + 4);
  });

  it("drops a token the registry rejects and gets a new one", async () => {
    const registry = await fake({ auth: "bearer", anonymousTokens: true });
    registry.putImage("app", "v1", {});
    const { client: c, calls } = client();
    await c.headManifest(`${registry.host}/app`, "v1");
    registry.forgetTokens();
    expect(await c.headManifest(`${registry.host}/app`, "v1")).toBeDefined();
    expect(calls).toEqual([
      "HEAD /v2/app/manifests/v1 401",
      "GET /token 200",
      "HEAD /v2/app/manifests/v1 200",
      "HEAD /v2/app/manifests/v1 401",
      "GET /token 200",
      "HEAD /v2/app/manifests/v1 200",
    ]);
  });

  it("gets anonymous tokens without credentials", async () => {
    const registry = await fake({ auth: "bearer", anonymousTokens: true });
    registry.putImage("app", "v1", {});
    const { client: c } = client();
    expect(await c.headManifest(`${registry.host}/app`, "v1")).toBeDefined();
    expect(registry.requestsTo("/token")[0]?.authorization).toBeUndefined();
  });

  it("exchanges an identity token with a POST to the token endpoint", async () => {
    const registry = await fake({ auth: "bearer", refreshTokens: { "refresh-123": "carol" } });
    registry.putImage("app", "v1", {});
    const { client: c } = client({ creds: { [registry.host]: { identityToken: "refresh-123" } } });
    expect(await c.listTags(`${registry.host}/app`)).toEqual(["v1"]);
    const post = registry.requests.find((r) => r.method === "POST");
    expect(Object.fromEntries(new URLSearchParams(post?.body ?? ""))).toEqual({
      grant_type: "refresh_token",
      refresh_token: "refresh-123",
      client_id: "slipway",
      service: "fake-registry",
      scope: "repository:app:pull",
    });
  });

  it("keeps a token at least 60 s, even when expires_in is shorter", async () => {
    const registry = await fake({ auth: "bearer", anonymousTokens: true, tokenExpiresIn: 1 });
    registry.putImage("app", "v1", {});
    const { client: c, calls } = client();
    await c.headManifest(`${registry.host}/app`, "v1");
    await c.headManifest(`${registry.host}/app`, "v1");
    // Tokens live at least 60 s in the client, so the second call reused it.
    expect(calls.filter((call) => call.startsWith("GET /token"))).toHaveLength(1);
  });

  it("names the token service when it refuses the credentials", async () => {
    const registry = await fake({ auth: "bearer", users: { bob: "pw" } });
    const { client: c } = client({ creds: { [registry.host]: { username: "bob", password: "bad" } } });
    await expect(c.headManifest(`${registry.host}/app`, "v1")).rejects.toThrow(
      `registry ${registry.host} refused the credentials for "app" (token service ${registry.host} of registry ${registry.host}: 401 Unauthorized: incorrect username or password); they came from the test`,
    );
  });

  it("reports a scope the token does not grant as denied", async () => {
    const registry = await fake({ auth: "bearer", users: { bob: "pw" }, access: { bob: ["app"] } });
    registry.putImage("secret", "v1", {});
    const { client: c } = client({ creds: { [registry.host]: { username: "bob", password: "pw" } } });
    const error = (await c.listTags(`${registry.host}/secret`).catch((e: unknown) => e)) as RegistryError;
    expect(error.reason).toBe("denied");
    expect(error.message).toBe(`registry ${registry.host} denied access for "secret" (401 UNAUTHORIZED: authentication required)`);
  });
});

describe("RegistryClient, transport", () => {
  it("names the host when nothing listens", async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { client: c, calls } = client();
    const error = (await c.headManifest(`127.0.0.1:${port}/app`, "v1").catch((e: unknown) => e)) as RegistryError;
    expect(error.message).toBe(
      `cannot reach registry 127.0.0.1:${port} at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(error.reason).toBe("connection");
    expect(calls).toEqual(["HEAD /v2/app/manifests/v1 0"]);
  });

  it("names the host when its name does not resolve", async () => {
    const { client: c } = client();
    const host = "registry.invalid:5000";
    const error = (await c.headManifest(`${host}/app`, "v1").catch((e: unknown) => e)) as RegistryError;
    expect(error.message).toMatch(/^cannot reach registry registry\.invalid:5000 at https:\/\/registry\.invalid:5000: getaddrinfo /);
    expect(error.reason).toBe("connection");
  });

  describe("over TLS, on a non-loopback address of this machine", () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address;
    let certDir: string | undefined;
    afterEach(() => {
      if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
      certDir = undefined;
    });

    it("has a non-loopback IPv4 address to listen on", () => {
      expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it("suggests --insecure-registry when a plain HTTP registry gets HTTPS", async () => {
      const registry = await fake({ listen: address ?? "" });
      const error = (await client().client.headManifest(`${registry.host}/app`, "v1").catch((e: unknown) => e)) as RegistryError;
      expect(error.reason).toBe("tls");
      expect(error.message).toMatch(new RegExp(`^TLS connection to registry ${registry.host.replaceAll(".", "\\.")} at https://.*; if it is a plain HTTP registry, use --insecure-registry$`));
    });

    it("refuses a self-signed certificate unless --skip-tls-verify-registry", async () => {
      certDir = mkdtempSync(join(tmpdir(), "slipway-tls-"));
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fake-registry",
        "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem")], { stdio: "ignore" });
      const registry = await fake({
        listen: address ?? "",
        tls: { key: readFileSync(join(certDir, "key.pem"), "utf8"), cert: readFileSync(join(certDir, "cert.pem"), "utf8") },
      });
      const { digest } = registry.putImage("app", "v1", {});
      const error = (await client().client.headManifest(`${registry.host}/app`, "v1").catch((e: unknown) => e)) as RegistryError;
      expect(error.reason).toBe("tls");
      expect(error.message).toContain(`TLS connection to registry ${registry.host} at https://${registry.host} failed: self-signed certificate`);
      expect(error.message).toContain("use --skip-tls-verify-registry");
      const skipping = client({ skipTlsVerify: true });
      expect((await skipping.client.headManifest(`${registry.host}/app`, "v1"))?.digest).toBe(digest);
      expect(skipping.calls).toEqual(["HEAD /v2/app/manifests/v1 200"]);
    });
  });

  it("uses plain HTTP only for loopback or --insecure-registry, and HTTPS otherwise", async () => {
    const registry = await fake();
    registry.putImage("app", "v1", {});
    const seen: string[] = [];
    const insecure = new RegistryClient({ insecureRegistry: true, onRequest: (_m, url) => seen.push(url) });
    const secure = new RegistryClient({ onRequest: (_m, url) => seen.push(url) });
    clients.push(insecure, secure);
    // Not a loopback name: only --insecure-registry makes it plain HTTP.
    const name = `registry.invalid:${registry.port}`;
    await insecure.headManifest(`${name}/app`, "v1").catch(() => undefined);
    await secure.headManifest(`${name}/app`, "v1").catch(() => undefined);
    expect(seen).toEqual([`http://${name}/v2/app/manifests/v1`, `https://${name}/v2/app/manifests/v1`]);
  });

  it("follows a blob redirect to another origin without the credentials", async () => {
    const storage = await fake();
    const registry = await fake({ auth: "basic", users: { u: "p" }, blobRedirect: "" });
    const image = registry.putImage("app", "v1", { via: "redirect" });
    storage.addBlob(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        created: "2025-01-02T03:04:05Z",
        config: { Labels: { via: "redirect" } },
        rootfs: { type: "layers", diff_ids: [] },
      }),
    );
    (registry.options as { blobRedirect?: string }).blobRedirect = `http://localhost:${storage.port}`;
    const { client: c, calls } = client({ creds: { [registry.host]: { username: "u", password: "p" } } });
    const description = await c.getImageConfig(`${registry.host}/app`, "v1");
    expect(description?.labels).toEqual({ via: "redirect" });
    expect(calls.slice(-2)).toEqual([`GET /v2/app/blobs/${image.configDigest} 307`, `GET /blobstore/${image.configDigest} 200`]);
    expect(storage.requests[0]?.authorization).toBeUndefined();
    expect(registry.requestsTo("/blobs/")[0]?.authorization).toMatch(/^Basic /);
  });
});

describe("helpers", () => {
  it("describeResponse prefers the registry's error codes", () => {
    const body = Buffer.from(JSON.stringify({ errors: [{ code: "DENIED", message: "requested access to the resource is denied" }] }));
    expect(describeResponse({ status: 403, statusText: "Forbidden", body })).toBe("403 DENIED: requested access to the resource is denied");
    expect(describeResponse({ status: 502, statusText: "Bad Gateway", body: Buffer.from("<html>\n oops </html>") })).toBe(
      "502 Bad Gateway: <html> oops </html>",
    );
    expect(describeResponse({ status: 500, statusText: "", body: Buffer.alloc(0) })).toBe("500");
  });

  it("nextLink finds rel=next", () => {
    expect(nextLink('</v2/app/tags/list?last=b&n=2>; rel="next"')).toBe("/v2/app/tags/list?last=b&n=2");
    expect(nextLink('<https://x/a>; rel="prev", <https://x/b>; rel=next')).toBe("https://x/b");
    expect(nextLink('<https://x/a>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
