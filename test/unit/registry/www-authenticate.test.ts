import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate } from "../../../src/registry/www-authenticate.js";

describe("parseWwwAuthenticate", () => {
  it("parses a registry's Bearer challenge", () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      ),
    ).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/busybox:pull",
        },
      },
    ]);
  });

  it("parses Basic, lower-cases names, and keeps commas and escapes inside quotes", () => {
    expect(parseWwwAuthenticate('Basic Realm="a, \\"quoted\\" realm"')).toEqual([
      { scheme: "basic", params: { realm: 'a, "quoted" realm' } },
    ]);
  });

  it("splits several challenges in one header", () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="one", Bearer realm="https://t/token", service=svc, error="insufficient_scope", scope="repository:a:pull,push"',
    );
    expect(challenges.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(challenges[1]?.params).toEqual({
      realm: "https://t/token",
      service: "svc",
      error: "insufficient_scope",
      scope: "repository:a:pull,push",
    });
  });

  it("accepts a scheme without parameters and spaces around '='", () => {
    expect(parseWwwAuthenticate("Negotiate")).toEqual([{ scheme: "negotiate", params: {} }]);
    expect(parseWwwAuthenticate('Bearer realm = "x" ,service= y')).toEqual([
      { scheme: "bearer", params: { realm: "x", service: "y" } },
    ]);
  });

  it("does not throw on junk", () => {
    expect(parseWwwAuthenticate("")).toEqual([]);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')).toEqual([{ scheme: "bearer", params: { realm: "unterminated" } }]);
    expect(() => parseWwwAuthenticate('=,=;"@@ Bearer')).not.toThrow();
  });
});
