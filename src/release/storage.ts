/**
 * @module release/storage
 *
 * Helm 3 release records in the cluster through the KubeClient port, the way helm's Secret and ConfigMap drivers
 * keep them: objects `sh.helm.release.v1.<release>.v<N>` found by the labels `name=<release>,owner=helm`, created
 * with `createdAt`, rewritten whole (data and labels, an unconditional PUT) with `modifiedAt`. Takes a KubeClient;
 * gives decoded records. Imports only the codec, the kube types, kube's retry policy and errors.
 */
import { SlipwayError } from "../errors.js";
import { backoffMs, delay, MAX_ATTEMPTS, transient } from "../kube/retry.js";
import { KubeApiError, type KubeClient, type KubeObject } from "../kube/types.js";
import { releaseFromObject, storageName, storageObject, type HelmRelease, type StorageDriver } from "./codec.js";

export interface ReleaseStorage {
  readonly driver: StorageDriver;
  /** Every revision of the release, by revision. Records that do not decode are skipped, as Helm skips them. */
  list(release: string, options?: { signal?: AbortSignal }): Promise<HelmRelease[]>;
  /** A new revision (pending-* status); fails when that revision exists. */
  create(record: HelmRelease, options?: { signal?: AbortSignal }): Promise<void>;
  /** Rewrites an existing revision (status change: deployed, failed, superseded). */
  update(record: HelmRelease, options?: { signal?: AbortSignal }): Promise<void>;
  /** Deletes one revision's record (pruning, uninstall); false when it was already gone. */
  remove(release: string, revision: number, options?: { signal?: AbortSignal }): Promise<boolean>;
}

export interface ReleaseStorageOptions {
  readonly driver: StorageDriver;
  /** `--release-label`s, written on records created in this run. */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  readonly now?: () => number;
  /** A record was skipped because it did not decode. */
  readonly onWarning?: (message: string) => void;
}

/** `--release-storage` / `WERF_RELEASE_STORAGE` / `HELM_DRIVER` values as helm accepts them. */
export function storageDriver(name: string): StorageDriver {
  switch (name) {
    case "":
    case "secret":
    case "secrets":
      return "secret";
    case "configmap":
    case "configmaps":
      return "configmap";
    case "sql":
      throw new SlipwayError('release storage "sql" is not supported by slipway: use "secret" (the default) or "configmap"', { code: "invalid-option" });
    case "memory":
      throw new SlipwayError('release storage "memory" cannot be used to deploy: use "secret" (the default) or "configmap"', { code: "invalid-option" });
    default:
      throw new SlipwayError(`unknown release storage driver "${name}": use "secret" (the default) or "configmap"`, { code: "invalid-option" });
  }
}

export function createReleaseStorage(client: KubeClient, namespace: string, options: ReleaseStorageOptions): ReleaseStorage {
  const kind = options.driver === "secret" ? "Secret" : "ConfigMap";
  const nowSeconds = (): number => Math.floor((options.now?.() ?? Date.now()) / 1000);
  const objectFor = (record: HelmRelease, update: boolean) =>
    storageObject(options.driver, { ...record, namespace: record.namespace === "" ? namespace : record.namespace }, {
      nowSeconds: nowSeconds(),
      update,
      ...(options.labels === undefined ? {} : { customLabels: options.labels }),
    });
  const wrap = (what: string, err: unknown): SlipwayError =>
    err instanceof SlipwayError && !(err instanceof KubeApiError) ? err : new SlipwayError(`${what}: ${(err as Error).message}`, { code: "deploy", cause: err });

  return {
    driver: options.driver,
    async list(release, opts) {
      let items;
      try {
        items = (await client.list({ apiVersion: "v1", kind, namespace, labelSelector: `name=${release},owner=helm` }, { signal: opts?.signal })).items;
      } catch (err) {
        throw wrap(`query release "${release}" history (namespace: "${namespace}")`, err);
      }
      const out: HelmRelease[] = [];
      for (const item of items) {
        try {
          out.push(releaseFromObject(item));
        } catch (err) {
          options.onWarning?.(`skip release record ${kind}/${item.metadata.name}: ${(err as Error).message}`);
        }
      }
      return out.sort((a, b) => a.version - b.version);
    },
    async create(record, opts) {
      const object = objectFor(record, false);
      const what = `create release record ${kind}/${object.metadata.name}`;
      const ref = { apiVersion: "v1", kind, namespace: object.metadata.namespace ?? namespace, name: object.metadata.name };
      const ours = (live: KubeObject | undefined): boolean =>
        (live?.["data"] as Record<string, string> | undefined)?.["release"] === (object["data"] as Record<string, string>)["release"];
      // A POST is not repeated blindly: when its answer was lost the server may have created the record. Then
      // the record is read back, and one holding exactly this release means the create did happen.
      let sent = false;
      for (let attempt = 0; ; attempt++) {
        try {
          await client.create(object, { signal: opts?.signal });
          return;
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 409) {
            if (sent && ours(await client.get(ref, { signal: opts?.signal }).catch(() => undefined))) return;
            throw new SlipwayError(`${what}: release: already exists`, { code: "deploy", cause: err });
          }
          if (!transient(err) || attempt + 1 >= MAX_ATTEMPTS) throw wrap(what, err);
          // A 429 was refused before anything happened; other failures may hide a create that went through.
          if ((err as KubeApiError).status !== 429) sent = true;
          await delay(backoffMs(attempt, undefined), opts?.signal);
          if (sent) {
            const live = await client.get(ref, { signal: opts?.signal }).catch(() => undefined);
            if (ours(live)) return;
          }
        }
      }
    },
    async update(record, opts) {
      const object = objectFor(record, true);
      try {
        await client.update(object, { signal: opts?.signal });
      } catch (err) {
        throw wrap(`update release record ${kind}/${object.metadata.name}`, err);
      }
    },
    async remove(release, revision, opts) {
      const name = storageName(release, revision);
      try {
        return await client.delete({ apiVersion: "v1", kind, namespace, name }, { signal: opts?.signal });
      } catch (err) {
        throw wrap(`delete release record ${kind}/${name}`, err);
      }
    },
  };
}
