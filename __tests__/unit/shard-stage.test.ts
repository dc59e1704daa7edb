// Sharding's rules outside the split: the inputs (checked in buildConfig), how a shard's files reach
// each runner's command, and the merge job's verdict (missing shards, failed shards, the gates).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { buildConfig } from '../../src/config.js';
import type { TestPlan } from '../../src/ecosystems/ecosystem.js';
import type { InputName } from '../../src/inputs.js';
import { mergeShardRecords, SHARD_RECORD_VERSION, type ShardRecord } from '../../src/reports/merge-shards.js';
import { mergedVerdict } from '../../src/stages/merge-collect.js';
import { shardTestPlan, type ShardShare } from '../../src/stages/shard-command.js';
import { projectPrefix, restoreOnly } from '../../src/stages/shard.js';

const repo = mkdtempSync(join(tmpdir(), 'slipway-shard-config-'));
const configOf = (inputs: Partial<Record<InputName, string>>) => buildConfig((name) => inputs[name] ?? '', repo);

describe('shard inputs', () => {
  test('absent: no shard, no merge', async () => {
    const config = await configOf({});
    expect(config.shard).toBeUndefined();
    expect(config.mergeShards).toBe(false);
  });

  test('shard i/n and merge-shards', async () => {
    expect((await configOf({ shard: '3/4' })).shard).toEqual({ index: 3, total: 4 });
    expect((await configOf({ 'merge-shards': 'true' })).mergeShards).toBe(true);
  });

  test.each<[Partial<Record<InputName, string>>, RegExp]>([
    [{ shard: '5/4' }, /^Input `shard`: 5\/4: the shard must be from 1 to 4/],
    [{ shard: '0/4' }, /matrix values start at 1/],
    [{ shard: '1/65' }, /from 1 to 64/],
    [{ shard: 'two' }, /^Input `shard`: must be `i\/n`/],
    [{ shard: '1/2', 'merge-shards': 'true' }, /^Input `merge-shards`: is true in a job that also has `shard`/],
    [{ shard: '1/2', 'test-command': 'pytest tests/unit\npytest tests/e2e' }, /^Input `shard`: `test-command` has several lines/],
    [{ 'merge-shards': 'maybe' }, /merge-shards/]
  ])('%j is refused', async (inputs, message) => {
    await expect(configOf(inputs)).rejects.toThrow(message);
  });
});

const plan = (runner: string, args: string[], extra: Partial<TestPlan> = {}): TestPlan => ({
  runner,
  commands: [
    { command: 'run', args },
    { command: 'report', args: ['xml'] }
  ],
  junit: [],
  notes: [],
  ...extra
});

describe('shardTestPlan', () => {
  const files = ['tests/test_a.py', 'tests/test_b.py'];
  const share: ShardShare = { files, all: [...files, 'tests/test_c.py'], first: true, root: '/p' };

  test.each<[string, string[], string[]]>([
    ['jest', ['test', '--', '--ci', '--json'], ['test', '--', '--ci', '--json', '--runTestsByPath', ...files]],
    ['vitest', ['test', '--', '--reporter=junit'], ['test', '--', '--reporter=junit', ...files]],
    ['mocha', ['test', '--', '--reporter', 'xunit'], ['test', '--', '--reporter', 'xunit', ...files]],
    ['node', ['test', '--', '--test-reporter=junit'], ['test', '--', '--test-reporter=junit', ...files]],
    // pytest run some other way (Django's launcher): the files as arguments.
    [
      'pytest',
      ['/r/django_launcher.py', 'j.xml', '', 'pytest-django', '--', '-x'],
      ['/r/django_launcher.py', 'j.xml', '', 'pytest-django', '--', '-x', ...files]
    ]
  ])('%s: the files at the end of the command that runs the tests', (runner, args, expected) => {
    const sharded = shardTestPlan(plan(runner, args), share);
    expect(sharded.commands[0]!.args).toEqual(expected);
    expect(sharded.commands[1]!.args).toEqual(['xml']);
  });

  test.each<[string, string, string[], string, string[]]>([
    [
      'python -m pytest',
      '/v/bin/python',
      ['-m', 'pytest', '--junitxml=/r/junit.xml', 'tests/unit'],
      '/v/bin/python',
      ['/r/slipway_pytest_shard.py', '--junitxml=/r/junit.xml', 'tests/unit']
    ],
    [
      'coverage run -m pytest',
      '/v/bin/python',
      ['-m', 'coverage', 'run', '-m', 'pytest', '-x'],
      '/v/bin/python',
      ['-m', 'coverage', 'run', '/r/slipway_pytest_shard.py', '-x']
    ],
    ['the pytest program', 'pytest', ['-q', 'tests'], 'python', ['/r/slipway_pytest_shard.py', '-q', 'tests']]
  ])('pytest (%s): the command as written, through the launcher with the share beside it', (_name, command, args, launched, launchedArgs) => {
    const sharded = shardTestPlan({ ...plan('pytest', args), commands: [{ command, args }], junit: ['/r/junit.xml'] }, share);
    expect(sharded.commands).toEqual([{ command: launched, args: launchedArgs }]);
    const written = Object.fromEntries((sharded.writes ?? []).map((file) => [file.path, file.text]));
    expect(written['/r/slipway_pytest_shard.py']).toMatch(/pytest\.main\(sys\.argv\[1:\], plugins=\[SlipwayShard\(\)\]\)/);
    expect(JSON.parse(written['/r/slipway-shard.json']!)).toEqual({
      mine: ['/p/tests/test_a.py', '/p/tests/test_b.py'],
      all: ['/p/tests/test_a.py', '/p/tests/test_b.py', '/p/tests/test_c.py'],
      first: true
    });
  });

  test.each<[string, Partial<TestPlan>, RegExp]>([
    ['unittest', {}, /pytest is not installed: add it to your dev requirements/],
    ["Django's test runner or unittest", {}, /sharding works with pytest, jest, vitest, mocha and node --test/],
    ['custom', {}, /the test command cannot be given/],
    ['jest', { writes: [{ path: '/r/slipway-runner-options.cjs', text: '' }] }, /runs jest among other commands.*npx jest/]
  ])('%s is refused with the fix', (runner, extra, message) => {
    expect(() => shardTestPlan(plan(runner, [], extra), share)).toThrow(message);
  });

  test('a plan with nothing to run stays as it is', () => {
    const empty: TestPlan = { runner: 'none', commands: [], junit: [], notes: ['no test script'] };
    expect(shardTestPlan(empty, share)).toBe(empty);
  });
});

