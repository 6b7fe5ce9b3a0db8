// An in-memory KubeClient for the release unit tests: get/list/create/update/delete of namespaced objects with
// resourceVersion checks (409 on a stale PUT), plus hooks to fail requests.
import { KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "../../../src/kube/types.js";

export interface FakeKube extends KubeClient {
  readonly objects: Map<string, KubeObject>;
  /** Called before every request; throw to fail it. */
  before: (method: string, name: string) => void;
  /** Every GET waits until its signal aborts, as on a connection that never answers. */
  hang: boolean;
  requests: string[];
}

const keyOf = (kind: string, namespace: string | undefined, name: string): string => `${kind}/${namespace ?? ""}/${name}`;
const clone = <T>(v: T): T => structuredClone(v);

export function fakeKube(): FakeKube {
  const objects = new Map<string, KubeObject>();
  let version = 1;
  const unsupported = (): never => {
    throw new Error("not used by release tests");
  };
  const fake: FakeKube = {
    objects,
    before: () => undefined,
    hang: false,
    requests: [],
    server: "https://fake",
    contextName: "fake",
    defaultNamespace: "default",
    resourceType: unsupported,
    invalidateDiscovery: () => undefined,
    apiVersions: unsupported,
    serverVersion: unsupported,
    apply: unsupported,
    mergePatch: unsupported,
    watch: unsupported,
    logs: unsupported,
    get(ref: ObjectRef, options?: { signal?: AbortSignal | undefined }) {
      fake.requests.push(`GET ${ref.name}`);
      // A connection that never answers: only the caller's signal ends the request.
      if (fake.hang) return new Promise<undefined>((_, reject) => options?.signal?.addEventListener("abort", () => reject(options.signal?.reason as Error)));
      fake.before("GET", ref.name);
      const o = objects.get(keyOf(ref.kind, ref.namespace, ref.name));
      return Promise.resolve(o === undefined ? undefined : clone(o));
    },
    list(query) {
      fake.requests.push(`LIST ${query.kind} ${query.labelSelector ?? ""}`);
      fake.before("LIST", query.kind);
      const want = (query.labelSelector ?? "").split(",").filter((s) => s !== "").map((s) => s.split("=") as [string, string]);
      const items = [...objects.values()].filter(
        (o) => o.kind === query.kind && o.metadata.namespace === query.namespace && want.every(([k, v]) => o.metadata.labels?.[k] === v),
      );
      return Promise.resolve({ items: clone(items), resourceVersion: String(version) });
    },
    create(object) {
      fake.requests.push(`POST ${object.metadata.name}`);
      fake.before("POST", object.metadata.name);
      const key = keyOf(object.kind, object.metadata.namespace, object.metadata.name);
      if (objects.has(key)) return Promise.reject(new KubeApiError(`${object.metadata.name} already exists`, 409, "AlreadyExists"));
      const stored = clone(object);
      stored.metadata.resourceVersion = String(++version);
      objects.set(key, stored);
      return Promise.resolve(clone(stored));
    },
    update(object) {
      fake.requests.push(`PUT ${object.metadata.name}`);
      fake.before("PUT", object.metadata.name);
      const key = keyOf(object.kind, object.metadata.namespace, object.metadata.name);
      const live = objects.get(key);
      if (live === undefined) return Promise.reject(new KubeApiError(`${object.metadata.name} not found`, 404, "NotFound"));
      const rv = object.metadata.resourceVersion;
      if (rv !== undefined && rv !== "" && rv !== live.metadata.resourceVersion) {
        return Promise.reject(new KubeApiError("the object has been modified; please apply your changes to the latest version and try again", 409, "Conflict"));
      }
      const stored = clone(object);
      stored.metadata.resourceVersion = String(++version);
      objects.set(key, stored);
      return Promise.resolve(clone(stored));
    },
    delete(ref) {
      fake.requests.push(`DELETE ${ref.name}`);
      fake.before("DELETE", ref.name);
      return Promise.resolve(objects.delete(keyOf(ref.kind, ref.namespace, ref.name)));
    },
  };
  return fake;
}
