import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type ContextChecksumRequest,
  type DockerfileDigestInput,
  calculateStageDigest,
  computeDockerfileDigest,
  contentTag,
  imageSpecDependencies,
  imageSpecStageDigest,
  normalizeSourcesForPathMatcher,
  parseContentTag,
  planDockerfileDigest,
} from "../../../src/build/digest.js";

// Independent re-implementations of werf's util.Sha256Hash / util.Sha3_224Hash for the known answers.
const sha256 = (...a: string[]): string => createHash("sha256").update(a.join(":::")).digest("hex");
const sha3 = (...a: string[]): string => createHash("sha3-224").update(a.join(":::")).digest("hex");

/** A fake ls-tree checksum: the sorted globs and a version per glob, recording what was asked. */
function fakeContext(versions: Record<string, string> = {}): {
  fn: (r: ContextChecksumRequest) => string;
  asked: ContextChecksumRequest[];
} {
  const asked: ContextChecksumRequest[] = [];
  return {
    asked,
    fn: (r) => {
      asked.push(r);
      return r.globs.map((g) => `${g}@${versions[g] ?? "v1"}`).join(",");
    },
  };
}

function digestOf(input: Omit<DockerfileDigestInput, "dockerfilePath">, versions: Record<string, string> = {}): string {
  return computeDockerfileDigest({ dockerfilePath: "Dockerfile", ...input, contextChecksum: fakeContext(versions).fn })
    .digest;
}

describe("known answers, derived by hand from werf's GetDependencies and calculateDigest", () => {
  it("a one-stage Dockerfile without COPY", () => {
    // list = [resolved FROM, RUN text]; stageDependencies = sha256("alpine:3.20:::RUN echo hello")
    //   = c63ee331...; digest = sha3_224("1.2:::dockerfile:::" + stageDependencies).
    const r = computeDockerfileDigest({
      dockerfile: "FROM alpine:3.20\nRUN echo hello\n",
      dockerfilePath: "Dockerfile",
      contextChecksum: () => {
        throw new Error("no COPY, no checksum");
      },
    });
    expect(r.dependencies).toEqual(["alpine:3.20", "RUN echo hello"]);
    expect(r.stageDependencies).toBe("c63ee33167d2f4c04be10e513e956bb68eef570fadaf54235dab88d1c2bbcef1");
    expect(r.digest).toBe("891e9ea93d3d78f95099be97e977e50ac957a72526c1cb65c589dfce");
    expect(r.digest).toMatch(/^[0-9a-f]{56}$/);
  });

  it("a COPY contributes its text and sha256 of the ls-tree checksum", () => {
    // werf: dependencies += c.String(); dependencies += Sha256Hash(lsTreeChecksum) (calculateFilesChecksumWithGit).
    const r = computeDockerfileDigest({
      dockerfile: "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json /app/\nRUN npm ci\n",
      dockerfilePath: "Dockerfile",
      contextChecksum: (req) => {
        expect(req.globs).toEqual(["package.json"]);
        return "0123456789abcdef";
      },
    });
    const files = sha256("0123456789abcdef");
    expect(files).toBe("9f9f5111f7b27a781f1f1ddde5ebc2dd2b796bfc7365c9c28b548e564176929f");
    expect(r.dependencies).toEqual(["node:22-alpine", "WORKDIR /app", "COPY package.json /app/", files, "RUN npm ci"]);
    expect(r.digest).toBe("67c4d86e13879213c0c0425d5b8c342ea7a5109835ede66d431bf302");
  });

  it("ARG/ENV resolution, werf's quirks included", () => {
    // Meta ARGs are resolved before the platform ARGs are merged in, so a bare global `ARG TARGETARCH` is ""
    // and shadows the platform value. Stage ARGs: dependency arg > werf.yaml arg > default (> meta value when the
    // default is empty). ENV and ARG entries are "KEY=value" with everything expanded. Other instructions are
    // their whole text through the shell lexer: quotes vanish and unset variables become "".
    const dockerfile = [
      "ARG BASE=alpine",
      "ARG TARGETARCH",
      "FROM ${BASE}:3.20",
      "ARG TARGETARCH",
      "ARG VERSION=1.0",
      "ARG BACKEND_IMAGE",
      "ENV V=$VERSION-$TARGETARCH",
      'RUN echo "$V $UNSET" && echo \'$BACKEND_IMAGE\'',
      "",
    ].join("\n");
    const r = computeDockerfileDigest({
      dockerfile,
      dockerfilePath: "Dockerfile",
      args: { VERSION: "2.0", BACKEND_IMAGE: "ignored" },
      dependencyArgs: { BACKEND_IMAGE: "registry/app:abc-1" },
      addHost: ["db:10.0.0.1"],
      cacheVersion: "7",
      platform: "linux/arm64",
      contextChecksum: () => "",
    });
    const list = [
      "db:10.0.0.1",
      "alpine:3.20",
      "ARG TARGETARCH=",
      "ARG VERSION=2.0",
      "ARG BACKEND_IMAGE=registry/app:abc-1",
      "ENV V=2.0-",
      "RUN echo 2.0-  && echo $BACKEND_IMAGE",
      "7",
    ];
    expect(r.dependencies).toEqual(list);
    expect(r.stageDependencies).toBe(sha256(...list));
    // A target platform other than linux/amd64 is the first digest input.
    expect(r.digest).toBe(sha3("linux/arm64", "1.2", "dockerfile", sha256(...list)));
    expect(r.platformInput).toBe("linux/arm64");
  });

  it("multi-stage: related stages' lists are appended in werf's order", () => {
    // Stage lists: s0 = [golang, COPY, sum(.), RUN]; s1 = [alpine, COPY --from]; s1 += s0 (COPY --from=build → 0).
    const dockerfile = [
      "FROM golang:1.23 AS build",
      "COPY . /src",
      "RUN go build -o /app",
      "FROM alpine AS unused",
      "RUN echo nope",
      "FROM alpine",
      "COPY --from=build /app /app",
      "",
    ].join("\n");
    const r = computeDockerfileDigest({ dockerfile, dockerfilePath: "Dockerfile", contextChecksum: () => "T" });
    const s0 = ["golang:1.23", "COPY . /src", sha256("T"), "RUN go build -o /app"];
    expect(r.dependencies).toEqual(["alpine", "COPY --from=build /app /app", ...s0]);
    expect(r.digest).toBe(sha3("1.2", "dockerfile", sha256("alpine", "COPY --from=build /app /app", ...s0)));
  });

  it("FROM <stage> also brings the base stage's ONBUILD triggers", () => {
    const dockerfile = ["FROM alpine AS base", "ONBUILD RUN echo $HOME", "FROM base", "RUN x", ""].join("\n");
    const r = computeDockerfileDigest({ dockerfile, dockerfilePath: "Dockerfile", contextChecksum: () => "" });
    // s0 = [alpine, expression]; its onbuild list = [trigger resolved with the stage ENVs only → "RUN echo "].
    expect(r.dependencies).toEqual(["base", "RUN x", "alpine", "RUN echo $HOME", "RUN echo "]);
  });
});

