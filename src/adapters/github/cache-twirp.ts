// The cache service's Twirp JSON calls (lookup, reserve, finalize), each with a deadline per attempt
// and stopped at once by the caller's signal. A network error, a timeout or a 5xx answer is retried
// a few times; whatever answered otherwise is the caller's to read.
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { nextDelay, type RetryPolicy } from '../../retry.js';
import { send } from '../http.js';

export type CacheRpc = 'GetCacheEntryDownloadURL' | 'CreateCacheEntry' | 'FinalizeCacheEntryUpload';

/** Three attempts, 1 s and 2 s apart (with jitter): a cache that needs longer is not worth the wait. */
const CACHE_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 2000, maxRetryAfterMs: 2000 };
/** A healthy service answers in well under a second; ten is generous and still leaves room to retry. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/** One call's HTTP request: where, with which headers and body. */
export function twirpRequest(baseUrl: string, token: string, rpc: CacheRpc, body: Record<string, unknown>) {
  return {
    url: new URL(`/twirp/github.actions.results.api.v1.CacheService/${rpc}`, baseUrl).href,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body)
  };
}

export interface TwirpAnswer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * Calls `rpc` and returns the first answer that is not a 5xx. Throws `<what> failed: <problem>` when
 * every attempt failed, or when the answer is not JSON.
 */
export async function callTwirp(
  env: NodeJS.ProcessEnv,
  rpc: CacheRpc,
  body: Record<string, unknown>,
  what: string,
  signal?: AbortSignal
): Promise<TwirpAnswer> {
  const request = twirpRequest(env.ACTIONS_RESULTS_URL ?? '', env.ACTIONS_RUNTIME_TOKEN ?? '', rpc, body);
  let problem = '';
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const deadline = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
    let status: number | 'network-error';
    let text = '';
    try {
      const response = await send(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        idleMs: ATTEMPT_TIMEOUT_MS
      });
      status = response.statusCode ?? 0;
      text = await readText(response);
    } catch (error) {
      status = 'network-error';
      problem = deadline.aborted ? `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s` : error instanceof Error ? error.message : String(error);
    }
    if (status === 'network-error' || status >= 500) {
      if (status !== 'network-error') problem = `HTTP ${status}${twirpMessage(text)}`;
      const delay = nextDelay(attempt, status === 'network-error' ? status : 500, { policy: CACHE_RETRIES });
      if (delay === undefined) throw new Error(`${what} failed: ${problem}`);
      await sleep(delay, undefined, { signal });
      continue;
    }
    try {
      return { status, json: JSON.parse(text) as Record<string, unknown> };
    } catch {
      const problem = `${what} failed: HTTP ${status} with a body that is not JSON`;
      throw status === 200 ? new UnreadAnswer(problem) : new Error(problem);
    }
  }
}

/** `HTTP 403: cache read denied…`: an answer that is not a success, as an error message. */
export function answerProblem(answer: TwirpAnswer): string {
  return `HTTP ${answer.status}${messageOf(answer.json)}`;
}

function twirpMessage(body: string): string {
  try {
    return messageOf(JSON.parse(body) as Record<string, unknown>);
  } catch {
    return '';
  }
}

/** Twirp errors say why in `msg`; answers with `ok: false` in `message`. */
function messageOf(json: Record<string, unknown>): string {
  const message = json.msg ?? json.message;
  return typeof message === 'string' && message ? `: ${message}` : '';
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An answer in a form this client does not read (a newer protocol?): the library may, so it is asked instead. */
export class UnreadAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadAnswer';
  }
}

export type LookupAnswer = { found: false } | { found: true; url: string; matchedKey: string };

/** Reads the lookup's JSON answer (proto field names, or camelCase from other servers). */
export function parseLookup(json: Record<string, unknown>): LookupAnswer {
  if (json.ok !== true) return { found: false };
  const url = json.signed_download_url ?? json.signedDownloadUrl;
  const matchedKey = json.matched_key ?? json.matchedKey;
  if (typeof url !== 'string' || !url || typeof matchedKey !== 'string') throw new UnreadAnswer('the cache service answered ok without a download URL');
  return { found: true, url, matchedKey };
}

/** The service's lookup: the entry for `key`, else the newest one whose key starts with a restore key. */
export async function lookup(
  env: NodeJS.ProcessEnv,
  key: string,
  restoreKeys: readonly string[],
  version: string,
  signal?: AbortSignal
): Promise<LookupAnswer> {
  const answer = await callTwirp(env, 'GetCacheEntryDownloadURL', { key, restore_keys: restoreKeys, version }, 'cache lookup', signal);
  if (answer.status !== 200) throw new Error(`cache lookup failed: ${answerProblem(answer)}`);
  return parseLookup(answer.json);
}
