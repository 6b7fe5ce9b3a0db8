/**
 * Parser for `WWW-Authenticate` headers (RFC 7235 challenges), as registries send them:
 * `Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:app:pull"`
 * or `Basic realm="Registry Realm"`. Pure.
 */

export interface AuthChallenge {
  /** Lower-cased scheme: `bearer`, `basic`, ... */
  readonly scheme: string;
  /** Lower-cased parameter names → values, quotes and escapes removed. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses one header value into its challenges, in order. Several challenges may share the header
 * (`Basic realm="a", Bearer realm="b"`). Malformed parts are skipped, never thrown on.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let current: { scheme: string; params: Record<string, string> } | undefined;
  let rest = header;
  while (true) {
    rest = rest.replace(/^[\s,]+/, "");
    if (rest === "") break;
    const word = TOKEN.exec(rest)?.[0];
    if (word === undefined) {
      rest = rest.slice(1);
      continue;
    }
    rest = rest.slice(word.length);
    const equals = /^\s*=\s*/.exec(rest);
    if (equals === null || current === undefined) {
      current = { scheme: word.toLowerCase(), params: {} };
      challenges.push(current);
      continue;
    }
    rest = rest.slice(equals[0].length);
    let value = "";
    if (rest.startsWith('"')) {
      let i = 1;
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === "\\" && i + 1 < rest.length) i++;
        value += rest[i] ?? "";
      }
      rest = rest.slice(i + 1);
    } else {
      value = /^[^,\s]*/.exec(rest)?.[0] ?? "";
      rest = rest.slice(value.length);
    }
    current.params[word.toLowerCase()] = value;
  }
  return challenges;
}
