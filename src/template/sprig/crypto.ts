// Sprig's crypto functions on node:crypto: bcrypt (Blowfish with S-boxes computed from pi),
// derivePassword (scrypt + HMAC), AES-CBC, uuidv4, random bytes, private keys and X.509
// certificates (DER built here, signed by node:crypto).

import type { KeyObject, X509Certificate } from "node:crypto";
import { nodeCrypto, nodeNet } from "./node.js";
import { FuncError } from "../errors.js";
import { formatValue } from "../fmt.js";
import type { GoInt} from "../value.js";
import { GoObject, bytesToString, stringBytes, type GoFunc } from "../value.js";
import { fn } from "./conv.js";
import { base64Decode, base64Encode } from "./numeric.js";

// --- bcrypt -----------------------------------------------------------------------------------

let piWords: Uint32Array | undefined;

/** The first 18 + 1024 32-bit words of pi's fractional hex digits (Blowfish's P-array and S-boxes). */
function piHexWords(): Uint32Array {
  if (piWords !== undefined) return piWords;
  const words = 18 + 1024;
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    let k = 1n;
    let sign = 1n;
    while (term !== 0n) {
      sum += (sign * term) / k;
      term /= x2;
      k += 2n;
      sign = -sign;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  const frac = pi - 3n * one;
  const out = new Uint32Array(words);
  const shifted = frac >> 64n;
  for (let i = 0; i < words; i++) out[i] = Number((shifted >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
  piWords = out;
  return out;
}

class Blowfish {
  p: Uint32Array;
  s: Uint32Array[];
  constructor() {
    const w = piHexWords();
    this.p = w.slice(0, 18);
    this.s = [0, 1, 2, 3].map((i) => w.slice(18 + i * 256, 18 + (i + 1) * 256));
  }
  private f(x: number): number {
    const [s0, s1, s2, s3] = this.s as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    return ((((s0[x >>> 24] ?? 0) + (s1[(x >>> 16) & 0xff] ?? 0)) ^ (s2[(x >>> 8) & 0xff] ?? 0)) + (s3[x & 0xff] ?? 0)) >>> 0;
  }
  encrypt(l: number, r: number): [number, number] {
    const p = this.p;
    l = (l ^ (p[0] ?? 0)) >>> 0;
    for (let i = 1; i <= 16; i += 2) {
      r = (r ^ this.f(l) ^ (p[i] ?? 0)) >>> 0;
      l = (l ^ this.f(r) ^ (p[i + 1] ?? 0)) >>> 0;
    }
    r = (r ^ (p[17] ?? 0)) >>> 0;
    return [r, l];
  }
  expandKey(key: Uint8Array, salt: Uint8Array | null): void {
    let j = 0;
    for (let i = 0; i < 18; i++) {
      let d = 0;
      for (let k = 0; k < 4; k++) {
        d = ((d << 8) | (key[j] ?? 0)) >>> 0;
        j++;
        if (j >= key.length) j = 0;
      }
      this.p[i] = ((this.p[i] ?? 0) ^ d) >>> 0;
    }
    let sj = 0;
    const next = (): number => {
      if (salt === null) return 0;
      let d = 0;
      for (let k = 0; k < 4; k++) {
        d = ((d << 8) | (salt[sj] ?? 0)) >>> 0;
        sj++;
        if (sj >= salt.length) sj = 0;
      }
      return d;
    };
    let l = 0;
    let r = 0;
    const fill = (arr: Uint32Array): void => {
      for (let i = 0; i < arr.length; i += 2) {
        l = (l ^ next()) >>> 0;
        r = (r ^ next()) >>> 0;
        [l, r] = this.encrypt(l, r);
        arr[i] = l;
        arr[i + 1] = r;
      }
    };
    fill(this.p);
    for (const s of this.s) fill(s);
  }
}

const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function bcryptB64(b: Uint8Array): string {
  const std = Buffer.from(b).toString("base64").replace(/=+$/, "");
  const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let out = "";
  for (const c of std) out += BCRYPT_ALPHABET[STD.indexOf(c)] ?? "";
  return out;
}

function bcryptB64Decode(s: string): Uint8Array {
  const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let std = "";
  for (const c of s) std += STD[BCRYPT_ALPHABET.indexOf(c)] ?? "";
  while (std.length % 4 !== 0) std += "=";
  return Uint8Array.from(Buffer.from(std, "base64"));
}

/** bcrypt hash of password with a 16-byte salt (x/crypto/bcrypt, version 2a). */
export function bcryptHash(password: Uint8Array, cost: number, salt: Uint8Array): string {
  if (password.length > 72) throw new FuncError("bcrypt: password length exceeds 72 bytes");
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const csalt = bcryptB64(salt).slice(0, 22);
  const realSalt = bcryptB64Decode(csalt).slice(0, 16);
  const bf = new Blowfish();
  bf.expandKey(key, realSalt);
  const rounds = 1 << cost;
  for (let i = 0; i < rounds; i++) {
    bf.expandKey(key, null);
    bf.expandKey(realSalt, null);
  }
  const magic = stringBytes("OrpheanBeholderScryDoubt");
  const words: number[] = [];
  for (let i = 0; i < 24; i += 4) words.push(((magic[i] ?? 0) << 24) | ((magic[i + 1] ?? 0) << 16) | ((magic[i + 2] ?? 0) << 8) | (magic[i + 3] ?? 0));
  for (let i = 0; i < 6; i += 2) {
    let l = (words[i] ?? 0) >>> 0;
    let r = (words[i + 1] ?? 0) >>> 0;
    for (let k = 0; k < 64; k++) [l, r] = bf.encrypt(l, r);
    words[i] = l;
    words[i + 1] = r;
  }
  const out = new Uint8Array(24);
  words.forEach((w, i) => {
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  });
  return `$2a$${String(cost).padStart(2, "0")}$${csalt}${bcryptB64(out.subarray(0, 23))}`;
}

/** Recomputes a bcrypt hash string from its own salt and cost (for verification). */
export function bcryptRehash(password: string, hash: string): string {
  const m = /^\$2[aby]?\$(\d\d)\$([./A-Za-z0-9]{22})/.exec(hash);
  if (m === null) throw new Error("not a bcrypt hash");
  const salt = bcryptB64Decode(m[2] ?? "").slice(0, 16);
  return bcryptHash(stringBytes(password), Number(m[1]), salt);
}

function bcrypt(input: string): string {
  try {
    return bcryptHash(stringBytes(input), 10, nodeCrypto().randomBytes(16));
  } catch (e) {
    if (e instanceof FuncError) return `failed to encrypt string with bcrypt: ${e.message}`;
    throw e;
  }
}

// --- derivePassword ---------------------------------------------------------------------------

const TEMPLATES: Record<string, string[]> = {
  maximum: ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
  long: [
    "CvcvnoCvcvCvcv",
    "CvcvCvcvnoCvcv",
    "CvcvCvcvCvcvno",
    "CvccnoCvcvCvcv",
    "CvccCvcvnoCvcv",
    "CvccCvcvCvcvno",
    "CvcvnoCvccCvcv",
    "CvcvCvccnoCvcv",
    "CvcvCvccCvcvno",
    "CvcvnoCvcvCvcc",
    "CvcvCvcvnoCvcc",
    "CvcvCvcvCvccno",
    "CvccnoCvccCvcv",
    "CvccCvccnoCvcv",
    "CvccCvccCvcvno",
    "CvcvnoCvccCvcc",
    "CvcvCvccnoCvcc",
    "CvcvCvccCvccno",
    "CvccnoCvcvCvcc",
    "CvccCvcvnoCvcc",
    "CvccCvcvCvccno",
  ],
  medium: ["CvcnoCvc", "CvcCvcno"],
  short: ["Cvcn"],
  basic: ["aaanaaan", "aannaaan", "aaannaaa"],
  pin: ["nnnn"],
};

const CHARS: Record<string, string> = {
  V: "AEIOU",
  C: "BCDFGHJKLMNPQRSTVWXYZ",
  v: "aeiou",
  c: "bcdfghjklmnpqrstvwxyz",
  A: "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
  a: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
  n: "0123456789",
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function derivePassword(counter: GoInt, typ: string, password: string, user: string, site: string): string {
  const templates = TEMPLATES[typ];
  if (templates === undefined) return `cannot find password template ${typ}`;
  const seed = Buffer.from("com.lyndir.masterpassword");
  const userB = Buffer.from(stringBytes(user));
  const siteB = Buffer.from(stringBytes(site));
  const salt = Buffer.concat([seed, u32(userB.length), userB]);
  const key = nodeCrypto().scryptSync(Buffer.from(stringBytes(password)), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 256 * 1024 * 1024 });
  const data = Buffer.concat([seed, u32(siteB.length), siteB, u32(Number(BigInt.asUintN(32, counter.v)))]);
  const hm = nodeCrypto().createHmac("sha256", key).update(data).digest();
  const temp = templates[(hm[0] ?? 0) % templates.length] ?? "";
  let out = "";
  for (let i = 0; i < temp.length; i++) {
    const chars = CHARS[temp[i] ?? ""] ?? "";
    out += chars[(hm[i + 1] ?? 0) % chars.length] ?? "";
  }
  return out;
}

// --- AES --------------------------------------------------------------------------------------

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(stringBytes(password)).copy(key, 0, 0, 32);
  return key;
}

function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  const content = Buffer.from(stringBytes(plaintext));
  const padding = 16 - (content.length % 16);
  const padded = Buffer.concat([content, Buffer.alloc(padding, padding)]);
  const iv = nodeCrypto().randomBytes(16);
  const c = nodeCrypto().createCipheriv("aes-256-cbc", aesKey(password), iv);
  c.setAutoPadding(false);
  return base64Encode(Buffer.concat([iv, c.update(padded), c.final()]));
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  let crypt: Uint8Array;
  try {
    crypt = base64Decode(crypt64);
  } catch (e) {
    throw new FuncError((e as Error).message);
  }
  if (crypt.length < 16) throw new FuncError(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const iv = crypt.subarray(0, 16);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new FuncError("crypto/cipher: input not full blocks");
  if (body.length === 0) throw new FuncError("runtime error: index out of range [-1]");
  const d = nodeCrypto().createDecipheriv("aes-256-cbc", aesKey(password), iv);
  d.setAutoPadding(false);
  const dec = Buffer.concat([d.update(body), d.final()]);
  const pad = dec[dec.length - 1] ?? 0;
  const end = dec.length - pad;
  if (end < 0) throw new FuncError(`runtime error: slice bounds out of range [:${end}]`);
  return bytesToString(dec.subarray(0, end));
}

// --- ASN.1 DER --------------------------------------------------------------------------------

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
}
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
function derInt(v: bigint): Buffer {
  if (v === 0n) return tlv(0x02, Buffer.from([0]));
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = "0" + hex;
  let b = Buffer.from(hex, "hex");
  if ((b[0] ?? 0) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}
function derOID(oid: string): Buffer {
  const parts = oid.split(".").map(Number);
  const out: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const bytes: number[] = [p & 0x7f];
    let x = Math.floor(p / 128);
    while (x > 0) {
      bytes.unshift(0x80 | (x & 0x7f));
      x = Math.floor(x / 128);
    }
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}
const derBool = (b: boolean): Buffer => tlv(0x01, Buffer.from([b ? 0xff : 0]));
const derNull = (): Buffer => Buffer.from([0x05, 0x00]);
const derBitString = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b);
const derOctets = (b: Buffer): Buffer => tlv(0x04, b);

function derString(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(stringBytes(s)));
}

