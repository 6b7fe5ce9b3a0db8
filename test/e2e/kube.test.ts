// The Kubernetes access layer against the real local cluster: every verb of the KubeClient port, watch and logs
// streams, discovery and its kubectl-compatible disk cache, contexts and identities, errors and proxies.
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect as netConnect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { createKubeClient, type ClosableKubeClient } from "../../src/kube/client.js";
import { KubeApiError, type KubeObject, type KubeRequestRecord, type WatchEvent } from "../../src/kube/types.js";
import { uniqueName, waitFor } from "../helpers/cluster.js";

const env = inject("localEnv");
const namespace = uniqueName("e2e-kube");
const cacheDir = mkdtempSync(join(tmpdir(), "slipway-kube-cache-"));
const requests: KubeRequestRecord[] = [];

function client(extra: Parameters<typeof createKubeClient>[0] = {}): ClosableKubeClient {
  return createKubeClient({ kubeConfigPathMergeList: [env.kubeconfig], kubeContext: env.context, ...extra }, { HOME: cacheDir }, {
    cacheDir,
    onRequest: (r) => requests.push(r),
  });
}

const kube = client();
const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels },
  data,
});

beforeAll(async () => {
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "slipway-e2e", force: true });
});

afterAll(async () => {
  await kube.delete({ apiVersion: "v1", kind: "Namespace", name: namespace });
  kube.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("objects", () => {
  it("server-side apply creates and updates, dry-run changes nothing, get/list read it back", async () => {
    const applied = await kube.apply(configMap("app", { a: "1" }, { tier: "web" }), { fieldManager: "helm", force: true });
    expect(applied.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(applied.metadata.managedFields?.map((f) => [f.manager, f.operation])).toEqual([["helm", "Apply"]]);
    const patchPath = requests.filter((r) => r.method === "PATCH").at(-1)?.path ?? "";
    expect(patchPath).toBe(`/api/v1/namespaces/${namespace}/configmaps/app?fieldManager=helm&force=true`);

    const dry = await kube.apply(configMap("app", { a: "2" }, { tier: "web" }), { fieldManager: "helm", force: true, dryRun: true });
    expect(dry.data).toEqual({ a: "2" });
    expect((await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "app" }))?.data).toEqual({ a: "1" });
    const dryNew = await kube.apply(configMap("never", { x: "1" }), { fieldManager: "helm", force: true, dryRun: true });
    expect(dryNew.metadata.name).toBe("never");
    expect(await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "never" })).toBeUndefined();

    await kube.apply(configMap("other", { b: "1" }), { fieldManager: "helm", force: true });
    const listed = await kube.list({ apiVersion: "v1", kind: "ConfigMap", namespace, labelSelector: "tier=web" });
    expect(listed.items.map((i) => [i.kind, i.apiVersion, i.metadata.name])).toEqual([["ConfigMap", "v1", "app"]]);
    expect(Number(listed.resourceVersion)).toBeGreaterThan(0);
  });

  it("merge patch changes one key; update with a stale resourceVersion gets 409", async () => {
    const before = await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "app" });
    if (before === undefined) throw new Error("ConfigMap app is missing");
    const patched = await kube.mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "app" }, { data: { extra: "yes" } });
    expect(patched.data).toEqual({ a: "1", extra: "yes" });

    const stale = { ...before, data: { a: "stale" } };
    const conflict = await kube.update(stale).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(conflict).toBeInstanceOf(KubeApiError);
    const apiErr = conflict as KubeApiError;
    expect(apiErr.status).toBe(409);
    expect(apiErr.conflict).toBe(true);
    expect(apiErr.reason).toBe("Conflict");
    expect(apiErr.message).toContain('Operation cannot be fulfilled on configmaps "app": the object has been modified');

    const fresh = { ...patched, data: { a: "fresh" } };
    const updated = await kube.update(fresh);
    expect(updated.data).toEqual({ a: "fresh" });
  });

  it("create (and dry-run create) POSTs; creating twice is a 409 AlreadyExists", async () => {
    const dry = await kube.create(configMap("created", { c: "1" }), { dryRun: true });
    expect(dry.metadata.name).toBe("created");
    expect(await kube.get({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "created" })).toBeUndefined();
    await kube.create(configMap("created", { c: "1" }));
    const again = await kube.create(configMap("created", { c: "1" })).catch((err: unknown) => err);
    expect(again).toMatchObject({ status: 409, reason: "AlreadyExists", message: 'configmaps "created" already exists' });
  });

  it("delete sends the propagation policy: Orphan leaves the Deployment's ReplicaSet behind", async () => {
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "orphaner", namespace },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "orphaner" } },
        template: { metadata: { labels: { app: "orphaner" } }, spec: { containers: [{ name: "c", image: `${env.registry}/base/busybox` }] } },
      },
    };
    await kube.apply(deployment, { fieldManager: "helm", force: true });
    const rsRef = await waitFor("the Deployment's ReplicaSet", async () => {
      const list = await kube.list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace, labelSelector: "app=orphaner" });
      return list.items[0];
    });
    expect(await kube.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "orphaner" }, { propagationPolicy: "Orphan" })).toBe(true);
    await waitFor("the Deployment to go", async () =>
      (await kube.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "orphaner" })) === undefined ? true : undefined,
    );
    const orphan = await waitFor("the ReplicaSet to lose its owner", async () => {
      const rs = await kube.get({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace, name: rsRef.metadata.name });
      return rs !== undefined && (rs.metadata.ownerReferences ?? []).length === 0 ? rs : undefined;
    });
    expect(orphan.metadata.deletionTimestamp).toBeUndefined();
    expect(await kube.delete({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace, name: rsRef.metadata.name }, { propagationPolicy: "Background" })).toBe(true);
    expect(await kube.delete({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "orphaner" })).toBe(false);
  });
});

