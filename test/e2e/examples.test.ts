// The examples/ projects, converged on the real cluster exactly as they are in the repository (copied into a fresh
// Git repository, since werf reads a project from its commit). quickstart: the frontend answers through its Service
// with data that it fetched from the backend's Service by DNS name, seen from a pod and from the host.
// hooks-and-weights: hooks and weight groups in the order the deploy output reports, again on an upgrade.
// subcharts: the subchart's Deployment tracked, with the parent's value and the global. multi-cluster: one project,
// two kube contexts, two --env values, two namespaces.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect, uniqueName, waitFor } from "../helpers/cluster.js";
import { exampleFiles, makeGitDir, type GitDir } from "../helpers/gitdir.js";
import { converge, deleteNamespace, kubectl, kubectlJson } from "../helpers/werf-project.js";

const env = inject("localEnv");
const cluster = connect(env);

/** A one-shot pod in `namespace` running `script`; returns its log once it has finished. */
async function runInPod(namespace: string, name: string, script: string): Promise<string> {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "probe", image: `${env.registry}/base/busybox`, command: ["sh", "-c", script] }],
    },
  };
  await cluster.core.createNamespacedPod({ namespace, body: pod });
  await waitFor(`pod ${name} to finish`, async () => {
    const phase = (await cluster.core.readNamespacedPod({ name, namespace })).status?.phase;
    return phase === "Succeeded" || phase === "Failed" ? phase : undefined;
  }, { timeoutMs: 90_000 });
  return kubectl(env, "-n", namespace, "logs", name);
}

/** Each of `steps` (a substring or a pattern) is found in `output` after the one before it. */
function expectInOrder(output: string, steps: readonly (string | RegExp)[]): void {
  let from = 0;
  for (const step of steps) {
    const rest = output.slice(from);
    let index: number;
    let length: number;
    if (typeof step === "string") {
      index = rest.indexOf(step);
      length = step.length;
    } else {
      const m = step.exec(rest);
      index = m?.index ?? -1;
      length = m?.[0].length ?? 0;
    }
    expect(index, `${String(step)} after offset ${from} of the output:\n${output}`).toBeGreaterThanOrEqual(0);
    from += index + length;
  }
}

/** A fresh namespace and release for one example's suite; the namespace and the project's Git copy go after it. */
function exampleSuite(name: string): { namespace: string; release: string; project: () => GitDir } {
  const namespace = uniqueName(`e2e-${name}`);
  const release = uniqueName(name);
  let project: GitDir | undefined;
  afterAll(() => {
    deleteNamespace(env, namespace);
    project?.remove();
  });
  return { namespace, release, project: () => (project ??= makeGitDir(exampleFiles(name))) };
}

