import { describe, expect, it } from "vitest";
import { formatError, MultiError, SlipwayError } from "../../../src/errors.js";
import {
  classify,
  documentsFromRender,
  parseDocuments,
  patchRuntime,
  patchStored,
  storedText,
  werfRuntimeAnnotations,
  type RenderedDocument,
  type Resource,
  type StoreAs,
} from "../../../src/resource/resource.js";

const opts = { releaseName: "r", releaseNamespace: "ns" };

function load(content: string, storeAs: StoreAs = "regular", source = "app/templates/x.yaml", warn?: (m: string) => void): Resource[] {
  return classify(parseDocuments([{ source, content, storeAs }], warn), { ...opts, warn });
}
const one = (content: string, storeAs: StoreAs = "regular"): Resource => {
  const [r] = load(content, storeAs);
  if (r === undefined) throw new Error("no resource");
  return r;
};

const cm = (name: string, annotations: Record<string, string> = {}, extra = ""): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations: ${JSON.stringify(annotations)}\n${extra}`;

describe("parsing", () => {
  it("expands Kind: List and drops non-string annotation values with a warning", () => {
    const warnings: string[] = [];
    const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, annotations: {num: 1, s: "x"}}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}`;
    const out = load(list, "regular", "app/templates/list.yaml", (m) => warnings.push(m));
    expect(out.map((r) => r.human)).toEqual(["ConfigMap/a", "Secret/b"]);
    expect(out[0]?.object.metadata.annotations).toEqual({ s: "x" });
    expect(warnings).toEqual(['app/templates/list.yaml: ConfigMap/a: annotation "num" has a non-string value and is dropped']);
  });

  it("takes the render output and crds/ files with their sources", () => {
    const head = { kind: "", apiVersion: "", metadataName: "", annotations: new Map<string, string>() };
    const docs = documentsFromRender(
      { manifests: [{ ...head, name: "app/templates/cm.yaml", content: cm("a") }], hooks: [{ ...head, name: "app/templates/job.yaml", content: cm("h"), events: ["pre-install"], weight: 0 }] },
      [{ source: "app/crds/crd.yaml", content: "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: b.example.com\n" }],
    );
    expect(docs.map((d: RenderedDocument) => `${d.storeAs} ${d.source}`)).toEqual(["none app/crds/crd.yaml", "none app/crds/crd.yaml", "hook app/templates/job.yaml", "regular app/templates/cm.yaml"]);
  });
});

