// A forward proxy on loopback, as a corporate one: CONNECT tunnels (what the actions toolkit's agent
// sends, for http and https targets alike) and absolute-form requests (`GET http://host:port/path`).
// It resolves names itself, from the map it is given, so `cache.test` and the like exist only
// through it: nothing outside the proxy can resolve them. It records every request and can be told
// to refuse tunnels (403), to demand credentials (407 without them), or be stopped (a closed port).
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** CONNECT, or the method of an absolute-form request. */
  method: string;
  /** `host:port` as the client asked for it (`cache.test:41234`). */
  target: string;
  /** The status the proxy answered itself (200 for an opened tunnel), or the target's answer. */
  status: number;
  /** The client sent Proxy-Authorization with the expected credentials. */
  authorized: boolean;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT` (no credentials). */
  readonly url: string;
  readonly port: number;
  /** Every request, in order (mutable: tests may `requests.length = 0`). */
  readonly requests: ProxiedRequest[];
  /** The `host:port` targets asked for, in order, without repeats. */
  targets(): string[];
  /** true: every CONNECT is answered 403, as a proxy whose policy forbids the host. */
  refuse(on: boolean): void;
  stop(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Names the proxy resolves, to a port on 127.0.0.1: `{ 'cache.test': 41234 }`. Others get 502. */
  hosts: Record<string, number>;
  /** `user:password` the proxy requires (Basic Proxy-Authorization); without it, anyone may use it. */
  credentials?: string;
}

export async function startForwardProxy(options: ForwardProxyOptions): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  let refusing = false;
  const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined;

  /** The loopback port behind `host:port`, when the proxy knows the name and the port matches. */
  const resolve = (target: string): number | undefined => {
    const { hostname, port } = new URL(`http://${target}`);
    const mapped = options.hosts[hostname];
    return mapped !== undefined && String(mapped) === port ? mapped : undefined;
  };
  const check = (req: IncomingMessage, target: string): { status: number; authorized: boolean; port?: number } => {
    const authorized = expected === undefined || req.headers['proxy-authorization'] === expected;
    if (!authorized) return { status: 407, authorized };
    if (refusing && req.method === 'CONNECT') return { status: 403, authorized };
    const port = resolve(target);
    return port === undefined ? { status: 502, authorized } : { status: 200, authorized, port };
  };

  const server = createServer((req, res) => {
    // Absolute form: the proxy forwards the request and pipes the answer back.
    const url = new URL(req.url ?? '/');
    const decision = check(req, url.host);
    const record: ProxiedRequest = { method: req.method ?? '', target: url.host, status: decision.status, authorized: decision.authorized };
    requests.push(record);
    if (decision.port === undefined) {
      req.resume();
      res.writeHead(decision.status, { 'proxy-authenticate': 'Basic realm="proxy"' }).end(`proxy: ${decision.status}\n`);
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: '127.0.0.1', port: decision.port, method: req.method, path: url.pathname + url.search, headers }, (answer) => {
      record.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    const decision = check(req, target);
    requests.push({ method: 'CONNECT', target, status: decision.status, authorized: decision.authorized });
    if (decision.port === undefined) {
      client.end(`HTTP/1.1 ${decision.status} Proxy Says No\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const upstream = connect(decision.port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    targets: () => [...new Set(requests.map((r) => r.target))],
    refuse: (on) => void (refusing = on),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    }
  };
}
