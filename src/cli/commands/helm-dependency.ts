// `slipway helm dependency update|build|list [CHART]` (werf helm dependency …, i.e. Helm 3's commands): resolve and
// download a chart's Chart.yaml dependencies into charts/ and keep Chart.lock, from file:// directories, HTTP chart
// repositories and OCI registries. Downloads are cached (see src/chartdeps/sources.ts), so converge reuses them.
import { resolve } from "node:path";
import { SlipwayError } from "../../errors.js";
import type { CommandContext } from "../context.js";
import { parseFlags, renderCommandHelp, renderFlagsHelp, type FlagSpec } from "../flags.js";

export const HELM_DEPENDENCY_SUMMARY = "Manage a chart's dependencies (update, build, list)";

interface DependencyFlags {
  skipRefresh: boolean;
  verify: boolean;
  keyring: string;
  dockerConfig: string;
  insecureRegistry: boolean;
  skipTlsVerifyRegistry: boolean;
  namespace: string;
}

export const HELM_DEPENDENCY_FLAGS: readonly FlagSpec<DependencyFlags>[] = [
  { kind: "bool", name: "skip-refresh", key: "skipRefresh", default: false, description: "do not refresh the local repository cache (slipway keeps no repository index cache: accepted for compatibility)" },
  { kind: "bool", name: "verify", key: "verify", default: false, acceptedOnly: true, description: "verify the packages against signatures (not supported by slipway)" },
  { kind: "string", name: "keyring", key: "keyring", default: "", acceptedOnly: true, description: "keyring containing public keys (not supported by slipway)" },
  { kind: "string", name: "docker-config", key: "dockerConfig", default: "", env: ["WERF_DOCKER_CONFIG", "DOCKER_CONFIG"], description: "Docker config directory with the OCI registries' credentials (default: ~/.docker)" },
  { kind: "bool", name: "insecure-registry", key: "insecureRegistry", default: false, env: ["WERF_INSECURE_REGISTRY"], description: "Use plain HTTP for OCI registries" },
  { kind: "bool", name: "plain-http", key: "insecureRegistry", default: false, description: "use insecure HTTP connections for the chart download (as --insecure-registry)" },
  { kind: "bool", name: "skip-tls-verify-registry", key: "skipTlsVerifyRegistry", default: false, env: ["WERF_SKIP_TLS_VERIFY_REGISTRY"], description: "Do not verify TLS certificates of OCI registries and chart repositories" },
  { kind: "string", name: "namespace", short: "n", key: "namespace", default: "", description: "namespace scope for this request (unused by these commands)" },
];

const SUBCOMMANDS = {
  update: "update charts/ based on the contents of Chart.yaml",
  build: "rebuild the charts/ directory based on the Chart.lock file",
  list: "list the dependencies for the given chart",
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;

export function helmDependencyHelp(programName: string): string {
  const list = Object.entries(SUBCOMMANDS)
    .map(([name, summary]) => `  ${name.padEnd(8)}${summary}`)
    .join("\n");
  return renderCommandHelp({
    summary: HELM_DEPENDENCY_SUMMARY,
    usage: `${programName} helm dependency update|build|list [CHART] [options]`,
    examples: `${programName} helm dependency update .helm\n${programName} helm dependency build .helm`,
    flags: renderFlagsHelp(HELM_DEPENDENCY_FLAGS, "helm dependency"),
    footer: `Commands:\n${list}`,
  });
}

export async function helmDependencyCommand(args: readonly string[], ctx: CommandContext): Promise<void> {
  const parsed = parseFlags(HELM_DEPENDENCY_FLAGS, args, ctx.env);
  const [sub, ...rest] = parsed.positionals;
  if (parsed.help || sub === undefined) {
    ctx.stdout.write(helmDependencyHelp(ctx.programName));
    return;
  }
  if (!(sub in SUBCOMMANDS)) throw new SlipwayError(`unknown command "${sub}" for "${ctx.programName} helm dependency"`, { code: "usage" });
  if (rest.length > 1) throw new SlipwayError(`accepts at most 1 arg(s), received ${rest.length}`, { code: "usage" });
  const f = parsed.values as unknown as DependencyFlags;
  const chartDir = resolve(rest[0] ?? ".");
  // Loaded here, not at start-up: the manager brings the registry client and the chart sources.
  const [{ dependencyBuild, dependencyList, dependencyUpdate }, { dependencyContext }] = await Promise.all([import("../../chartdeps/manager.js"), import("../ports.js")]);
  switch (sub as Subcommand) {
    case "list":
      ctx.stdout.write(dependencyList(chartDir));
      return;
    case "update":
    case "build": {
      const depCtx = await dependencyContext(f, ctx.env, (line) => ctx.stdout.write(`${line}\n`));
      try {
        await (sub === "update" ? dependencyUpdate : dependencyBuild)(chartDir, depCtx);
      } finally {
        depCtx.sources.close();
      }
    }
  }
}
