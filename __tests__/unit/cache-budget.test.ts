// The run's cache budget and circuit breaker (src/stages/cache-budget.ts) and the install stage's use
// of them (src/stages/cache-flow.ts), on a scripted store and a fake clock (jest's fake timers).
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { BrokenCacheEntry, type CacheStore } from '../../src/ports.js';
import { budgetedCache, CacheUnavailable } from '../../src/stages/cache-budget.js';
import { cacheFlow } from '../../src/stages/cache-flow.js';
import { StageLog } from '../../src/stage-log.js';
import { fakeReporter, fakeRunner } from '../fixtures/fake-ports.js';

/** What one call of the store does: answer after `ms`, fail after `ms`, or hang until aborted (or forever). */
type Step =
  | { ms: number; answer: string | boolean | undefined }
  | { ms: number; fail: string }
  | { ms: number; broken: true }
  | { ms: number; deaf: true }
  /** Moves data (progress every `every` ms) for `ms`, then answers; silent after `stallAfter` ms when given. */
  | { ms: number; moving: { every: number; stallAfter?: number }; answer: string | boolean | undefined };

interface ScriptedStore extends CacheStore {
  calls: string[];
  aborted: number;
}

/** A store that plays `steps` in order, one per call; each honours its abort signal unless `deaf`. */
function scriptedStore(steps: Step[], remote = true): ScriptedStore {
  const calls: string[] = [];
  let aborted = 0;
  const play = (operation: string, signal?: AbortSignal, progress?: () => void): Promise<never> => {
    calls.push(operation);
    const step = steps[calls.length - 1];
    if (!step) throw new Error(`unexpected call ${calls.length}: ${operation}`);
    return new Promise((resolve, reject) => {
      if ('moving' in step) {
        const started = Date.now();
        const ticker = setInterval(() => {
          const elapsed = Date.now() - started;
          if (elapsed >= step.ms) {
            clearInterval(ticker);
            resolve(step.answer as never);
          } else if (step.moving.stallAfter === undefined || elapsed < step.moving.stallAfter) progress?.();
        }, step.moving.every);
        signal?.addEventListener('abort', () => {
          aborted++;
          clearInterval(ticker);
          reject(new Error('stopped'));
        });
        return;
      }
      const timer = setTimeout(() => {
        if ('answer' in step) resolve(step.answer as never);
        else if ('fail' in step) reject(new Error(step.fail));
        else if ('broken' in step) reject(new BrokenCacheEntry('tar exit 2: unexpected end of data'));
      }, step.ms);
      if ('deaf' in step) return;
      signal?.addEventListener('abort', () => {
        aborted++;
        clearTimeout(timer);
        reject(new Error('stopped'));
      });
    });
  };
  return {
    description: 'the test store',
    remote,
    calls,
    get aborted() {
      return aborted;
    },
    restore: (_paths, _key, _restoreKeys, signal, progress) => play('restore', signal, progress),
    save: (_paths, _key, signal, progress) => play('save', signal, progress)
  };
}

/** Runs `operations` one after another; each outcome with the fake time at which it settled. */
async function playRun(store: CacheStore, operations: Array<'restore' | 'save'>, budgetMs: number, now = (): number => Date.now()): Promise<string[]> {
  const cache = budgetedCache(store, { budgetMs, now });
  const outcomes: string[] = [];
  const run = (async () => {
    for (const operation of operations) {
      const call = operation === 'restore' ? cache.restore(['/env'], 'k') : cache.save(['/env'], 'k');
      const outcome = await call.then(
        (value) => `${String(value)}`,
        (error: unknown) =>
          error instanceof CacheUnavailable
            ? `${error.fresh ? 'failed' : 'skipped'}: ${error.reason}`
            : error instanceof BrokenCacheEntry
              ? 'broken'
              : `threw ${String(error)}`
      );
      outcomes.push(`${outcome} @${Date.now() / 1000}s`);
    }
  })();
  await jest.runAllTimersAsync();
  await run;
  return outcomes;
}

