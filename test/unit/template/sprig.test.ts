// Sprig functions whose output is random or needs structural checks (certificates, keys,
// bcrypt), plus behaviour where the v3.17.3 oracle (Sprig 3.3.0) differs from nelm's Sprig 3.2.3.

import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, test } from "vitest";
import { HelmRenderError, renderTemplates, type Renderable } from "../../../src/template/helm/engine.js";
import { helmFuncMap } from "../../../src/template/helm/funcs.js";
import { Capabilities, renderRoot, valuesMap } from "../../../src/template/helm/objects.js";
import { bcryptRehash } from "../../../src/template/sprig/crypto.js";
import { sprigFuncMap } from "../../../src/template/helm/sprig.js";

function render(template: string): string {
  const name = "t/templates/x.yaml";
  const vals = renderRoot({
    values: valuesMap(),
    release: { name: "rn", namespace: "default" },
    chart: new Map([["Name", "t"]]),
    capabilities: new Capabilities("v1.30.0", []),
  });
  const tpls = new Map<string, Renderable>([[name, { text: template, vals, basePath: "t/templates" }]]);
  return renderTemplates(tpls, { funcs: helmFuncMap() }).get(name) ?? "";
}

function renderError(template: string): string {
  try {
    render(template);
  } catch (e) {
    if (e instanceof HelmRenderError) return e.message;
    throw e;
  }
  throw new Error("expected an error");
}

describe("sprig function map", () => {
  test("has Sprig 3.2.3's 208 functions minus env/expandenv", () => {
    const m = sprigFuncMap();
    expect(m.size).toBe(208);
    expect(m.has("env")).toBe(false);
    expect(m.has("expandenv")).toBe(false);
    expect(m.has("sha512sum")).toBe(false);
  });
});

describe("certificates", () => {
  test("genCA is a self-signed RSA-2048 CA valid for the given days", () => {
    const out = render('{{ $ca := genCA "my-ca" 365 }}{{ $ca.Cert }}@@{{ $ca.Key }}');
    const [certPem = "", keyPem = ""] = out.split("@@");
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe("CN=my-ca");
    expect(cert.issuer).toBe("CN=my-ca");
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86400000;
    expect(days).toBe(365);
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keyPem.startsWith("-----BEGIN RSA PRIVATE KEY-----\n")).toBe(true);
    expect(createPublicKey(key).export({ type: "spki", format: "pem" })).toBe(cert.publicKey.export({ type: "spki", format: "pem" }));
  });

  test("genSelfSignedCert carries IP and DNS SANs", () => {
    const out = render('{{ $c := genSelfSignedCert "foo.com" (list "10.0.0.1" "::1") (list "foo.com" "www.foo.com") 30 }}{{ $c.Cert }}');
    const cert = new X509Certificate(out);
    expect(cert.subjectAltName).toBe("DNS:foo.com, DNS:www.foo.com, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(cert.ca).toBe(false);
    expect(cert.checkHost("www.foo.com")).toBe("www.foo.com");
    expect(cert.checkIP("10.0.0.1")).toBe("10.0.0.1");
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  test("genSignedCert is issued and signed by the CA", () => {
    const out = render('{{ $ca := genCA "ca" 10 }}{{ $c := genSignedCert "svc" nil (list "svc.local") 5 $ca }}{{ $ca.Cert }}@@{{ $c.Cert }}');
    const [caPem = "", certPem = ""] = out.split("@@");
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    expect(cert.issuer).toBe("CN=ca");
    expect(cert.subject).toBe("CN=svc");
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
  });

  test("genSignedCertWithKey and genCAWithKey use the given keys (ECDSA and Ed25519)", () => {
    const out = render(
      '{{ $ck := genPrivateKey "ecdsa" }}{{ $k := genPrivateKey "ed25519" }}{{ $ca := genCAWithKey "ca" 1 $ck }}{{ $c := genSignedCertWithKey "leaf" nil nil 1 $ca $k }}{{ $ca.Cert }}@@{{ $c.Cert }}@@{{ $k }}',
    );
    const [caPem = "", certPem = "", keyPem = ""] = out.split("@@");
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    expect(ca.publicKey.asymmetricKeyType).toBe("ec");
    expect(cert.publicKey.asymmetricKeyType).toBe("ed25519");
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(createPublicKey(createPrivateKey(keyPem)).export({ type: "spki", format: "pem" })).toBe(
      cert.publicKey.export({ type: "spki", format: "pem" }),
    );
  });

  test("genPrivateKey dsa produces a parseable DSA PEM", () => {
    const pem = render('{{ genPrivateKey "dsa" }}');
    expect(pem.startsWith("-----BEGIN DSA PRIVATE KEY-----\n")).toBe(true);
    expect(createPrivateKey(pem).asymmetricKeyType).toBe("dsa");
  }, 60000);

  test("a DSA key cannot sign certificates", () => {
    expect(renderError('{{ genCAWithKey "x" 1 (genPrivateKey "dsa") }}')).toContain(
      "error calling genCAWithKey: error creating certificate: x509: certificate private key does not implement crypto.Signer",
    );
  }, 60000);
});

describe("bcrypt", () => {
  test("matches the OpenBSD test vector", () => {
    const h = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    expect(bcryptRehash("U*U", h)).toBe(h);
  });

  test("bcrypt output verifies against its own salt", () => {
    const h = render('{{ bcrypt "secret" }}');
    expect(h).toMatch(/^\$2a\$10\$[./A-Za-z0-9]{53}$/);
    expect(bcryptRehash("secret", h)).toBe(h);
    expect(bcryptRehash("Secret", h)).not.toBe(h);
  });
});

describe("Sprig 3.2.3 behaviour that the 3.3.0 oracle does not share", () => {
  test("urlJoin with a non-string value panics with a type assertion", () => {
    expect(renderError('{{ urlJoin (dict "host" 1) }}')).toContain("error calling urlJoin: interface conversion: interface {} is int, not string");
  });
});

describe("regexp translation", () => {
  test("rejects Perl syntax RE2 lacks", () => {
    expect(renderError('{{ mustRegexMatch "(?!a)" "b" }}')).toContain("invalid or unsupported Perl syntax: `(?!`");
  });
  test("Go's empty-match rules in ReplaceAll", () => {
    expect(render('{{ regexReplaceAll "a*" "baaac" "X" }}')).toBe("XbXcX");
  });
});
