/**
 * Formats a timestamp with a Go time layout (`2006-01-02T15:04:05Z07:00`), as werf's `--log-time-format` takes it.
 * Takes milliseconds since the epoch and a zone offset in minutes; gives the text. Pure; covers the layout elements
 * that make sense for a log prefix (no zone database: `MST` prints `UTC` or the numeric offset).
 */

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export const RFC3339 = "2006-01-02T15:04:05Z07:00";

function pad(n: number, width: number, fill = "0"): string {
  return String(n).padStart(width, fill);
}

interface Parts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly yday: number;
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly ms: number;
  readonly offset: number;
}

function zone(offset: number, style: string): string {
  const z = style.startsWith("Z");
  if (z && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 60), 2);
  const mm = pad(abs % 60, 2);
  const numeric = style.slice(1);
  if (numeric === "07") return `${sign}${hh}`;
  if (numeric === "0700" || numeric === "070000") return `${sign}${hh}${mm}${numeric.length === 6 ? "00" : ""}`;
  return `${sign}${hh}:${mm}${numeric === "07:00:00" ? ":00" : ""}`;
}

const ZONES = ["Z07:00:00", "-07:00:00", "Z070000", "-070000", "Z07:00", "-07:00", "Z0700", "-0700", "Z07", "-07"];

/** The layout element at `i` and its text, or undefined for a literal character. Longest match first, as in Go. */
function element(layout: string, i: number, p: Parts): [number, string] | undefined {
  const rest = layout.slice(i);
  const starts = (s: string): boolean => rest.startsWith(s);
  if (starts("January")) return [7, MONTHS[p.month - 1] ?? ""];
  if (starts("Jan")) return [3, (MONTHS[p.month - 1] ?? "").slice(0, 3)];
  if (starts("Monday")) return [6, DAYS[p.weekday] ?? ""];
  if (starts("Mon")) return [3, (DAYS[p.weekday] ?? "").slice(0, 3)];
  if (starts("MST")) return [3, p.offset === 0 ? "UTC" : zone(p.offset, "-07")];
  if (starts("2006")) return [4, pad(p.year, 4)];
  if (starts("002")) return [3, pad(p.yday, 3)];
  if (starts("__2")) return [3, pad(p.yday, 3, " ")];
  if (starts("_2")) return [2, pad(p.day, 2, " ")];
  if (starts("01")) return [2, pad(p.month, 2)];
  if (starts("02")) return [2, pad(p.day, 2)];
  if (starts("03")) return [2, pad(p.hour % 12 === 0 ? 12 : p.hour % 12, 2)];
  if (starts("04")) return [2, pad(p.minute, 2)];
  if (starts("05")) return [2, pad(p.second, 2)];
  if (starts("06")) return [2, pad(p.year % 100, 2)];
  if (starts("15")) return [2, pad(p.hour, 2)];
  if (starts("PM")) return [2, p.hour >= 12 ? "PM" : "AM"];
  if (starts("pm")) return [2, p.hour >= 12 ? "pm" : "am"];
  for (const z of ZONES) if (starts(z)) return [z.length, zone(p.offset, z)];
  const c = layout[i];
  if (c === "1") return [1, String(p.month)];
  if (c === "2") return [1, String(p.day)];
  if (c === "3") return [1, String(p.hour % 12 === 0 ? 12 : p.hour % 12)];
  if (c === "4") return [1, String(p.minute)];
  if (c === "5") return [1, String(p.second)];
  if ((c === "." || c === ",") && (layout[i + 1] === "0" || layout[i + 1] === "9")) {
    const digit = layout[i + 1] ?? "0";
    let j = i + 1;
    while (layout[j] === digit) j++;
    if (!/[0-9]/.test(layout[j] ?? "")) {
      const n = j - i - 1;
      const frac = pad(p.ms, 3).padEnd(9, "0").slice(0, n);
      // `.999` drops trailing zeros, and the separator with them when nothing is left.
      const text = digit === "9" ? frac.replace(/0+$/, "") : frac;
      return [j - i, text === "" ? "" : `${c}${text}`];
    }
  }
  return undefined;
}

/** `offsetMinutes` is east of UTC (+180 for Moscow), the opposite sign of Date#getTimezoneOffset. */
export function formatGoTime(ms: number, layout: string, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const year = d.getUTCFullYear();
  const p: Parts = {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    yday: Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000) + 1,
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
    offset: offsetMinutes,
  };
  let out = "";
  for (let i = 0; i < layout.length; ) {
    const hit = element(layout, i, p);
    if (hit === undefined) {
      out += layout[i] ?? "";
      i++;
    } else {
      out += hit[1];
      i += hit[0];
    }
  }
  return out;
}

/** The zone offset of the machine at that instant, east of UTC. */
export function localOffsetMinutes(ms: number): number {
  const offset = -new Date(ms).getTimezoneOffset();
  return offset === 0 ? 0 : offset;
}
