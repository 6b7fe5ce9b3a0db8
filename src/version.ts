// slipway's own version (from package.json) and the werf release whose behaviour it follows.
import { readFileSync } from "node:fs";

/** The werf line whose `converge` behaviour slipway reproduces. */
export const WERF_COMPAT_VERSION = "v2.77";

/**
 * The werf version slipway reports where werf reports its own: the `werf-version` image label and
 * `.Values.werf.version`. A semver whose build metadata names slipway, so chart checks such as
 * `semverCompare ">=2.77"` behave as with werf v2.77.
 */
export function werfVersionForState(): string {
  return `${WERF_COMPAT_VERSION}.0+slipway.${slipwayVersion()}`;
}

let cachedVersion: string | undefined;

/** Set by scripts/bundle.js in the bundled build, where package.json is not at the same relative path. */
declare const __SLIPWAY_VERSION__: string | undefined;

/** The `version` field of slipway's package.json (the same relative path from src/ and dist/). */
export function slipwayVersion(): string {
  if (cachedVersion === undefined && typeof __SLIPWAY_VERSION__ === "string") cachedVersion = __SLIPWAY_VERSION__;
  if (cachedVersion === undefined) {
    const text = readFileSync(new URL("../package.json", import.meta.url), "utf8");
    const parsed: unknown = JSON.parse(text);
    const version =
      typeof parsed === "object" && parsed !== null && "version" in parsed ? parsed.version : undefined;
    cachedVersion = typeof version === "string" ? version : "0.0.0-unknown";
  }
  return cachedVersion;
}

/** `slipway 0.1.0 (follows werf v2.77)` */
export function versionLine(): string {
  return `slipway ${slipwayVersion()} (follows werf ${WERF_COMPAT_VERSION})`;
}
