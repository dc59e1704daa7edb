// The install stage over a store that keeps part of a tree per entry: the environment goes into four
// parts and the ecosystem's set-aside files into one more; all parts or nothing on the way back.
import { describe, expect, test } from '@jest/globals';
import type { Ports } from '../../src/context.js';
import type { Ecosystem, Installation, InstallPlan } from '../../src/ecosystems/ecosystem.js';
import type { CacheStore } from '../../src/ports.js';
import { install } from '../../src/stages/install.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp, type FakeFiles } from '../fixtures/fake-ports.js';
import { config, context, ecosystemOf, project } from '../fixtures/install-stage.js';

const ENV = '/state/env';
const SEED = `${ENV}/lib/seed`;

const plan: InstallPlan = {
  installer: 'fake',
  runtime: 'fake-1.0',
  interpreterPath: '/usr/bin/fake',
  files: [{ path: 'deps.lock', content: 'a==1\n' }],
  commands: [{ command: 'fake', args: ['install'] }],
  cachePaths: [ENV],
  stampPath: `${ENV}/.stamp`,
  env: {},
  installEnv: {},
  nothingToInstall: false,
  notes: []
};

/** What `fake install` writes: packages of several sizes and a seed folder. */
const INSTALLED: Record<string, string> = {
  [`${ENV}/bin/tool`]: '#!tool',
  [`${ENV}/lib/big/a.py`]: 'a'.repeat(200_000),
  [`${ENV}/lib/mid/b.py`]: 'b'.repeat(90_000),
  [`${ENV}/lib/small/c.py`]: 'c'.repeat(10),
  [`${ENV}/lib/small/d.py`]: 'd'.repeat(10),
  [`${SEED}/pip.py`]: 'pip'
};

const ecosystem = (setAside: string[] = [SEED]): Ecosystem => {
  const installation: Installation = {
    plan,
    verify: async () => true,
    environment: async () => ({ root: project, env: {}, data: undefined }),
    setAside: async () => setAside
  };
  return ecosystemOf(installation);
};

/** A partial store over the in-memory tree: an entry keeps a copy of its members (or of its paths). */
function partialCache(files: FakeFiles): CacheStore & { entries: Map<string, Map<string, string>> } {
  const entries = new Map<string, Map<string, string>>();
  return {
    description: 'the test cache',
    partial: true,
    entries,
    async restore(_paths, key) {
      const entry = entries.get(key);
      entry?.forEach((text, path) => files.write(path, text));
      return entry ? key : undefined;
    },
    async save(paths, key, _signal, _progress, members) {
      if (entries.has(key)) return false;
      const under = members?.trees ?? paths;
      entries.set(key, new Map([...files.tree].filter(([path]) => under.some((p) => path === p || path.startsWith(`${p}/`)))));
      return true;
    }
  };
}

function run(files: FakeFiles, cache: CacheStore) {
  const runner = fakeRunner(() => {
    Object.entries(INSTALLED).forEach(([path, text]) => files.write(path, text));
    return {};
  });
  const { reporter, seen } = fakeReporter();
  const ports: Ports = { runner, reporter, http: noHttp, files, host: fakeHost(), cache };
  return { ports, runner, seen };
}

const envFiles = (files: FakeFiles): Record<string, string> => Object.fromEntries([...files.tree].filter(([path]) => path.startsWith(`${ENV}/`)).sort());

