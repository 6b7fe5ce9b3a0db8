/**
 * @module deploy/uninstall
 *
 * `slipway dismiss` (werf dismiss): under werf's lock, deletes what the last revision of the release owns (objects
 * kept by `helm.sh/resource-policy: keep`, `werf.io/ownership: anyone` or owned by another release stay), waits
 * until they are gone, removes the release records, and with `--with-namespace` the namespace too.
 */
import { SlipwayError } from "../errors.js";
import { KubeApiError, type KubeClient } from "../kube/types.js";
import { history } from "../release/codec.js";
import { acquireReleaseLock } from "../release/lock.js";
import { createReleaseStorage, storageDriver } from "../release/storage.js";
import { classify, parseDocuments, refOf } from "../resource/resource.js";
import { mapLimit } from "../util/map-limit.js";
import { trackAbsence } from "../track/tracker.js";
import type { TrackEvent } from "../track/events.js";
import type { DeployEvent } from "./events.js";
import { deletableLive, manifestDocuments } from "./install.js";

export interface UninstallOptions {
  readonly releaseStorage: string;
  readonly withNamespace: boolean;
  readonly timeoutMs: number;
  readonly deletePropagation: "Foreground" | "Background" | "Orphan";
  readonly networkParallelism: number;
}

export async function uninstallRelease(
  kube: KubeClient,
  target: { readonly releaseName: string; readonly namespace: string },
  options: UninstallOptions,
  emit: (event: DeployEvent | TrackEvent) => void,
  signal: AbortSignal,
): Promise<{ deleted: string[] }> {
  const storage = createReleaseStorage(kube, target.namespace, { driver: storageDriver(options.releaseStorage) });
  const records = await storage.list(target.releaseName).catch(() => []);
  const deleted: string[] = [];
  if (records.length === 0 && !options.withNamespace) {
    throw new SlipwayError(`release "${target.releaseName}" (namespace: "${target.namespace}") not found`, { code: "deploy" });
  }
  const h = history(records);
  emit({ type: "release-start", release: target.releaseName, namespace: target.namespace, revision: h.previous?.version ?? 0, action: "uninstall" });
  // Only "not found" means there is no namespace; a 403 must not make dismiss skip the lock.
  const namespaceExists = await kube.get({ apiVersion: "v1", kind: "Namespace", name: target.namespace }, { signal }).then(
    (ns) => ns !== undefined,
    (err: unknown) => {
      if (err instanceof KubeApiError && err.status === 403) return true;
      throw err;
    },
  );
  const lock = namespaceExists
    ? await acquireReleaseLock(kube, target.namespace, target.releaseName, { signal, onWait: () => emit({ type: "lock-wait", lockName: `release/${target.releaseName}` }) })
    : undefined;
  try {
    const manifest = h.previous?.manifest ?? "";
    const parsed = manifest === "" ? [] : parseDocuments(manifestDocuments(manifest));
    const scopes = new Map<string, boolean>();
    for (const { object } of parsed) {
      const key = `${object.apiVersion}:${object.kind}`;
      if (scopes.has(key)) continue;
      const type = await kube.resourceType(object.apiVersion, object.kind, { signal }).catch(() => undefined);
      if (type !== undefined) scopes.set(key, type.namespaced);
    }
    const resources = classify(parsed, { releaseName: target.releaseName, releaseNamespace: target.namespace, namespaced: (v, k) => scopes.get(`${v}:${k}`) }).filter(
      (r) => r.ownership === "release" && !r.resourcePolicies.includes("skip-delete") && scopes.has(`${r.apiVersion}:${r.kind}`),
    );
    await mapLimit(resources, options.networkParallelism, async (r) => {
      const live = await kube.get(refOf(r), { signal });
      // Kept objects and objects another release owns now stay, as in the deploy's own deletions.
      if (live === undefined || !deletableLive(live, target.releaseName, target.namespace)) return;
      const description = `delete: ${r.human}`;
      emit({ type: "operation-start", opId: description, opType: "delete", description });
      const started = Date.now();
      await kube.delete(refOf(r), { propagationPolicy: r.deletePropagation ?? options.deletePropagation, signal });
      await trackAbsence(kube, refOf(r), { taskId: description, timeoutMs: options.timeoutMs }, emit, signal);
      emit({ type: "operation-done", opId: description, opType: "delete", description, elapsedMs: Date.now() - started });
      deleted.push(description);
    });
    for (const record of h.releases) await storage.remove(target.releaseName, record.version);
  } finally {
    await lock?.release().catch(() => undefined);
  }
  if (options.withNamespace && namespaceExists) {
    const ref = { apiVersion: "v1", kind: "Namespace", name: target.namespace };
    await kube.delete(ref, { signal });
    await trackAbsence(kube, ref, { taskId: `delete namespace ${target.namespace}`, timeoutMs: options.timeoutMs }, emit, signal);
    deleted.push(`delete: Namespace/${target.namespace}`);
  }
  emit({ type: "operations-summary", completed: [...deleted].sort(), canceled: [], failed: [] });
  return { deleted };
}
