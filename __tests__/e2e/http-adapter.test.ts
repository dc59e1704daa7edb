/**
 * The Http adapter (src/adapters/http.ts) against a loopback server: answers of any status are
 * responses, redirects are followed the way fetch follows them (or refused across origins), the
 * configured time limit is the one that applies, and failures say what happened (and whether the
 * request may have reached the host) without the URL (deploy hooks and signed cache URLs carry keys in it).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupFunction } from 'node:net';
import { nodeHttp, refusingLinkLocal } from '../../src/adapters/http.js';
import { HttpError } from '../../src/ports.js';
import { closedPortUrl } from './support/cache-service.js';

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization?: string;
}

/** A server whose answer is chosen by the path; it records every request it sees. */
async function startServer(
  answer: (req: IncomingMessage, res: ServerResponse, body: string) => void
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', path: req.url ?? '', body, authorization: req.headers.authorization });
      answer(req, res, body);
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((closed) => server.close(() => closed())) };
}

let main: Awaited<ReturnType<typeof startServer>>;
let other: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  other = await startServer((_req, res) => res.end('elsewhere'));
  main = await startServer((req, res, body) => {
    const path = req.url ?? '/';
    const redirect = /^\/(30[12378])(\/.*)$/.exec(path);
    if (redirect) {
      res.writeHead(Number(redirect[1]), { location: redirect[2]!.split('?')[0] === '/other' ? `${other.url}/landed` : redirect[2] });
      return res.end();
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (path.startsWith('/silent')) return; // never answers
    const slow = /^\/after\/(\d+)/.exec(path);
    if (slow) return void setTimeout(() => res.end('late'), Number(slow[1]));
    if (path === '/hang-up') return req.socket.destroy(); // received, then the connection breaks
    if (path === '/error') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('broken');
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-Custom': 'Yes', 'set-cookie': ['a=1', 'b=2'] });
    res.end(`${req.method} ${path} ${body}`);
  });
});

afterAll(async () => {
  await main?.close();
  await other?.close();
});

test('a 200 comes back with its body and lower-cased headers', async () => {
  const r = await nodeHttp.request('POST', `${main.url}/hook?key=s3cret`, { timeoutMs: 5000, body: 'payload', headers: { 'content-type': 'text/plain' } });
  expect(r.status).toBe(200);
  expect(r.body).toBe('POST /hook?key=s3cret payload');
  expect(r.headers).toMatchObject({ 'content-type': 'text/plain', 'x-custom': 'Yes', 'set-cookie': 'a=1, b=2' });
});

test('a 500 is a response, not an error', async () => {
  const r = await nodeHttp.request('GET', `${main.url}/error`, { timeoutMs: 5000 });
  expect(r).toMatchObject({ status: 500, body: 'broken' });
});

describe('redirects are followed as fetch follows them', () => {
  test.each<[string, 'GET' | 'POST', string, string]>([
    ['302 after a GET', 'GET', '/302/to', 'GET /to '],
    ['301 after a POST becomes a GET without the body', 'POST', '/301/to', 'GET /to '],
    ['302 after a POST becomes a GET without the body', 'POST', '/302/to', 'GET /to '],
    ['303 becomes a GET', 'POST', '/303/to', 'GET /to '],
    ['307 keeps the method and the body', 'POST', '/307/to', 'POST /to payload'],
    ['308 keeps the method and the body', 'POST', '/308/to', 'POST /to payload']
  ])('%s', async (_, method, path, expected) => {
    const r = await nodeHttp.request(method, `${main.url}${path}`, { timeoutMs: 5000, body: method === 'POST' ? 'payload' : undefined });
    expect(r.status).toBe(200);
    expect(r.body).toBe(expected);
  });

  test('the Authorization header goes along on the same origin only', async () => {
    main.seen.length = 0;
    other.seen.length = 0;
    await nodeHttp.request('GET', `${main.url}/302/to`, { timeoutMs: 5000, headers: { Authorization: 'Bearer t' } });
    expect(main.seen.map((s) => s.authorization)).toEqual(['Bearer t', 'Bearer t']);
    const r = await nodeHttp.request('GET', `${main.url}/302/other`, { timeoutMs: 5000, headers: { Authorization: 'Bearer t' } });
    expect(r.body).toBe('elsewhere');
    expect(other.seen).toEqual([expect.objectContaining({ path: '/landed', authorization: undefined })]);
  });

  test('a redirect loop ends after 5 hops with the last redirect as the answer', async () => {
    main.seen.length = 0;
    const r = await nodeHttp.request('GET', `${main.url}/loop`, { timeoutMs: 5000 });
    expect(r.status).toBe(302);
    expect(main.seen).toHaveLength(6);
  });
});

