/**
 * The service values werf v2 injects into the chart: `.Values.werf.*` (with the legacy `image`/`tag` maps) and
 * `.Values.global.werf.*` (with the `images` details), built from the images the build phase produced.
 * Pure. The precedence over user values (service values win) is applied where values are merged.
 */

export interface BuiltImageRef {
  /** The werf image name ("" for a nameless image). */
  readonly name: string;
  /** Registry host, e.g. `127.0.0.1:5000` or `index.docker.io`. */
  readonly registry: string;
  /** Repository path without the registry, e.g. `group/app`. */
  readonly repository: string;
  readonly tag: string;
  /** Manifest digest `sha256:...`. */
  readonly digest: string;
}

export interface ServiceValuesInput {
  readonly project: string;
  /** The werf version slipway reports as its behaviour (e.g. `v2.77.1`). */
  readonly werfVersion: string;
  /** `--final-repo` if set, else `--repo`; "" when nothing is built. */
  readonly repo: string;
  readonly commit: { readonly hash: string; readonly dateHuman: string; readonly dateUnix: number };
  readonly namespace: string;
  readonly env: string;
  /** Final images only. */
  readonly images: readonly BuiltImageRef[];
  /** `WERF_EXPERIMENT_NO_GLOBAL_SERVICE_VALUES=1` drops `.Values.global`. */
  readonly noGlobal?: boolean;
  /** `--set-docker-config-json-value`: the base64 of the docker config.json, if one exists. */
  readonly dockerConfigJson?: string;
  /**
   * werf render without a repo (or with --stub-tags): these final images get werf's placeholders (`<repo>:TAG`,
   * registry `REGISTRY`, digest `DIGEST`...) and `.Values.werf.is_stub` is set; `repo` is then `REPO`.
   */
  readonly stubImageNames?: readonly string[];
}

export type Values = Record<string, unknown>;

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return ".";
  return slash === 0 ? "/" : path.slice(0, slash);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The tag werf's stub images carry. */
export const STUB_TAG = "TAG";

/** The per-image map of `.Values.global.werf.images.<name>` from its parts (werf's buildValuesMap). */
function detailsMap(p: { registry: string; repository: string; name: string; tag: string; digest: string; image: string }): Values {
  const { registry, repository, name, tag, digest, image } = p;
  const refTag = `${image}:${tag}`;
  return {
    registry,
    namespace: dirname(repository),
    name,
    tag,
    digest,
    tag_digest: `${tag}@${digest}`,
    image,
    repository,
    ref: `${refTag}@${digest}`,
    ref_tag: refTag,
    repository_ref: `${repository}:${tag}@${digest}`,
    repository_tag: `${repository}:${tag}`,
    name_ref: `${name}:${tag}@${digest}`,
    name_tag: `${name}:${tag}`,
  };
}

/** The per-image details of `.Values.global.werf.images.<name>`. */
export function imageDetails(image: BuiltImageRef): Values {
  const { registry, repository, tag, digest } = image;
  return detailsMap({ registry, repository, name: basename(repository), tag, digest, image: `${registry}/${repository}` });
}

/** A stub image's details, as werf's BuildStubImageValuesMap gives them. */
function stubImageDetails(repo: string): Values {
  return detailsMap({ registry: "REGISTRY", repository: "NAMESPACE/NAME", name: "NAME", tag: STUB_TAG, digest: "DIGEST", image: repo });
}

export function serviceValues(input: ServiceValuesInput): Values {
  const werf: Values = {
    name: input.project,
    version: input.werfVersion,
    repo: input.repo,
    commit: { hash: input.commit.hash, date: { human: input.commit.dateHuman, unix: input.commit.dateUnix } },
  };
  if (input.namespace !== "") werf["namespace"] = input.namespace;
  if (input.env !== "") werf["env"] = input.env;
  const image: Values = {};
  const tag: Values = {};
  const images: Values = {};
  if (input.stubImageNames !== undefined) {
    const stubImage = `${input.repo}:${STUB_TAG}`;
    werf["is_stub"] = true;
    werf["stub_image"] = stubImage;
    for (const name of input.stubImageNames) {
      image[name] = stubImage;
      tag[name] = STUB_TAG;
      images[name] = stubImageDetails(input.repo);
    }
  }
  for (const built of input.images) {
    image[built.name] = `${built.registry}/${built.repository}:${built.tag}`;
    tag[built.name] = built.tag;
    images[built.name] = imageDetails(built);
  }
  const values: Values = { werf: { ...werf, image, tag } };
  if (!input.noGlobal) {
    const global: Values = { werf: { ...werf, images } };
    if (input.env !== "") global["env"] = input.env;
    values["global"] = global;
  }
  if (input.dockerConfigJson !== undefined) values["dockerconfigjson"] = input.dockerConfigJson;
  return values;
}
