/**
 * @module deploy/admission
 *
 * Whether an admission hook of the cluster could act on an update of a resource: mutating and validating webhooks
 * and admission policies see every apply, dry-run or not, so a resource they may touch must still go through the
 * dry-run apply (src/deploy/unchanged proves only what server-side apply itself would do). Conservative: a rule
 * matches by resource name and operation alone (selectors, groups and match policies are ignored), and a cluster
 * whose hooks cannot be listed counts as one where every resource may be touched.
 */
import { KubeApiError, type KubeClient, type KubeObject } from "../kube/types.js";

interface Rule {
  readonly operations?: readonly string[];
  readonly resources?: readonly string[];
}

/** The kinds that hold admission rules, and where their rules are. */
const SOURCES: readonly { apiVersion: string; kind: string; rules: (o: KubeObject) => readonly Rule[] }[] = [
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", rules: webhookRules },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", rules: webhookRules },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", rules: policyRules },
  { apiVersion: "admissionregistration.k8s.io/v1beta1", kind: "MutatingAdmissionPolicy", rules: policyRules },
  { apiVersion: "admissionregistration.k8s.io/v1alpha1", kind: "MutatingAdmissionPolicy", rules: policyRules },
];

function webhookRules(o: KubeObject): readonly Rule[] {
  return ((o["webhooks"] as { rules?: Rule[] }[] | undefined) ?? []).flatMap((w) => w.rules ?? []);
}

function policyRules(o: KubeObject): readonly Rule[] {
  return ((o["spec"] as { matchConstraints?: { resourceRules?: Rule[] } } | undefined)?.matchConstraints?.resourceRules ?? []);
}

/**
 * The resource names (plurals) some admission rule of the cluster covers on UPDATE, "*" for all; undefined when the
 * hooks cannot be read (every resource must then go through the dry-run).
 */
export async function admissionCoveredResources(kube: KubeClient, signal: AbortSignal): Promise<ReadonlySet<string> | undefined> {
  const covered = new Set<string>();
  try {
    const served = new Set(await kube.apiVersions({ signal }));
    const lists = await Promise.all(
      SOURCES.filter((source) => served.has(source.apiVersion)).map(async (source) => {
        try {
          const list = await kube.list({ apiVersion: source.apiVersion, kind: source.kind }, { signal });
          return list.items.flatMap(source.rules);
        } catch (err) {
          // A kind this cluster does not serve holds no rules.
          if (err instanceof KubeApiError && (err.reason === "NoKindMatch" || err.notFound)) return [];
          throw err;
        }
      }),
    );
    for (const rule of lists.flat()) {
      if (!(rule.operations ?? []).some((op) => op === "*" || op === "UPDATE")) continue;
      for (const r of rule.resources ?? []) covered.add(r === "*/*" ? "*" : r);
    }
  } catch {
    return undefined;
  }
  return covered;
}

/** Whether some admission rule may act on an update of resources named `plural`. */
export function admissionCovers(covered: ReadonlySet<string>, plural: string): boolean {
  return covered.has("*") || covered.has(plural);
}
