// CacheStore over GitHub's cache service.
//
// Restores on the current (v2) service on Linux go straight to it: one lookup, then the archive is
// streamed from its signed URL into `tar -x`, so extraction starts with the first byte and no copy of
// the archive is written to disk (@actions/cache downloads the whole file first, then extracts it).
// Entries are the ones @actions/cache saves: same cache version, same archive layout. Saves, and
// every operation on the older v1 service (GitHub Enterprise Server), go through @actions/cache,
// imported only then — a warm run never parses it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheStore } from '../../ports.js';
import { nodeHttp, send } from '../http.js';
import { onPath } from '../process.js';

type CacheLibrary = typeof import('@actions/cache');
let library: Promise<CacheLibrary> | undefined;
const loadLibrary = (): Promise<CacheLibrary> => (library ??= import('@actions/cache'));

export type Compression = 'zstd-without-long' | 'gzip';

/** Which cache service the runner offers, decided the way @actions/cache decides it. */
export function cacheService(env: NodeJS.ProcessEnv): { version: 'v1' | 'v2'; available: boolean } {
  const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toUpperCase();
  const enterpriseServer = host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST');
  const version = !enterpriseServer && env.ACTIONS_CACHE_SERVICE_V2 ? 'v2' : 'v1';
  return { version, available: Boolean(version === 'v2' ? env.ACTIONS_RESULTS_URL : env.ACTIONS_CACHE_URL) };
}

/** False when the runner's cache-mode forbids reads (`write-only`, `none`); unknown modes allow them. */
export function cacheReadable(env: NodeJS.ProcessEnv): boolean {
  const mode = (env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
  return !['none', 'write-only'].includes(mode);
}

/**
 * The version an entry is stored under: a hash of the paths and the compression. It must equal
 * @actions/cache's, or entries it saved would never be found (a unit test holds them equal).
 */
export function cacheVersion(paths: readonly string[], compression: Compression, platform: NodeJS.Platform = process.platform): string {
  const components = [...paths, compression, ...(platform === 'win32' ? ['windows-only'] : []), '1.0'];
  return createHash('sha256').update(components.join('|')).digest('hex');
}

/** The service's lookup: the entry for `key`, else the newest one whose key starts with a restore key. */
export function lookupRequest(baseUrl: string, token: string, key: string, restoreKeys: readonly string[], version: string) {
  return {
    url: new URL('/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL', baseUrl).href,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ key, restore_keys: restoreKeys, version })
  };
}

export type LookupAnswer = { found: false } | { found: true; url: string; matchedKey: string };

/** Reads the lookup's JSON answer (proto field names, or camelCase from other servers). */
export function parseLookup(body: string): LookupAnswer {
  const json = JSON.parse(body) as Record<string, unknown>;
  if (json.ok !== true) return { found: false };
  const url = json.signed_download_url ?? json.signedDownloadUrl;
  const matchedKey = json.matched_key ?? json.matchedKey;
  if (typeof url !== 'string' || !url || typeof matchedKey !== 'string') throw new Error('the cache service answered ok without a download URL');
  return { found: true, url, matchedKey };
}

/** tar reading the archive from standard input into the workspace, as @actions/cache would extract it. */
export function extractArgs(compression: Compression, workspace: string): string[] {
  return ['-xf', '-', '-P', '-C', workspace, ...(compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'unzstd'])];
}

const LOOKUP_ATTEMPTS = 3;
const LOOKUP_TIMEOUT_MS = 30_000;
/** A download that delivers no byte for this long is given up (and treated as a miss). */
const DOWNLOAD_IDLE_MS = 60_000;

