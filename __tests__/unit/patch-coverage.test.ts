// Table-driven tests of patch coverage, line ranges, the coverage delta and the patch-coverage-min
// gate, and property tests over random changes and coverage reports.

import { describe, expect, test } from '@jest/globals';
import type { CoverageResult, FileCoverage } from '../../src/model.js';
import type { ChangedFile } from '../../src/reports/diff.js';
import { coverageDelta, describeUncovered, lineRanges, patchCoverage, patchCoverageGate, type PatchCoverage } from '../../src/reports/patch-coverage.js';
import { pick, random, times } from '../fixtures/fuzz.js';

const changed = (path: string, lines: number[], complete = true): ChangedFile => ({ path, status: 'modified', lines, complete });
const measured = (path: string, covered: number[], missed: number[]): FileCoverage => ({
  path,
  linesValid: covered.length + missed.length,
  linesCovered: covered.length,
  percent: 0,
  lines: { covered, missed }
});
const list = <T>(count: number, make: (index: number) => T): T[] => [...times(count, make)];
const report = (...files: FileCoverage[]): CoverageResult => ({ percent: 0, linesValid: 0, linesCovered: 0, files });

describe('patchCoverage', () => {
  const cart = measured('shop/cart.py', [1, 2, 3, 10, 11], [30, 31, 32, 40, 41]);
  test.each<[string, ChangedFile[], CoverageResult | undefined, Omit<PatchCoverage, 'unreadFiles'>]>([
    [
      'changed lines ∩ measured lines',
      [changed('shop/cart.py', [2, 3, 4, 5, 30, 31, 32, 40])],
      report(cart),
      { covered: 2, total: 6, percent: 33.3, uncovered: [{ path: 'shop/cart.py', lines: [30, 31, 32, 40] }] }
    ],
    ['all covered', [changed('shop/cart.py', [1, 10])], report(cart), { covered: 2, total: 2, percent: 100, uncovered: [] }],
    ['only unmeasured lines (blank, comments)', [changed('shop/cart.py', [5, 6])], report(cart), { covered: 0, total: 0, percent: undefined, uncovered: [] }],
    [
      'a file the report does not know (tests, docs)',
      [changed('README.md', [1, 2])],
      report(cart),
      { covered: 0, total: 0, percent: undefined, uncovered: [] }
    ],
    ['no coverage at all', [changed('shop/cart.py', [30])], undefined, { covered: 0, total: 0, percent: undefined, uncovered: [] }],
    [
      'a report without line data is no measurement',
      [changed('a.py', [1])],
      report({ path: 'a.py', linesValid: 1, linesCovered: 0, percent: 0 }),
      { covered: 0, total: 0, percent: undefined, uncovered: [] }
    ],
    [
      'the same file twice in the report: covered if either run covered it',
      [changed('a.py', [1, 2, 3])],
      report(measured('a.py', [1], [2, 3]), measured('a.py', [2], [1])),
      { covered: 2, total: 3, percent: 66.7, uncovered: [{ path: 'a.py', lines: [3] }] }
    ],
    [
      'files sorted by path; repeated changed lines count once',
      [changed('z.py', [1, 1]), changed('a.py', [2])],
      report(measured('z.py', [], [1]), measured('a.py', [], [2])),
      {
        covered: 0,
        total: 2,
        percent: 0,
        uncovered: [
          { path: 'a.py', lines: [2] },
          { path: 'z.py', lines: [1] }
        ]
      }
    ],
    [
      'rounded like the total: never 100 unless all, never 0 unless none',
      [
        changed(
          'a.py',
          list(1000, (i) => i + 1)
        )
      ],
      report(
        measured(
          'a.py',
          list(999, (i) => i + 1),
          [1000]
        )
      ),
      { covered: 999, total: 1000, percent: 99.9, uncovered: [{ path: 'a.py', lines: [1000] }] }
    ]
  ])('%s', (_label, change, coverage, expected) => {
    expect(patchCoverage(change, coverage)).toEqual({ ...expected, unreadFiles: [] });
  });

  test('files whose diff could not be read are named', () => {
    expect(patchCoverage([changed('logo.png', [], false), changed('a.py', [1])], report(measured('a.py', [1], []))).unreadFiles).toEqual(['logo.png']);
  });
});

describe('lineRanges', () => {
  test.each<[number[], number, string]>([
    [[30, 31, 32, 40], Infinity, '30–32, 40'],
    [[7], Infinity, '7'],
    [[], Infinity, ''],
    [[5, 3, 4, 4, 1], Infinity, '1, 3–5'],
    [[1, 2, 4, 6, 7, 8, 10], 2, '1–2, 4, … (+4 lines)'],
    [[1, 3], 1, '1, … (+1 line)'],
    [[1, 3], 0, '… (+2 lines)']
  ])('%j (at most %d ranges) is %s', (lines, max, text) => {
    expect(lineRanges(lines, max)).toBe(text);
  });
});

