import { describe, expect, test } from '@jest/globals';
import { planPythonLint } from '../../src/ecosystems/python/lint.js';
import { planPythonTests } from '../../src/ecosystems/python/tests.js';
import type { PythonTools } from '../../src/ecosystems/python/tools.js';
import type { CoverageResult, TestResults } from '../../src/model.js';
import { verdictOf } from '../../src/stages/test.js';

const noTools: PythonTools = { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false };
const py = '/env/bin/python';
const dir = '/tmp/r';
const config: { testCommand?: string[]; testReportPatterns: string[]; coverage: boolean } = { testReportPatterns: [], coverage: true };

describe('planPythonTests', () => {
  test.each<[string, Partial<PythonTools>, Partial<typeof config>, string[][]]>([
    [
      'pytest with pytest-cov',
      { pytest: true, pytest_cov: true, coverage: true },
      {},
      [[py, '-m', 'pytest', '--junitxml=/tmp/r/junit.xml', '-o', 'junit_family=xunit1', '--cov', '--cov-report=xml:/tmp/r/coverage.xml', '--cov-report=term']]
    ],
    [
      'pytest with coverage only',
      { pytest: true, coverage: true },
      {},
      [
        [py, '-m', 'coverage', 'run', '-m', 'pytest', '--junitxml=/tmp/r/junit.xml', '-o', 'junit_family=xunit1'],
        [py, '-m', 'coverage', 'xml', '-o', '/tmp/r/coverage.xml']
      ]
    ],
    [
      'pytest, coverage off',
      { pytest: true, pytest_cov: true, coverage: true },
      { coverage: false },
      [[py, '-m', 'pytest', '--junitxml=/tmp/r/junit.xml', '-o', 'junit_family=xunit1']]
    ],
    ['unittest with coverage', { coverage: true }, {}, [[py, '/tmp/r/slipway_unittest.py', '/tmp/r/junit.xml', '/tmp/r/coverage.xml']]],
    ['unittest without coverage', {}, {}, [[py, '/tmp/r/slipway_unittest.py', '/tmp/r/junit.xml', '']]],
    ['custom command', { pytest: true }, { testCommand: ['make', 'test'] }, [['make', 'test']]]
  ])('%s', (_, tools, overrides, commands) => {
    const plan = planPythonTests({ config: { ...config, ...overrides }, tools: { ...noTools, ...tools }, python: py, reportDir: dir });
    expect(plan.commands.map((c) => [c.command, ...c.args])).toEqual(commands);
  });

  test('says how to enable coverage when no tool is installed', () => {
    const plan = planPythonTests({ config, tools: { ...noTools, pytest: true }, python: py, reportDir: dir });
    expect(plan.coverageXml).toBeUndefined();
    expect(plan.coverageNote).toMatch(/add pytest-cov/);
  });
});

describe('planPythonLint', () => {
  const env = { python: py, venv: '/env' };
  test.each<[string, Partial<PythonTools>, string[] | undefined, string[] | undefined]>([
    ['ruff first', { ruff: true, flake8: true }, undefined, ['/env/bin/ruff', 'check', '--output-format=json', '--no-cache', '.']],
    [
      'flake8 never reads environments or build output',
      { flake8: true },
      undefined,
      [py, '-m', 'flake8', '--extend-exclude=.venv,venv,.tox,.nox,build,dist,node_modules,.eggs,__pycache__', '.']
    ],
    ['lint-command wins', { ruff: true }, ['pylint', 'app'], ['pylint', 'app']],
    ['no linter', {}, undefined, undefined]
  ])('%s', (_, tools, lintCommand, expected) => {
    const plan = planPythonLint({ lintCommand }, { ...noTools, ...tools }, env);
    expect(plan && [plan.command.command, ...plan.command.args]).toEqual(expected);
  });
});

describe('verdictOf', () => {
  const results = (passed: number, failed: number): TestResults => ({
    passed,
    failed,
    skipped: 0,
    total: passed + failed,
    durationMs: 1,
    cases: Array.from({ length: failed }, (_, i) => ({ name: `test_${i}`, classname: 'tests.t', durationMs: 1, outcome: 'failed' as const, message: 'boom' }))
  });
  const cov = (percent: number): CoverageResult => ({ percent, linesValid: 100, linesCovered: percent, files: [] });

  test.each<[string, number, TestResults | undefined, CoverageResult | undefined, number, string, RegExp]>([
    ['green', 0, results(5, 0), cov(92.3), 0, 'success', /^5 passed, 0 failed, 0 skipped · coverage 92\.3%$/],
    ['red names the failing tests', 1, results(3, 7), undefined, 0, 'failure', /^7 of 10 tests failed: test_0, test_1, test_2, test_3, test_4 and 2 more$/],
    ['red without a report', 2, undefined, undefined, 0, 'failure', /^tests failed \(exit code 2\)$/],
    ['no tests', 5, undefined, undefined, 0, 'warning', /^no tests found$/],
    ['coverage below the gate', 0, results(5, 0), cov(71.25), 80, 'failure', /coverage 71\.3% is below coverage-min 80%/],
    ['coverage at the gate', 0, results(5, 0), cov(80), 80, 'success', /coverage 80\.0%/],
    ['gate without coverage', 0, results(5, 0), undefined, 50, 'failure', /coverage-min is 50% but no coverage was measured/],
    ['exit code wins over a report that shows no failure', 1, results(5, 0), undefined, 0, 'failure', /tests failed \(exit code 1\): 5 passed/]
  ])('%s', (_, code, res, coverage, min, status, headline) => {
    const verdict = verdictOf(code, res, coverage, min);
    expect(verdict.status).toBe(status);
    expect(verdict.headline).toMatch(headline);
  });
});
