// Merging the shards' records: counts and failing tests added, durations joined, coverage combined
// line by line (equal to an unsharded run's), missing and stray shards named; the record round-trips
// and a damaged one reads as a reason, never a throw.

import { describe, expect, test } from '@jest/globals';
import type { CoverageResult, FileCoverage, TestCase } from '../../src/model.js';
import { mergeShardRecords, parseShardRecord, serializeShardRecord, SHARD_RECORD_VERSION, type ShardRecord } from '../../src/reports/merge-shards.js';
import { mergeCoverage } from '../../src/stages/test-tiers.js';
import { mutations, random, times } from '../fixtures/fuzz.js';

const fileCoverage = (path: string, covered: number[], missed: number[]): FileCoverage => ({
  path,
  linesValid: covered.length + missed.length,
  linesCovered: covered.length,
  percent: 0,
  lines: { covered, missed }
});
const coverageOf = (...files: FileCoverage[]): CoverageResult => {
  const linesValid = files.reduce((s, f) => s + f.linesValid, 0);
  const linesCovered = files.reduce((s, f) => s + f.linesCovered, 0);
  return { percent: Math.round((linesCovered / linesValid) * 1000) / 10, linesValid, linesCovered, files };
};
const testCase = (name: string, outcome: TestCase['outcome'], file: string): TestCase => ({ name, classname: 'c', outcome, durationMs: 10, file });

function record(index: number, total: number, cases: TestCase[], coverage?: CoverageResult, files: string[] = []): ShardRecord {
  const count = (o: TestCase['outcome'][]): number => cases.filter((c) => o.includes(c.outcome)).length;
  return {
    version: SHARD_RECORD_VERSION,
    index,
    total,
    files,
    stage: { status: count(['failed', 'error']) > 0 ? 'failure' : 'success', headline: `${count(['passed'])} passed` },
    results: {
      passed: count(['passed']),
      failed: count(['failed', 'error']),
      skipped: count(['skipped']),
      total: cases.length,
      durationMs: cases.length * 10,
      cases
    },
    coverage,
    durations: Object.fromEntries(files.map((f) => [f, 10]))
  };
}