beforeEach(() => {
  jest.useFakeTimers({ now: 0 });
});

afterEach(() => {
  jest.useRealTimers();
});

const BUDGET = 30_000;
const OUT_OF_TIME = "no answer within the run's 30 s budget for cache operations";
const HTTP_500 = 'cache lookup failed: HTTP 500: internal';

describe('budgetedCache', () => {
  test.each<[string, Step[], Array<'restore' | 'save'>, string[], { calls: number; aborted?: number; remote?: boolean }]>([
    [
      'a healthy store answers every call',
      [
        { ms: 1000, answer: undefined },
        { ms: 2000, answer: 'k-old' },
        { ms: 5000, answer: true },
        { ms: 1000, answer: false }
      ],
      ['restore', 'restore', 'save', 'save'],
      ['undefined @1s', 'k-old @3s', 'true @8s', 'false @9s'],
      { calls: 4 }
    ],
    [
      'a failed restore turns the store off: nothing more is asked, no save',
      [{ ms: 3000, fail: HTTP_500 }],
      ['restore', 'restore', 'save', 'save'],
      [`failed: ${HTTP_500} @3s`, `skipped: ${HTTP_500} @3s`, `skipped: ${HTTP_500} @3s`, `skipped: ${HTTP_500} @3s`],
      { calls: 1 }
    ],
    [
      'a failed save after good restores skips the next save',
      [
        { ms: 500, answer: undefined },
        { ms: 500, answer: undefined },
        { ms: 2000, fail: 'cache reservation failed: HTTP 403' }
      ],
      ['restore', 'restore', 'save', 'save'],
      ['undefined @0.5s', 'undefined @1s', 'failed: cache reservation failed: HTTP 403 @3s', 'skipped: cache reservation failed: HTTP 403 @3s'],
      { calls: 3 }
    ],
    [
      'a slow answer is cut at the budget and the call is stopped',
      [{ ms: 40_000, answer: 'k' }],
      ['restore', 'save'],
      [`failed: ${OUT_OF_TIME} @30s`, `skipped: ${OUT_OF_TIME} @30s`],
      { calls: 1, aborted: 1 }
    ],
    [
      'the budget is shared: the second call gets what the first left',
      [
        { ms: 20_000, answer: undefined },
        { ms: 15_000, answer: undefined }
      ],
      ['restore', 'restore', 'save'],
      ['undefined @20s', `failed: ${OUT_OF_TIME} @30s`, `skipped: ${OUT_OF_TIME} @30s`],
      { calls: 2, aborted: 1 }
    ],
    [
      'a broken entry is the entry’s fault: the store stays on',
      [
        { ms: 1000, broken: true },
        { ms: 1000, answer: 'k-' },
        { ms: 1000, answer: true }
      ],
      ['restore', 'restore', 'save'],
      ['broken @1s', 'k- @2s', 'true @3s'],
      { calls: 3 }
    ],
    [
      'a long transfer that keeps moving is never cut: only waiting counts',
      [
        { ms: 2000, answer: undefined },
        { ms: 120_000, moving: { every: 500 }, answer: true }
      ],
      ['restore', 'save'],
      ['undefined @2s', 'true @122s'],
      { calls: 2 }
    ],
    [
      'a transfer that stops moving is cut once the silence has used up the budget',
      [
        { ms: 10_000, answer: undefined },
        { ms: 200_000, moving: { every: 500, stallAfter: 60_000 }, answer: true }
      ],
      ['restore', 'save'],
      // 10 s spent on the restore; the last sign comes at 69.5 s, the other 20 s of silence end it.
      ['undefined @10s', `failed: ${OUT_OF_TIME} @89.5s`],
      { calls: 2, aborted: 1 }
    ],
    [
      'a call that ignores its signal gets a short grace to clean up, then the run goes on',
      [{ ms: 100_000, deaf: true }],
      ['restore', 'save'],
      [`failed: ${OUT_OF_TIME} @33s`, `skipped: ${OUT_OF_TIME} @33s`],
      { calls: 1 }
    ]
  ])('%s', async (_, steps, operations, expected, { calls, aborted = 0 }) => {
    const store = scriptedStore(steps);
    expect(await playRun(store, operations, BUDGET)).toEqual(expected);
    expect(store.calls).toHaveLength(calls);
    expect(store.aborted).toBe(aborted);
  });

  test('a budget spent by answers (the clock ran on while timers were late) leaves no call to make', async () => {
    // The first answer comes at 10 s by the timers but 30 s by the clock: a blocked event loop.
    let late = 0;
    const store = scriptedStore([{ ms: 10_000, answer: undefined }]);
    const restore = store.restore.bind(store);
    store.restore = (...args) => restore(...args).finally(() => (late = 20_000));
    expect(await playRun(store, ['restore', 'restore'], BUDGET, () => Date.now() + late)).toEqual(['undefined @10s', `failed: ${OUT_OF_TIME} @10s`]);
    expect(store.calls).toHaveLength(1);
  });

  test('with no budget (a local store) a long call is waited for', async () => {
    const store = scriptedStore([{ ms: 100_000, answer: 'k' }], false);
    expect(await playRun(store, ['restore'], Infinity)).toEqual(['k @100s']);
  });
});

