// A werf project in a temporary Git repository (werf.yaml + .helm chart [+ Dockerfiles]) and a converge runner
// that points slipway at the real local cluster and registry, as a CI job would.
import { execFileSync } from "node:child_process";
import type { LocalEnv } from "./local-env.js";
import { makeGitDir, type GitDir, type GitDirFile } from "./gitdir.js";
import { runSlipway, type SlipwayResult } from "./slipway.js";

export interface ProjectSpec {
  readonly project: string;
  /** Extra werf.yaml documents (images), appended after the meta document. */
  readonly images?: string;
  /** Files under .helm/ (e.g. `templates/cm.yaml`). */
  readonly chart: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, GitDirFile>>;
}

export function makeProject(spec: ProjectSpec): GitDir {
  const files: Record<string, GitDirFile> = {
    "werf.yaml": `project: ${spec.project}\nconfigVersion: 1\n${spec.images === undefined ? "" : `---\n${spec.images}`}`,
    ...spec.files,
  };
  for (const [path, text] of Object.entries(spec.chart)) files[`.helm/${path}`] = text;
  return makeGitDir(files);
}

export interface ConvergeRun {
  readonly namespace: string;
  readonly release: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
  readonly signalAfterMs?: { readonly signal: NodeJS.Signals; readonly ms: number };
  readonly command?: string;
}

/** `slipway converge` in the project, on the environment's cluster (client-certificate context by default). */
export function converge(env: LocalEnv, project: GitDir, run: ConvergeRun): Promise<SlipwayResult> {
  return runSlipway(
    [
      run.command ?? "converge",
      "--repo",
      `${env.registry}/e2e/${run.release}`,
      "--insecure-registry",
      "--namespace",
      run.namespace,
      "--release",
      run.release,
      ...(run.args ?? []),
    ],
    {
      cwd: project.dir,
      env: {
        KUBECONFIG: env.kubeconfig,
        WERF_KUBE_CONTEXT: env.context,
        DOCKER_HOST: env.dockerHost,
        WERF_LOG_COLOR_MODE: "off",
        ...run.env,
      },
      ...(run.timeoutMs === undefined ? {} : { timeoutMs: run.timeoutMs }),
      ...(run.signalAfterMs === undefined ? {} : { signalAfterMs: run.signalAfterMs }),
    },
  );
}

/** kubectl from the cluster build, on the environment's kubeconfig; returns stdout. */
export function kubectl(env: LocalEnv, ...args: string[]): string {
  return execFileSync(`${env.kubeBin}/kubectl`, ["--kubeconfig", env.kubeconfig, "--context", env.context, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function kubectlJson<T>(env: LocalEnv, ...args: string[]): T {
  return JSON.parse(kubectl(env, ...args, "-o", "json")) as T;
}

/** Everything in a namespace that a deploy could have touched, reduced to `Kind/name@resourceVersion` lines. */
export function namespaceSnapshot(env: LocalEnv, namespace: string): string[] {
  const kinds = "configmaps,secrets,deployments,jobs,pods,services,serviceaccounts,statefulsets,daemonsets,roles,rolebindings";
  let text: string;
  try {
    text = kubectl(env, "get", kinds, "-n", namespace, "-o", "jsonpath={range .items[*]}{.kind}/{.metadata.name}@{.metadata.resourceVersion}{\"\\n\"}{end}");
  } catch {
    return ["<namespace missing>"];
  }
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("ConfigMap/kube-root-ca.crt") && !line.startsWith("ConfigMap/werf-synchronization")).sort();
}

export function deleteNamespace(env: LocalEnv, namespace: string): void {
  try {
    kubectl(env, "delete", "namespace", namespace, "--wait=false", "--ignore-not-found");
  } catch {
    // best effort cleanup
  }
}