function derTime(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const y = d.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const rest = p2(d.getUTCMonth() + 1) + p2(d.getUTCDate()) + p2(d.getUTCHours()) + p2(d.getUTCMinutes()) + p2(d.getUTCSeconds()) + "Z";
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(p2(y % 100) + rest));
  return tlv(0x18, Buffer.from(String(y).padStart(4, "0") + rest));
}

/** Minimal DER reader: returns [tag, content, rest]. */
function derRead(b: Buffer): [number, Buffer, Buffer] {
  const tag = b[0] ?? 0;
  let len = b[1] ?? 0;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[2 + i] ?? 0);
    off = 2 + n;
  }
  return [tag, b.subarray(off, off + len), b.subarray(off + len)];
}

function derReadInt(b: Buffer): [bigint, Buffer] {
  const [, c, rest] = derRead(b);
  return [c.length === 0 ? 0n : BigInt("0x" + c.toString("hex")), rest];
}

// --- keys -------------------------------------------------------------------------------------

function pemEncode(type: string, der: Buffer): string {
  const b64 = der.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}${lines.length > 0 ? "\n" : ""}-----END ${type}-----\n`;
}

function pemDecode(s: string): { type: string; der: Buffer } | null {
  const m = /-----BEGIN ([^-\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(s);
  if (m === null) return null;
  const body = (m[2] ?? "").split(/\r?\n/).filter((l) => !l.includes(":"));
  return { type: m[1] ?? "", der: Buffer.from(body.join(""), "base64") };
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    e >>= 1n;
    b = (b * b) % m;
  }
  return r;
}

function dsaPem(key: KeyObject): string {
  // PKCS#8: SEQ{ INT 0, SEQ{ OID, SEQ{p,q,g} }, OCTET STRING{ INT x } }
  const der = key.export({ type: "pkcs8", format: "der" });
  const [, top] = derRead(der);
  const [, , afterVer] = derRead(top);
  const [, alg, afterAlg] = derRead(afterVer);
  const [, , afterOid] = derRead(alg);
  const [, params] = derRead(afterOid);
  const [p, r1] = derReadInt(params);
  const [q, r2] = derReadInt(r1);
  const [g] = derReadInt(r2);
  const [, priv] = derRead(afterAlg);
  const [x] = derReadInt(priv);
  const y = modPow(g, x, p);
  return pemEncode("DSA PRIVATE KEY", seq(derInt(0n), derInt(p), derInt(q), derInt(g), derInt(y), derInt(x)));
}

function keyPem(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return key.export({ type: "pkcs1", format: "pem" }) as string;
    case "ec":
      return key.export({ type: "sec1", format: "pem" }) as string;
    case "dsa":
      return dsaPem(key);
    default:
      return key.export({ type: "pkcs8", format: "pem" }) as string;
  }
}

function generatePrivateKey(typ: string): string {
  switch (typ) {
    case "":
    case "rsa":
      return keyPem(nodeCrypto().generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey);
    case "dsa":
      return keyPem(nodeCrypto().generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 }).privateKey);
    case "ecdsa":
      return keyPem(nodeCrypto().generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    case "ed25519":
      return keyPem(nodeCrypto().generateKeyPairSync("ed25519").privateKey);
    default:
      return "Unknown type " + typ;
  }
}

function parsePrivateKeyPEM(pem: string): KeyObject {
  const block = pemDecode(pem);
  if (block === null) throw new FuncError("no PEM data in input");
  if (block.type === "PRIVATE KEY") {
    try {
      return nodeCrypto().createPrivateKey({ key: block.der, format: "der", type: "pkcs8" });
    } catch (e) {
      throw new FuncError(`decoding PEM as PKCS#8: ${(e as Error).message}`);
    }
  }
  if (!block.type.endsWith(" PRIVATE KEY")) throw new FuncError(`no private key data in PEM block of type ${block.type}`);
  const kind = block.type.slice(0, -12);
  try {
    switch (kind) {
      case "RSA":
        return nodeCrypto().createPrivateKey({ key: block.der, format: "der", type: "pkcs1" });
      case "EC":
        return nodeCrypto().createPrivateKey({ key: block.der, format: "der", type: "sec1" });
      case "DSA":
        return nodeCrypto().createPrivateKey({ key: pemEncode("DSA PRIVATE KEY", block.der), format: "pem" });
      default:
        break;
    }
  } catch (e) {
    throw new FuncError(`parsing ${kind} private key from PEM: ${(e as Error).message}`);
  }
  throw new FuncError(`invalid private key type ${block.type}`);
}

