/**
 * Decodes the BuildKit progress the Docker Engine streams during a `version=2` build: `moby.buildkit.trace` aux
 * messages, each a base64 protobuf `moby.buildkit.v1.StatusResponse`. Only the fields slipway prints are read:
 * vertexes (digest, name, cached, error) and logs (vertex, data). A tiny wire-format reader, no dependencies.
 */

export interface TraceVertex {
  readonly digest: string;
  readonly name: string;
  readonly cached: boolean;
  readonly started: boolean;
  readonly completed: boolean;
  readonly error: string;
}

export interface TraceLog {
  readonly vertex: string;
  readonly data: Buffer;
}

export interface TraceStatus {
  readonly vertexes: TraceVertex[];
  readonly logs: TraceLog[];
}

type Field = { readonly no: number; readonly wire: number; readonly value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[pos];
    if (byte === undefined) throw new Error("truncated varint");
    pos++;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, pos);
      pos = after;
      out.push({ no, wire, value });
    } else if (wire === 2) {
      const [len, after] = readVarint(buf, pos);
      const end = after + Number(len);
      out.push({ no, wire, value: buf.subarray(after, end) });
      pos = end;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  return out;
}

function text(value: bigint | Buffer): string {
  return Buffer.isBuffer(value) ? value.toString("utf8") : "";
}

function vertex(buf: Buffer): TraceVertex {
  let digest = "";
  let name = "";
  let cached = false;
  let started = false;
  let completed = false;
  let error = "";
  for (const f of fields(buf)) {
    if (f.no === 1) digest = text(f.value);
    else if (f.no === 3) name = text(f.value);
    else if (f.no === 4) cached = f.value === 1n;
    else if (f.no === 5) started = true;
    else if (f.no === 6) completed = true;
    else if (f.no === 7) error = text(f.value);
  }
  return { digest, name, cached, started, completed, error };
}

function log(buf: Buffer): TraceLog {
  let v = "";
  let data = Buffer.alloc(0);
  for (const f of fields(buf)) {
    if (f.no === 1) v = text(f.value);
    else if (f.no === 4 && Buffer.isBuffer(f.value)) data = Buffer.from(f.value);
  }
  return { vertex: v, data };
}

/** Decodes one `moby.buildkit.trace` aux payload (base64). */
export function decodeTrace(base64: string): TraceStatus {
  const status: TraceStatus = { vertexes: [], logs: [] };
  for (const f of fields(Buffer.from(base64, "base64"))) {
    if (!Buffer.isBuffer(f.value)) continue;
    if (f.no === 1) status.vertexes.push(vertex(f.value));
    else if (f.no === 3) status.logs.push(log(f.value));
  }
  return status;
}

/**
 * Turns a stream of trace statuses into `--progress=plain`-like lines: `#N <name>` when a step starts, its
 * output lines, `#N CACHED` / `#N DONE` / `#N ERROR: ...`.
 */
export class TracePrinter {
  private readonly numbers = new Map<string, number>();
  private readonly announced = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly partial = new Map<string, string>();

  constructor(private readonly emit: (line: string) => void) {}

  private number(digest: string): number {
    let n = this.numbers.get(digest);
    if (n === undefined) {
      n = this.numbers.size + 1;
      this.numbers.set(digest, n);
    }
    return n;
  }

  push(status: TraceStatus): void {
    // Logs first: a status can carry a step's last output together with its completion.
    for (const l of status.logs) {
      const n = this.number(l.vertex);
      const textSoFar = (this.partial.get(l.vertex) ?? "") + l.data.toString("utf8");
      const lines = textSoFar.split("\n");
      this.partial.set(l.vertex, lines.pop() ?? "");
      for (const line of lines) this.emit(`#${n} ${line}`);
    }
    for (const v of status.vertexes) {
      const n = this.number(v.digest);
      if (!this.announced.has(v.digest) && v.name !== "") {
        this.announced.add(v.digest);
        this.emit(`#${n} ${v.name}`);
      }
      if (this.finished.has(v.digest)) continue;
      if (v.error !== "") {
        this.finish(v.digest);
        this.emit(`#${n} ERROR: ${v.error}`);
      } else if (v.cached) {
        this.finish(v.digest);
        this.emit(`#${n} CACHED`);
      } else if (v.completed) {
        this.finish(v.digest);
        this.emit(`#${n} DONE`);
      }
    }
  }

  /** Prints what is left of a step's output that did not end with a newline. */
  private finish(digest: string): void {
    this.finished.add(digest);
    const rest = this.partial.get(digest);
    if (rest) this.emit(`#${this.number(digest)} ${rest}`);
    this.partial.delete(digest);
  }

  /** Prints every unfinished partial line (at the end of a build). */
  flush(): void {
    for (const digest of [...this.partial.keys()]) this.finish(digest);
  }
}