describe("digest properties", () => {
  const app = [
    "FROM golang:1.23 AS build",
    "ARG VERSION=dev",
    "COPY go.mod go.sum /src/",
    "COPY cmd/ /src/cmd/",
    "RUN go build -ldflags=-X=main.v=$VERSION -o /app ./cmd",
    "FROM alpine:3.20 AS test",
    "COPY testdata /testdata",
    "FROM alpine:3.20 AS prod",
    "COPY --from=build /app /app",
    "",
  ].join("\n");

  it("a file no COPY takes is never asked for and cannot change the digest", () => {
    const ctx = fakeContext();
    const plan = planDockerfileDigest({ dockerfile: app, dockerfilePath: "Dockerfile" });
    plan.digest({ contextChecksum: ctx.fn });
    const asked = ctx.asked.flatMap((r) => r.globs);
    expect(asked.sort()).toEqual(["cmd", "go.mod", "go.sum"]);
    expect(asked).not.toContain("README.md");
    expect(digestOf({ dockerfile: app }, { "README.md": "v2" })).toBe(digestOf({ dockerfile: app }));
  });

  it("a change to a COPY'd file changes the digest, also through COPY --from", () => {
    expect(digestOf({ dockerfile: app }, { cmd: "v2" })).not.toBe(digestOf({ dockerfile: app }));
  });

  it("unused stages do not matter, and their files are not checksummed", () => {
    expect(digestOf({ dockerfile: app }, { testdata: "v2" })).toBe(digestOf({ dockerfile: app }));
    const changedUnused = app.replace("COPY testdata /testdata", "COPY testdata /elsewhere\nRUN make test");
    expect(digestOf({ dockerfile: changedUnused })).toBe(digestOf({ dockerfile: app }));
    const plan = planDockerfileDigest({ dockerfile: app, dockerfilePath: "Dockerfile" });
    expect(plan.usedStages).toEqual([0, 2]);
    // Giterminism still sees every stage's sources, as werf inspects them all.
    expect(plan.contextSources.map((s) => [s.globs, s.stageName, s.usedByTarget])).toEqual([
      [["go.mod", "go.sum"], "build", true],
      [["cmd"], "build", true],
      [["testdata"], "test", false],
    ]);
  });

  it("target selects the stage, and an unknown target fails like werf", () => {
    const test = digestOf({ dockerfile: app, target: "test" });
    expect(test).not.toBe(digestOf({ dockerfile: app }));
    expect(digestOf({ dockerfile: app, target: "test" }, { cmd: "v2" })).toBe(test);
    expect(digestOf({ dockerfile: app, target: "prod" })).toBe(digestOf({ dockerfile: app }));
    expect(() => digestOf({ dockerfile: app, target: "nope" })).toThrow("nope is not a valid target build stage");
  });

  it("cacheVersion changes the digest", () => {
    const base = digestOf({ dockerfile: app });
    expect(digestOf({ dockerfile: app, cacheVersion: "1" })).not.toBe(base);
    expect(digestOf({ dockerfile: app, cacheVersion: "" })).toBe(base);
  });

  it("a dependency import value changes the digest only where its ARG is declared", () => {
    const df = "FROM alpine\nARG BACKEND_IMAGE\nRUN echo $BACKEND_IMAGE\n";
    const a = digestOf({ dockerfile: df, dependencyArgs: { BACKEND_IMAGE: "r/app:d1-1" } });
    const b = digestOf({ dockerfile: df, dependencyArgs: { BACKEND_IMAGE: "r/app:d2-2" } });
    expect(a).not.toBe(b);
    const undeclared = "FROM alpine\nRUN echo hi\n";
    expect(digestOf({ dockerfile: undeclared, dependencyArgs: { BACKEND_IMAGE: "r/app:d1-1" } })).toBe(
      digestOf({ dockerfile: undeclared, dependencyArgs: { BACKEND_IMAGE: "r/app:d2-2" } }),
    );
  });

  it("ARG precedence: dependency arg > werf.yaml args > Dockerfile default > meta value", () => {
    const df = "ARG V=meta\nFROM alpine\nARG V\nARG W=default\nRUN echo $V $W\n";
    const deps = (input: Partial<DockerfileDigestInput>): readonly string[] =>
      computeDockerfileDigest({ dockerfile: df, dockerfilePath: "Dockerfile", contextChecksum: () => "", ...input })
        .dependencies;
    expect(deps({})).toContain("RUN echo meta default");
    expect(deps({ args: { W: "yaml" } })).toContain("RUN echo meta yaml");
    expect(deps({ args: { V: "yaml" } })).toContain("RUN echo yaml default");
    expect(deps({ args: { V: "yaml" }, dependencyArgs: { V: "dep" } })).toContain("RUN echo dep default");
    // A global ARG that no stage re-declares and no FROM uses has no effect (werf issue #4674).
    const unused = "ARG X=1\nFROM alpine\nRUN echo $X\n";
    expect(digestOf({ dockerfile: unused, args: { X: "2" } })).toBe(digestOf({ dockerfile: unused }));
  });

  it("ARGs and ENVs expand COPY sources; a FROM that expands to nothing fails", () => {
    const df = "FROM alpine\nARG DIR=src\nENV SUB=lib\nCOPY ./$DIR/${SUB}/ /x/\nCOPY / /root\n";
    const ctx = fakeContext();
    computeDockerfileDigest({ dockerfile: df, dockerfilePath: "Dockerfile", contextChecksum: ctx.fn });
    expect(ctx.asked.map((r) => [r.sources, r.globs])).toEqual([
      [["./src/lib/"], ["src/lib"]],
      [["/"], ["."]],
    ]);
    expect(() => digestOf({ dockerfile: "ARG B\nFROM $B\n" })).toThrow("Dockerfile:2: invalid base image");
  });

  it("platform linux/amd64 is the same as no platform; others are not", () => {
    const df = "FROM alpine\nRUN uname -m\n";
    expect(digestOf({ dockerfile: df, platform: "linux/amd64" })).toBe(digestOf({ dockerfile: df }));
    expect(digestOf({ dockerfile: df, platform: "x86_64" })).toBe(digestOf({ dockerfile: df }));
    expect(digestOf({ dockerfile: df, platform: "linux/arm64" })).not.toBe(digestOf({ dockerfile: df }));
  });

  it("contextAddFiles checksums are folded in only when non-empty", () => {
    const df = "FROM alpine\nCOPY conf/ /etc/app/\n";
    const base = (add?: string): readonly string[] =>
      computeDockerfileDigest({
        dockerfile: df,
        dockerfilePath: "Dockerfile",
        contextChecksum: () => "L",
        ...(add === undefined ? {} : { contextAddFilesChecksum: () => add }),
      }).dependencies;
    expect(base()).toEqual(["alpine", "COPY conf/ /etc/app/", sha256("L")]);
    expect(base("")).toEqual(base());
    expect(base("A")).toEqual(["alpine", "COPY conf/ /etc/app/", sha256(sha256("L"), "A")]);
  });

  it("RUN --mount from=<stage> pulls that stage in; COPY --from=<image> does not ask for a checksum", () => {
    const df = [
      "FROM alpine AS deps",
      "COPY lock /lock",
      "FROM alpine",
      "COPY --from=nginx:latest /etc/nginx /etc/nginx",
      "RUN --mount=type=bind,from=deps,source=/lock,target=/lock cat /lock",
      "",
    ].join("\n");
    const ctx = fakeContext();
    const r = computeDockerfileDigest({ dockerfile: df, dockerfilePath: "Dockerfile", contextChecksum: ctx.fn });
    expect(ctx.asked.map((a) => a.globs)).toEqual([["lock"]]);
    expect(r.dependencies.slice(-3)).toEqual(["alpine", "COPY lock /lock", sha256("lock@v1")]);
  });
});