// --- certificates -----------------------------------------------------------------------------

export class Certificate extends GoObject {
  readonly goType = "sprig.certificate";
  constructor(
    readonly cert: string,
    readonly key: string,
  ) {
    super();
  }
  override field(name: string): { value: unknown } | undefined {
    if (name === "Cert") return { value: this.cert };
    if (name === "Key") return { value: this.key };
    return undefined;
  }
  format(): string {
    return `{${this.cert} ${this.key}}`;
  }
  toJSONValue(): unknown {
    return new Map([
      ["Cert", this.cert],
      ["Key", this.key],
    ]);
  }
}

function parseIP(s: string): Buffer | null {
  const v = nodeNet().isIP(s);
  if (v === 4) return Buffer.from(s.split(".").map(Number));
  if (v === 6) {
    let str = s;
    let tail: number[] = [];
    const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(str);
    if (m !== null) {
      tail = (m[2] ?? "").split(".").map(Number);
      str = (m[1] ?? "") + "0:0";
    }
    const [head = "", rest = ""] = str.split("::");
    const hp = head === "" ? [] : head.split(":");
    const rp = str.includes("::") ? (rest === "" ? [] : rest.split(":")) : [];
    const groups = str.includes("::") ? [...hp, ...Array<string>(8 - hp.length - rp.length).fill("0"), ...rp] : hp;
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
    if (tail.length === 4) tail.forEach((x, i) => (b[12 + i] = x));
    const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    return mapped ? b.subarray(12) : b;
  }
  return null;
}

