// A hand-written in-memory KubeClient for tracker unit tests: objects, list-then-watch with resourceVersions,
// field/label selectors as the trackers use them, and container logs with the API's inclusive, second-precision
// sinceTime. Tests drive it by putting objects and log lines.
import type {
  KubeClient,
  KubeObject,
  ListQuery,
  LogQuery,
  ObjectList,
  ObjectRef,
  ResourceType,
  ServerVersion,
  WatchEvent,
  WatchQuery,
} from "../../../src/kube/types.js";

class Queue<T> {
  private items: T[] = [];
  private waiting: ((v: IteratorResult<T>) => void) | undefined;
  private closed = false;
  push(item: T): void {
    if (this.closed) return;
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }
  close(): void {
    this.closed = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ value: undefined, done: true });
  }
  async *iterate(signal?: AbortSignal): AsyncGenerator<T> {
    const onAbort = (): void => this.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const next = this.items.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.closed) return;
        const r = await new Promise<IteratorResult<T>>((resolve) => (this.waiting = resolve));
        if (r.done === true) return;
        yield r.value;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

interface LogLine {
  readonly time: string;
  readonly text: string;
}

export class FakeKube implements KubeClient {
  readonly server = "https://fake";
  readonly contextName = "fake";
  readonly defaultNamespace = "default";
  private rv = 100;
  private readonly objects = new Map<string, KubeObject>();
  private readonly watchers = new Set<{ query: WatchQuery; queue: Queue<WatchEvent> }>();
  /** Every change with its resourceVersion, so a watch from a list's version misses nothing (as etcd's history). */
  private readonly history: { rv: number; type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }[] = [];
  private readonly logLines = new Map<string, LogLine[]>();
  private readonly liveLogs = new Map<string, Set<Queue<string>>>();
  private readonly exited = new Set<string>();
  readonly calls: string[] = [];
  private uidSeq = 0;

  get activeWatches(): number {
    return this.watchers.size;
  }

  private static key(o: { kind: string; namespace?: string | undefined; name: string }): string {
    return `${o.kind}/${o.namespace ?? ""}/${o.name}`;
  }

  private matches(q: ListQuery, o: KubeObject): boolean {
    if (q.kind !== o.kind) return false;
    if (q.namespace !== undefined && q.namespace !== "" && (o.metadata.namespace ?? "") !== q.namespace) return false;
    for (const part of (q.labelSelector ?? "").split(",").filter((p) => p !== "")) {
      const [k = "", v] = part.split("=");
      if (o.metadata.labels?.[k] !== v) return false;
    }
    const field = q.fieldSelector ?? "";
    if (field.startsWith("metadata.name=") && o.metadata.name !== field.slice("metadata.name=".length)) return false;
    if (field.startsWith("involvedObject.uid=") && (o["involvedObject"] as { uid?: string } | undefined)?.uid !== field.slice("involvedObject.uid=".length)) {
      return false;
    }
    return true;
  }

  /** Creates or updates an object (a uid is given on creation) and tells the matching watches. */
  put(input: KubeObject): KubeObject {
    const key = FakeKube.key({ kind: input.kind, namespace: input.metadata.namespace, name: input.metadata.name });
    const existing = this.objects.get(key);
    this.rv++;
    const uid = input.metadata.uid ?? existing?.metadata.uid ?? `uid-${input.kind.toLowerCase()}-${input.metadata.name}-${++this.uidSeq}`;
    const o: KubeObject = { ...input, metadata: { ...input.metadata, uid, resourceVersion: String(this.rv) } };
    this.objects.set(key, o);
    this.notify(existing === undefined ? "ADDED" : "MODIFIED", o);
    return o;
  }

  remove(kind: string, namespace: string, name: string): void {
    const key = FakeKube.key({ kind, namespace, name });
    const o = this.objects.get(key);
    if (o === undefined) return;
    this.objects.delete(key);
    this.rv++;
    this.notify("DELETED", { ...o, metadata: { ...o.metadata, resourceVersion: String(this.rv) } });
  }

  private notify(type: "ADDED" | "MODIFIED" | "DELETED", o: KubeObject): void {
    this.history.push({ rv: this.rv, type, object: o });
    for (const w of this.watchers) if (this.matches(w.query, o)) w.queue.push({ type, object: o });
  }

  /** Every open watch gets a 410 Gone, as after an etcd compaction. */
  expireWatches(): void {
    for (const w of this.watchers) w.queue.push({ type: "ERROR", status: { code: 410, reason: "Expired", message: "too old resource version" } });
  }

