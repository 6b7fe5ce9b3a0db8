// A TLS-terminating proxy in front of the real kube-apiserver that injects faults on a given share of requests,
// chosen by a seeded random generator so a failing run can be replayed: 500s, 429s with Retry-After, 409
// "object has been modified" on writes, connections reset before the request reaches the server or after the server
// acted (the answer is lost), slow answers, and watches (and followed logs) cut mid-stream. It presents the API
// server's own certificate (the environment's pki), so slipway verifies TLS as usual, and passes the client's
// bearer token through. Counts what it did for the suites' figures.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { request as httpsRequest } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { LocalEnv } from "./local-env.js";
import { tokenContext, writeKubeconfig } from "./kube-proxy.js";
import { seededRandom } from "./seeded-random.js";

export type FaultKind = "500" | "429" | "409" | "reset-before" | "reset-after" | "slow" | "cut-watch";

export interface FaultStats {
  requests: number;
  faults: Record<FaultKind, number>;
  /** Requests that repeated a faulted request (same method and path, watches by path without resourceVersion). */
  retried: number;
  /** Watches opened again with the resourceVersion of where the cut one stopped (not a re-list). */
  watchesResumed: number;
}

export interface FaultyApiServer {
  readonly url: string;
  /** A kubeconfig whose only context (`faulty`) points at the proxy with the environment's bearer token. */
  readonly kubeconfig: string;
  /** The bearer token in that kubeconfig (for leak checks). */
  readonly token: string;
  /** The share of requests (0..1) that get a fault, and the seed of the choices; applies to new requests. */
  configure(rate: number, seed: number): void;
  readonly stats: FaultStats;
  close(): Promise<void>;
}



const emptyFaults = (): Record<FaultKind, number> => ({ "500": 0, "429": 0, "409": 0, "reset-before": 0, "reset-after": 0, slow: 0, "cut-watch": 0 });

function status(res: ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
  res.writeHead(code, { "content-type": "application/json", ...headers });
  res.end(body);
}

function streaming(url: URL): boolean {
  const watch = url.searchParams.get("watch");
  return watch === "1" || watch === "true" || (url.pathname.endsWith("/log") && url.searchParams.get("follow") === "true");
}

export async function startFaultyApiServer(env: LocalEnv, dir: string): Promise<FaultyApiServer> {
  const { upstream, token } = tokenContext(env);
  const ca = readFileSync(join(env.envDir, "pki", "ca.crt"));
  let rate = 0;
  let random = seededRandom(1);
  const stats: FaultStats = { requests: 0, faults: emptyFaults(), retried: 0, watchesResumed: 0 };
  const faulted = new Set<string>();
  const cutWatches = new Set<string>();

  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (answer: IncomingMessage) => void, onError: (err: Error) => void): void => {
    const up = httpsRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, ca }, onAnswer);
    up.on("error", onError);
    up.end(body);
  };

  const server: Server = createServer(
    { cert: readFileSync(join(env.envDir, "pki", "apiserver.crt")), key: readFileSync(join(env.envDir, "pki", "apiserver.key")) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? "/", "https://proxy");
        const method = req.method ?? "GET";
        const stream = streaming(url);
        const rv = url.searchParams.get("resourceVersion") ?? "";
        url.searchParams.delete("resourceVersion");
        const key = `${method} ${url.pathname}${url.search}`;
        stats.requests++;
        if (faulted.delete(key)) stats.retried++;
        if (stream && cutWatches.delete(key) && rv !== "" && rv !== "0") stats.watchesResumed++;
        const relay = (answer: IncomingMessage): void => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        const pass = (): void =>
          forward(req, body, relay, (err) => {
            if (!res.headersSent) res.writeHead(502);
            res.end(String(err));
          });
        if (rate <= 0 || random() >= rate) {
          pass();
          return;
        }
        const pick = random();
        let kind: FaultKind;
        if (stream) kind = pick < 0.7 ? "cut-watch" : pick < 0.85 ? "500" : "reset-before";
        else if (pick < 0.2) kind = "500";
        else if (pick < 0.4) kind = "429";
        else if (pick < 0.5) kind = method === "PUT" || method === "PATCH" ? "409" : "500";
        else if (pick < 0.65) kind = "reset-before";
        else if (pick < 0.8) kind = "reset-after";
        else kind = "slow";
        stats.faults[kind]++;
        if (kind !== "slow" && kind !== "cut-watch") faulted.add(key);
        switch (kind) {
          case "500":
            status(res, 500, "InternalError", "Internal error occurred: injected by the faulty API server");
            return;
          case "429":
            status(res, 429, "TooManyRequests", "the server has received too many requests and has asked us to try again later", { "retry-after": "1" });
            return;
          case "409":
            status(res, 409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again");
            return;
          case "reset-before":
            req.socket.destroy();
            return;
          case "reset-after":
            // The server acts; its answer never arrives.
            forward(
              req,
              body,
              (answer) => {
                answer.resume();
                answer.on("end", () => req.socket.destroy());
              },
              () => req.socket.destroy(),
            );
            return;
          case "slow":
            setTimeout(pass, 500 + Math.floor(random() * 2_000));
            return;
          case "cut-watch": {
            cutWatches.add(key);
            const after = 200 + Math.floor(random() * 3_000);
            forward(
              req,
              body,
              (answer) => {
                relay(answer);
                const timer = setTimeout(() => {
                  answer.destroy();
                  req.socket.destroy();
                }, after);
                res.on("close", () => clearTimeout(timer));
              },
              () => req.socket.destroy(),
            );
            return;
          }
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, "faulty-kubeconfig");
  writeKubeconfig(kubeconfig, "faulty", `{server: "${url}", certificate-authority-data: ${ca.toString("base64")}}`, `{token: "${token}"}`);
  return {
    url,
    kubeconfig,
    token,
    stats,
    configure(r, seed) {
      faulted.clear();
      cutWatches.clear();
      rate = r;
      random = seededRandom(seed);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