interface CertTemplate {
  cn: string;
  ips: Buffer[];
  dns: string[];
  days: number;
  isCA: boolean;
}

function baseTemplate(cn: string, ips: unknown[] | null, dns: unknown[] | null, days: GoInt): CertTemplate {
  const ipBufs: Buffer[] = [];
  for (const ip of ips ?? []) {
    if (typeof ip !== "string") throw new FuncError(`error parsing ip: ${formatValue(ip)} is not a string`);
    const b = parseIP(ip);
    if (b === null) throw new FuncError(`error parsing ip: ${ip}`);
    ipBufs.push(b);
  }
  const names: string[] = [];
  for (const d of dns ?? []) {
    if (typeof d !== "string") throw new FuncError(`error processing alternate dns name: ${formatValue(d)} is not a string`);
    names.push(d);
  }
  return { cn, ips: ipBufs, dns: names, days: Number(days.v), isCA: false };
}

function nameDER(cn: string): Buffer {
  if (cn === "") return seq();
  return seq(set(seq(derOID("2.5.4.3"), derString(cn))));
}

function sigAlg(key: KeyObject): { alg: Buffer; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { alg: seq(derOID("1.2.840.113549.1.1.11"), derNull()), hash: "sha256" };
    case "ec":
      return { alg: seq(derOID("1.2.840.10045.4.3.2")), hash: "sha256" };
    case "ed25519":
      return { alg: seq(derOID("1.3.101.112")), hash: null };
    default:
      throw new FuncError("error creating certificate: x509: certificate private key does not implement crypto.Signer");
  }
}

