// werf's secret cipher: the documented format (hex of LE16 IV length, IV, AES-CBC over padded data) built here with
// node:crypto directly, decrypted by slipway; slipway's own ciphertexts in that format; werf's error wording.
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeHex, generateSecretKey, newSecretCipher, SecretDataError } from "../../../src/secret/cipher.js";

/** A ciphertext made from the format's description, independent of slipway's encrypt. */
function werfFormat(keyHex: string, plain: string): string {
  const key = Buffer.from(keyHex, "hex");
  const iv = randomBytes(16);
  const data = Buffer.from(plain, "utf8");
  const pad = 16 - (data.length % 16);
  const c = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv).setAutoPadding(false);
  const body = Buffer.concat([c.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), c.final()]);
  return Buffer.concat([Buffer.from([16, 0]), iv, body]).toString("hex");
}

describe("secret cipher", () => {
  it.each([16, 24, 32])("decrypts the documented format with a %i-byte key and round-trips its own output", (size) => {
    const key = randomBytes(size).toString("hex");
    const cipher = newSecretCipher(key);
    for (const plain of ["", "x", "exactly16bytes!!", "päss wörd\nline 2", "a".repeat(100)]) {
      expect(cipher.decrypt(werfFormat(key, plain)).toString("utf8")).toBe(plain);
      const hex = cipher.encrypt(Buffer.from(plain));
      expect(hex.startsWith("1000")).toBe(true);
      // 2 + 16 bytes of header, then whole blocks with at least one byte of padding.
      expect(hex.length).toBe(2 * (18 + 16 * (Math.floor(Buffer.byteLength(plain) / 16) + 1)));
      expect(cipher.decrypt(hex).toString("utf8")).toBe(plain);
    }
  });

  it("uses a fresh IV every time", () => {
    const cipher = newSecretCipher(generateSecretKey());
    expect(cipher.encrypt(Buffer.from("same"))).not.toBe(cipher.encrypt(Buffer.from("same")));
  });

  it("generates 32 hex characters", () => {
    expect(generateSecretKey()).toMatch(/^[0-9a-f]{32}$/);
  });

  it("decrypts an empty ciphertext to nothing, as werf", () => {
    expect(newSecretCipher(generateSecretKey()).decrypt("").length).toBe(0);
  });

  it("rejects a wrong key with werf's unpad message", () => {
    const hex = newSecretCipher(generateSecretKey()).encrypt(Buffer.from("secret"));
    let failures = 0;
    // The strict padding check catches a wrong key except about once in 256 tries; 20 keys all fail in practice.
    for (let i = 0; i < 20; i++) {
      try {
        newSecretCipher(generateSecretKey()).decrypt(hex);
      } catch (e) {
        expect(e).toBeInstanceOf(SecretDataError);
        expect((e as Error).message).toBe("inconsistent data, unpad failed");
        failures++;
      }
    }
    expect(failures).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ["1000zz", "encoding/hex: invalid byte: U+007A 'z'"],
    ["100", "encoding/hex: odd length hex string"],
    ["1000abcd", "minimum required data length: '68'"],
    [`1000${"ab".repeat(16)}${"cd".repeat(17)}`, "data isn't a multiple of the block size"],
  ])("rejects corrupt data %s with werf's message", (hex, message) => {
    expect(() => newSecretCipher(generateSecretKey()).decrypt(hex)).toThrow(message);
  });

  it.each([
    ["zz", "encoding/hex: invalid byte: U+007A 'z'"],
    ["abcd", "crypto/aes: invalid key size 2"],
  ])("rejects the key %s", (key, message) => {
    expect(() => newSecretCipher(key)).toThrow(message);
  });

  it("decodes hex as Go does: an invalid character is reported before an odd length", () => {
    expect(() => decodeHex("abc")).toThrow("odd length");
    expect(() => decodeHex("abg")).toThrow("U+0067 'g'");
    expect(decodeHex("0aFF")).toEqual(Buffer.from([10, 255]));
  });
});
