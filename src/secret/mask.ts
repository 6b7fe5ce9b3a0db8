/**
 * @module secret/mask
 *
 * What werf hides in its output once secrets are decrypted (werf/common-go `secretvalues.ExtractSecretValuesFromMap`):
 * every decrypted value of 4 characters or more, each of its trimmed lines of 4 or more, and the same for the values
 * of a JSON object or array it holds. Output passes through `maskSecrets`, which puts `***` in their place. Pure.
 */
import { isMap } from "../template/value.js";

const MIN_LENGTH = 4;

/** The strings to hide for a decrypted value tree (and the decrypted secret files' contents). */
export function secretStrings(roots: readonly unknown[]): string[] {
  const out = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === null || v === undefined) continue;
    if (isMap(v)) queue.push(...v.values());
    else if (Array.isArray(v)) queue.push(...(v as unknown[]));
    else {
      const s = typeof v === "string" ? v : JSON.stringify(v);
      if (s.length >= MIN_LENGTH) out.add(s);
      for (const line of s.split("\n")) if (line.trim().length >= MIN_LENGTH) out.add(line.trim());
      if (/^\s*[[{]/.test(s)) {
        try {
          const parsed: unknown = JSON.parse(s);
          if (parsed !== null && typeof parsed === "object") queue.push(...Object.values(parsed as Record<string, unknown>));
        } catch {
          // not JSON: nothing more to hide
        }
      }
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every secret string replaced by `***` (longest first, so a value never leaks around a shorter one). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}

/** A mask filled once the secrets are known (after the render), applied to everything written after that. */
export class SecretMask {
  private secrets: string[] = [];

  add(values: readonly string[]): void {
    this.secrets = [...new Set([...this.secrets, ...values])].sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    return this.secrets.length === 0 ? text : maskSecrets(text, this.secrets);
  }

  /**
   * `err` with the secrets masked in the message and stack of each error of its cause chain (changed in place): the
   * final error line quotes what failed, and a server's refusal may quote a decrypted value.
   */
  applyToError(err: unknown): unknown {
    if (this.secrets.length === 0) return err;
    const seen = new Set<Error>();
    for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
      seen.add(e);
      const error = e;
      // A frozen error or a getter-only message (a DOMException) keeps its text rather than replace the error.
      const set = (key: "message" | "stack" | "cause", value: unknown): void => {
        try {
          (error as unknown as Record<string, unknown>)[key] = value;
        } catch {
          // not writable
        }
      };
      set("message", this.apply(error.message));
      if (error.stack !== undefined) set("stack", this.apply(error.stack));
      // A cause that is a plain string is printed as it is.
      if (typeof error.cause === "string") set("cause", this.apply(error.cause));
    }
    return err;
  }
}
