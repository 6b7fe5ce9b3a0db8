// The examples/ projects, converged on the real cluster exactly as they are in the repository (copied into a fresh
// Git repository, since werf reads a project from its commit). quickstart: the frontend answers through its Service
// with data that it fetched from the backend's Service by DNS name, seen from a pod and from the host.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect, uniqueName, waitFor } from "../helpers/cluster.js";
import { makeGitDir, type GitDir, type GitDirFile } from "../helpers/gitdir.js";
import { converge, deleteNamespace, kubectl } from "../helpers/werf-project.js";

const env = inject("localEnv");
const cluster = connect(env);
const EXAMPLES = fileURLToPath(new URL("../../examples", import.meta.url));

/** Every file of examples/<name>, with its mode, for makeGitDir. */
function exampleFiles(name: string): Record<string, GitDirFile> {
  const root = join(EXAMPLES, name);
  const files: Record<string, GitDirFile> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[relative(root, full)] = { content: readFileSync(full), mode: statSync(full).mode & 0o777 };
    }
  };
  walk(root);
  return files;
}

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

describe("examples/quickstart", () => {
  const namespace = uniqueName("e2e-quickstart");
  const release = uniqueName("quickstart");
  let project: GitDir | undefined;

  afterAll(() => {
    deleteNamespace(env, namespace);
    project?.remove();
  });

  it("converges, and the frontend answers through its Service with the backend's data", async () => {
    project = makeGitDir(exampleFiles("quickstart"));
    const result = await converge(env, project, { namespace, release, args: ["--env", "e2e"] });
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
    if (project === undefined) throw new Error("the first converge did not run");
    const result = await converge(env, project, { namespace, release, args: ["--env", "e2e"] });
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
