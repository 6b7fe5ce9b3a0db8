// werf.yaml's `project` read without rendering the file, for the commands that need the name but not the project:
// `ci-env` (github's WERF_REPO) and `helm template` (the Chart.yaml werf makes up for a chart without one).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The `project:` of the werf.yaml (or werf.yml) in `dir` when the file spells it out as a plain name; undefined
 * without such a file, or when the name is templated (it is not rendered here).
 */
export function plainProjectName(dir: string): string | undefined {
  for (const name of ["werf.yaml", "werf.yml"]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    return /^project:[ \t]*["']?([a-z0-9]([a-z0-9-]*[a-z0-9])?)["']?[ \t]*(#.*)?$/m.exec(readFileSync(file, "utf8"))?.[1];
  }
  return undefined;
}
