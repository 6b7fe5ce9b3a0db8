/**
 * A small streaming writer for POSIX tar archives (ustar, with PAX headers for long names),
 * enough to build Docker build contexts from memory or from Git objects.
 * Pure: produces Buffers; the caller decides where they go.
 */

export interface TarEntry {
  /** Path inside the archive, with `/` separators and no leading `/`. */
  readonly name: string;
  readonly data: Buffer;
  /** Unix permission bits, 0o644 by default (0o755 for executables). */
  readonly mode?: number;
  /** Modification time in seconds since the epoch; 0 by default so archives are reproducible. */
  readonly mtime?: number;
  readonly type?: "file" | "symlink";
  /** Target of a symlink. */
  readonly linkname?: string;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function paxRecord(key: string, value: string): string {
  // Each record is "<len> <key>=<value>\n", where <len> counts its own digits too.
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

function header(name: string, size: number, mode: number, mtime: number, typeflag: string, linkname: string): Buffer {
  const buf = Buffer.alloc(BLOCK, 0);
  buf.write(name, 0, 100, "utf8");
  buf.write(octal(mode & 0o7777, 8), 100, 8, "ascii");
  buf.write(octal(0, 8), 108, 8, "ascii");
  buf.write(octal(0, 8), 116, 8, "ascii");
  buf.write(octal(size, 12), 124, 12, "ascii");
  buf.write(octal(mtime, 12), 136, 12, "ascii");
  buf.fill(" ", 148, 156);
  buf.write(typeflag, 156, 1, "ascii");
  buf.write(linkname, 157, 100, "utf8");
  buf.write("ustar\0", 257, 6, "ascii");
  buf.write("00", 263, 2, "ascii");
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(octal(sum, 7) + " ", 148, 8, "ascii");
  return buf;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest, 0);
}

/** Encodes one entry (with a PAX header first when the name or link does not fit ustar). */
export function tarEntry(entry: TarEntry): Buffer[] {
  const mode = entry.mode ?? 0o644;
  const mtime = entry.mtime ?? 0;
  const isLink = entry.type === "symlink";
  const linkname = entry.linkname ?? "";
  const data = isLink ? Buffer.alloc(0) : entry.data;
  const parts: Buffer[] = [];
  const longName = Buffer.byteLength(entry.name) > 100;
  const longLink = Buffer.byteLength(linkname) > 100;
  if (longName || longLink) {
    const pax = Buffer.from(
      (longName ? paxRecord("path", entry.name) : "") + (longLink ? paxRecord("linkpath", linkname) : ""),
      "utf8",
    );
    parts.push(header("PaxHeader", pax.length, 0o644, mtime, "x", ""), pax, padding(pax.length));
  }
  const shortName = longName ? entry.name.slice(0, 100) : entry.name;
  parts.push(header(shortName, data.length, mode, mtime, isLink ? "2" : "0", longLink ? "" : linkname));
  if (data.length > 0) parts.push(data, padding(data.length));
  return parts;
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(BLOCK * 2, 0);
}

/** A whole archive in memory. */
export function tarArchive(entries: Iterable<TarEntry>): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) parts.push(...tarEntry(entry));
  parts.push(tarEnd());
  return Buffer.concat(parts);
}