describe('redirects to another origin, when refused', () => {
  test('same origin: followed', async () => {
    const r = await nodeHttp.request('POST', `${main.url}/307/to`, { timeoutMs: 5000, body: 'payload', redirects: 'same-origin' });
    expect(r.body).toBe('POST /to payload');
  });

  test('another port: refused, the target never called, no secret in the message', async () => {
    other.seen.length = 0;
    const error = await nodeHttp.request('POST', `${main.url}/307/other?key=s3cret`, { timeoutMs: 5000, redirects: 'same-origin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      failure: 'refused',
      sent: true,
      message: `it redirected to another origin (${other.url}); only redirects within the same origin are followed`
    });
    expect(main.seen.at(-1)!.path).toBe('/307/other?key=s3cret');
    expect(other.seen).toEqual([]);
  });
});

describe('link-local destinations, when refused', () => {
  test.each([['http://169.254.169.254/latest/meta-data/'], ['http://[fe80::1]:8080/x'], ['http://[::ffff:169.254.169.254]/']])(
    '%s: refused before connecting',
    async (url) => {
      const error = await nodeHttp.request('GET', url, { timeoutMs: 5000, refuseLinkLocal: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'refused', sent: false });
      expect((error as Error).message).toMatch(/ is a link-local address, where cloud metadata endpoints live$/);
    }
  );

  test('a name that resolves to one: refused by the lookup the connection uses', async () => {
    const resolvesTo =
      (address: string): LookupFunction =>
      (_hostname, options, callback) =>
        options.all
          ? callback(null, [
              { address: '127.0.0.1', family: 4 },
              { address, family: address.includes(':') ? 6 : 4 }
            ])
          : callback(null, address, 4);
    const lookup = (fake: LookupFunction, all: boolean) =>
      new Promise<{ error: unknown; address: unknown }>((done) =>
        refusingLinkLocal(fake)('metadata.internal', { all }, (error, address) => done({ error, address }))
      );
    expect((await lookup(resolvesTo('169.254.169.254'), false)).error).toMatchObject({
      failure: 'refused',
      message: 'metadata.internal resolves to 169.254.169.254, a link-local address, where cloud metadata endpoints live'
    });
    expect((await lookup(resolvesTo('fe80::a9fe:a9fe'), true)).error).toMatchObject({ failure: 'refused' });
    expect(await lookup(resolvesTo('127.0.0.1'), true)).toEqual({
      error: null,
      address: [
        { address: '127.0.0.1', family: 4 },
        { address: '127.0.0.1', family: 4 }
      ]
    });
  });

  test('loopback is not link-local', async () => {
    const r = await nodeHttp.request('GET', `http://localhost:${new URL(main.url).port}/ok`, { timeoutMs: 5000, refuseLinkLocal: true });
    expect(r.status).toBe(200);
  });
});

describe('the configured time limit, and only it', () => {
  // Two silences at once: the keep-alive agent's 5 s idle limit must not cut either short.
  test.concurrent(
    '7 s of silence within an 8 s limit: the answer',
    async () => {
      const r = await nodeHttp.request('GET', `${main.url}/after/7000`, { timeoutMs: 8000 });
      expect(r.body).toBe('late');
    },
    15_000
  );

  test.concurrent(
    '7 s of silence with a 2 s limit: no answer within 2 s, after 2 s',
    async () => {
      const started = Date.now();
      const error = await nodeHttp.request('GET', `${main.url}/after/7000`, { timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'timeout', sent: true, message: 'no answer within 2 s' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(Date.now() - started).toBeLessThan(4000);
    },
    15_000
  );
});

describe('no answer throws an HttpError, without the URL, saying whether the request went out', () => {
  test('a server that never answers: the deadline; sent', async () => {
    const error = await nodeHttp.request('GET', `${main.url}/silent?key=s3cret`, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'timeout', sent: true, message: 'no answer within 0.3 s' });
  });

  test('a refused connection: the system error; not sent', async () => {
    const url = `${await closedPortUrl()}/hook?key=s3cret`;
    const error = await nodeHttp.request('POST', url, { timeoutMs: 5000, body: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'network', sent: false });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toMatch(/s3cret|hook/);
  });

  test('a name that does not resolve: not sent', async () => {
    const error = await nodeHttp.request('POST', 'http://no-such-host.invalid/hook', { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'network', sent: false });
  });

  test('the connection breaks after the request arrived: sent', async () => {
    const error = await nodeHttp.request('POST', `${main.url}/hang-up`, { timeoutMs: 5000, body: 'x', refuseLinkLocal: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'network', sent: true });
  });

  test('https:// to a plain HTTP server: not-tls, never an OpenSSL string', async () => {
    const error = await nodeHttp.request('GET', `${main.url.replace('http:', 'https:')}/ok`, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'not-tls', sent: false, message: 'the server does not speak TLS: it answered in plain HTTP' });
  });
});
