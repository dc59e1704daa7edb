// How a Python project's tests run: pytest (with pytest-cov or coverage) when installed, else the
// standard library's unittest through Slipway's runner, which writes the same JUnit report. A
// Django project (found when the tests run) uses Django's runner, or pytest with pytest-django.
import { join } from 'node:path';
import type { TestCommandConfig, TestPlan } from '../ecosystem.js';
import { COVERAGE_OFF, customTestPlan } from '../shared.js';
import { DJANGO_LAUNCHER, DJANGO_LAUNCHER_FILE, DJANGO_RUNNER, DJANGO_RUNNER_FILE } from './django-runner.js';
import type { PythonTools } from './tools.js';
import { RECORDER, RECORDER_FILE, UNITTEST_FILE, UNITTEST_RUNNER } from './unittest-runner.js';

export interface TestPlanInput {
  config: TestCommandConfig;
  tools: PythonTools;
  python: string;
  /** Folder for the reports and the unittest runner script. */
  reportDir: string;
}

export function planPythonTests(input: TestPlanInput): TestPlan {
  const { config, reportDir } = input;
  // Coverage data goes to the run's scratch folder, not into the user's project.
  const env = { COVERAGE_FILE: join(reportDir, '.coverage') };
  const known = { reportDir, coverage: config.coverage && input.tools.coverage, pytestCov: input.tools.pytest_cov };
  const plan = config.testCommand ? customTestPlan(config.testCommand, config.testReportPatterns, known) : djangoAware(detectedPlan(input), input);
  return { ...plan, env };
}

/**
 * With Django installed (or perhaps installed: an older record of the environment), the plan's
 * first command goes through a launcher that runs Django's tests when the project is a Django one
 * (manage.py, or DJANGO_SETTINGS_MODULE in the pytest configuration) and the command itself otherwise.
 */
function djangoAware(plan: TestPlan, { config, tools, python, reportDir }: TestPlanInput): TestPlan {
  const [first, ...rest] = plan.commands;
  const mode = tools.pytest_django && tools.pytest ? 'pytest-django' : tools.django ? 'django' : tools.djangoUnknown ? 'auto' : undefined;
  if (!first || !mode) return plan;
  const coverageXml = join(reportDir, 'coverage.xml');
  const wantCoverage = config.coverage && tools.coverage && mode !== 'pytest-django';
  const launcher = join(reportDir, DJANGO_LAUNCHER_FILE);
  const args = [launcher, join(reportDir, 'junit.xml'), wantCoverage ? coverageXml : '', mode, '--', ...first.args];
  return {
    ...plan,
    runner: mode === 'pytest-django' ? 'pytest' : `Django's test runner or ${plan.runner}`,
    commands: [{ command: python, args }, ...rest],
    coverageXml: plan.coverageXml ?? (wantCoverage ? coverageXml : undefined),
    writes: [
      ...(plan.writes ?? []).filter((file) => !file.path.endsWith(RECORDER_FILE)),
      { path: launcher, text: DJANGO_LAUNCHER },
      { path: join(reportDir, DJANGO_RUNNER_FILE), text: DJANGO_RUNNER },
      { path: join(reportDir, RECORDER_FILE), text: RECORDER }
    ]
  };
}

function detectedPlan({ config, tools, python, reportDir }: TestPlanInput): TestPlan {
  const junit = join(reportDir, 'junit.xml');
  const coverageXml = join(reportDir, 'coverage.xml');
  const wantCoverage = config.coverage && tools.coverage;
  const coverageNote = !config.coverage
    ? COVERAGE_OFF
    : tools.coverage
      ? undefined
      : 'no coverage tool installed: add pytest-cov (or coverage) to your dev requirements to measure coverage';
  if (tools.pytest) {
    // xunit1 puts file and line on each test case, which annotations need.
    const pytestArgs = ['-m', 'pytest', `--junitxml=${junit}`, '-o', 'junit_family=xunit1'];
    if (wantCoverage && tools.pytest_cov) {
      // A bare --cov measures what the project's coverage configuration says (its `source`).
      const args = [...pytestArgs, '--cov', `--cov-report=xml:${coverageXml}`, '--cov-report=term'];
      return { runner: 'pytest', commands: [{ command: python, args }], junit: [junit], coverageXml, notes: [] };
    }
    if (wantCoverage) {
      const commands = [
        { command: python, args: ['-m', 'coverage', 'run', ...pytestArgs] },
        { command: python, args: ['-m', 'coverage', 'xml', '-o', coverageXml] }
      ];
      return { runner: 'pytest', commands, junit: [junit], coverageXml, notes: [] };
    }
    return { runner: 'pytest', commands: [{ command: python, args: pytestArgs }], junit: [junit], coverageNote, notes: [] };
  }
  const script = join(reportDir, UNITTEST_FILE);
  return {
    runner: 'unittest',
    commands: [{ command: python, args: [script, junit, wantCoverage ? coverageXml : ''] }],
    junit: [junit],
    coverageXml: wantCoverage ? coverageXml : undefined,
    coverageNote,
    notes: [],
    writes: [
      { path: script, text: UNITTEST_RUNNER },
      { path: join(reportDir, RECORDER_FILE), text: RECORDER }
    ]
  };
}
