// Test stage: the project's tests with coverage, results read from JUnit XML and Cobertura XML.
// The exit code decides pass or fail; the reports add the detail (which tests, which lines).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Command, PythonTools } from '../ecosystems/python.js';
import { UNITTEST_RUNNER } from '../ecosystems/unittest-runner.js';
import { globFiles } from '../glob.js';
import type { CoverageResult, StageResult, TestResults } from '../model.js';
import { parseCobertura } from '../reports/cobertura.js';
import { mergeTestResults, parseJUnit } from '../reports/junit.js';
import { StageLog } from '../stage-log.js';
import { detectNodeTestRunner, planNodeTests } from '../ecosystems/node.js';
import { parseJestJson } from '../reports/jest.js';
import { parseLcov } from '../reports/lcov.js';
import type { Environment } from './install.js';

export interface TestPlan {
  runner: string;
  /** Run in order; the first one's exit code is the tests' verdict (the rest write reports). */
  commands: Command[];
  /** JUnit XML files (absolute) or, for a custom command, globs relative to the project. */
  junit: string[];
  /** jest's --json output (absolute). */
  jestJson?: string;
  /** Cobertura XML (absolute). */
  coverageXml?: string;
  /** LCOV (absolute). */
  lcov?: string;
  /** Why coverage is not measured, when it is not. */
  coverageNote?: string;
  /** Things a person should know about how the tests ran. */
  notes?: string[];
}

export interface TestOutcome {
  stage: StageResult;
  log: StageLog;
  results?: TestResults;
  coverage?: CoverageResult;
}

export interface TestPlanInput {
  config: Pick<Config, 'testCommand' | 'testReportPatterns' | 'coverage'>;
  tools: PythonTools;
  python: string;
  /** Folder for the reports and the unittest runner script. */
  reportDir: string;
}

/** Exit code of pytest (and of Slipway's unittest runner) when no test was collected. */
const NO_TESTS = 5;

export function planPythonTests({ config, tools, python, reportDir }: TestPlanInput): TestPlan {
  const junit = join(reportDir, 'junit.xml');
  const coverageXml = join(reportDir, 'coverage.xml');
  if (config.testCommand) {
    const [command, ...args] = config.testCommand;
    return {
      runner: 'custom',
      commands: [{ command, args }],
      junit: config.testReportPatterns,
      coverageNote: 'coverage is measured only with the detected test command; a custom test-command reports its own'
    };
  }
  const wantCoverage = config.coverage && tools.coverage;
  const coverageNote = !config.coverage
    ? 'coverage is off (input `coverage: false`)'
    : tools.coverage
      ? undefined
      : 'no coverage tool installed: add pytest-cov (or coverage) to your dev requirements to measure coverage';
  if (tools.pytest) {
    // xunit1 puts file and line on each test case, which annotations need.
    const pytestArgs = ['-m', 'pytest', `--junitxml=${junit}`, '-o', 'junit_family=xunit1'];
    if (wantCoverage && tools.pytest_cov) {
      // A bare --cov measures what the project's coverage configuration says (its `source`).
      return { runner: 'pytest', commands: [{ command: python, args: [...pytestArgs, '--cov', `--cov-report=xml:${coverageXml}`, '--cov-report=term'] }], junit: [junit], coverageXml };
    }
    if (wantCoverage) {
      return {
        runner: 'pytest',
        commands: [
          { command: python, args: ['-m', 'coverage', 'run', ...pytestArgs] },
          { command: python, args: ['-m', 'coverage', 'xml', '-o', coverageXml] }
        ],
        junit: [junit],
        coverageXml
      };
    }
    return { runner: 'pytest', commands: [{ command: python, args: pytestArgs }], junit: [junit], coverageNote };
  }
  const script = join(reportDir, 'slipway_unittest.py');
  return {
    runner: 'unittest',
    commands: [{ command: python, args: [script, junit, wantCoverage ? coverageXml : ''] }],
    junit: [junit],
    coverageXml: wantCoverage ? coverageXml : undefined,
    coverageNote
  };
}

/** The ecosystem's plan for this environment. */
function planTests(config: Config, environment: Environment, reportDir: string): TestPlan {
  if (environment.ecosystem === 'python') {
    return planPythonTests({ config, tools: environment.tools, python: environment.python, reportDir });
  }
  return planNodeTests({
    manager: environment.runner,
    scripts: environment.scripts,
    runner: detectNodeTestRunner(environment.scripts.test, environment.tools),
    reportDir,
    root: environment.root,
    coverage: config.coverage,
    hasVitestCoverage: environment.tools.vitestCoverage,
    testCommand: config.testCommand,
    testReportPatterns: config.testReportPatterns,
    nodeOptions: process.env.NODE_OPTIONS,
    nodeCoverageInOptions: environment.nodeCoverageInOptions
  });
}