const record = (index: number, total: number, status: 'success' | 'failure', passed: number, failed: number): ShardRecord => ({
  version: SHARD_RECORD_VERSION,
  index,
  total,
  files: [`t${index}.py`],
  stage: { status, headline: status === 'failure' ? `${failed} failed` : `${passed} passed` },
  results: {
    passed,
    failed,
    skipped: 0,
    total: passed + failed,
    durationMs: 1,
    cases: Array.from({ length: failed }, (_, i) => ({
      name: `test_${index}_${i}`,
      classname: 'c',
      durationMs: 1,
      outcome: 'failed' as const,
      message: 'boom'
    }))
  },
  coverage: {
    percent: 50,
    linesValid: 2,
    linesCovered: 1,
    files: [{ path: 'a.py', linesValid: 2, linesCovered: 1, percent: 50, lines: { covered: [index], missed: [3 - index] } }]
  },
  durations: {}
});

describe('mergedVerdict', () => {
  test('all shards green: one headline with the merged counts and the combined coverage', () => {
    const merged = mergeShardRecords([record(1, 2, 'success', 3, 0), record(2, 2, 'success', 4, 0)], 2);
    expect(mergedVerdict({ coverageMin: 0 }, merged, [], 2)).toEqual({
      name: 'test',
      status: 'success',
      headline: '2 shards · 7 passed, 0 failed, 0 skipped · coverage 100.0%',
      details: []
    });
  });

  test('a missing shard fails and names its artifact', () => {
    const merged = mergeShardRecords([record(1, 3, 'success', 3, 0), record(3, 3, 'success', 1, 0)], 3);
    const verdict = mergedVerdict({ coverageMin: 0 }, merged, ['slipway-shard-2-of-3: its shard.json is not JSON'], 3);
    expect(verdict.status).toBe('failure');
    expect(verdict.headline).toBe('merge-shards: shard 2 of 3 is missing (no slipway-shard-2-of-3)');
    expect(verdict.details![0]).toBe('slipway-shard-2-of-3: its shard.json is not JSON');
  });

  test('shards that had test files but ran no test fail the merge (never green on nothing)', () => {
    const merged = mergeShardRecords([record(1, 2, 'success', 0, 0), record(2, 2, 'success', 0, 0)], 2);
    expect(mergedVerdict({ coverageMin: 0 }, merged, [], 2)).toMatchObject({
      status: 'failure',
      headline: 'merge-shards: the 2 shards ran no test from their 2 test files'
    });
  });

  test('failing tests of any shard fail the merge and are named; coverage-min applies to the combined figure', () => {
    const failing = mergeShardRecords([record(1, 2, 'failure', 1, 2), record(2, 2, 'success', 4, 0)], 2);
    const verdict = mergedVerdict({ coverageMin: 0 }, failing, [], 2);
    expect(verdict).toMatchObject({ status: 'failure', headline: expect.stringMatching(/^2 shards · 2 of 7 tests failed: test_1_0, test_1_1/) });
    const green = mergeShardRecords([record(1, 2, 'success', 1, 0), record(2, 2, 'success', 1, 0)], 2);
    expect(mergedVerdict({ coverageMin: 100 }, green, [], 2).status).toBe('success');
    const half = mergeShardRecords([record(1, 1, 'success', 1, 0)], 1);
    expect(mergedVerdict({ coverageMin: 60 }, half, [], 1).headline).toMatch(/coverage 50.0% is below coverage-min 60%/);
  });
});

describe('shard helpers', () => {
  test('projectPrefix', () => {
    expect(projectPrefix({ workingDirectory: '/w/app' }, { repositoryRoot: '/w' })).toBe('app/');
    expect(projectPrefix({ workingDirectory: '/w' }, { repositoryRoot: '/w' })).toBe('');
    expect(projectPrefix({ workingDirectory: '/w/a/b/' }, { repositoryRoot: '/w/' })).toBe('a/b/');
  });

  test('restoreOnly restores through the store and never saves', async () => {
    const calls: string[] = [];
    const store = restoreOnly({
      description: 'fake',
      restore: async (_paths, key) => (calls.push(`restore ${key}`), key),
      save: async (_paths, key) => (calls.push(`save ${key}`), true)
    });
    expect(await store.restore(['/x'], 'k')).toBe('k');
    expect(await store.save(['/x'], 'k')).toBe(false);
    expect(calls).toEqual(['restore k']);
  });
});