describe("classification", () => {
  it("gives nelm's ids and human ids", () => {
    expect(one(cm("a")).id).toBe("::ConfigMap:a");
    const other = one(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: other}`);
    expect([other.id, other.human, other.namespace]).toEqual(["other:apps:Deployment:d", "Deployment/d (namespace=other)", "other"]);
    const cr = one(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:x"}`);
    expect([cr.id, cr.namespace]).toEqual([":rbac.authorization.k8s.io:ClusterRole:system:x", ""]);
  });

  it("ignores the namespace of a cluster-scoped kind with a warning, and lets discovery decide scope", () => {
    const warnings: string[] = [];
    const [pv] = load(`apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv, namespace: ns2}`, "regular", "app/templates/pv.yaml", (m) => warnings.push(m));
    expect(pv?.namespace).toBe("");
    expect(warnings[0]).toContain('is cluster-scoped, its metadata.namespace "ns2" is ignored');
    const [cr] = classify(parseDocuments([{ source: "f", content: `apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: x}`, storeAs: "regular" }]), {
      ...opts,
      namespaced: () => false,
    });
    expect(cr?.namespace).toBe("");
  });

  it("maps hooks, deploy-on and forced early kinds to stages per deploy type", () => {
    const hook = one(cm("h", { "helm.sh/hook": "pre-install,post-install,pre-upgrade", "helm.sh/hook-weight": "-5" }), "hook");
    expect(hook.deployConditions).toEqual({ install: ["pre-install", "post-install"], upgrade: ["pre-install"] });
    expect([hook.weight, hook.ownership, hook.deletePolicies]).toEqual([-5, "anyone", ["before-creation"]]);
    const onUpgrade = one(cm("u", { "werf.io/deploy-on": "upgrade", "helm.sh/hook": "pre-install" }), "hook");
    expect(onUpgrade.deployConditions).toEqual({ upgrade: ["install"] });
    expect(one(cm("plain")).deployConditions).toEqual({ install: ["install"], upgrade: ["install"], rollback: ["install"] });
    const ns = one(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n  annotations: {werf.io/weight: "5"}`);
    expect([ns.deployConditions.install, ns.weight]).toEqual([["pre-pre-install"], 0]);
    const crd = one(`apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: x.example.com\n  annotations: {helm.sh/hook: post-install}`, "hook");
    expect(crd.deployConditions).toEqual({ install: ["pre-pre-install"] });
  });

  it("werf.io/weight wins over hook-weight; manual dependencies drop the weight", () => {
    expect(one(cm("h", { "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "3", "werf.io/weight": "7" }), "hook").weight).toBe(7);
    const dep = one(cm("d", { "werf.io/weight": "7", "werf.io/deploy-dependency-db": "state=ready,kind=StatefulSet,name=db" }));
    expect(dep.weight).toBeUndefined();
    expect(dep.manualDeps).toEqual([{ state: "ready", kind: "StatefulSet", name: "db", namespace: undefined, group: undefined, version: undefined }]);
  });

  it("policies, ownership and tracking defaults", () => {
    const job = one(`apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {restartPolicy: OnFailure}}}`);
    expect([job.deletePolicies, job.recreateOnImmutable, job.failuresAllowed, job.ownership]).toEqual([["before-creation-if-immutable"], true, 0, "release"]);
    const deploy = one(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 3}`);
    expect([deploy.failuresAllowed, deploy.noActivityTimeoutMs, deploy.trackTerminationMode, deploy.failMode]).toEqual([3, 240_000, "WaitUntilResourceReady", "FailWholeDeployProcessImmediately"]);
    const custom = one(cm("c", { "helm.sh/resource-policy": "keep", "werf.io/ownership": "anyone", "werf.io/failures-allowed-per-replica": "2", "werf.io/track-termination-mode": "NonBlocking" }));
    expect([custom.resourcePolicies, custom.ownership, custom.failuresAllowed, custom.trackTerminationMode]).toEqual([["skip-delete"], "anyone", 2, "NonBlocking"]);
    const overridden = one(cm("o", { "helm.sh/resource-policy": "bogus", "werf.io/resource-policy": "skip-update" }));
    expect(overridden.resourcePolicies).toEqual(["skip-update"]);
    const crd = one(`apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.com}`, "none");
    expect(crd.ownership).toBe("anyone");
    const hookSucceeded = one(cm("s", { "helm.sh/hook": "post-install", "helm.sh/hook-delete-policy": "hook-succeeded,hook-failed" }), "hook");
    expect([hookSucceeded.deleteOnSucceeded, hookSucceeded.deleteOnFailed, hookSucceeded.recreate]).toEqual([true, true, false]);
  });

  it("log options and external dependencies", () => {
    const r = one(cm("l", {
      "werf.io/log-regex": "^ERR",
      "werf.io/log-regex-for-app": "x+",
      "werf.io/log-regex-skip-for-sidecar": "health",
      "werf.io/ignore-readiness-probe-fails-for-app": "1m",
      "werf.io/skip-logs-for-containers": "a, b",
      "db.external-dependency.werf.io": "apps/v1:StatefulSet:data:db",
      "s.external-dependency.werf.io/resource": "secret/creds",
      "s.external-dependency.werf.io/namespace": "vault",
    }));
    expect(r.logs.logRegex?.source).toBe("^ERR");
    expect(Object.keys(r.logs.logRegexFor)).toEqual(["app"]);
    expect(Object.keys(r.logs.logRegexSkipFor)).toEqual(["sidecar"]);
    expect(r.logs.ignoreReadinessProbeFailsFor).toEqual({ app: 60_000 });
    expect(r.logs.skipLogsForContainers).toEqual(["a", "b"]);
    expect(r.externalDeps).toEqual([{ apiVersion: "apps/v1", kind: "StatefulSet", namespace: "data", name: "db" }]);
    expect(r.legacyExternalDeps).toEqual([{ type: "secret", name: "creds", namespace: "vault" }]);
  });

  it("infers automatic dependencies from pod specs and bindings", () => {
    const deploy = one(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      serviceAccountName: sa
      imagePullSecrets: [{name: pull}]
      containers:
      - name: app
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a}}}
        - {name: B, valueFrom: {secretKeyRef: {name: opt, key: b, optional: true}}}
        envFrom: [{secretRef: {name: sec}}]
      volumes: [{name: v, configMap: {name: files}}, {name: p, persistentVolumeClaim: {claimName: data}}]
