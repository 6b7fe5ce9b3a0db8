// Go's time package as far as Sprig's date functions reach it: time.Time values with a
// location, Format/Parse with Go reference layouts, Duration printing and parsing.

import { FuncError } from "../errors.js";
import { GoInt, GoObject, typeName as typeNameOf, type GoFunc } from "../value.js";
import { fn } from "./conv.js";

// --- locations --------------------------------------------------------------------------------

export interface Zone {
  offset: number; // seconds east of UTC
  abbr: string;
}

export interface Location {
  name: string;
  lookup(sec: number): Zone;
}

export const UTC: Location = { name: "UTC", lookup: () => ({ offset: 0, abbr: "UTC" }) };

const fmtCache = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(tz: string, locale: string): Intl.DateTimeFormat {
  const key = tz + "|" + locale;
  let f = fmtCache.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      timeZoneName: "short",
      era: "short",
    });
    fmtCache.set(key, f);
  }
  return f;
}

function ianaLocation(name: string, tz: string): Location {
  return {
    name,
    lookup(sec: number): Zone {
      // Intl works on the JS Date range; clamp far dates (zone rules there are LMT anyway).
      const ms = Math.max(Math.min(sec * 1000, 8.64e15), -8.64e15);
      const d = new Date(ms);
      const parts = zoneFormatter(tz, "en-US").formatToParts(d);
      const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? "0");
      const era = parts.find((p) => p.type === "era")?.value ?? "AD";
      let y = get("year");
      if (era.startsWith("B")) y = 1 - y;
      const local = daysFromCivil(y, get("month"), get("day")) * 86400 + get("hour") * 3600 + get("minute") * 60 + get("second");
      const offset = local - Math.floor(ms / 1000);
      let abbr = parts.find((p) => p.type === "timeZoneName")?.value ?? "";
      if (/^(GMT|UTC)([+-]|$)/.test(abbr)) {
        const gb = zoneFormatter(tz, "en-GB")
          .formatToParts(d)
          .find((p) => p.type === "timeZoneName")?.value;
        if (gb !== undefined && !/^(GMT|UTC)([+-]|$)/.test(gb)) abbr = gb;
        else if (offset === 0 && (tz === "UTC" || tz === "Etc/UTC")) abbr = "UTC";
        else if (offset === 0 && abbr === "GMT") abbr = "GMT";
        else {
          const a = Math.abs(offset);
          const hh = String(Math.floor(a / 3600)).padStart(2, "0");
          const mm = Math.floor((a % 3600) / 60);
          abbr = (offset < 0 ? "-" : "+") + hh + (mm !== 0 ? String(mm).padStart(2, "0") : "");
        }
      }
      return { offset, abbr };
    },
  };
}

let localLoc: Location | undefined;

export function localLocation(): Location {
  if (localLoc === undefined) {
    const tz = process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz === "" || tz === "UTC" || tz === "Etc/UTC") localLoc = { name: "Local", lookup: () => ({ offset: 0, abbr: "UTC" }) };
    else {
      try {
        localLoc = ianaLocation("Local", tz);
        localLoc.lookup(0);
      } catch {
        localLoc = { name: "Local", lookup: () => ({ offset: 0, abbr: "UTC" }) };
      }
    }
  }
  return localLoc;
}

/** time.LoadLocation; null when the zone is unknown. */
export function loadLocation(name: string): Location | null {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return localLocation();
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
  } catch {
    return null;
  }
  return ianaLocation(name, name);
}

function fixedZone(name: string, offset: number): Location {
  return { name, lookup: () => ({ offset, abbr: name }) };
}

// --- civil calendar ---------------------------------------------------------------------------

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [m <= 2 ? y + 1 : y, m, d];
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (m: number, y: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 31);

const LONG_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

// --- time.Time --------------------------------------------------------------------------------

const startHr = process.hrtime.bigint();

export class GoTime extends GoObject {
  readonly goType = "time.Time";
  constructor(
    readonly sec: number, // Unix seconds
    readonly nsec: number, // 0..999999999
    readonly loc: Location,
    readonly mono: bigint | null = null,
  ) {
    super();
  }

