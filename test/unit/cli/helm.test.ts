// The `helm` group's dispatch and usage errors, and helm 3.17.3's output primitives (uitable columns, Go times).
// Output on real releases is compared with the real helm in test/e2e/helm-family.test.ts.
import { describe, expect, it } from "vitest";
import { ansicTime, goTimeString, uiTable } from "../../../src/cli/commands/helm/common.js";
import { runCli } from "./cli-harness.js";

describe("helm output primitives", () => {
  it("pads every cell to its column's width and joins cells with a tab, as gosuri/uitable", () => {
    expect(uiTable([["NAME", "REVISION"], ["a-long-name", "1"]])).toBe("NAME       \tREVISION\na-long-name\t1       ");
  });

  it("formats record times as Go does: ANSIC with a padded day, Time.String with the fraction trimmed", () => {
    expect(ansicTime("2026-12-03T09:05:07.1234Z")).toBe("Thu Dec  3 09:05:07 2026");
    expect(ansicTime("2026-12-03T09:05:07+02:00")).toBe("Thu Dec  3 09:05:07 2026");
    expect(ansicTime(undefined)).toBe("Mon Jan  1 00:00:00 0001");
    expect(goTimeString("2026-12-03T09:05:07.120Z")).toBe("2026-12-03 09:05:07.12 +0000 UTC");
    expect(goTimeString("2026-12-03T09:05:07Z")).toBe("2026-12-03 09:05:07 +0000 UTC");
    expect(goTimeString("2026-12-03T09:05:07.000000001-05:30")).toBe("2026-12-03 09:05:07.000000001 -0530 -0530");
    expect(goTimeString("")).toBeUndefined();
  });
});

describe("slipway helm", () => {
  it("lists its subcommands", async () => {
    const r = await runCli(["helm"]);
    expect(r.code).toBe(0);
    for (const name of ["get", "history", "list", "rollback", "uninstall"]) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });

  it.each([
    [["helm", "bogus"], 'Error: unknown command "bogus" for "slipway helm"\n'],
    [["helm", "--bogus"], "Error: unknown flag: --bogus\n"],
    [["helm", "history"], "Error: accepts 1 arg(s), received 0\n"],
    [["helm", "history", "a", "b"], "Error: accepts 1 arg(s), received 2\n"],
    [["helm", "list", "-o", "xml"], 'Error: invalid argument "xml" for "-o, --output" flag: invalid format type\n'],
    [["helm", "list", "--max", "x"], 'Error: invalid argument "x" for "-m, --max" flag: strconv.ParseInt: parsing "x": invalid syntax\n'],
    [["helm", "get", "nothing", "r"], 'Error: unknown command "nothing" for "slipway helm get"\n'],
    [["helm", "rollback"], "Error: accepts between 1 and 2 arg(s), received 0\n"],
    [["helm", "uninstall"], "Error: requires at least 1 arg(s), only received 0\n"],
    [["helm", "uninstall", "r", "--cascade", "sideways"], 'Error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan"\n'],
  ])("%j fails with one line and exit code 1", async (args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(1);
  });

  it("prints each subcommand's help with the connection flags", async () => {
    const r = await runCli(["helm", "get", "values", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("slipway helm get values RELEASE_NAME");
    expect(r.stdout).toContain("--revision=0");
    expect(r.stdout).toContain("-n, --namespace=");
    expect(r.stdout).toContain("--kube-context=");
  });
});
