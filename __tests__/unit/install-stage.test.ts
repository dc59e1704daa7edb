// The install stage over fake ports and a fake ecosystem: when the cache is asked, when a tree is
// trusted, what a failed install says. The stage never asks which ecosystem it serves.
import { describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config.js';
import type { Ports } from '../../src/context.js';
import type { Installation, InstallPlan } from '../../src/ecosystems/ecosystem.js';
import type { CacheStore } from '../../src/ports.js';
import { install } from '../../src/stages/install.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp, type FakeFiles } from '../fixtures/fake-ports.js';
import { config, context, ecosystemOf, project } from '../fixtures/install-stage.js';

const ENV = '/state/env';
const STAMP = `${ENV}/.stamp`;

const basePlan: InstallPlan = {
  installer: 'fake',
  runtime: 'fake-1.0',
  interpreterPath: '/usr/bin/fake',
  files: [{ path: 'deps.lock', content: 'a==1\n' }],
  create: { command: 'fake', args: ['create', ENV] },
  commands: [{ command: 'fake', args: ['install'] }],
  cachePaths: [ENV],
  stampPath: STAMP,
  env: { FAKE_ENV: ENV },
  installEnv: { FAKE_CACHE: '/state/downloads' },
  nothingToInstall: false,
  notes: []
};

/** An ecosystem whose plan and verdict on a tree the test chooses; it records what it was asked. */
function fakeEcosystem(plan: Partial<InstallPlan> = {}, answers: { verify?: boolean; explain?: string } = {}) {
  const asked = { verify: [] as boolean[], recorded: 0 };
  const installation: Installation = {
    plan: { ...basePlan, ...plan },
    verify: async (restored) => (asked.verify.push(restored), answers.verify ?? true),
    record: async () => void asked.recorded++,
    environment: async () => ({ root: project, env: { FAKE_ENV: ENV }, data: 'fake data' }),
    explain: () => answers.explain
  };
  const ecosystem = ecosystemOf(installation);
  return { ecosystem, asked };
}

/** A local cache store over the same in-memory tree: entries keep copies of the saved paths. */
function memoryCache(files: FakeFiles, entries = new Map<string, Map<string, string>>()): CacheStore & { entries: typeof entries } {
  return {
    description: 'the test cache',
    entries,
    async restore(_paths, key) {
      const entry = entries.get(key);
      entry?.forEach((text, path) => files.write(path, text));
      return entry ? key : undefined;
    },
    async save(paths, key) {
      const copy = new Map([...files.tree].filter(([path]) => paths.some((p) => path === p || path.startsWith(`${p}/`))));
      entries.set(key, copy);
      return true;
    }
  };
}

function ports(files: FakeFiles, cache?: CacheStore, code = 0) {
  const runner = fakeRunner(() => ({ code, stdout: code === 0 ? '' : 'it broke' }));
  const { reporter, seen } = fakeReporter();
  const all: Ports = { runner, reporter, http: noHttp, files, host: fakeHost(), cache };
  return { ports: all, runner, seen };
}

describe('install stage', () => {
  test('a miss runs the create and install commands, stamps the tree with the key, records and saves it', async () => {
    const files = fakeFiles();
    const cache = memoryCache(files);
    const { ecosystem, asked } = fakeEcosystem();
    const { ports: p, runner } = ports(files, cache);
    const outcome = await install(await config(), context, p, ecosystem);
    expect(outcome.stage).toMatchObject({ status: 'success', headline: 'installed with fake and cached' });
    expect(runner.calls.map((c) => [c.command, ...c.args])).toEqual([
      ['fake', 'create', ENV],
      ['fake', 'install']
    ]);
    expect(runner.calls[1]?.options.env).toEqual({ FAKE_ENV: ENV, FAKE_CACHE: '/state/downloads' });
    expect(files.read(STAMP)).toBe(outcome.cacheKey);
    expect(asked.recorded).toBe(1);
    expect(cache.entries.has(outcome.cacheKey ?? '')).toBe(true);
    expect(outcome.environment).toEqual({ root: project, env: { FAKE_ENV: ENV }, data: 'fake data' });
  });

  test('a tree already stamped with this key is used as it is: nothing restored, nothing run', async () => {
    const files = fakeFiles();
    const { ecosystem } = fakeEcosystem();
    const first = await install(await config(), context, ports(files, memoryCache(files)).ports, ecosystem);
    const again = ports(files, memoryCache(files));
    const outcome = await install(await config(), context, again.ports, ecosystem);
    expect(outcome).toMatchObject({ cacheHit: true, cacheKey: first.cacheKey, stage: { headline: 'already installed for this key (fake)' } });
    expect(again.runner.calls).toEqual([]);
  });

  test('a restore the ecosystem rejects is discarded with a warning and installed afresh', async () => {
    const files = fakeFiles();
    const cache = memoryCache(files);
    await install(await config(), context, ports(files, cache).ports, fakeEcosystem().ecosystem);
    files.remove(ENV);
    const { ecosystem, asked } = fakeEcosystem({}, { verify: false });
    const { ports: p, runner, seen } = ports(files, cache);
    const outcome = await install(await config(), context, p, ecosystem);
    expect(asked.verify).toEqual([true]); // the cleared tree had no stamp: only the restore was asked about
    expect(seen.warnings).toEqual([expect.stringMatching(/restored from the cache .* does not run; discarding it/)]);
    expect(runner.calls).toHaveLength(2);
    expect(outcome.stage.status).toBe('success');
  });

  test("a failed command: the ecosystem's explanation is the headline, the log's tail the details, nothing saved", async () => {
    const files = fakeFiles();
    const cache = memoryCache(files);
    const { ecosystem } = fakeEcosystem({ create: undefined }, { explain: 'the lockfile is out of date' });
    const { ports: p } = ports(files, cache, 1);
    const outcome = await install(await config(), context, p, ecosystem);
    expect(outcome.stage).toMatchObject({ status: 'failure', headline: 'the lockfile is out of date', details: [expect.stringContaining('it broke')] });
    expect(cache.entries.size).toBe(0);
    expect(files.read(STAMP)).toBeUndefined();
  });

  test('without an explanation, the failed command and its exit code', async () => {
    const files = fakeFiles();
    const { ecosystem } = fakeEcosystem({ create: undefined, commands: [{ command: 'fake', args: ['install'], env: { A: '1' } }] });
    const outcome = await install(await config(), context, ports(files, undefined, 2).ports, ecosystem);
    expect(outcome.stage.headline).toBe('install failed: `A=1 fake install` exited with 2');
  });

  test('cache-dependency-path replaces the detected files in the key, read through the Files port', async () => {
    const lock = `${project}/custom.lock`;
    const files = fakeFiles({ [lock]: 'pinned\n' });
    const keyOf = async (overrides: Partial<Config> = {}) =>
      (await install(await config({ cache: false, ...overrides }), context, ports(files).ports, fakeEcosystem().ecosystem)).cacheKey;
    const detected = await keyOf();
    const chosen = await keyOf({ cacheDependencyFiles: [lock] });
    files.write(lock, 'changed\n');
    const changed = await keyOf({ cacheDependencyFiles: [lock] });
    expect(new Set([detected, chosen, changed]).size).toBe(3);
    expect(await keyOf()).toBe(detected);
  });

  test('nothing to install: no cache asked, no key reported', async () => {
    const files = fakeFiles();
    const cache = memoryCache(files);
    const { ecosystem } = fakeEcosystem({ nothingToInstall: true, commands: [] });
    const outcome = await install(await config(), context, ports(files, cache).ports, ecosystem);
    expect(outcome).toMatchObject({ cacheHit: false, cacheKey: undefined, stage: { headline: 'nothing to install' } });
    expect(cache.entries.size).toBe(0);
  });
});
