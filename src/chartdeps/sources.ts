// Where chart archives come from: HTTP chart repositories (index.yaml and the archives it lists) and OCI
// registries (Helm's chart manifest: one layer of media type application/vnd.cncf.helm.chart.content.v1.tar+gzip),
// plus the on-disk cache of downloaded archives. The only I/O of src/chartdeps besides the chart directory.

import { slipwayCacheDir } from "../util/cache-dir.js";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { HttpTransport } from "../registry/http.js";
import type { RegistryClient } from "../registry/client.js";
import { describeResponse } from "../registry/client.js";

export const HELM_CHART_CONTENT_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const LEGACY_CHART_MEDIA_TYPE = "application/tar+gzip";

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

/** The port the dependency manager downloads through. */
export interface ChartSources {
  /** The body of a GET of an http(s) URL (redirects followed); throws when the answer is not 200. */
  httpGet(url: string, auth?: BasicAuth): Promise<Buffer>;
  /** The tags of an OCI repository (`host/path/name`). */
  ociTags(repository: string): Promise<string[]>;
  /** The chart archive an OCI tag points at. */
  ociPull(repository: string, tag: string): Promise<Buffer>;
  close(): void;
}

const MAX_REDIRECTS = 5;

export interface ChartSourcesOptions {
  /** The OCI registry client (credentials from the Docker config, loopback registries over plain HTTP). */
  readonly registry: () => Promise<RegistryClient>;
  readonly skipTlsVerify?: boolean;
  /** Called once per HTTP request to a chart repository with the final status (0 when no response came). */
  readonly onRequest?: (method: string, url: string, status: number) => void;
}

export function createChartSources(options: ChartSourcesOptions): ChartSources {
  const transport = new HttpTransport({ ...(options.skipTlsVerify === undefined ? {} : { skipTlsVerify: options.skipTlsVerify }), maxBodyBytes: 256 * 1024 * 1024 });
  let registry: Promise<RegistryClient> | undefined;
  const client = (): Promise<RegistryClient> => (registry ??= options.registry());
  return {
    async httpGet(url, auth) {
      let target = new URL(url);
      for (let hop = 0; ; hop++) {
        const headers: Record<string, string> = { "user-agent": "Helm/3.17.3" };
        if (auth !== undefined) headers["authorization"] = "Basic " + Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
        let response;
        try {
          response = await transport.send({ method: "GET", url: target, headers });
        } catch (e) {
          options.onRequest?.("GET", target.href, 0);
          throw new Error(`Get ${JSON.stringify(target.href)}: ${(e as Error).message}`, { cause: e });
        }
        options.onRequest?.("GET", target.href, response.status);
        const location = response.headers["location"];
        if ([301, 302, 303, 307, 308].includes(response.status) && location !== undefined && hop < MAX_REDIRECTS) {
          target = new URL(location, target);
          continue;
        }
        if (response.status !== 200) throw new Error(`failed to fetch ${target.href} : ${describeResponse(response)}`);
        return response.body;
      }
    },
    async ociTags(repository) {
      return (await client()).listTags(repository);
    },
    async ociPull(repository, tag) {
      const reg = await client();
      const manifest = await reg.getManifest(repository, tag);
      if (manifest === undefined) throw new Error(`${repository}:${tag}: not found`);
      const layer = manifest.json.layers?.find((l) => l.mediaType === HELM_CHART_CONTENT_MEDIA_TYPE || l.mediaType === LEGACY_CHART_MEDIA_TYPE);
      if (layer === undefined) throw new Error(`${repository}:${tag} is not a Helm chart (no layer of media type ${HELM_CHART_CONTENT_MEDIA_TYPE})`);
      return reg.getBlob(repository, layer.digest);
    },
    close() {
      transport.close();
      void registry?.then((r) => r.close());
    },
  };
}

/** Chart archives go to the `charts/` folder of slipway's cache directory (see slipwayCacheDir). */
export function chartCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return slipwayCacheDir(env, "charts") ?? join(homedir(), ".cache", "slipway", "charts");
}

/** Downloaded chart archives keyed by repository, chart name and version (an archive of a version never changes). */
export class ChartCache {
  constructor(readonly dir: string) {}

  #path(repository: string, name: string, version: string): string {
    const key = createHash("sha256").update(`${repository}\n${name}\n${version}`).digest("hex");
    return join(this.dir, `${key}.tgz`);
  }

  get(repository: string, name: string, version: string): Buffer | undefined {
    try {
      return readFileSync(this.#path(repository, name, version));
    } catch {
      return undefined;
    }
  }

  put(repository: string, name: string, version: string, data: Buffer): void {
    mkdirSync(this.dir, { recursive: true });
    const path = this.#path(repository, name, version);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  }
}
