import { describe, expect, it } from "vitest";
import { imageDetails, serviceValues } from "../../../src/build/service-values.js";

const tag = `${"d".repeat(56)}-1752501317353`;
const digest = `sha256:${"e".repeat(64)}`;

describe("service values", () => {
  it("gives the image details werf's BuildImageValuesMap gives", () => {
    // The expected values follow werf's own table test for ghcr.io/zalando/postgres-operator:v1.15.1.
    expect(
      imageDetails({ name: "pg", registry: "ghcr.io", repository: "zalando/postgres-operator", tag: "v1.15.1", digest: "sha256:abc123" }),
    ).toEqual({
      registry: "ghcr.io",
      repository: "zalando/postgres-operator",
      namespace: "zalando",
      name: "postgres-operator",
      tag: "v1.15.1",
      digest: "sha256:abc123",
      tag_digest: "v1.15.1@sha256:abc123",
      image: "ghcr.io/zalando/postgres-operator",
      ref: "ghcr.io/zalando/postgres-operator:v1.15.1@sha256:abc123",
      ref_tag: "ghcr.io/zalando/postgres-operator:v1.15.1",
      repository_ref: "zalando/postgres-operator:v1.15.1@sha256:abc123",
      repository_tag: "zalando/postgres-operator:v1.15.1",
      name_ref: "postgres-operator:v1.15.1@sha256:abc123",
      name_tag: "postgres-operator:v1.15.1",
    });
    expect(imageDetails({ name: "x", registry: "127.0.0.1:5000", repository: "app", tag, digest })["namespace"]).toBe(".");
  });

  it("builds .Values.werf and .Values.global.werf", () => {
    const values = serviceValues({
      project: "shop",
      werfVersion: "v2.77.1",
      repo: "127.0.0.1:5000/shop",
      commit: { hash: "abc", dateHuman: "2026-11-21 10:00:00 +0000 UTC", dateUnix: 1795000000 },
      namespace: "shop-prod",
      env: "prod",
      images: [{ name: "web", registry: "127.0.0.1:5000", repository: "shop", tag, digest }],
    });
    expect(values["werf"]).toEqual({
      name: "shop",
      version: "v2.77.1",
      repo: "127.0.0.1:5000/shop",
      commit: { hash: "abc", date: { human: "2026-11-21 10:00:00 +0000 UTC", unix: 1795000000 } },
      namespace: "shop-prod",
      env: "prod",
      image: { web: `127.0.0.1:5000/shop:${tag}` },
      tag: { web: tag },
    });
    const global = values["global"] as { env: string; werf: Record<string, unknown> };
    expect(global.env).toBe("prod");
    expect(global.werf["image"]).toBeUndefined();
    expect(Object.keys(global.werf["images"] as object)).toEqual(["web"]);
  });

  it("leaves out env and namespace when empty, and global when asked to", () => {
    const values = serviceValues({
      project: "shop",
      werfVersion: "v2.77.1",
      repo: "",
      commit: { hash: "abc", dateHuman: "x", dateUnix: 1 },
      namespace: "",
      env: "",
      images: [],
      noGlobal: true,
    });
    expect(values["global"]).toBeUndefined();
    expect(values["werf"]).not.toHaveProperty("env");
    expect(values["werf"]).not.toHaveProperty("namespace");
  });
});
