// A CI job as werf users write it: a shell script that sources `werf ci-env gitlab --as-file` and calls `werf
// converge` with no flags, configured only by the CI's variables. slipway runs under the name `werf` (a link on
// PATH), against the real registry and cluster.
import { execFile } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { deleteNamespace, kubectl, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) deleteNamespace(env, ns);
});

describe("a GitLab job script", () => {
  it("`. $(werf ci-env gitlab --as-file)` then `werf converge`: builds, pushes and deploys with the CI's annotations", async () => {
    const project = uniqueName("ci-job");
    const namespace = `${project}-review`;
    namespaces.push(namespace);
    const repo = makeProject({
      project,
      images: "image: app\ndockerfile: Dockerfile\n",
      files: { Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo built > /built\n` },
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "templates/cm.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  image: "{{ .Values.werf.image.app }}"\n',
      },
    });
    const bin = mkdtempSync(join(tmpdir(), "slipway-ci-bin-"));
    symlinkSync(join(root, "bin/slipway.js"), join(bin, "werf"));
    const script = join(bin, "job.sh");
    writeFileSync(script, '#!/bin/sh\nset -eu\n. "$(werf ci-env gitlab --as-file)"\nwerf converge\n', { mode: 0o755 });
    const sha = repo.git("rev-parse", "HEAD");
    const jobEnv = {
      PATH: `${bin}:${join(root, "node_modules/.bin")}:${process.env["PATH"] ?? ""}`,
      HOME: mkdtempSync(join(tmpdir(), "slipway-ci-home-")),
      CI: "true",
      GITLAB_CI: "true",
      CI_REGISTRY: env.registry,
      CI_REGISTRY_IMAGE: `${env.registry}/e2e/${project}`,
      CI_ENVIRONMENT_SLUG: "review",
      CI_PROJECT_URL: `https://gitlab.example/group/${project}`,
      CI_COMMIT_SHA: sha,
      CI_PIPELINE_ID: "7",
      CI_PIPELINE_URL: `https://gitlab.example/group/${project}/-/pipelines/7`,
      CI_JOB_ID: "11",
      CI_JOB_URL: `https://gitlab.example/group/${project}/-/jobs/11`,
      CI_JOB_TOKEN: "token",
      // What the runner's environment gives: the cluster, the engine, a registry without TLS.
      KUBECONFIG: env.kubeconfig,
      WERF_KUBE_CONTEXT: env.context,
      DOCKER_HOST: env.dockerHost,
      WERF_INSECURE_REGISTRY: "1",
    };
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(script, [], { cwd: repo.dir, env: jobEnv, timeout: 240_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
      });
    });
    expect(result.stderr, result.stdout).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Using project dir: ${repo.dir}`);
    expect(result.stdout).toContain(`Succeeded release "${project}-review" (namespace: "${namespace}")`);
    expect(kubectl(env, "get", "configmap", "app", "-n", namespace, "-o", "jsonpath={.data.image}")).toMatch(new RegExp(`^${env.registry}/e2e/${project}:[0-9a-f]{56}-\\d+$`));
    const annotations = JSON.parse(kubectl(env, "get", "configmap", "app", "-n", namespace, "-o", "jsonpath={.metadata.annotations}")) as Record<string, string>;
    expect(annotations).toMatchObject({
      "ci.werf.io/commit": sha,
      "project.werf.io/git": `https://gitlab.example/group/${project}`,
      "gitlab.ci.werf.io/pipeline-url": `https://gitlab.example/group/${project}/-/pipelines/7`,
      "gitlab.ci.werf.io/job-url": `https://gitlab.example/group/${project}/-/jobs/11`,
    });
  });
});
