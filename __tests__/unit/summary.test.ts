import { describe, expect, test } from '@jest/globals';
import type { Finding, Report, TestCase } from '../../src/model.js';
import { renderSummary } from '../../src/reports/summary.js';
import { renderTerminal } from '../../src/reports/terminal.js';

const passing = (i: number): TestCase => ({ name: `test_${i}`, classname: 'tests.test_app', durationMs: i, outcome: 'passed' });
const failing = (i: number): TestCase => ({
  name: `test_broken_${i}`,
  classname: 'tests.test_app',
  file: 'tests/test_app.py',
  line: 10 + i,
  durationMs: 5,
  outcome: 'failed',
  message: `AssertionError: assert ${i} == 0`,
  details: `def test_broken_${i}():\n>   assert ${i} == 0\nE   AssertionError\n` + 'x'.repeat(50_000)
});
const finding = (i: number, code = `E${i % 30}`): Finding => ({
  path: `pkg/mod_${i % 50}.py`,
  line: i,
  column: 1,
  code,
  message: `problem ${i} | <b>`,
  severity: 'warning'
});

const base: Report = {
  result: 'success',
  durationMs: 4200,
  cacheHit: true,
  cacheKey: 'slipway-v1-linux-x64-python-cpython-3.11.7-abcd1234-' + 'f'.repeat(64),
  stages: [
    { name: 'install', status: 'success', durationMs: 800, headline: 'restored from cache (pip)' },
    { name: 'test', status: 'success', durationMs: 2100, headline: '5 passed, 0 failed, 0 skipped · coverage 92.3%' },
    { name: 'lint', status: 'warning', durationMs: 300, headline: 'ruff: 3 findings' }
  ],
  tests: { passed: 5, failed: 0, skipped: 0, total: 5, durationMs: 2000, cases: [1, 2, 3, 4, 5].map(passing) },
  coverage: {
    percent: 92.3,
    linesValid: 26,
    linesCovered: 24,
    files: [
      { path: 'app.py', linesValid: 20, linesCovered: 18, percent: 90 },
      { path: 'util.py', linesValid: 6, linesCovered: 6, percent: 100 }
    ]
  },
  findings: [finding(1, 'F401'), finding(2, 'F401'), finding(3, 'F841')]
};

describe('renderSummary', () => {
  test('a passing run: headline, stage table, counts, coverage, lint by rule, cache line', () => {
    const md = renderSummary(base);
    expect(md).toMatch(/^## ✅ Slipway: success in 4\.2s/);
    expect(md).toContain('| ✅ install | restored from cache (pip) | 800ms |');
    expect(md).toContain('| ⚠️ lint | ruff: 3 findings | 300ms |');
    expect(md).toContain('**5** passed · **0** failed · **0** skipped');
    expect(md).toContain('Total line coverage: **92.3%** (24 of 26 lines)');
    expect(md).toMatch(/\| app\.py \| 90\.0% \| 18\/20 \|\n\| util\.py \| 100\.0% \| 6\/6 \|/);
    expect(md).toContain('| F401 | 2 |');
    expect(md).toContain('| F841 | 1 |');
    expect(md).toContain('Dependency cache: hit');
  });

  test('a failing run names the failed stage and shows each failure with its place and message', () => {
    const md = renderSummary({
      ...base,
      result: 'failure',
      stages: [base.stages[0], { name: 'test', status: 'failure', durationMs: 100, headline: '1 of 6 tests failed: test_broken_1' }],
      tests: { passed: 5, failed: 1, skipped: 0, total: 6, durationMs: 10, cases: [...base.tests!.cases, failing(1)] }
    });
    expect(md).toMatch(/^## ❌ Slipway: failure/);
    expect(md).toContain('- **test**: 1 of 6 tests failed: test\\_broken\\_1');
    expect(md).toContain('<code>tests.test_app.test_broken_1</code> (tests/test_app.py:11): AssertionError: assert 1 == 0');
  });

  test('tool text cannot inject HTML or break tables', () => {
    const md = renderSummary({ ...base, findings: [finding(1, 'X|Y')] });
    expect(md).not.toContain('<b>');
    expect(md).toContain('&lt;b&gt;');
    expect(md).toContain('| X\\|Y | 1 |');
  });

  test('a huge run stays far below GitHub’s 1 MiB limit and says what it left out', () => {
    const cases = [...Array.from({ length: 50_000 }, (_, i) => passing(i)), ...Array.from({ length: 2_000 }, (_, i) => failing(i))];
    const md = renderSummary({
      ...base,
      result: 'failure',
      tests: { passed: 50_000, failed: 2_000, skipped: 0, total: 52_000, durationMs: 1, cases },
      findings: Array.from({ length: 100_000 }, (_, i) => finding(i)),
      hiddenAnnotations: 101_990
    });
    expect(Buffer.byteLength(md)).toBeLessThan(200 * 1024);
    expect(md).toContain('…and 1980 more failing tests');
    expect(md).toContain('| …20 more rules | | |');
    expect(md).toContain('101990 more annotations were not shown');
  });
});

test('the terminal block carries the same facts', () => {
  const lines = renderTerminal({ ...base, result: 'failure', tests: { ...base.tests!, failed: 1, cases: [failing(2)] } });
  expect(lines).toContain('tests: 5 passed, 1 failed, 0 skipped in 2.0s');
  expect(lines).toContain('  ✗ tests.test_app.test_broken_2 (tests/test_app.py:12): AssertionError: assert 2 == 0');
  expect(lines.join('\n')).toMatch(/coverage: 92\.3% \(least covered: app\.py 90\.0%, util\.py 100\.0%\)/);
  expect(lines).toContain('lint: 3 findings (F401×2, F841×1)');
  expect(lines[lines.length - 1]).toBe('FAILURE in 4.2s');
});

test('a test without a class (a collection error) is named by its name alone, never with a leading dot', () => {
  const collection: TestCase = { ...failing(1), classname: '', name: 'tests.test_auth', outcome: 'error', message: 'ImportError: no module x' };
  const report: Report = { ...base, result: 'failure', tests: { passed: 0, failed: 1, skipped: 0, total: 1, durationMs: 5, cases: [collection] } };
  for (const text of [renderSummary(report), renderTerminal(report).join('\n')]) {
    expect(text).toContain('tests.test_auth');
    expect(text).not.toContain('.tests.test_auth');
  }
});
