// A faulty registry and a build the Docker Engine aborts. The project's --repo goes through a proxy in front of the
// real registry that fails blob uploads (429) or manifest reads (503); then a
// Dockerfile RUN fails in the engine. Each time: exit 1 with one clear error naming the image, no stack trace,
// nothing deployed (no release record, none of the chart's objects); and the next run, with the fault gone,
// converges.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName } from "../helpers/cluster.js";
import { startCountingProxy, type CountingProxy, type RegistryFault } from "../helpers/counting-proxy.js";
import type { GitDir } from "../helpers/gitdir.js";
import { releaseHistory } from "../helpers/release-state.js";
import { runSlipway, type SlipwayResult } from "../helpers/slipway.js";
import { deleteNamespace, kubectl, makeProject, namespaceSnapshot } from "../helpers/werf-project.js";

const env = inject("localEnv");

type Mode = "healthy" | "uploads" | "manifest-reads";

describe("a faulty registry and an aborted build", () => {
  let proxy: CountingProxy;
  let mode: Mode = "healthy";
  let injected = 0;
  let project: GitDir;
  const namespace = uniqueName("e2e-faulty-registry");
  const release = uniqueName("freg");
  const unique = uniqueName("layer");
  const figures: string[] = [];

  const fault = (r: { method: string; path: string }): RegistryFault | undefined => {
    const upload = /\/blobs\/uploads\//.test(r.path) && r.method !== "GET";
    const manifestRead = /\/manifests\//.test(r.path) && (r.method === "GET" || r.method === "HEAD");
    if ((mode === "uploads" && upload) || (mode === "manifest-reads" && manifestRead)) {
      injected++;
      // Uploads get a 429, which the Docker Engine does not retry; with a 500 it retries each layer 5 times with
      // growing pauses (measured: ~53 s, then the same clean failure), too slow for CI.
      return mode === "uploads" ? { status: 429, body: JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "injected by the faulty registry" }] }) } : { status: 503, body: "injected: registry unavailable" };
    }
    return undefined;
  };

  beforeAll(async () => {
    proxy = await startCountingProxy(env.registry, fault);
    project = makeProject({
      project: "e2e-faulty-registry",
      images: "image: app\ndockerfile: Dockerfile\n",
      files: { Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${unique} > /unique\n` },
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: freg\nversion: 0.1.0\n",
        "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: image\ndata:\n  image: {{ .Values.werf.image.app | quote }}\n",
      },
    });
  });

  afterAll(async () => {
    await proxy.close();
    project.remove();
    deleteNamespace(env, namespace);
    console.log(`faulty registry and engine: ${injected} registry faults injected over ${proxy.requests.length} registry requests\n${figures.join("\n")}`);
  });

  const run = async (name: string): Promise<SlipwayResult> => {
    const started = performance.now();
    const result = await runSlipway(
      ["converge", "--repo", `${proxy.address}/e2e-faulty-registry/${release}`, "--insecure-registry", "--namespace", namespace, "--release", release],
      { cwd: project.dir, env: { KUBECONFIG: env.kubeconfig, WERF_KUBE_CONTEXT: env.context, DOCKER_HOST: env.dockerHost, WERF_LOG_COLOR_MODE: "off" }, timeoutMs: 240_000 },
    );
    const error = result.stderr.split("\n").find((l) => l.startsWith("Error: ")) ?? "";
    figures.push(`  ${name}: exit ${result.code} in ${((performance.now() - started) / 1000).toFixed(1)} s${error === "" ? "" : `; ${error.slice(0, 240)}`}`);
    return result;
  };

  const expectCleanFailure = (result: SlipwayResult, ...parts: RegExp[]): void => {
    expect(result.code, result.stderr).toBe(1);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("Error: "));
    expect(errors, result.stderr).toHaveLength(1);
    for (const part of parts) expect(result.stderr.slice(result.stderr.indexOf("Error: ")), result.stderr).toMatch(part);
    expect(result.stderr).not.toMatch(/\n\s+at .*(\.js|\.ts|node:)/);
  };

  it("blob uploads fail: a clear error, nothing deployed; the next run converges", async () => {
    mode = "uploads";
    const failed = await run("blob uploads fail");
    expectCleanFailure(failed, /image "app": push/, /injected by the faulty registry/);
    expect(releaseHistory(env, namespace, release)).toEqual([]);
    expect(namespaceSnapshot(env, namespace).filter((l) => l.startsWith("ConfigMap/image"))).toEqual([]);
    mode = "healthy";
    const recovered = await run("uploads healthy again");
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "deployed"]]);
  });

  it("manifest reads fail: a clear error, nothing deployed; the next run converges", async () => {
    mode = "manifest-reads";
    const before = namespaceSnapshot(env, namespace);
    const failed = await run("manifest reads fail");
    expectCleanFailure(failed, /503|unavailable/i);
    expect(namespaceSnapshot(env, namespace)).toEqual(before);
    expect(releaseHistory(env, namespace, release)).toEqual([[1, "deployed"]]);
    mode = "healthy";
    const recovered = await run("manifest reads healthy again");
    expect(recovered.code, recovered.stderr).toBe(0);
  });

  it("a build the engine aborts (RUN fails): a clear error, nothing deployed; the fixed build converges", async () => {
    const image = kubectl(env, "get", "configmap", "image", "-n", namespace, "-o", "jsonpath={.data.image}");
    project.write({ Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${unique} > /unique\nRUN echo broken-${unique} && exit 3\n` });
    project.commit("a RUN that fails");
    const before = namespaceSnapshot(env, namespace);
    const history = releaseHistory(env, namespace, release);
    const failed = await run("RUN fails in the engine");
    expectCleanFailure(failed, /app/, /exit code: 3|returned a non-zero code: 3|exit 3/);
    expect(namespaceSnapshot(env, namespace)).toEqual(before);
    expect(releaseHistory(env, namespace, release)).toEqual(history);
    project.write({ Dockerfile: `FROM ${env.registry}/base/busybox\nRUN echo ${unique} > /unique\nRUN echo fixed-${unique}\n` });
    project.commit("fixed");
    const recovered = await run("fixed build");
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(kubectl(env, "get", "configmap", "image", "-n", namespace, "-o", "jsonpath={.data.image}")).not.toBe(image);
  });
});
