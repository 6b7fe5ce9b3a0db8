import { buildPlan, type InstallableInfo, type Plan, type PlanInput } from "../../../src/plan/plan.js";
import { classify, parseDocuments, type Resource, type Stage, type StoreAs } from "../../../src/resource/resource.js";

export const REL = { name: "r", namespace: "ns", revision: 2 };

export function resources(docs: readonly string[], storeAs: StoreAs = "regular"): Resource[] {
  return classify(
    parseDocuments(docs.map((content, i) => ({ source: `app/templates/${i}.yaml`, content, storeAs }))),
    { releaseName: "r", releaseNamespace: "ns" },
  );
}

export const cm = (name: string, annotations: Record<string, string> = {}): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations: ${JSON.stringify(annotations)}\n`;

export const job = (name: string, annotations: Record<string, string>): string =>
  `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${name}\n  annotations: ${JSON.stringify(annotations)}\nspec: {}\n`;

/** Every stage of the install deploy type, create + track, like a first install. */
export function installs(list: readonly Resource[], patch: Partial<InstallableInfo> = {}): InstallableInfo[] {
  return list.flatMap((resource) =>
    (resource.deployConditions.install ?? []).map((stage: Stage, iteration) => ({
      resource,
      stage,
      iteration,
      action: "create" as const,
      track: resource.trackTerminationMode !== "NonBlocking" && resource.kind !== "CustomResourceDefinition",
      deleteOnSuccess: resource.deleteOnSucceeded,
      ...patch,
    })),
  );
}

export function plan(input: Partial<PlanInput>): Plan {
  return buildPlan({ installs: [], deletes: [], release: { final: [] }, ...input });
}

/** Edges as `from -> to` lines with the common id prefixes shortened, for readable expectations. */
export function edgeLines(p: Plan): string[] {
  const short = (id: string): string => id.replace(/^noop\/1\/0\/stage\//, "@").replace(/\/1\//, "/");
  const out: string[] = [];
  for (const [from, tos] of p.edges) for (const to of tos) out.push(`${short(from)} -> ${short(to)}`);
  return out.sort();
}
