/**
 * @module secret/chart
 *
 * A werf chart's secrets as nelm loads them (`SecretsRuntimeData.DecodeAndLoadSecrets`): the chart's
 * `secret-values.yaml` (unless disabled) and the `--secret-values` files, decrypted and merged with later files
 * winning, and every file under `secret/` decrypted for `werf_secret_file`. The key is asked for only when there is
 * something to decrypt; with --ignore-secret-key everything stays encrypted. Takes the chart's files and readers;
 * gives plain values.
 */
import type { ChartFile } from "../chart/types.js";
import { coalesceTablesInto, readValues } from "../chart/values.js";
import { SlipwayError } from "../errors.js";
import type { GoMap } from "../template/value.js";
import { newSecretCipher, SecretDataError, type SecretCipher } from "./cipher.js";
import { secretStrings } from "./mask.js";
import { decryptSecretFile, decryptSecretValues } from "./values-file.js";

export const DEFAULT_SECRET_VALUES_FILE = "secret-values.yaml";
export const SECRET_DIR = "secret";

export interface ChartSecretsOptions {
  /** The top chart's files, named relative to the chart directory. */
  readonly files: readonly ChartFile[];
  /** How the chart directory is named in messages (`.helm`). */
  readonly chartDir: string;
  /** `--secret-values` files, in order. */
  readonly secretValuesFiles: readonly string[];
  readonly readFile: (path: string) => string;
  readonly disableDefaultSecretValues: boolean;
  /** --ignore-secret-key: nothing is decrypted. */
  readonly ignoreSecretKey: boolean;
  /** The secret key (hex); called only when something needs decrypting. Throws when there is none. */
  readonly secretKey: () => string;
}

export interface ChartSecrets {
  /** The merged secret values; undefined when there are no secret values files. */
  readonly values: GoMap | undefined;
  /** `werf_secret_file`'s files: the path under `secret/` → the decrypted text. */
  readonly files: ReadonlyMap<string, string>;
  /** What output must hide: the decrypted values and files (none with --ignore-secret-key). */
  readonly sensitive: readonly string[];
}

/** The cipher for the key, with werf's wording when the key itself is unusable. */
export function cipherForKey(key: string): SecretCipher {
  try {
    return newSecretCipher(key);
  } catch (error) {
    if (error instanceof SecretDataError) throw new SlipwayError(`check encryption key: ${error.message}`, { code: "invalid-option" });
    throw error;
  }
}

export function loadChartSecrets(options: ChartSecretsOptions): ChartSecrets {
  const secretFiles = options.files.filter((f) => f.name.startsWith(`${SECRET_DIR}/`));
  const valuesFiles: { name: string; text: () => string }[] = [];
  const label = (name: string): string => (options.chartDir === "" ? name : `${options.chartDir}/${name}`);
  if (!options.disableDefaultSecretValues) {
    const own = options.files.find((f) => f.name === DEFAULT_SECRET_VALUES_FILE);
    if (own !== undefined) valuesFiles.push({ name: label(own.name), text: () => Buffer.from(own.data).toString("utf8") });
  }
  for (const path of options.secretValuesFiles) {
    valuesFiles.push({
      name: path,
      text: () => {
        try {
          return options.readFile(path);
        } catch (error) {
          throw new SlipwayError(`unable to read custom secret values file ${JSON.stringify(path)}`, { code: "invalid-option", cause: error });
        }
      },
    });
  }
  if (secretFiles.length + valuesFiles.length === 0) return { values: undefined, files: new Map(), sensitive: [] };

  let cipher: SecretCipher | null = null;
  if (!options.ignoreSecretKey) {
    const first = valuesFiles[0]?.name ?? label(secretFiles[0]?.name ?? "");
    try {
      cipher = cipherForKey(options.secretKey());
    } catch (error) {
      throw new SlipwayError(`decrypt ${first}`, { code: "invalid-option", cause: error });
    }
  }

  const files = new Map<string, string>();
  for (const f of secretFiles) files.set(f.name.slice(SECRET_DIR.length + 1), decryptSecretFile(f.data, cipher, label(f.name)));

  let values: GoMap | undefined;
  for (const file of valuesFiles) {
    const text = decryptSecretValues(file.text(), { cipher, file: file.name, style: "render" });
    const decoded = readValues(text, file.name, `cannot unmarshal secret values file ${file.name}`);
    // Later files win: CoalesceTables(later, earlier).
    values = values === undefined ? decoded : coalesceTablesInto(decoded, values);
  }
  return { values, files, sensitive: cipher === null ? [] : secretStrings([values, [...files.values()]]) };
}
