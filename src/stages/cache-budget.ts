// A run's cache operations under one time budget and one circuit breaker. Once the store has failed
// (network error, 5xx, timeout, budget spent) it is not asked again in this run: a sick service costs
// one failure and a bounded time, not a retry storm on every restore and save.
import { describeError } from '../errors.js';
import { BrokenCacheEntry, type CacheStore } from '../ports.js';

/** What the budgeted store throws instead of the store's own errors (a BrokenCacheEntry passes through). */
export class CacheUnavailable extends Error {
  constructor(
    readonly reason: string,
    /** True when this very call found the store failing; false when an earlier call did. */
    readonly fresh: boolean
  ) {
    super(reason);
    this.name = 'CacheUnavailable';
  }
}

export interface BudgetOptions {
  /** Wall time all operations may take together; Infinity for no limit. */
  budgetMs: number;
  now?: () => number;
  /** How long an operation cut at the budget may take to stop and remove what it half-wrote. */
  graceMs?: number;
}

export interface BudgetedCache extends CacheStore {
  /** Why the store is off for the rest of the run; undefined while it works. */
  readonly failure: string | undefined;
}

export function budgetedCache(store: CacheStore, { budgetMs, now = Date.now, graceMs = 3000 }: BudgetOptions): BudgetedCache {
  let spentMs = 0;
  let failure: string | undefined;
  const outOfTime = `no answer within the run's ${Math.round(budgetMs / 1000)} s budget for cache operations`;

  async function guarded<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (failure !== undefined) throw new CacheUnavailable(failure, false);
    const remaining = budgetMs - spentMs;
    if (remaining <= 0) throw new CacheUnavailable((failure = outOfTime), true);
    const controller = new AbortController();
    const started = now();
    const deadline = timer(remaining);
    const running = (async () => operation(controller.signal))();
    try {
      const outcome = await Promise.race([running.then((value) => ({ value })), deadline.done]);
      if (outcome) return outcome.value;
      failure = outOfTime;
      controller.abort(new Error(outOfTime));
      // The caller reuses the paths next (installing afresh): let the operation stop and clean up first.
      const grace = timer(graceMs);
      await Promise.race([running.catch(() => undefined), grace.done]).finally(grace.cancel);
      throw new CacheUnavailable(failure, true);
    } catch (error) {
      if (error instanceof CacheUnavailable || error instanceof BrokenCacheEntry) throw error;
      failure = describeError(error);
      throw new CacheUnavailable(failure, true);
    } finally {
      deadline.cancel();
      spentMs += now() - started;
    }
  }

  return {
    description: store.description,
    remote: store.remote,
    get failure() {
      return failure;
    },
    restore: (paths, key, restoreKeys) => guarded((signal) => store.restore(paths, key, restoreKeys, signal)),
    save: (paths, key) => guarded((signal) => store.save(paths, key, signal))
  };
}

/** Resolves (to undefined) after `ms`, never for Infinity; cancel() lets the process exit early. */
function timer(ms: number): { done: Promise<undefined>; cancel: () => void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<undefined>((resolve) => {
    if (Number.isFinite(ms)) handle = setTimeout(() => resolve(undefined), ms);
  });
  return { done, cancel: () => clearTimeout(handle) };
}
