// What the tests know about the environment that scripts/local-env started.

export interface LocalEnv {
  readonly kubeconfig: string;
  readonly context: string;
  readonly tokenContext: string;
  readonly registry: string;
  readonly kubeBin: string;
  readonly envDir: string;
  readonly nodeName: string;
  readonly dockerHost: string;
  /** The node's pod subnet, e.g. `10.244.0.0/24`. */
  readonly podCidr: string;
  /** The kube-dns Service's ClusterIP that the kubelet gives pods as their nameserver; "" without cluster DNS. */
  readonly clusterDns: string;
}

/** Parses the `export NAME=value` lines printed by `scripts/local-env env`. */
export function parseEnvExports(text: string): LocalEnv {
  const vars = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) vars.set(m[1], m[2]);
  }
  const need = (name: string): string => {
    const value = vars.get(name);
    if (value === undefined || value === "") throw new Error(`scripts/local-env env did not print ${name}`);
    return value;
  };
  return {
    kubeconfig: need("KUBECONFIG"),
    context: need("SLIPWAY_KUBE_CONTEXT"),
    tokenContext: need("SLIPWAY_KUBE_CONTEXT_TOKEN"),
    registry: need("SLIPWAY_REGISTRY"),
    kubeBin: need("SLIPWAY_KUBE_BIN"),
    envDir: need("SLIPWAY_ENV_DIR"),
    nodeName: need("SLIPWAY_NODE_NAME"),
    dockerHost: need("DOCKER_HOST"),
    podCidr: need("SLIPWAY_POD_CIDR"),
    // Empty for an environment started without Services (SERVICES=0); the Services tests fail on it then.
    clusterDns: vars.get("SLIPWAY_CLUSTER_DNS") ?? "",
  };
}
