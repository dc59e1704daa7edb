/**
 * Proves the fake cache service (support/cache-service.ts) is faithful enough: the REAL
 * `@actions/cache` 6 (cache service v2 client, Azure SDK upload, http-client download, tar + zstd)
 * saves to it and restores from it in this process.
 *
 * `@actions/cache` reads its environment at call time (ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL,
 * ACTIONS_RUNTIME_TOKEN, GITHUB_WORKSPACE, RUNNER_TEMP, GITHUB_SERVER_URL), so setting process.env in
 * beforeAll is enough. The one exception is the Azure SDK's NO_PROXY list, read once per process at
 * the first blob client: it is set before any save.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import * as cache from '@actions/cache';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as realSleep } from 'node:timers/promises';
import { closedPortUrl, startCacheService, type CacheService, type FailureMode } from './support/cache-service.js';
import { isolateEnv, makeTempDir, removeTempDirs } from './support/workspace.js';

const MiB = 1024 * 1024;
const ENV_KEYS = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'GITHUB_SERVER_URL',
  'NO_PROXY',
  'no_proxy',
  'RUNNER_DEBUG'
];
let restoreEnv: (() => void) | undefined;
const timings: Record<string, number> = {};

let svc: CacheService;
let ws: string;

beforeAll(async () => {
  sinkStdout();
  svc = await startCacheService();
  ws = makeTempDir('slipway-cache-ws-');
  restoreEnv = isolateEnv(ENV_KEYS);
  Object.assign(process.env, svc.env(), {
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: makeTempDir('slipway-cache-tmp-'),
    // A loopback GITHUB_SERVER_URL would make the library think it runs on GHES and use v1.
    GITHUB_SERVER_URL: 'https://github.com',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost'
  });
});

afterAll(async () => {
  stdoutSpy?.mockRestore();
  await svc?.stop();
  removeTempDirs();
  restoreEnv?.();
  // One line with what was measured, for the report and for regressions.
  process.stderr.write(`cache-service timings (ms): ${JSON.stringify(timings)}\n`);
});

/** sha256 of every file under `dir`, keyed by relative path: equal maps = identical trees. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
}

/**
 * What @actions/core prints (annotations are `::warning::...` lines on stdout; `::debug::` lines are
 * always printed, the runner hides them). The whole suite's stdout goes to `printed` instead of the
 * jest console; SLIPWAY_E2E_VERBOSE=1 lets it through as well.
 */
let printed = '';
let stdoutSpy: { mockRestore(): void } | undefined;
const realWrite = process.stdout.write.bind(process.stdout);

function sinkStdout(): void {
  const verbose = process.env['SLIPWAY_E2E_VERBOSE'] === '1';
  stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (verbose) realWrite(chunk);
    return true;
  });
}

/** Runs `fn` and returns what it printed and how long it took. */
async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; out: string; ms: number }> {
  const start = printed.length;
  const t0 = Date.now();
  const value = await fn();
  return { value, out: printed.slice(start), ms: Date.now() - t0 };
}

/**
 * Runs `fn` with setTimeout/setInterval faked and time pushed forward, so the library's retry
 * back-off (3 s, 4.5 s, ... per Twirp call) costs nothing. Network I/O still happens for real.
 */
async function withFastTimers<T>(fn: () => Promise<T>): Promise<{ value: T; simulatedMs: number }> {
  jest.useFakeTimers({
    doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance', 'Date']
  });
  let simulatedMs = 0;
  try {
    let settled = false;
    const p = fn().finally(() => {
      settled = true;
    });
    while (!settled) {
      await jest.advanceTimersByTimeAsync(500);
      simulatedMs += 500;
      await realSleep(5);
    }
    return { value: await p, simulatedMs };
  } finally {
    jest.useRealTimers();
  }
}

const rpcCount = (rpc: string): number => svc.requests.filter((r) => r.kind === rpc).length;