function createCertificate(t: CertTemplate, signee: KeyObject, parent: { subject: Buffer; skid: Buffer | null } | null, signer: KeyObject): string {
  const pub = nodeCrypto().createPublicKey(signee);
  const spki = pub.export({ type: "spki", format: "der" });
  const { alg, hash } = sigAlg(signer);
  const serial = BigInt("0x" + nodeCrypto().randomBytes(16).toString("hex"));
  const now = Date.now();
  const subject = nameDER(t.cn);
  const issuer = parent === null ? subject : parent.subject;
  const exts: Buffer[] = [];
  const ku = t.isCA ? 0xa4 : 0xa0;
  exts.push(seq(derOID("2.5.29.15"), derBool(true), derOctets(derBitString(Buffer.from([ku])))));
  exts.push(seq(derOID("2.5.29.37"), derOctets(seq(derOID("1.3.6.1.5.5.7.3.1"), derOID("1.3.6.1.5.5.7.3.2")))));
  exts.push(seq(derOID("2.5.29.19"), derBool(true), derOctets(t.isCA ? seq(derBool(true)) : seq())));
  let skid: Buffer | null = null;
  if (t.isCA) {
    // SHA-1 of the subjectPublicKey bits.
    const [, spkiBody] = derRead(spki);
    const [, , afterAlg] = derRead(spkiBody);
    const [, bits] = derRead(afterAlg);
    skid = nodeCrypto().createHash("sha1").update(bits.subarray(1)).digest();
    exts.push(seq(derOID("2.5.29.14"), derOctets(derOctets(skid))));
  }
  if (parent !== null && parent.skid !== null && !issuer.equals(subject)) {
    exts.push(seq(derOID("2.5.29.35"), derOctets(seq(tlv(0x80, parent.skid)))));
  }
  if (t.dns.length > 0 || t.ips.length > 0) {
    const names = [...t.dns.map((d) => tlv(0x82, Buffer.from(stringBytes(d)))), ...t.ips.map((ip) => tlv(0x87, ip))];
    exts.push(seq(derOID("2.5.29.17"), derOctets(seq(...names))));
  }
  const tbs = seq(
    tlv(0xa0, derInt(2n)),
    derInt(serial),
    alg,
    issuer,
    seq(derTime(now), derTime(now + t.days * 86400000)),
    subject,
    spki,
    tlv(0xa3, seq(...exts)),
  );
  const sig = nodeCrypto().sign(hash, tbs, signer);
  return pemEncode("CERTIFICATE", seq(tbs, alg, derBitString(sig)));
}