describe('coverageDelta', () => {
  test.each<[number | undefined, number | undefined, string | undefined]>([
    [84.3, 83.1, '+1.2'],
    [80, 80.4, '-0.4'],
    [72.5, 72.5, '0.0'],
    [100, 0, '+100.0'],
    [0, 100, '-100.0'],
    [0.3, 0.1, '+0.2'],
    [66.7, 66.66, '0.0'],
    [undefined, 80, undefined],
    [80, undefined, undefined],
    [Number.NaN, 80, undefined]
  ])('%p against %p is %p', (current, baseline, delta) => {
    expect(coverageDelta(current, baseline)).toBe(delta);
  });
});

describe('patchCoverageGate', () => {
  const patch = (covered: number, total: number, uncovered = [{ path: 'shop/cart.py', lines: [30, 31, 32, 40] }]): PatchCoverage => ({
    covered,
    total,
    percent: total > 0 ? Math.round((1000 * covered) / total) / 10 : undefined,
    uncovered,
    unreadFiles: []
  });
  test.each<[string, PatchCoverage, number, boolean, RegExp | undefined]>([
    ['no minimum', patch(0, 4), 0, true, undefined],
    ['at the minimum', patch(4, 5), 80, true, undefined],
    [
      'below, naming the lines',
      patch(4, 8),
      80,
      false,
      /^patch coverage 50\.0% is below patch-coverage-min 80%: 4 of 8 changed lines not covered: shop\/cart\.py 30–32, 40$/
    ],
    ['nothing measurable passes and says so', patch(0, 0), 80, true, /no changed line is measured/],
    ['one line', patch(0, 1, [{ path: 'a.py', lines: [3] }]), 50, false, /1 of 1 changed line not covered: a\.py 3$/]
  ])('%s', (_label, input, min, pass, message) => {
    const gate = patchCoverageGate(input, min);
    expect(gate.pass).toBe(pass);
    if (message) expect(gate.message).toMatch(message);
    else expect(gate.message).toBeUndefined();
  });

  test('a long list is bounded: files and ranges past the limits are counted', () => {
    const uncovered = list(30, (f) => ({ path: `m${f}.py`, lines: list(50, (i) => 2 * i + 1) }));
    const text = describeUncovered(uncovered);
    expect(text).toMatch(/^m0\.py 1, 3, 5, 7, 9, 11, 13, 15, … \(\+42 lines\); m1\.py/);
    expect(text).toMatch(/; and 20 more files$/);
    expect(text.length).toBeLessThan(2000);
  });
});

describe('property: random changes against random reports', () => {
  test('percent within 0–100, covered ≤ total, the ranges cover exactly the uncovered lines', () => {
    const next = random(51);
    const problems: string[] = [];
    for (let run = 0; run < 1000; run += 1) {
      const paths = ['a.py', 'b.py', 'c/d.py', 'e.js'];
      const files = paths
        .filter(() => next() < 0.7)
        .map((path) => {
          const lines = list(60, (i) => i + 1).filter(() => next() < 0.6);
          const covered = lines.filter(() => next() < 0.5);
          return measured(
            path,
            covered,
            lines.filter((n) => !covered.includes(n))
          );
        });
      const change = paths
        .filter(() => next() < 0.7)
        .map((path) =>
          changed(
            path,
            list(Math.floor(next() * 20), () => 1 + Math.floor(next() * 70))
          )
        );
      const result = patchCoverage(change, report(...files));
      if (result.covered > result.total || result.covered < 0) problems.push(`counts ${result.covered}/${result.total}`);
      if (result.percent !== undefined && !(result.percent >= 0 && result.percent <= 100)) problems.push(`percent ${result.percent}`);
      if ((result.percent === undefined) !== (result.total === 0)) problems.push('percent without lines');
      for (const { path, lines } of result.uncovered) {
        const expected = new Set(change.filter((c) => c.path === path).flatMap((c) => c.lines));
        const missed = files.find((f) => f.path === path)?.lines?.missed ?? [];
        const want = missed.filter((n) => expected.has(n));
        const fromRanges = lineRanges(lines)
          .split(', ')
          .flatMap((range) => {
            const [from, to = from] = range.split('–').map(Number) as [number, number?];
            return list(to - from + 1, (i) => from + i);
          });
        if (fromRanges.join() !== want.join()) problems.push(`${path}: ${lineRanges(lines)} ≠ ${want.join()}`);
      }
      const missedTotal = result.uncovered.reduce((sum, f) => sum + f.lines.length, 0);
      if (missedTotal !== result.total - result.covered) problems.push('uncovered lines and counts disagree');
      const gate = patchCoverageGate(result, pick(next, [0, 50, 80, 100]));
      if (!gate.pass && !gate.message?.includes(result.uncovered[0]?.path ?? '\u0000')) problems.push('a failing gate names no file');
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
