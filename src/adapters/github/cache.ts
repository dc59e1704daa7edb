// CacheStore over GitHub's cache service.
//
// On the current (v2) service on Linux, Slipway speaks to the service itself: restores stream the
// archive into tar (cache-restore.ts), saves archive, upload and finalize (cache-save.ts), with
// deadlines and without the library's own retries and warnings, so that a failing service costs a
// bounded time and one warning of the caller's. Entries are the ones @actions/cache reads and writes:
// same cache version, same archive layout. Every operation on the older v1 service (GitHub
// Enterprise Server), and elsewhere than Linux, goes through @actions/cache, imported only then —
// and so does a restore whose answers the stream does not read (see UnreadAnswer).
import { createHash } from 'node:crypto';
import type { CacheStore } from '../../ports.js';
import { onPath } from '../process.js';
import { streamedRestore, type Compression } from './cache-restore.js';
import { saveEntry } from './cache-save.js';
import { UnreadAnswer } from './cache-twirp.js';
// A type-only import: erased from the bundle, so the library loads only when called.
import type * as CacheModule from '@actions/cache';

type CacheLibrary = typeof CacheModule;
let library: Promise<CacheLibrary> | undefined;
const loadLibrary = (): Promise<CacheLibrary> => (library ??= import('@actions/cache'));

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

/** False when the runner's cache-mode forbids writes (`read`, `none`); unknown modes allow them. */
export function cacheWritable(env: NodeJS.ProcessEnv): boolean {
  const mode = (env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase();
  return !['none', 'read'].includes(mode);
}

/**
 * The version an entry is stored under: a hash of the paths and the compression. It must equal
 * @actions/cache's, or entries it saved would never be found (a unit test holds them equal).
 */
export function cacheVersion(paths: readonly string[], compression: Compression, platform: NodeJS.Platform = process.platform): string {
  const components = [...paths, compression, ...(platform === 'win32' ? ['windows-only'] : []), '1.0'];
  return createHash('sha256').update(components.join('|')).digest('hex');
}

/** The runner's cache service as a CacheStore; undefined when the runner offers none. */
export function githubCacheStore(env: NodeJS.ProcessEnv = process.env): CacheStore | undefined {
  const service = cacheService(env);
  if (!service.available) return undefined;
  const direct = service.version === 'v2' && process.platform === 'linux';
  // What @actions/cache would choose: zstd (without long-distance matching) when it runs here.
  const entry = (paths: readonly string[]) => {
    const compression: Compression = onPath('zstd', env.PATH) ? 'zstd-without-long' : 'gzip';
    return { compression, version: cacheVersion(paths, compression) };
  };
  return {
    description: "GitHub's cache service",
    remote: true,
    // Only the direct client can archive some files of the paths under the paths' version.
    partial: direct,
    async restore(paths, key, restoreKeys = [], signal, progress) {
      if (!direct) return (await loadLibrary()).restoreCache(paths, key, restoreKeys);
      if (!cacheReadable(env)) return undefined;
      try {
        return await streamedRestore(env, paths, key, restoreKeys, entry(paths), signal, progress);
      } catch (error) {
        // The service spoke in a way the stream does not read: the library may (it is the reference).
        if (error instanceof UnreadAnswer) return (await loadLibrary()).restoreCache(paths, key, restoreKeys);
        throw error;
      }
    },
    async save(paths, key, signal, progress, members) {
      if (!cacheWritable(env)) return false;
      if (direct) return saveEntry(env, paths, key, entry(paths), signal, progress, members);
      if (members) throw new Error('this cache client saves whole paths only');
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
