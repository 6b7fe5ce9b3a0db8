import { describe, expect, it } from "vitest";
import { apiError, defaultCacheRoot, discoveryCacheDir, proxyFromEnvironment } from "../../../src/kube/client.js";

describe("kubectl's discovery cache location", () => {
  it("drops the scheme and replaces unusual characters as computeDiscoverCacheDir does", () => {
    expect(discoveryCacheDir("/c", "https://127.0.0.1:6443")).toBe("/c/discovery/127.0.0.1_6443");
    expect(discoveryCacheDir("/c", "http://api.example.com")).toBe("/c/discovery/api.example.com");
    expect(discoveryCacheDir("/c", "https://rancher.example/k8s/clusters/c-1")).toBe("/c/discovery/rancher.example/k8s/clusters/c_1");
  });

  it("honours $KUBECACHEDIR, else ~/.kube/cache", () => {
    expect(defaultCacheRoot({ KUBECACHEDIR: "/kc", HOME: "/h" })).toBe("/kc");
    expect(defaultCacheRoot({ HOME: "/h" })).toBe("/h/.kube/cache");
  });
});

describe("API errors", () => {
  it("carry the server's Status message and reason", () => {
    const status = {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: 'deployments.apps "x" is forbidden: User "bob" cannot get resource "deployments"',
      reason: "Forbidden",
      code: 403,
    };
    const err = apiError(403, JSON.stringify(status), "GET");
    expect(err.message).toBe(status.message);
    expect(err.status).toBe(403);
    expect(err.reason).toBe("Forbidden");
    expect(err.apiStatus?.code).toBe(403);
  });

  it("fall back to client-go's generic text when the body is not a Status", () => {
    const err = apiError(404, "404 page not found", "GET");
    expect(err.message).toBe("the server could not find the requested resource");
    expect(err.notFound).toBe(true);
    expect(apiError(502, "bad gateway", "GET").message).toBe('an error on the server ("bad gateway") has prevented the request from succeeding');
  });
});

describe("proxy from the environment (Go's ProxyFromEnvironment)", () => {
  const env = { HTTPS_PROXY: "proxy.corp:3128", HTTP_PROXY: "http://plain.corp:80", NO_PROXY: ".internal,10.1.2.3,*.svc" };
  it("uses HTTPS_PROXY for https servers and HTTP_PROXY for http ones", () => {
    expect(proxyFromEnvironment(new URL("https://api.example"), env)).toBe("http://proxy.corp:3128");
    expect(proxyFromEnvironment(new URL("http://api.example"), env)).toBe("http://plain.corp:80");
  });
  it("skips localhost and NO_PROXY matches", () => {
    expect(proxyFromEnvironment(new URL("https://127.0.0.1:6443"), env)).toBeUndefined();
    expect(proxyFromEnvironment(new URL("https://localhost"), env)).toBeUndefined();
    expect(proxyFromEnvironment(new URL("https://k8s.internal"), env)).toBeUndefined();
    expect(proxyFromEnvironment(new URL("https://10.1.2.3:6443"), env)).toBeUndefined();
    expect(proxyFromEnvironment(new URL("https://api.default.svc"), env)).toBeUndefined();
    expect(proxyFromEnvironment(new URL("https://api.example"), { ...env, NO_PROXY: "*" })).toBeUndefined();
  });
});
