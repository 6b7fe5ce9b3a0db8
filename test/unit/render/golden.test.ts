// `slipway render` against `helm template` v3.17.3 on the fixture charts (regenerate the expectations with
// `node scripts/gen-render-golden.js`). Runs the CLI in-process; byte-for-byte comparison.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { describe, expect, test } from "vitest";
import { run } from "../../../src/cli/main.js";

const root = join(import.meta.dirname, "../../..");
const goldenDir = join(root, "test/golden/render");

interface Case {
  name: string;
  chart: string;
  args: string[];
  /** "certificates": the output holds random certificates (base64 PEM values); their structure is compared. */
  compare?: "certificates";
}

const BASE_ARGS = ["--namespace", "default", "--kube-version", "1.30.0"];

/** Runs `slipway render` with helm-template-equivalent flags; returns stdout or `exit` + the error line. */
export async function slipwayRender(c: Case): Promise<string> {
  let stdout = "";
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const code = await run(
      ["node", "slipway", "helm", "template", join(root, "test/fixtures/charts", c.chart), "--release", "rn", ...BASE_ARGS, ...c.args],
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
        env: { TZ: "UTC" },
      },
    );
    if (code !== 0) return `exit: ${code}\n${stderr}`;
    return stdout;
  } finally {
    process.chdir(cwd);
  }
}

const cases = JSON.parse(readFileSync(join(goldenDir, "cases.json"), "utf8")) as Case[];

/** One DER element: tag, content, and what follows it. */
function der(b: Buffer): { tag: number; body: Buffer; rest: Buffer } {
  let len = b[1]!;
  let off = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
    off += n;
  }
  return { tag: b[0]!, body: b.subarray(off, off + len), rest: b.subarray(off + len) };
}

interface CertShape {
  subject: string;
  issuer: string;
  keyType: string | undefined;
  /** Extensions in order: OID (hex of its DER) and whether critical. */
  extensions: string[];
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  san: string | undefined;
}

/** The structure of a certificate: what stays the same between two renders of random certificates. */
function certShape(pem: string): CertShape {
  const x = new X509Certificate(pem);
  const cert = der(x.raw).body;
  let rest = der(cert).body;
  const extensions: string[] = [];
  let subjectKeyId: string | null = null;
  let authorityKeyId: string | null = null;
  while (rest.length > 0) {
    const field = der(rest);
    rest = field.rest;
    if (field.tag !== 0xa3) continue;
    let exts = der(field.body).body;
    while (exts.length > 0) {
      const ext = der(exts);
      exts = ext.rest;
      const oid = der(ext.body);
      let value = oid.rest;
      let critical = false;
      if (value[0] === 0x01) {
        critical = der(value).body[0] !== 0;
        value = der(value).rest;
      }
      const oidHex = oid.body.toString("hex");
      extensions.push(`${oidHex}${critical ? " critical" : ""}`);
      const inner = der(der(value).body);
      if (oidHex === "551d0e") subjectKeyId = inner.body.toString("hex");
      if (oidHex === "551d23") authorityKeyId = der(inner.body).body.toString("hex");
    }
  }
  return { subject: x.subject, issuer: x.issuer, keyType: x.publicKey.asymmetricKeyType, extensions, subjectKeyId, authorityKeyId, san: x.subjectAltName };
}

/** The certificates of a rendered output (`name: <base64 PEM>` lines), by name. */
function certificates(out: string): Map<string, CertShape> {
  const certs = new Map<string, CertShape>();
  for (const m of out.matchAll(/^\s+([\w.-]+\.crt): (\S+)$/gm)) certs.set(m[1]!, certShape(Buffer.from(m[2]!, "base64").toString("utf8")));
  return certs;
}

/** Certificate structures with key identifiers replaced by how they link: "own" or the name of the issuer. */
function linked(certs: Map<string, CertShape>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, c] of certs) {
    const issuer = [...certs].find(([, o]) => o.subjectKeyId !== null && o.subjectKeyId === c.authorityKeyId)?.[0] ?? null;
    out[name] = { ...c, subjectKeyId: c.subjectKeyId === null ? null : "present", authorityKeyId: c.authorityKeyId === null ? null : issuer };
  }
  return out;
}

describe("slipway render = helm template", () => {
  for (const c of cases) {
    test(c.name, async () => {
      const expected = readFileSync(join(goldenDir, `${c.name}.out`), "utf8");
      const actual = await slipwayRender(c);
      if (c.compare === "certificates") {
        const want = certificates(expected);
        expect(want.size).toBeGreaterThan(0);
        expect(linked(certificates(actual))).toEqual(linked(want));
        const mask = (s: string): string => s.replace(/^(\s+[\w.-]+\.crt: )\S+$/gm, "$1<certificate>");
        expect(mask(actual)).toBe(mask(expected));
      } else {
        expect(actual).toBe(expected);
      }
    });
  }
});
