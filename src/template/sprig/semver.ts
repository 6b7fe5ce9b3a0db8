// Masterminds/semver v3 as Sprig exposes it: `semver` returns a *semver.Version object,
// `semverCompare` checks a version against a constraint string.

import { FuncError } from "../errors.js";
import type { GoFunc} from "../value.js";
import { GoInt, GoObject } from "../value.js";
import { fn } from "./conv.js";

const SEMVER_RE = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

function parseUint(s: string): bigint {
  const v = BigInt(s);
  if (v >= 1n << 64n) {
    throw new FuncError(`Error parsing version segment: strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return v;
}

export class SemverVersion extends GoObject {
  readonly goType = "*semver.Version";
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
    private readonly pointer = true,
  ) {
    super();
  }

  static parse(v: string): SemverVersion {
    const m = SEMVER_RE.exec(v);
    if (m === null) throw new FuncError("Invalid Semantic Version");
    const pre = m[5] ?? "";
    const meta = m[8] ?? "";
    const sv = new SemverVersion(
      parseUint(m[1] ?? "0"),
      m[2] !== undefined ? parseUint(m[2].slice(1)) : 0n,
      m[3] !== undefined ? parseUint(m[3].slice(1)) : 0n,
      pre,
      meta,
      v,
    );
    if (pre !== "") {
      for (const p of pre.split(".")) {
        if (/^[0-9]+$/.test(p)) {
          if (p.length > 1 && p.startsWith("0")) throw new FuncError("Version segment starts with 0");
        } else if (!/^[0-9A-Za-z-]+$/.test(p)) throw new FuncError("Invalid Prerelease string");
      }
    }
    if (meta !== "") {
      for (const p of meta.split(".")) if (!/^[0-9A-Za-z-]+$/.test(p)) throw new FuncError("Invalid Metadata string");
    }
    return sv;
  }

  override get goKind(): string {
    return this.pointer ? "ptr" : "struct";
  }

  override toString(): string {
    let s = `${this.major}.${this.minor}.${this.patch}`;
    if (this.pre !== "") s += "-" + this.pre;
    if (this.metadata !== "") s += "+" + this.metadata;
    return s;
  }

  format(): string {
    return this.toString();
  }

  toJSONValue(): unknown {
    return this.toString();
  }

  equals(o: unknown): boolean {
    return o instanceof SemverVersion && this.toString() === o.toString() && this.original === o.original;
  }

  compare(o: SemverVersion): number {
    const seg = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
    const d = seg(this.major, o.major) || seg(this.minor, o.minor) || seg(this.patch, o.patch);
    if (d !== 0) return d;
    if (this.pre === "" && o.pre === "") return 0;
    if (this.pre === "") return 1;
    if (o.pre === "") return -1;
    return comparePrerelease(this.pre, o.pre);
  }

  private withChanges(major: bigint, minor: bigint, patch: bigint, pre: string, meta: string): SemverVersion {
    const v = new SemverVersion(major, minor, patch, pre, meta, "", false);
    return new SemverVersion(major, minor, patch, pre, meta, v.toString(), false);
  }

  override method(name: string): GoFunc | undefined {
    const ver = (x: unknown): SemverVersion => {
      if (!(x instanceof SemverVersion)) throw new FuncError("wrong type for value; expected *semver.Version");
      return x;
    };
    switch (name) {
      case "Major":
        return fn(name, [], null, () => GoInt.of("uint64", this.major), "any");
      case "Minor":
        return fn(name, [], null, () => GoInt.of("uint64", this.minor), "any");
      case "Patch":
        return fn(name, [], null, () => GoInt.of("uint64", this.patch), "any");
      case "Prerelease":
        return fn(name, [], null, () => this.pre, "string");
      case "Metadata":
        return fn(name, [], null, () => this.metadata, "string");
      case "Original":
        return fn(name, [], null, () => this.original, "string");
      case "String":
        return fn(name, [], null, () => this.toString(), "string");
      case "IncPatch":
        return fn(name, [], null, () =>
          this.pre !== "" ? this.withChanges(this.major, this.minor, this.patch, "", "") : this.withChanges(this.major, this.minor, this.patch + 1n, "", ""),
        );
      case "IncMinor":
        return fn(name, [], null, () => this.withChanges(this.major, this.minor + 1n, 0n, "", ""));
      case "IncMajor":
        return fn(name, [], null, () => this.withChanges(this.major + 1n, 0n, 0n, "", ""));
      case "LessThan":
        return fn(name, ["any"], null, (o: unknown) => this.compare(ver(o)) < 0, "bool");
      case "GreaterThan":
        return fn(name, ["any"], null, (o: unknown) => this.compare(ver(o)) > 0, "bool");
      case "Equal":
        return fn(name, ["any"], null, (o: unknown) => this.compare(ver(o)) === 0, "bool");
      case "Compare":
        return fn(name, ["any"], null, (o: unknown) => GoInt.int(this.compare(ver(o))), "int");
      default:
        return undefined;
    }
  }
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return o !== "" ? -1 : 1;
  if (o === "") return s !== "" ? 1 : -1;
  const sn = /^[0-9]+$/.test(s) && BigInt(s) < 1n << 64n;
  const on = /^[0-9]+$/.test(o) && BigInt(o) < 1n << 64n;
  if (!sn && !on) return s > o ? 1 : -1;
  if (!sn) return 1;
  if (!on) return -1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sp = v.split(".");
  const op = o.split(".");
  const l = Math.max(sp.length, op.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sp[i] ?? "", op[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

// --- constraints ------------------------------------------------------------------------------

const OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const CV =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const WS = "[\\t\\n\\f\\r ]";
const constraintRe = new RegExp(`^${WS}*(${OPS})${WS}*(${CV})${WS}*$`);
const rangeRe = new RegExp(`${WS}*(${CV})${WS}+-${WS}+(${CV})${WS}*`, "g");
const findRe = new RegExp(`(${OPS})${WS}*(${CV})`, "g");
const validRe = new RegExp(`^(${WS}*(${OPS})${WS}*(${CV})${WS}*\\,?)+$`);

interface Constraint {
  op: string;
  con: SemverVersion;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const isX = (s: string): boolean => s === "x" || s === "X" || s === "*";

function parseConstraint(c: string): Constraint {
  const m = constraintRe.exec(c);
  if (m === null) throw new FuncError(`improper constraint: ${c}`);
  const major = m[3] ?? "";
  const minor = m[4] ?? "";
  const patch = m[5] ?? "";
  const pre = m[6] ?? "";
  let ver = m[2] ?? "";
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(major) || major === "") {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.replace(/^\./, "")) || minor === "") {
    minorDirty = true;
    dirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.replace(/^\./, "")) || patch === "") {
    dirty = true;
    patchDirty = true;
    ver = `${major}${minor}.0${pre}`;
  }
  let con: SemverVersion;
  try {
    con = SemverVersion.parse(ver);
  } catch {
    throw new FuncError("constraint Parser Error");
  }
  return { op: m[1] ?? "", con, minorDirty, patchDirty, dirty };
}

function newConstraints(c: string): Constraint[][] {
  c = c.replace(rangeRe, (...g: string[]) => `>= ${g[1] ?? ""}, <= ${g[11] ?? ""} `);
  return c.split("||").map((v) => {
    if (!validRe.test(v)) throw new FuncError(`improper constraint: ${v}`);
    const cs = v.match(findRe) ?? [v];
    return cs.map(parseConstraint);
  });
}

function tilde(v: SemverVersion, c: Constraint): boolean {
  if (v.pre !== "" && c.con.pre === "") return false;
  if (v.compare(c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function check(v: SemverVersion, c: Constraint): boolean {
  const preBlocked = v.pre !== "" && c.con.pre === "";
  switch (c.op) {
    case "":
    case "=":
      if (preBlocked) return false;
      if (c.dirty) return tilde(v, c);
      return v.compare(c.con) === 0;
    case "!=":
      if (c.dirty) {
        if (preBlocked) return false;
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        else if (c.minorDirty) return false;
        else if (c.con.patch !== v.patch && !c.patchDirty) return true;
        else if (c.patchDirty) {
          if (v.pre !== "" || c.con.pre !== "") return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return v.compare(c.con) !== 0;
    case ">":
      if (preBlocked) return false;
      if (!c.dirty) return v.compare(c.con) === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return v.compare(c.con) === 1;
    case "<":
      if (preBlocked) return false;
      return v.compare(c.con) < 0;
    case ">=":
    case "=>":
      if (preBlocked) return false;
      return v.compare(c.con) >= 0;
    case "<=":
    case "=<":
      if (preBlocked) return false;
      if (!c.dirty) return v.compare(c.con) <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      if (preBlocked) return false;
      if (v.compare(c.con) < 0) return false;
      if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
      if (c.con.major === 0n && v.major > 0n) return false;
      if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
      if (c.con.minor === 0n && v.minor > 0n) return false;
      return c.con.patch === v.patch;
    default:
      return false;
  }
}

/**
 * Masterminds semver v3 `NewConstraint(c)`: a check of parsed versions. Throws FuncError with the library's message
 * (`improper constraint: ...`) when `c` does not parse. Helm resolves chart dependency ranges with it.
 */
export function newSemverConstraint(c: string): (v: SemverVersion) => boolean {
  const cs = newConstraints(c);
  return (v) => cs.some((and) => and.every((x) => check(v, x)));
}

const STRICT_SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Masterminds `StrictNewVersion`: exactly MAJOR.MINOR.PATCH, no `v`, no leading zeros (Helm's filter of OCI tags). */
export function parseStrictSemver(v: string): SemverVersion {
  if (!STRICT_SEMVER_RE.test(v)) throw new FuncError("Invalid Semantic Version");
  return SemverVersion.parse(v);
}

/** Masterminds semver v3 `NewConstraint(c).Check(NewVersion(v))`; false when either does not parse. */
export function semverSatisfies(constraint: string, version: string): boolean {
  let cs: Constraint[][];
  let ver: SemverVersion;
  try {
    cs = newConstraints(constraint);
    ver = SemverVersion.parse(version);
  } catch {
    return false;
  }
  return cs.some((and) => and.every((x) => check(ver, x)));
}

export function semverFuncs(): GoFunc[] {
  return [
    fn("semver", ["string"], null, (v: string) => SemverVersion.parse(v)),
    fn(
      "semverCompare",
      ["string", "string"],
      null,
      (c: string, v: string) => {
        const cs = newConstraints(c);
        const ver = SemverVersion.parse(v);
        return cs.some((and) => and.every((x) => check(ver, x)));
      },
      "bool",
    ),
  ];
}