describe('mergeShardRecords', () => {
  test('adds counts and failing tests, combines coverage line by line, joins durations', () => {
    const one = record(1, 2, [testCase('a', 'passed', 't/a.py'), testCase('b', 'failed', 't/a.py')], coverageOf(fileCoverage('app.py', [1, 2], [3, 4])), [
      't/a.py'
    ]);
    const two = record(2, 2, [testCase('c', 'passed', 't/c.py'), testCase('d', 'skipped', 't/c.py')], coverageOf(fileCoverage('app.py', [3], [1, 2, 4])), [
      't/c.py'
    ]);
    const merged = mergeShardRecords([two, one], 2);
    expect(merged).toMatchObject({ missing: [], strays: [], twice: [], failedShards: [{ index: 1, headline: '1 passed' }] });
    expect(merged.results).toMatchObject({ passed: 2, failed: 1, skipped: 1, total: 4 });
    expect(merged.results!.cases.map((c) => c.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(merged.coverage).toMatchObject({ linesValid: 4, linesCovered: 3, percent: 75 });
    expect(merged.durations).toEqual(
      new Map([
        ['t/a.py', 10],
        ['t/c.py', 10]
      ])
    );
  });

  test('missing shards, strays of another split and files run twice are named', () => {
    const merged = mergeShardRecords([record(2, 4, [], undefined, ['x']), record(3, 4, [], undefined, ['x']), record(1, 3, [])], 4);
    expect(merged).toMatchObject({ missing: [1, 4], strays: ['1/3'], twice: ['x'] });
  });

  test("the first shard's lint and audit verdicts and findings are the merge's", () => {
    const lint = { name: 'lint' as const, status: 'failure' as const, headline: '2 findings (lint-blocking)' };
    const finding = { path: 'a.py', line: 1, code: 'F401', message: 'unused', severity: 'warning' as const };
    const first = { ...record(1, 2, []), checks: [lint], findings: [finding] };
    const merged = mergeShardRecords([record(2, 2, []), first], 2);
    expect(merged.checks).toEqual([lint]);
    expect(merged.findings).toEqual([finding]);
    expect(mergeShardRecords([record(1, 1, [])], 1).checks).toEqual([]);
  });

  test('one shard alone: its coverage recounted the same way', () => {
    const merged = mergeShardRecords([record(1, 1, [], coverageOf(fileCoverage('a.py', [1, 2, 3], [4])))], 1);
    expect(merged.coverage).toMatchObject({ percent: 75, linesValid: 4, linesCovered: 3 });
  });

  test('property: shards of a random suite merge to the unsharded coverage and counts', () => {
    for (const seed of times(40, (i) => i + 1)) {
      const next = random(seed);
      const sources = [...times(1 + Math.floor(next() * 10), (i) => `src/m${i}.py`)];
      const lineCount = new Map(sources.map((s) => [s, 1 + Math.floor(next() * 40)]));
      const shardCount = 1 + Math.floor(next() * 6);
      // Each shard covers some lines of some files; the unsharded run covers their union.
      const shardLines = [
        ...times(shardCount, () => new Map(sources.map((s) => [s, new Set([...times(lineCount.get(s)!, (l) => l + 1)].filter(() => next() < 0.3))])))
      ];
      const toCoverage = (covered: Map<string, Set<number>>): CoverageResult =>
        coverageOf(
          ...sources.map((s) => {
            const all = [...times(lineCount.get(s)!, (l) => l + 1)];
            return fileCoverage(
              s,
              all.filter((l) => covered.get(s)!.has(l)),
              all.filter((l) => !covered.get(s)!.has(l))
            );
          })
        );
      const union = new Map(sources.map((s) => [s, new Set(shardLines.flatMap((m) => [...m.get(s)!]))]));
      const records = shardLines.map((lines, i) => record(i + 1, shardCount, [testCase(`t${i}`, 'passed', `t${i}.py`)], toCoverage(lines), [`t${i}.py`]));
      const merged = mergeShardRecords(records, shardCount);
      const unsharded = mergeCoverage([toCoverage(union), coverageOf(fileCoverage('unused', [], []))].slice(0, 1));
      expect(merged.coverage?.linesCovered).toBe(unsharded!.linesCovered);
      expect(merged.coverage?.linesValid).toBe(unsharded!.linesValid);
      expect(merged.coverage?.percent).toBe(unsharded!.percent);
      expect(merged.results?.total).toBe(shardCount);
    }
  });
});

describe('shard records', () => {
  const good = record(1, 2, [testCase('a', 'passed', 'a.py')], coverageOf(fileCoverage('x.py', [1], [2])), ['a.py']);

  test('round-trips', () => {
    expect(parseShardRecord(serializeShardRecord(good))).toEqual(good);
  });

  test.each<[string, RegExp]>([
    ['not json', /not JSON/],
    ['[]', /not an object/],
    [JSON.stringify({ ...good, version: 99 }), /version 99 .*one Slipway version/],
    [JSON.stringify({ ...good, files: undefined }), /lacks/],
    [JSON.stringify({ ...good, results: { passed: -1 } }), /unreadable test results/],
    [JSON.stringify({ ...good, coverage: { files: [{}] } }), /unreadable coverage/]
  ])('%s is refused with a reason', (text, reason) => {
    expect(parseShardRecord(text)).toMatch(reason);
  });

  test('mutated records never throw', () => {
    const text = serializeShardRecord(good);
    for (const mutated of mutations([text], 300, random(7), { tokens: ['{', '}', '"version"', '1', 'null', '[]', '"files"'] }))
      expect(() => parseShardRecord(mutated)).not.toThrow();
  });
});
