/**
 * @module release/lock
 *
 * werf's release lock exactly as werf/lockgate's Kubernetes locker keeps it (nelm's `pkg/lock`), so slipway, werf
 * and nelm exclude each other: lock `release/<name>`, stored as the annotation
 * `lockgate.io/<sha3-224 hex of the lock name>` on ConfigMap `werf-synchronization` in the release namespace
 * (created empty when missing). The value is lockgate v0.1.1's LockLeaseRecord JSON in Go field order. Every change is a
 * PUT carrying the resourceVersion that was read; a 409 means someone moved first: wait 1 s and start over.
 * A lease lives 10 s, the holder renews it every 3 s, waiters look again every 2 s, and an expired lease is taken
 * over (a crashed holder blocks others for at most ~10 s). Like nelm, slipway acquires without an acquirer id, so
 * it never joins lockgate's queue but respects live queue members of others.
 *
 * Takes a KubeClient; gives a handle whose `lost` signal aborts when the lease is gone (taken over, deleted, or not
 * renewable for a whole TTL). Imports only the kube types, kube's retry policy and errors.
 */
import { createHash, randomUUID } from "node:crypto";
import { SlipwayError } from "../errors.js";
import { backoffMs, delay, MAX_ATTEMPTS, transient } from "../kube/retry.js";
import { KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "../kube/types.js";

export const LOCK_CONFIGMAP = "werf-synchronization";
/** lockgate's distributed_locker constants, in seconds. */
export const LEASE_TTL_S = 10;
export const RENEW_PERIOD_S = 3;
export const POLL_PERIOD_S = 2;
export const CONFLICT_RETRY_S = 1;
const RELEASE_ATTEMPTS = 10;

export interface QueueMember {
  AcquirerId: string;
  AcquiredAtTimestamp: number;
  ExpireAtTimestamp: number;
}

/** lockgate's LockLeaseRecord (the embedded LockHandle contributes `uuid` and `lockName`). */
export interface LockLease {
  uuid: string;
  lockName: string;
  ExpireAtTimestamp: number;
  SharedHoldersCount: number;
  IsShared: boolean;
  QueueMembers: Record<string, QueueMember> | null;
}

export interface LockHandle {
  readonly lockName: string;
  readonly uuid: string;
  /** Aborted (with the reason) when the lease was lost; stop working on the release then. */
  readonly lost: AbortSignal;
  /**
   * The lock was taken from a holder whose lease ran out while it held it: a run that died (kill -9, a lost node or
   * connection). Only then can release records be left unfinished by a werf-family run; a `pending-*` record found
   * without it belongs to a tool that does not take werf's lock (plain helm) and may be in progress.
   */
  readonly tookOverDeadHolder: boolean;
  /** Stops renewing and gives the lease up. Safe to call more than once. */
  release(): Promise<void>;
  /**
   * Stops renewing and leaves the lease to run out with its holder count, as a death does: the next run then knows
   * (tookOverDeadHolder) that what a dead run left was not repaired yet. Safe to call more than once.
   */
  abandon(): Promise<void>;
}

export interface LockOptions {
  /** Stops waiting (the promise rejects with the signal's reason). */
  readonly signal?: AbortSignal | undefined;
  /** Called once, when the lock is held by someone else and slipway starts waiting. */
  readonly onWait?: (() => void) | undefined;
  /** A renewal or release attempt failed but will be retried. */
  readonly onWarning?: ((message: string) => void) | undefined;
}

export function lockAnnotation(lockName: string): string {
  return `lockgate.io/${createHash("sha3-224").update(lockName).digest("hex")}`;
}

/**
 * json.Marshal of a LockLeaseRecord: struct fields in order. lockgate v0.1.1, which werf v2 and nelm 1.24.3 build
 * with, has no QueueMembers field, so a lease without members is written as they write it; members a later
 * lockgate keeps are written back sorted by key.
 */
export function leaseJson(lease: LockLease): string {
  const members =
    lease.QueueMembers === null
      ? ""
      : `,"QueueMembers":{${Object.keys(lease.QueueMembers)
          .sort()
          .map((k) => {
            const m = (lease.QueueMembers ?? {})[k];
            const body = m === undefined ? "null" : JSON.stringify({ AcquirerId: m.AcquirerId, AcquiredAtTimestamp: m.AcquiredAtTimestamp, ExpireAtTimestamp: m.ExpireAtTimestamp });
            return `${JSON.stringify(k)}:${body}`;
          })
          .join(",")}}`;
  return `{"uuid":${JSON.stringify(lease.uuid)},"lockName":${JSON.stringify(lease.lockName)},"ExpireAtTimestamp":${lease.ExpireAtTimestamp},"SharedHoldersCount":${lease.SharedHoldersCount},"IsShared":${lease.IsShared}${members}}`;
}

export function parseLease(text: string | undefined): LockLease | undefined {
  if (text === undefined || text === "") return undefined;
  const raw = JSON.parse(text) as Partial<LockLease> | null;
  if (raw === null) return undefined;
  return {
    uuid: raw.uuid ?? "",
    lockName: raw.lockName ?? "",
    ExpireAtTimestamp: raw.ExpireAtTimestamp ?? 0,
    SharedHoldersCount: raw.SharedHoldersCount ?? 0,
    IsShared: raw.IsShared ?? false,
    QueueMembers: raw.QueueMembers ?? null,
  };
}

const unix = (): number => Math.floor(Date.now() / 1000);

/** Live queue members of other acquirers (expired ones dropped, as lockgate drops them). */
function liveMembers(lease: LockLease): Record<string, QueueMember> | null {
  if (lease.QueueMembers === null) return null;
  const now = unix();
  return Object.fromEntries(Object.entries(lease.QueueMembers).filter(([, m]) => m.ExpireAtTimestamp >= now));
}

/** lockgate counts in seconds. */
const sleep = (seconds: number, signal?: AbortSignal): Promise<void> => delay(seconds * 1000, signal);

const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.status === 409;

/**
 * Takes werf's lock `release/<release>` in `namespace`, waiting while someone else holds it. Renewal runs in the
 * background until `release()`.
 */
export async function acquireReleaseLock(client: KubeClient, namespace: string, release: string, options: LockOptions = {}): Promise<LockHandle> {
  const lockName = `release/${release}`;
  const key = lockAnnotation(lockName);
  const ref: ObjectRef = { apiVersion: "v1", kind: "ConfigMap", namespace, name: LOCK_CONFIGMAP };
  const what = `cm/${LOCK_CONFIGMAP} in ns/${namespace}`;
  const { signal } = options;

  const read = async (sig?: AbortSignal): Promise<KubeObject> => {
    for (let attempt = 0; ; attempt++) {
      let live: KubeObject | undefined;
      try {
        live = await client.get(ref, { signal: sig });
        if (live !== undefined) return live;
        return await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: LOCK_CONFIGMAP, namespace } }, { signal: sig });
      } catch (err) {
        // Created by someone else between our get and create, or by us when the answer to our create was lost:
        // both mean "read it again".
        const again = (live === undefined && isConflict(err)) || (transient(err) && attempt + 1 < MAX_ATTEMPTS);
        if (!again) throw new SlipwayError(`unable to prepare kubernetes ${what}: ${(err as Error).message}`, { code: "deploy", cause: err });
        if (!isConflict(err)) await delay(backoffMs(attempt, undefined), sig);
      }
    }
  };
  const leaseIn = (object: KubeObject): LockLease | undefined => {
    try {
      return parseLease(object.metadata.annotations?.[key]);
    } catch (err) {
      throw new SlipwayError(`acquire release lock: unable to extract lock lease record from data record by key ${key}: ${(err as Error).message}`, { code: "deploy", cause: err });
    }
  };
  /**
   * PUT with the read resourceVersion; false on a conflict, and when the answer was lost (the caller reads the
   * object again and finds out whether the write landed).
   */
  const write = async (object: KubeObject, lease: LockLease | undefined, sig?: AbortSignal): Promise<boolean> => {
    const annotations = { ...object.metadata.annotations };
    if (lease === undefined) delete annotations[key];
    else annotations[key] = leaseJson(lease);
    try {
      await client.update({ ...object, metadata: { ...object.metadata, annotations } }, { signal: sig });
      return true;
    } catch (err) {
      if (isConflict(err) || transient(err)) return false;
      throw new SlipwayError(`cannot update ${what}: ${(err as Error).message}`, { code: "deploy", cause: err });
    }
  };

  // ---- acquire ----
  let uuid = "";
  let waited = false;
  /** The lease id of our last write whose outcome is unknown; finding it in place means the write landed. */
  let tried = "";
  /** Whether that write took the lease of a dead holder. */
  let triedTakeover = false;
  for (;;) {
    signal?.throwIfAborted();
    const object = await read(signal);
    const current = leaseIn(object);
    if (current !== undefined && tried !== "" && current.uuid === tried) {
      uuid = tried;
      break;
    }
    if (current === undefined) {
      uuid = randomUUID();
      tried = uuid;
      triedTakeover = false;
      const fresh: LockLease = { uuid, lockName, ExpireAtTimestamp: unix() + LEASE_TTL_S, SharedHoldersCount: 1, IsShared: false, QueueMembers: null };
      if (await write(object, fresh, signal)) break;
      await sleep(CONFLICT_RETRY_S, signal);
      continue;
    }
    if (Date.now() > current.ExpireAtTimestamp * 1000) {
      // lockgate's TakeIfOldest without an acquirer id: ours unless someone is still queued.
      const members = liveMembers(current);
      const queued = members !== null && Object.keys(members).length > 0;
      const next: LockLease = queued
        ? { ...current, QueueMembers: members }
        : { ...current, uuid: randomUUID(), ExpireAtTimestamp: unix() + LEASE_TTL_S, SharedHoldersCount: 1, QueueMembers: members };
      if (!queued) {
        tried = next.uuid;
        // A lease given up to queued waiters is expired on purpose with no holder left; one that ran out with a
        // holder was the holder's death.
        triedTakeover = current.SharedHoldersCount > 0;
      }
      if (!(await write(object, next, signal))) {
        await sleep(CONFLICT_RETRY_S, signal);
        continue;
      }
      if (!queued) {
        uuid = next.uuid;
        break;
      }
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    await sleep(POLL_PERIOD_S, signal);
  }

  // ---- hold ----
  const lost = new AbortController();
  const stop = new AbortController();
  const lose = (message: string, cause?: unknown): void => {
    lost.abort(new SlipwayError(message, { code: "deploy", ...(cause === undefined ? {} : { cause }) }));
  };
  const lostMessage = `locker has lost the lease for lock "${lockName}" uuid "${uuid}". The process will stop immediately.\nPossible reasons:\n- Connection issues with Kubernetes API.\n- Network delays caused lease renewal requests to fail`;
  let renewedAt = Date.now();

  /** lockgate's changeLease: re-read, check the lease is still ours, change, PUT; retry on conflicts. */
  const change = async (f: (lease: LockLease) => LockLease | undefined, sig: AbortSignal): Promise<"ok" | "not-ours"> => {
    for (;;) {
      const object = await read(sig);
      const current = leaseIn(object);
      if (current?.uuid !== uuid) return "not-ours";
      if (await write(object, f(current), sig)) return "ok";
      await sleep(CONFLICT_RETRY_S, sig);
    }
  };

  const renewing = (async () => {
    while (!stop.signal.aborted && !lost.signal.aborted) {
      try {
        await sleep(RENEW_PERIOD_S, stop.signal);
      } catch {
        return;
      }
      // A renewal (with the client's own retries inside) may not outlive the lease: once it has expired, another run
      // may hold the lock and repair what it takes for a dead run's leftovers.
      const expiry = new AbortController();
      const expired = expiry.signal;
      const timer = setTimeout(() => expiry.abort(new Error("the lease expired while renewing it")), Math.max(0, renewedAt + LEASE_TTL_S * 1000 - Date.now()));
      try {
        const result = await change((lease) => ({ ...lease, ExpireAtTimestamp: unix() + LEASE_TTL_S }), AbortSignal.any([stop.signal, expired]));
        if (result === "not-ours") {
          lose(lostMessage);
          return;
        }
        renewedAt = Date.now();
      } catch (err) {
        if (stop.signal.aborted) return;
        // lockgate keeps trying forever; after a whole TTL without renewal others may already hold the lock.
        if (expired.aborted || Date.now() - renewedAt >= LEASE_TTL_S * 1000) {
          lose(lostMessage, err);
          return;
        }
        options.onWarning?.(`renew the lease of lock "${lockName}": ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();

  let released: Promise<void> | undefined;
  const giveUp = async (): Promise<void> => {
    stop.abort();
    await renewing;
    if (lost.signal.aborted) return;
    const never = new AbortController().signal;
    for (let attempt = 1; ; attempt++) {
      try {
        await change((lease) => {
          const members = liveMembers(lease);
          const holders = lease.SharedHoldersCount - 1;
          if (holders > 0) return { ...lease, SharedHoldersCount: holders, QueueMembers: members };
          if (members === null || Object.keys(members).length === 0) return undefined;
          // Others are queued: expire the lease so the oldest of them takes it.
          return { ...lease, SharedHoldersCount: 0, QueueMembers: members, ExpireAtTimestamp: unix() - 1 };
        }, never);
        return;
      } catch (err) {
        if (attempt >= RELEASE_ATTEMPTS) {
          throw new SlipwayError(`release release lock: unable to release lock ${uuid} ${lockName}: ${(err as Error).message}`, { code: "deploy", cause: err });
        }
        options.onWarning?.(`release lock "${lockName}" (attempt ${attempt}/${RELEASE_ATTEMPTS}): ${(err as Error).message}`);
        await sleep(CONFLICT_RETRY_S);
      }
    }
  };

  return {
    lockName,
    uuid,
    lost: lost.signal,
    tookOverDeadHolder: triedTakeover,
    release() {
      released ??= giveUp();
      return released;
    },
    abandon() {
      released ??= (async () => {
        stop.abort();
        await renewing;
      })();
      return released;
    },
  };
}
