/**
 * @module deploy/params
 *
 * werf's release name and namespace: an explicit --namespace/--release is validated, never slugged; otherwise the
 * werf.yaml template (`[[ project ]]`, `[[ env ]]`, `[[ namespace ]]`) or `[[ project ]]-[[ env ]]`, slugged with
 * werf's murmur3 suffix when the result is not a valid name. Pure.
 */
import { SlipwayError } from "../errors.js";

/** MurmurHash3 x86 32-bit, seed 0, over UTF-8 bytes. */
export function murmur3(text: string): number {
  const data = Buffer.from(text, "utf8");
  let h = 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = data.length >> 2;
  for (let i = 0; i < blocks; i++) {
    let k = data.readUInt32LE(i * 4);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest >= 3) k ^= (data[tail + 2] ?? 0) << 16;
  if (rest >= 2) k ^= (data[tail + 1] ?? 0) << 8;
  if (rest >= 1) {
    k ^= data[tail] ?? 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const DASH_CHARS = new Set([..."&(){}[],.;:=+<>~_-", " "]);

function slugify(s: string): string {
  let out = "";
  for (const ch of s) {
    if (/[a-z0-9]/.test(ch)) out += ch;
    else if (/[A-Z]/.test(ch)) out += ch.toLowerCase();
    else if (DASH_CHARS.has(ch)) out += "-";
  }
  return out.replace(/-{2,}/g, "-").replace(/^-+/, "").replace(/-+$/, "");
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** werf's slug.LimitedSlug. */
export function limitedSlug(s: string, max: number): string {
  if (slugify(s) === s && s.length <= max) return s;
  const hash = murmur3(s).toString(16);
  let cropped = slugify(s).slice(0, max - hash.length - 1);
  if (cropped.startsWith("-")) cropped = cropped.slice(0, -1);
  return `${cropped.replace(/-+$/, "")}-${hash}`;
}

function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\[\[-?\s*(\w+)\s*-?\]\]/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new SlipwayError(`function "${name}" not defined in template ${JSON.stringify(template)}`, { code: "config" });
    return value;
  });
}

export interface DeployParamsInput {
  readonly project: string;
  readonly env: string;
  readonly namespaceFlag: string;
  readonly releaseFlag: string;
  readonly deploy: { readonly helmRelease?: string | undefined; readonly namespace?: string | undefined; readonly helmReleaseSlug: boolean; readonly namespaceSlug: boolean };
}

export function deployParams(input: DeployParamsInput): { namespace: string; release: string } {
  const fallback = input.env === "" ? "[[ project ]]" : "[[ project ]]-[[ env ]]";
  let namespace: string;
  if (input.namespaceFlag !== "") {
    namespace = input.namespaceFlag;
    if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
      throw new SlipwayError(`bad Kubernetes namespace specified ${JSON.stringify(namespace)}: kubernetes namespace should be a valid DNS-1123 label`, { code: "invalid-option" });
    }
  } else {
    const rendered = renderTemplate(input.deploy.namespace ?? fallback, { project: input.project, env: input.env }).trim();
    if (rendered === "") throw new SlipwayError(`Kubernetes namespace rendered by template ${JSON.stringify(input.deploy.namespace)} is empty: namespace cannot be empty`, { code: "config" });
    namespace = input.deploy.namespaceSlug ? limitedSlug(rendered, 63) : rendered;
  }
  let release: string;
  if (input.releaseFlag !== "") {
    release = input.releaseFlag;
    if (release.length > 53 || !DNS_SUBDOMAIN.test(release)) {
      throw new SlipwayError(`bad Helm release specified ${JSON.stringify(release)}: helm release name should be a valid DNS-1123 subdomain and be maximum 53 chars`, { code: "invalid-option" });
    }
  } else {
    const rendered = renderTemplate(input.deploy.helmRelease ?? fallback, { project: input.project, env: input.env, namespace }).trim();
    if (rendered === "") throw new SlipwayError(`Helm release rendered by template ${JSON.stringify(input.deploy.helmRelease)} is empty: release name cannot be empty`, { code: "config" });
    release = input.deploy.helmReleaseSlug ? limitedSlug(rendered, 53) : rendered;
  }
  return { namespace, release };
}
