import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { applyIsNoop } from "../../../src/deploy/unchanged.js";
import type { KubeObject } from "../../../src/kube/types.js";

const obj = (yaml: string): KubeObject => parse(yaml) as KubeObject;

// A Deployment as the API server returns it after `helm` applied DESIRED (shapes copied from the local cluster).
const DESIRED = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: ns
  labels: {app: web}
  annotations: {meta.helm.sh/release-name: r}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: busybox
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
          resources: {requests: {cpu: 100m}}
`;

const APPLIER = `
manager: helm
operation: Apply
apiVersion: apps/v1
fieldsType: FieldsV1
fieldsV1:
  f:metadata:
    f:labels: {f:app: {}}
    f:annotations: {f:meta.helm.sh/release-name: {}}
  f:spec:
    f:replicas: {}
    f:selector: {}
    f:template:
      f:metadata: {f:labels: {f:app: {}}}
      f:spec:
        f:containers:
          'k:{"name":"web"}':
            .: {}
            f:image: {}
            f:name: {}
            f:ports:
              'k:{"containerPort":8080,"protocol":"TCP"}': {.: {}, f:containerPort: {}, f:name: {}}
            f:env:
              'k:{"name":"POD"}': {.: {}, f:name: {}, f:valueFrom: {f:fieldRef: {}}}
            f:resources: {f:requests: {f:cpu: {}}}
`;

/** A JSON tree navigated by path in the mutations below. */
type Tree = Record<string, unknown>;
const at = (o: unknown, ...path: (string | number)[]): Tree => path.reduce<unknown>((node, key) => (node as Tree)[key], o) as Tree;
const container = (o: Tree): Tree => at(o, "spec", "template", "spec", "containers", 0);

function live(mutate: (o: Tree) => void = () => undefined): KubeObject {
  const o = obj(DESIRED) as unknown as Tree;
  const meta = at(o, "metadata");
  meta["uid"] = "u";
  meta["resourceVersion"] = "7";
  meta["managedFields"] = [obj(APPLIER), { manager: "kube-controller-manager", operation: "Update", subresource: "status", fieldsV1: { "f:status": {} } }];
  at(o, "spec")["strategy"] = { type: "RollingUpdate" };
  const c = container(o);
  at(c, "ports", 0)["protocol"] = "TCP"; // defaulted, and named in the list key
  at(c, "env", 0, "valueFrom", "fieldRef")["apiVersion"] = "v1"; // defaulted inside an atomic field
  c["terminationMessagePath"] = "/dev/termination-log";
  o["status"] = { replicas: 1 };
  mutate(o);
  return o as unknown as KubeObject;
}

function desired(mutate: (o: Tree) => void = () => undefined): KubeObject {
  const o = obj(DESIRED) as unknown as Tree;
  mutate(o);
  return o as unknown as KubeObject;
}

const managedFields = (o: Tree): Tree[] => at(o, "metadata")["managedFields"] as Tree[];

describe("applyIsNoop", () => {
  it("proves an unchanged Deployment (server defaults in atomic fields and list keys allowed)", () => {
    expect(applyIsNoop(live(), desired())).toBe(true);
  });

  it("proves an unchanged ConfigMap", () => {
    const d = obj(`{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns}, data: {a: "1", b: x}}`);
    const l = obj(`{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: ns, uid: u, managedFields: [{manager: helm, operation: Apply, apiVersion: v1, fieldsV1: {f:data: {f:a: {}, f:b: {}}}}]}, data: {a: "1", b: x}}`);
    expect(applyIsNoop(l, d)).toBe(true);
  });

  const cases: [string, KubeObject, KubeObject][] = [
    ["a changed value", live(), desired((o) => (at(o, "spec")["replicas"] = 2))],
    ["a value changed in the cluster", live((o) => (container(o)["image"] = "other")), desired()],
    ["a new field nobody owns yet", live(), desired((o) => (at(o, "spec")["minReadySeconds"] = 5))],
    ["a field the applier owns but the chart dropped (the apply would remove it)", live(), desired((o) => delete container(o)["resources"])],
    ["a label the chart dropped", live(), desired((o) => delete at(o, "metadata")["labels"])],
    ["a quantity the server normalises", live(), desired((o) => (at(container(o), "resources", "requests")["cpu"] = "0.1"))],
    ["a list item the live object holds more of (an injected sidecar)", live((o) => (at(o, "spec", "template", "spec", "containers") as unknown as Tree[]).push({ name: "proxy", image: "envoy" })), desired()],
    ["a port whose key names another protocol", live(), desired((o) => (at(container(o), "ports", 0)["protocol"] = "UDP"))],
    [
      "a field owned by another manager too",
      live((o) => {
        managedFields(o).push({ manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": { "f:paused": {} } } });
        at(o, "spec")["paused"] = false;
      }),
      desired((o) => (at(o, "spec")["paused"] = false)),
    ],
    ["no Apply entry of helm", live((o) => ((managedFields(o)[0] as Tree)["operation"] = "Update")), desired()],
    ["an Apply entry of another apiVersion", live((o) => ((managedFields(o)[0] as Tree)["apiVersion"] = "apps/v1beta2")), desired()],
    ["an explicit null", live(), desired((o) => (container(o)["args"] = null))],
    ["another apiVersion", live(), desired((o) => (o["apiVersion"] = "apps/v1beta2"))],
  ];
  it.each(cases)("asks the server on %s", (_name, l, d) => {
    expect(applyIsNoop(l, d)).toBe(false);
  });

  it("asks the server when two items of the chart match one list key", () => {
    const d = desired((o) => (at(container(o), "ports") as unknown as Tree[]).push({ containerPort: 8080 }));
    const l = live((o) => (at(container(o), "ports") as unknown as Tree[]).push({ containerPort: 8080, protocol: "TCP" }));
    expect(applyIsNoop(l, d)).toBe(false);
  });
});
