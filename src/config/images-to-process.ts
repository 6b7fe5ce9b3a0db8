/**
 * @module config/images-to-process
 *
 * werf's positional image arguments (`WERF_CONVERGE_ENABLE_IMAGES_PARAMS=1 werf converge backend 'api-*' '!api-old'`):
 * Go `path.Match` globs select images, a `!` prefix excludes (unless the exclusion names an image that an include
 * pattern names literally), `**` is refused. The selected images are built together with the images they depend on.
 * Pure: takes the parsed werf.yaml and the arguments, gives image names or throws SlipwayError.
 */
import { compileFilepathMatch } from "../chart/helmignore.js";
import { SlipwayError } from "../errors.js";
import type { DockerfileImage } from "./werf-yaml.js";

function usage(message: string): SlipwayError {
  return new SlipwayError(message, { code: "usage" });
}

function matcher(pattern: string): RegExp {
  try {
    return compileFilepathMatch(pattern);
  } catch {
    throw usage(`invalid pattern ${JSON.stringify(pattern)}: syntax error in pattern`);
  }
}

/** The names the arguments select, in werf.yaml order; every name when there are no arguments. */
export function selectImages(images: readonly DockerfileImage[], args: readonly string[]): string[] {
  const all = images.map((i) => i.name);
  const include: string[] = [];
  const exclude: string[] = [];
  for (const arg of args) {
    if (arg.includes("**")) throw usage("recursive glob (**) not supported");
    if (arg.length > 100) throw usage("pattern too long");
    if (/[&|$]/.test(arg)) throw usage("special characters not allowed");
    if (arg.startsWith("!")) exclude.push(arg.slice(1));
    else include.push(arg);
  }
  let selected = new Set(include.length === 0 ? all : []);
  for (const pattern of include) {
    const re = matcher(pattern);
    const hits = all.filter((name) => re.test(name));
    if (hits.length === 0) throw usage(`no image matches pattern ${JSON.stringify(pattern)}`);
    for (const name of hits) selected.add(name);
  }
  if (exclude.length > 0) {
    const res = exclude.map(matcher);
    selected = new Set([...selected].filter((name) => include.includes(name) || !res.some((re) => re.test(name))));
  }
  return all.filter((name) => selected.has(name));
}

/** The images to build for a selection: the selected ones and, transitively, the images they depend on. */
export function withDependencies(images: readonly DockerfileImage[], names: readonly string[]): DockerfileImage[] {
  const byName = new Map(images.map((i) => [i.name, i]));
  const needed = new Set<string>();
  const visit = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dep of byName.get(name)?.dependencies ?? []) visit(dep.image);
  };
  for (const name of names) visit(name);
  return images.filter((i) => needed.has(i.name));
}
