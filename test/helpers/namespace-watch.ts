// A recorder of what happens to a namespace's objects during a deploy, through API watches started before it:
// per object the first ADDED (receipt time and resourceVersion) and the first moment it was ready by kubedog's rules
// (Job Complete, Pod Succeeded or Ready, Deployment updated/available at the observed generation, a Helm release
// record once deployed, anything else on creation). resourceVersions order events exactly here: the local cluster
// has one etcd, whose revision is global.
import * as k8s from "@kubernetes/client-node";
import type { LocalEnv } from "./local-env.js";

export interface Moment {
  /** Milliseconds since the epoch when the watch event arrived. */
  readonly at: number;
  /** The object's resourceVersion in that event (etcd's global revision on this cluster). */
  readonly rv: number;
}

export interface ObservedObject {
  readonly kind: string;
  readonly name: string;
  readonly added: Moment;
  ready?: Moment;
  /** Every distinct state seen, for failure messages. */
  readonly log: string[];
  last: Record<string, unknown>;
}

export interface NamespaceWatch {
  /** `Kind/name` → what was seen. */
  readonly objects: ReadonlyMap<string, ObservedObject>;
  get(key: string): ObservedObject;
  /** Resolves once `key` is ready (or rejects after timeoutMs). */
  waitReady(key: string, timeoutMs?: number): Promise<ObservedObject>;
  /** Resolves once `key` was added. */
  waitAdded(key: string, timeoutMs?: number): Promise<ObservedObject>;
  describe(): string;
  stop(): void;
}

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const condition = (o: Obj, type: string): Obj | undefined =>
  (rec(o["status"])["conditions"] as Obj[] | undefined)?.find((c) => c["type"] === type);

/** kubedog's readiness, written independently of slipway's src/status. */
export function isReady(kind: string, o: Obj): boolean {
  const status = rec(o["status"]);
  const meta = rec(o["metadata"]);
  switch (kind) {
    case "Job":
      return condition(o, "Complete")?.["status"] === "True";
    case "Pod":
      return status["phase"] === "Succeeded" || condition(o, "Ready")?.["status"] === "True";
    case "Deployment": {
      const desired = typeof rec(o["spec"])["replicas"] === "number" ? num(rec(o["spec"])["replicas"]) : 1;
      return (
        num(status["observedGeneration"]) >= num(meta["generation"]) &&
        num(status["updatedReplicas"]) === desired &&
        num(status["replicas"]) === desired &&
        num(status["availableReplicas"]) === desired
      );
    }
    case "Secret":
      // A Helm release record counts once it is deployed; any other Secret on creation.
      return o["type"] !== "helm.sh/release.v1" || rec(meta["labels"])["status"] === "deployed";
    default:
      return true;
  }
}

const PATHS: Readonly<Record<string, (ns: string) => string>> = {
  ConfigMap: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  Secret: (ns) => `/api/v1/namespaces/${ns}/secrets`,
  Pod: (ns) => `/api/v1/namespaces/${ns}/pods`,
  Job: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs`,
  Deployment: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
};

/**
 * Watches `kinds` in `namespace` (which may not exist yet) and records objects whose name `include` accepts.
 * Resolves once every watch is established, so whatever happens afterwards is seen.
 */
export async function watchNamespace(
  env: LocalEnv,
  namespace: string,
  kinds: readonly (keyof typeof PATHS)[],
  include: (kind: string, name: string) => boolean,
): Promise<NamespaceWatch> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  kc.setCurrentContext(env.context);
  const objects = new Map<string, ObservedObject>();
  const errors: string[] = [];
  const waiters: (() => void)[] = [];
  const controllers: AbortController[] = [];
  let stopped = false;

  const onEvent = (kind: string, phase: string, o: Obj): void => {
    const meta = rec(o["metadata"]);
    const name = typeof meta["name"] === "string" ? meta["name"] : "";
    if (!include(kind, name) || (phase !== "ADDED" && phase !== "MODIFIED")) return;
    const key = `${kind}/${name}`;
    const moment: Moment = { at: Date.now(), rv: Number(meta["resourceVersion"]) };
    let seen = objects.get(key);
    if (seen === undefined) {
      seen = { kind, name, added: moment, log: [], last: o };
      objects.set(key, seen);
    }
    seen.last = o;
    const ready = isReady(kind, o);
    seen.log.push(`${phase} rv=${moment.rv} t=${moment.at}${ready ? " ready" : ""}`);
    if (ready && seen.ready === undefined) seen.ready = moment;
    for (const wake of waiters.splice(0)) wake();
  };

  for (const kind of kinds) {
    const path = PATHS[kind];
    if (path === undefined) throw new Error(`watchNamespace: no path for ${kind}`);
    const start = async (): Promise<void> => {
      const controller = await new k8s.Watch(kc).watch(
        path(namespace),
        { allowWatchBookmarks: false },
        (phase, o) => onEvent(kind, phase, rec(o)),
        (err: unknown) => {
          if (stopped) return;
          // A watch the server closed is restarted; events in between are replayed as ADDED (first one wins).
          if (err !== null && err !== undefined) errors.push(`${kind}: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
          void start();
        },
      );
      controllers.push(controller);
    };
    await start();
  }

  const waitUntil = async (what: string, test: () => ObservedObject | undefined, timeoutMs: number): Promise<ObservedObject> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = test();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  const describe = (): string =>
    [...objects.entries()].map(([key, o]) => `${key}: ${o.log.join(", ")}`).concat(errors.map((e) => `watch error ${e}`)).join("\n");

  return {
    objects,
    get(key) {
      const o = objects.get(key);
      if (o === undefined) throw new Error(`${key} was never seen\n${describe()}`);
      return o;
    },
    waitReady: (key, timeoutMs = 120_000) => waitUntil(`${key} ready`, () => (objects.get(key)?.ready === undefined ? undefined : objects.get(key)), timeoutMs),
    waitAdded: (key, timeoutMs = 120_000) => waitUntil(`${key} added`, () => objects.get(key), timeoutMs),
    describe,
    stop() {
      stopped = true;
      for (const c of controllers) c.abort();
    },
  };
}
