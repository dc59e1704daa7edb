// The shard split: `i/n` parsing (table), the split by durations, size and round robin (table), and
// properties over random suites: every file in exactly one shard, the same inputs giving the same
// split whatever their order, and the greedy bound on the slowest shard.

import { describe, expect, test } from '@jest/globals';
import { describeSplit, fileDurations, parseShard, shardArtifactName, splitTests, type TestFile } from '../../src/stages/shard-plan.js';
import { random, times } from '../fixtures/fuzz.js';

describe('parseShard', () => {
  test.each<[string, { index: number; total: number }]>([
    ['1/1', { index: 1, total: 1 }],
    ['2/4', { index: 2, total: 4 }],
    [' 4 / 4 ', { index: 4, total: 4 }],
    ['64/64', { index: 64, total: 64 }]
  ])('%s', (text, shard) => {
    expect(parseShard(text)).toEqual(shard);
  });

  test.each<[string, RegExp]>([
    ['', /must be `i\/n`/],
    ['2', /must be `i\/n`/],
    ['2of4', /must be `i\/n`/],
    ['-1/4', /must be `i\/n`/],
    ['1.5/4', /must be `i\/n`/],
    ['0/4', /from 1 to 4 \(matrix values start at 1\)/],
    ['5/4', /from 1 to 4/],
    ['1/0', /from 1 to 64/],
    ['1/65', /from 1 to 64/]
  ])('%j is refused', (text, message) => {
    expect(parseShard(text)).toMatch(message);
  });

  test('the artifact name', () => {
    expect(shardArtifactName({ index: 2, total: 4 })).toBe('slipway-shard-2-of-4');
  });
});

const files = (...paths: string[]): TestFile[] => paths.map((path) => ({ path }));

describe('splitTests', () => {
  test('by recorded durations: largest first into the lightest shard', () => {
    const durations = new Map([
      ['a.py', 100],
      ['b.py', 60],
      ['c.py', 50],
      ['d.py', 40],
      ['e.py', 10]
    ]);
    const plan = splitTests(files('a.py', 'b.py', 'c.py', 'd.py', 'e.py'), 2, durations);
    expect(plan).toEqual({
      basis: 'durations',
      shards: [
        ['a.py', 'd.py'],
        ['b.py', 'c.py', 'e.py']
      ],
      loads: [140, 120],
      unrecorded: []
    });
  });

  test('a file without a recorded duration weighs the mean of the others', () => {
    const plan = splitTests(
      files('new.py', 'a.py', 'b.py'),
      2,
      new Map([
        ['a.py', 30],
        ['b.py', 10]
      ])
    );
    expect(plan.unrecorded).toEqual(['new.py']);
    expect(plan.loads.reduce((a, b) => a + b)).toBe(60);
    expect(plan.shards).toEqual([['a.py'], ['b.py', 'new.py']]);
  });

  test('durations of files that are gone are ignored', () => {
    const plan = splitTests(files('a.py', 'b.py'), 2, new Map([['gone.py', 1000]]));
    expect(plan.basis).toBe('round robin');
  });

  test('without durations: by size when every size is known, else round robin', () => {
    const sized = splitTests(
      [
        { path: 'x.py', size: 10 },
        { path: 'y.py', size: 300 },
        { path: 'z.py', size: 200 }
      ],
      2
    );
    expect(sized).toMatchObject({ basis: 'size', shards: [['y.py'], ['x.py', 'z.py']], loads: [300, 210] });
    const robin = splitTests(files('d', 'a', 'c', 'b', 'e'), 2);
    expect(robin).toMatchObject({
      basis: 'round robin',
      shards: [
        ['a', 'c', 'e'],
        ['b', 'd']
      ]
    });
  });

  test('more shards than files: the extra shards are empty', () => {
    expect(splitTests(files('a.py'), 3, new Map([['a.py', 5]])).shards).toEqual([['a.py'], [], []]);
  });

  test('a file listed twice counts once', () => {
    expect(
      splitTests(files('a', 'a', 'b'), 2)
        .shards.flat()
        .sort()
    ).toEqual(['a', 'b']);
  });
});

describe('splitTests properties', () => {
  const suite = (seed: number): { list: TestFile[]; durations: Map<string, number> } => {
    const next = random(seed);
    const count = 1 + Math.floor(next() * 300);
    const list = [...times(count, (i) => ({ path: `tests/t${i.toString(36)}_${Math.floor(next() * 1e6)}.py`, size: 1 + Math.floor(next() * 5000) }))];
    const durations = new Map<string, number>();
    // Skewed: a few slow files, many fast ones; some files unrecorded.
    for (const file of list) if (next() < 0.9) durations.set(file.path, next() < 0.05 ? 5000 + next() * 20000 : next() * 300);
    return { list, durations };
  };

  test.each([...times(60, (i) => i + 1)])('seed %i: a partition, deterministic, order-free, within the greedy bound', (seed) => {
    const { list, durations } = suite(seed);
    const total = 1 + (seed % 8);
    const plan = splitTests(list, total, durations);
    const all = plan.shards.flat();
    expect(all.sort()).toEqual(list.map((f) => f.path).sort());
    expect(new Set(all).size).toBe(all.length);
    expect(plan.shards).toHaveLength(total);
    // The same inputs in another order: the same split (each shard computes it alone).
    const shuffled = [...list].reverse();
    const reordered = new Map([...durations].reverse());
    expect(splitTests(shuffled, total, reordered)).toEqual(plan);
    // Largest-first greedy: the slowest shard is at most the mean plus the largest single file.
    const sum = plan.loads.reduce((a, b) => a + b, 0);
    const largest = Math.max(...list.map((f) => durations.get(f.path) ?? sum / Math.max(1, list.length)));
    expect(Math.max(...plan.loads)).toBeLessThanOrEqual(sum / total + largest + 1e-6);
  });

  test('skewed suite of 240 files over 4 shards: the slowest shard within 1.15 × the mean', () => {
    const next = random(42);
    const durations = new Map<string, number>();
    const list: TestFile[] = [];
    for (let i = 0; i < 240; i++) {
      const path = `tests/test_${String(i).padStart(3, '0')}.py`;
      list.push({ path });
      durations.set(path, i < 6 ? 8000 + next() * 4000 : 50 + next() * 400);
    }
    const plan = splitTests(list, 4, durations);
    const sum = plan.loads.reduce((a, b) => a + b, 0);
    expect(Math.max(...plan.loads) / (sum / 4)).toBeLessThanOrEqual(1.15);
  });
});

describe('fileDurations and describeSplit', () => {
  test('sums a file’s tests, drops tests without a file, strips the project prefix', () => {
    const cases = [
      { file: 'app/tests/a.py', durationMs: 5 },
      { file: 'app/tests/a.py', durationMs: 7 },
      { file: 'app/tests/b.py', durationMs: 1 },
      { durationMs: 100 }
    ];
    expect(fileDurations(cases, 'app/')).toEqual(
      new Map([
        ['tests/a.py', 12],
        ['tests/b.py', 1]
      ])
    );
  });

  test('the log line names the basis', () => {
    const plan = splitTests(files('a', 'b', 'c'), 2, new Map([['a', 2000]]));
    expect(describeSplit(plan, { index: 1, total: 2 })).toBe(
      'shard 1/2: 2 of 3 test files, split by recorded durations (est. 4.0s of 6.0s; 2 new file(s) at the mean)'
    );
    expect(describeSplit(splitTests(files('a'), 2), { index: 2, total: 2 })).toBe('shard 2/2: 0 of 1 test files, split by round robin');
  });
});
