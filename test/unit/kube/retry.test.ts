import { describe, expect, it } from "vitest";
import { apiError } from "../../../src/kube/client.js";
import { backoffMs, idempotent, MAX_ATTEMPTS, MAX_ATTEMPTS_500, retryAfterMs, shouldRetry } from "../../../src/kube/retry.js";
import { KubeApiError } from "../../../src/kube/types.js";

const get = { method: "GET", contentType: "application/json", body: undefined };
const apply = { method: "PATCH", contentType: "application/apply-patch+yaml", body: {} };
const post = { method: "POST", contentType: "application/json", body: { metadata: { name: "x" } } };
const putBlind = { method: "PUT", contentType: "application/json", body: { metadata: { name: "x" } } };
const putConditional = { method: "PUT", contentType: "application/json", body: { metadata: { name: "x", resourceVersion: "7" } } };
const reset = new KubeApiError('Get "https://x/api": read: connection reset by peer', 0, "Transport", undefined, Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
const refused = new KubeApiError("dial tcp: connect: connection refused", 0, "Transport", undefined, Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
const modified = apiError(409, JSON.stringify({ kind: "Status", reason: "Conflict", code: 409, message: 'Operation cannot be fulfilled on secrets "x": the object has been modified; please apply your changes to the latest version and try again' }), "PUT");
const fieldConflict = apiError(
  409,
  JSON.stringify({ kind: "Status", reason: "Conflict", code: 409, message: "Apply failed with 1 conflict: conflict with \"kubectl\"", details: { causes: [{ reason: "FieldManagerConflict", field: ".data.a" }] } }),
  "PATCH",
);

describe("which requests are repeated", () => {
  it("treats reads, apply, merge patch, blind PUT and DELETE as idempotent, POST and conditional PUT not", () => {
    expect(idempotent(get)).toBe(true);
    expect(idempotent(apply)).toBe(true);
    expect(idempotent({ method: "PATCH", contentType: "application/merge-patch+json", body: {} })).toBe(true);
    expect(idempotent({ method: "PATCH", contentType: "application/json-patch+json", body: [] })).toBe(false);
    expect(idempotent(putBlind)).toBe(true);
    expect(idempotent(putConditional)).toBe(false);
    expect(idempotent({ method: "DELETE", contentType: "application/json", body: {} })).toBe(true);
    expect(idempotent(post)).toBe(false);
  });

  it("repeats idempotent requests on 5xx and broken connections, never on 4xx or a refused connection", () => {
    for (const status of [500, 502, 503, 504]) expect(shouldRetry(get, apiError(status, "", "GET"), 0)).toBe(true);
    expect(shouldRetry(apply, reset, 0)).toBe(true);
    expect(shouldRetry(get, refused, 0)).toBe(false);
    expect(shouldRetry(get, apiError(404, "", "GET"), 0)).toBe(false);
    expect(shouldRetry(apply, apiError(422, "", "PATCH"), 0)).toBe(false);
  });

  it("repeats a POST only on 429, which the server answers before acting", () => {
    expect(shouldRetry(post, apiError(429, "", "POST"), 0)).toBe(true);
    expect(shouldRetry(post, apiError(500, "", "POST"), 0)).toBe(false);
    expect(shouldRetry(post, reset, 0)).toBe(false);
  });

  it("repeats an 'object has been modified' conflict of apply or a blind PUT, but leaves a conditional PUT's and SSA field conflicts to the caller", () => {
    expect(shouldRetry(putBlind, modified, 0)).toBe(true);
    expect(shouldRetry(apply, modified, 0)).toBe(true);
    expect(shouldRetry(putConditional, modified, 0)).toBe(false);
    expect(shouldRetry(apply, fieldConflict, 0)).toBe(false);
  });

  it("gives a plain 500, which the API server also answers for patches that can never apply, only two retries", () => {
    expect(shouldRetry(apply, apiError(500, "", "PATCH"), MAX_ATTEMPTS_500 - 2)).toBe(true);
    expect(shouldRetry(apply, apiError(500, "", "PATCH"), MAX_ATTEMPTS_500 - 1)).toBe(false);
    expect(shouldRetry(apply, apiError(503, "", "PATCH"), MAX_ATTEMPTS_500 - 1)).toBe(true);
  });

  it("gives up after MAX_ATTEMPTS attempts", () => {
    expect(shouldRetry(get, apiError(503, "", "GET"), MAX_ATTEMPTS - 2)).toBe(true);
    expect(shouldRetry(get, apiError(503, "", "GET"), MAX_ATTEMPTS - 1)).toBe(false);
  });
});

describe("how long to wait", () => {
  it("honours Retry-After in seconds or as a date, capped at 30 s", () => {
    expect(retryAfterMs("2", 0)).toBe(2_000);
    expect(retryAfterMs("600", 0)).toBe(30_000);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 1_000)).toBe(4_000);
    expect(retryAfterMs("soon", 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(backoffMs(3, 2_000, () => 0.5)).toBe(2_000);
  });

  it("backs off exponentially with jitter between half and all of the step, up to 4 s", () => {
    expect(backoffMs(0, undefined, () => 0)).toBe(50);
    expect(backoffMs(0, undefined, () => 1)).toBe(100);
    expect(backoffMs(3, undefined, () => 0)).toBe(400);
    expect(backoffMs(10, undefined, () => 1)).toBe(4_000);
    expect(backoffMs(10, undefined, () => 0)).toBe(2_000);
  });
});