  static now(): GoTime {
    const ns = BigInt(Date.now()) * 1000000n + (process.hrtime.bigint() % 1000000n);
    return new GoTime(Number(ns / 1000000000n), Number(ns % 1000000000n), localLocation(), process.hrtime.bigint() - startHr);
  }

  static zero(): GoTime {
    return new GoTime(-62135596800, 0, UTC);
  }

  static unix(sec: number): GoTime {
    return new GoTime(sec, 0, localLocation());
  }

  in(loc: Location): GoTime {
    return new GoTime(this.sec, this.nsec, loc, this.mono);
  }

  addNanos(d: bigint): GoTime {
    const total = BigInt(this.sec) * 1000000000n + BigInt(this.nsec) + d;
    const sec = total / 1000000000n - (total % 1000000000n < 0n ? 1n : 0n);
    const nsec = total - sec * 1000000000n;
    return new GoTime(Number(sec), Number(nsec), this.loc, this.mono === null ? null : this.mono + d);
  }

  unixNano(): bigint {
    return BigInt(this.sec) * 1000000000n + BigInt(this.nsec);
  }

  get zone(): Zone {
    return this.loc.lookup(this.sec);
  }

  /** Civil fields in the time's location. */
  fields(): { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number; yd: number; zone: Zone } {
    const zone = this.zone;
    const local = this.sec + zone.offset;
    const days = Math.floor(local / 86400);
    const rem = local - days * 86400;
    const [y, mo, d] = civilFromDays(days);
    const wd = (((days + 4) % 7) + 7) % 7;
    const yd = days - daysFromCivil(y, 1, 1) + 1;
    return { y, mo, d, h: Math.floor(rem / 3600), mi: Math.floor((rem % 3600) / 60), s: rem % 60, wd, yd, zone };
  }

  isZero(): boolean {
    return this.sec === -62135596800 && this.nsec === 0;
  }

  format(): string {
    let s = formatTime(this, "2006-01-02 15:04:05.999999999 -0700 MST");
    if (this.mono !== null) {
      const m = this.mono;
      const sign = m < 0n ? "-" : "+";
      const a = m < 0n ? -m : m;
      s += ` m=${sign}${a / 1000000000n}.${String(a % 1000000000n).padStart(9, "0")}`;
    }
    return s;
  }

  toJSONValue(): unknown {
    return formatTime(this, "2006-01-02T15:04:05.999999999Z07:00");
  }

  equals(o: unknown): boolean {
    return o instanceof GoTime && o.sec === this.sec && o.nsec === this.nsec && o.loc === this.loc && o.mono === this.mono;
  }

  override method(name: string): GoFunc | undefined {
    const f = this.fields.bind(this);
    const int = (v: number | bigint): GoInt => GoInt.int(v);
    const other = (o: unknown): GoTime => {
      if (!(o instanceof GoTime)) throw new FuncError("wrong type for value; expected time.Time");
      return o;
    };
    switch (name) {
      case "Format":
        return fn(name, ["string"], null, (l: string) => formatTime(this, l), "string");
      case "String":
        return fn(name, [], null, () => this.format(), "string");
      case "Unix":
        return fn(name, [], null, () => GoInt.int64(this.sec), "int64");
      case "UnixMilli":
        return fn(name, [], null, () => GoInt.int64(this.unixNano() / 1000000n), "int64");
      case "UnixNano":
        return fn(name, [], null, () => GoInt.int64(this.unixNano()), "int64");
      case "Year":
        return fn(name, [], null, () => int(f().y), "int");
      case "Month":
        return fn(name, [], null, () => LONG_MONTHS[f().mo - 1] ?? "", "string");
      case "Day":
        return fn(name, [], null, () => int(f().d), "int");
      case "Hour":
        return fn(name, [], null, () => int(f().h), "int");
      case "Minute":
        return fn(name, [], null, () => int(f().mi), "int");
      case "Second":
        return fn(name, [], null, () => int(f().s), "int");
      case "Nanosecond":
        return fn(name, [], null, () => int(this.nsec), "int");
      case "YearDay":
        return fn(name, [], null, () => int(f().yd), "int");
      case "Weekday":
        return fn(name, [], null, () => LONG_DAYS[f().wd] ?? "", "string");
      case "UTC":
        return fn(name, [], null, () => new GoTime(this.sec, this.nsec, UTC, this.mono));
      case "Local":
        return fn(name, [], null, () => new GoTime(this.sec, this.nsec, localLocation(), this.mono));
      case "IsZero":
        return fn(name, [], null, () => this.isZero(), "bool");
      case "Before":
        return fn(name, ["any"], null, (o: unknown) => this.unixNano() < other(o).unixNano(), "bool");
      case "After":
        return fn(name, ["any"], null, (o: unknown) => this.unixNano() > other(o).unixNano(), "bool");
      case "Equal":
        return fn(name, ["any"], null, (o: unknown) => this.unixNano() === other(o).unixNano(), "bool");
      case "AddDate":
        return fn(
          name,
          ["int", "int", "int"],
          null,
          (y: GoInt, m: GoInt, d: GoInt) => {
            const x = f();
            return dateOf(x.y + Number(y.v), x.mo + Number(m.v), x.d + Number(d.v), x.h, x.mi, x.s, this.nsec, this.loc);
          },
          "any",
        );
      default:
        return undefined;
    }
  }
}

