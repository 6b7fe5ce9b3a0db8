// What the benches need from the local environment (scripts/local-env): its exported variables and a kubectl
// bound to its kubeconfig and context. Shared by bench/deploy and bench/track.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

/** The `export NAME=value` lines of `scripts/local-env env`, as an object. */
export function localEnv(root) {
  const r = spawnSync("bash", [join(root, "scripts/local-env"), "env"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/local-env env failed: ${r.stderr}`);
  const vars = {};
  for (const line of r.stdout.split("\n")) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** A kubectl runner for the environment; `check` throws on a non-zero exit. */
export function kubectlFor(env) {
  const kubeconfig = env.KUBECONFIG;
  const context = env.SLIPWAY_KUBE_CONTEXT ?? "slipway-local";
  const bin = join(env.SLIPWAY_KUBE_BIN ?? "", "kubectl");
  return (args, { check = true } = {}) => {
    const r = spawnSync(bin, ["--context", context, ...args], { encoding: "utf8", env: { ...process.env, KUBECONFIG: kubeconfig } });
    if (check && r.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim()}`);
    return r;
  };
}
