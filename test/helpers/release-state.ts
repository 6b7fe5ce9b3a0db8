// What a release looks like in the cluster, read with the real helm v3.17.3 and kubectl: revisions with their
// statuses, stored manifests, the release Secrets, and werf's lock annotation on ConfigMap werf-synchronization.
import { execFileSync } from "node:child_process";
import type { LocalEnv } from "./local-env.js";
import { helmBinary } from "./oracles.js";
import { kubectl, kubectlJson } from "./werf-project.js";

export function helm(env: LocalEnv, ...args: string[]): string {
  return execFileSync(helmBinary(), [...args, "--kubeconfig", env.kubeconfig, "--kube-context", env.context], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** `[revision, status]` pairs from `helm history`, oldest first; [] when there is no release. */
export function releaseHistory(env: LocalEnv, namespace: string, release: string): [number, string][] {
  let text: string;
  try {
    text = helm(env, "history", release, "-n", namespace, "-o", "json", "--max", "100");
  } catch (err) {
    if (/release: not found/.test(String((err as { stderr?: unknown }).stderr ?? err))) return [];
    throw err;
  }
  return (JSON.parse(text) as { revision: number; status: string }[]).map((h) => [h.revision, h.status]);
}

/** The stored manifest of one revision, as helm reads it. */
export function releaseManifest(env: LocalEnv, namespace: string, release: string, revision: number): string {
  return helm(env, "get", "manifest", release, "-n", namespace, "--revision", String(revision));
}

/** `name@resourceVersion` of every release Secret of the release. */
export function releaseSecrets(env: LocalEnv, namespace: string, release: string): string[] {
  try {
    const list = kubectlJson<{ items: { metadata: { name: string; resourceVersion: string } }[] }>(env, "get", "secrets", "-n", namespace, "-l", `name=${release},owner=helm`);
    return list.items.map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`).sort();
  } catch {
    return [];
  }
}

/** Annotations `lockgate.io/*` on ConfigMap werf-synchronization (werf's release locks), as key → value. */
export function lockAnnotations(env: LocalEnv, namespace: string): Record<string, string> {
  let text: string;
  try {
    text = kubectl(env, "get", "configmap", "werf-synchronization", "-n", namespace, "-o", "jsonpath={.metadata.annotations}");
  } catch {
    return {};
  }
  const all = text === "" ? {} : (JSON.parse(text) as Record<string, string>);
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith("lockgate.io/")));
}

/** Whether the namespace exists (`kubectl get` in a missing namespace just lists nothing). */
export function namespaceExists(env: LocalEnv, namespace: string): boolean {
  return kubectl(env, "get", "namespace", namespace, "--ignore-not-found", "-o", "name").trim() !== "";
}