/** time.Date with normalisation, in loc. */
function dateOf(y: number, mo: number, d: number, h: number, mi: number, s: number, ns: number, loc: Location): GoTime {
  // Normalise month.
  const m0 = mo - 1;
  y += Math.floor(m0 / 12);
  mo = (((m0 % 12) + 12) % 12) + 1;
  const local = daysFromCivil(y, mo, 1) * 86400 + (d - 1) * 86400 + h * 3600 + mi * 60 + s;
  // Find the offset: Go looks up the zone at (local - offset) twice.
  let off = loc.lookup(local).offset;
  const off2 = loc.lookup(local - off).offset;
  if (off2 !== off) off = off2;
  return new GoTime(local - off, ns, loc);
}

// --- formatting -------------------------------------------------------------------------------

type Std =
  | { k: "lit"; s: string }
  | { k: "std"; code: string; n?: number; sep?: string };

function startsWithLower(s: string): boolean {
  return s.length > 0 && s[0] !== undefined && s[0] >= "a" && s[0] <= "z";
}

/** Splits a layout into literal text and std chunks (time.nextStdChunk). */
export function layoutChunks(layout: string): Std[] {
  const out: Std[] = [];
  let lit = "";
  let i = 0;
  const push = (code: string, len: number, extra: Partial<{ n: number; sep: string }> = {}): void => {
    if (lit !== "") out.push({ k: "lit", s: lit });
    lit = "";
    out.push({ k: "std", code, ...extra });
    i += len;
  };
  while (i < layout.length) {
    const r = layout.slice(i);
    const c = layout[i] ?? "";
    if (c === "J" && r.startsWith("Jan")) {
      if (r.startsWith("January")) {
        push("January", 7);
        continue;
      }
      if (!startsWithLower(r.slice(3))) {
        push("Jan", 3);
        continue;
      }
    } else if (c === "M" && r.length >= 3) {
      if (r.startsWith("Mon")) {
        if (r.startsWith("Monday")) {
          push("Monday", 6);
          continue;
        }
        if (!startsWithLower(r.slice(3))) {
          push("Mon", 3);
          continue;
        }
      }
      if (r.startsWith("MST")) {
        push("MST", 3);
        continue;
      }
    } else if (c === "0") {
      const d = r[1] ?? "";
      if (d >= "1" && d <= "6") {
        push("0" + d, 2);
        continue;
      }
      if (r.startsWith("002")) {
        push("002", 3);
        continue;
      }
    } else if (c === "1") {
      if (r[1] === "5") push("15", 2);
      else push("1", 1);
      continue;
    } else if (c === "2") {
      if (r.startsWith("2006")) push("2006", 4);
      else push("2", 1);
      continue;
    } else if (c === "_") {
      if (r[1] === "2") {
        if (r.startsWith("_2006")) {
          lit += "_";
          i++;
          push("2006", 4);
          continue;
        }
        push("_2", 2);
        continue;
      }
      if (r.startsWith("__2")) {
        push("__2", 3);
        continue;
      }
    } else if (c === "3" || c === "4" || c === "5") {
      push(c, 1);
      continue;
    } else if (c === "P" && r[1] === "M") {
      push("PM", 2);
      continue;
    } else if (c === "p" && r[1] === "m") {
      push("pm", 2);
      continue;
    } else if (c === "-" || c === "Z") {
      const tz = ["070000", "07:00:00", "0700", "07:00", "07"].find((t) => r.startsWith(c + t));
      if (tz !== undefined) {
        push(c + tz, tz.length + 1);
        continue;
      }
    } else if ((c === "." || c === ",") && (r[1] === "0" || r[1] === "9")) {
      const ch = r[1];
      let j = 1;
      while (r[j] === ch) j++;
      if (!/[0-9]/.test(r[j] ?? "")) {
        push(ch === "0" ? "frac0" : "frac9", j, { n: j - 1, sep: c });
        continue;
      }
    }
    lit += c;
    i++;
  }
  if (lit !== "") out.push({ k: "lit", s: lit });
  return out;
}

