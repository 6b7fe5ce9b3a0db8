// Helm's .helmignore rules (pkg/ignore): filepath.Match patterns on the base name (no slash), the
// whole relative path (with a slash) or from the chart root (leading slash); `!` negates, a
// trailing `/` matches directories only.

export interface IgnoreRule {
  readonly raw: string;
  readonly negate: boolean;
  readonly mustDir: boolean;
  readonly match: (path: string) => boolean;
}

/** Go's path/filepath.Match, compiled to a RegExp. */
export function compileFilepathMatch(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      re += "\\" + pattern[++i];
    } else if (c === "*") {
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) throw new Error("syntax error in pattern");
      let body = pattern.slice(i + 1, end);
      const neg = body.startsWith("^");
      if (neg) body = body.slice(1);
      re += "[" + (neg ? "^/" : "") + body.replace(/[\]\\^]/g, (m) => "\\" + m) + "]";
      i = end;
    } else {
      re += /[.+^${}()|\]]/.test(c) ? "\\" + c : c;
    }
  }
  return new RegExp("^" + re + "$", "s");
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

export function parseRule(line: string): IgnoreRule | null {
  let rule = line.trim();
  if (rule === "" || rule.startsWith("#")) return null;
  if (rule.includes("**")) throw new Error("double-star (**) syntax is not supported");
  const raw = rule;
  let negate = false;
  if (rule.startsWith("!")) {
    negate = true;
    rule = rule.slice(1);
  }
  let mustDir = false;
  if (rule.endsWith("/")) {
    mustDir = true;
    rule = rule.slice(0, -1);
  }
  let match: (p: string) => boolean;
  if (rule.startsWith("/")) {
    const re = compileFilepathMatch(rule.slice(1));
    match = (p) => re.test(p);
  } else if (rule.includes("/")) {
    const re = compileFilepathMatch(rule);
    match = (p) => re.test(p);
  } else {
    const re = compileFilepathMatch(rule);
    match = (p) => re.test(baseName(p));
  }
  return { raw, negate, mustDir, match };
}

export class IgnoreRules {
  private readonly rules: IgnoreRule[] = [];

  static parse(text: string): IgnoreRules {
    const r = new IgnoreRules();
    for (const line of text.split("\n")) {
      const rule = parseRule(line);
      if (rule !== null) r.rules.push(rule);
    }
    return r;
  }

  /** Helm's AddDefaults: dotfiles under templates/. */
  addDefaults(): this {
    const rule = parseRule("templates/.?*");
    if (rule !== null) this.rules.push(rule);
    return this;
  }

  /** Rules.Ignore: `path` is slash-separated and relative to the chart root. */
  ignore(path: string, isDir: boolean): boolean {
    if (path === "" || path === "." || path === "./") return false;
    for (const p of this.rules) {
      if (p.negate) {
        if (p.mustDir && !isDir) return true;
        if (!p.match(path)) return true;
        continue;
      }
      if (p.mustDir && !isDir) continue;
      if (p.match(path)) return true;
    }
    return false;
  }
}
