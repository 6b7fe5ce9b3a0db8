import { describe, expect, it } from "vitest";
import { admissionCoveredResources, admissionCovers } from "../../../src/deploy/admission.js";
import { KubeApiError, type KubeClient, type KubeObject, type ListQuery } from "../../../src/kube/types.js";

/** Only what the admission check calls: the served API versions and lists of the hook kinds. */
function cluster(objects: Record<string, KubeObject[]>, served: string[], failing?: string): KubeClient {
  const fake = {
    apiVersions: () => Promise.resolve(served),
    list: (q: ListQuery) => {
      if (q.kind === failing) return Promise.reject(new KubeApiError("forbidden", 403, "Forbidden"));
      return Promise.resolve({ items: objects[`${q.apiVersion}/${q.kind}`] ?? [], resourceVersion: "1" });
    },
  };
  return fake as unknown as KubeClient;
}

const V1 = "admissionregistration.k8s.io/v1";
const webhook = (rules: object[]): KubeObject => ({ apiVersion: V1, kind: "MutatingWebhookConfiguration", metadata: { name: "w" }, webhooks: [{ name: "x", rules }] });
const policy = (rules: object[]): KubeObject => ({ apiVersion: V1, kind: "ValidatingAdmissionPolicy", metadata: { name: "p" }, spec: { matchConstraints: { resourceRules: rules } } });
const signal = new AbortController().signal;

describe("admission hooks that may act on an update", () => {
  it("a cluster without hooks covers nothing", async () => {
    const covered = await admissionCoveredResources(cluster({}, [V1]), signal);
    expect(covered?.size).toBe(0);
  });

  it("collects UPDATE rules of webhooks and policies; CREATE-only rules and subresource rules do not cover the resource", async () => {
    const covered = await admissionCoveredResources(
      cluster(
        {
          [`${V1}/MutatingWebhookConfiguration`]: [webhook([{ operations: ["CREATE"], resources: ["configmaps"] }, { operations: ["UPDATE"], resources: ["deployments/scale"] }])],
          [`${V1}/ValidatingAdmissionPolicy`]: [policy([{ operations: ["*"], resources: ["deployments"] }])],
        },
        [V1],
      ),
      signal,
    );
    expect(covered).toBeDefined();
    const set = covered ?? new Set<string>();
    expect(admissionCovers(set, "deployments")).toBe(true);
    expect(admissionCovers(set, "configmaps")).toBe(false);
  });

  it("a catch-all rule covers every resource", async () => {
    const covered = await admissionCoveredResources(cluster({ [`${V1}/MutatingWebhookConfiguration`]: [webhook([{ operations: ["UPDATE"], resources: ["*/*"] }])] }, [V1]), signal);
    expect(admissionCovers(covered ?? new Set(), "configmaps")).toBe(true);
  });

  it("hooks that cannot be listed leave the answer unknown", async () => {
    expect(await admissionCoveredResources(cluster({}, [V1], "ValidatingWebhookConfiguration"), signal)).toBeUndefined();
  });
});
