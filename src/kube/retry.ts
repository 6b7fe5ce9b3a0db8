/**
 * @module kube/retry
 *
 * When a failed API request may be sent again, and how long to wait first. Takes a failed request (method, what
 * it carried, the error answer or transport failure); gives a decision. Pure apart from the clock-free jitter
 * source passed in; imports only the kube types.
 *
 * The rule is client-go's, widened to what a deploy needs: a request is repeated only when repeating it cannot
 * double its effect. Reads (GET, watches, discovery), server-side apply and merge patches (the same patch twice
 * gives the same object), unconditional PUTs and DELETEs (a second DELETE finds nothing) are idempotent. A POST
 * is repeated only on 429, which the server sends before doing anything; the one POST whose response may be lost
 * after the server acted (creating a release record) is settled by its caller, which reads the object back.
 * A PUT that carries a resourceVersion is optimistic concurrency: its 409 belongs to the caller.
 */
import { KubeApiError } from "./types.js";

/** Attempts per request, the first included; 0.3^8 makes a lost request rare even at a 30% fault rate. */
export const MAX_ATTEMPTS = 8;
/**
 * Attempts on a plain 500. The API server answers some requests that can never succeed with 500 (a patch that
 * does not fit the schema: "failed to create typed patch object"), so a 500 gets two quick retries, not eight.
 */
export const MAX_ATTEMPTS_500 = 3;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 4_000;
/** A Retry-After longer than this is cut short: a deploy keeps its own timeouts. */
const MAX_RETRY_AFTER_MS = 30_000;

/** Transport failures that mean the connection broke (the request may or may not have reached the server). */
const BROKEN_CONNECTION = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "EAI_AGAIN", "UND_ERR_SOCKET"]);

export interface RetryRequest {
  readonly method: string;
  readonly contentType: string;
  /** The request body as sent (undefined for none). */
  readonly body: unknown;
}

/** Whether sending the request twice leaves the cluster as sending it once does. */
export function idempotent(request: RetryRequest): boolean {
  switch (request.method) {
    case "GET":
    case "HEAD":
    case "DELETE":
      return true;
    case "PATCH":
      return request.contentType === "application/apply-patch+yaml" || request.contentType === "application/merge-patch+json";
    case "PUT":
      return !conditional(request.body);
    default:
      return false;
  }
}

function conditional(body: unknown): boolean {
  const rv = (body as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
  return typeof rv === "string" && rv !== "";
}

/** A transport failure (status 0) where the connection broke, as opposed to a refused or misconfigured one. */
export function brokenConnection(err: unknown): boolean {
  if (!(err instanceof KubeApiError) || err.status !== 0) return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && BROKEN_CONNECTION.has(code);
}

/** "the object has been modified": optimistic concurrency lost a race; not a field-manager conflict of SSA. */
function modifiedConflict(err: KubeApiError): boolean {
  if (err.status !== 409) return false;
  const causes = err.apiStatus?.details?.causes ?? [];
  return !causes.some((c) => c.reason === "FieldManagerConflict") && /the object has been modified/.test(err.message);
}

/** A server or connection trouble that a later identical request may not meet (no verdict on the request). */
export function transient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  if (err.status === 0) return brokenConnection(err);
  return err.status === 429 || err.status === 500 || err.status === 502 || err.status === 503 || err.status === 504;
}

/** Whether this failed attempt of the request may be sent again. */
export function shouldRetry(request: RetryRequest, err: unknown, attempt: number): boolean {
  if (attempt + 1 >= MAX_ATTEMPTS || !(err instanceof KubeApiError)) return false;
  // The server refused before doing anything: safe for every method.
  if (err.status === 429) return true;
  if (!idempotent(request)) return false;
  if (err.status === 500) return attempt + 1 < MAX_ATTEMPTS_500;
  if (transient(err)) return true;
  return (request.method === "PUT" || request.method === "PATCH") && modifiedConflict(err);
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

/**
 * The wait before attempt `attempt + 1`: the server's Retry-After when given, else exponential backoff with
 * "equal jitter" (half fixed, half random) so that many clients do not come back in step.
 */
export function backoffMs(attempt: number, retryAfter: number | undefined, random: () => number = Math.random): number {
  if (retryAfter !== undefined) return retryAfter;
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
