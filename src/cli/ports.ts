// The adapters behind the pipeline's ports, made here and nowhere else: the Git repository, the registry client
// (with Docker's credential store), and the Docker Engine. Each adapter module is imported only
// when the pipeline first asks for it, so a converge that builds nothing never loads dockerode or the registry client.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SlipwayError } from "../errors.js";
import { dockerConfigDir } from "../registry/auth.js";
import type { DependencyContext } from "../chartdeps/manager.js";
import type { BuildAdapters, RegistryPort } from "../pipeline/build.js";
import type { Env } from "./flags.js";
import type { BuildOptions } from "./options.js";

export function buildAdapters(build: BuildOptions, env: Env): BuildAdapters {
  return {
    openGit: async (dir) => (await import("../git/repo.js")).openGitRepo(dir),
    registry: async (): Promise<RegistryPort> => {
      const [{ DockerCredentialStore }, { RegistryClient }] = await Promise.all([import("../registry/auth.js"), import("../registry/client.js")]);
      const store = new DockerCredentialStore({ configDir: configDir(build, env), env });
      const client = new RegistryClient({
        credentials: store.credentials,
        insecureRegistry: build.insecureRegistry,
        skipTlsVerify: build.skipTlsVerifyRegistry,
      });
      return { client, authconfig: (host) => store.authconfig(host) };
    },
    engine: async () => new (await import("../container/dockerode.js")).DockerEngine({ env }),
    chartDependencies: () => dependencyContext(build, env, () => undefined),
  };
}

/** The docker config directory of the command line (`--docker-config`, `$WERF_DOCKER_CONFIG`, `$DOCKER_CONFIG`, ~/.docker). */
function configDir(build: Pick<BuildOptions, "dockerConfig">, env: Env): string {
  return dockerConfigDir({ flag: build.dockerConfig || undefined, werfDockerConfig: env["WERF_DOCKER_CONFIG"], dockerConfig: env["DOCKER_CONFIG"], home: env["HOME"] ?? homedir() });
}

/** The docker config.json werf reads for --set-docker-config-json-value; undefined when there is none, as in werf. */
export function readDockerConfigJson(build: BuildOptions, env: Env): Buffer | undefined {
  const file = join(configDir(build, env), "config.json");
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SlipwayError(`--set-docker-config-json-value: cannot read ${file}: ${(err as Error).message}`, { code: "config" });
  }
}

/** The dependency manager's adapters: download cache, chart repositories, OCI registries with the Docker credentials. */
export async function dependencyContext(
  options: Pick<BuildOptions, "dockerConfig" | "insecureRegistry" | "skipTlsVerifyRegistry">,
  env: Env,
  out: (line: string) => void,
): Promise<DependencyContext> {
  const [{ readRepositories }, { ChartCache, chartCacheDir, createChartSources }] = await Promise.all([import("../chartdeps/manager.js"), import("../chartdeps/sources.js")]);
  const sources = createChartSources({
    skipTlsVerify: options.skipTlsVerifyRegistry,
    registry: async () => {
      const [{ DockerCredentialStore }, { RegistryClient }] = await Promise.all([import("../registry/auth.js"), import("../registry/client.js")]);
      const store = new DockerCredentialStore({ configDir: configDir(options, env), env });
      return new RegistryClient({ credentials: store.credentials, insecureRegistry: options.insecureRegistry, skipTlsVerify: options.skipTlsVerifyRegistry });
    },
  });
  return { sources, cache: new ChartCache(chartCacheDir(env)), repositories: readRepositories(env), out };
}