const pad = (n: number, w: number): string => (n < 0 ? "-" + String(-n).padStart(w, "0") : String(n).padStart(w, "0"));

function formatTZ(code: string, offset: number): string {
  if (code.startsWith("Z") && offset === 0) return "Z";
  let zone = Math.trunc(offset / 60);
  let absoff = offset;
  let s = "";
  if (zone < 0) {
    s += "-";
    zone = -zone;
    absoff = -absoff;
  } else s += "+";
  s += pad(Math.floor(zone / 60), 2);
  const t = code.slice(1);
  if (t === "07:00" || t === "07:00:00") s += ":";
  if (t !== "07") s += pad(zone % 60, 2);
  if (t === "070000" || t === "07:00:00") {
    if (t === "07:00:00") s += ":";
    s += pad(absoff % 60, 2);
  }
  return s;
}

export function formatTime(t: GoTime, layout: string): string {
  const f = t.fields();
  let out = "";
  for (const c of layoutChunks(layout)) {
    if (c.k === "lit") {
      out += c.s;
      continue;
    }
    switch (c.code) {
      case "06":
        out += pad(((f.y % 100) + 100) % 100, 2);
        break;
      case "2006":
        out += pad(f.y, 4);
        break;
      case "Jan":
        out += (LONG_MONTHS[f.mo - 1] ?? "").slice(0, 3);
        break;
      case "January":
        out += LONG_MONTHS[f.mo - 1] ?? "";
        break;
      case "1":
        out += String(f.mo);
        break;
      case "01":
        out += pad(f.mo, 2);
        break;
      case "Mon":
        out += (LONG_DAYS[f.wd] ?? "").slice(0, 3);
        break;
      case "Monday":
        out += LONG_DAYS[f.wd] ?? "";
        break;
      case "2":
        out += String(f.d);
        break;
      case "_2":
        out += String(f.d).padStart(2, " ");
        break;
      case "02":
        out += pad(f.d, 2);
        break;
      case "__2":
        out += String(f.yd).padStart(3, " ");
        break;
      case "002":
        out += pad(f.yd, 3);
        break;
      case "15":
        out += pad(f.h, 2);
        break;
      case "3":
        out += String(f.h % 12 === 0 ? 12 : f.h % 12);
        break;
      case "03":
        out += pad(f.h % 12 === 0 ? 12 : f.h % 12, 2);
        break;
      case "4":
        out += String(f.mi);
        break;
      case "04":
        out += pad(f.mi, 2);
        break;
      case "5":
        out += String(f.s);
        break;
      case "05":
        out += pad(f.s, 2);
        break;
      case "PM":
        out += f.h >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += f.h >= 12 ? "pm" : "am";
        break;
      case "MST":
        out += f.zone.abbr !== "" ? f.zone.abbr : formatTZ("-0700", f.zone.offset);
        break;
      case "frac0":
      case "frac9": {
        const n = c.n ?? 0;
        let digits = String(t.nsec).padStart(9, "0").slice(0, Math.min(n, 9));
        if (c.code === "frac9") {
          digits = digits.replace(/0+$/, "");
          if (digits === "") break;
        }
        out += (c.sep ?? ".") + digits;
        break;
      }
      default:
        out += formatTZ(c.code, f.zone.offset);
    }
  }
  return out;
}

