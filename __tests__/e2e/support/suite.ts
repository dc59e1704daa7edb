/**
 * What most end-to-end test files set up the same way: one fake cache service for the whole file,
 * started before its tests and stopped after them (with the temp folders removed), and the run
 * timings the file collected printed at the end.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { startCacheService, type CacheService } from './cache-service.js';
import { removeTempDirs } from './workspace.js';

export interface CacheSuite {
  /** The file's cache service (started in beforeAll). */
  readonly cache: CacheService;
  /** Run durations by name, printed after the file's tests. */
  timings: Record<string, number>;
}

export function cacheSuite(name: string): CacheSuite {
  let cache: CacheService | undefined;
  const timings: Record<string, number> = {};
  beforeAll(async () => {
    cache = await startCacheService();
  });
  afterAll(async () => {
    await cache?.stop();
    removeTempDirs();
    process.stderr.write(`${name} timings (ms): ${JSON.stringify(timings)}\n`);
  });
  return {
    get cache() {
      if (!cache) throw new Error('the cache service starts in beforeAll');
      return cache;
    },
    timings
  };
}
