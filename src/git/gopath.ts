/**
 * Go's slash-path helpers (`path.Clean`, `path.Dir`, `path.Join`, `filepath.Rel` on relative paths) and werf's
 * `util.SplitFilepath`, so that matching code ported from Go behaves the same on edge cases. Pure; imports nothing.
 */

/**
 * Whether Go's `path.Clean` could change `p`: an empty component (`//`), a `.` or `..` component, or a trailing
 * slash after something. One scan without allocating, because this runs for every path of a tree.
 */
function unclean(p: string): boolean {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const c = p.charCodeAt(i);
    if (c === 0x2f) {
      // "/" at the end after something, or "//"
      if (i === n - 1 ? i > 0 : p.charCodeAt(i + 1) === 0x2f) return true;
    } else if (c === 0x2e && (i === 0 || p.charCodeAt(i - 1) === 0x2f)) {
      // a component starting with "." is "." or ".." when the next one or two characters end it
      let j = i + 1;
      if (j < n && p.charCodeAt(j) === 0x2e) j++;
      if (j === n || p.charCodeAt(j) === 0x2f) return true;
    }
  }
  return false;
}

/**
 * True only when Go's `path.Clean` leaves `p` as it is; conservative: a `.` or `..` component counts as unclean
 * even where Clean keeps it (`.`, `../a`), and "" is unclean (it cleans to ".").
 */
export function isCleanPath(p: string): boolean {
  return p !== "" && !unclean(p);
}

/** Go `path.Clean`. */
export function goClean(p: string): string {
  if (p === "") return ".";
  if (!unclean(p)) return p; // fast path: most paths from git are already clean
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Go `path.Dir`. */
export function goDir(p: string): string {
  const i = p.lastIndexOf("/");
  // The directory part of a clean path is clean once its trailing slash is dropped.
  if (i > 0 && !unclean(p)) return p.slice(0, i);
  return goClean(p.slice(0, i + 1));
}

/** Go `path.Join`: empty elements are ignored, the result is cleaned; all empty gives "". */
export function goJoin(...parts: string[]): string {
  const nonEmpty = parts.filter((part) => part !== "");
  return nonEmpty.length === 0 ? "" : goClean(nonEmpty.join("/"));
}

/**
 * werf `util.SplitFilepath`: cleans the path, makes an absolute one relative to `/`, and splits on `/`
 * (an escaped `\/` does not split). `""`, `.` and `/` give no parts.
 */
export function splitFilepath(p: string): string[] {
  let path = goClean(p);
  if (path.startsWith("/")) path = path === "/" ? "." : path.slice(1);
  if (path === "" || path === ".") return [];
  if (!path.includes("\\/")) return path.split("/");
  const result: string[] = [];
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "/" && path[i - 1] !== "\\") {
      result.push(path.slice(start, i));
      start = i + 1;
    }
  }
  result.push(path.slice(start));
  return result;
}

/** Go `filepath.Rel` for two relative, slash-separated paths (no `..` in `base`). */
export function goRel(base: string, target: string): string {
  if (base === "" || base === ".") return target === "" ? "." : goClean(target);
  if (target.startsWith(`${base}/`) && !unclean(target)) return target.slice(base.length + 1);
  const b = splitFilepath(base);
  const t = splitFilepath(target);
  let common = 0;
  while (common < b.length && common < t.length && b[common] === t[common]) common++;
  const up = b.slice(common).map(() => "..");
  const rest = [...up, ...t.slice(common)];
  return rest.length === 0 ? "." : rest.join("/");
}

/** Byte-order comparison of two strings as Go's `<` on UTF-8 strings would do it. */
export function compareGoStrings(a: string, b: string): number {
  // For BMP-only strings UTF-16 code unit order equals code point order equals UTF-8 byte order; differences
  // appear only between surrogate pairs and U+E000..U+FFFF, which are compared by code point below.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const surrogateX = x >= 0xd800 && x <= 0xdfff;
      const surrogateY = y >= 0xd800 && y <= 0xdfff;
      if (surrogateX !== surrogateY) return surrogateX ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}