`);
    expect(deploy.autoDeps.map((d) => `${d.kind}/${d.name}`).sort()).toEqual(["ConfigMap/cfg", "ConfigMap/files", "PersistentVolumeClaim/data", "Secret/pull", "Secret/sec", "ServiceAccount/sa"]);
    const binding = one(`apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b}\nroleRef: {kind: Role, name: role, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: ServiceAccount, name: sa}]`);
    expect(binding.autoDeps.map((d) => `${d.kind}/${d.name}@${d.namespace ?? ""}`)).toEqual(["Role/role@ns", "ServiceAccount/sa@ns"]);
  });
});

// A corpus of bad manifests: each problem is reported once, naming the template file and the resource or key.
const BAD: readonly [string, string, string, RegExp][] = [
  ["no kind", "app/templates/a.yaml", "apiVersion: v1\nmetadata: {name: a}", /object has no kind/],
  ["no apiVersion", "app/templates/b.yaml", "kind: ConfigMap\nmetadata: {name: b}", /ConfigMap: object has no apiVersion/],
  ["no metadata", "app/templates/c.yaml", "apiVersion: v1\nkind: ConfigMap", /ConfigMap: object has no metadata/],
  ["no name", "app/templates/d.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}", /ConfigMap: object has no metadata.name \(metadata.generateName is not supported\)/],
  ["bad name", "app/templates/e.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a/b}", /ConfigMap\/a\/b: invalid metadata.name/],
  ["not an object", "app/templates/f.yaml", "- a\n- b", /manifest is not an object but an array/],
  ["bad yaml", "app/templates/g.yaml", "apiVersion: v1\nkind: [", /parse manifest:/],
  ["bad weight", "app/templates/h.yaml", cm("h", { "werf.io/weight": "heavy" }), /ConfigMap\/h: invalid value "heavy" for annotation "werf.io\/weight", expected integer value/],
  ["unknown hook", "app/templates/i.yaml", cm("i", { "helm.sh/hook": "pre-deploy" }), /ConfigMap\/i: value "pre-deploy" for annotation "helm.sh\/hook" is not supported/],
  ["bad deploy dependency", "app/templates/j.yaml", cm("j", { "werf.io/deploy-dependency-x": "name=db" }), /ConfigMap\/j: .*"state" property must be set/],
  ["bad delete dependency", "app/templates/k.yaml", cm("k", { "werf.io/delete-dependency-x": "state=ready,name=db" }), /unknown value "ready" for property "state"/],
  ["release namespace", "app/templates/l.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}", /release namespace "ns" cannot be deployed as part of the release/],
  ["bad fail mode", "app/templates/m.yaml", cm("m", { "werf.io/fail-mode": "Panic" }), /invalid unknown value "Panic" for annotation "werf.io\/fail-mode"/],
  ["bad track mode", "app/templates/n.yaml", cm("nn", { "werf.io/track-termination-mode": "Never" }), /invalid unknown value "Never" for annotation "werf.io\/track-termination-mode"/],
  ["bad propagation", "app/templates/o.yaml", cm("o", { "werf.io/delete-propagation": "foreground" }), /invalid unknown value "foreground" for annotation "werf.io\/delete-propagation"/],
  ["bad ownership", "app/templates/p.yaml", cm("p", { "werf.io/ownership": "me" }), /invalid unknown value "me" for annotation "werf.io\/ownership"/],
  ["bad log regex", "app/templates/q.yaml", cm("q", { "werf.io/log-regex-for-app": "(" }), /expected valid regular expression/],
  ["bad external dependency", "app/templates/r.yaml", cm("r", { "x.external-dependency.werf.io": "v1:Secret" }), /should be: apiVersion:kind\[:namespace\]:name/],
  ["bad helm resource policy", "app/templates/s.yaml", cm("s", { "helm.sh/resource-policy": "retain" }), /invalid unknown value "retain" for annotation "helm.sh\/resource-policy"/],
  ["bad replicas", "app/templates/t.yaml", cm("t", { "werf.io/replicas-on-creation": "two" }), /value must be a number/],
  ["labels not a map", "app/templates/u.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u, labels: [a]}", /metadata.labels must be a map of strings/],
];

describe("local validation", () => {
  it.each(BAD)("rejects %s, naming the file", (_name, source, content, message) => {
    let caught: unknown;
    try {
      classify(parseDocuments([{ source, content, storeAs: "regular" }]), opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SlipwayError);
    const text = formatError(caught);
    expect(text).toMatch(message);
    expect(text.startsWith(`Error: ${source}`)).toBe(true);
  });

  it("collects every problem of a chart into one MultiError", () => {
    const docs = BAD.map(([, source, content]) => ({ source, content, storeAs: "regular" as const }));
    expect(() => parseDocuments(docs)).toThrow(MultiError);
    // Documents that parse are classified together: each still reports its own problem.
    const parsable = docs.filter((d) => {
      try {
        parseDocuments([d]);
        return true;
      } catch {
        return false;
      }
    });
    let caught: unknown;
    try {
      classify(parseDocuments(parsable), opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MultiError);
    expect((caught as MultiError).errors.length).toBe(parsable.length);
    expect(parsable.length).toBeGreaterThanOrEqual(12);
  });

  it("reports several bad annotations of one resource together, and duplicates", () => {
    const both = cm("two", { "werf.io/weight": "x", "werf.io/fail-mode": "y" });
    expect(() => load(both)).toThrow(/2 errors occurred/);
    let caught: unknown;
    try {
      classify(parseDocuments([{ source: "app/templates/1.yaml", content: cm("a"), storeAs: "regular" }, { source: "app/templates/2.yaml", content: cm("a"), storeAs: "regular" }]), opts);
    } catch (err) {
      caught = err;
    }
    expect(formatError(caught)).toBe("Error: app/templates/2.yaml: validate for no duplicated resources: duplicated resources found: ConfigMap/a (also in app/templates/1.yaml)\n");
    const webhook = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: w}";
    expect(load(`${webhook}`).length + load(webhook).length).toBe(2);
  });
});

describe("patches", () => {
  it("stores extra metadata and folds Secret stringData into data", () => {
    const secret = one(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: eA==, b: eA==}\nstringData: {b: hello}`);
    const stored = patchStored(secret.object, { annotations: { "x/a": "1" }, labels: { team: "t" } });
    expect(stored["data"]).toEqual({ a: "eA==", b: Buffer.from("hello").toString("base64") });
    expect(stored["stringData"]).toBeUndefined();
    expect(stored.metadata.annotations).toEqual({ "x/a": "1" });
    expect(stored.metadata.labels).toEqual({ team: "t" });
    expect(secret.object["stringData"]).toEqual({ b: "hello" });
  });

  it("stores a patched object as text that reads back as the same object (YAML 1.1 words stay strings)", () => {
    const o = one(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {flag: "on"}}\ndata: {a: "yes", b: "1_000", c: "y", d: "0b101", e: "0o17", f: "1:30:00", g: "~", n: "3"}`);
    const stored = patchStored(o.object, { annotations: { "x/a": "1" }, labels: {} });
    const text = storedText(stored);
    expect(text).toMatch(/^apiVersion: v1\ndata:\n {2}a: "yes"/);
    const [back] = parseDocuments([{ source: "c.yaml", content: text, storeAs: "regular" }]);
    expect(back?.object).toEqual(stored);
  });

  it("adds release metadata only to ownership-release objects, runtime annotations to all", () => {
    const runtime = { releaseName: "r", releaseNamespace: "ns", annotations: werfRuntimeAnnotations({ version: "v2.0.0", project: "p" }), labels: {} };
    const owned = patchRuntime(one(cm("a")), runtime);
    expect(owned.metadata.annotations).toEqual({ "werf.io/version": "v2.0.0", "project.werf.io/name": "p", "meta.helm.sh/release-name": "r", "meta.helm.sh/release-namespace": "ns" });
    expect(owned.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "Helm" });
    expect(owned.metadata.namespace).toBe("ns");
    const hook = patchRuntime(one(cm("h", { "helm.sh/hook": "pre-install" }), "hook"), runtime);
    expect(hook.metadata.annotations?.["meta.helm.sh/release-name"]).toBeUndefined();
    expect(hook.metadata.labels).toBeUndefined();
  });
});