describe('install stage, environment in parts', () => {
  test('a miss saves four parts that split the tree without overlap, and the set-aside files apart', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    const outcome = await install(await config(), context, run(files, cache).ports, ecosystem());
    const key = outcome.cacheKey ?? '';
    expect([...cache.entries.keys()].sort()).toEqual(
      [1, 2, 3, 4]
        .map((i) => `${key}-part-${i}-of-4`)
        .concat(`${key}-seed`)
        .sort()
    );
    const inParts = [1, 2, 3, 4].flatMap((i) => [...(cache.entries.get(`${key}-part-${i}-of-4`)?.keys() ?? [])]);
    expect(new Set(inParts).size).toBe(inParts.length);
    expect(inParts.filter((path) => path.startsWith(SEED))).toEqual([]);
    expect([...(cache.entries.get(`${key}-seed`)?.keys() ?? [])]).toEqual([`${SEED}/pip.py`]);
    // Every installed file, the stamp and the four markers are in the parts.
    expect([...inParts, `${SEED}/pip.py`].sort()).toEqual(Object.keys(envFiles(files)));
    // The biggest package is alone in its part: the costs were balanced.
    const partOf = (path: string): number => [1, 2, 3, 4].find((i) => cache.entries.get(`${key}-part-${i}-of-4`)?.has(path)) ?? 0;
    expect(partOf(`${ENV}/lib/big/a.py`)).not.toBe(partOf(`${ENV}/lib/mid/b.py`));
  });

  test('a warm run restores the parts into the very tree that was saved; the seed only for a command of the user', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    await install(await config(), context, run(files, cache).ports, ecosystem());
    const installed = envFiles(files);
    files.remove(ENV);
    const warm = run(files, cache);
    const outcome = await install(await config(), context, warm.ports, ecosystem());
    expect(outcome).toMatchObject({ cacheHit: true, stage: { headline: 'restored from cache (fake)' } });
    expect(warm.runner.calls).toEqual([]);
    const { [`${SEED}/pip.py`]: seed, ...rest } = installed;
    expect(seed).toBe('pip');
    expect(envFiles(files)).toEqual(rest);

    files.remove(ENV);
    const withCommand = run(files, cache);
    await install(await config({ testCommand: [['pytest', '-x']] }), context, withCommand.ports, ecosystem());
    expect(envFiles(files)).toEqual(installed);
    expect(withCommand.seen.warnings).toEqual([]);

    // The daily command of a scheduled run is the user's too; on a push it does not run.
    const scheduled = { ...context, event: { ...context.event, name: 'schedule' } };
    for (const [event, seeded] of [
      [context, false],
      [scheduled, true]
    ] as const) {
      files.remove(ENV);
      await install(await config({ scheduledCommand: ['python', 'report.py'] }), event, run(files, cache).ports, ecosystem());
      expect(files.read(`${SEED}/pip.py`)).toBe(seeded ? 'pip' : undefined);
    }
  });

  test('a tree left by an earlier run without its seed is not used as it is when a command of the user may need the seed', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    await install(await config(), context, run(files, cache).ports, ecosystem());
    files.remove(SEED); // what a run with Slipway's own commands restored
    const again = await install(await config({ lintCommand: ['make', 'lint'] }), context, run(files, cache).ports, ecosystem());
    expect(again.stage.headline).toBe('restored from cache (fake)');
    expect(files.read(`${SEED}/pip.py`)).toBe('pip');
    const third = await install(await config({ lintCommand: ['make', 'lint'] }), context, run(files, cache).ports, ecosystem());
    expect(third.stage.headline).toBe('already installed for this key (fake)');
  });

  test('a missing part is a miss with one warning; the install saves the part again, and the next run is whole', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    const first = await install(await config(), context, run(files, cache).ports, ecosystem());
    const key = first.cacheKey ?? '';
    cache.entries.delete(`${key}-part-3-of-4`);
    files.remove(ENV);
    const broken = run(files, cache);
    const outcome = await install(await config(), context, broken.ports, ecosystem());
    expect(outcome).toMatchObject({ cacheHit: false, stage: { status: 'success' } });
    expect(broken.seen.warnings).toEqual([expect.stringContaining(`The cache entry for ${key} is incomplete (${key}-part-3-of-4 missing); installing afresh`)]);
    expect(broken.runner.calls).toHaveLength(1);
    expect(cache.entries.has(`${key}-part-3-of-4`)).toBe(true);
    files.remove(ENV);
    const healed = run(files, cache);
    expect(await install(await config(), context, healed.ports, ecosystem())).toMatchObject({ cacheHit: true });
    expect(healed.seen.warnings).toEqual([]);
  });

  test('an ecosystem that sets nothing aside is never asked for a seed entry, whatever the commands', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    const plain = ecosystem();
    const installation = await plain.planInstall(undefined as never, undefined as never);
    delete installation.setAside;
    const asked: string[] = [];
    const restore = cache.restore.bind(cache);
    cache.restore = async (paths, key, ...rest) => (asked.push(key), restore(paths, key, ...rest));
    const key = (await install(await config(), context, run(files, cache).ports, plain)).cacheKey ?? '';
    files.remove(ENV);
    asked.length = 0;
    expect(await install(await config({ testCommand: [['npm', 'test']] }), context, run(files, cache).ports, plain)).toMatchObject({ cacheHit: true });
    expect(asked.sort()).toEqual([1, 2, 3, 4].map((i) => `${key}-part-${i}-of-4`));
  });

  test('no part left (the seed alone) is a plain miss: no warning', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    const key = (await install(await config(), context, run(files, cache).ports, ecosystem())).cacheKey ?? '';
    [1, 2, 3, 4].forEach((i) => cache.entries.delete(`${key}-part-${i}-of-4`));
    files.remove(ENV);
    const miss = run(files, cache);
    expect(await install(await config({ testCommand: [['pytest']] }), context, miss.ports, ecosystem())).toMatchObject({ cacheHit: false });
    expect(miss.seen.warnings).toEqual([]);
  });

  test('parts of two different saves do not make an environment', async () => {
    const files = fakeFiles();
    const cache = partialCache(files);
    const first = await install(await config(), context, run(files, cache).ports, ecosystem());
    const key = first.cacheKey ?? '';
    const part = cache.entries.get(`${key}-part-2-of-4`) ?? new Map<string, string>();
    const marker = `${ENV}/.slipway-part-2-of-4`;
    part.set(marker, (part.get(marker) ?? '').replace(/"layout":"\w+"/, '"layout":"another"'));
    files.remove(ENV);
    const mixed = run(files, cache);
    expect(await install(await config(), context, mixed.ports, ecosystem())).toMatchObject({ cacheHit: false });
    expect(mixed.seen.warnings).toEqual([expect.stringContaining('its parts come from different saves')]);
  });

  test('a store that keeps whole trees only: one entry under the key, the seed in it', async () => {
    const files = fakeFiles();
    const cache = { ...partialCache(files), partial: false };
    const outcome = await install(await config(), context, run(files, cache).ports, ecosystem());
    expect([...cache.entries.keys()]).toEqual([outcome.cacheKey]);
    expect(cache.entries.get(outcome.cacheKey ?? '')?.get(`${SEED}/pip.py`)).toBe('pip');
  });
});