export async function runTests(config: Config, context: RunContext, ports: Ports, environment: Environment): Promise<TestOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const reportDir = context.tempDir;
  const plan = planTests(config, environment, reportDir);
  plan.notes?.forEach((note) => log.write(note));
  if (plan.commands.length === 0) {
    return { stage: { name: 'test', status: 'warning', durationMs: Date.now() - started, headline: 'no tests to run', details: plan.notes }, log };
  }
  if (plan.runner === 'unittest') writeFileSync(join(reportDir, 'slipway_unittest.py'), UNITTEST_RUNNER);
  // Coverage data goes to the run's scratch folder, not into the user's project; CI=true keeps
  // watch modes and prompts off.
  const env = { ...environment.env, COVERAGE_FILE: join(reportDir, '.coverage'), CI: 'true' };

  let verdict: number | undefined;
  for (const step of plan.commands) {
    const result = await log.run(step.command, step.args, { cwd: config.workingDirectory, env: { ...env, ...step.env } });
    verdict ??= result.code;
  }
  const exitCode = verdict ?? 0;

  const paths = { projectRoot: config.workingDirectory, repositoryRoot: context.repositoryRoot };
  const isPattern = plan.runner === 'custom' || plan.runner === 'other';
  const reportFiles = isPattern ? plan.junit.flatMap((p) => globFiles(config.workingDirectory, p)) : plan.junit.filter(existsSync);
  // A report named by `test-report` may be JUnit XML or jest's --json output.
  const parseReport = (text: string) => (text.trimStart().startsWith('{') ? parseJestJson(text, paths) : parseJUnit(text, paths));
  const parsed = reportFiles.map((file) => parseReport(readFileSync(file, 'utf8')));
  if (plan.jestJson && existsSync(plan.jestJson)) parsed.push(parseJestJson(readFileSync(plan.jestJson, 'utf8'), paths));
  parsed.flatMap((p) => p.warnings).forEach((w) => ports.reporter.warning(`Test report: ${w}. The verdict comes from the exit code.`));
  const results = parsed.length > 0 ? mergeTestResults(parsed.map((p) => p.results)) : undefined;
  if (!results && exitCode !== NO_TESTS && (!isPattern || plan.junit.length > 0)) {
    ports.reporter.warning(`No test report was found${isPattern ? ' for `test-report`' : ''}; the verdict comes from the exit code (${exitCode}).`);
  }

  let coverage: CoverageResult | undefined;
  if (plan.coverageXml && existsSync(plan.coverageXml)) {
    const cobertura = parseCobertura(readFileSync(plan.coverageXml, 'utf8'), { ...paths, fileExists: (p) => existsSync(join(context.repositoryRoot, p)) });
    cobertura.warnings.forEach((w) => ports.reporter.warning(`Coverage report: ${w}`));
    coverage = cobertura.coverage;
  } else if (plan.lcov && existsSync(plan.lcov)) {
    const lcov = parseLcov(readFileSync(plan.lcov, 'utf8'), paths);
    lcov.warnings.forEach((w) => ports.reporter.warning(`Coverage report: ${w}`));
    coverage = lcov.coverage;
  }
  if (plan.coverageNote) log.write(plan.coverageNote);

  const { status, headline, details } = verdictOf(exitCode, results, coverage, config.coverageMin, plan.coverageNote);
  return { stage: { name: 'test', status, durationMs: Date.now() - started, headline, details }, log, results, coverage };
}

/** Pure: the stage's status and the sentence a person reads, from what the run produced. */
export function verdictOf(
  exitCode: number,
  results: TestResults | undefined,
  coverage: CoverageResult | undefined,
  coverageMin: number,
  coverageNote?: string
): Pick<StageResult, 'status' | 'headline' | 'details'> {
  const counts = results ? `${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped` : undefined;
  const covered = coverage ? `coverage ${coverage.percent.toFixed(1)}%` : undefined;
  const line = (...parts: (string | undefined)[]): string => parts.filter(Boolean).join(' · ');

  if (exitCode === NO_TESTS && (!results || results.total === 0)) {
    return { status: 'warning', headline: 'no tests found', details: ['The test runner collected no test. Add tests (tests/test_*.py) or set `test-command`.'] };
  }
  if (exitCode !== 0) {
    const failing = results?.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error') ?? [];
    const names = failing.slice(0, 5).map((c) => c.name);
    const more = failing.length > names.length ? ` and ${failing.length - names.length} more` : '';
    const headline =
      failing.length > 0
        ? `${failing.length} of ${results?.total} tests failed: ${names.join(', ')}${more}`
        : `tests failed (exit code ${exitCode})${counts ? `: ${counts}` : ''}`;
    return { status: 'failure', headline: line(headline, covered), details: failing.slice(0, 5).map((c) => `${c.classname}.${c.name}: ${c.message ?? c.outcome}`) };
  }
  if (coverageMin > 0 && !coverage) {
    return {
      status: 'failure',
      headline: line(counts ?? 'tests passed', `coverage-min is ${coverageMin}% but no coverage was measured`),
      details: [coverageNote ?? 'no coverage report was produced']
    };
  }
  if (coverage && coverage.percent < coverageMin) {
    return {
      status: 'failure',
      headline: line(counts ?? 'tests passed', `coverage ${coverage.percent.toFixed(1)}% is below coverage-min ${coverageMin}%`),
      details: [`Total line coverage is ${coverage.percent.toFixed(1)}%; \`coverage-min\` asks for at least ${coverageMin}%.`]
    };
  }
  return { status: 'success', headline: line(counts ?? 'tests passed', covered), details: coverageNote ? [coverageNote] : undefined };
}
