// go-yaml v2's decoded values before the JSON step (map[interface{}]interface{} trees), shared by the
// full reader and its fast path.

/** A go-yaml v2 integer (int, int64 or uint64). */
export class YamlInt {
  constructor(readonly v: bigint) {}
}

/** go-yaml v2's decoded value (map[interface{}]interface{} trees). */
export type YamlRaw = null | boolean | string | number | YamlInt | YamlRaw[] | YamlRawMap;
export class YamlRawMap {
  readonly entries = new Map<string, { key: YamlRaw; value: YamlRaw }>();
  set(key: YamlRaw, value: YamlRaw): void {
    this.entries.set(rawKeyId(key), { key, value });
  }
}

function rawKeyId(k: YamlRaw): string {
  if (k === null) return "n:";
  if (typeof k === "string") return "s:" + k;
  if (typeof k === "boolean") return "b:" + String(k);
  if (typeof k === "number") return "f:" + String(k);
  if (k instanceof YamlInt) return "i:" + k.v.toString();
  return "o:" + Math.random().toString();
}
