// Builders of the API objects the tracker tests feed through the fake client.
import type { KubeObject } from "../../../src/kube/types.js";

export const NS = "app-ns";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "127.0.0.1:5000/web:1" }] } };

export function deployment(status: Record<string, unknown>, replicas = 1, generation = 1): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: NS, uid: "dep-uid", generation, annotations: { "deployment.kubernetes.io/revision": "1" } },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template },
    status: { observedGeneration: generation, ...status },
  };
}

export function replicaSet(hash: string, sameTemplate = true): KubeObject {
  const t = sameTemplate ? template : { ...template, spec: { containers: [{ name: "app", image: "127.0.0.1:5000/web:0" }] } };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `web-${hash}`,
      namespace: NS,
      uid: `rs-${hash}`,
      labels: { app: "web", "pod-template-hash": hash },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "dep-uid", controller: true }],
    },
    spec: { replicas: 1, template: { ...t, metadata: { labels: { app: "web", "pod-template-hash": hash } } } },
  };
}

export function pod(name: string, hash: string, containerStatus: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: NS,
      uid: `pod-${name}`,
      labels: { app: "web", "pod-template-hash": hash },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `web-${hash}`, uid: `rs-${hash}`, controller: true }],
    },
    spec: { containers: [{ name: "app", image: "127.0.0.1:5000/web:1" }], restartPolicy: "Always" },
    status: { phase: "Running", containerStatuses: [{ name: "app", restartCount: 0, ...containerStatus }], ...extra },
  };
}

export const crashing = (restartCount: number, exitCode = 1): Record<string, unknown> => ({
  restartCount,
  state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container" } },
  lastState: { terminated: { reason: "Error", exitCode } },
});

export const running = (restartCount = 0): Record<string, unknown> => ({ restartCount, state: { running: { startedAt: "2026-12-03T10:00:00Z" } } });
