/**
 * A small streaming writer for POSIX tar archives (ustar, with PAX headers for long names),
 * enough to build Docker build contexts from memory or from Git objects, and a reader that follows
 * Go's archive/tar (ustar prefix, PAX and GNU long names, base-256 sizes) with Go's error wording,
 * enough to load Helm chart archives.
 * Pure: produces and takes Buffers; the caller decides where they come from and go.
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

/** One header as Go's tar.Reader.Next returns it (PAX and GNU long-name records already applied). */
export interface TarReadEntry {
  readonly name: string;
  /** The type flag character; `\0` (old regular file) is already turned into `0` or `5` as Go does. */
  readonly typeflag: string;
  readonly mode: number;
  readonly linkname: string;
  readonly data: Buffer;
}

/** A tar reading failure, worded as Go's archive/tar or io errors are. */
export class TarReadError extends Error {}

const HEADER_ONLY = new Set(["1", "2", "3", "4", "5", "6"]);

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString("utf8");
}

/** Go's parseNumeric: base-256 when the high bit is set, else octal padded with spaces or NULs. */
function parseNumeric(b: Buffer): number {
  const first = b[0];
  if (first !== undefined && (first & 0x80) !== 0) {
    let v = first & 0x40 ? -1n : 0n;
    for (let i = 0; i < b.length; i++) {
      let c = b[i] ?? 0;
      if (i === 0) c &= 0x7f;
      v = (v << 8n) | BigInt(c);
    }
    if (first & 0x40) v = -((1n << BigInt(b.length * 8 - 1)) - (v & ((1n << BigInt(b.length * 8 - 1)) - 1n)));
    return Number(v);
  }
  const s = b.toString("latin1").replace(/^[ \0]+|[ \0]+$/g, "");
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarReadError("archive/tar: invalid tar header");
  return parseInt(s, 8);
}

function checksumOk(blk: Buffer): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : (blk[i] ?? 0);
    unsigned += c;
    signed += c >= 0x80 ? c - 256 : c;
  }
  let want: number;
  try {
    want = parseNumeric(blk.subarray(148, 156));
  } catch {
    return false;
  }
  return want === unsigned || want === signed;
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let s = data.toString("utf8");
  while (s.length > 0) {
    const m = /^(\d+) /.exec(s);
    if (m === null) throw new TarReadError("archive/tar: invalid tar header");
    const len = Number(m[1]);
    const rec = Buffer.from(s, "utf8").subarray(0, len).toString("utf8");
    if (len < m[0].length || !rec.endsWith("\n")) throw new TarReadError("archive/tar: invalid tar header");
    const kv = rec.slice(m[0].length, -1);
    const eq = kv.indexOf("=");
    if (eq < 0) throw new TarReadError("archive/tar: invalid tar header");
    out.set(kv.slice(0, eq), kv.slice(eq + 1));
    s = Buffer.from(s, "utf8").subarray(len).toString("utf8");
  }
  return out;
}

/**
 * Reads every entry of an uncompressed tar stream as Go's archive/tar does. `tail` is the error the
 * stream ended with (a gzip error after the decompressed bytes), reported where Go would first read past
 * the end; without it, running out of data is `EOF` at an entry boundary and `unexpected EOF` elsewhere.
 * Directory entries are returned too; the caller decides what to skip.
 */
export function readTar(buf: Uint8Array, tail: Error | null = null): TarReadEntry[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const out: TarReadEntry[] = [];
  const short = (): never => {
    throw tail ?? new TarReadError("unexpected EOF");
  };
  /** A full block, or null at a clean end of stream. */
  const block = (): Buffer | null => {
    if (pos >= b.length) {
      if (tail !== null) throw tail;
      return null;
    }
    if (pos + BLOCK > b.length) short();
    const blk = b.subarray(pos, pos + BLOCK);
    pos += BLOCK;
    return blk;
  };
  /** An entry's data; its padding is read at the next header, as Go's Next does. */
  const body = (size: number): Buffer => {
    if (pos + size > b.length) short();
    const data = Buffer.from(b.subarray(pos, pos + size));
    pos += size;
    pad = (BLOCK - (size % BLOCK)) % BLOCK;
    return data;
  };
  let pad = 0;
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    if (pos + pad > b.length) {
      // Go reads the padding with tryReadFull: a short padding ends the archive unless the stream failed.
      if (tail !== null) throw tail;
      return out;
    }
    pos += pad;
    pad = 0;
    const blk = block();
    if (blk === null) return out;
    if (blk.every((x) => x === 0)) {
      const next = block();
      if (next === null || next.every((x) => x === 0)) return out;
      throw new TarReadError("archive/tar: invalid tar header");
    }
    if (!checksumOk(blk)) throw new TarReadError("archive/tar: invalid tar header");
    const ustar = blk.toString("latin1", 257, 263) === "ustar\0";
    let name = cString(blk.subarray(0, 100));
    if (ustar) {
      const prefix = cString(blk.subarray(345, 500));
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    let typeflag = String.fromCharCode(blk[156] ?? 0);
    const mode = parseNumeric(blk.subarray(100, 108));
    let size = parseNumeric(blk.subarray(124, 136));
    let linkname = cString(blk.subarray(157, 257));
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      if (size < 0) throw new TarReadError("archive/tar: invalid tar header");
      const data = body(size);
      if (typeflag === "x") pax = parsePax(data);
      else if (typeflag === "L") longName = cString(data);
      else if (typeflag === "K") longLink = cString(data);
      else {
        parsePax(data);
        out.push({ name, typeflag, mode, linkname, data: Buffer.alloc(0) });
      }
      continue;
    }
    const paxPath = pax.get("path");
    if (paxPath !== undefined) name = paxPath;
    const paxLink = pax.get("linkpath");
    if (paxLink !== undefined) linkname = paxLink;
    const paxSize = pax.get("size");
    if (paxSize !== undefined) {
      if (!/^\d+$/.test(paxSize)) throw new TarReadError("archive/tar: invalid tar header");
      size = Number(paxSize);
    }
    if (longName !== null) name = longName;
    if (longLink !== null) linkname = longLink;
    pax = new Map();
    longName = null;
    longLink = null;
    if (typeflag === "\0") typeflag = name.endsWith("/") ? "5" : "0";
    if (size < 0) throw new TarReadError("archive/tar: invalid tar header");
    out.push({ name, typeflag, mode, linkname, data: body(HEADER_ONLY.has(typeflag) ? 0 : size) });
  }
}
