import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli-harness.js";

/** What bash's completion offers for the words typed so far (the last one is being completed). */
function bashComplete(script: string, words: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "slipway-completion-")), "complete.bash");
  writeFileSync(file, script);
  const setup = `source "${file}"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _slipway_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", setup], { encoding: "utf8" }).split("\n").filter((l) => l !== "");
}

describe("slipway completion", () => {
  it("bash: commands first, then the flags of the command being typed", async () => {
    const result = await runCli(["completion", "bash"]);
    expect(result.code).toBe(0);
    expect(bashComplete(result.stdout, ["slipway", "co"])).toEqual(["converge", "completion"]);
    expect(bashComplete(result.stdout, ["slipway", "converge", "--kube-con"])).toEqual(["--kube-context", "--kube-config", "--kube-config-base64", "--kube-context-cluster", "--kube-context-user"]);
    expect(bashComplete(result.stdout, ["slipway", "plan", "--exit"])).toEqual(["--exit-code"]);
    expect(bashComplete(result.stdout, ["slipway", "ci-env", "--as"])).toEqual(["--as-file", "--as-env-file"]);
    // A flag of converge is not offered to a command that does not take it.
    expect(bashComplete(result.stdout, ["slipway", "version", "--kube"])).toEqual([]);
  });

  it("zsh wraps the bash function; fish lists commands and flags; anything else is a usage error", async () => {
    const zsh = await runCli(["completion", "zsh"]);
    expect(zsh.stdout).toMatch(/^#compdef slipway\n/);
    expect(zsh.stdout).toContain("complete -F _slipway_complete slipway");
    const fish = await runCli(["completion", "fish"], {}, "/usr/bin/werf");
    expect(fish.stdout).toContain("complete -c werf -n __fish_use_subcommand -a converge -d 'Build and push images, then deploy the application into Kubernetes'");
    expect(fish.stdout).toContain("complete -c werf -n '__fish_seen_subcommand_from dismiss' -l with-namespace");
    expect(await runCli(["completion", "tcsh"])).toMatchObject({ code: 1, stderr: 'Error: completion needs one shell: bash, zsh or fish (got "tcsh")\n' });
  });
});
