// A werf project in a temporary Git repository (werf.yaml + .helm chart [+ Dockerfiles]) and a converge runner
// that points slipway at the real local cluster and registry, as a CI job would.
import { execFileSync } from "node:child_process";
import { basename } from "node:path";
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
  /** `--namespace`; without it, slipway derives the namespace from werf.yaml and `--env`. */
  readonly namespace?: string;
  /** `--release` (and the repository's name); without it, slipway derives the release. */
  readonly release?: string;
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
      `${env.registry}/e2e/${run.release ?? basename(project.dir).toLowerCase()}`,
      "--insecure-registry",
      ...(run.namespace === undefined ? [] : ["--namespace", run.namespace]),
      ...(run.release === undefined ? [] : ["--release", run.release]),
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

/** A ConfigMap manifest: `metadataExtra` goes under metadata (annotations...), `top` at the top level (immutable...). */
export function configMapYaml(name: string, data: string, metadataExtra = "", top = ""): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${metadataExtra}${top}data:\n  value: "${data}"\n`;
}

export interface BusyboxDeploymentOptions {
  /** Lines under `metadata.annotations`, indented by four spaces. */
  readonly annotations?: string;
  readonly image?: string;
  /** Printed by the container at start. */
  readonly message?: string;
  /** A readiness probe that passes only after that many seconds; none when undefined. */
  readonly readyAfterS?: number;
  /** A ConfigMap the container takes its environment from. */
  readonly envFrom?: string;
}

/** A one-replica Deployment of the environment's busybox base image that sleeps. */
export function busyboxDeployment(registry: string, name: string, o: BusyboxDeploymentOptions = {}): string {
  const annotations = o.annotations === undefined || o.annotations === "" ? "" : `  annotations:\n${o.annotations}`;
  const envFrom = o.envFrom === undefined || o.envFrom === "" ? "" : `        envFrom: [{configMapRef: {name: ${o.envFrom}}}]\n`;
  const probe =
    o.readyAfterS === undefined ? "" : `        readinessProbe:\n          exec: {command: ["true"]}\n          initialDelaySeconds: ${o.readyAfterS}\n          periodSeconds: 1\n`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${annotations}spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${o.image ?? `${registry}/base/busybox`}
        command: ["sh", "-c", "echo ${o.message ?? `started ${name}`}; exec sleep 3600"]
${envFrom}${probe}`;
}

/** A Job of the busybox base image that runs `script` once (no retries); `annotations` go under metadata. */
export function busyboxJob(registry: string, name: string, script: string, o: { annotations?: string; container?: string } = {}): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
${o.annotations ?? ""}spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: ${o.container ?? "main"}
        image: ${registry}/base/busybox
        command: ["sh", "-c", "${script}"]
`;
}
