/**
 * @module release/storage
 *
 * Helm 3 release records in the cluster through the KubeClient port: Secrets (default) or ConfigMaps named
 * `sh.helm.release.v1.<release>.v<N>`, found by the labels `name=<release>,owner=helm`.
 */
import { SlipwayError } from "../errors.js";
import type { KubeClient } from "../kube/types.js";
import { releaseFromObject, storageName, storageObject, type HelmRelease, type StorageDriver } from "./codec.js";

export interface ReleaseStorage {
  list(release: string): Promise<HelmRelease[]>;
  create(record: HelmRelease): Promise<void>;
  update(record: HelmRelease): Promise<void>;
  remove(release: string, revision: number): Promise<void>;
}

export function storageDriver(name: string): StorageDriver {
  if (name === "" || name === "secret" || name === "secrets") return "secret";
  if (name === "configmap" || name === "configmaps") return "configmap";
  if (name === "sql") throw new SlipwayError("--release-storage sql is not supported by slipway yet; use secret or configmap", { code: "invalid-option" });
  throw new SlipwayError(`unknown release storage driver "${name}" (expected secret or configmap)`, { code: "invalid-option" });
}

export function createReleaseStorage(
  client: KubeClient,
  namespace: string,
  options: { driver: StorageDriver; labels?: Readonly<Record<string, string>>; now?: () => number },
): ReleaseStorage {
  const kind = options.driver === "secret" ? "Secret" : "ConfigMap";
  const now = (): number => Math.floor((options.now?.() ?? Date.now()) / 1000);
  const opts = (update: boolean) => ({ nowSeconds: now(), update, ...(options.labels === undefined ? {} : { customLabels: options.labels }) });
  return {
    async list(release) {
      const list = await client.list({ apiVersion: "v1", kind, namespace, labelSelector: `name=${release},owner=helm` });
      return list.items.map((item) => {
        try {
          return releaseFromObject(item);
        } catch (err) {
          throw new SlipwayError(`decode release record ${item.metadata.name}`, { code: "deploy", cause: err });
        }
      });
    },
    async create(record) {
      await client.create(storageObject(options.driver, record, opts(false)));
    },
    async update(record) {
      const object = storageObject(options.driver, record, opts(true));
      const live = await client.get({ apiVersion: "v1", kind, namespace, name: object.metadata.name });
      const createdAt = live?.metadata.labels?.["createdAt"];
      if (createdAt !== undefined && object.metadata.labels !== undefined) object.metadata.labels["createdAt"] = createdAt;
      if (live === undefined) await client.create(object);
      else await client.update({ ...object, metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion ?? "" } });
    },
    async remove(release, revision) {
      await client.delete({ apiVersion: "v1", kind, namespace, name: storageName(release, revision) });
    },
  };
}
