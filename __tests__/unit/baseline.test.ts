// Table-driven tests of the baseline record (build, caps, serialize, parse with validation) and
// property tests: random reports round-trip and stay small; mutated records never throw.

import { describe, expect, test } from '@jest/globals';
import type { FileCoverage, Report, TestCase } from '../../src/model.js';
import { BASELINE_LIMITS, BASELINE_VERSION, buildBaseline, parseBaseline, serializeBaseline, testId, type Baseline } from '../../src/reports/baseline.js';
import { byteString, mutations, random, times, tokenSoup } from '../fixtures/fuzz.js';

const SHA = 'a'.repeat(40);
const file = (path: string, percent: number, linesValid = 10): FileCoverage => ({ path, percent, linesValid, linesCovered: 0 });
const testCase = (classname: string, name: string, durationMs: number): TestCase => ({ classname, name, durationMs, outcome: 'passed' });

function reportOf(files: FileCoverage[], cases: TestCase[], percent: number | undefined = 84.2): Report {
  return {
    result: 'success',
    durationMs: 1,
    stages: [],
    cacheHit: false,
    coverage: percent === undefined ? undefined : { percent, linesValid: 100, linesCovered: 84, files },
    tests: { passed: cases.length, failed: 0, skipped: 0, total: cases.length, durationMs: 1, cases }
  };
}

describe('testId', () => {
  test.each<[string, string, string]>([
    ['tests.test_cart', 'test_total', 'tests.test_cart::test_total'],
    ['', 'adds numbers', 'adds numbers'],
    ['Cart › total', 'is 0 when empty', 'Cart › total::is 0 when empty']
  ])('%s / %s', (classname, name, id) => {
    expect(testId({ classname, name })).toBe(id);
  });
});

describe('buildBaseline', () => {
  test('total and per-file coverage at one decimal, durations by test id in whole milliseconds', () => {
    const baseline = buildBaseline(
      reportOf([file('shop/cart.py', 68.75), file('shop/tax.py', 100)], [testCase('t', 'a', 12.6), testCase('t', 'b', 0), testCase('t', 'a', 3)], 84.24),
      SHA
    );
    const expected: Baseline = {
      version: BASELINE_VERSION,
      commit: SHA,
      coverage: 84.2,
      files: new Map([
        ['shop/cart.py', 68.8],
        ['shop/tax.py', 100]
      ]),
      durations: new Map([
        ['t::a', 16],
        ['t::b', 0]
      ]),
      omitted: { files: 0, tests: 0, testsMs: 0 }
    };
    expect(baseline).toEqual(expected);
  });

  test('without coverage or tests', () => {
    const baseline = buildBaseline({ result: 'success', durationMs: 1, stages: [], cacheHit: false }, SHA);
    expect(baseline).toEqual({ version: 1, commit: SHA, files: new Map(), durations: new Map(), omitted: { files: 0, tests: 0, testsMs: 0 } });
    expect('coverage' in baseline).toBe(false);
  });

  test('past the caps the smallest files and fastest tests are left out and counted', () => {
    const files = [...times(BASELINE_LIMITS.files + 5, (i) => file(`f${i}.py`, 50, i + 1))];
    const cases = [...times(BASELINE_LIMITS.tests + 3, (i) => testCase('t', `n${i}`, i))];
    const baseline = buildBaseline(reportOf(files, cases), SHA);
    expect(baseline.files.size).toBe(BASELINE_LIMITS.files);
    expect([...times(5, (i) => baseline.files.has(`f${i}.py`))]).toEqual([false, false, false, false, false]);
    expect(baseline.durations.size).toBe(BASELINE_LIMITS.tests);
    expect(baseline.omitted).toEqual({ files: 5, tests: 3, testsMs: 0 + 1 + 2 });
  });

  test('paths and ids too long to keep, empty ones and absurd numbers are left out', () => {
    const long = 'x'.repeat(BASELINE_LIMITS.keyLength + 1);
    const baseline = buildBaseline(
      reportOf([file(long, 50), file('', 50), file('ok.py', Number.NaN)], [testCase('t', long, 1), testCase('t', 'neg', -5)]),
      SHA
    );
    expect([baseline.files.size, baseline.durations.size]).toEqual([0, 0]);
  });

  test('length is measured as JSON text: a control character counts six', () => {
    const fits = '\u0001'.repeat(BASELINE_LIMITS.keyLength / 6);
    const baseline = buildBaseline(reportOf([file(fits, 50), file(`${fits}\u0001`, 50)], []), SHA);
    expect([...baseline.files.keys()]).toEqual([fits]);
  });
});

