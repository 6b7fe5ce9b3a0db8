// Clients for the real local cluster, and small polling helpers for end-to-end tests.
import * as k8s from "@kubernetes/client-node";
import type { LocalEnv } from "./local-env.js";

export interface Cluster {
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly version: k8s.VersionApi;
}

export function connect(env: LocalEnv, context: string = env.context): Cluster {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  kc.setCurrentContext(context);
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    version: kc.makeApiClient(k8s.VersionApi),
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what` and the last observation. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 120_000, intervalMs = 500, describe }: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const detail = describe ? `\n${await describe()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function isNotFound(error: unknown): boolean {
  const e = error as { code?: number; statusCode?: number; body?: unknown };
  return e.code === 404 || e.statusCode === 404;
}

/** A unique, DNS-safe name for test objects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
