// converge deploys for real: release records Helm can read, no new revision when nothing changed, pruning and the
// keep policy, adoption, immutable Jobs, the lock, and interop with the real helm v3.17.3. Real cluster, real node.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { helmBinary } from "../helpers/oracles.js";
import { uniqueName } from "../helpers/cluster.js";
import { startKubeProxy } from "../helpers/kube-proxy.js";
import { busyboxDeployment, busyboxJob, configMapYaml, converge, deleteNamespace, kubectl, kubectlJson, makeProject } from "../helpers/werf-project.js";

const env = inject("localEnv");
const namespaces: string[] = [];
afterAll(() => {
  for (const ns of namespaces) deleteNamespace(env, ns);
});

function fresh(prefix: string): { namespace: string; release: string } {
  const namespace = uniqueName(prefix);
  namespaces.push(namespace);
  return { namespace, release: prefix };
}

const helm = (...args: string[]): string =>
  execFileSync(helmBinary(), [...args, "--kubeconfig", env.kubeconfig, "--kube-context", env.context], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

const deployment = (name: string): string => busyboxDeployment(env.registry, name);

const configMap = (name: string, data: string, extra = ""): string => configMapYaml(name, data, extra);

interface Secret {
  metadata: { name: string; labels: Record<string, string> };
  type: string;
}

function releaseSecrets(namespace: string, release: string): Secret[] {
  return kubectlJson<{ items: Secret[] }>(env, "get", "secrets", "-n", namespace, "-l", `name=${release},owner=helm`).items.sort((a, b) =>
    Number(a.metadata.labels["version"]) - Number(b.metadata.labels["version"]),
  );
}

describe("converge deploys a chart", () => {
  it("creates the resources, stores a Helm 3 release, and a second run writes nothing and no revision", async () => {
    const { namespace, release } = fresh("dep-basic");
    const project = makeProject({
      project: "dep-basic",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: basic\nversion: 0.1.0\n",
        "values.yaml": "greeting: hello\n",
        "templates/cm.yaml": configMap("basic-config", "{{ .Values.greeting }}"),
        "templates/deploy.yaml": deployment("basic"),
        "templates/NOTES.txt": "Deployed {{ .Release.Name }}.\n",
      },
    });
    const first = await converge(env, project, { namespace, release, args: ["--set", "greeting=hi"] });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Succeeded release "${release}" (namespace: "${namespace}")`);
    expect(first.stdout).toContain("Deployed dep-basic.");
    expect(kubectl(env, "get", "configmap", "basic-config", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("hi");
    const ready = kubectl(env, "get", "deployment", "basic", "-n", namespace, "-o", "jsonpath={.status.readyReplicas}");
    expect(ready).toBe("1");

    const secrets = releaseSecrets(namespace, release);
    expect(secrets.map((s) => s.metadata.name)).toEqual([`sh.helm.release.v1.${release}.v1`]);
    expect(secrets[0]?.type).toBe("helm.sh/release.v1");
    expect(secrets[0]?.metadata.labels).toMatchObject({ name: release, owner: "helm", status: "deployed", version: "1" });

    const listed = JSON.parse(helm("list", "-n", namespace, "-o", "json")) as { name: string; revision: string; status: string; chart: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: release, revision: "1", status: "deployed", chart: "basic-0.1.0" })]);
    expect(helm("get", "manifest", release, "-n", namespace)).toContain("# Source: basic/templates/cm.yaml");
    expect(JSON.parse(helm("get", "values", release, "-n", namespace, "-o", "json"))).toEqual({ greeting: "hi" });

    const dir = mkdtempSync(join(tmpdir(), "slipway-proxy-"));
    const proxy = await startKubeProxy(env, dir);
    try {
      const second = await converge(env, project, {
        namespace,
        release,
        args: ["--set", "greeting=hi"],
        env: { KUBECONFIG: proxy.kubeconfig, WERF_KUBE_CONTEXT: "proxied" },
      });
      expect(second.stderr).toBe("");
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`Skipped release "${release}" (namespace: "${namespace}"): cluster resources already as desired`);
      // The only writes a no-op converge makes are werf's lock on its ConfigMap (take, renew, release).
      const writes = proxy.writes().filter((w) => !w.path.includes("/configmaps/werf-synchronization"));
      expect(writes).toEqual([]);
      expect(proxy.requests.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
    expect(releaseSecrets(namespace, release)).toHaveLength(1);

    // Changes made in the cluster since (another field manager, the scale subresource) are reverted by the next
    // converge of the unchanged chart, as nelm's dry-run comparison does.
    kubectl(env, "patch", "configmap", "basic-config", "-n", namespace, "--type=merge", "-p", '{"data":{"value":"edited"}}');
    kubectl(env, "scale", "deployment", "basic", "-n", namespace, "--replicas=0");
    const third = await converge(env, project, { namespace, release, args: ["--set", "greeting=hi"] });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain(`Succeeded release "${release}" (namespace: "${namespace}")`);
    expect(kubectl(env, "get", "configmap", "basic-config", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("hi");
    expect(kubectl(env, "get", "deployment", "basic", "-n", namespace, "-o", "jsonpath={.spec.replicas}")).toBe("1");
  });

  it("a no-op converge still asks the server (dry-run) about kinds an admission policy may act on", async () => {
    const { namespace, release } = fresh("dep-admission");
    const project = makeProject({
      project: "dep-admission",
      chart: { "Chart.yaml": "apiVersion: v2\nname: admission\nversion: 0.1.0\n", "templates/cm.yaml": configMap("watched", "1") },
    });
    expect((await converge(env, project, { namespace, release })).code).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "slipway-admission-"));
    const dryRuns = async (): Promise<string[]> => {
      const proxy = await startKubeProxy(env, dir);
      try {
        const r = await converge(env, project, { namespace, release, env: { KUBECONFIG: proxy.kubeconfig, WERF_KUBE_CONTEXT: "proxied" } });
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`Skipped release "${release}"`);
        return proxy.requests.filter((q) => q.method === "PATCH" && /[?&]dryRun=All/.test(q.path)).map((q) => q.path.split("?")[0] ?? "");
      } finally {
        await proxy.close();
      }
    };
    // Without admission hooks for ConfigMaps, the unchanged ConfigMap is proven unchanged locally.
    expect(await dryRuns()).toEqual([]);
    // A policy (without a binding, so it acts on nothing) that covers ConfigMap updates: admission sees every
    // dry-run, so slipway asks the server again.
    const policy = `slipway-e2e-${namespace}`;
    const file = join(dir, "policy.yaml");
    writeFileSync(
      file,
      `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: ${policy}}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["configmaps"]}]\n  validations: [{expression: "true"}]\n`,
    );
    kubectl(env, "apply", "-f", file);
    try {
      expect(await dryRuns()).toEqual([`/api/v1/namespaces/${namespace}/configmaps/watched`]);
    } finally {
      kubectl(env, "delete", "validatingadmissionpolicy", policy, "--ignore-not-found");
    }
  });

  it("removes what left the chart, keeps helm.sh/resource-policy: keep, and records revisions helm can roll back", async () => {
    const { namespace, release } = fresh("dep-prune");
    const project = makeProject({
      project: "dep-prune",
      chart: {
        "Chart.yaml": "apiVersion: v2\nname: prune\nversion: 0.1.0\n",
        "templates/a.yaml": configMap("a", "1"),
        "templates/b.yaml": configMap("b", "1"),
        "templates/kept.yaml": configMap("kept", "1", "  annotations:\n    helm.sh/resource-policy: keep\n"),
      },
    });
    expect((await converge(env, project, { namespace, release })).code).toBe(0);
    project.write({ ".helm/templates/b.yaml": null, ".helm/templates/kept.yaml": null, ".helm/templates/a.yaml": configMap("a", "2") });
    project.commit("drop b and kept");
    const second = await converge(env, project, { namespace, release });
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const names = kubectl(env, "get", "configmaps", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}").split(" ");
    expect(names).toContain("a");
    expect(names).toContain("kept");
    expect(names).not.toContain("b");
    const history = JSON.parse(helm("history", release, "-n", namespace, "-o", "json")) as { revision: number; status: string }[];
    expect(history.map((h) => [h.revision, h.status])).toEqual([[1, "superseded"], [2, "deployed"]]);

    // Helm 3 itself refuses to roll back onto an object that exists but is missing from the current revision
    // ("no ConfigMap with the name "kept" found"), whoever wrote the release: the kept object goes first.
    kubectl(env, "delete", "configmap", "kept", "-n", namespace);
    helm("rollback", release, "1", "-n", namespace);
    expect(kubectl(env, "get", "configmap", "a", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("1");
    // slipway upgrades the release helm rolled back (revision 3 → 4).
    const third = await converge(env, project, { namespace, release });
    expect(third.code).toBe(0);
    expect(kubectl(env, "get", "configmap", "a", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("2");
    const after = JSON.parse(helm("history", release, "-n", namespace, "-o", "json")) as { revision: number; status: string }[];
    expect(after.at(-1)).toEqual(expect.objectContaining({ revision: 4, status: "deployed" }));
  });

  it("refuses to adopt a resource of another owner without --force-adoption and takes it with it", async () => {
    const { namespace, release } = fresh("dep-adopt");
    kubectl(env, "create", "namespace", namespace);
    kubectl(env, "create", "configmap", "taken", "-n", namespace, "--from-literal=value=manual");
    const project = makeProject({
      project: "dep-adopt",
      chart: { "Chart.yaml": "apiVersion: v2\nname: adopt\nversion: 0.1.0\n", "templates/cm.yaml": configMap("taken", "chart") },
    });
    const refused = await converge(env, project, { namespace, release });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ConfigMap\/taken/);
    expect(refused.stderr).toMatch(/meta\.helm\.sh\/release-name/);
    expect(kubectl(env, "get", "configmap", "taken", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("manual");
    const graph = join(mkdtempSync(join(tmpdir(), "slipway-graph-")), "plan.dot");
    const adopted = await converge(env, project, { namespace, release, args: ["--force-adoption", "--deploy-graph-path", graph] });
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    // --deploy-graph-path: the plan as Graphviz, the adopted ConfigMap's update among its operations.
    const dot = readFileSync(graph, "utf8");
    expect(dot).toMatch(/^(strict )?digraph/);
    expect(dot).toContain("update/1/0/::ConfigMap:taken");
    expect(kubectl(env, "get", "configmap", "taken", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("chart");
    expect(kubectl(env, "get", "configmap", "taken", "-n", namespace, "-o", "jsonpath={.metadata.annotations.meta\\.helm\\.sh/release-name}")).toBe(release);
  });

  it("recreates a Job whose immutable template changed", async () => {
    const { namespace, release } = fresh("dep-job");
    const job = (message: string): string => busyboxJob(env.registry, "migrate", `echo ${message}`, { container: "migrate" });
    const project = makeProject({
      project: "dep-job",
      chart: { "Chart.yaml": "apiVersion: v2\nname: job\nversion: 0.1.0\n", "templates/job.yaml": job("one") },
    });
    expect((await converge(env, project, { namespace, release })).code).toBe(0);
    const uid1 = kubectl(env, "get", "job", "migrate", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
    project.write({ ".helm/templates/job.yaml": job("two") });
    project.commit("new job");
    const second = await converge(env, project, { namespace, release });
    expect(second.stderr).toBe("");
    expect(second.code).toBe(0);
    const uid2 = kubectl(env, "get", "job", "migrate", "-n", namespace, "-o", "jsonpath={.metadata.uid}");
    expect(uid2).not.toBe(uid1);
    expect(kubectl(env, "get", "job", "migrate", "-n", namespace, "-o", "jsonpath={.status.succeeded}")).toBe("1");
  });
});

describe("plan, rollback and dismiss", () => {
  it("plans without writing (exit code 2 with --exit-code), rolls back to a revision, and dismisses with the namespace", async () => {
    const { namespace, release } = fresh("dep-cmds");
    const project = makeProject({
      project: "dep-cmds",
      chart: {
        "values.yaml": "v: one\n",
        "templates/cm.yaml": configMap("cmds", "{{ .Values.v }}"),
        "templates/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: cmds\nstringData:\n  password: "{{ .Values.v }}-secret"\n`,
      },
    });
    expect((await converge(env, project, { namespace, release })).code).toBe(0);
    // A chart without Chart.yaml gets werf's defaults: the project name and version 1.0.0.
    const listed = JSON.parse(helm("list", "-n", namespace, "-o", "json")) as { chart: string }[];
    expect(listed[0]?.chart).toBe("dep-cmds-1.0.0");

    const planned = await converge(env, project, { namespace, release, command: "plan", args: ["--set", "v=two", "--exit-code"] });
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("~ update ConfigMap/cmds");
    expect(planned.stdout).toMatch(/- +value: one\n.*\+ +value: two/s);
    expect(planned.stdout).not.toContain("two-secret");
    expect(planned.stdout).not.toContain(Buffer.from("two-secret").toString("base64"));
    expect(kubectl(env, "get", "configmap", "cmds", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("one");
    expect(releaseSecrets(namespace, release)).toHaveLength(1);
    const quiet = await converge(env, project, { namespace, release, command: "plan", args: ["--exit-code"] });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toContain("No changes");

    expect((await converge(env, project, { namespace, release, args: ["--set", "v=two"] })).code).toBe(0);
    expect((await converge(env, project, { namespace, release, args: ["--set", "v=three"] })).code).toBe(0);
    const back = await converge(env, project, { namespace, release, command: "rollback", args: ["--revision", "2"] });
    expect(back.stderr).toBe("");
    expect(back.code).toBe(0);
    expect(kubectl(env, "get", "configmap", "cmds", "-n", namespace, "-o", "jsonpath={.data.value}")).toBe("two");
    const history = JSON.parse(helm("history", release, "-n", namespace, "-o", "json")) as { revision: number; status: string; description: string }[];
    expect(history.map((h) => h.status)).toEqual(["superseded", "superseded", "superseded", "deployed"]);
    expect(history.at(-1)?.description).toBe("Rollback to 2");

    const dismissed = await converge(env, project, { namespace, release, command: "dismiss", args: ["--with-namespace"] });
    expect(dismissed.stderr).toBe("");
    expect(dismissed.code).toBe(0);
    expect(() => kubectl(env, "get", "namespace", namespace)).toThrow(/NotFound/);
  });
});

