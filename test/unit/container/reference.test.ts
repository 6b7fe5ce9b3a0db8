import { describe, expect, it } from "vitest";
import { splitReference } from "../../../src/container/dockerode.js";

describe("splitReference", () => {
  it.each([
    ["127.0.0.1:5000/app:v1", "127.0.0.1:5000/app", "v1"],
    ["127.0.0.1:5000/app", "127.0.0.1:5000/app", "latest"],
    ["registry.example.com/group/app:1a2b-123", "registry.example.com/group/app", "1a2b-123"],
    ["busybox", "busybox", "latest"],
  ])("%s", (reference, repo, tag) => {
    expect(splitReference(reference)).toEqual({ repo, tag });
  });
});