  /** Appends a log line of a container; live `follow` streams receive it at once. */
  log(pod: string, container: string, text: string, time: string): void {
    const key = `${pod}/${container}`;
    const lines = this.logLines.get(key) ?? [];
    this.exited.delete(key);
    lines.push({ time, text });
    this.logLines.set(key, lines);
    for (const q of this.liveLogs.get(key) ?? []) q.push(`${time} ${text}`);
  }

  /** The container exited: its follow streams end. */
  endLogs(pod: string, container: string): void {
    const key = `${pod}/${container}`;
    for (const q of this.liveLogs.get(key) ?? []) q.close();
    this.liveLogs.delete(key);
    this.exited.add(key);
  }

  resourceType(apiVersion: string, kind: string): Promise<ResourceType> {
    return Promise.resolve({ group: apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "", version: apiVersion.split("/").at(-1) ?? "", kind, plural: `${kind.toLowerCase()}s`, namespaced: true });
  }
  invalidateDiscovery(): void {}
  apiVersions(): Promise<string[]> {
    return Promise.resolve([]);
  }
  serverVersion(): Promise<ServerVersion> {
    return Promise.resolve({ major: "1", minor: "34", gitVersion: "v1.34.0" });
  }
  get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return Promise.resolve(this.objects.get(FakeKube.key(ref)));
  }
  list(query: ListQuery): Promise<ObjectList> {
    this.calls.push(`list ${query.kind} ${query.fieldSelector ?? query.labelSelector ?? ""}`);
    return Promise.resolve({ items: [...this.objects.values()].filter((o) => this.matches(query, o)), resourceVersion: String(this.rv) });
  }
  apply(object: KubeObject): Promise<KubeObject> {
    return Promise.resolve(this.put(object));
  }
  create(object: KubeObject): Promise<KubeObject> {
    return Promise.resolve(this.put(object));
  }
  update(object: KubeObject): Promise<KubeObject> {
    return Promise.resolve(this.put(object));
  }
  mergePatch(): Promise<KubeObject> {
    return Promise.reject(new Error("not in the fake"));
  }
  delete(ref: ObjectRef): Promise<boolean> {
    const had = this.objects.has(FakeKube.key(ref));
    this.remove(ref.kind, ref.namespace ?? "", ref.name);
    return Promise.resolve(had);
  }
  watch(query: WatchQuery, options?: { signal?: AbortSignal | undefined }): AsyncIterable<WatchEvent> {
    this.calls.push(`watch ${query.kind} ${query.fieldSelector ?? query.labelSelector ?? ""}`);
    const entry = { query, queue: new Queue<WatchEvent>() };
    const from = Number(query.resourceVersion ?? "");
    if (query.resourceVersion !== undefined && query.resourceVersion !== "" && Number.isFinite(from)) {
      for (const h of this.history) if (h.rv > from && this.matches(query, h.object)) entry.queue.push({ type: h.type, object: h.object });
    }
    this.watchers.add(entry);
    const watchers = this.watchers;
    return (async function* () {
      try {
        yield* entry.queue.iterate(options?.signal);
      } finally {
        watchers.delete(entry);
      }
    })();
  }
  logs(query: LogQuery, options?: { signal?: AbortSignal | undefined }): AsyncIterable<string> {
    this.calls.push(`logs ${query.pod}/${query.container} since=${query.sinceTime ?? ""} previous=${String(query.previous ?? false)}`);
    const key = `${query.pod}/${query.container}`;
    // The API keeps whole seconds of sinceTime and includes lines at that second: a reopened stream repeats lines.
    const since = query.sinceTime === undefined ? "" : `${query.sinceTime.slice(0, 19)}`;
    const past = (this.logLines.get(key) ?? []).filter((l) => l.time.slice(0, 19) >= since);
    const queue = new Queue<string>();
    for (const l of query.tailLines === undefined ? past : past.slice(-query.tailLines)) queue.push(query.timestamps ? `${l.time} ${l.text}` : l.text);
    if (query.follow && !this.exited.has(key)) {
      const live = this.liveLogs.get(key) ?? new Set();
      live.add(queue);
      this.liveLogs.set(key, live);
    } else queue.close();
    return queue.iterate(options?.signal);
  }
}

/** Lets pending promise callbacks (watch deliveries, async generators) run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
