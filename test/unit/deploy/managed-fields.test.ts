import { describe, expect, it } from "vitest";
import { fixManagedFields } from "../../../src/deploy/managed-fields.js";
import { applyChanges, comparable } from "../../../src/deploy/compare.js";
import { deployReportJson, operationDescription } from "../../../src/deploy/report.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/kube/types.js";

const keep = { keepManualChanges: false };

describe("fixManagedFields", () => {
  it("changes nothing when only the applier and controllers own fields", () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: "helm", operation: "Apply", fieldsV1: { "f:data": { "f:a": {} } } },
      { manager: "kube-controller-manager", operation: "Update", subresource: "status", fieldsV1: { "f:status": { "f:x": {} } } },
    ];
    expect(fixManagedFields(entries, "v1", keep)).toBeUndefined();
    expect(fixManagedFields(undefined, "v1", keep)).toBeUndefined();
  });

  it("folds Helm 3 client-side apply (helm/Update) into a new helm/Apply entry", () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: "helm", operation: "Update", apiVersion: "v1", time: "t", fieldsType: "FieldsV1", fieldsV1: { "f:data": { ".": {}, "f:a": {}, "f:b": {} } } },
    ];
    const fixed = fixManagedFields(entries, "v1", keep);
    expect(fixed).toEqual([
      { manager: "helm", operation: "Apply", apiVersion: "v1", time: "t", fieldsType: "FieldsV1", fieldsV1: { "f:data": { ".": {}, "f:a": {}, "f:b": {} } } },
    ]);
  });

  it("takes kubectl edit's fields unless manual changes are kept, and subtracts owned fields from others", () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: "helm", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:paused": {} } } },
      { manager: "other", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {}, "f:minReadySeconds": {} } } },
    ];
    const fixed = fixManagedFields(entries, "apps/v1", keep);
    expect(fixed).toEqual([
      { manager: "helm", operation: "Apply", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {}, "f:paused": {} } } },
      { manager: "other", operation: "Update", fieldsV1: { "f:spec": { "f:minReadySeconds": {} } } },
    ]);
    const kept = fixManagedFields(entries, "apps/v1", { keepManualChanges: true });
    expect(kept?.map((e) => e.manager)).toEqual(["helm", "kubectl-edit", "other"]);
  });

  it("drops another manager's entry entirely when the applier owns all of it", () => {
    const entries: ManagedFieldsEntry[] = [
      { manager: "helm", operation: "Apply", fieldsV1: { "f:data": { "f:a": {} } } },
      { manager: "x", operation: "Update", fieldsV1: { "f:data": { "f:a": {} } } },
    ];
    expect(fixManagedFields(entries, "v1", keep)?.map((e) => e.manager)).toEqual(["helm"]);
  });
});

describe("applyChanges", () => {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", resourceVersion: "5", uid: "u", annotations: { "werf.io/version": "1", "x": "y" }, managedFields: [{ manager: "helm", time: "t1" }] },
    data: { a: "1" },
  };
  it("ignores bookkeeping, werf/helm annotations and managedFields times", () => {
    const dry: KubeObject = {
      ...live,
      metadata: { ...live.metadata, resourceVersion: "6", annotations: { "werf.io/version": "2", "x": "y" }, managedFields: [{ manager: "helm", time: "t2" }] },
    };
    expect(applyChanges(live, dry)).toBe(false);
    expect(comparable(live)).not.toHaveProperty("metadata.uid");
  });
  it("sees a data change and a user annotation change", () => {
    expect(applyChanges(live, { ...live, data: { a: "2" } })).toBe(true);
    expect(applyChanges(live, { ...live, metadata: { ...live.metadata, annotations: { x: "z" } } })).toBe(true);
  });
});

describe("deploy report", () => {
  it("is werf's version 3 with tabs, sorted lists, empty lists omitted", () => {
    const text = deployReportJson({ release: "r", namespace: "ns", revision: 2, status: "deployed", completedOperations: ["update: Deployment/b", "create: ConfigMap/a"], failedOperations: [] });
    expect(text).toBe('{\n\t"version": 3,\n\t"release": "r",\n\t"namespace": "ns",\n\t"revision": 2,\n\t"status": "deployed",\n\t"completedOperations": [\n\t\t"create: ConfigMap/a",\n\t\t"update: Deployment/b"\n\t]\n}\n');
  });
  it("describes operations as werf does", () => {
    expect(operationDescription("create", "ConfigMap", "a", "ns", "ns")).toBe("create: ConfigMap/a");
    expect(operationDescription("track-readiness", "Job", "j", "other", "ns", 1)).toBe("track readiness: Job/j (namespace=other) (iteration=1)");
  });
});
