import { describe, expect, it } from "vitest";
import {
  credentialsKey,
  familiarName,
  formatReference,
  isLoopbackRegistry,
  parseReference,
  parseRepository,
  registryApiHost,
} from "../../../src/registry/reference.js";

const digest = `sha256:${"ab".repeat(32)}`;

describe("parseReference", () => {
  it.each([
    ["127.0.0.1:5000/app", { registry: "127.0.0.1:5000", path: "app" }],
    ["registry.example.com/group/app:tag", { registry: "registry.example.com", path: "group/app", tag: "tag" }],
    ["app", { registry: "docker.io", path: "library/app" }],
    ["app:1.2", { registry: "docker.io", path: "library/app", tag: "1.2" }],
    ["user/app", { registry: "docker.io", path: "user/app" }],
    ["docker.io/app", { registry: "docker.io", path: "library/app" }],
    ["index.docker.io/user/app", { registry: "docker.io", path: "user/app" }],
    ["localhost/app", { registry: "localhost", path: "app" }],
    ["localhost:5000/a/b:v", { registry: "localhost:5000", path: "a/b", tag: "v" }],
    [`host:5000/a/b@${digest}`, { registry: "host:5000", path: "a/b", digest }],
    [`app:v1@${digest}`, { registry: "docker.io", path: "library/app", tag: "v1", digest }],
    ["Registry.Example.COM/app", { registry: "registry.example.com", path: "app" }],
    ["[::1]:5000/app", { registry: "[::1]:5000", path: "app" }],
    ["a.b/c__d/e-f.g_h:T_1.x-y", { registry: "a.b", path: "c__d/e-f.g_h", tag: "T_1.x-y" }],
  ])("%s", (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ["", "empty"],
    ["App", "lower-case"],
    ["127.0.0.1:5000/App", "lower-case"],
    ["host/a//b", "empty component"],
    ["host/a/", "empty component"],
    ["app:bad/tag", "\"app:bad\" is not a valid registry host"],
    [`app:-x`, "not a valid tag"],
    ["app@sha256:123", "not a valid digest"],
    [`bad_host:5000/app`, "not a valid registry host"],
    [`host/${"a".repeat(260)}`, "longer than 255"],
  ])("rejects %j", (text, why) => {
    expect(() => parseReference(text)).toThrow(why);
  });

  it("round-trips through formatReference", () => {
    expect(formatReference(parseReference(`h:1/x:t@${digest}`))).toBe(`h:1/x:t@${digest}`);
    expect(formatReference(parseReference("busybox"))).toBe("docker.io/library/busybox");
  });
});

describe("parseRepository", () => {
  it("accepts a bare repository and refuses a tag or digest", () => {
    expect(parseRepository("127.0.0.1:5000/group/app")).toEqual({ registry: "127.0.0.1:5000", path: "group/app" });
    expect(() => parseRepository("127.0.0.1:5000/app:v1")).toThrow('invalid image reference "127.0.0.1:5000/app:v1": a repository must not have a tag');
    expect(() => parseRepository(`app@${digest}`)).toThrow("must not have a tag or a digest");
  });
});

describe("registry hosts", () => {
  it("maps Docker Hub to its API host and its credentials key", () => {
    expect(registryApiHost("docker.io")).toBe("registry-1.docker.io");
    expect(credentialsKey("docker.io")).toBe("https://index.docker.io/v1/");
    expect(registryApiHost("127.0.0.1:5000")).toBe("127.0.0.1:5000");
    expect(credentialsKey("registry.example.com")).toBe("registry.example.com");
  });

  it("gives Docker's short names", () => {
    expect(familiarName(parseRepository("busybox"))).toBe("busybox");
    expect(familiarName(parseRepository("user/app"))).toBe("user/app");
    expect(familiarName(parseRepository("docker.io/library/a/b"))).toBe("library/a/b");
    expect(familiarName(parseRepository("127.0.0.1:5000/app"))).toBe("127.0.0.1:5000/app");
  });

  it.each([
    ["127.0.0.1:5000", true],
    ["127.10.0.3", true],
    ["localhost:5000", true],
    ["LOCALHOST", true],
    ["[::1]:5000", true],
    ["128.0.0.1:5000", false],
    ["registry.example.com", false],
    ["localhost.example.com:5000", false],
    ["docker.io", false],
  ])("loopback %s → %s", (registry, expected) => {
    expect(isLoopbackRegistry(registry)).toBe(expected);
  });
});
