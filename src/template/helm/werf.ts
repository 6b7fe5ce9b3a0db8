// werf's template functions: `werf_secret_file` (nelm: the decrypted files under the chart's secret/ directory) and
// the `werf_image` helper werf's guides taught before v2 (`{{ tuple "backend" . | werf_image }}`), which reads the
// service value `.Values.werf.image.<name>`.

import { quote } from "../strconv.js";
import { GoFunc, isMap } from "../value.js";

export interface WerfFuncsOptions {
  /** The path under `secret/` → the decrypted text. */
  readonly secretFiles?: ReadonlyMap<string, string>;
}

function werfSecretFile(files: ReadonlyMap<string, string>): GoFunc {
  return new GoFunc(
    "werf_secret_file",
    ["string"],
    null,
    (path: unknown) => {
      const p = path as string;
      if (p.startsWith("/")) throw new Error(`expected relative secret file path, given path ${p}`);
      const data = files.get(p);
      if (data === undefined) {
        throw new Error(`secret file ${quote(p)} not found, you may use one of the following: ${quote([...files.keys()].sort().join("', '"))}`);
      }
      return data;
    },
    "string",
  );
}

function imagesOf(context: unknown): Map<string, unknown> {
  const values = isMap(context) ? context.get("Values") : undefined;
  const werf = isMap(values) ? values.get("werf") : undefined;
  const image = isMap(werf) ? werf.get("image") : undefined;
  return isMap(image) ? image : new Map<string, unknown>();
}

/** `werf_image (tuple "name" $)` → the image's reference; `werf_image $` → the nameless image's. */
const werfImage = new GoFunc(
  "werf_image",
  ["any"],
  null,
  (arg: unknown) => {
    let name = "";
    let context: unknown = arg;
    if (Array.isArray(arg)) {
      if (arg.length >= 2) {
        name = String(arg[0]);
        context = arg[1];
      } else context = arg[0];
    }
    const images = imagesOf(context);
    const known = [...images.keys()].filter((k) => k !== "").sort();
    const ref = images.get(name);
    if (typeof ref === "string" && ref !== "") return ref;
    if (name === "") throw new Error(`No image specified for template: use (tuple "NAME" $) with one of: ${known.map((k) => `'${k}'`).join(", ") || "(no images)"}`);
    throw new Error(`Unknown image '${name}' specified for template; known images: ${known.map((k) => `'${k}'`).join(", ") || "(none: werf.yaml builds no images)"}`);
  },
  "string",
);

/** The werf functions for a chart's templates. */
export function werfFuncMap(options: WerfFuncsOptions = {}): Map<string, GoFunc> {
  return new Map([
    ["werf_secret_file", werfSecretFile(options.secretFiles ?? new Map())],
    ["werf_image", werfImage],
  ]);
}
