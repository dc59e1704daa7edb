/**
 * Slipway's own restore and save paths (src/adapters/github/cache*.ts) against the fake cache
 * service: entries saved by the REAL @actions/cache are looked up and streamed from the signed URL
 * into tar, and must come back exactly as the library itself restores them; entries Slipway saves
 * must come back whole through the library. Failures (service errors, a download that breaks off)
 * must leave nothing half-written behind and say what went wrong without the signed URL, and a
 * caller's abort signal stops an operation at once.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import * as cache from '@actions/cache';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { githubCacheStore } from '../../src/adapters/github/cache.js';
import type { CacheStore } from '../../src/ports.js';
import { closedPortUrl, startCacheService, type CacheService, type FailureMode } from './support/cache-service.js';
import { isolateEnv, makeTempDir, removeTempDirs } from './support/workspace.js';

const ENV_KEYS = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'GITHUB_SERVER_URL'
];
let restoreEnv: (() => void) | undefined;

let svc: CacheService;
let ws: string;
let runnerTemp: string;
let store: CacheStore;
let stdoutSpy: { mockRestore(): void } | undefined;

beforeAll(async () => {
  // @actions/core (inside the library) prints to stdout; keep the jest output readable.
  stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  svc = await startCacheService();
  ws = makeTempDir('slipway-stream-ws-');
  runnerTemp = makeTempDir('slipway-stream-tmp-');
  restoreEnv = isolateEnv(ENV_KEYS);
  // The library reads process.env at call time; the adapter is given the same environment.
  Object.assign(process.env, svc.env(), { GITHUB_WORKSPACE: ws, RUNNER_TEMP: runnerTemp, GITHUB_SERVER_URL: 'https://github.com' });
  store = githubCacheStore(process.env)!;
});

afterAll(async () => {
  stdoutSpy?.mockRestore();
  await svc?.stop();
  removeTempDirs();
  restoreEnv?.();
});

/** Everything that makes two trees the same: kind, mode, symlink target and content of each entry. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(p);
      } else out[rel] = `file ${mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

/** A tree shaped like a virtualenv: scripts with the executable bit, a symlinked interpreter, a big binary. */
function writeEnvironmentLike(dir: string, seed: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  mkdirSync(path.join(dir, 'lib', 'site-packages', 'pkg', '__pycache__'), { recursive: true });
  mkdirSync(path.join(dir, 'include'), { recursive: true }); // empty, as in a real venv
  writeFileSync(path.join(dir, 'pyvenv.cfg'), `home = /usr/bin\nseed = ${seed}\n`);
  writeFileSync(path.join(dir, 'bin', 'tool'), `#!${dir}/bin/python\nprint("${seed}")\n`);
  chmodSync(path.join(dir, 'bin', 'tool'), 0o755);
  symlinkSync('/usr/bin/python3', path.join(dir, 'bin', 'python'));
  for (let i = 0; i < 200; i++) writeFileSync(path.join(dir, 'lib', 'site-packages', 'pkg', `m${i}.py`), `VALUE = ${i} # ${seed}\n`);
  writeFileSync(path.join(dir, 'lib', 'site-packages', 'pkg', 'native.so'), randomBytes(3 * 1024 * 1024));
  writeFileSync(path.join(dir, 'lib', 'site-packages', 'pkg', 'ünïcode name.txt'), seed);
}

