// A plain HTTP proxy in front of a registry that records every request, so tests can count what slipway asks.
// An optional `fault` hook answers a request itself instead (a faulty registry): an error status, or a reset.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountedRequest {
  readonly method: string;
  readonly path: string;
}

/** What a faulty registry does instead of passing a request on. */
export type RegistryFault = { readonly status: number; readonly body: string } | "reset";

export interface CountingProxy {
  /** `127.0.0.1:<port>`, usable as a registry address. */
  readonly address: string;
  readonly requests: CountedRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(target: string, fault?: (request: CountedRequest) => RegistryFault | undefined): Promise<CountingProxy> {
  const [host, port] = target.split(":");
  const requests: CountedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const counted = { method: req.method ?? "", path: req.url ?? "" };
    requests.push(counted);
    const answer = fault?.(counted);
    if (answer === "reset") {
      req.socket.destroy();
      return;
    }
    if (answer !== undefined) {
      req.resume();
      res.writeHead(answer.status, { "content-type": "text/plain" });
      res.end(answer.body);
      return;
    }
    const upstream = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
