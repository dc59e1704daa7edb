/**
 * A loopback HTTP server playing a Render-style host, for end-to-end tests of the deploy stage.
 *
 * - `POST /deploy/<service>?key=<key>&imgURL=<repo@sha256:…>`: the deploy hook. Every request to
 *   `/deploy/…` is recorded (method, path, query). A request with the right service and key "deploys"
 *   its imgURL and answers 200 `{"deploy":{"id":"dep-…"}}`, unless answers were queued with
 *   `answerHook(…)` (each queued answer is used once, in order); a wrong service or key answers 404.
 *   A queued `{ silent: true }` receives the call (and deploys, unless `deploys: false`) but never
 *   answers, like a host whose hook hangs while it deploys.
 * - `GET /health`: 200 `deployed <imgURL>` (plus ` revision <commit>` when `revisions(…)` knows the
 *   deployed reference) while the deployed image is healthy; 503 when nothing is deployed or
 *   `unhealthy(…)` says so for the deployed reference. `redirectHealth(url)` makes it a 307 instead.
 * - A second listener, `otherOrigin` (another port, so another origin), records every request it gets
 *   in `strayCalls` and answers 200: where refused cross-origin redirects would have led.
 *
 * Bound to 127.0.0.1 on free ports; `stop()` closes both.
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
  /** The status answered; 0 when the host never answered. */
  status: number;
}

export type HookAnswer = { status: number; body?: string; headers?: Record<string, string> } | { silent: true; deploys?: boolean };

export interface FakeHost {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The secret deploy hook: `http://127.0.0.1:PORT/deploy/<service>?key=<key>`. */
  hookUrl: string;
  /** The parts of hookUrl that must never be printed. */
  serviceId: string;
  key: string;
  healthUrl: string;
  /** `http://127.0.0.1:OTHER_PORT`: another origin on the same machine. */
  otherOrigin: string;
  /** Every request to /deploy/…, in order. */
  calls: HookCall[];
  /** Every request that reached otherOrigin (`METHOD /path?query`). */
  strayCalls: string[];
  /** The image reference last deployed (imgURL of the last accepted hook call). */
  deployed(): string | undefined;
  /** Queues answers for the next hook calls (then back to 200). */
  answerHook(...answers: (number | HookAnswer)[]): void;
  /** Decides, per deployed reference (`repo@sha256:…`), whether /health fails. Default: never. */
  unhealthy(when: 'never' | 'always' | ((imageRef: string) => boolean)): void;
  /** The commit /health reports for a deployed reference (as an app built from it would). */
  revisions(of: (imageRef: string) => string | undefined): void;
  /** Makes /health answer 307 to `location` (undefined: back to normal). */
  redirectHealth(location: string | undefined): void;
  /** Forgets calls, queued answers, the unhealthy, revision and redirect rules (the deployed image stays). */
  reset(): void;
  /** Number of /health requests served. */
  healthPolls(): number;
  stop(): Promise<void>;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function close(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startFakeHost(): Promise<FakeHost> {
  const serviceId = `srv-${randomBytes(8).toString('hex')}`;
  const key = `rnd_${randomBytes(12).toString('hex')}`;
  const calls: HookCall[] = [];
  const strayCalls: string[] = [];
  let queue: HookAnswer[] = [];
  let deployed: string | undefined;
  let isUnhealthy: (imageRef: string) => boolean = () => false;
  let revisionOf: (imageRef: string) => string | undefined = () => undefined;
  let healthRedirect: string | undefined;
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
          answer = queue.shift() ?? {
            status: 200,
            body: JSON.stringify({ deploy: { id: `dep-${randomBytes(6).toString('hex')}` } }),
            headers: { 'Content-Type': 'application/json' }
          };
          const accepted = 'silent' in answer ? answer.deploys !== false : answer.status >= 200 && answer.status <= 299;
          if (accepted && imageRef) deployed = imageRef;
        }
        if ('silent' in answer) {
          calls.push({ method: req.method ?? '', path: url.pathname, query, imageRef, status: 0 });
          return; // holds the connection open until the client gives up (or stop())
        }
        calls.push({ method: req.method ?? '', path: url.pathname, query, imageRef, status: answer.status });
        send(answer.status, answer.body ?? '', answer.headers);
      } else if (url.pathname === '/health') {
        polls++;
        const revision = deployed && revisionOf(deployed);
        if (healthRedirect) send(307, '', { Location: healthRedirect });
        else if (!deployed) send(503, 'nothing deployed yet\n');
        else if (isUnhealthy(deployed)) send(503, `unhealthy ${deployed}\n`);
        else send(200, `deployed ${deployed}${revision ? ` revision ${revision}` : ''}\n`);
      } else {
        send(404, 'no such page\n');
      }
    });
  });
  const other = http.createServer((req, res) => {
    strayCalls.push(`${req.method} ${req.url}`);
    req.resume();
    res.end('other origin\n');
  });
  const [base, otherOrigin] = await Promise.all([listen(server), listen(other)]);

  return {
    url: base,
    hookUrl: `${base}/deploy/${serviceId}?key=${key}`,
    serviceId,
    key,
    healthUrl: `${base}/health`,
    otherOrigin,
    calls,
    strayCalls,
    deployed: () => deployed,
    answerHook(...answers) {
      queue.push(...answers.map((a) => (typeof a === 'number' ? { status: a, body: `status ${a}\n` } : a)));
    },
    unhealthy(when) {
      isUnhealthy = when === 'never' ? () => false : when === 'always' ? () => true : when;
    },
    revisions(of) {
      revisionOf = of;
    },
    redirectHealth(location) {
      healthRedirect = location;
    },
    reset() {
      calls.length = 0;
      strayCalls.length = 0;
      queue = [];
      isUnhealthy = () => false;
      revisionOf = () => undefined;
      healthRedirect = undefined;
      polls = 0;
    },
    healthPolls: () => polls,
    stop: async () => {
      await Promise.all([close(server), close(other)]);
    }
  };
}