describe("slipway's own converge flags", () => {
  it("--deploy-deadline ends the whole deploy, and --cleanup-on-fail removes what a failed first install created", async () => {
    const { namespace, release } = fresh("dep-deadline");
    const project = makeProject({
      project: "dep-deadline",
      chart: {
        "templates/cm.yaml": configMap("left-behind", "1"),
        // Never ready: the probe always fails, so only the deadline can end the converge.
        "templates/deploy.yaml": busyboxDeployment(env.registry, "stuck").replace(
          '        command: ["sh", "-c", "echo started stuck; exec sleep 3600"]\n',
          '        command: ["sh", "-c", "echo started stuck; exec sleep 3600"]\n        readinessProbe:\n          exec: {command: ["false"]}\n          periodSeconds: 1\n',
        ),
      },
    });
    const started = Date.now();
    const result = await converge(env, project, { namespace, release, args: ["--deploy-deadline", "8", "--cleanup-on-fail"] });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the deploy did not finish within --deploy-deadline 8s");
    expect(elapsed).toBeLessThan(60_000);
    // The release record is failed, not pending, and what the failed first install created is gone.
    expect(releaseSecrets(namespace, release).map((s) => s.metadata.labels["status"])).toEqual(["failed"]);
    expect(kubectl(env, "get", "configmaps", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}")).not.toContain("left-behind");
    expect(kubectl(env, "get", "deployments", "-n", namespace, "-o", "jsonpath={.items[*].metadata.name}")).not.toContain("stuck");
  });
});
