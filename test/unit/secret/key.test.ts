// The secret key's lookup order, as werf/common-go's GetRequiredSecretKey: the flag/env value, the work dir's
// .werf_secret_key, then <werf home>/global_secret_key; the first existing file wins; the error lists every place.
import { describe, expect, it } from "vitest";
import { findSecretKey } from "../../../src/secret/key.js";

function reader(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return text;
  };
}

describe("findSecretKey", () => {
  const sources = { key: "", workDir: "/proj", homeDir: "/home/u/.werf" };

  it("prefers --secret-key / $WERF_SECRET_KEY, trimmed", () => {
    expect(findSecretKey({ ...sources, key: " abc \n" }, reader({ "/proj/.werf_secret_key": "other" }))).toBe("abc");
  });

  it("then the work dir's .werf_secret_key, then the global key", () => {
    expect(findSecretKey(sources, reader({ "/proj/.werf_secret_key": "proj\n", "/home/u/.werf/global_secret_key": "global" }))).toBe("proj");
    expect(findSecretKey(sources, reader({ "/home/u/.werf/global_secret_key": " global\n" }))).toBe("global");
  });

  it("lists every place it looked when there is no key", () => {
    expect(() => findSecretKey(sources, reader({}))).toThrow(
      'required encryption key not found in: "$WERF_SECRET_KEY", "/proj/.werf_secret_key", "/home/u/.werf/global_secret_key"',
    );
  });

  it("stops at the first existing file even when it is empty, as werf", () => {
    expect(() => findSecretKey(sources, reader({ "/proj/.werf_secret_key": "\n", "/home/u/.werf/global_secret_key": "global" }))).toThrow(
      'required encryption key not found in: "$WERF_SECRET_KEY"',
    );
  });
});
