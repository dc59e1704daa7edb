// The cache entries one installed environment is kept as: its parts (`<key>-part-<i>-of-<n>`) and,
// for Python, its seed packages (`<key>-seed`).
import type { CacheEntryInfo, CacheService } from './cache-service.js';

export const ENVIRONMENT_PARTS = 4;

export const partKeys = (key: string): string[] => Array.from({ length: ENVIRONMENT_PARTS }, (_, i) => `${key}-part-${i + 1}-of-${ENVIRONMENT_PARTS}`);

export const seedKey = (key: string): string => `${key}-seed`;

/** The finalized entries of the environment saved under `key`, parts first, in part order. */
export function environmentEntries(cache: Pick<CacheService, 'entries'>, key: string): CacheEntryInfo[] {
  const wanted = [...partKeys(key), seedKey(key)];
  const entries = cache.entries();
  return wanted.flatMap((name) => entries.filter((entry) => entry.key === name));
}

/** True when every part of the environment under `key` is in the cache. */
export function environmentSaved(cache: Pick<CacheService, 'entries'>, key: string): boolean {
  const keys = new Set(cache.entries().map((entry) => entry.key));
  return partKeys(key).every((part) => keys.has(part));
}
