// What output hides once secrets are decrypted: werf's rule (values of 4+ characters, their trimmed lines, the values
// inside JSON), longest first.
import { describe, expect, it } from "vitest";
import { maskSecrets, SecretMask, secretStrings } from "../../../src/secret/mask.js";

describe("secret masking", () => {
  it("collects values of 4+ characters, their lines and JSON members", () => {
    const values = new Map<string, unknown>([
      ["short", "abc"],
      ["db", new Map([["password", "hunter22"]])],
      ["list", ["line one\n  line two  \nx", null]],
      ["json", '{"token": "tok-123456", "n": "ab"}'],
    ]);
    expect(secretStrings([values, ["CERTDATA\n"]]).sort()).toEqual(
      ["CERTDATA", "CERTDATA\n", "hunter22", "line one", "line one\n  line two  \nx", "line two", "tok-123456", '{"token": "tok-123456", "n": "ab"}'].sort(),
    );
  });

  it("replaces the longest first", () => {
    expect(maskSecrets("pw=hunter22 and hunter", ["hunter22", "hunter"].sort((a, b) => b.length - a.length))).toBe("pw=*** and ***");
    const mask = new SecretMask();
    expect(mask.apply("nothing yet: hunter22")).toBe("nothing yet: hunter22");
    mask.add(["hunter22"]);
    expect(mask.apply("now: hunter22")).toBe("now: ***");
  });

  it("masks the messages and stacks of an error's whole cause chain", () => {
    const mask = new SecretMask();
    mask.add(["hunter22"]);
    const inner = new Error('ConfigMap "x" is invalid: metadata.labels: Invalid value: "hunter22!"');
    const outer = new Error("failed release: hunter22 refused", { cause: inner });
    expect(mask.applyToError(outer)).toBe(outer);
    expect(outer.message).toBe("failed release: *** refused");
    expect(inner.message).toBe('ConfigMap "x" is invalid: metadata.labels: Invalid value: "***!"');
    expect(`${outer.stack ?? ""}${inner.stack ?? ""}`).not.toContain("hunter22");
  });

  it("leaves an error it cannot change as it is, and masks a string cause", () => {
    const mask = new SecretMask();
    mask.add(["hunter22"]);
    const frozen = Object.freeze(new Error("frozen hunter22"));
    expect(mask.applyToError(frozen)).toBe(frozen);
    const abort = new DOMException("aborted", "AbortError");
    const outer = new Error("stopped", { cause: abort });
    expect(() => mask.applyToError(outer)).not.toThrow();
    const withString = new Error("failed", { cause: "the password hunter22 was refused" });
    mask.applyToError(withString);
    expect(withString.cause).toBe("the password *** was refused");
  });
});
