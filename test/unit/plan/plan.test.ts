import { describe, expect, it } from "vitest";
import { executePlan } from "../../../src/deploy/execute.js";
import { buildPlan, isNoop, topologicalOrder, type InstallInfo } from "../../../src/plan/plan.js";
import { classify, parseDocuments, type Resource } from "../../../src/resource/resource.js";

function resources(yaml: string, hook = false): Resource[] {
  const docs = yaml.split("\n---\n").map((content, i) => ({ source: `c/templates/${i}.yaml`, content, storeAs: hook ? ("hook" as const) : ("regular" as const) }));
  return classify(parseDocuments(docs), { releaseName: "r", releaseNamespace: "ns", deployType: "initial", namespaced: () => undefined });
}

const cm = (name: string, weight?: number): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${weight === undefined ? "" : `  annotations:\n    werf.io/weight: "${weight}"\n`}`;
const hook = (name: string, weight: number, when = "pre-install"): string =>
  `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\n  annotations:\n    helm.sh/hook: ${when}\n    helm.sh/hook-weight: "${weight}"\nspec: {}`;

function installs(list: Resource[]): InstallInfo[] {
  return list.flatMap((resource) => resource.stages.map((stage) => ({ resource, stage, iteration: 0, action: "create" as const, track: true, deleteOnSuccess: false })));
}

describe("buildPlan", () => {
  it("orders pre-hooks by weight, then weight groups, then post-hooks, with deletions first", () => {
    const regular = resources([cm("a", -1), cm("b"), cm("c", 1), cm("d", 1)].join("\n---\n"));
    const hooks = resources([hook("pre-a", -5), hook("pre-b", 5), hook("post", 0, "post-install")].join("\n---\n"), true);
    const plan = buildPlan({
      installs: installs([...regular, ...hooks]),
      deletes: [{ resourceId: "ns::ConfigMap:old" }],
      createRelease: true,
      finalUpdates: [{ revision: 1, status: "deployed" }],
    });
    const order = topologicalOrder(plan).filter((id) => !id.startsWith("stage/"));
    const at = (id: string): number => order.indexOf(id);
    expect(at("create-release")).toBeLessThan(at("delete/pre-pre-uninstall/0/ns::ConfigMap:old"));
    expect(at("delete/pre-pre-uninstall/0/ns::ConfigMap:old")).toBeLessThan(at("create/pre-install/0/ns:batch:Job:pre-a"));
    expect(at("track-readiness/pre-install/0/ns:batch:Job:pre-a")).toBeLessThan(at("create/pre-install/0/ns:batch:Job:pre-b"));
    expect(at("track-readiness/pre-install/0/ns:batch:Job:pre-b")).toBeLessThan(at("create/install/0/ns::ConfigMap:a"));
    expect(at("track-readiness/install/0/ns::ConfigMap:a")).toBeLessThan(at("create/install/0/ns::ConfigMap:b"));
    expect(at("track-readiness/install/0/ns::ConfigMap:d")).toBeLessThan(at("create/post-install/0/ns:batch:Job:post"));
    expect(at("track-readiness/post-install/0/ns:batch:Job:post")).toBeLessThan(at("update-release/1/deployed"));
    // c and d share weight 1: neither waits for the other.
    const edges = plan.edges;
    expect(edges.get("track-readiness/install/0/ns::ConfigMap:c")?.has("create/install/0/ns::ConfigMap:d") ?? false).toBe(false);
    expect(edges.get("stage/install/weight:1/start")).toEqual(new Set(["stage/install/weight:1/end", "create/install/0/ns::ConfigMap:c", "create/install/0/ns::ConfigMap:d"]));
    expect(isNoop(plan)).toBe(false);
  });

  it("is a no-op plan when nothing changes and nothing is tracked", () => {
    const plan = buildPlan({ installs: installs(resources(cm("a"))).map((i) => ({ ...i, action: undefined, track: false })), deletes: [], createRelease: false, finalUpdates: [] });
    expect(isNoop(plan)).toBe(true);
  });

  it("reports a dependency cycle", () => {
    const a = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    werf.io/deploy-dependency-b: state=present,kind=ConfigMap,name=b\n`;
    const b = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  annotations:\n    werf.io/deploy-dependency-a: state=present,kind=ConfigMap,name=a\n`;
    expect(() => buildPlan({ installs: installs(resources(`${a}\n---\n${b}`)), deletes: [], createRelease: false, finalUpdates: [] })).toThrow(/edge would create a cycle/);
  });

  it("is linear: 5,000 resources plan quickly with proportional size", () => {
    const make = (n: number) => {
      const list = resources(Array.from({ length: n }, (_, i) => cm(`cm-${i}`, i % 10)).join("\n---\n"));
      const started = performance.now();
      const plan = buildPlan({ installs: installs(list), deletes: [], createRelease: true, finalUpdates: [] });
      return { ms: performance.now() - started, ops: plan.operations.size };
    };
    const small = make(500);
    const big = make(5000);
    expect(big.ms).toBeLessThan(1000);
    expect(big.ops / small.ops).toBeGreaterThan(9);
    expect(big.ops / small.ops).toBeLessThan(11);
  });
});

describe("executePlan", () => {
  const chainPlan = () => {
    const list = resources([cm("a"), cm("b"), cm("c", 1)].join("\n---\n"));
    return buildPlan({ installs: installs(list), deletes: [], createRelease: false, finalUpdates: [] });
  };

  it("runs members of a group together and respects the bound", async () => {
    let running = 0;
    let peak = 0;
    const started: string[] = [];
    const result = await executePlan(
      chainPlan(),
      async (op) => {
        started.push(op.id);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      },
      { parallelism: 30 },
    );
    expect(result.error).toBeUndefined();
    expect(peak).toBe(2);
    expect(started.indexOf("create/install/0/ns::ConfigMap:c")).toBeGreaterThan(started.indexOf("track-readiness/install/0/ns::ConfigMap:b"));
    const bounded = await executePlan(chainPlan(), async () => { running++; peak = Math.max(peak, running); await new Promise((r) => setTimeout(r, 2)); running--; }, { parallelism: 1 });
    expect([...bounded.statuses.values()].every((s) => s === "completed")).toBe(true);
  });

  it("cancels everything after the first failure", async () => {
    const started: string[] = [];
    const result = await executePlan(
      chainPlan(),
      async (op, signal) => {
        started.push(op.id);
        if (op.id === "create/install/0/ns::ConfigMap:a") throw new Error("boom");
        await new Promise((r) => setTimeout(r, 20));
        if (signal.aborted) throw new Error("aborted");
      },
      { parallelism: 30 },
    );
    expect((result.error as Error).message).toBe("boom");
    expect(result.statuses.get("create/install/0/ns::ConfigMap:a")).toBe("failed");
    expect(result.statuses.get("create/install/0/ns::ConfigMap:c")).toBe("canceled");
    expect(started).not.toContain("create/install/0/ns::ConfigMap:c");
  });
});
