import { describe, expect, it } from "vitest";
import {
  buildFailurePlan,
  deletableInfoOf,
  isNoop,
  operationId,
  planFromJson,
  planOrder,
  planToDot,
  planToJson,
  planToText,
  type Plan,
} from "../../../src/plan/plan.js";
import { cm, edgeLines, installs, job, plan, REL, resources } from "./fixtures.js";

/** Brute force: no edge a→b may also be implied by a longer path. */
function assertReduced(p: Plan): void {
  const reach = (from: string, skip: string): boolean => {
    const stack = [...(p.edges.get(from) ?? [])].filter((x) => x !== skip);
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop() ?? "";
      if (id === skip) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(p.edges.get(id) ?? []));
    }
    return false;
  };
  for (const [from, tos] of p.edges) for (const to of tos) expect(reach(from, to), `${from} -> ${to} is redundant`).toBe(false);
}

const oldCm = { id: "::ConfigMap:old", human: "ConfigMap/old", apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "old" };

describe("buildPlan", () => {
  it("builds nelm's stages: deletions first, hooks at -5/5, groups -1/0/1 in parallel, release ops, hook-succeeded in pre-uninstall", () => {
    const regular = resources([cm("a", { "werf.io/weight": "-1" }), cm("b"), cm("c", { "werf.io/weight": "1" }), cm("d", { "werf.io/weight": "1" })]);
    const hooks = resources(
      [
        job("pre-a", { "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "-5" }),
        job("pre-b", { "helm.sh/hook": "pre-install", "helm.sh/hook-weight": "5", "helm.sh/hook-delete-policy": "hook-succeeded" }),
      ],
      "hook",
    );
    const p = plan({
      installs: installs([...regular, ...hooks]),
      deletes: [{ resource: oldCm }],
      release: { create: { release: REL, status: "pending-upgrade" }, final: [{ release: REL, status: "deployed" }, { release: { ...REL, revision: 1 }, status: "superseded" }] },
    });
    expect(edgeLines(p)).toEqual([
      "@final/start -> update-release/0/ns:r:2:deployed",
      "@init/end -> @pre-pre-uninstall/start",
      "@init/start -> create-release/0/ns:r:2",
      "@install/end -> @final/start",
      "@install/start -> @install/weight:-1/start",
      "@install/weight:-1/end -> @install/weight:0/start",
      "@install/weight:-1/start -> create/0/::ConfigMap:a",
      "@install/weight:0/end -> @install/weight:1/start",
      "@install/weight:0/start -> create/0/::ConfigMap:b",
      "@install/weight:1/end -> @install/end",
      "@install/weight:1/start -> create/0/::ConfigMap:c",
      "@install/weight:1/start -> create/0/::ConfigMap:d",
      "@pre-install/end -> @pre-uninstall/start",
      "@pre-install/start -> @pre-install/weight:-5/start",
      "@pre-install/weight:-5/end -> @pre-install/weight:5/start",
      "@pre-install/weight:-5/start -> create/0/:batch:Job:pre-a",
      "@pre-install/weight:5/end -> @pre-install/end",
      "@pre-install/weight:5/start -> create/0/:batch:Job:pre-b",
      "@pre-pre-uninstall/end -> @pre-install/start",
      "@pre-pre-uninstall/start -> delete/0/::ConfigMap:old",
      "@pre-uninstall/end -> @install/start",
      "@pre-uninstall/start -> delete/0/:batch:Job:pre-b",
      "create-release/0/ns:r:2 -> @init/end",
      "create/0/::ConfigMap:a -> track-readiness/0/::ConfigMap:a",
      "create/0/::ConfigMap:b -> track-readiness/0/::ConfigMap:b",
      "create/0/::ConfigMap:c -> track-readiness/0/::ConfigMap:c",
      "create/0/::ConfigMap:d -> track-readiness/0/::ConfigMap:d",
      "create/0/:batch:Job:pre-a -> track-readiness/0/:batch:Job:pre-a",
      "create/0/:batch:Job:pre-b -> track-readiness/0/:batch:Job:pre-b",
      "delete/0/::ConfigMap:old -> track-absence/0/::ConfigMap:old",
      "delete/0/:batch:Job:pre-b -> track-absence/0/:batch:Job:pre-b",
      "track-absence/0/::ConfigMap:old -> @pre-pre-uninstall/end",
      "track-absence/0/:batch:Job:pre-b -> @pre-uninstall/end",
      "track-readiness/0/::ConfigMap:a -> @install/weight:-1/end",
      "track-readiness/0/::ConfigMap:b -> @install/weight:0/end",
      "track-readiness/0/::ConfigMap:c -> @install/weight:1/end",
      "track-readiness/0/::ConfigMap:d -> @install/weight:1/end",
      "track-readiness/0/:batch:Job:pre-a -> @pre-install/weight:-5/end",
      "track-readiness/0/:batch:Job:pre-b -> @pre-install/weight:5/end",
      "update-release/0/ns:r:1:superseded -> @final/end",
      "update-release/0/ns:r:2:deployed -> update-release/0/ns:r:1:superseded",
    ]);
    assertReduced(p);
    expect(planToJson(p).operations.map((op) => op.id)).toContain(operationId("create", 0, ":batch:Job:pre-a"));
    expect(operationId("create", 0, ":apps:Deployment:app")).toBe("create/1/0/:apps:Deployment:app");
    const order = planOrder(p);
    expect(order.indexOf("track-absence/1/0/::ConfigMap:old")).toBeLessThan(order.indexOf("create/1/0/:batch:Job:pre-a"));
    expect(isNoop(p)).toBe(false);
  });

  it("puts Namespaces and CRDs in pre-pre-install, before pre-hooks", () => {
    const list = resources([
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}",
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}",
    ]);
    const hooks = resources([job("pre", { "helm.sh/hook": "pre-install" })], "hook");
    const p = plan({ installs: installs([...list, ...hooks]) });
    const lines = edgeLines(p);
    expect(lines).toContain("@pre-pre-install/start -> @pre-pre-install/weight:0/start");
    expect(lines).toContain("@pre-pre-install/weight:0/start -> create/0/:apiextensions.k8s.io:CustomResourceDefinition:x.example.com");
    expect(lines).toContain("@pre-pre-install/end -> @pre-install/start");
  });

  it("connects manual and automatic dependencies in the same group and reduces redundant edges", () => {
    const list = resources([
      cm("cfg"),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {template: {spec: {containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]}}}`,
      cm("after", { "werf.io/deploy-dependency-app": "state=ready,kind=Deployment,name=app" }),
    ]);
    const p = plan({ installs: installs(list, { track: false }) });
    const lines = edgeLines(p);
    expect(lines).toContain("create/0/::ConfigMap:cfg -> create/0/:apps:Deployment:app");
    // `ready` forces readiness tracking of the target even though tracking was off.
    expect(lines).toContain("create/0/:apps:Deployment:app -> track-readiness/0/:apps:Deployment:app");
    expect(lines).toContain("track-readiness/0/:apps:Deployment:app -> create/0/::ConfigMap:after");
    // The dependent no longer hangs off the group start directly.
    expect(lines).not.toContain("@install/weight:0/start -> create/0/:apps:Deployment:app");
    assertReduced(p);
  });

  it("rejects an automatic dependency on a higher weight with nelm's cycle error, naming the cycle", () => {
    const list = resources([
      cm("app-config"),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  annotations: {werf.io/weight: "-1"}\nspec: {template: {spec: {containers: [{name: c, env: [{name: A, valueFrom: {configMapKeyRef: {name: app-config, key: a}}}]}]}}}`,
    ]);
    expect(() => plan({ installs: installs(list) })).toThrow(
      'build plan: connect internal dependencies: depend "create/1/0/:apps:Deployment:app" from "create/1/0/::ConfigMap:app-config": add edge from "create/1/0/::ConfigMap:app-config" to "create/1/0/:apps:Deployment:app": edge would create a cycle (',
    );
  });

  it("rejects a manual dependency cycle and lists it", () => {
    const list = resources([
      cm("a", { "werf.io/deploy-dependency-b": "state=present,kind=ConfigMap,name=b" }),
      cm("b", { "werf.io/deploy-dependency-a": "state=present,kind=ConfigMap,name=a" }),
    ]);
    expect(() => plan({ installs: installs(list) })).toThrow(/edge would create a cycle \(create\/1\/0\/::ConfigMap:(a|b) -> create\/1\/0\/::ConfigMap:(a|b) -> create\/1\/0\/::ConfigMap:(a|b)\)/);
  });

  it("de-duplicates external presence ops and orders deletions by delete dependencies", () => {
    const ext = { "db.external-dependency.werf.io": "v1:Secret:creds" };
    const list = resources([cm("xx", ext), cm("yy", ext)]);
    const p = plan({
      installs: installs(list),
      deletes: [
        { resource: oldCm, deleteDeps: [{ state: "absent", kind: "ConfigMap", name: "older" }] },
        { resource: { ...oldCm, id: "::ConfigMap:older", human: "ConfigMap/older", name: "older" } },
      ],
    });
    const presence = [...p.operations.values()].filter((op) => op.type === "track-presence");
    expect(presence.map((op) => op.id)).toEqual(["track-presence/1/0/:v1:Secret:creds".replace(":v1:", "::")]);
    const lines = edgeLines(p);
    expect(lines).toContain("track-presence/0/::Secret:creds -> create/0/::ConfigMap:xx");
    expect(lines).toContain("track-presence/0/::Secret:creds -> create/0/::ConfigMap:yy");
    expect(lines).toContain("track-absence/0/::ConfigMap:older -> delete/0/::ConfigMap:old");
    assertReduced(p);
  });

  it("orders removals automatically: workloads before their ServiceAccount, custom resources before their CRD", () => {
    const old = resources([
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {template: {spec: {serviceAccountName: sa, containers: []}}}",
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec: {group: example.com, names: {kind: Widget}}",
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}",
      cm("unrelated"),
    ]);
    const p = plan({ deletes: old.map((r) => deletableInfoOf(r)) });
    const lines = edgeLines(p);
    expect(lines).toContain("track-absence/0/:apps:Deployment:app -> delete/0/::ServiceAccount:sa");
    expect(lines).toContain("track-absence/0/:example.com:Widget:w -> delete/0/:apiextensions.k8s.io:CustomResourceDefinition:widgets.example.com");
    expect(lines).toContain("@pre-pre-uninstall/start -> delete/0/::ConfigMap:unrelated");
    expect(lines).not.toContain("@pre-pre-uninstall/start -> delete/0/::ServiceAccount:sa");
    expect([...p.operations.values()].find((o) => o.type === "delete" && o.resource.name === "sa")).toMatchObject({ propagation: undefined });
    assertReduced(p);
  });

  it("places a shared external presence op in the earliest group that needs it", () => {
    const ext = { "db.external-dependency.werf.io": "v1:Secret:creds" };
    const list = resources([
      cm("late", { ...ext, "werf.io/weight": "5" }),
      cm("early", { ...ext, "werf.io/weight": "-5" }),
      cm("free", { "werf.io/deploy-dependency-x": "state=present,kind=ConfigMap,name=early" }),
    ]);
    const p = plan({ installs: installs(list) });
    const lines = edgeLines(p);
    expect(lines).toContain("@install/weight:-5/start -> track-presence/0/::Secret:creds");
    expect(lines).toContain("track-presence/0/::Secret:creds -> create/0/::ConfigMap:early");
    expect(lines).toContain("@install/weight:5/start -> create/0/::ConfigMap:late");
    expect(lines).not.toContain("track-presence/0/::Secret:creds -> create/0/::ConfigMap:late");
    // `free` has no weight (manual dependency): it sits beside the groups, ordered by edges only.
    expect(lines).toContain("create/0/::ConfigMap:early -> create/0/::ConfigMap:free");
    assertReduced(p);
  });

  it("with --no-final-tracking drops tracking that nothing waits for", () => {
    const list = resources([cm("a", { "werf.io/weight": "-1" }), cm("b")]);
    const p = plan({ installs: installs(list), noFinalTracking: true });
    expect(p.operations.has("track-readiness/1/0/::ConfigMap:a")).toBe(true);
    expect(p.operations.has("track-readiness/1/0/::ConfigMap:b")).toBe(false);
  });

  it("is a no-op when nothing changes and nothing is tracked, and prints the plan", () => {
    const list = resources([cm("a"), cm("b")]);
    const idle = plan({ installs: installs(list, { action: "none", track: false }) });
    expect(isNoop(idle)).toBe(true);
    expect(planToText(idle)).toBe("unchanged ConfigMap/a\nunchanged ConfigMap/b\nPlan: 0 to create, 0 to update, 0 to delete, 2 unchanged.\n");
    const [a, b] = list;
    if (a === undefined || b === undefined) throw new Error("fixture");
    const busy = plan({
      installs: [
        { resource: a, stage: "install", iteration: 0, action: "update", track: true, deleteOnSuccess: false },
        { resource: b, stage: "install", iteration: 0, action: "recreate", track: true, deleteOnSuccess: false },
      ],
      deletes: [{ resource: oldCm }],
    });
    expect(planToText(busy)).toBe("delete ConfigMap/old\nupdate ConfigMap/a\nrecreate ConfigMap/b (delete, then create)\nPlan: 1 to create, 1 to update, 1 to delete, 0 unchanged.\n");
  });

  it("round-trips through JSON and draws DOT", () => {
    const p = plan({ installs: installs(resources([cm("a")])), release: { create: { release: REL, status: "pending-install" }, final: [{ release: REL, status: "deployed" }] } });
    const json = JSON.parse(JSON.stringify(planToJson(p))) as ReturnType<typeof planToJson>;
    const back = planFromJson(json);
    expect(edgeLines(back)).toEqual(edgeLines(p));
    expect(() => planFromJson({ ...json, edges: [...json.edges, { from: "create/1/0/::ConfigMap:a", to: "create-release/1/0/ns:r:2" }] })).toThrow(/cycle/);
    expect(planToDot(p)).toContain('"create/1/0/::ConfigMap:a" -> "track-readiness/1/0/::ConfigMap:a";');
  });

  it("builds the failure plan: release failed, delete-on-failed resources whose readiness failed", () => {
    const list = resources([job("migrate", { "helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "hook-failed" }), job("other", { "helm.sh/hook": "pre-install", "helm.sh/hook-delete-policy": "hook-failed" })], "hook");
    const statuses = new Map([
      ["create-release/1/0/ns:r:2", "completed" as const],
      ["track-readiness/1/0/:batch:Job:migrate", "failed" as const],
      ["track-readiness/1/0/:batch:Job:other", "canceled" as const],
    ]);
    const p = buildFailurePlan({ installs: installs(list), statuses, release: { release: REL, createOpId: "create-release/1/0/ns:r:2" } });
    expect([...p.operations.keys()].filter((id) => !id.startsWith("noop/")).sort()).toEqual([
      "delete/1/0/:batch:Job:migrate",
      "track-absence/1/0/:batch:Job:migrate",
      "update-release/1/0/ns:r:2:failed",
    ]);
    const notWritten = buildFailurePlan({ installs: [], statuses: new Map(), release: { release: REL, createOpId: "create-release/1/0/ns:r:2" } });
    expect(isNoop(notWritten)).toBe(true);
    expect([...notWritten.operations.values()].some((op) => op.type === "update-release")).toBe(false);
  });

  it("is linear: 5,000 resources plan well under a second, size proportional to 500", () => {
    const measure = (n: number) => {
      const docs = Array.from({ length: n }, (_, i) => cm(`cm-${i}`, { "werf.io/weight": String(i % 10) }));
      // Every tenth resource is a Deployment reading a ConfigMap of its own weight group: dependency edges too.
      for (let i = 0; i < n; i += 10) {
        docs[i] = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-${i}\n  annotations: {werf.io/weight: "0"}\nspec: {template: {spec: {containers: [{name: c, envFrom: [{configMapRef: {name: cm-${i + 10}}}]}]}}}`;
      }
      const infos = installs(resources(docs));
      const started = performance.now();
      const p = plan({ installs: infos, deletes: [{ resource: oldCm }], release: { create: { release: REL, status: "pending-install" }, final: [] } });
      const ms = performance.now() - started;
      let edges = 0;
      for (const tos of p.edges.values()) edges += tos.size;
      return { ms, nodes: p.operations.size, edges };
    };
    const small = measure(500);
    const big = measure(5000);
    expect(big.ms).toBeLessThan(1000);
    expect(big.nodes / small.nodes).toBeGreaterThan(9);
    expect(big.nodes / small.nodes).toBeLessThan(11);
    expect(big.edges / small.edges).toBeGreaterThan(9);
    expect(big.edges / small.edges).toBeLessThan(11);
  });
});