export function githubCacheStore(env: NodeJS.ProcessEnv = process.env): CacheStore | undefined {
  const service = cacheService(env);
  if (!service.available) return undefined;
  const streamed = service.version === 'v2' && process.platform === 'linux';
  return {
    description: "GitHub's cache service",
    async restore(paths, key, restoreKeys = []) {
      if (!streamed) return (await loadLibrary()).restoreCache(paths, key, restoreKeys);
      if (!cacheReadable(env)) return undefined;
      const compression: Compression = onPath('zstd', env.PATH) ? 'zstd-without-long' : 'gzip';
      const answer = await lookup(env, key, restoreKeys, cacheVersion(paths, compression));
      if (!answer.found) return undefined;
      const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
      try {
        await streamIntoTar(answer.url, extractArgs(compression, workspace), workspace);
      } catch (error) {
        // Half an environment is worse than none: remove what was written before the failure.
        for (const path of paths) rmSync(resolve(workspace, path), { recursive: true, force: true });
        throw error;
      }
      return answer.matchedKey;
    },
    async save(paths, key) {
      const cache = await loadLibrary();
      if ((await cache.saveCache(paths, key)) !== -1) return true;
      // -1 means "already exists" and also "the service failed" (logged only as info). Telling
      // them apart is what lets a failed save become a visible warning.
      const existing = await cache.restoreCache(paths, key, [], { lookupOnly: true });
      if (existing === key) return false;
      throw new Error('the cache service did not store the entry (see the log above)');
    }
  };
}

/** The lookup, retried on network errors and 5xx answers (transient on a busy service). */
async function lookup(env: NodeJS.ProcessEnv, key: string, restoreKeys: readonly string[], version: string): Promise<LookupAnswer> {
  const request = lookupRequest(env.ACTIONS_RESULTS_URL ?? '', env.ACTIONS_RUNTIME_TOKEN ?? '', key, restoreKeys, version);
  let problem = '';
  for (let attempt = 1; attempt <= LOOKUP_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(1000 * 2 ** (attempt - 2));
    let answer;
    try {
      answer = await nodeHttp.request('POST', request.url, { timeoutMs: LOOKUP_TIMEOUT_MS, headers: request.headers, body: request.body });
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
      continue;
    }
    if (answer.status === 200) return parseLookup(answer.body);
    problem = `HTTP ${answer.status}${twirpMessage(answer.body)}`;
    if (answer.status < 500) break;
  }
  throw new Error(`cache lookup failed: ${problem}`);
}

function twirpMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { msg?: unknown }).msg;
    return typeof message === 'string' && message ? `: ${message}` : '';
  } catch {
    return '';
  }
}

/** Streams the archive at `url` into tar; resolves when tar has extracted all of it. */
async function streamIntoTar(url: string, tarArgs: string[], cwd: string): Promise<void> {
  const response = await send(url, { method: 'GET', idleMs: DOWNLOAD_IDLE_MS }).catch((error: Error) => {
    throw new Error(`cache download failed: ${error.message}`);
  });
  if (response.statusCode !== 200) {
    response.resume();
    // Never the URL: it is signed.
    throw new Error(`cache download failed: HTTP ${response.statusCode}`);
  }
  const expected = Number(response.headers['content-length'] ?? NaN);
  let received = 0;
  response.on('data', (chunk: Buffer) => (received += chunk.length));

  const tar = spawn('tar', tarArgs, { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
  const exited = new Promise<number>((done, fail) => {
    tar.on('error', (error) => fail(new Error(`could not run tar to extract the cache archive: ${error.message}`)));
    tar.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
  // A download that breaks off is the story, not tar's complaint about a truncated archive; tar
  // failing on its own closes its input, and then the EPIPE is not the story, tar's message is.
  const streamed = pipeline(response, tar.stdin).then(
    () => undefined,
    (error: Error) => error
  );
  const [streamError, code] = await Promise.all([streamed, exited]);
  if (streamError && (streamError as NodeJS.ErrnoException).code !== 'EPIPE') throw new Error(`cache download failed: ${streamError.message}`);
  if (code !== 0) throw new Error(`extracting the cache archive failed (tar exit ${code}): ${stderr.trim() || 'no message'}`);
  if (Number.isFinite(expected) && received !== expected) throw new Error(`cache download ended early: ${received} of ${expected} bytes`);
}