describe('serializeBaseline and parseBaseline', () => {
  const valid = buildBaseline(reportOf([file('shop/cart.py', 68.8)], [testCase('t', 'a', 5)]), SHA);
  const json = JSON.parse(serializeBaseline(valid)) as Record<string, unknown>;
  const variant = (change: Record<string, unknown>): string => JSON.stringify({ ...json, ...change });

  test('a record reads back as written', () => {
    expect(serializeBaseline(valid)).toBe(
      `{"version":1,"commit":"${SHA}","coverage":84.2,"files":{"shop/cart.py":68.8},"durations":{"t::a":5},"omitted":{"files":0,"tests":0,"testsMs":0}}`
    );
    expect(parseBaseline(serializeBaseline(valid))).toEqual(valid);
  });

  test('keys such as __proto__ are data, not prototypes', () => {
    const baseline = buildBaseline(reportOf([file('__proto__', 10), file('constructor', 20)], [testCase('', '__proto__', 7)]), 'b'.repeat(64));
    const read = parseBaseline(serializeBaseline(baseline));
    expect(read?.files.get('__proto__')).toBe(10);
    expect(read?.durations.get('__proto__')).toBe(7);
    expect(read?.durations.get('toString')).toBeUndefined();
  });

  test.each<[string, string]>([
    ['empty', ''],
    ['not JSON', '{"version":1,'],
    ['JSON, not an object', '[1,2]'],
    ['another version', variant({ version: 2 })],
    ['a version as text', variant({ version: '1' })],
    ['no commit', variant({ commit: undefined })],
    ['a short commit', variant({ commit: 'abc1234' })],
    ['an uppercase commit', variant({ commit: 'A'.repeat(40) })],
    ['coverage over 100', variant({ coverage: 100.1 })],
    ['coverage as text', variant({ coverage: '84.2' })],
    ['files not an object', variant({ files: [] })],
    ['a file percent below 0', variant({ files: { 'a.py': -1 } })],
    ['an empty path', variant({ files: { '': 5 } })],
    ['a duration not whole', variant({ durations: { a: 1.5 } })],
    ['a negative duration', variant({ durations: { a: -1 } })],
    ['no omitted', variant({ omitted: undefined })],
    ['omitted not counts', variant({ omitted: { files: 'many', tests: 0, testsMs: 0 } })],
    ['more files than the cap', variant({ files: Object.fromEntries(times(BASELINE_LIMITS.files + 1, (i) => [`f${i}`, 1])) })],
    ['larger than the byte cap', ' '.repeat(BASELINE_LIMITS.bytes + 1)]
  ])('%s reads as undefined', (_label, text) => {
    expect(parseBaseline(text)).toBeUndefined();
  });

  test('not text at all reads as undefined', () => {
    expect(parseBaseline(undefined as unknown as string)).toBeUndefined();
    expect(parseBaseline(42 as unknown as string)).toBeUndefined();
  });
});

describe('properties', () => {
  test('random reports round-trip and stay within the size bound', () => {
    const next = random(61);
    const name = () => byteString(next, 1 + Math.floor(next() * 320)) || 'x';
    for (let run = 0; run < 200; run += 1) {
      const files = [...times(Math.floor(next() * 40), () => file(name(), Math.round(next() * 1000) / 10, Math.floor(next() * 500)))];
      const cases = [...times(Math.floor(next() * 60), () => testCase(next() < 0.3 ? '' : name(), name(), next() * 10_000))];
      const baseline = buildBaseline(reportOf(files, cases, next() < 0.1 ? undefined : Math.round(next() * 1000) / 10), SHA);
      const text = serializeBaseline(baseline);
      expect(parseBaseline(text)).toEqual(baseline);
      expect(text.length).toBeLessThanOrEqual((baseline.files.size + baseline.durations.size) * (BASELINE_LIMITS.keyLength + 24) + 200);
    }
  });

  test('a full record stays under the byte cap it is read with', () => {
    const key = (i: number) => `${i}`.padStart(BASELINE_LIMITS.keyLength, 'k');
    const files = [...times(BASELINE_LIMITS.files, (i) => file(key(i), 99.9, 5))];
    const cases = [...times(BASELINE_LIMITS.tests, (i) => testCase('', key(i), 999_999))];
    const text = serializeBaseline(buildBaseline(reportOf(files, cases), SHA));
    expect(text.length).toBeLessThan(BASELINE_LIMITS.bytes);
    expect(parseBaseline(text)?.durations.size).toBe(BASELINE_LIMITS.tests);
  });

  test('mutated, soup and byte records never throw and read as undefined or a valid record', () => {
    const next = random(62);
    const record = serializeBaseline(buildBaseline(reportOf([file('a.py', 50), file('b.py', 75)], [testCase('t', 'a', 5), testCase('t', 'b', 9)]), SHA));
    const tokens = ['{', '}', '"', ':', ',', '1', '-1', '1e999', 'null', '"version"', '"files"', '"__proto__"', '[', ']', '2', SHA];
    const inputs = [...mutations([record], 1500, next, { tokens }), ...times(300, () => tokenSoup(next, tokens)), ...times(300, () => byteString(next))];
    for (const text of inputs) {
      const read = parseBaseline(text);
      if (read !== undefined) expect(parseBaseline(serializeBaseline(read))).toEqual(read);
    }
  });
});
