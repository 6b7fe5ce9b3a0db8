// Secret values files: every scalar encrypted on its own (Go's %v of what yaml.v3 decodes), decrypted values always
// strings, errors that name the file, line and key without the value, and the edit merge that keeps old ciphertext.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readValues } from "../../../src/chart/values.js";
import { generateSecretKey, newSecretCipher } from "../../../src/secret/cipher.js";
import { decryptSecretFile, decryptSecretValues, encryptSecretValues, mergeSecretValues } from "../../../src/secret/values-file.js";
import { SlipwayError, formatError } from "../../../src/errors.js";

const key = generateSecretKey();
const cipher = newSecretCipher(key);
const FILE = ".helm/secret-values.yaml";

const PLAIN = `# top
a: hello # gone
num: 10
f: 1.50
big: 1000000.0
b: True
hex: 0x1F
oct: 0777
nul: null
tilde: ~
date: 2001-12-14
word: yes
empty: ""
nested:
  list:
    - x
    - 2
  s: "quoted: yes"
  multi: |
    line1
    line2
flow: {x: 1, y: [a, b]}
`;

describe("secret values files", () => {
  it("encrypts every non-null scalar, keeps keys, structure and comments, and drops blank lines", () => {
    const enc = encryptSecretValues(PLAIN.replace("b: True", "\nb: True"), cipher, FILE);
    const tree = parse(enc) as Record<string, unknown>;
    expect(Object.keys(tree)).toEqual(Object.keys(parse(PLAIN) as object));
    expect(tree["nul"]).toBeNull();
    expect(tree["tilde"]).toBeNull();
    expect(tree["a"]).toMatch(/^1000[0-9a-f]{64}$/);
    expect(enc.startsWith("# top\na: 1000")).toBe(true);
    expect(enc).not.toContain("# gone");
    expect(enc).not.toMatch(/\n\n/);
    expect(enc).toContain("\nflow: {x: 1000");
  });

  it("decrypts to strings: Go's %v of the typed values, as werf encrypted them", () => {
    const enc = encryptSecretValues(PLAIN, cipher, FILE);
    const dec = decryptSecretValues(enc, { cipher, file: FILE, style: "render" });
    const values = readValues(dec, FILE);
    const plain = Object.fromEntries([...values].map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v]));
    expect(plain).toMatchObject({
      a: "hello",
      num: "10",
      f: "1.5",
      big: "1e+06",
      b: "true",
      hex: "31",
      oct: "511",
      nul: null,
      tilde: null,
      date: "2001-12-14 00:00:00 +0000 UTC",
      word: "yes",
      empty: "",
    });
    const nested = values.get("nested") as Map<string, unknown>;
    expect(nested.get("list")).toEqual(["x", "2"]);
    expect(nested.get("s")).toBe("quoted: yes");
    expect(nested.get("multi")).toBe("line1\nline2\n");
  });

  it("prints decrypted values in yaml.v3's styles", () => {
    const enc = encryptSecretValues("a: hello\nn: 10\nyes: yes\ns: 'quoted: yes'\nm: |\n  l1\n  l2\nlist:\n- x\n", cipher, FILE);
    expect(decryptSecretValues(enc, { cipher, file: FILE, style: "werf" })).toBe(
      `a: hello\nn: "10"\nyes: "yes"\ns: 'quoted: yes'\nm: |\n  l1\n  l2\nlist:\n  - x\n`,
    );
  });

  it("leaves values encrypted with --ignore-secret-key", () => {
    const enc = encryptSecretValues("a: hello\n", cipher, FILE);
    const values = readValues(decryptSecretValues(enc, { cipher: null, file: FILE, style: "render" }), FILE);
    expect(values.get("a")).toBe((parse(enc) as { a: string }).a);
  });

  const failure = (text: string, c = cipher): SlipwayError => {
    try {
      decryptSecretValues(text, { cipher: c, file: FILE, style: "render" });
    } catch (e) {
      expect(e).toBeInstanceOf(SlipwayError);
      return e as SlipwayError;
    }
    throw new Error("no error");
  };

  it("names the file, line and key path of a value the key cannot decrypt, without the value", () => {
    const enc = encryptSecretValues("db:\n  users:\n    - name: admin\n      password: hunter2\n", cipher, FILE);
    const e = failure(enc, newSecretCipher(generateSecretKey()));
    // The first value (name) fails first; one of 20 wrong keys could pass a value, so accept either key.
    expect(e.location).toMatchObject({ file: FILE });
    expect(["db.users[0].name", "db.users[0].password"]).toContain(e.location?.key);
    const text = formatError(e);
    expect(text).toMatch(/^Error: \.helm\/secret-values\.yaml:[34] \(key: db\.users\[0\]\.(name|password)\): decrypt secret value: inconsistent data, unpad failed \(wrong secret key or corrupt value\)\n$/);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("admin");
  });

  it("rejects an unencrypted number without printing it", () => {
    const e = failure("a:\n  pin: 123456\n");
    expect(formatError(e)).toBe(`Error: ${FILE}:2 (key: a.pin): expected an encrypted value (a hex string), found an unencrypted non-string value\n`);
  });

  it("rejects a corrupt value", () => {
    const e = failure("token: 1000zz\n");
    expect(formatError(e)).toBe(`Error: ${FILE}:1 (key: token): decrypt secret value: encoding/hex: invalid byte: U+007A 'z' (corrupt value)\n`);
  });

  it("reports a YAML syntax error with its line", () => {
    const e = failure("a: b\n c: [\n");
    expect(e.location).toMatchObject({ file: FILE });
    expect(e.message).toMatch(/^parse secret values: /);
  });

  it("keeps the old ciphertext of the values an edit did not change", () => {
    const oldPlain = "a: one\nb: two\nlist:\n  - x\n  - y\n";
    const oldEnc = encryptSecretValues(oldPlain, cipher, FILE);
    const newPlain = "a: one\nb: changed\nlist:\n  - x\n  - z\nc: new\n";
    const newEnc = encryptSecretValues(newPlain, cipher, FILE);
    const merged = parse(mergeSecretValues(oldPlain, newPlain, oldEnc, newEnc, FILE)) as Record<string, unknown>;
    const o = parse(oldEnc) as Record<string, unknown>;
    const n = parse(newEnc) as Record<string, unknown>;
    expect(merged["a"]).toBe(o["a"]);
    expect(merged["b"]).toBe(n["b"]);
    expect(merged["c"]).toBe(n["c"]);
    expect(merged["list"]).toEqual([(o["list"] as string[])[0], (n["list"] as string[])[1]]);
    expect(readValues(decryptSecretValues(mergeSecretValues(oldPlain, newPlain, oldEnc, newEnc, FILE), { cipher, file: FILE, style: "render" }), FILE).get("b")).toBe("changed");
  });

  it("decrypts a secret file, ignoring trailing whitespace of the ciphertext", () => {
    const hex = cipher.encrypt(Buffer.from("-----BEGIN KEY-----\nabc\n"));
    expect(decryptSecretFile(Buffer.from(`${hex}\n\n  `), cipher, ".helm/secret/tls.key")).toBe("-----BEGIN KEY-----\nabc\n");
    expect(() => decryptSecretFile(Buffer.from("1000"), cipher, ".helm/secret/tls.key")).toThrow("decrypt secret file: minimum required data length: '68' (corrupt file)");
  });
});
