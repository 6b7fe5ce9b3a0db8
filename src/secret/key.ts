/**
 * @module secret/key
 *
 * Where the werf secret key comes from (werf/common-go `secrets_manager.GetRequiredSecretKey`): `--secret-key` or
 * $WERF_SECRET_KEY, else `<work dir>/.werf_secret_key`, else `<werf home>/global_secret_key` (werf home: --home-dir,
 * $WERF_HOME or ~/.werf). File contents are trimmed; the first file that exists wins, even if it is empty, as in
 * werf. Reads the files through the given reader (the file system by default).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { SlipwayError } from "../errors.js";

export interface SecretKeySources {
  /** `--secret-key`, which already defaults to $WERF_SECRET_KEY. */
  readonly key: string;
  /** The directory holding `.werf_secret_key` ("" to skip it). */
  readonly workDir: string;
  /** werf's home directory; "" means ~/.werf. */
  readonly homeDir: string;
}

/** The global key file of a werf home directory. */
export function globalSecretKeyPath(homeDir: string): string {
  return join(homeDir === "" ? join(homedir(), ".werf") : resolve(homeDir), "global_secret_key");
}

/** The secret key, or a SlipwayError that lists every place tried (worded as werf's). */
export function findSecretKey(sources: SecretKeySources, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): string {
  if (sources.key !== "") return sources.key.trim();
  const tried = ["$WERF_SECRET_KEY"];
  const paths = [...(sources.workDir === "" ? [] : [resolve(sources.workDir, ".werf_secret_key")]), globalSecretKeyPath(sources.homeDir)];
  for (const path of paths) {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") {
        tried.push(path);
        continue;
      }
      throw new SlipwayError(`read secret key file ${JSON.stringify(path)}`, { code: "invalid-option", cause: error });
    }
    const key = text.trim();
    if (key !== "") return key;
    break;
  }
  throw new SlipwayError(`required encryption key not found in: ${tried.map((t) => JSON.stringify(t)).join(", ")}`, { code: "invalid-option" });
}

/**
 * Where .werf_secret_key and global_secret_key are looked for: werf passes the project directory (`--dir`, else the
 * current directory) as nelm's SecretWorkDir, in converge as in its secret commands.
 */
export function secretKeyDirs(cwd: string, dir: string, homeDir: string): { workDir: string; homeDir: string } {
  return { workDir: resolve(cwd, dir === "" ? "." : dir), homeDir };
}
