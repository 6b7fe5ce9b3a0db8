// Node built-ins the template engine needs, loaded on first use: most charts call none of the crypto or IP
// functions, and loading node:crypto (3 MB of RSS) and node:net costs start-up time on every render.

import type * as NodeCrypto from "node:crypto";
import type * as NodeNet from "node:net";

export function nodeCrypto(): typeof NodeCrypto {
  return process.getBuiltinModule("node:crypto");
}

export function nodeNet(): typeof NodeNet {
  return process.getBuiltinModule("node:net");
}
