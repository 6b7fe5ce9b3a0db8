import { describe, expect, it } from "vitest";
import { parseEnvExports } from "../../helpers/local-env.js";

describe("parseEnvExports", () => {
  const text = [
    "export KUBECONFIG=/var/lib/slipway-env/local/kubeconfig",
    "export SLIPWAY_KUBE_CONTEXT=slipway-local",
    "export SLIPWAY_KUBE_CONTEXT_TOKEN=slipway-local-token",
    "export SLIPWAY_REGISTRY=127.0.0.1:5000",
    "export SLIPWAY_KUBE_BIN=/root/.cache/slipway/kube/v1.34.12/bin",
    "export SLIPWAY_ENV_DIR=/var/lib/slipway-env/local",
    "export SLIPWAY_NODE_NAME=slipway-local-node",
    "export DOCKER_HOST=unix:///var/run/docker.sock",
    "export SLIPWAY_POD_CIDR=10.244.0.0/24",
  ].join("\n");

  it("reads every variable the tests need", () => {
    const env = parseEnvExports(text);
    expect(env.context).toBe("slipway-local");
    expect(env.tokenContext).toBe("slipway-local-token");
    expect(env.registry).toBe("127.0.0.1:5000");
    expect(env.nodeName).toBe("slipway-local-node");
    expect(env.podCidr).toBe("10.244.0.0/24");
  });

  it("fails naming the variable that is missing", () => {
    expect(() => parseEnvExports(text.replace(/.*SLIPWAY_REGISTRY.*\n/, ""))).toThrow(/SLIPWAY_REGISTRY/);
  });
});
