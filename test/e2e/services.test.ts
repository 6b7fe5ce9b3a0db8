// The local environment serves Services: kube-proxy (iptables mode) carries ClusterIP traffic and CoreDNS (the
// kube-dns Service) answers cluster names, so a pod reaches another pod's Service by its DNS name, and the host
// reaches a ClusterIP directly.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect, uniqueName, waitFor } from "../helpers/cluster.js";
import { deleteNamespace, kubectl } from "../helpers/werf-project.js";

const env = inject("localEnv");
const cluster = connect(env);

const namespace = uniqueName("e2e-services");
const marker = `served-by-${namespace}`;

function apply(yaml: string): void {
  execFileSync(`${env.kubeBin}/kubectl`, ["--kubeconfig", env.kubeconfig, "--context", env.context, "apply", "-f", "-"], {
    input: yaml,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A pod that runs `script` once; its log is the result. */
function clientPod(name: string, script: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  containers:
  - name: client
    image: ${env.registry}/base/busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}

async function podLog(name: string): Promise<string> {
  const phase = await waitFor(
    `pod ${name} to finish`,
    async () => {
      const pod = await cluster.core.readNamespacedPod({ name, namespace });
      const p = pod.status?.phase;
      return p === "Succeeded" || p === "Failed" ? p : undefined;
    },
    { timeoutMs: 90_000 },
  );
  const log = kubectl(env, "-n", namespace, "logs", name);
  expect(phase, log).toBe("Succeeded");
  return log;
}

describe("Services on the local cluster", () => {
  beforeAll(() => {
    apply(`apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: httpd
        image: ${env.registry}/base/busybox
        command: ["sh", "-c", "mkdir -p /www && echo ${marker} > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
        readinessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: ${namespace}
spec:
  selector: {app: echo}
  ports:
  - port: 80
    targetPort: 8080
`);
  });

  afterAll(() => deleteNamespace(env, namespace));

  it("runs kube-proxy and CoreDNS, and the kubelet hands pods the cluster DNS", async () => {
    const status = execFileSync("bash", ["scripts/local-env", "status"], { encoding: "utf8" });
    expect(status).toMatch(/^kube-proxy\s+running/m);
    expect(status).toMatch(/^coredns\s+running/m);
    const dns = await cluster.core.readNamespacedService({ name: "kube-dns", namespace: "kube-system" });
    expect(env.clusterDns).not.toBe("");
    expect(env.clusterDns).toBe(dns.spec?.clusterIP);
    apply(clientPod("resolv", "cat /etc/resolv.conf"));
    const log = await podLog("resolv");
    expect(log).toContain(`nameserver ${env.clusterDns}`);
    expect(log).toContain(`search ${namespace}.svc.cluster.local svc.cluster.local cluster.local`);
  });

  it("a pod reaches a Service by its DNS name, short and fully qualified", async () => {
    await waitFor("the echo Service to have a ready endpoint", () => {
      const out = kubectl(env, "-n", namespace, "get", "endpointslices", "-l", "kubernetes.io/service-name=echo", "-o", "jsonpath={.items[*].endpoints[*].conditions.ready}");
      return Promise.resolve(out.includes("true") ? true : undefined);
    });
    // busybox's nc resolves names through the C library, so this goes through the pod's resolv.conf and CoreDNS.
    const request = (host: string): string => `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 5 ${host} 80`;
    apply(clientPod("client", `nslookup echo.${namespace}.svc.cluster.local && ${request("echo")} && ${request(`echo.${namespace}.svc.cluster.local`)}`));
    const log = await podLog("client");
    const service = await cluster.core.readNamespacedService({ name: "echo", namespace });
    expect(log).toContain(`Address: ${service.spec?.clusterIP}`);
    expect(log.match(/HTTP\/1\.[01] 200 OK/g)).toHaveLength(2);
    expect(log.split(marker)).toHaveLength(3);
  });

  it("the host reaches the Service's ClusterIP", async () => {
    const service = await cluster.core.readNamespacedService({ name: "echo", namespace });
    const ip = service.spec?.clusterIP ?? "";
    const body = execFileSync("curl", ["-sf", "--max-time", "5", `http://${ip}/`], { encoding: "utf8" });
    expect(body.trim()).toBe(marker);
  });
});
