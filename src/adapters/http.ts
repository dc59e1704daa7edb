// Http over node:http and node:https. Any answer, whatever its status, is a response; only "no
// answer" (network failure, timeout) throws. Error messages never contain the URL: deploy hooks and
// cache downloads carry keys in it. Not the global fetch: its first call costs ~45 ms, which a warm
// run (one cache lookup) would pay every time.
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Http, HttpResponse } from '../ports.js';

const MAX_REDIRECTS = 5;

interface Hop {
  method: string;
  url: string;
  body?: string;
  headers: Record<string, string>;
}

export const nodeHttp: Http = {
  async request(method, url, options) {
    // One deadline for the whole exchange, redirects and body included.
    const signal = AbortSignal.timeout(options.timeoutMs);
    let current: Hop = { method, url, body: options.body, headers: { ...options.headers } };
    try {
      for (let hop = 0; ; hop++) {
        const response = await send(current.url, { ...current, signal });
        const next = redirectOf(response.statusCode ?? 0, response.headers.location, current);
        if (!next || hop === MAX_REDIRECTS) return { status: response.statusCode ?? 0, headers: flatHeaders(response), body: await readBody(response) };
        response.resume();
        current = next;
      }
    } catch (error) {
      throw new Error(signal.aborted ? `no response within ${options.timeoutMs} ms` : describe(error));
    }
  }
};

/**
 * One request, no redirects; resolves as soon as the response starts. `idleMs` gives up on a
 * connection silent for that long (for streamed bodies, where a whole-exchange deadline cannot be set).
 */
export function send(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal; idleMs?: number }
): Promise<IncomingMessage> {
  return new Promise((done, fail) => {
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
    const open = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = open(url, { method: options.method, headers, signal: options.signal, timeout: options.idleMs }, done);
    req.on('timeout', () => req.destroy(new Error(`the connection was silent for ${(options.idleMs ?? 0) / 1000} s`)));
    req.on('error', fail);
    req.end(options.body);
  });
}

/** Where a redirect leads, as fetch follows it: 303 (and 301/302 after a POST) turn into a GET. */
function redirectOf(status: number, location: string | undefined, from: Hop): Hop | undefined {
  if (![301, 302, 303, 307, 308].includes(status) || !location) return undefined;
  const url = new URL(location, from.url);
  const asGet = status === 303 || ((status === 301 || status === 302) && from.method === 'POST');
  const headers = { ...from.headers };
  // Credentials stay with the origin they were meant for.
  if (url.origin !== new URL(from.url).origin) for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
  return { method: asGet ? 'GET' : from.method, url: url.href, body: asGet ? undefined : from.body, headers };
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function flatHeaders(response: IncomingMessage): HttpResponse['headers'] {
  const headers: HttpResponse['headers'] = {};
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** The system error (connect ECONNREFUSED 127.0.0.1:8080), never the URL. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
