// The on-disk cache of parsed templates: one JSON file per chart content under the user's cache directory
// ($XDG_CACHE_HOME/slipway/templates, else ~/.cache/slipway/templates). Takes the environment; gives the engine's
// ParseCache. A cache that cannot be read or written is skipped silently: it only saves time.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ParseCache } from "../template/helm/engine.js";
import { slipwayCacheDir } from "../util/cache-dir.js";

/** Entries kept; the least recently written beyond this are removed when one is added. */
const MAX_ENTRIES = 16;

/**
 * Which build of slipway wrote an entry: this module's file and its modification time and size. Every build writes
 * its output anew, so a cache never outlives the parser that filled it.
 */
function buildIdentity(): string {
  const file = fileURLToPath(import.meta.url);
  const st = statSync(file);
  return `${file}\0${st.mtimeMs}\0${st.size}`;
}

/** The parse cache's directory (see slipwayCacheDir); undefined without a usable home. */
export function parseCacheDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return slipwayCacheDir(env, "templates");
}

/** The user's cache (see parseCacheDir); undefined when there is no home to keep it in or SLIPWAY_PARSE_CACHE=0. */
export function userParseCache(env: Readonly<Record<string, string | undefined>>): ParseCache | undefined {
  if (env["SLIPWAY_PARSE_CACHE"] === "0") return undefined;
  const dir = parseCacheDir(env);
  return dir === undefined ? undefined : diskParseCache(dir);
}

/**
 * The directory is private to its user (0700, files 0600): templates may carry what a chart keeps to itself, and an
 * entry decides what is rendered, so a directory someone else owns is not used at all.
 */
function ownDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return process.getuid === undefined || st.uid === process.getuid();
  } catch {
    return false;
  }
}

export function diskParseCache(dir: string): ParseCache {
  let build: string | undefined;
  let usable: boolean | undefined;
  const path = (key: string): string => {
    build ??= buildIdentity();
    return join(dir, `${process.getBuiltinModule("node:crypto").createHash("sha256").update(build).update("\0").update(key).digest("hex")}.json`);
  };
  return {
    read(key) {
      usable ??= ownDirectory(dir);
      if (!usable) return undefined;
      try {
        return readFileSync(path(key), "utf8");
      } catch {
        return undefined;
      }
    },
    write(key, text) {
      usable ??= ownDirectory(dir);
      if (!usable) return;
      try {
        const file = path(key);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, text, { mode: 0o600 });
        renameSync(tmp, file);
        prune(dir);
      } catch {
        // Read-only or full disk: the next run parses again.
      }
    },
  };
}

function prune(dir: string): void {
  const entries = readdirSync(dir).filter((f) => f.endsWith(".json"));
  if (entries.length <= MAX_ENTRIES) return;
  const byAge = entries
    .map((f) => ({ f, t: statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of byAge.slice(MAX_ENTRIES)) rmSync(join(dir, f), { force: true });
}