const SUBJECT_KEY_ID_OID = derOID("2.5.29.14");

/** The Subject Key Identifier in a certificate's [3] extensions field (its content), or null. */
function subjectKeyId(explicit: Buffer): Buffer | null {
  const [, exts] = derRead(explicit);
  let rest = exts;
  while (rest.length > 0) {
    const [, ext, r] = derRead(rest);
    rest = r;
    const [, , afterOid] = derRead(ext);
    const oid = ext.subarray(0, ext.length - afterOid.length);
    if (!oid.equals(SUBJECT_KEY_ID_OID)) continue;
    let value = afterOid;
    if (value[0] === 0x01) value = derRead(value)[2];
    const [, octets] = derRead(value);
    const [tag, id] = derRead(octets);
    return tag === 0x04 && id.length > 0 ? Buffer.from(id) : null;
  }
  return null;
}

function rsa2048(): KeyObject {
  return nodeCrypto().generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
}

function certWithKey(t: CertTemplate, key: KeyObject, ca: Certificate | null): Certificate {
  let parent: { subject: Buffer; skid: Buffer | null } | null = null;
  let signer = key;
  if (ca !== null) {
    const block = pemDecode(ca.cert);
    if (block === null) throw new FuncError("unable to decode certificate");
    let x: X509Certificate;
    try {
      x = new (nodeCrypto().X509Certificate)(block.der);
    } catch (e) {
      throw new FuncError(`error parsing certificate: decodedSignerCert.Bytes: ${(e as Error).message}`);
    }
    try {
      signer = parsePrivateKeyPEM(ca.key);
    } catch (e) {
      throw new FuncError(`error parsing private key: ${(e as Error).message}`);
    }
    // The issuer is the CA certificate's raw subject (TBS fields: [version], serial, alg, issuer, validity, subject).
    void x;
    const [, certBody] = derRead(block.der);
    const [, tbsBody] = derRead(certBody);
    let rest = tbsBody;
    const fields: Buffer[] = [];
    let skid: Buffer | null = null;
    while (rest.length > 0) {
      const [tag, body, r] = derRead(rest);
      fields.push(rest.subarray(0, rest.length - r.length));
      if (tag === 0xa3) skid = subjectKeyId(body);
      rest = r;
    }
    const hasVer = (fields[0]?.[0] ?? 0) === 0xa0;
    const subject = fields[hasVer ? 5 : 4] ?? seq();
    // Go's x509.CreateCertificate takes the Authority Key Identifier from the parent's Subject Key Identifier.
    parent = { subject, skid };
  }
  const cert = createCertificate(t, key, parent, signer);
  return new Certificate(cert, keyPem(key));
}

function caTemplate(cn: string, days: GoInt): CertTemplate {
  return { ...baseTemplate(cn, null, null, days), isCA: true };
}

