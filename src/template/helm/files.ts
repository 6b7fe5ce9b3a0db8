// Helm's `.Files` (pkg/engine/files.go): a map of chart-relative path to bytes with Get, GetBytes,
// Glob, Lines, AsConfig and AsSecrets.

import { toYaml } from "./data.js";
import { GoFunc, GoObject, bytesToString, compareStrings, setSliceElemType } from "../value.js";

/** gobwas/glob with '/' as separator, compiled to a RegExp (null when the pattern is invalid). */
export function compileGlob(pattern: string): RegExp | null {
  let re = "";
  let i = 0;
  let depth = 0;
  const special = /[\\^$.|+()[\]{}*?]/;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) return null;
      re += special.test(n) ? "\\" + n : n;
      i += 2;
      continue;
    }
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        re += ".*";
        i += 2;
      } else {
        re += "[^/]*";
        i++;
      }
      continue;
    }
    if (c === "?") {
      re += "[^/]";
      i++;
      continue;
    }
    if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body.startsWith("!")) {
        neg = true;
        body = body.slice(1);
      }
      re += "[" + (neg ? "^" : "") + body.replace(/[\\\]^]/g, (m) => "\\" + m) + "]";
      i = end + 1;
      continue;
    }
    if (c === "{") {
      depth++;
      re += "(?:";
      i++;
      continue;
    }
    if (c === "}" && depth > 0) {
      depth--;
      re += ")";
      i++;
      continue;
    }
    if (c === "," && depth > 0) {
      re += "|";
      i++;
      continue;
    }
    re += special.test(c) ? "\\" + c : c;
    i++;
  }
  if (depth !== 0) return null;
  try {
    return new RegExp("^" + re + "$", "s");
  } catch {
    return null;
  }
}

function base(p: string): string {
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return p === "" ? "." : "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Helm's engine.files: chart files other than templates, values and Chart.yaml. */
export class HelmFiles extends GoObject {
  readonly goType = "engine.files";
  private readonly files: Map<string, Uint8Array>;

  constructor(files: Iterable<[string, Uint8Array]>) {
    super();
    this.files = new Map(files);
  }

  override get goKind(): string {
    return "map";
  }

  getBytes(name: string): Uint8Array {
    return this.files.get(name) ?? new Uint8Array();
  }

  get(name: string): string {
    const b = this.files.get(name);
    return b === undefined ? "" : bytesToString(b);
  }

  glob(pattern: string): HelmFiles {
    const re = compileGlob(pattern) ?? /^.*$/s;
    const out: [string, Uint8Array][] = [];
    for (const [k, v] of this.files) if (re.test(k)) out.push([k, v]);
    return new HelmFiles(out);
  }

  lines(path: string): string[] {
    const b = this.files.get(path);
    if (b === undefined) return setSliceElemType([], "string");
    let s = bytesToString(b);
    if (s.length === 0) throw new Error("runtime error: index out of range [-1]");
    if (s.endsWith("\n")) s = s.slice(0, -1);
    return setSliceElemType(s.split("\n"), "string");
  }

  asConfig(): string {
    const m = new Map<string, unknown>();
    for (const k of this.sortedNames()) m.set(base(k), bytesToString(this.files.get(k)!));
    return toYaml(m);
  }

  asSecrets(): string {
    const m = new Map<string, unknown>();
    for (const k of this.sortedNames()) m.set(base(k), Buffer.from(this.files.get(k)!).toString("base64"));
    return toYaml(m);
  }

  private sortedNames(): string[] {
    return [...this.files.keys()].sort(compareStrings);
  }

  /** Range over the files: path → []byte, sorted by path. */
  rangeEntries(): [unknown, unknown][] {
    return this.sortedNames().map((k) => [k, this.files.get(k)!]);
  }

  override goLen(): number {
    return this.files.size;
  }

  override method(name: string): GoFunc | undefined {
    switch (name) {
      case "Get":
        return new GoFunc("Get", ["string"], null, (n) => this.get(n as string), "string");
      case "GetBytes":
        return new GoFunc("GetBytes", ["string"], null, (n) => this.getBytes(n as string), "bytes");
      case "Glob":
        return new GoFunc("Glob", ["string"], null, (p) => this.glob(p as string), "any");
      case "Lines":
        return new GoFunc("Lines", ["string"], null, (p) => this.lines(p as string), "strings");
      case "AsConfig":
        return new GoFunc("AsConfig", [], null, () => this.asConfig(), "string");
      case "AsSecrets":
        return new GoFunc("AsSecrets", [], null, () => this.asSecrets(), "string");
      default:
        return undefined;
    }
  }

  format(): string {
    return "map[" + this.sortedNames().map((k) => `${k}:[${Array.from(this.files.get(k)!).join(" ")}]`).join(" ") + "]";
  }
}
