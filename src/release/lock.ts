/**
 * @module release/lock
 *
 * werf's release lock, as werf/lockgate's optimistic Kubernetes locker keeps it, so slipway and werf (nelm) exclude
 * each other: an annotation `lockgate.io/<sha3-224("release/<name>")>` on ConfigMap `werf-synchronization` in the
 * release namespace holds the lease as JSON; every change is a PUT carrying the read resourceVersion (a 409 means
 * someone else moved first: read again). A lease lives 10 s and is renewed every 3 s; waiters look again every 2 s
 * and take an expired lease. A holder that cannot renew before its lease ends has lost the lock: `lost` aborts.
 */
import { createHash, randomUUID } from "node:crypto";
import { SlipwayError } from "../errors.js";
import { KubeApiError, type KubeClient, type KubeObject } from "../kube/types.js";

export const LOCK_CONFIGMAP = "werf-synchronization";
const TTL_S = 10;
const RENEW_MS = 3_000;
const POLL_MS = 2_000;
const CONFLICT_RETRY_MS = 1_000;

interface Lease {
  uuid: string;
  lockName: string;
  ExpireAtTimestamp: number;
  SharedHoldersCount: number;
  IsShared: boolean;
  QueueMembers: Record<string, unknown> | null;
}

export interface LockHandle {
  /** Aborted when the lease could not be renewed in time. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface LockOptions {
  readonly signal?: AbortSignal | undefined;
  /** Called once when the lock is held by someone else and slipway starts waiting. */
  readonly onWait?: () => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function lockAnnotation(lockName: string): string {
  return `lockgate.io/${createHash("sha3-224").update(lockName).digest("hex")}`;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function acquireReleaseLock(client: KubeClient, namespace: string, release: string, options: LockOptions = {}): Promise<LockHandle> {
  const lockName = `release/${release}`;
  const key = lockAnnotation(lockName);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const ref = { apiVersion: "v1", kind: "ConfigMap", namespace, name: LOCK_CONFIGMAP } as const;
  const uuid = randomUUID();

  const read = async (): Promise<KubeObject> => {
    const live = await client.get(ref, { signal: options.signal });
    if (live !== undefined) return live;
    try {
      return await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: LOCK_CONFIGMAP, namespace } }, { signal: options.signal });
    } catch (err) {
      if (err instanceof KubeApiError && err.conflict) return read();
      throw err;
    }
  };
  const leaseOf = (object: KubeObject): Lease | undefined => {
    const text = object.metadata.annotations?.[key];
    if (text === undefined || text === "") return undefined;
    try {
      return JSON.parse(text) as Lease;
    } catch {
      return undefined;
    }
  };
  /** Writes the annotation (or removes it); false on a version conflict. */
  const write = async (object: KubeObject, lease: Lease | undefined, signal?: AbortSignal): Promise<boolean> => {
    const annotations = { ...object.metadata.annotations };
    if (lease === undefined) delete annotations[key];
    else annotations[key] = JSON.stringify(lease);
    try {
      await client.update({ ...object, metadata: { ...object.metadata, annotations } }, { signal });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.conflict) return false;
      throw err;
    }
  };
  const newLease = (): Lease => ({
    uuid,
    lockName,
    ExpireAtTimestamp: Math.floor(now() / 1000) + TTL_S,
    SharedHoldersCount: 1,
    IsShared: false,
    QueueMembers: {},
  });

  let waited = false;
  for (;;) {
    const object = await read();
    const current = leaseOf(object);
    if (current === undefined || now() / 1000 > current.ExpireAtTimestamp) {
      if (await write(object, newLease())) break;
      await sleep(CONFLICT_RETRY_MS, options.signal);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    await sleep(POLL_MS, options.signal);
  }

  const lost = new AbortController();
  const stopRenew = new AbortController();
  let lastRenewed = now();
  const renew = async (): Promise<void> => {
    while (!stopRenew.signal.aborted) {
      try {
        await sleep(RENEW_MS, stopRenew.signal);
      } catch {
        return;
      }
      try {
        for (;;) {
          const object = await read();
          const current = leaseOf(object);
          if (current?.uuid !== uuid) throw new SlipwayError(`lock "${lockName}" was taken over by another process`, { code: "deploy" });
          if (await write(object, { ...current, ExpireAtTimestamp: Math.floor(now() / 1000) + TTL_S }, stopRenew.signal)) break;
        }
        lastRenewed = now();
      } catch (err) {
        if (stopRenew.signal.aborted) return;
        if (err instanceof SlipwayError && err.code === "deploy") {
          lost.abort(err);
          return;
        }
        if (now() - lastRenewed > TTL_S * 1000) {
          lost.abort(new SlipwayError(`lost the lock "${lockName}": its lease could not be renewed`, { code: "deploy", cause: err }));
          return;
        }
      }
    }
  };
  const renewing = renew();

  return {
    lost: lost.signal,
    async release() {
      stopRenew.abort();
      await renewing;
      for (let attempt = 0; attempt < 10; attempt++) {
        const object = await client.get(ref);
        if (object === undefined) return;
        if (leaseOf(object)?.uuid !== uuid) return;
        if (await write(object, undefined)) return;
        await defaultSleep(CONFLICT_RETRY_MS);
      }
    },
  };
}
