/**
 * @module secret/cipher
 *
 * werf's secret cipher (werf/common-go `secret.AesEncoder`): the key is a hex string of 16, 24 or 32 bytes (AES-128,
 * -192 or -256); a ciphertext is the hex of a 2-byte little-endian IV length (always 16), the IV and the AES-CBC
 * output over the data padded to the block size (a whole block of padding when the data is already aligned).
 * Pure apart from the random IV. Messages keep Go's wording so that they read as werf's.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const BLOCK = 16;
/** The IV length field, the IV and at least one block of padding. */
const MIN_BYTES = 2 + BLOCK + BLOCK;

/** A ciphertext or key that cannot be used; the message says why, in werf's words, and never holds plaintext. */
export class SecretDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretDataError";
  }
}

export interface SecretCipher {
  /** The hex ciphertext of `data` (a fresh random IV each time). */
  encrypt(data: Uint8Array): string;
  /** The plaintext of a hex ciphertext; "" decrypts to nothing, as in werf. Throws SecretDataError. */
  decrypt(hex: string): Buffer;
}

/** `generate-secret-key`: 16 random bytes as 32 hex characters (an AES-128 key). */
export function generateSecretKey(): string {
  return randomBytes(BLOCK).toString("hex");
}

/** Go's encoding/hex.Decode, with its errors (an invalid character is reported before an odd length). */
export function decodeHex(text: string): Buffer {
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad !== null) {
    const cp = bad[0].codePointAt(0) ?? 0;
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    throw new SecretDataError(`encoding/hex: invalid byte: U+${hex} '${bad[0]}'`);
  }
  if (text.length % 2 === 1) throw new SecretDataError("encoding/hex: odd length hex string");
  return Buffer.from(text, "hex");
}

/** The AES cipher for a werf secret key (surrounding whitespace is the caller's to trim). */
export function newSecretCipher(keyHex: string): SecretCipher {
  const key = decodeHex(keyHex);
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new SecretDataError(`crypto/aes: invalid key size ${key.length}`);
  }
  const algorithm = `aes-${key.length * 8}-cbc`;
  return {
    encrypt(data) {
      const padding = BLOCK - (data.length % BLOCK);
      const padded = Buffer.concat([data, Buffer.alloc(padding, padding)]);
      const iv = randomBytes(BLOCK);
      const cipher = createCipheriv(algorithm, key, iv).setAutoPadding(false);
      const body = Buffer.concat([cipher.update(padded), cipher.final()]);
      const ivLength = Buffer.alloc(2);
      ivLength.writeUInt16LE(BLOCK);
      return Buffer.concat([ivLength, iv, body]).toString("hex");
    },
    decrypt(hex) {
      if (hex.length === 0) return Buffer.alloc(0);
      const raw = decodeHex(hex);
      if (raw.length < MIN_BYTES) throw new SecretDataError(`minimum required data length: '${MIN_BYTES * 2}'`);
      const iv = raw.subarray(2, 2 + BLOCK);
      const body = raw.subarray(2 + BLOCK);
      if (body.length % BLOCK !== 0) throw new SecretDataError("data isn't a multiple of the block size");
      const decipher = createDecipheriv(algorithm, key, iv).setAutoPadding(false);
      const padded = Buffer.concat([decipher.update(body), decipher.final()]);
      // Stricter than werf, which checks only that the pad length fits: every pad byte must match, so that a wrong
      // key is caught (werf would hand on garbage about one time in sixteen) while every real ciphertext passes.
      const pad = padded[padded.length - 1] ?? 0;
      if (pad < 1 || pad > BLOCK || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
        throw new SecretDataError("inconsistent data, unpad failed");
      }
      return padded.subarray(0, padded.length - pad);
    },
  };
}