describe("imageSpec stage and tags", () => {
  it("chains the imageSpec stage onto the dockerfile digest", () => {
    const prev = "891e9ea93d3d78f95099be97e977e50ac957a72526c1cb65c589dfce";
    const spec = { labels: { b: "2", a: "1" }, expose: ["8080", "443"], user: "app" };
    // GetDependencies: author, clearHistory, cmd, entrypoint, env (sorted k,v), expose (sorted), healthcheck,
    // labels (sorted k,v), stopSignal, user, volumes, workingDir, removeLabels/Volumes/Env, 5 bools.
    const deps = sha256("", "false", "", "", "443", "8080", "<nil>", "a", "1", "b", "2", "", "app", "", "false", "false", "false", "false", "false");
    expect(imageSpecDependencies(spec)).toBe(deps);
    expect(imageSpecStageDigest(prev, spec)).toBe(sha3("1.2", "imageSpec", deps, prev, ""));
    expect(calculateStageDigest({ stageName: "imageSpec", stageDependencies: deps, platform: "linux/arm64" })).toBe(
      sha3("linux/arm64", "1.2", "imageSpec", deps),
    );
  });

  it("formats and parses <digest>-<unix ms>", () => {
    const d = "079dfdd3f51a4a7e6a1d4b0a76b5d1e1b6b2f0f3a1c9e2d4b0d533f5";
    const tag = contentTag(d, 1752501317353);
    expect(tag).toBe(`${d}-1752501317353`);
    expect(tag).toHaveLength(70);
    expect(parseContentTag(tag)).toEqual({ digest: d, unixMillis: 1752501317353 });
    expect(parseContentTag(`${tag}-rejected`)).toBeUndefined();
    expect(parseContentTag("managed-image-app")).toBeUndefined();
    expect(parseContentTag(d)).toBeUndefined();
    expect(() => contentTag("xyz", 1)).toThrow(/invalid stage digest/);
  });

  it("normalizes COPY sources like werf's path matcher", () => {
    expect(normalizeSourcesForPathMatcher(["./a/", "/", "/b/../c", ".", "x/*.go", ""])).toEqual([
      "a",
      ".",
      "c",
      ".",
      "x/*.go",
      ".",
    ]);
  });
});