describe('restores entries saved by @actions/cache by streaming them into tar', () => {
  const env = (): string => path.join(ws, 'venv');

  test('the tree comes back exactly as @actions/cache restores it, and no archive touches the disk', async () => {
    writeEnvironmentLike(env(), 'one');
    const original = snapshot(env());
    expect(await cache.saveCache([env()], 'stream-key-1')).toBeGreaterThan(0);

    rmSync(env(), { recursive: true, force: true });
    expect(await cache.restoreCache([env()], 'stream-key-1')).toBe('stream-key-1');
    const byLibrary = snapshot(env());
    expect(byLibrary).toEqual(original);

    rmSync(env(), { recursive: true, force: true });
    svc.requests.length = 0;
    const tempBefore = snapshot(runnerTemp);
    expect(await store.restore([env()], 'stream-key-1')).toBe('stream-key-1');
    expect(snapshot(env())).toEqual(byLibrary);
    // One lookup and one download, nothing else; and nothing written to RUNNER_TEMP on the way.
    expect(svc.requests.map((r) => r.kind)).toEqual(['GetCacheEntryDownloadURL', 'blob']);
    expect(snapshot(runnerTemp)).toEqual(tempBefore);
  }, 60_000);

  test('a download the stream does not read (a redirect) is restored by @actions/cache instead, whole', async () => {
    writeEnvironmentLike(env(), 'redirected');
    const original = snapshot(env());
    expect(await cache.saveCache([env()], 'stream-key-redirect')).toBeGreaterThan(0);
    rmSync(env(), { recursive: true, force: true });
    svc.setFailureMode('blob-redirect');
    try {
      svc.requests.length = 0;
      expect(await store.restore([env()], 'stream-key-redirect')).toBe('stream-key-redirect');
      expect(snapshot(env())).toEqual(original);
      // The stream's lookup and GET (answered 307), then the library's own lookup and download.
      expect(svc.requests.map((r) => r.kind)).toEqual(['GetCacheEntryDownloadURL', 'blob', 'GetCacheEntryDownloadURL', 'blob', 'blob']);
    } finally {
      svc.setFailureMode('none');
    }
  }, 60_000);

  test('a restore key brings back the newest entry whose key starts with it', async () => {
    writeEnvironmentLike(env(), 'older');
    expect(await cache.saveCache([env()], 'prefix-1')).toBeGreaterThan(0);
    writeEnvironmentLike(env(), 'newer');
    const newer = snapshot(env());
    expect(await cache.saveCache([env()], 'prefix-2')).toBeGreaterThan(0);

    rmSync(env(), { recursive: true, force: true });
    expect(await store.restore([env()], 'prefix-none', ['prefix-'])).toBe('prefix-2');
    expect(snapshot(env())).toEqual(newer);
  }, 60_000);

  test('a miss, and an entry saved for other paths (another cache version), restore nothing', async () => {
    rmSync(env(), { recursive: true, force: true });
    expect(await store.restore([env()], 'no-such-key')).toBeUndefined();
    expect(await store.restore([path.join(ws, 'elsewhere')], 'stream-key-1')).toBeUndefined();
    expect(existsSync(env())).toBe(false);
    expect(existsSync(path.join(ws, 'elsewhere'))).toBe(false);
  });

  test('a runner whose cache-mode forbids reads is not asked at all', async () => {
    const writeOnly = githubCacheStore({ ...process.env, ACTIONS_CACHE_MODE: 'write-only' })!;
    svc.requests.length = 0;
    expect(await writeOnly.restore([env()], 'stream-key-1')).toBeUndefined();
    expect(svc.requests).toEqual([]);
  });
});

