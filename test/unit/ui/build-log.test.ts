import { describe, expect, it } from "vitest";
import type { BuiltImage } from "../../../src/build/phase.js";
import { BuildLog } from "../../../src/ui/build-log.js";

const result: BuiltImage = {
  name: "web",
  final: true,
  digest: "d".repeat(56),
  repo: "127.0.0.1:5000/app",
  repository: { registry: "127.0.0.1:5000", path: "app" },
  tag: `${"d".repeat(56)}-1752501317353`,
  ref: `127.0.0.1:5000/app:${"d".repeat(56)}-1752501317353`,
  imageId: `sha256:${"a".repeat(64)}`,
  manifestDigest: `sha256:${"b".repeat(64)}`,
  size: 2 * 1024 * 1024,
  rebuilt: false,
  buildMs: 0,
  commit: "",
  createdAtNs: 0,
  platform: "linux/amd64",
};

function capture(pretty: boolean): { log: BuildLog; out: () => string } {
  let text = "";
  const log = new BuildLog({ write: (t) => (text += t), pretty, color: false });
  return { log, out: () => text };
}

describe("BuildLog", () => {
  it("--log-quiet prints nothing for a good image and the whole block, build output included, for a failed one", () => {
    let text = "";
    const log = new BuildLog({ write: (t) => (text += t), pretty: false, color: false, quiet: true });
    log.handle({ kind: "image-start", image: "web", index: 1, total: 2, final: true });
    log.handle({ kind: "image-start", image: "api", index: 2, total: 2, final: true });
    log.handle({ kind: "build-start", image: "web" });
    log.handle({ kind: "build-output", image: "web", line: "Step 1/2 : RUN make" });
    log.handle({ kind: "build-start", image: "api" });
    log.handle({ kind: "build-output", image: "api", line: "fine" });
    log.handle({ kind: "build-output", image: "web", line: "make: *** [all] Error 2" });
    log.handle({ kind: "image-failed", image: "web", error: new Error("x"), ms: 500 });
    log.handle({ kind: "image-built", image: "api", result });
    log.handle({ kind: "image-done", image: "api", ms: 700 });
    expect(text).toBe("");
    log.finish();
    expect(text).toBe(
      [
        "(1/2) image web",
        "  Building stage web/dockerfile",
        "    Step 1/2 : RUN make",
        "    make: *** [all] Error 2",
        "(1/2) image web (0.50 seconds) FAILED",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints a werf-style block with an aligned info section", () => {
    const { log, out } = capture(true);
    log.handle({ kind: "image-start", image: "web", index: 1, total: 1, final: true });
    log.handle({ kind: "image-reused", image: "web", result });
    log.handle({ kind: "image-done", image: "web", ms: 1020 });
    log.finish();
    expect(out()).toBe(
      [
        "┌ 🛳️  (1/1) image web",
        "│ Use previously built image for web/dockerfile",
        `│      name: ${result.ref}`,
        "│        id: aaaaaaaaaaaa",
        `│    digest: ${result.manifestDigest}`,
        "│      size: 2.0 MiB",
        "└ 🛳️  (1/1) image web (1.02 seconds)",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints the foreground image live and holds a failed background image back until the end", () => {
    const { log, out } = capture(false);
    log.handle({ kind: "image-start", image: "good", index: 1, total: 2, final: true });
    log.handle({ kind: "image-start", image: "bad", index: 2, total: 2, final: true });
    log.handle({ kind: "build-output", image: "good", line: "live line" });
    expect(out()).toContain("live line");
    log.handle({ kind: "build-output", image: "bad", line: "boom" });
    log.handle({ kind: "image-failed", image: "bad", error: new Error("x"), ms: 500 });
    expect(out()).not.toContain("boom");
    log.handle({ kind: "image-reused", image: "good", result });
    log.handle({ kind: "image-done", image: "good", ms: 100 });
    log.finish();
    const text = out();
    expect(text.indexOf("image good (0.10 seconds)")).toBeLessThan(text.indexOf("boom"));
    expect(text).toContain("(2/2) image bad (0.50 seconds) FAILED");
    expect(text).not.toContain("┌");
  });

  it("hands the live output to the next running image when the foreground one finishes", () => {
    const { log, out } = capture(true);
    log.handle({ kind: "image-start", image: "a", index: 1, total: 2, final: true });
    log.handle({ kind: "image-start", image: "b", index: 2, total: 2, final: false });
    log.handle({ kind: "build-output", image: "b", line: "b-early" });
    expect(out()).not.toContain("b-early");
    log.handle({ kind: "image-done", image: "a", ms: 10 });
    expect(out()).toContain("b-early");
    log.handle({ kind: "build-output", image: "b", line: "b-late" });
    expect(out()).toContain("b-late");
    expect(out()).toContain("🏗️  (2/2) image b");
  });
});