function keyOrErr(pem: string): KeyObject {
  try {
    return parsePrivateKeyPEM(pem);
  } catch (e) {
    throw new FuncError(`parsing private key: ${(e as Error).message}`);
  }
}

function caArg(v: unknown): Certificate {
  if (v instanceof Certificate) return v;
  throw new FuncError(`wrong type for value; expected sprig.certificate; got ${v === null ? "interface {}" : typeof v}`);
}

function buildCustomCert(b64cert: string, b64key: string): Certificate {
  let cert: Uint8Array;
  let key: Uint8Array;
  try {
    cert = base64Decode(b64cert);
  } catch {
    throw new FuncError("unable to decode base64 certificate");
  }
  try {
    key = base64Decode(b64key);
  } catch {
    throw new FuncError("unable to decode base64 private key");
  }
  const block = pemDecode(bytesToString(cert));
  if (block === null) throw new FuncError("unable to decode certificate");
  try {
    new (nodeCrypto().X509Certificate)(block.der);
  } catch (e) {
    throw new FuncError(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`);
  }
  try {
    parsePrivateKeyPEM(bytesToString(key));
  } catch (e) {
    throw new FuncError(`error parsing private key: ${(e as Error).message}`);
  }
  return new Certificate(bytesToString(cert), bytesToString(key));
}

export function cryptoFuncs(): GoFunc[] {
  return [
    fn("bcrypt", ["string"], null, bcrypt, "string"),
    fn(
      "htpasswd",
      ["string", "string"],
      null,
      (u: string, p: string) => (u.includes(":") ? `invalid username: ${u}` : `${u}:${bcrypt(p)}`),
      "string",
    ),
    fn("genPrivateKey", ["string"], null, generatePrivateKey, "string"),
    fn("derivePassword", ["int", "string", "string", "string", "string"], null, derivePassword, "string"),
    fn("buildCustomCert", ["string", "string"], null, buildCustomCert),
    fn("genCA", ["string", "int"], null, (cn: string, days: GoInt) => certWithKey(caTemplate(cn, days), rsa2048(), null)),
    fn("genCAWithKey", ["string", "int", "string"], null, (cn: string, days: GoInt, k: string) => certWithKey(caTemplate(cn, days), keyOrErr(k), null)),
    fn(
      "genSelfSignedCert",
      ["string", "list", "list", "int"],
      null,
      (cn: string, ips: unknown[] | null, dns: unknown[] | null, days: GoInt) => certWithKey(baseTemplate(cn, ips, dns, days), rsa2048(), null),
    ),
    fn(
      "genSelfSignedCertWithKey",
      ["string", "list", "list", "int", "string"],
      null,
      (cn: string, ips: unknown[] | null, dns: unknown[] | null, days: GoInt, k: string) =>
        certWithKey(baseTemplate(cn, ips, dns, days), keyOrErr(k), null),
    ),
    fn(
      "genSignedCert",
      ["string", "list", "list", "int", "any"],
      null,
      (cn: string, ips: unknown[] | null, dns: unknown[] | null, days: GoInt, ca: unknown) =>
        certWithKey(baseTemplate(cn, ips, dns, days), rsa2048(), caArg(ca)),
    ),
    fn(
      "genSignedCertWithKey",
      ["string", "list", "list", "int", "any", "string"],
      null,
      (cn: string, ips: unknown[] | null, dns: unknown[] | null, days: GoInt, ca: unknown, k: string) =>
        certWithKey(baseTemplate(cn, ips, dns, days), keyOrErr(k), caArg(ca)),
    ),
    fn("encryptAES", ["string", "string"], null, encryptAES, "string"),
    fn("decryptAES", ["string", "string"], null, decryptAES, "string"),
    fn(
      "randBytes",
      ["int"],
      null,
      (c: GoInt) => {
        if (c.v < 0n) throw new FuncError("runtime error: makeslice: len out of range");
        return base64Encode(nodeCrypto().randomBytes(Number(c.v)));
      },
      "string",
    ),
    fn("uuidv4", [], null, () => nodeCrypto().randomUUID(), "string"),
  ];
}