// --- parsing ----------------------------------------------------------------------------------

function timeQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === "\\") out += "\\" + c;
    else out += c;
  }
  return out + '"';
}

/** A time or duration string Go's time package rejects; the message is Go's. */
export class ParseErr extends Error {}

/** time.ParseInLocation */
export function parseTime(layout: string, value: string, defLoc: Location): GoTime {
  const alayout = layout;
  const avalue = value;
  const fail = (valueElem: string, layoutElem: string, msg = ""): never => {
    if (msg !== "") throw new ParseErr(`parsing time ${timeQuote(avalue)}${msg}`);
    throw new ParseErr(`parsing time ${timeQuote(avalue)} as ${timeQuote(alayout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`);
  };
  const chunks = layoutChunks(layout);
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | null = null;
  let zoneName = "";
  let rangeErr = "";
  const getnum = (fixed: boolean, digits = 2): number | null => {
    if (!/[0-9]/.test(value[0] ?? "")) return null;
    if (digits === 3) {
      if (!/^[0-9]{3}/.test(value)) return null;
      const v = Number(value.slice(0, 3));
      value = value.slice(3);
      return v;
    }
    if (!/[0-9]/.test(value[1] ?? "")) {
      if (fixed) return null;
      const v = Number(value[0]);
      value = value.slice(1);
      return v;
    }
    const v = Number(value.slice(0, 2));
    value = value.slice(2);
    return v;
  };
  const lookupName = (names: string[], short: boolean): number => {
    for (let i = 0; i < names.length; i++) {
      const nm = short ? (names[i] ?? "").slice(0, 3) : (names[i] ?? "");
      if (value.length >= nm.length && value.slice(0, nm.length).toLowerCase() === nm.toLowerCase()) {
        value = value.slice(nm.length);
        return i;
      }
    }
    return -1;
  };
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci];
    if (c === undefined) break;
    if (c.k === "lit") {
      // Skip the literal prefix (spaces are flexible in Go's skip()).
      let p = c.s;
      while (p.length > 0) {
        if (p[0] === " ") {
          if (value.length > 0 && value[0] !== " ") fail(value, c.s);
          p = p.replace(/^ +/, "");
          value = value.replace(/^ +/, "");
          continue;
        }
        if (value.length === 0 || value[0] !== p[0]) fail(value, c.s);
        p = p.slice(1);
        value = value.slice(1);
      }
      continue;
    }
    const hold = value;
    const stdstr = layout; // for errors Go uses the chunk's text
    void stdstr;
    const chunkText = ((): string => {
      if (c.code === "frac0" || c.code === "frac9") return (c.sep ?? ".") + (c.code === "frac0" ? "0" : "9").repeat(c.n ?? 0);
      return c.code;
    })();
    let ok = true;
    switch (c.code) {
      case "06": {
        if (!/^[0-9]{2}/.test(value)) {
          ok = false;
          break;
        }
        const v = Number(value.slice(0, 2));
        value = value.slice(2);
        year = v >= 69 ? v + 1900 : v + 2000;
        break;
      }
      case "2006":
        if (!/^[0-9]{4}/.test(value)) {
          ok = false;
          break;
        }
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      case "Jan":
      case "January": {
        const m = lookupName(LONG_MONTHS, c.code === "Jan");
        if (m < 0) ok = false;
        else month = m + 1;
        break;
      }
      case "1":
      case "01": {
        const v = getnum(c.code === "01");
        if (v === null || v <= 0 || v > 12) {
          if (v !== null) rangeErr = "month";
          ok = false;
        } else month = v;
        break;
      }
      case "Mon":
      case "Monday":
        if (lookupName(LONG_DAYS, c.code === "Mon") < 0) ok = false;
        break;
      case "2":
      case "_2":
      case "02": {
        if (c.code === "_2" && value[0] === " ") value = value.slice(1);
        const v = getnum(c.code === "02");
        if (v === null) ok = false;
        else day = v;
        break;
      }
      case "__2":
      case "002": {
        if (c.code === "__2") value = value.replace(/^ {1,2}/, "");
        const m = /^[0-9]{1,3}/.exec(value);
        if (m === null || (c.code === "002" && m[0].length !== 3)) ok = false;
        else {
          yday = Number(m[0]);
          value = value.slice(m[0].length);
        }
        break;
      }
      case "15": {
        const v = getnum(false);
        if (v === null || v < 0 || v >= 24) {
          if (v !== null) rangeErr = "hour";
          ok = false;
        } else hour = v;
        break;
      }
      case "3":
      case "03": {
        const v = getnum(c.code === "03");
        if (v === null || v < 0 || v > 12) {
          if (v !== null) rangeErr = "hour";
          ok = false;
        } else hour = v;
        break;
      }
      case "4":
      case "04": {
        const v = getnum(c.code === "04");
        if (v === null || v < 0 || v >= 60) {
          if (v !== null) rangeErr = "minute";
          ok = false;
        } else min = v;
        break;
      }
      case "5":
      case "05": {
        const v = getnum(c.code === "05");
        if (v === null || v < 0 || v >= 60) {
          if (v !== null) rangeErr = "second";
          ok = false;
          break;
        }
        sec = v;
        // A fractional second in the value but not in the layout.
        const next = chunks[ci + 1];
        if (/^[.,][0-9]/.test(value) && !(next?.k === "std" && (next.code === "frac0" || next.code === "frac9"))) {
          const m = /^[.,]([0-9]+)/.exec(value) ?? ["", ""];
          nsec = Number((m[1] ?? "").padEnd(9, "0").slice(0, 9));
          value = value.slice(m[0].length);
        }
        break;
      }
      case "PM":
      case "pm": {
        const p = value.slice(0, 2);
        const up = c.code === "PM" ? p : p.toUpperCase();
        if (up === "PM") pmSet = true;
        else if (up === "AM") amSet = true;
        else {
          ok = false;
          break;
        }
        value = value.slice(2);
        break;
      }
      case "MST": {
        if (value.startsWith("UTC")) {
          zoneName = "UTC";
          value = value.slice(3);
          break;
        }
        const m = /^[A-Z]{3,5}|^[+-][0-9]{2}(?:[0-9]{2})?/.exec(value);
        if (m === null) {
          ok = false;
          break;
        }
        zoneName = m[0];
        value = value.slice(m[0].length);
        break;
      }
      case "frac0": {
        const n = c.n ?? 0;
        const m = new RegExp(`^[.,][0-9]{${n}}`).exec(value);
        if (m === null) {
          ok = false;
          break;
        }
        nsec = Number(m[0].slice(1).padEnd(9, "0").slice(0, 9));
        value = value.slice(m[0].length);
        break;
      }
      case "frac9": {
        const m = /^[.,]([0-9]+)/.exec(value);
        if (m === null) break;
        nsec = Number((m[1] ?? "").padEnd(9, "0").slice(0, 9));
        value = value.slice(m[0].length);
        break;
      }
      default: {
        // numeric zones
        if (c.code.startsWith("Z") && value.startsWith("Z")) {
          value = value.slice(1);
          zoneOffset = 0;
          zoneName = "UTC";
          break;
        }
        const t = c.code.slice(1);
        const re: Record<string, RegExp> = {
          "070000": /^([+-])([0-9]{2})([0-9]{2})([0-9]{2})/,
          "07:00:00": /^([+-])([0-9]{2}):([0-9]{2}):([0-9]{2})/,
          "0700": /^([+-])([0-9]{2})([0-9]{2})/,
          "07:00": /^([+-])([0-9]{2}):([0-9]{2})/,
          "07": /^([+-])([0-9]{2})/,
        };
        const m = (re[t] ?? /^$/).exec(value);
        if (m === null) {
          ok = false;
          break;
        }
        const off = Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
        zoneOffset = m[1] === "-" ? -off : off;
        value = value.slice(m[0].length);
      }
    }
    if (rangeErr !== "") fail("", "", ": " + rangeErr + " out of range");
    if (!ok) fail(hold, chunkText);
  }
  if (value.length > 0) throw new ParseErr(`parsing time ${timeQuote(avalue)}: extra text: ${timeQuote(value)}`);
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    if (yday < 1 || yday > (isLeap(year) ? 366 : 365)) fail("", "", ": day-of-year out of range");
    if (month < 0) {
      const days = daysFromCivil(year, 1, 1) + yday - 1;
      const [, m2, d2] = civilFromDays(days);
      month = m2;
      day = d2;
    }
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) fail("", "", ": day out of range");
  const local = daysFromCivil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
  if (zoneOffset !== null) {
    if (zoneOffset === 0 && zoneName === "UTC") return new GoTime(local, nsec, UTC);
    const t = new GoTime(local - zoneOffset, nsec, defLoc);
    if (defLoc.lookup(t.sec).offset === zoneOffset) return t;
    return new GoTime(local - zoneOffset, nsec, fixedZone("", zoneOffset));
  }
  if (zoneName !== "") {
    if (zoneName === "UTC") return new GoTime(local, nsec, UTC);
    const guess = dateOf(year, month, day, hour, min, sec, nsec, defLoc);
    const z = defLoc.lookup(guess.sec);
    if (z.abbr === zoneName) return guess;
    let off = 0;
    const m = /^([+-])([0-9]{2})([0-9]{2})?$/.exec(zoneName);
    if (m !== null) off = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
    return new GoTime(local - off, nsec, fixedZone(zoneName, off));
  }
  return dateOf(year, month, day, hour, min, sec, nsec, defLoc);
}

