/**
 * @module deploy/validate
 *
 * werf render's `--validate`: each rendered object is sent to the API server as a server-side dry-run apply
 * (`dryRun=All`, nothing is stored), so the server's schema, defaulting and admission checks judge it. Objects of a
 * kind the same render defines (a CRD not installed yet) and objects in a namespace that does not exist yet are
 * skipped with a warning: the server cannot judge them before converge creates what they need.
 */
import { MultiError, SlipwayError } from "../errors.js";
import type { KubeClient, KubeObject } from "../kube/types.js";
import { KubeApiError } from "../kube/types.js";
import type { ParsedDocument } from "../resource/resource.js";
import { groupOf } from "../resource/resource.js";
import { mapLimit } from "../util/map-limit.js";
import { FIELD_MANAGER } from "./managed-fields.js";

export interface ValidateOptions {
  readonly releaseNamespace: string;
  readonly signal: AbortSignal;
  readonly warn: (message: string) => void;
  readonly parallelism: number;
}

function label(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

/** Sends every object as a server-side dry-run; throws one error per rejected object (file and object named). */
export async function validateOnServer(kube: KubeClient, docs: readonly ParsedDocument[], options: ValidateOptions): Promise<void> {
  const definedHere = new Set<string>();
  for (const { object } of docs) {
    if (object.kind !== "CustomResourceDefinition" || groupOf(object.apiVersion) !== "apiextensions.k8s.io") continue;
    const spec = object["spec"] as { group?: string; names?: { kind?: string } } | undefined;
    definedHere.add(`${spec?.group ?? ""}/${spec?.names?.kind ?? ""}`);
  }
  const errors: unknown[] = [];
  const one = async ({ source, object }: ParsedDocument): Promise<void> => {
    const fail = (message: string): void => void errors.push(new SlipwayError(`${label(object)}: ${message}`, { code: "chart", location: { file: source } }));
    let namespaced: boolean;
    try {
      namespaced = (await kube.resourceType(object.apiVersion, object.kind, { signal: options.signal })).namespaced;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.reason === "NoKindMatch")) throw error;
      if (definedHere.has(`${groupOf(object.apiVersion)}/${object.kind}`)) {
        options.warn(`${source}: ${label(object)} not validated: its CustomResourceDefinition is not installed yet`);
      } else fail(error.message);
      return;
    }
    const copy = structuredClone(object);
    if (namespaced) copy.metadata.namespace = object.metadata.namespace ?? options.releaseNamespace;
    else delete copy.metadata.namespace;
    try {
      await kube.apply(copy, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, signal: options.signal });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      const ns = copy.metadata.namespace;
      if (error.status === 404 && ns !== undefined && error.apiStatus?.details?.kind === "namespaces") {
        options.warn(`${source}: ${label(object)} not validated: namespace "${ns}" does not exist yet`);
        return;
      }
      fail(error.message);
    }
  };
  await mapLimit(docs, options.parallelism, one);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new MultiError(errors, { code: "chart" });
}