describe("streams", () => {
  it("watch sees ADDED, MODIFIED and DELETED and ends cleanly on abort", async () => {
    const start = await kube.list({ apiVersion: "v1", kind: "ConfigMap", namespace, labelSelector: "watched=yes" });
    const abort = new AbortController();
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const event of kube.watch({ apiVersion: "v1", kind: "ConfigMap", namespace, labelSelector: "watched=yes", resourceVersion: start.resourceVersion }, { signal: abort.signal })) {
        seen.push(event);
        if (event.type === "DELETED") abort.abort();
      }
      return "ended";
    })();
    await kube.apply(configMap("watched", { v: "1" }, { watched: "yes" }), { fieldManager: "helm", force: true });
    await kube.mergePatch({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "watched" }, { data: { v: "2" } });
    await kube.delete({ apiVersion: "v1", kind: "ConfigMap", namespace, name: "watched" });
    const timeout = setTimeout(() => abort.abort(), 30_000);
    await expect(done).resolves.toBe("ended");
    clearTimeout(timeout);
    const changes = seen.filter((e) => e.type !== "BOOKMARK");
    expect(changes.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    const modified = changes[1];
    expect(modified?.type === "MODIFIED" ? [modified.object.kind, modified.object.data] : undefined).toEqual(["ConfigMap", { v: "2" }]);
  });

  it("a watch from a compacted resourceVersion reports ERROR 410 (Expired)", async () => {
    const events: WatchEvent[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 20_000);
    for await (const event of kube.watch({ apiVersion: "v1", kind: "ConfigMap", namespace, resourceVersion: "1" }, { signal: abort.signal })) {
      events.push(event);
      if (event.type === "ERROR") break;
    }
    clearTimeout(timer);
    const last = events.at(-1);
    expect(last?.type).toBe("ERROR");
    expect(last?.type === "ERROR" ? last.status.code : 0).toBe(410);
  });

  it("streams the log lines of a running busybox pod and stops on abort", async () => {
    await kube.apply(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "talker", namespace },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "main", image: `${env.registry}/base/busybox`, command: ["sh", "-c", "echo first line; echo second line; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done"] }],
        },
      },
      { fieldManager: "helm", force: true },
    );
    await waitFor("pod talker to run", async () => {
      const pod = await kube.get({ apiVersion: "v1", kind: "Pod", namespace, name: "talker" });
      return (pod?.status as { phase?: string } | undefined)?.phase === "Running" ? true : undefined;
    });
    const abort = new AbortController();
    const lines: string[] = [];
    const timer = setTimeout(() => abort.abort(), 60_000);
    for await (const line of kube.logs({ namespace, pod: "talker", container: "main", follow: true, timestamps: false }, { signal: abort.signal })) {
      lines.push(line);
      if (line === "tick 2") abort.abort();
    }
    clearTimeout(timer);
    expect(lines.slice(0, 4)).toEqual(["first line", "second line", "tick 1", "tick 2"]);
    const stamped: string[] = [];
    for await (const line of kube.logs({ namespace, pod: "talker", container: "main", follow: false, timestamps: true, tailLines: 1 })) stamped.push(line);
    expect(stamped).toHaveLength(1);
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
  });
});

