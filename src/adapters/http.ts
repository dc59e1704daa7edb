// Http over node:http and node:https. Any answer, whatever its status, is a response; "no answer"
// throws an HttpError that says whether the request may have reached the host (a deploy hook must
// never be resent after it did). Error messages never contain the URL: deploy hooks and cache
// downloads carry keys in it. Not the global fetch: its first call costs ~45 ms, which a warm run
// (one cache lookup) would pay every time.
import { lookup as dnsLookup } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { HttpError, type Http, type HttpResponse } from '../ports.js';
import { proxyRoute, throughProxy } from './proxy.js';

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
    let answers = 0; // once one came, the host has seen the request
    try {
      for (;;) {
        // The socket's idle limit is the deadline too: left unset, the keep-alive agent's 5 s would apply.
        const response = await send(current.url, { ...current, signal, idleMs: options.timeoutMs, refuseLinkLocal: options.refuseLinkLocal });
        answers++;
        const next = redirectOf(response.statusCode ?? 0, response.headers.location, current);
        if (!next || answers > MAX_REDIRECTS) return { status: response.statusCode ?? 0, headers: flatHeaders(response), body: await readBody(response) };
        response.resume();
        const to = new URL(next.url);
        if (options.redirects === 'same-origin' && !sameSite(new URL(current.url), to)) {
          throw new HttpError(`it redirected to another origin (${to.origin}); only redirects within the same origin are followed`, 'refused', true);
        }
        current = next;
      }
    } catch (error) {
      const failure = asHttpError(error, () => false);
      const sent = failure.sent || answers > 0;
      if (failure.failure === 'timeout') throw new HttpError(`no answer within ${seconds(options.timeoutMs)}`, 'timeout', sent);
      throw new HttpError(failure.message, failure.failure, sent);
    }
  }
};

/**
 * One request, no redirects; resolves as soon as the response starts, rejects with an HttpError.
 * `idleMs` gives up on a connection silent for that long (for streamed bodies, where a
 * whole-exchange deadline cannot be set). `refuseLinkLocal` refuses link-local destinations, by
 * address or by what the name resolves to, on a fresh connection (a pooled one was resolved unchecked).
 * A streamed request body needs its content-length among `headers`.
 */
export async function send(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string | Readable; signal?: AbortSignal; idleMs: number; refuseLinkLocal?: boolean }
): Promise<IncomingMessage> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  if (options.refuseLinkLocal && isLinkLocal(host)) throw linkLocalError(host, host);
  const proxy = await proxyRoute(url);
  return new Promise((done, fail) => {
    const headers = { ...options.headers, ...(typeof options.body !== 'string' ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
    const secure = url.startsWith('https:');
    // Through a proxy the name is resolved there: only a literal address can be checked here.
    const route = proxy ? { agent: proxy.agent } : options.refuseLinkLocal ? { agent: false as const, lookup: refusingLinkLocal(dnsLookup) } : {};
    const open = secure ? httpsRequest : httpRequest;
    const req = open(url, { method: options.method, headers, signal: options.signal, timeout: options.idleMs, ...route }, done);
    // Sent = handed whole to a connected socket; before that the host cannot have the request. A
    // tunnel's socket comes already open, so through a proxy it counts as connected at once.
    let connected = false;
    let finished = false;
    req.on('socket', (socket) => {
      if (req.reusedSocket || proxy) connected = true;
      else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true));
    });
    req.on('finish', () => (finished = true));
    const sent = (): boolean => connected && finished;
    req.on('timeout', () => req.destroy(new HttpError(`the connection was silent for ${seconds(options.idleMs)}`, 'timeout', sent())));
    req.on('error', (error) => {
      const failure = asHttpError(error, sent);
      fail(proxy && failure.failure !== 'timeout' ? new HttpError(throughProxy(failure.message, proxy.name), failure.failure, failure.sent) : failure);
    });
    // Either side failing destroys the other; the request's error handler above reports it.
    if (typeof options.body === 'object') pipeline(options.body, req, () => undefined);
    else req.end(options.body);
  });
}

/**
 * The same origin, or the same host moving from http to https on the default ports: hosts redirect
 * plain-HTTP URLs to HTTPS, and that leaves no one else in the exchange.
 */
export function sameSite(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true;
  return from.protocol === 'http:' && to.protocol === 'https:' && from.hostname === to.hostname && from.port === '' && to.port === '';
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

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * The failure as an HttpError: the system error (connect ECONNREFUSED 127.0.0.1:8080), never the
 * URL, and never OpenSSL's raw text.
 */
function asHttpError(error: unknown, sent: () => boolean): HttpError {
  if (error instanceof HttpError) return error;
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === 'AbortError' || name === 'TimeoutError') return new HttpError('no answer', 'timeout', sent());
  const openssl = /SSL routines:[^:]*:([^:\n]+)/.exec(message ?? '')?.[1];
  if (openssl || code === 'EPROTO' || code?.startsWith('ERR_SSL_')) {
    // An HTTP server's plain answer to a TLS hello reads as a record of a wrong version or length.
    if (/wrong version number|packet length too long|http request/i.test(openssl ?? message ?? '')) {
      return new HttpError('the server does not speak TLS: it answered in plain HTTP', 'not-tls', false);
    }
    return new HttpError(`the TLS handshake failed (${openssl ?? code})`, 'network', false);
  }
  return new HttpError(message ?? String(error), 'network', sent());
}

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6'); // also matches IPv4-mapped ::ffff:169.254.x.x

function isLinkLocal(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function linkLocalError(host: string, address: string): HttpError {
  const resolved = host === address ? 'is' : `resolves to ${address},`;
  return new HttpError(`${host} ${resolved} a link-local address, where cloud metadata endpoints live`, 'refused', false);
}

/** `lookup` that fails when any address of the name is link-local; checked as the connection opens. */
export function refusingLinkLocal(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const bad = addresses.find(isLinkLocal);
      if (bad) return callback(linkLocalError(hostname, bad), address, family);
      callback(null, address, family);
    });
}