describe('fake cache service with the real @actions/cache', () => {
  test('save, delete, restore by exact key: identical content', async () => {
    const deps = path.join(ws, 'exact');
    writeTree(deps, {
      'a.txt': 'alpha\n',
      'sub/b.txt': 'beta\n'.repeat(1000),
      'sub/deeper/c.bin': randomBytes(Math.round(1.5 * MiB)),
      'empty.txt': ''
    });
    const before = snapshot(deps);
    svc.requests.length = 0;

    const saved = await captureStdout(() => cache.saveCache([deps], 'exact-key-1'));
    timings['save 1.5 MiB'] = saved.ms;
    expect(saved.value).toBeGreaterThan(0);
    expect(saved.out).not.toContain('::warning::');
    // One reservation, one single-shot Put Blob (<= 128 MiB), one finalize.
    expect(svc.requests.map((r) => `${r.kind} ${r.status}`)).toEqual(['CreateCacheEntry 200', 'blob 201', 'FinalizeCacheEntryUpload 200']);
    const entry = svc.entries().find((e) => e.key === 'exact-key-1');
    expect(entry?.size).toBe((await svc.archive('exact-key-1')).length);
    // The archive is a zstd frame (magic 28 b5 2f fd): tar + zstd ran for real.
    expect((await svc.archive('exact-key-1')).subarray(0, 4).toString('hex')).toBe('28b52ffd');

    rmSync(deps, { recursive: true, force: true });
    const restored = await captureStdout(() => cache.restoreCache([deps], 'exact-key-1', ['exact-']));
    timings['restore 1.5 MiB'] = restored.ms;
    expect(restored.value).toBe('exact-key-1');
    expect(restored.out).toContain('Cache hit for: exact-key-1');
    expect(snapshot(deps)).toEqual(before);
  });

  test('a restore key matches as a prefix and the newest entry wins', async () => {
    const deps = path.join(ws, 'prefix');
    // Saved second but alphabetically first: "newest" must mean creation order, not key order.
    writeTree(deps, { 'v.txt': 'older' });
    expect(await cache.saveCache([deps], 'deps-linux-b')).toBeGreaterThan(0);
    writeTree(deps, { 'v.txt': 'newer' });
    expect(await cache.saveCache([deps], 'deps-linux-a')).toBeGreaterThan(0);

    rmSync(deps, { recursive: true, force: true });
    const hit = await captureStdout(() => cache.restoreCache([deps], 'deps-linux-zzz', ['deps-linux-']));
    expect(hit.value).toBe('deps-linux-a');
    expect(hit.out).toContain('Cache hit for restore-key: deps-linux-a');
    expect(readFileSync(path.join(deps, 'v.txt'), 'utf8')).toBe('newer');

    // Restore keys are tried in order; the first that matches anything decides.
    rmSync(deps, { recursive: true, force: true });
    expect(await cache.restoreCache([deps], 'nothing', ['other-', 'deps-linux-b', 'deps-'])).toBe('deps-linux-b');
    expect(readFileSync(path.join(deps, 'v.txt'), 'utf8')).toBe('older');

    // GitHub also tries the primary key itself as a prefix before the restore keys.
    expect(await cache.restoreCache([deps], 'deps-linux-', [], { lookupOnly: true })).toBe('deps-linux-a');
    // No match at all: undefined, no warning.
    const miss = await captureStdout(() => cache.restoreCache([deps], 'nothing', ['nope-']));
    expect(miss.value).toBeUndefined();
    expect(miss.out).not.toContain('::warning::');
  });

  test('a different version (other paths) misses even for the exact key', async () => {
    const deps = path.join(ws, 'version');
    writeTree(deps, { 'x.txt': 'x' });
    expect(await cache.saveCache([deps], 'version-key')).toBeGreaterThan(0);
    const [entry] = svc.entries().filter((e) => e.key === 'version-key');
    svc.requests.length = 0;
    // The version hashes the path list (and the compression method): another list, another version.
    expect(await cache.restoreCache([deps, path.join(ws, 'other')], 'version-key')).toBeUndefined();
    expect(svc.requests.map((r) => `${r.kind} ${r.status}`)).toEqual(['GetCacheEntryDownloadURL 200']);
    expect(await cache.restoreCache([deps], 'version-key', [], { lookupOnly: true })).toBe('version-key');
    expect(entry?.version).toMatch(/^[0-9a-f]{64}$/);
  });

  test('saving an existing key returns -1 without throwing (409 like github.com, and ok:false)', async () => {
    const deps = path.join(ws, 'dup');
    writeTree(deps, { 'd.txt': 'first' });
    expect(await cache.saveCache([deps], 'dup-key')).toBeGreaterThan(0);
    writeTree(deps, { 'd.txt': 'second' });

    const conflict = await captureStdout(() => cache.saveCache([deps], 'dup-key'));
    expect(conflict.value).toBe(-1);
    // The library logs this as info, not as a warning annotation.
    expect(conflict.out).toContain('Failed to save: Unable to reserve cache with key dup-key');
    expect(conflict.out).not.toContain('::warning::');
    expect(svc.entries().filter((e) => e.key === 'dup-key')).toHaveLength(1);
    expect((await svc.archive('dup-key')).length).toBeGreaterThan(0);

    // The ok:false flavour: same -1, but the library also emits a warning annotation with the message.
    const other = await startCacheService({ existingKey: 'not-ok' });
    const url = process.env['ACTIONS_RESULTS_URL'];
    const token = process.env['ACTIONS_RUNTIME_TOKEN'];
    Object.assign(process.env, other.env());
    try {
      expect(await cache.saveCache([deps], 'dup-key')).toBeGreaterThan(0);
      const notOk = await captureStdout(() => cache.saveCache([deps], 'dup-key'));
      expect(notOk.value).toBe(-1);
      expect(notOk.out).toContain('::warning::Cache reservation failed: cache entry with key dup-key already exists');
      expect(other.entries()).toHaveLength(1);
    } finally {
      Object.assign(process.env, { ACTIONS_RESULTS_URL: url, ACTIONS_RUNTIME_TOKEN: token });
      await other.stop();
    }
  });

  test('an archive over 128 MiB goes up as Put Block + Put Block List and comes back intact', async () => {
    // The threshold is hard-coded in the library (maxSingleShotSize 128 MiB, blocks of 64 MiB), so
    // the archive must really exceed it: random bytes do not compress.
    const deps = path.join(ws, 'large');
    writeTree(deps, { 'big.bin': randomBytes(129 * MiB), 'small.txt': 'small' });
    const before = snapshot(deps);
    svc.requests.length = 0;
    const t0 = Date.now();
    const id = await cache.saveCache([deps], 'large-key');
    timings['save 129 MiB (blocks)'] = Date.now() - t0;
    expect(id).toBeGreaterThan(0);
    const kinds = svc.requests.map((r) => `${r.kind} ${r.status}`);
    expect(kinds.filter((k) => k === 'block 201')).toHaveLength(3); // ceil(129+ MiB / 64 MiB)
    expect(kinds.filter((k) => k === 'blocklist 201')).toHaveLength(1);
    expect(kinds).not.toContain('blob 201');
    expect(svc.entries().find((e) => e.key === 'large-key')?.size).toBeGreaterThan(128 * MiB);

    rmSync(deps, { recursive: true, force: true });
    const t1 = Date.now();
    expect(await cache.restoreCache([deps], 'large-key')).toBe('large-key');
    timings['restore 129 MiB'] = Date.now() - t1;
    expect(snapshot(deps)).toEqual(before);
    rmSync(deps, { recursive: true, force: true });
  }, 120_000);

  describe('failures warn and never throw', () => {
    const deps = (): string => path.join(ws, 'failing');

    beforeAll(async () => {
      writeTree(deps(), { 'f.txt': 'f' });
      expect(await cache.saveCache([deps()], 'failing-key')).toBeGreaterThan(0);
    });

    afterAll(() => {
      svc.setFailureMode('none');
    });

    test('http500: 5 attempts per Twirp call with back-off, then a warning (fake timers skip the ~30 s)', async () => {
      svc.setFailureMode('http500');
      svc.requests.length = 0;
      const t0 = Date.now();
      const { value, simulatedMs } = await withFastTimers(() => captureStdout(() => cache.restoreCache([deps()], 'failing-key')));
      timings['http500 restore (fake timers, real ms)'] = Date.now() - t0;
      timings['http500 restore (simulated back-off ms)'] = simulatedMs;
      expect(value.value).toBeUndefined();
      expect(rpcCount('GetCacheEntryDownloadURL')).toBe(5);
      expect(value.out).toMatch(
        /::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Failed to make request after 5 attempts: Failed request: \(500\) Internal Server Error: simulated cache service failure/
      );
      // 3000 + [4500, 6750) + [6750, 10125) + [10125, 15188) ms of sleeps between the 5 attempts.
      expect(simulatedMs).toBeGreaterThanOrEqual(24_000);
      expect(Date.now() - t0).toBeLessThan(10_000);

      // A save in the same state: the reservation fails, saveCache returns -1 and only logs info.
      svc.requests.length = 0;
      const save = await withFastTimers(() => captureStdout(() => cache.saveCache([deps()], 'failing-new-key')));
      expect(save.value.value).toBe(-1);
      expect(rpcCount('CreateCacheEntry')).toBe(5);
      expect(save.value.out).toContain('Failed to save: Unable to reserve cache with key failing-new-key');
      expect(save.value.out).not.toContain('::warning::');
    });

    test.each<[FailureMode, RegExp]>([
      ['http429', /::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Rate limited: Failed request: \(429\)/],
      ['reset', /::warning::Failed to restore: Failed to GetCacheEntryDownloadURL: Unable to make request: ECONNRESET/],
      ['unauthenticated', /::warning::Failed to restore: .*non-retryable error: Failed request: \(401\) Unauthorized/],
      ['read-denied', /::warning::Failed to restore: .*cache read denied: token has no readable scopes/],
      ['blob500', /::warning::Failed to restore: downloadCache failed: Cache service responded with 500/]
    ])('%s: restore returns undefined with a warning, fast', async (mode, warning) => {
      svc.setFailureMode(mode);
      svc.requests.length = 0;
      const r = await captureStdout(() => cache.restoreCache([deps()], 'failing-key'));
      timings[`${mode} restore`] = r.ms;
      expect(r.value).toBeUndefined();
      expect(r.out).toMatch(warning);
      expect(r.ms).toBeLessThan(5_000);
      expect(svc.requests.length).toBeGreaterThan(0);
    });

    test('write-denied: saveCache returns -1 with one warning', async () => {
      svc.setFailureMode('write-denied');
      const r = await captureStdout(() => cache.saveCache([deps()], 'denied-key'));
      expect(r.value).toBe(-1);
      expect(r.out).toMatch(/::warning::Failed to save: Unable to reserve cache with key denied-key\. More details: cache write denied:/);
      expect(r.out.match(/::warning::/g)).toHaveLength(1);
      expect(svc.entries().some((e) => e.key === 'denied-key')).toBe(false);
    });

    test('a refused connection (closed port): restore warns and save returns -1, fast', async () => {
      svc.setFailureMode('none');
      const url = process.env['ACTIONS_RESULTS_URL'];
      process.env['ACTIONS_RESULTS_URL'] = await closedPortUrl();
      try {
        const r = await captureStdout(() => cache.restoreCache([deps()], 'failing-key'));
        timings['closed port restore'] = r.ms;
        expect(r.value).toBeUndefined();
        expect(r.out).toMatch(/::warning::Failed to restore: .*ECONNREFUSED/);
        expect(r.ms).toBeLessThan(5_000);
        const s = await captureStdout(() => cache.saveCache([deps()], 'refused-key'));
        timings['closed port save'] = s.ms;
        expect(s.value).toBe(-1);
        expect(s.ms).toBeLessThan(5_000);
      } finally {
        process.env['ACTIONS_RESULTS_URL'] = url;
      }
    });

    // Real time, for the record (SLIPWAY_E2E_SLOW=1): what a bundled action, which cannot fake its
    // timers, pays per Twirp call when the service answers 500 — measured ~29 s for a restore and
    // ~29 s for a save — and what an upload pays when the blob store answers 500 (~16 s, Azure SDK
    // retries).
    const slow = process.env['SLIPWAY_E2E_SLOW'] === '1' ? test : test.skip;
    slow(
      'http500 in real time: restore and save each give up after ~25-35 s',
      async () => {
        svc.setFailureMode('http500');
        const r = await captureStdout(() => cache.restoreCache([deps()], 'failing-key'));
        timings['http500 restore (real time)'] = r.ms;
        expect(r.value).toBeUndefined();
        expect(r.ms).toBeGreaterThan(20_000);
        expect(r.ms).toBeLessThan(40_000);
        const s = await captureStdout(() => cache.saveCache([deps()], 'slow-500-key'));
        timings['http500 save (real time)'] = s.ms;
        expect(s.value).toBe(-1);
        expect(s.ms).toBeLessThan(40_000);

        svc.setFailureMode('blob500');
        const u = await captureStdout(() => cache.saveCache([deps()], 'slow-blob500-key'));
        timings['blob500 save (real time)'] = u.ms;
        expect(u.value).toBe(-1);
        expect(u.out).toContain('::warning::Failed to save: simulated storage failure');
      },
      150_000
    );

    test('the service recovers: the same restore succeeds after setFailureMode("none")', async () => {
      svc.setFailureMode('none');
      rmSync(deps(), { recursive: true, force: true });
      expect(await cache.restoreCache([deps()], 'failing-key')).toBe('failing-key');
      expect(readFileSync(path.join(deps(), 'f.txt'), 'utf8')).toBe('f');
    });
  });
});
