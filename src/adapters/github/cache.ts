// CacheStore over GitHub's cache service, through @actions/cache.
import * as cache from '@actions/cache';
import type { CacheStore } from '../../ports.js';

export function githubCacheStore(): CacheStore | undefined {
  if (!cache.isFeatureAvailable()) return undefined;
  return {
    description: "GitHub's cache service",
    async restore(paths, key, restoreKeys = []) {
      // The library turns service failures into its own warning and a miss; a ValidationError
      // (a malformed key or path) is ours and is rethrown for the caller to report.
      return cache.restoreCache(paths, key, restoreKeys);
    },
    async save(paths, key) {
      if ((await cache.saveCache(paths, key)) !== -1) return true;
      // -1 means "already exists" and also "the service failed" (logged only as info). Telling
      // them apart is what lets a failed save become a visible warning.
      const existing = await cache.restoreCache(paths, key, [], { lookupOnly: true });
      if (existing === key) return false;
      throw new Error('the cache service did not store the entry (see the log above)');
    }
  };
}
