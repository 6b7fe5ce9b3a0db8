/**
 * @module kube/types
 *
 * The Kubernetes port: what the deploy, release storage, lock and trackers need from an API server, as plain
 * data and one interface. The only adapter lives in src/kube (a thin HTTPS client on kubectl's connection
 * settings). Pure cores (src/status, src/plan, src/resource) may import these *types* only.
 */
import { SlipwayError } from "../errors.js";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  managedFields?: ManagedFieldsEntry[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Identifies one object. `namespace` is "" (or absent) for cluster-scoped objects. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** What discovery says about a kind. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The URL segment, e.g. `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

export interface ListQuery {
  readonly apiVersion: string;
  readonly kind: string;
  /** Omit (or "") for every namespace / cluster-scoped kinds. */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface ObjectList {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
}

export interface WatchQuery extends ListQuery {
  /** Start after this list resourceVersion (the usual list-then-watch). */
  readonly resourceVersion?: string | undefined;
  /** Ask the server to end the watch after this many seconds. */
  readonly timeoutSeconds?: number | undefined;
}

export type WatchEvent =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: KubeObject }
  | { readonly type: "BOOKMARK"; readonly object: KubeObject }
  /** The server said the resourceVersion is too old (410) or sent a Status: re-list and watch again. */
  | { readonly type: "ERROR"; readonly status: KubeStatus };

/** A `metav1.Status` as returned in error bodies. */
export interface KubeStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly causes?: readonly { readonly reason?: string; readonly message?: string; readonly field?: string }[];
  };
}

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface ApplyOptions extends RequestOptions {
  /** Field manager; slipway always sends `helm`, as nelm does. */
  readonly fieldManager: string;
  readonly force: boolean;
  /** `dryRun=All`. */
  readonly dryRun?: boolean | undefined;
}

export interface DeleteOptions extends RequestOptions {
  readonly propagationPolicy?: PropagationPolicy | undefined;
}

export interface LogQuery {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly follow: boolean;
  readonly timestamps: boolean;
  /** RFC 3339. */
  readonly sinceTime?: string | undefined;
  readonly previous?: boolean | undefined;
  readonly tailLines?: number | undefined;
}

export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

/** Every request the client makes, for tests (request counting) and `--log-debug`. */
export interface KubeRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** The request failed in a way that allows another attempt, which follows after this many ms. */
  readonly retryInMs?: number | undefined;
}

/**
 * The port. All methods throw {@link KubeApiError} for API errors except where noted; `get` and `delete`
 * return `undefined`/`false` on 404.
 */
export interface KubeClient {
  /** The API server URL and the kubeconfig context in use (for messages). */
  readonly server: string;
  readonly contextName: string;
  /** The context's namespace, else "default". */
  readonly defaultNamespace: string;

  /** Discovery: apiVersion + kind → plural and scope. Throws KubeApiError (reason "NoKindMatch") when unknown. */
  resourceType(apiVersion: string, kind: string, options?: RequestOptions): Promise<ResourceType>;
  /** Forget cached discovery (after a CRD was applied, or on "no matches for kind"). */
  invalidateDiscovery(): void;
  /** Every served `group/version` (and `group/version/Kind`), as Helm's .Capabilities.APIVersions lists them. */
  apiVersions(options?: RequestOptions): Promise<string[]>;
  serverVersion(options?: RequestOptions): Promise<ServerVersion>;

  get(ref: ObjectRef, options?: RequestOptions): Promise<KubeObject | undefined>;
  list(query: ListQuery, options?: RequestOptions): Promise<ObjectList>;
  /** Server-side apply (PATCH application/apply-patch+yaml). */
  apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject>;
  create(object: KubeObject, options?: RequestOptions & { readonly dryRun?: boolean }): Promise<KubeObject>;
  /** PUT; carries metadata.resourceVersion for optimistic concurrency (409 on conflict). */
  update(object: KubeObject, options?: RequestOptions): Promise<KubeObject>;
  /** JSON merge patch (application/merge-patch+json). */
  mergePatch(ref: ObjectRef, patch: unknown, options?: RequestOptions): Promise<KubeObject>;
  /** false when the object was already gone. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;
  /** A watch stream; ends when the server closes it or the signal aborts. */
  watch(query: WatchQuery, options?: RequestOptions): AsyncIterable<WatchEvent>;
  /** Container log lines (without the trailing newline), as they arrive. */
  logs(query: LogQuery, options?: RequestOptions): AsyncIterable<string>;
}

/** An error answer of the API server (or a transport failure, status 0). Callers branch on status/reason. */
export class KubeApiError extends SlipwayError {
  readonly status: number;
  readonly reason: string;
  readonly apiStatus: KubeStatus | undefined;

  constructor(message: string, status: number, reason: string, apiStatus?: KubeStatus, cause?: unknown) {
    super(message, { code: "kube", ...(cause === undefined ? {} : { cause }) });
    this.name = "KubeApiError";
    this.status = status;
    this.reason = reason;
    this.apiStatus = apiStatus;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
  get conflict(): boolean {
    return this.status === 409;
  }
  /** 422 with the "field is immutable" marker. */
  get immutable(): boolean {
    return this.status === 422 && /field is immutable|updates to .* are forbidden/.test(this.message);
  }
}