describe("examples/quickstart", () => {
  const { namespace, release, project } = exampleSuite("quickstart");

  it("converges, and the frontend answers through its Service with the backend's data", async () => {
    const result = await converge(env, project(), { namespace, release, args: ["--env", "e2e"] });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("image backend");
    expect(result.stdout).toContain("image frontend");

    // From a pod: the frontend's Service by its DNS name; the page holds what the frontend got from the backend.
    const fromPod = await runInPod(namespace, "probe", "printf 'GET / HTTP/1.0\\r\\nHost: frontend\\r\\n\\r\\n' | nc -w 10 frontend 80");
    expect(fromPod).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(fromPod).toMatch(/frontend: the backend says \{"greeting":"Hello from the quickstart backend","pod":"backend-[a-z0-9-]+"\}/);

    // From the host: the frontend Service's ClusterIP, through kube-proxy's rules.
    const service = await cluster.core.readNamespacedService({ name: "frontend", namespace });
    const fromHost = execFileSync("curl", ["-sf", "--max-time", "10", `http://${service.spec?.clusterIP ?? ""}/`], { encoding: "utf8" });
    expect(fromHost).toMatch(/^frontend: the backend says \{"greeting":"Hello from the quickstart backend"/);
  });

  it("a second converge of the same commit changes nothing and says so", async () => {
    const result = await converge(env, project(), { namespace, release, args: ["--env", "e2e"] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Skipped release "${release}" (namespace: "${namespace}"): cluster resources already as desired`);
  });
});

describe("positional image names (WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1)", () => {
  it("build backend builds only the backend image", async () => {
    const project = makeGitDir(exampleFiles("quickstart"));
    try {
      const release = uniqueName("images-params");
      const result = await converge(env, project, { command: "build", namespace: "unused", release, args: ["backend"], env: { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "1" } });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("image backend");
      expect(result.stdout).not.toContain("image frontend");
      const unknown = await converge(env, project, { command: "build", namespace: "unused", release, args: ["nothing*"], env: { WERF_CONVERGE_ENABLE_IMAGES_PARAMS: "1" } });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe('Error: no image matches pattern "nothing*"\n');
    } finally {
      project.remove();
    }
  });
});

describe("examples/hooks-and-weights", () => {
  const { namespace, release, project } = exampleSuite("hooks-and-weights");

  /** The Job's uid and its pod's log. */
  const job = (name: string): { uid: string; log: string } => ({
    uid: kubectlJson<{ metadata: { uid: string } }>(env, "-n", namespace, "get", "job", name).metadata.uid,
    log: kubectl(env, "-n", namespace, "logs", `job/${name}`),
  });

  it("runs the migration hook, then the weight groups one after another, then the post hook", async () => {
    const result = await converge(env, project(), { namespace, release });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expectInOrder(result.stdout, [
      "image app",
      `Start release "${release}"`,
      // pre-install hooks by hook weight: the settings (-10), then the migration (0), run to completion.
      "✓ ConfigMap/migration-config ready",
      "Create: Job/migrate",
      "schema version 1\n",
      "✓ Job/migrate ready",
      // werf.io/weight groups: -10 ready before 0 is created, 0 ready before 10 is created.
      "Create: Deployment/cache",
      "✓ Deployment/cache ready",
      "Create: Deployment/api",
      "✓ Deployment/api ready",
      "Create: Deployment/worker",
      "✓ Deployment/worker ready",
      // post-install hook: last, and it reached the api through its Service.
      "Create: Job/smoke-test",
      "/smoke-test: api ok",
      "✓ Job/smoke-test ready",
      `Succeeded release "${release}"`,
    ]);
    expect(job("migrate").log).toContain("schema version 1\n");
  });

  it("an upgrade runs the pre-upgrade migration again, before the post-upgrade hook", async () => {
    const first = job("migrate");
    const result = await converge(env, project(), { namespace, release, args: ["--set", "schemaVersion=2"] });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expectInOrder(result.stdout, [
      "Recreate: ConfigMap/migration-config",
      "Recreate: Job/migrate",
      "schema version 2\n",
      "✓ Job/migrate ready",
      "Recreate: Job/smoke-test",
      "✓ Job/smoke-test ready",
      `Succeeded release "${release}"`,
    ]);
    const second = job("migrate");
    expect(second.uid).not.toBe(first.uid);
    expect(second.log).toContain("schema version 2\n");
  });
});

describe("examples/subcharts", () => {
  const { namespace, release, project } = exampleSuite("subcharts");

  it("deploys the subchart with the umbrella's value and global, and tracks its Deployment until ready", async () => {
    const result = await converge(env, project(), { namespace, release });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expectInOrder(result.stdout, [
      "Create: Deployment/catalog",
      // The pod's first log line, followed while tracking: the parent's value and the global reached the subchart.
      "/catalog: Hello from the shop umbrella chart (demo)",
      /✓ Deployment\/catalog ready \(\d/,
      `Succeeded release "${release}"`,
    ]);
    const deployment = kubectlJson<{ metadata: { labels: Record<string, string> }; status: { readyReplicas?: number } }>(env, "-n", namespace, "get", "deployment", "catalog");
    expect(deployment.metadata.labels["chart"]).toBe("catalog");
    expect(deployment.status.readyReplicas).toBe(1);
    expect(kubectl(env, "-n", namespace, "get", "configmap", "shop-settings", "-o", "jsonpath={.data.environment}")).toBe("demo");
  });
});

describe("examples/multi-cluster", () => {
  // Two contexts in a copy of the environment's kubeconfig, as two clusters would be: "staging" with the client
  // certificate, "production" with the token. Both reach the one local cluster, so the namespaces tell them apart.
  const dir = mkdtempSync(join(tmpdir(), "slipway-multi-cluster-"));
  const kubeconfig = join(dir, "kubeconfig");
  // The example's project name, made unique so parallel runs do not share namespaces: <project>-<env>.
  const projectName = uniqueName("multi-cluster");
  const envs = [
    { name: "staging", namespace: `${projectName}-staging`, logLevel: "debug" },
    { name: "production", namespace: `${projectName}-production`, logLevel: "warn" },
  ];
  afterAll(() => {
    for (const e of envs) deleteNamespace(env, e.namespace);
    rmSync(dir, { recursive: true, force: true });
  });

  it("converges one project to two kube contexts, one namespace per --env", async () => {
    copyFileSync(env.kubeconfig, kubeconfig);
    const config = (...args: string[]): string => execFileSync(`${env.kubeBin}/kubectl`, ["--kubeconfig", kubeconfig, "config", ...args], { encoding: "utf8" });
    config("rename-context", env.context, "staging");
    config("rename-context", env.tokenContext, "production");

    const files = exampleFiles("multi-cluster");
    const werfYaml = files["werf.yaml"];
    if (werfYaml === undefined || typeof werfYaml === "string" || Buffer.isBuffer(werfYaml)) throw new Error("examples/multi-cluster/werf.yaml is missing");
    const text = String(werfYaml.content);
    expect(text).toMatch(/^project: multi-cluster$/m);
    const project = makeGitDir({ ...files, "werf.yaml": text.replace(/^project: multi-cluster$/m, `project: ${projectName}`) });
    try {
      for (const { name, namespace } of envs) {
        // The kube context and the env are the only differences; the environment's own kubeconfig is not set.
        const args = ["--kube-config", kubeconfig, "--kube-context", name, "--env", name];
        const result = await converge(env, project, { args, env: { KUBECONFIG: undefined, WERF_KUBE_CONTEXT: undefined } });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`Succeeded release "${namespace}" (namespace: "${namespace}")`);
      }
      // Both namespaces got the release: the chart's objects with their env's values, and helm's release record.
      for (const { name, namespace, logLevel } of envs) {
        const settings = kubectlJson<{ data: Record<string, string> }>(env, "-n", namespace, "get", "configmap", "app-settings").data;
        expect(settings).toEqual({ ENVIRONMENT: name, NAMESPACE: namespace, LOG_LEVEL: logLevel });
        expect(kubectl(env, "-n", namespace, "get", "deployment", "app", "-o", "jsonpath={.status.readyReplicas}")).toBe("1");
        expect(kubectl(env, "-n", namespace, "get", "secrets", "-l", "owner=helm", "-o", "jsonpath={.items[*].metadata.name}")).toBe(`sh.helm.release.v1.${namespace}.v1`);
      }
    } finally {
      project.remove();
    }
  });
});
