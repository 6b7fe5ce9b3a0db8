// net/url Parse and URL.String as Sprig's urlParse/urlJoin use them, plus getHostByName
// (Helm's template-mode stub: DNS lookups are disabled, the result is "").

import { FuncError } from "../errors.js";
import { stringBytes, bytesToString, type GoFunc, type GoMap } from "../value.js";
import { conversionPanic, fn } from "./conv.js";
import { quote as goQuote } from "../strconv.js";

type Mode = "path" | "pathSegment" | "host" | "zone" | "userPassword" | "queryComponent" | "fragment";

function shouldEscape(c: number, mode: Mode): boolean {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) return false;
  if ((mode === "host" || mode === "zone") && "!$&'()*+,;=:[]<>\"".includes(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=?@".includes(ch)) {
    switch (mode) {
      case "pathSegment":
        return "/;,?".includes(ch);
      case "path":
        return ch === "?";
      case "userPassword":
        return "@/?:".includes(ch);
      case "queryComponent":
        return true;
      case "fragment":
        return false;
      default:
        break;
    }
  }
  if (mode === "fragment" && "!()*".includes(ch)) return false;
  return true;
}

function escape(s: string, mode: Mode): string {
  let out = "";
  for (const b of stringBytes(s)) {
    if (shouldEscape(b, mode)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  return out;
}

class URLErr extends Error {}

function unescape(s: string, mode: Mode): string {
  const b = stringBytes(s);
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i] ?? 0;
    if (c === 0x25) {
      const h = bytesToString(b.subarray(i + 1, i + 3));
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = bytesToString(b.subarray(i, Math.min(i + 3, b.length)));
        throw new URLErr(`invalid URL escape ${goQuote(bad)}`);
      }
      const v = parseInt(h, 16);
      if (mode === "host" && v < 0x80 && h !== "25") {
        throw new URLErr(`invalid URL escape ${goQuote("%" + h)}`);
      }
      out.push(v);
      i += 2;
    } else if (c === 0x2b && mode === "queryComponent") out.push(0x20);
    else {
      if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode)) {
        throw new URLErr(`invalid character ${goQuote(String.fromCharCode(c))} in host name`);
      }
      out.push(c);
    }
  }
  return bytesToString(Uint8Array.from(out));
}

interface GoURL {
  scheme: string;
  opaque: string;
  user: { username: string; password: string | null } | null;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
  forceQuery: boolean;
  omitHost: boolean;
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new URLErr("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!/^(:[0-9]*)?$/.test(colonPort)) throw new URLErr(`invalid port ${goQuote(colonPort)} after host`);
    return host;
  }
  const i = host.lastIndexOf(":");
  if (i !== -1) {
    const colonPort = host.slice(i);
    if (!/^:[0-9]*$/.test(colonPort)) throw new URLErr(`invalid port ${goQuote(colonPort)} after host`);
  }
  return unescape(host, "host");
}

function parse(raw: string): GoURL {
  const u: GoURL = { scheme: "", opaque: "", user: null, host: "", path: "", rawQuery: "", fragment: "", forceQuery: false, omitHost: false };
  const hashAt = raw.indexOf("#");
  const frag = hashAt >= 0 ? raw.slice(hashAt + 1) : "";
  const rawURL = hashAt >= 0 ? raw.slice(0, hashAt) : raw;
  const wrap = (msg: string): never => {
    throw new URLErr(`parse ${goQuote(rawURL)}: ${msg}`);
  };
  try {
    if ([...rawURL].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new URLErr("net/url: invalid control character in URL");
    if (rawURL === "*") {
      u.path = "*";
    } else {
      let rest = rawURL;
      const m = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rawURL);
      if (rawURL.startsWith(":")) throw new URLErr("missing protocol scheme");
      if (m !== null) {
        u.scheme = (m[1] ?? "").toLowerCase();
        rest = rawURL.slice(m[0].length);
      }
      if (rest.endsWith("?") && rest.split("?").length === 2) {
        u.forceQuery = true;
        rest = rest.slice(0, -1);
      } else {
        const q = rest.indexOf("?");
        if (q >= 0) {
          u.rawQuery = rest.slice(q + 1);
          rest = rest.slice(0, q);
        }
      }
      let done = false;
      if (!rest.startsWith("/")) {
        if (u.scheme !== "") {
          u.opaque = rest;
          done = true;
        } else if ((rest.split("/")[0] ?? "").includes(":")) {
          throw new URLErr("first path segment in URL cannot contain colon");
        }
      }
      if (!done) {
        if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
          let authority = rest.slice(2);
          rest = "";
          const i = authority.indexOf("/");
          if (i >= 0) {
            rest = authority.slice(i);
            authority = authority.slice(0, i);
          }
          const at = authority.lastIndexOf("@");
          u.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
          if (at >= 0) {
            const userinfo = authority.slice(0, at);
            if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new URLErr("net/url: invalid userinfo");
            const c = userinfo.indexOf(":");
            if (c < 0) u.user = { username: unescape(userinfo, "userPassword"), password: null };
            else u.user = { username: unescape(userinfo.slice(0, c), "userPassword"), password: unescape(userinfo.slice(c + 1), "userPassword") };
          }
        } else if (u.scheme !== "" && rest.startsWith("/")) {
          u.omitHost = true;
        }
        u.path = unescape(rest, "path");
      }
    }
  } catch (e) {
    if (e instanceof URLErr) wrap(e.message);
    throw e;
  }
  if (frag !== "") {
    try {
      u.fragment = unescape(frag, "fragment");
    } catch (e) {
      if (e instanceof URLErr) throw new URLErr(`parse ${goQuote(raw)}: ${e.message}`);
      throw e;
    }
  }
  return u;
}