describe('failures throw a clear error (the install stage turns it into a warning) and leave nothing behind', () => {
  const env = (): string => path.join(ws, 'failing-venv');

  beforeAll(async () => {
    writeEnvironmentLike(env(), 'failing');
    expect(await cache.saveCache([env()], 'failing-key')).toBeGreaterThan(0);
  });

  afterAll(() => svc.setFailureMode('none'));

  test.each<[FailureMode, number, RegExp]>([
    ['http500', 3, /^cache lookup failed: HTTP 500: simulated cache service failure$/],
    ['http429', 1, /^cache lookup failed: HTTP 429: simulated rate limit$/],
    ['unauthenticated', 1, /^cache lookup failed: HTTP 401: invalid or missing runtime token$/],
    ['read-denied', 1, /^cache lookup failed: HTTP 403: cache read denied/],
    ['reset', 3, /^cache lookup failed: .*(ECONNRESET|socket hang up)/],
    ['blob500', 1, /^cache download failed: HTTP 500$/],
    ['blob-truncated', 1, /^cache download failed: .*(aborted|ECONNRESET|Premature close)/]
  ])(
    '%s: %i lookup(s), then an error; the target is absent afterwards',
    async (mode, lookups, message) => {
      rmSync(env(), { recursive: true, force: true });
      svc.setFailureMode(mode);
      svc.requests.length = 0;
      const error = await store.restore([env()], 'failing-key').then(
        () => undefined,
        (e: Error) => e
      );
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toMatch(/sig=|https?:\/\//);
      expect(svc.requests.filter((r) => r.kind === 'GetCacheEntryDownloadURL')).toHaveLength(lookups);
      expect(existsSync(env())).toBe(false);
    },
    30_000
  );

  test('a broken-off download removes the part already extracted, even over an existing tree', async () => {
    writeEnvironmentLike(env(), 'stale');
    svc.setFailureMode('blob-truncated');
    await expect(store.restore([env()], 'failing-key')).rejects.toThrow(/cache download failed/);
    expect(existsSync(env())).toBe(false);
    // The service recovers and the same entry restores whole.
    svc.setFailureMode('none');
    expect(await store.restore([env()], 'failing-key')).toBe('failing-key');
    expect(readFileSync(path.join(env(), 'pyvenv.cfg'), 'utf8')).toContain('seed = failing');
  }, 30_000);

  test('a refused connection is an error naming it', async () => {
    const refused = githubCacheStore({ ...process.env, ACTIONS_RESULTS_URL: await closedPortUrl() })!;
    await expect(refused.restore([env()], 'failing-key')).rejects.toThrow(/^cache lookup failed: .*ECONNREFUSED/);
  }, 30_000);
});

describe('saves the way @actions/cache saves', () => {
  const env = (): string => path.join(ws, 'saved-venv');
  const kinds = (): string[] => svc.requests.map((r) => `${r.kind} ${r.status}`);

  afterAll(() => svc.setFailureMode('none'));

  test('an entry Slipway saved comes back whole through @actions/cache and through Slipway', async () => {
    writeEnvironmentLike(env(), 'saved');
    const original = snapshot(env());
    svc.requests.length = 0;
    expect(await store.save([env()], 'own-save-1')).toBe(true);
    expect(kinds()).toEqual(['CreateCacheEntry 200', 'blob 201', 'FinalizeCacheEntryUpload 200']);
    // Same compression as the library's (zstd here): the same version, so either finds the other's entries.
    expect((await svc.archive('own-save-1')).subarray(0, 4).toString('hex')).toBe('28b52ffd');

    rmSync(env(), { recursive: true, force: true });
    expect(await cache.restoreCache([env()], 'own-save-1')).toBe('own-save-1');
    expect(snapshot(env())).toEqual(original);
    rmSync(env(), { recursive: true, force: true });
    expect(await store.restore([env()], 'own-save-1')).toBe('own-save-1');
    expect(snapshot(env())).toEqual(original);
  }, 60_000);

  test('an existing key is not saved again: false, no upload', async () => {
    svc.requests.length = 0;
    expect(await store.save([env()], 'own-save-1')).toBe(false);
    expect(kinds()).toEqual(['CreateCacheEntry 409']);
  }, 60_000);

  test('an archive over 128 MiB goes up in blocks and comes back intact', async () => {
    const big = path.join(ws, 'big');
    rmSync(big, { recursive: true, force: true });
    mkdirSync(big);
    writeFileSync(path.join(big, 'random.bin'), randomBytes(129 * 1024 * 1024)); // does not compress
    const original = snapshot(big);
    svc.requests.length = 0;
    expect(await store.save([big], 'own-save-big')).toBe(true);
    expect(kinds()).toEqual(['CreateCacheEntry 200', 'block 201', 'block 201', 'block 201', 'blocklist 201', 'FinalizeCacheEntryUpload 200']);
    rmSync(big, { recursive: true, force: true });
    expect(await cache.restoreCache([big], 'own-save-big')).toBe('own-save-big');
    expect(snapshot(big)).toEqual(original);
    rmSync(big, { recursive: true, force: true });
  }, 120_000);

  test.each<[FailureMode, RegExp, string[]]>([
    [
      'http500',
      /^cache reservation failed: HTTP 500: simulated cache service failure$/,
      ['CreateCacheEntry 500', 'CreateCacheEntry 500', 'CreateCacheEntry 500']
    ],
    ['write-denied', /^the cache service refused the entry: cache write denied: token has no writable scopes$/, ['CreateCacheEntry 200']],
    ['blob500', /^cache upload failed: HTTP 500 \(InternalError\)$/, ['CreateCacheEntry 200', 'blob 500']]
  ])(
    '%s: the save throws what failed, and no entry appears',
    async (mode, message, requests) => {
      writeEnvironmentLike(env(), mode);
      svc.setFailureMode(mode);
      svc.requests.length = 0;
      const error = await store.save([env()], `failing-save-${mode}`).then(
        () => undefined,
        (e: Error) => e
      );
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toMatch(/another job|sig=|https?:\/\//);
      expect(kinds()).toEqual(requests);
      expect(svc.entries().some((e) => e.key === `failing-save-${mode}`)).toBe(false);
    },
    30_000
  );

  test('a runner whose cache-mode forbids writes saves nothing and asks nothing', async () => {
    svc.setFailureMode('none');
    const readOnly = githubCacheStore({ ...process.env, ACTIONS_CACHE_MODE: 'read' })!;
    svc.requests.length = 0;
    expect(await readOnly.save([env()], 'read-only-key')).toBe(false);
    expect(svc.requests).toEqual([]);
  });

  test.each(['restore', 'save'] as const)(
    'an abort signal stops a %s waiting on a slow service at once, leaving nothing behind',
    async (operation) => {
      const slow = await startCacheService({ failureMode: 'slow', slowAnswerMs: 60_000 });
      const slowStore = githubCacheStore({ ...process.env, ...slow.env() })!;
      try {
        writeEnvironmentLike(env(), 'aborted');
        if (operation === 'restore') rmSync(env(), { recursive: true, force: true });
        const signal = AbortSignal.timeout(300);
        const call = operation === 'restore' ? slowStore.restore([env()], 'any-key', [], signal) : slowStore.save([env()], 'any-key', signal);
        await expect(call).rejects.toThrow();
        expect(signal.aborted).toBe(true);
        expect(slow.entries(true)).toEqual([]);
        if (operation === 'restore') expect(existsSync(env())).toBe(false);
        // The save's archive was made in RUNNER_TEMP and is gone again.
        expect(readdirSync(runnerTemp).filter((name) => name.startsWith('slipway-save-'))).toEqual([]);
      } finally {
        await slow.stop();
      }
    },
    30_000
  );
});
