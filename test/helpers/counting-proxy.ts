// A plain HTTP proxy in front of a registry that records every request, so tests can count what slipway asks.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountedRequest {
  readonly method: string;
  readonly path: string;
}

export interface CountingProxy {
  /** `127.0.0.1:<port>`, usable as a registry address. */
  readonly address: string;
  readonly requests: CountedRequest[];
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [host, port] = target.split(":");
  const requests: CountedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "" });
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
