// Fixtures encrypted by the real nelm v1.24.3 (scripts/gen-secret-fixtures.sh): slipway decrypts them to exactly
// what nelm prints, and what slipway encrypts from the same plaintext decrypts to the same text.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newSecretCipher } from "../../../src/secret/cipher.js";
import { decryptSecretFile, decryptSecretValues, encryptSecretValues } from "../../../src/secret/values-file.js";

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/secret/${name}`, import.meta.url), "utf8");
const cipher = newSecretCipher(fixture("key").trim());

describe("nelm-made secret fixtures", () => {
  it("decrypts nelm's secret values file to nelm's own decryption, byte for byte", () => {
    expect(decryptSecretValues(fixture("secret-values.yaml"), { cipher, file: "secret-values.yaml", style: "werf" })).toBe(fixture("decrypted-values.yaml"));
  });

  it("encrypts the plaintext so that it decrypts to nelm's decryption, with the same layout as nelm's ciphertext", () => {
    const ours = encryptSecretValues(fixture("plain-values.yaml"), cipher, "plain-values.yaml");
    expect(decryptSecretValues(ours, { cipher, file: "ours", style: "werf" })).toBe(fixture("decrypted-values.yaml"));
    const shape = (text: string): string => text.replace(/1000[0-9a-f]+/g, "<hex>");
    expect(shape(ours)).toBe(shape(fixture("secret-values.yaml")));
  });

  it("decrypts nelm's secret file", () => {
    expect(decryptSecretFile(Buffer.from(fixture("secret-file.txt")), cipher, "secret/file.txt")).toBe(fixture("decrypted-file.txt"));
  });

  it("fails on the first value with another key (deterministic for this fixture)", () => {
    expect(() => decryptSecretValues(fixture("secret-values.yaml"), { cipher: newSecretCipher("0".repeat(32)), file: "f", style: "werf" })).toThrow(
      "decrypt secret value: inconsistent data, unpad failed (wrong secret key or corrupt value)",
    );
  });
});
