// The run's cache: restores and saves (the install's environment, the coverage baseline) share one
// time budget and circuit breaker, a failing store is one warning and never a failure, and an
// untrusted event saves nothing (its cache entries would be restored by trusted runs).
import type { Ports, RunContext } from '../context.js';
import { describeError } from '../errors.js';
import { BrokenCacheEntry, type CacheStore, type EntryMembers } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { budgetedCache, CacheUnavailable, type BudgetedCache } from './cache-budget.js';

/** All cache operations of a run together; past it the run goes on without the cache. */
export const CACHE_BUDGET_MS = 30_000;

export interface CacheFlow {
  /** The store can keep some files of a tree as an entry (CacheStore.partial). */
  readonly partial: boolean;
  /** The key restored, or undefined: a miss, or the store failed (said once, as a warning). */
  restore(paths: string[], key: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** True when the entry is in the cache afterwards (saved now, or saved before under this key). */
  save(paths: string[], key: string): Promise<boolean>;
  /** Several exact keys restored at once into `paths`: the ones found; `failed` when the store failed (said once). */
  restoreAll(paths: string[], keys: string[]): Promise<{ restored: string[]; failed: boolean }>;
  /** Entries of some files of `paths` (needs `partial`) saved at once; true when all are in the cache afterwards. */
  saveAll(paths: string[], entries: Array<{ key: string; members: EntryMembers }>): Promise<boolean>;
}

/** A run has one store: every flow over it shares its budget, so a failing store is said once in all. */
const budgets = new WeakMap<CacheStore, BudgetedCache>();

function runBudget(store: CacheStore): BudgetedCache {
  const known = budgets.get(store);
  if (known) return known;
  const cache = budgetedCache(store, { budgetMs: store.remote ? CACHE_BUDGET_MS : Infinity });
  budgets.set(store, cache);
  return cache;
}

export function cacheFlow(store: CacheStore, context: Pick<RunContext, 'event'>, reporter: Ports['reporter'], log: StageLog): CacheFlow {
  const cache = runBudget(store);
  let saidWhyNoSave = false;

  /** One warning for the failure that turned the store off; later operations only note the skip. */
  const failed = (error: unknown, operation: string, key: string): void => {
    if (error instanceof CacheUnavailable && !error.fresh) {
      log.write(`Cache ${operation} of ${key} skipped: ${store.description} failed earlier in this run`);
      return;
    }
    if (error instanceof BrokenCacheEntry) {
      reporter.warning(
        `The cache entry for ${key} arrived but could not be unpacked (${error.message}); going on without it. Cache entries cannot be replaced: if this repeats, bump the \`cache-version\` input to stop restoring it.`
      );
      return;
    }
    const reason = error instanceof CacheUnavailable ? error.reason : describeError(error);
    reporter.warning(`${capitalized(store.description)} failed (${reason}); this run goes on without the cache and saves nothing.`);
  };

  /** True (said once in the log) when this event may write no cache entry. */
  const untrustedSkip = (): boolean => {
    if (!context.event.untrusted) return false;
    if (!saidWhyNoSave) log.write(`Not saving the cache: this is ${context.event.untrusted}.`);
    saidWhyNoSave = true;
    return true;
  };

  /** One operation under a progress line; a failure is said (see above) and answers `fallback`. */
  const attempt = async <T>(operation: 'restore' | 'save', key: string, fallback: T, body: () => Promise<T>): Promise<T> => {
    const stop = reporter.progress(operation === 'restore' ? 'restoring from cache' : 'saving to cache');
    try {
      return await body();
    } catch (error) {
      failed(error, operation, key);
      return fallback;
    } finally {
      stop();
    }
  };

  /** Concurrent operations: the first failure is said (see above), the others only noted. */
  const settle = async <T>(
    operation: 'restore' | 'save',
    keys: string[],
    runs: Array<Promise<T>>
  ): Promise<{ values: Array<T | undefined>; failed: boolean }> => {
    const stop = reporter.progress(operation === 'restore' ? 'restoring from cache' : 'saving to cache');
    const settled = await Promise.allSettled(runs).finally(stop);
    let said = false;
    settled.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') return;
      const skipped = outcome.reason instanceof CacheUnavailable && !outcome.reason.fresh;
      if (said && !skipped) log.write(`Cache ${operation} of ${keys[index]} failed too: ${describeError(outcome.reason)}`);
      else failed(outcome.reason, operation, keys[index] ?? '');
      said = true;
    });
    return { values: settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined)), failed: said };
  };

  return {
    partial: Boolean(store.partial),
    async restoreAll(paths, keys) {
      const { values, failed: storeFailed } = await settle(
        'restore',
        keys,
        keys.map((key) => cache.restore(paths, key, []))
      );
      const restored = values.filter((key): key is string => key !== undefined);
      log.write(`Restored ${restored.length} of ${keys.length} cache entries for ${paths.join(', ')}${restored.length ? `: ${restored.join(', ')}` : ''}`);
      return { restored, failed: storeFailed };
    },
    async saveAll(paths, entries) {
      if (untrustedSkip()) return false;
      const keys = entries.map((entry) => entry.key);
      const { values, failed: storeFailed } = await settle(
        'save',
        keys,
        entries.map((entry) => cache.save(paths, entry.key, undefined, undefined, entry.members))
      );
      if (storeFailed) return false;
      const fresh = keys.filter((_, index) => values[index]);
      log.write(`Saved ${paths.join(', ')} as ${keys.length} cache entries (${fresh.length} new): ${keys.join(', ')}`);
      return true;
    },
    restore: (paths, key, restoreKeys = []) =>
      attempt('restore', key, undefined, async () => {
        const restored = await cache.restore(paths, key, restoreKeys);
        log.write(restored ? `Restored ${paths.join(', ')} from cache key ${restored}` : `No cache entry for ${key}`);
        return restored;
      }),
    async save(paths, key) {
      if (untrustedSkip()) return false;
      return attempt('save', key, false, async () => {
        const saved = await cache.save(paths, key);
        log.write(
          saved ? `Saved ${paths.join(', ')} under cache key ${key}` : `Cache key ${key} not saved: it exists already (or the runner allows no cache writes)`
        );
        return true;
      });
    }
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
