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
      return (await cache.saveCache(paths, key)) !== -1;
    }
  };
}