// --- durations --------------------------------------------------------------------------------

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let s = "";
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) s = digit.toString() + s;
    v /= 10n;
  }
  if (print) s = "." + s;
  return [s, v];
}

export function durationString(d: bigint): string {
  d = BigInt.asIntN(64, d);
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1000000000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1000000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [frac, rest] = fmtFrac(u, prec);
    out = rest.toString() + frac + unit;
  } else {
    const [frac, rest] = fmtFrac(u, 9);
    u = rest;
    out = (u % 60n).toString() + frac + "s";
    u /= 60n;
    if (u > 0n) {
      out = (u % 60n).toString() + "m" + out;
      u /= 60n;
      if (u > 0n) out = u.toString() + "h" + out;
    }
  }
  return (neg ? "-" : "") + out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "µs": 1000n,
  "μs": 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** time.ParseDuration */
export function parseDuration(s: string): bigint {
  const orig = s;
  const invalid = (): never => {
    throw new ParseErr(`time: invalid duration ${timeQuote(orig)}`);
  };
  let d = 0n;
  let neg = false;
  if (s !== "") {
    const c = s[0];
    if (c === "-" || c === "+") {
      neg = c === "-";
      s = s.slice(1);
    }
  }
  if (s === "0") return 0n;
  if (s === "") invalid();
  while (s !== "") {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s) ?? ["", "", undefined, undefined];
    const intPart = m[1] ?? "";
    const fracPart = m[3] ?? "";
    if (intPart === "" && fracPart === "") invalid();
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)?.[0] ?? "";
    if (u === "") throw new ParseErr(`time: missing unit in duration ${timeQuote(orig)}`);
    s = s.slice(u.length);
    const unit = UNITS[u];
    if (unit === undefined) throw new ParseErr(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`);
    let v = BigInt(intPart === "" ? "0" : intPart) * unit;
    if (fracPart !== "") {
      // Go accumulates the fraction as a float scaled by the unit.
      let f = 0;
      let scale = 1;
      for (const ch of fracPart) {
        if (scale > 1e18) break;
        f = f * 10 + Number(ch);
        scale *= 10;
      }
      v += BigInt(Math.trunc(f * (Number(unit) / scale)));
    }
    d += v;
    if (d > (1n << 63n) - 1n) invalid();
  }
  return neg ? -d : d;
}

// --- Sprig's date functions -------------------------------------------------------------------

function timeArg(v: unknown, allowInt32: boolean): GoTime {
  if (v instanceof GoTime) return v;
  if (v instanceof GoInt && (v.kind === "int64" || v.kind === "int" || (allowInt32 && v.kind === "int32"))) return GoTime.unix(Number(v.v));
  return GoTime.now();
}

function dateInZone(layout: string, date: unknown, zone: string): string {
  const t = timeArg(date, true);
  const loc = loadLocation(zone) ?? UTC;
  return formatTime(t.in(loc), layout);
}

function since(t: GoTime): bigint {
  return GoTime.now().unixNano() - t.unixNano();
}

function roundDuration(d: bigint, m: bigint): bigint {
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    return d - m + r;
  }
  if (r + r < m) return d - r;
  return d + m - r;
}

function durationRound(v: unknown): string {
  let d = 0n;
  if (typeof v === "string") {
    try {
      d = parseDuration(v);
    } catch {
      d = 0n;
    }
  } else if (v instanceof GoInt && v.kind === "int64") d = v.v;
  else if (v instanceof GoTime) d = since(v);
  let u = d < 0n ? -d : d;
  u = BigInt.asUintN(64, u);
  const hour = 3600000000000n;
  const year = hour * 24n * 365n;
  const month = hour * 24n * 30n;
  const day = hour * 24n;
  const minute = 60000000000n;
  const second = 1000000000n;
  if (u > year) return `${u / year}y`;
  if (u > month) return `${u / month}mo`;
  if (u > day) return `${u / day}d`;
  if (u > hour) return `${u / hour}h`;
  if (u > minute) return `${u / minute}m`;
  if (u > second) return `${u / second}s`;
  return "0s";
}

function timeParam(v: unknown, fnName: string): GoTime {
  if (v instanceof GoTime) return v;
  void fnName;
  throw new FuncError(`wrong type for value; expected time.Time; got ${v === null || v === undefined ? "interface {}" : typeNameOf(v)}`);
}


function wrapParse<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseErr) throw new FuncError(e.message);
    throw e;
  }
}

export function dateFuncs(): GoFunc[] {
  const modify = (must: boolean) => (d: string, t: unknown) => {
    const tm = timeParam(t, "dateModify");
    try {
      return tm.addNanos(parseDuration(d));
    } catch (e) {
      if (e instanceof ParseErr) {
        if (must) throw new FuncError(e.message);
        return tm;
      }
      throw e;
    }
  };
  return [
    fn("ago", ["any"], null, (v: unknown) => durationString(roundDuration(since(timeArg(v, false)), 1000000000n)), "string"),
    fn("date", ["string", "any"], null, (l: string, d: unknown) => dateInZone(l, d, "Local"), "string"),
    fn("date_in_zone", ["string", "any", "string"], null, dateInZone, "string"),
    fn("dateInZone", ["string", "any", "string"], null, dateInZone, "string"),
    fn("date_modify", ["string", "any"], null, modify(false)),
    fn("dateModify", ["string", "any"], null, modify(false)),
    fn("must_date_modify", ["string", "any"], null, modify(true)),
    fn("mustDateModify", ["string", "any"], null, modify(true)),
    fn(
      "duration",
      ["any"],
      null,
      (v: unknown) => {
        let n = 0n;
        if (typeof v === "string") {
          const p = /^[+-]?[0-9]+$/.test(v) ? BigInt(v) : 0n;
          n = p >= -(1n << 63n) && p < 1n << 63n ? p : 0n;
        } else if (v instanceof GoInt && v.kind === "int64") n = v.v;
        return durationString(n * 1000000000n);
      },
      "string",
    ),
    fn("durationRound", ["any"], null, durationRound, "string"),
    fn("htmlDate", ["any"], null, (d: unknown) => dateInZone("2006-01-02", d, "Local"), "string"),
    fn("htmlDateInZone", ["any", "string"], null, (d: unknown, z: string) => dateInZone("2006-01-02", d, z), "string"),
    fn("mustToDate", ["string", "string"], null, (l: string, s: string) => wrapParse(() => parseTime(l, s, localLocation()))),
    fn(
      "toDate",
      ["string", "string"],
      null,
      (l: string, s: string) => {
        try {
          return parseTime(l, s, localLocation());
        } catch (e) {
          if (e instanceof ParseErr) return GoTime.zero();
          throw e;
        }
      },
    ),
    fn("now", [], null, () => GoTime.now()),
    fn("unixEpoch", ["any"], null, (t: unknown) => String(timeParam(t, "unixEpoch").sec), "string"),
  ];
}
