// A run's cache operations under one time budget and one circuit breaker. Once the store has failed
// (network error, 5xx, timeout, budget spent) it is not asked again in this run: a sick service costs
// one failure and a bounded time, not a retry storm on every restore and save.
// The budget is for *waiting*: while an archive moves (the store reports progress), time is not
// spent, so a healthy 1 GB save is never cut; a silence longer than a moment is.
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
  /** Time all operations may spend waiting, together; Infinity for no limit. */
  budgetMs: number;
  now?: () => number;
  /** How long an operation cut at the budget may take to stop and remove what it half-wrote. */
  graceMs?: number;
}

export interface BudgetedCache extends CacheStore {
  /** Why the store is off for the rest of the run; undefined while it works. */
  readonly failure: string | undefined;
}

/** A gap between two signs of progress up to this long is data moving, not waiting. */
export const MOVING_GAP_MS = 1000;

export function budgetedCache(store: CacheStore, { budgetMs, now = Date.now, graceMs = 3000 }: BudgetOptions): BudgetedCache {
  let spentMs = 0;
  let failure: string | undefined;
  const outOfTime = `no answer within the run's ${Math.round(budgetMs / 1000)} s budget for cache operations`;

  // Waiting is the time since the last sign of progress of any operation (several run at once: an
  // environment's parts), so time is counted once however many wait; a short gap is not waiting.
  let active = 0;
  let lastSign = now();
  const progress = (): void => {
    const at = now();
    if (at - lastSign > MOVING_GAP_MS) spentMs += at - lastSign;
    lastSign = at;
  };
  const waited = (): number => Math.max(0, now() - lastSign);

  async function guarded<T>(operation: (signal: AbortSignal, progress: () => void) => Promise<T>): Promise<T> {
    if (failure !== undefined) throw new CacheUnavailable(failure, false);
    if (budgetMs - spentMs <= 0) throw new CacheUnavailable((failure = outOfTime), true);
    const controller = new AbortController();
    if (active === 0) lastSign = now();
    active += 1;
    const deadline = stallTimer(() => budgetMs - spentMs - waited());
    const running = (async () => operation(controller.signal, progress))();
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
      active -= 1;
      // The last one out counts the wait since the last sign; one finishing while others run is a sign.
      if (active === 0) spentMs += waited();
      else progress();
    }
  }

  return {
    description: store.description,
    remote: store.remote,
    partial: store.partial,
    get failure() {
      return failure;
    },
    restore: (paths, key, restoreKeys) => guarded((signal, progress) => store.restore(paths, key, restoreKeys, signal, progress)),
    save: (paths, key, _signal, _progress, members) => guarded((signal, progress) => store.save(paths, key, signal, progress, members))
  };
}

/**
 * Resolves (to undefined) once `left()` — the waiting time still allowed — reaches zero; it looks
 * again when its time comes, since progress may have moved the end. Never for Infinity.
 */
function stallTimer(left: () => number): { done: Promise<undefined>; cancel: () => void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<undefined>((resolve) => {
    const check = (): void => {
      const ms = left();
      if (!Number.isFinite(ms)) return;
      if (ms <= 0) resolve(undefined);
      else handle = setTimeout(check, ms);
    };
    check();
  });
  return { done, cancel: () => clearTimeout(handle) };
}

/** Resolves (to undefined) after `ms`, never for Infinity; cancel() lets the process exit early. */
function timer(ms: number): { done: Promise<undefined>; cancel: () => void } {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<undefined>((resolve) => {
    if (Number.isFinite(ms)) handle = setTimeout(() => resolve(undefined), ms);
  });
  return { done, cancel: () => clearTimeout(handle) };
}
