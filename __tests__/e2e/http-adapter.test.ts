/**
 * The Http adapter (src/adapters/http.ts) against a loopback server: answers of any status are
 * responses, redirects are followed the way fetch follows them, and failures say what happened
 * without the URL (deploy hooks and signed cache URLs carry keys in it).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHttp } from '../../src/adapters/http.js';
import { closedPortUrl } from './support/cache-service.js';

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization?: string;
}

/** A server whose answer is chosen by the path; it records every request it sees. */
async function startServer(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
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
      res.writeHead(Number(redirect[1]), { location: redirect[2] === '/other' ? `${other.url}/landed` : redirect[2] });
      return res.end();
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (path.startsWith('/silent')) return; // never answers
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

describe('no answer throws, without the URL', () => {
  test('a server that never answers: the deadline', async () => {
    const error = await nodeHttp.request('GET', `${main.url}/silent?key=s3cret`, { timeoutMs: 300 }).catch((e: Error) => e);
    expect((error as Error).message).toBe('no response within 300 ms');
  });

  test('a refused connection: the system error', async () => {
    const url = `${await closedPortUrl()}/hook?key=s3cret`;
    const error = await nodeHttp.request('POST', url, { timeoutMs: 5000, body: 'x' }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toMatch(/s3cret|hook/);
  });
});
