// ReleaseStorage over an in-memory API server: the objects it writes, Helm's update and list behaviour.
import { describe, expect, it } from "vitest";
import { releaseFromObject, type HelmRelease } from "../../../src/release/codec.js";
import { createReleaseStorage, storageDriver } from "../../../src/release/storage.js";
import { KubeApiError } from "../../../src/kube/types.js";
import { fakeKube } from "./fake-kube.js";

const record = (version: number, status: NonNullable<HelmRelease["info"]["status"]>): HelmRelease => ({
  name: "web",
  info: { first_deployed: "", last_deployed: "", deleted: "", status },
  chart: { metadata: { name: "c", version: "1.0.0", apiVersion: "v2" }, lock: null, templates: null, values: {}, schema: null, files: null },
  manifest: "---\n# Source: c/templates/a.yaml\nkind: ConfigMap\n",
  version,
  namespace: "app",
});

describe("release storage", () => {
  it("creates, lists, updates and removes Secrets as helm's driver does", async () => {
    const kube = fakeKube();
    let now = 1_000_000;
    const storage = createReleaseStorage(kube, "app", { driver: "secret", labels: { team: "core" }, now: () => now });
    await storage.create(record(2, "pending-install"));
    await storage.create(record(1, "superseded"));
    const secret = kube.objects.get("Secret/app/sh.helm.release.v1.web.v2");
    expect(secret?.metadata.labels).toEqual({ team: "core", createdAt: "1000", name: "web", owner: "helm", status: "pending-install", version: "2" });
    expect(secret?.["type"]).toBe("helm.sh/release.v1");

    const listed = await storage.list("web");
    expect(listed.map((r) => [r.version, r.info.status])).toEqual([[1, "superseded"], [2, "pending-install"]]);
    expect(kube.requests).toContain("LIST Secret name=web,owner=helm");

    now = 2_000_000;
    const two = listed[1];
    if (two === undefined) throw new Error("revision 2 missing");
    await storage.update({ ...two, info: { ...two.info, status: "deployed" } });
    const updated = kube.objects.get("Secret/app/sh.helm.release.v1.web.v2");
    // A record read back carries its labels: helm keeps createdAt and adds modifiedAt.
    expect(updated?.metadata.labels).toEqual({ team: "core", createdAt: "1000", modifiedAt: "2000", name: "web", owner: "helm", status: "deployed", version: "2" });
    expect(releaseFromObject(updated ?? secret ?? { apiVersion: "", kind: "", metadata: { name: "" } }).info.status).toBe("deployed");
    expect(kube.requests.filter((r) => r.startsWith("PUT"))).toEqual(["PUT sh.helm.release.v1.web.v2"]);

    expect(await storage.remove("web", 1)).toBe(true);
    expect(await storage.remove("web", 1)).toBe(false);
    expect((await storage.list("web")).map((r) => r.version)).toEqual([2]);
  });

  it("refuses to create an existing revision and to update a missing one", async () => {
    const kube = fakeKube();
    const storage = createReleaseStorage(kube, "app", { driver: "configmap" });
    await storage.create(record(1, "pending-install"));
    await expect(storage.create(record(1, "pending-install"))).rejects.toThrow("create release record ConfigMap/sh.helm.release.v1.web.v1: release: already exists");
    await expect(storage.update(record(2, "deployed"))).rejects.toThrow(/^update release record ConfigMap\/sh\.helm\.release\.v1\.web\.v2: /);
  });

  it("settles a create whose answer was lost by reading the record back, and retries one that failed before", async () => {
    const kube = fakeKube();
    const create = kube.create.bind(kube);
    let lost = 1;
    kube.create = async (object, options) => {
      const created = await create(object, options);
      if (lost-- > 0) throw new KubeApiError("read: connection reset by peer", 0, "Transport", undefined, Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
      return created;
    };
    const storage = createReleaseStorage(kube, "app", { driver: "secret" });
    await storage.create(record(1, "pending-install"));
    // One POST only: the GET found the record the lost POST had made.
    expect(kube.requests).toEqual(["POST sh.helm.release.v1.web.v1", "GET sh.helm.release.v1.web.v1"]);

    let failures = 1;
    kube.before = (method) => {
      if (method === "POST" && failures-- > 0) throw new KubeApiError("Internal error occurred", 500, "InternalError");
    };
    kube.requests = [];
    await storage.create(record(2, "pending-upgrade"));
    expect(kube.requests).toEqual(["POST sh.helm.release.v1.web.v2", "GET sh.helm.release.v1.web.v2", "POST sh.helm.release.v1.web.v2"]);
    expect(kube.objects.has("Secret/app/sh.helm.release.v1.web.v2")).toBe(true);
    // A record of another run under that name is still "already exists".
    await expect(storage.create({ ...record(2, "pending-upgrade"), manifest: "other" })).rejects.toThrow("release: already exists");
  });

  it("skips a record that does not decode, with a warning", async () => {
    const kube = fakeKube();
    const warnings: string[] = [];
    const storage = createReleaseStorage(kube, "app", { driver: "configmap", onWarning: (m) => warnings.push(m) });
    await storage.create(record(1, "deployed"));
    await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "sh.helm.release.v1.web.v2", namespace: "app", labels: { name: "web", owner: "helm" } }, data: { release: "bm90IGpzb24=" } });
    expect((await storage.list("web")).map((r) => r.version)).toEqual([1]);
    expect(warnings).toEqual([expect.stringContaining("skip release record ConfigMap/sh.helm.release.v1.web.v2: decode release:")]);
  });

  it("accepts the driver names helm accepts and refuses sql", () => {
    expect(storageDriver("")).toBe("secret");
    expect(storageDriver("secrets")).toBe("secret");
    expect(storageDriver("configmap")).toBe("configmap");
    expect(() => storageDriver("sql")).toThrow('release storage "sql" is not supported by slipway');
    expect(() => storageDriver("etcd")).toThrow('unknown release storage driver "etcd"');
  });
});
