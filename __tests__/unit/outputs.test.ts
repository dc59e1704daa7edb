// The step's outputs: what was measured, and empty (never 0) for what was not.
import { describe, expect, test } from '@jest/globals';
import type { Report, TestResults } from '../../src/model.js';
import { outputsOf } from '../../src/pipeline.js';

const base: Report = { result: 'success', durationMs: 1, stages: [], cacheHit: false };
const results = (passed: number, failed: number, skipped: number): TestResults => ({
  total: passed + failed + skipped,
  passed,
  failed,
  skipped,
  durationMs: 0,
  cases: []
});

describe('outputs', () => {
  test.each<[string, Partial<Report>, Record<string, string>]>([
    ['nothing measured', {}, { 'tests-passed': '', 'tests-failed': '', 'tests-skipped': '', coverage: '', 'lint-findings': '', vulnerabilities: '' }],
    ['a report of zero tests is a measured zero', { tests: results(0, 0, 0) }, { 'tests-passed': '0', 'tests-failed': '0', 'tests-skipped': '0' }],
    ['counts', { tests: results(3, 1, 2) }, { 'tests-passed': '3', 'tests-failed': '1', 'tests-skipped': '2' }],
    ['lint that ran and found nothing', { findings: [] }, { 'lint-findings': '0' }],
    ['coverage to one decimal', { coverage: { percent: 87.25, linesValid: 4, linesCovered: 3, files: [] } }, { coverage: '87.3' }],
    ['not audited vs none found', { vulnerabilities: 0 }, { vulnerabilities: '0' }]
  ])('%s', (_, report, expected) => {
    expect(outputsOf({ ...base, ...report })).toMatchObject(expected);
  });
});