describe('cacheFlow', () => {
  const untrusted = 'a pull_request_target run (it may run a fork’s code with the base branch’s cache scope)';

  async function flowRun(steps: Step[], event: { untrusted?: string } = {}) {
    const store = scriptedStore(steps);
    const { reporter, seen } = fakeReporter();
    const log = new StageLog(fakeRunner());
    const flow = cacheFlow(
      store,
      { event: { name: 'push', ref: '', sha: '', defaultBranch: 'main', repository: 'a/b', serverUrl: '', ...event } },
      reporter,
      log
    );
    const results: unknown[] = [];
    const run = (async () => {
      results.push(await flow.restore(['/env'], 'env-key'));
      results.push(await flow.restore(['/downloads'], 'dl-key', ['dl-']));
      results.push(await flow.save(['/env'], 'env-key'));
      results.push(await flow.save(['/downloads'], 'dl-key'));
    })();
    await jest.runAllTimersAsync();
    await run;
    return { results, warnings: seen.warnings, log: log.lines, calls: store.calls };
  }

  test('a failing service: one warning that says why and that nothing is saved; the service is asked once', async () => {
    const run = await flowRun([{ ms: 3000, fail: 'cache lookup failed: HTTP 500: internal' }]);
    expect(run.results).toEqual([undefined, undefined, false, false]);
    expect(run.calls).toEqual(['restore']);
    expect(run.warnings).toEqual(['The test store failed (cache lookup failed: HTTP 500: internal); this run goes on without the cache and saves nothing.']);
    expect(run.log.filter((line) => /skipped: the test store failed earlier in this run/.test(line))).toHaveLength(3);
  });

  test('a slow service: one warning naming the budget', async () => {
    const run = await flowRun([{ ms: 60_000, answer: undefined }]);
    expect(run.warnings).toEqual([`The test store failed (${OUT_OF_TIME}); this run goes on without the cache and saves nothing.`]);
    expect(run.calls).toEqual(['restore']);
  });

  test('a broken entry: a warning that names `cache-version`, and the rest goes on', async () => {
    const run = await flowRun([
      { ms: 1000, broken: true },
      { ms: 1000, answer: undefined },
      { ms: 1000, answer: true },
      { ms: 1000, answer: true }
    ]);
    expect(run.results).toEqual([undefined, undefined, true, true]);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(
      /^The cache entry for env-key arrived but could not be unpacked \(tar exit 2: unexpected end of data\).*bump the `cache-version` input/
    );
  });

  test('flows over one store share its breaker: a failure in the install is not said again by the baseline', async () => {
    const store = scriptedStore([{ ms: 1000, fail: HTTP_500 }]);
    const { reporter, seen } = fakeReporter();
    const event = { name: 'push', ref: '', sha: '', defaultBranch: 'main', repository: 'a/b', serverUrl: '' };
    const [install, baseline] = [new StageLog(fakeRunner()), new StageLog(fakeRunner())];
    const run = (async () => {
      await cacheFlow(store, { event }, reporter, install).restore(['/env'], 'env-key');
      return cacheFlow(store, { event }, reporter, baseline).save(['/baseline'], 'baseline-key');
    })();
    await jest.runAllTimersAsync();
    expect(await run).toBe(false);
    expect(store.calls).toEqual(['restore']);
    expect(seen.warnings).toEqual([`The test store failed (${HTTP_500}); this run goes on without the cache and saves nothing.`]);
    expect(baseline.lines).toEqual(['Cache save of baseline-key skipped: the test store failed earlier in this run']);
  });

  test('an untrusted event restores but saves nothing, and the log says why once', async () => {
    const run = await flowRun(
      [
        { ms: 1000, answer: undefined },
        { ms: 1000, answer: 'dl-old' }
      ],
      { untrusted }
    );
    expect(run.calls).toEqual(['restore', 'restore']);
    expect(run.results).toEqual([undefined, 'dl-old', false, false]);
    expect(run.warnings).toEqual([]);
    expect(run.log.filter((line) => line.startsWith('Not saving the cache:'))).toEqual([`Not saving the cache: this is ${untrusted}.`]);
  });

  test('operations at once (an environment in parts) spend the budget once, by the wall clock', async () => {
    const store = scriptedStore([...Array.from({ length: 4 }, () => ({ ms: 20_000, answer: 'part' })), { ms: 15_000, answer: 'late' }]);
    const cache = budgetedCache(store, { budgetMs: 30_000 });
    const together = Promise.all(Array.from({ length: 4 }, (_, i) => cache.restore(['/env'], `k-${i}`)));
    await jest.advanceTimersByTimeAsync(20_000);
    expect(await together).toEqual(['part', 'part', 'part', 'part']); // 4 × 20 s of waiting side by side is 20 s
    const after = cache.restore(['/env'], 'k-late').catch((error: Error) => error.message);
    await jest.runAllTimersAsync();
    expect(await after).toBe(OUT_OF_TIME); // the 10 s left, not 15
    expect(Date.now()).toBe(30_000);
  });

  test('restoreAll: the entries found; one failure among several is one warning, the others a log line', async () => {
    const store = scriptedStore([
      { ms: 1000, answer: 'p-1' },
      { ms: 1000, fail: HTTP_500 },
      { ms: 2000, answer: undefined }
    ]);
    const { reporter, seen } = fakeReporter();
    const log = new StageLog(fakeRunner());
    const event = { name: 'push', ref: '', sha: '', defaultBranch: 'main', repository: 'a/b', serverUrl: '' };
    const flow = cacheFlow(store, { event }, reporter, log);
    const run = flow.restoreAll(['/env'], ['p-1', 'p-2', 'p-3']);
    await jest.runAllTimersAsync();
    expect(await run).toEqual({ restored: ['p-1'], failed: true });
    expect(seen.warnings).toEqual([`The test store failed (${HTTP_500}); this run goes on without the cache and saves nothing.`]);
    expect(log.lines).toContain('Restored 1 of 3 cache entries for /env: p-1');
  });

  test('saveAll: an untrusted event saves no part', async () => {
    const store = scriptedStore([]);
    const { reporter } = fakeReporter();
    const event = { name: 'pull_request_target', ref: '', sha: '', defaultBranch: 'main', repository: 'a/b', serverUrl: '', untrusted };
    const flow = cacheFlow(store, { event }, reporter, new StageLog(fakeRunner()));
    expect(await flow.saveAll(['/env'], [{ key: 'p-1', members: { folders: ['/env'], trees: ['/env/a'] } }])).toBe(false);
    expect(store.calls).toEqual([]);
  });
});
