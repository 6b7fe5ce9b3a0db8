// Smoke test of the foundation: the real cluster, the real Docker Engine and the real registry work together.
// An image is built through the Engine API (slipway's DockerEngine adapter), pushed, and run by the real kubelet.
import { execFileSync } from "node:child_process";
import { describe, expect, inject, it, afterAll } from "vitest";
import type * as k8s from "@kubernetes/client-node";
import { DockerEngine } from "../../src/container/dockerode.js";
import { tarArchive } from "../../src/util/tar.js";
import { connect, isNotFound, uniqueName, waitFor } from "../helpers/cluster.js";

const env = inject("localEnv");
const cluster = connect(env);

describe("local cluster", () => {
  it("has exactly one node, Ready, running Kubernetes v1.34.x", async () => {
    const nodes = await cluster.core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual([env.nodeName]);
    const ready = nodes.items[0]?.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    const version = await cluster.version.getCode();
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect(version.major).toBe("1");
    expect(version.minor).toBe("34");
  });

  it("kubectl from the cluster build reports the same node as Ready", () => {
    const out = execFileSync(`${env.kubeBin}/kubectl`, ["--kubeconfig", env.kubeconfig, "get", "nodes", "--no-headers"], {
      encoding: "utf8",
    });
    const rows = out.trim().split("\n").map((line) => line.split(/\s+/));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[0]).toBe(env.nodeName);
    expect(rows[0]?.[1]).toBe("Ready");
  });

  it("accepts both named contexts: client certificate and bearer token", async () => {
    const viaToken = connect(env, env.tokenContext);
    const user = viaToken.kc.getCurrentUser();
    expect(user?.token).toMatch(/^[0-9a-f]{48}$/);
    expect(user?.certData).toBeFalsy();
    const namespaces = await viaToken.core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain("kube-system");
    const viaCert = cluster.kc.getCurrentUser();
    expect(viaCert?.certData).toBeTruthy();
  });
});

describe("build, push and run an image on the real node", () => {
  const engine = new DockerEngine({ host: env.dockerHost });
  const tag = uniqueName("smoke");
  const reference = `${env.registry}/e2e/smoke:${tag}`;
  const namespace = uniqueName("e2e-smoke");

  afterAll(async () => {
    await cluster.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await engine.removeImage(reference);
  });

  it("runs the container, serves HTTP, logs, and goes away when deleted", async () => {
    // 1. Build through the Docker Engine API from a Dockerfile FROM the local base image.
    const marker = `hello from ${tag}`;
    const context = tarArchive([
      {
        name: "Dockerfile",
        data: Buffer.from(
          [
            `FROM ${env.registry}/base/busybox`,
            "COPY www/ /www/",
            "EXPOSE 8080",
            `CMD ["sh", "-c", "echo smoke-container-started; exec httpd -f -v -p 8080 -h /www"]`,
            "",
          ].join("\n"),
        ),
      },
      { name: "www/index.html", data: Buffer.from(`${marker}\n`) },
    ]);
    const steps: string[] = [];
    const built = await engine.build({
      context,
      tags: [reference],
      labels: { "slipway.test": "smoke" },
      onProgress: (event) => {
        if (event.kind === "step") steps.push(event.text);
      },
    });
    expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(steps.length).toBeGreaterThanOrEqual(4);
    expect((await engine.inspectImage(reference))?.labels["slipway.test"]).toBe("smoke");

    // 2. Push it, and check the registry serves the same manifest digest.
    const { digest } = await engine.push({ reference });
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const head = await fetch(`http://${env.registry}/v2/e2e/smoke/manifests/${tag}`, {
      method: "HEAD",
      headers: {
        Accept: [
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.index.v1+json",
        ].join(", "),
      },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get("docker-content-digest")).toBe(digest);

    // 3. A Deployment with a readiness probe that uses it.
    await cluster.core.createNamespace({ body: { metadata: { name: namespace } } });
    await waitFor("the namespace's default service account", async () => {
      const sas = await cluster.core.listNamespacedServiceAccount({ namespace });
      return sas.items.some((sa) => sa.metadata?.name === "default") ? true : undefined;
    });
    const labels = { app: "smoke" };
    await cluster.apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "smoke", labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              terminationGracePeriodSeconds: 2,
              containers: [
                {
                  name: "web",
                  image: `${reference}@${digest}`,
                  ports: [{ containerPort: 8080 }],
                  readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 },
                },
              ],
            },
          },
        },
      },
    });

    // 4. The pod is scheduled on the real node, Running and Ready.
    const describePods = async (): Promise<string> => {
      const pods = await cluster.core.listNamespacedPod({ namespace });
      const events = await cluster.core.listNamespacedEvent({ namespace });
      return JSON.stringify({ pods: pods.items.map((p) => p.status), events: events.items.map((e) => e.message) }, null, 1);
    };
    const pod = await waitFor<k8s.V1Pod>(
      "the smoke pod to be Ready",
      async () => {
        const pods = await cluster.core.listNamespacedPod({ namespace, labelSelector: "app=smoke" });
        return pods.items.find(
          (p) => p.status?.phase === "Running" && p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
      },
      { describe: describePods },
    );
    expect(pod.spec?.nodeName).toBe(env.nodeName);
    expect(pod.status?.containerStatuses?.[0]?.imageID).toContain(digest);
    const podIP = pod.status?.podIP;
    // The pod got its address from the node's CNI bridge subnet (a /24 in every environment).
    const subnet = env.podCidr.split(".").slice(0, 3).join(".");
    expect(podIP?.startsWith(`${subnet}.`)).toBe(true);

    // The container really serves what the image holds (host → pod over the CNI bridge).
    const page = await fetch(`http://${podIP}:8080/index.html`);
    expect(await page.text()).toBe(`${marker}\n`);

    // 5. Its log, read through the API (apiserver → kubelet).
    const podName = pod.metadata?.name ?? "";
    const log = await waitFor("the container's log line", async () => {
      const text = await cluster.core.readNamespacedPodLog({ name: podName, namespace, container: "web" });
      return text.includes("smoke-container-started") ? text : undefined;
    });
    expect(log).toContain("smoke-container-started");

    // 6. Delete it and see it gone.
    await cluster.apps.deleteNamespacedDeployment({ name: "smoke", namespace, propagationPolicy: "Foreground" });
    await waitFor("the smoke pod to be gone", async () => {
      try {
        await cluster.core.readNamespacedPod({ name: podName, namespace });
        return undefined;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    });
    // Foreground deletion: the Deployment goes once the garbage collector has removed its ReplicaSet and pods.
    await waitFor("the smoke Deployment to be gone", async () => {
      try {
        await cluster.apps.readNamespacedDeployment({ name: "smoke", namespace });
        return undefined;
      } catch (error) {
        if (isNotFound(error)) return true;
        throw error;
      }
    });
  });
});
