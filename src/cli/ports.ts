// The adapters behind the pipeline's ports, made here and nowhere else: the Git repository, the registry client
// (with Docker's credential store), and the Docker Engine. Each adapter module is imported only
// when the pipeline first asks for it, so a converge that builds nothing never loads dockerode or the registry client.
import { homedir } from "node:os";
import type { BuildAdapters, RegistryPort } from "../pipeline/build.js";
import type { Env } from "./flags.js";
import type { BuildOptions } from "./options.js";

export function buildAdapters(build: BuildOptions, env: Env): BuildAdapters {
  return {
    openGit: async (dir) => (await import("../git/repo.js")).openGitRepo(dir),
    registry: async (): Promise<RegistryPort> => {
      const [{ DockerCredentialStore, dockerConfigDir }, { RegistryClient }] = await Promise.all([
        import("../registry/auth.js"),
        import("../registry/client.js"),
      ]);
      const store = new DockerCredentialStore({
        configDir: dockerConfigDir({
          flag: build.dockerConfig || undefined,
          werfDockerConfig: env["WERF_DOCKER_CONFIG"],
          dockerConfig: env["DOCKER_CONFIG"],
          home: env["HOME"] ?? homedir(),
        }),
        env,
      });
      const client = new RegistryClient({
        credentials: store.credentials,
        insecureRegistry: build.insecureRegistry,
        skipTlsVerify: build.skipTlsVerifyRegistry,
      });
      return { client, authconfig: (host) => store.authconfig(host) };
    },
    engine: async () => new (await import("../container/dockerode.js")).DockerEngine({ env }),
  };
}
