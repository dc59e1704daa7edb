/**
 * A loopback HTTP server playing a Render-style host, for end-to-end tests of the deploy stage.
 *
 * - `POST /deploy/<service>?key=<key>&imgURL=<repo@sha256:…>`: the deploy hook. Every request to
 *   `/deploy/…` is recorded (method, path, query). A request with the right service and key "deploys"
 *   its imgURL and answers 200 `{"deploy":{"id":"dep-…"}}`, unless answers were queued with
 *   `answerHook(…)` (each queued answer is used once, in order); a wrong service or key answers 404.
 * - `GET /health`: 200 `deployed <imgURL>` while the deployed image is healthy; 503 when nothing is
 *   deployed or `unhealthy(…)` says so for the deployed reference.
 *
 * Bound to 127.0.0.1 on a free port; `stop()` closes it.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export interface HookCall {
  method: string;
  /** `/deploy/srv-…` */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** The `imgURL` parameter, when given. */
  imageRef?: string;
  /** The status answered. */
  status: number;
}

export interface HookAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface FakeHost {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The secret deploy hook: `http://127.0.0.1:PORT/deploy/<service>?key=<key>`. */
  hookUrl: string;
  /** The parts of hookUrl that must never be printed. */
  serviceId: string;
  key: string;
  healthUrl: string;
  /** Every request to /deploy/…, in order. */
  calls: HookCall[];
  /** The image reference last deployed (imgURL of the last accepted hook call). */
  deployed(): string | undefined;
  /** Queues answers for the next hook calls (then back to 200). */
  answerHook(...answers: (number | HookAnswer)[]): void;
  /** Decides, per deployed reference (`repo@sha256:…`), whether /health fails. Default: never. */
  unhealthy(when: 'never' | 'always' | ((imageRef: string) => boolean)): void;
  /** Forgets calls, queued answers and the unhealthy rule (the deployed image stays). */
  reset(): void;
  /** Number of /health requests served. */
  healthPolls(): number;
  stop(): Promise<void>;
}

export async function startFakeHost(): Promise<FakeHost> {
  const serviceId = `srv-${randomBytes(8).toString('hex')}`;
  const key = `rnd_${randomBytes(12).toString('hex')}`;
  const calls: HookCall[] = [];
  let queue: HookAnswer[] = [];
  let deployed: string | undefined;
  let isUnhealthy: (imageRef: string) => boolean = () => false;
  let polls = 0;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
      res.end(body);
    };
    req.resume();
    req.on('end', () => {
      if (url.pathname.startsWith('/deploy/')) {
        const query = Object.fromEntries(url.searchParams);
        const imageRef = url.searchParams.get('imgURL') ?? undefined;
        let answer: HookAnswer;
        if (url.pathname !== `/deploy/${serviceId}` || url.searchParams.get('key') !== key) {
          answer = { status: 404, body: 'Not Found\n' };
        } else {
          answer = queue.shift() ?? { status: 200, body: JSON.stringify({ deploy: { id: `dep-${randomBytes(6).toString('hex')}` } }), headers: { 'Content-Type': 'application/json' } };
          if (answer.status >= 200 && answer.status <= 299 && imageRef) deployed = imageRef;
        }
        calls.push({ method: req.method ?? '', path: url.pathname, query, imageRef, status: answer.status });
        send(answer.status, answer.body ?? '', answer.headers);
      } else if (url.pathname === '/health') {
        polls++;
        if (!deployed) send(503, 'nothing deployed yet\n');
        else if (isUnhealthy(deployed)) send(503, `unhealthy ${deployed}\n`);
        else send(200, `deployed ${deployed}\n`);
      } else {
        send(404, 'no such page\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    hookUrl: `${base}/deploy/${serviceId}?key=${key}`,
    serviceId,
    key,
    healthUrl: `${base}/health`,
    calls,
    deployed: () => deployed,
    answerHook(...answers) {
      queue.push(...answers.map((a) => (typeof a === 'number' ? { status: a, body: `status ${a}\n` } : a)));
    },
    unhealthy(when) {
      isUnhealthy = when === 'never' ? () => false : when === 'always' ? () => true : when;
    },
    reset() {
      calls.length = 0;
      queue = [];
      isUnhealthy = () => false;
      polls = 0;
    },
    healthPolls: () => polls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