describe("discovery", () => {
  it("resolves kinds, lists API versions like Helm's capabilities, and reads the server version", async () => {
    expect(await kube.resourceType("apps/v1", "Deployment")).toEqual({ group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true });
    expect(await kube.resourceType("rbac.authorization.k8s.io/v1", "ClusterRole")).toMatchObject({ plural: "clusterroles", namespaced: false });
    const versions = await kube.apiVersions();
    expect(versions).toEqual(expect.arrayContaining(["v1", "apps/v1", "apps/v1/Deployment", "v1/ConfigMap", "batch/v1/Job"]));
    expect((await kube.serverVersion()).gitVersion).toMatch(/^v1\.34\./);
  });

  it("an unknown kind is NoKindMatch with kubectl's text", async () => {
    const unknownGroup = await kube.resourceType("example.com/v1", "Widget").catch((err: unknown) => err);
    expect(unknownGroup).toMatchObject({ reason: "NoKindMatch", message: 'no matches for kind "Widget" in version "example.com/v1"' });
    const unknownKind = await kube.resourceType("apps/v1", "Deploymentz").catch((err: unknown) => err);
    expect(unknownKind).toMatchObject({ reason: "NoKindMatch", message: 'no matches for kind "Deploymentz" in version "apps/v1"' });
  });

  it("caches per group-version where kubectl does, so a second process makes no discovery request", async () => {
    const file = join(cacheDir, "discovery", "127.0.0.1_6443", "apps", "v1", "serverresources.json");
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ kind: "APIResourceList", groupVersion: "apps/v1" });
    expect(existsSync(join(cacheDir, "discovery", "127.0.0.1_6443", "servergroups.json"))).toBe(true);

    const second = client();
    const mark = requests.length;
    await second.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "nothing-here" });
    await second.apiVersions();
    expect(requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual([`GET /apis/apps/v1/namespaces/${namespace}/deployments/nothing-here`]);

    second.invalidateDiscovery();
    await second.resourceType("apps/v1", "Deployment");
    expect(requests.at(-1)).toMatchObject({ method: "GET", path: "/apis/apps/v1", status: 200 });
    second.close();
  });
});

describe("connection and identity", () => {
  it("two kube contexts from the local environment's kubeconfig: --kube-context picks the user that is sent", async () => {
    const config = parse(readFileSync(env.kubeconfig, "utf8")) as {
      users: { name: string; user: { token?: string; "client-certificate-data"?: string } }[];
      contexts: { name: string; context: { user: string } }[];
    };
    const userOf = (context: string) => {
      const name = config.contexts.find((c) => c.name === context)?.context.user;
      return config.users.find((u) => u.name === name)?.user;
    };
    const certData = userOf(env.context)?.["client-certificate-data"] ?? "";
    const certCn = /CN=([^\n,]+)/.exec(new X509Certificate(Buffer.from(certData, "base64")).subject)?.[1];
    const token = userOf(env.tokenContext)?.token ?? "";
    const tokenRow = readFileSync(join(env.envDir, "pki", "tokens.csv"), "utf8")
      .split("\n")
      .map((line) => line.split(","))
      .find((cols) => cols[0] === token);
    const tokenUser = tokenRow?.[1]?.replace(/^"|"$/g, "");

    const review = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
    type Review = { status: { userInfo: { username: string } } };
    const viaCert = client({ kubeContext: env.context });
    const viaToken = client({ kubeContext: env.tokenContext });
    const certName = (await viaCert.raw<Review>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", review)).status.userInfo.username;
    const tokenName = (await viaToken.raw<Review>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", review)).status.userInfo.username;
    viaCert.close();
    viaToken.close();
    expect(certCn).toBeTruthy();
    expect(tokenUser).toBeTruthy();
    expect(certName).toBe(certCn);
    expect(tokenName).toBe(tokenUser);
    expect(certName).not.toBe(tokenName);
  });

  it("impersonation is sent, and a forbidden answer reads as kubectl prints it", async () => {
    const nobody = client({ kubeImpersonateUser: "slipway-nobody" });
    const err = await nobody.get({ apiVersion: "apps/v1", kind: "Deployment", namespace, name: "x" }).catch((e: unknown) => e);
    nobody.close();
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({
      status: 403,
      reason: "Forbidden",
      message: `deployments.apps "x" is forbidden: User "slipway-nobody" cannot get resource "deployments" in API group "apps" in the namespace "${namespace}"`,
    });
  });

  it("a refused connection is a transport error (status 0) naming the URL", async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const dead = client({ kubeApiServer: `https://127.0.0.1:${closed}` });
    const err = await dead.serverVersion().catch((e: unknown) => e);
    dead.close();
    expect(err).toMatchObject({ status: 0, reason: "Transport", message: `Get "https://127.0.0.1:${closed}/version": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  });

  it("--kube-proxy-url tunnels through an HTTP CONNECT proxy", async () => {
    const tunnels: string[] = [];
    const proxy: Server = createServer((_req, res) => res.writeHead(405).end());
    proxy.on("connect", (req, socket, head) => {
      tunnels.push(req.url ?? "");
      const [host, port] = (req.url ?? "").split(":");
      const upstream = netConnect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxied = client({ kubeProxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    try {
      const ns = await proxied.get({ apiVersion: "v1", kind: "Namespace", name: namespace });
      expect(ns?.metadata.name).toBe(namespace);
      expect(tunnels).toEqual(["127.0.0.1:6443"]);
    } finally {
      proxied.close();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("the QPS limit paces requests", async () => {
    const slow = client({ kubeQpsLimit: 5, kubeBurstLimit: 1 });
    await slow.resourceType("v1", "Namespace");
    const started = performance.now();
    for (let i = 0; i < 4; i++) await slow.get({ apiVersion: "v1", kind: "Namespace", name: namespace });
    const elapsed = performance.now() - started;
    slow.close();
    expect(elapsed).toBeGreaterThanOrEqual(550);
  });
});
