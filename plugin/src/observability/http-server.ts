/**
 * /healthz (the process answers), /readyz (every resource registered with the kubelet,
 * or idling on purpose) and /metrics, for the DaemonSet's probes and Prometheus.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready (or what ready means right now), shown in the /readyz body. */
  reason: string;
}

export interface HttpServerOptions {
  port: number;
  host: string;
  metrics: Metrics;
  readiness: () => Readiness;
}

function send(res: http.ServerResponse, code: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body.endsWith('\n') ? body : `${body}\n`);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: HttpServerOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, `method ${req.method} not allowed; use GET`);
    return;
  }
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (pathname) {
    case '/healthz':
      send(res, 200, 'ok');
      return;
    case '/readyz': {
      const { ready, reason } = options.readiness();
      send(res, ready ? 200 : 503, reason);
      return;
    }
    case '/metrics': {
      const { contentType, body } = await options.metrics.render();
      send(res, 200, body, contentType);
      return;
    }
    default:
      send(res, 404, `no such path ${pathname}; try /healthz, /readyz or /metrics`);
  }
}

export class HttpServer {
  private constructor(private readonly server: http.Server) {}

  /** Listens on host:port; resolves once bound, rejects with a clear message if the port is taken. */
  static async start(options: HttpServerOptions): Promise<HttpServer> {
    const server = http.createServer((req, res) => {
      handle(req, res, options).catch((err: Error) => send(res, 500, `internal error: ${err.message}`));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(
            `cannot serve /healthz, /readyz and /metrics on ${options.host}:${options.port}: ${err.message}; ` +
              'choose another --metrics-port (METRICS_PORT), or 0 to turn the endpoint off',
          ),
        ),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    return new HttpServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
