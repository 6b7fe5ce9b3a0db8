/**
 * gzip decoding as Go's compress/gzip reader sees a stream: multistream, the header parsed by hand, and
 * an error that ends the stream kept apart from the bytes decoded before it, so that a consumer can
 * report whichever failure it would have met first, worded as Go words it.
 * Pure: takes and returns Buffers; uses only node:zlib.
 */
import type * as Zlib from "node:zlib";

export interface GunzipResult {
  /** Everything decoded before the stream ended or failed. */
  readonly data: Buffer;
  /** The error the stream ended with, or null at a clean end. */
  readonly tail: Error | null;
}

/** node:zlib, loaded on first use (most runs decode no gzip). */
const zlib = (): typeof Zlib => process.getBuiltinModule("node:zlib");

/** An error from the gzip layer itself (not from what it carries), worded as Go's. */
export class GzipError extends Error {}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** The length of the member header at `pos`, or a Go error. */
function headerLength(b: Buffer, pos: number): number | GzipError {
  const avail = b.length - pos;
  if (avail === 0) return new GzipError("EOF");
  if (avail < 10) return new GzipError("unexpected EOF");
  if (b[pos] !== 0x1f || b[pos + 1] !== 0x8b || b[pos + 2] !== 8) return new GzipError("gzip: invalid header");
  const flags = b[pos + 3] ?? 0;
  let p = pos + 10;
  if (flags & FEXTRA) {
    if (p + 2 > b.length) return new GzipError("unexpected EOF");
    p += 2 + b.readUInt16LE(p);
    if (p > b.length) return new GzipError("unexpected EOF");
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flags & f) {
      const nul = b.indexOf(0, p);
      if (nul < 0) return new GzipError("unexpected EOF");
      p = nul + 1;
    }
  }
  if (flags & FHCRC) {
    if (p + 2 > b.length) return new GzipError("unexpected EOF");
    if (b.readUInt16LE(p) !== (zlib().crc32(b.subarray(pos, p)) & 0xffff)) return new GzipError("gzip: invalid header");
    p += 2;
  }
  return p - pos;
}

/** Decodes `input`; throws (as Go's gzip.NewReader fails) only when the first member's header is bad. */
export function gunzip(input: Uint8Array): GunzipResult {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const parts: Buffer[] = [];
  let pos = 0;
  let tail: Error | null = null;
  for (let first = true; ; first = false) {
    const hl = headerLength(b, pos);
    if (hl instanceof GzipError) {
      if (first) throw hl;
      // Go ends a multistream cleanly at EOF between members.
      if (hl.message !== "EOF") tail = hl;
      break;
    }
    const raw = b.subarray(pos + hl);
    let out: Buffer;
    let used: number;
    try {
      const r = zlib().inflateRawSync(raw, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
      out = r.buffer;
      used = r.engine.bytesWritten;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "Z_BUF_ERROR") {
        parts.push(zlib().inflateRawSync(raw, { finishFlush: zlib().constants.Z_SYNC_FLUSH }));
        tail = new GzipError("unexpected EOF");
      } else {
        // zlib does not say where the deflate stream went wrong; Go names the offset.
        tail = new GzipError("flate: corrupt input");
      }
      break;
    }
    parts.push(out);
    const trailer = pos + hl + used;
    if (trailer + 8 > b.length) {
      tail = new GzipError("unexpected EOF");
      break;
    }
    if (b.readUInt32LE(trailer) !== zlib().crc32(out) || b.readUInt32LE(trailer + 4) !== out.length % 2 ** 32) {
      tail = new GzipError("gzip: invalid checksum");
      break;
    }
    pos = trailer + 8;
  }
  return { data: Buffer.concat(parts), tail };
}
