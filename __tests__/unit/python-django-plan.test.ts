// The Python test plan when Django may be involved: which launcher mode, which fallback command, which
// files are written; and how the tools probe's answer (or an older record of it) is read.
import { describe, expect, test } from '@jest/globals';
import { planPythonTests } from '../../src/ecosystems/python/tests.js';
import { parseTools, type PythonTools } from '../../src/ecosystems/python/tools.js';

const noTools: PythonTools = { pytest: false, pytest_cov: false, coverage: false, flake8: false, ruff: false, django: false, pytest_django: false };
const py = '/env/bin/python';
const dir = '/tmp/r';
const launcher = '/tmp/r/slipway_django.py';
const junit = '/tmp/r/junit.xml';
const xml = '/tmp/r/coverage.xml';
const pytest = ['-m', 'pytest', `--junitxml=${junit}`, '-o', 'junit_family=xunit1'];

describe('planPythonTests with Django', () => {
  test.each<[string, Partial<PythonTools>, boolean, string[][]]>([
    [
      'Django, unittest fallback, coverage',
      { django: true, coverage: true },
      true,
      [[py, launcher, junit, xml, 'django', '--', '/tmp/r/slipway_unittest.py', junit, xml]]
    ],
    ['Django, coverage off', { django: true, coverage: true }, false, [[py, launcher, junit, '', 'django', '--', '/tmp/r/slipway_unittest.py', junit, '']]],
    ['Django, no coverage tool', { django: true }, true, [[py, launcher, junit, '', 'django', '--', '/tmp/r/slipway_unittest.py', junit, '']]],
    [
      'Django and pytest without pytest-django: Django runs it, pytest is the fallback',
      { django: true, pytest: true, pytest_cov: true, coverage: true },
      true,
      [[py, launcher, junit, xml, 'django', '--', ...pytest, '--cov', `--cov-report=xml:${xml}`, '--cov-report=term']]
    ],
    [
      'Django and pytest with coverage.py only: the report command follows',
      { django: true, pytest: true, coverage: true },
      true,
      [
        [py, launcher, junit, xml, 'django', '--', '-m', 'coverage', 'run', ...pytest],
        [py, '-m', 'coverage', 'xml', '-o', xml]
      ]
    ],
    [
      'pytest-django: pytest, given the settings when only manage.py names them',
      { django: true, pytest: true, pytest_django: true, pytest_cov: true, coverage: true },
      true,
      [[py, launcher, junit, '', 'pytest-django', '--', ...pytest, '--cov', `--cov-report=xml:${xml}`, '--cov-report=term']]
    ],
    [
      'an older record of the environment that does not say: the launcher looks',
      { django: undefined, pytest_django: undefined, djangoUnknown: true },
      true,
      [[py, launcher, junit, '', 'auto', '--', '/tmp/r/slipway_unittest.py', junit, '']]
    ],
    ['no Django: the unittest runner itself', {}, true, [[py, '/tmp/r/slipway_unittest.py', junit, '']]],
    ['no Django: pytest itself', { pytest: true }, true, [[py, ...pytest]]],
    [
      'tools given without the Django fields: as without Django',
      { django: undefined, pytest_django: undefined },
      true,
      [[py, '/tmp/r/slipway_unittest.py', junit, '']]
    ]
  ])('%s', (_, tools, coverage, commands) => {
    const plan = planPythonTests({ config: { testReportPatterns: [], coverage }, tools: { ...noTools, ...tools }, python: py, reportDir: dir });
    expect(plan.commands.map((c) => [c.command, ...c.args])).toEqual(commands);
    expect(plan.junit).toEqual([junit]);
  });

  test('the Django plan writes the launcher, the runner class and the recorder; coverage is read back', () => {
    const plan = planPythonTests({
      config: { testReportPatterns: [], coverage: true },
      tools: { ...noTools, django: true, coverage: true },
      python: py,
      reportDir: dir
    });
    expect(plan.writes?.map((file) => file.path).sort()).toEqual([
      '/tmp/r/slipway_django.py',
      '/tmp/r/slipway_django_runner.py',
      '/tmp/r/slipway_junit.py',
      '/tmp/r/slipway_unittest.py'
    ]);
    expect(plan.coverageXml).toBe(xml);
    expect(plan.runner).toBe("Django's test runner or unittest");
    expect(plan.env).toEqual({ COVERAGE_FILE: '/tmp/r/.coverage' });
  });

  test('a test-command is run as given, Django or not', () => {
    const plan = planPythonTests({
      config: { testReportPatterns: [], coverage: true, testCommand: ['python', 'manage.py', 'test'] },
      tools: { ...noTools, django: true },
      python: py,
      reportDir: dir
    });
    expect(plan.commands.map((c) => [c.command, ...c.args])).toEqual([['python', 'manage.py', 'test']]);
    expect(plan.writes ?? []).toEqual([]);
  });

  test('the unittest runner writes its recorder next to it', () => {
    const plan = planPythonTests({ config: { testReportPatterns: [], coverage: false }, tools: noTools, python: py, reportDir: dir });
    expect(plan.writes?.map((file) => file.path)).toEqual(['/tmp/r/slipway_unittest.py', '/tmp/r/slipway_junit.py']);
  });
});

describe('parseTools', () => {
  test.each<[string, string, { prefix?: string; django?: boolean; pytest_django?: boolean; pytest: boolean; djangoUnknown?: true }]>([
    [
      "today's probe",
      '{"prefix": "/v", "tools": {"pytest": true, "pytest_cov": false, "coverage": true, "flake8": false, "ruff": false, "django": true, "pytest_django": false}}',
      { prefix: '/v', pytest: true, django: true, pytest_django: false }
    ],
    [
      'a record from before Django was probed: unknown, not absent',
      '{"prefix":"/v","tools":{"pytest":false,"pytest_cov":false,"coverage":true,"flake8":true,"ruff":false}}',
      { prefix: '/v', pytest: false, django: undefined, pytest_django: undefined, djangoUnknown: true }
    ],
    [
      'values that are not booleans are not believed',
      '{"prefix":"/v","tools":{"pytest":"yes","django":1}}',
      { prefix: '/v', pytest: false, django: undefined, djangoUnknown: true }
    ],
    ['not the probe', 'Traceback (most recent call last):', { prefix: undefined, pytest: false, django: undefined, djangoUnknown: true }]
  ])('%s', (_, stdout, expected) => {
    const { prefix, tools } = parseTools(stdout);
    const { pytest, django, pytest_django, djangoUnknown } = tools;
    expect({ prefix, pytest, django, pytest_django, djangoUnknown }).toEqual({ pytest_django: undefined, djangoUnknown: undefined, ...expected });
  });
});