function userString(u: { username: string; password: string | null }): string {
  let s = escape(u.username, "userPassword");
  if (u.password !== null) s += ":" + escape(u.password, "userPassword");
  return s;
}

function urlString(u: GoURL): string {
  let buf = "";
  if (u.scheme !== "") buf += u.scheme + ":";
  if (u.opaque !== "") buf += u.opaque;
  else {
    if (u.scheme !== "" || u.host !== "" || u.user !== null) {
      if (!(u.omitHost && u.host === "" && u.user === null)) {
        if (u.host !== "" || u.path !== "" || u.user !== null) buf += "//";
        if (u.user !== null) buf += userString(u.user) + "@";
        if (u.host !== "") buf += escape(u.host, "host");
      }
    }
    const path = escape(u.path, "path");
    if (path !== "" && !path.startsWith("/") && u.host !== "") buf += "/";
    if (buf === "" && (path.split("/")[0] ?? "").includes(":")) buf += "./";
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== "") buf += "?" + u.rawQuery;
  if (u.fragment !== "") buf += "#" + escape(u.fragment, "fragment");
  return buf;
}

function hostname(host: string): string {
  if (host.startsWith("[")) {
    const i = host.indexOf("]");
    return i >= 0 ? host.slice(1, i) : host.slice(1);
  }
  const i = host.lastIndexOf(":");
  return i >= 0 ? host.slice(0, i) : host;
}

function urlParse(v: string): GoMap {
  let u: GoURL;
  try {
    u = parse(v);
  } catch (e) {
    if (e instanceof URLErr) throw new FuncError(`unable to parse url: ${e.message}`);
    throw e;
  }
  return new Map<string, unknown>([
    ["scheme", u.scheme],
    ["host", u.host],
    ["hostname", hostname(u.host)],
    ["path", u.path],
    ["query", u.rawQuery],
    ["opaque", u.opaque],
    ["fragment", u.fragment],
    ["userinfo", u.user === null ? "" : userString(u.user)],
  ]);
}

function urlJoin(d: GoMap | null): string {
  const get = (k: string): string => {
    const v = d !== null && d.has(k) ? d.get(k) : "";
    if (typeof v !== "string") throw conversionPanic(v, "string");
    return v;
  };
  const u: GoURL = {
    scheme: get("scheme"),
    host: get("host"),
    path: get("path"),
    rawQuery: get("query"),
    opaque: get("opaque"),
    fragment: get("fragment"),
    user: null,
    forceQuery: false,
    omitHost: false,
  };
  const userinfo = get("userinfo");
  if (userinfo !== "") {
    try {
      u.user = parse(`proto://${userinfo}@host`).user;
    } catch (e) {
      if (e instanceof URLErr) throw new FuncError(`unable to parse userinfo in dict: ${e.message}`);
      throw e;
    }
  }
  return urlString(u);
}

export function urlFuncs(): GoFunc[] {
  return [
    fn("urlParse", ["string"], null, urlParse, "map"),
    fn("urlJoin", ["map"], null, urlJoin, "string"),
    fn("getHostByName", ["string"], null, () => "", "string"),
  ];
}

