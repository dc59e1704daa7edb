// Test stage: the project's tests with coverage, results read from JUnit XML (or jest's JSON) and
// Cobertura XML (or LCOV). The exit code decides pass or fail; the reports add the detail (which
// tests, which lines). How the tests run is the ecosystem's plan.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Ecosystem, Environment, TestPlan } from '../ecosystems/ecosystem.js';
import type { CoverageResult, StageResult, TestResults } from '../model.js';
import { parseCobertura } from '../reports/cobertura.js';
import { parseJestJson } from '../reports/jest.js';
import { mergeTestResults, parseJUnit } from '../reports/junit.js';
import { parseLcov } from '../reports/lcov.js';
import { StageLog } from '../stage-log.js';

export interface TestOutcome {
  stage: StageResult;
  log: StageLog;
  results?: TestResults;
  coverage?: CoverageResult;
}

/** Exit code of pytest (and of Slipway's unittest runner) when no test was collected. */
const NO_TESTS = 5;

export async function runTests(config: Config, context: RunContext, ports: Ports, ecosystem: Ecosystem, environment: Environment): Promise<TestOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const { files } = ports;
  const plan = ecosystem.planTests(environment, { config, reportDir: context.tempDir, hostEnv: ports.host.env });
  plan.notes.forEach((note) => log.write(note));
  if (plan.commands.length === 0) {
    return { stage: { name: 'test', status: 'warning', durationMs: Date.now() - started, headline: 'no tests to run', details: plan.notes }, log };
  }
  plan.writes?.forEach((file) => files.write(file.path, file.text));
  // CI=true keeps watch modes and prompts off.
  const env = { ...environment.env, ...plan.env, CI: 'true' };

  let verdict: number | undefined;
  for (const step of plan.commands) {
    const result = await log.run(step.command, step.args, { cwd: config.workingDirectory, env: { ...env, ...step.env } });
    verdict ??= result.code;
  }
  const exitCode = verdict ?? 0;

  const paths = { projectRoot: config.workingDirectory, repositoryRoot: context.repositoryRoot };
  const patterns = plan.reportPatterns;
  const reportFiles = [...plan.junit.filter((file) => files.exists(file)), ...(patterns ?? []).flatMap((p) => files.glob(config.workingDirectory, p))];
  // A report named by `test-report` may be JUnit XML or jest's --json output.
  const parseReport = (text: string) => (text.trimStart().startsWith('{') ? parseJestJson(text, paths) : parseJUnit(text, paths));
  const parsed = reportFiles.map((file) => parseReport(files.read(file) ?? ''));
  const jestJson = readIf(files, plan.jestJson);
  if (jestJson !== undefined) parsed.push(parseJestJson(jestJson, paths));
  parsed.flatMap((p) => p.warnings).forEach((w) => ports.reporter.warning(`Test report: ${w}. The verdict comes from the exit code.`));
  const results = parsed.length > 0 ? mergeTestResults(parsed.map((p) => p.results)) : undefined;
  if (!results && exitCode !== NO_TESTS && (!patterns || patterns.length > 0)) {
    ports.reporter.warning(`No test report was found${patterns ? ' for `test-report`' : ''}; the verdict comes from the exit code (${exitCode}).`);
  }

  // A pull request's patch coverage needs every file's measured lines; other runs only the totals.
  const coverage = readCoverage(plan, ports, { ...paths, lines: context.event.pullRequest !== undefined });
  if (plan.coverageNote) log.write(plan.coverageNote);

  const { status, headline, details } = verdictOf(exitCode, results, coverage, config.coverageMin, plan.coverageNote);
  return { stage: { name: 'test', status, durationMs: Date.now() - started, headline, details }, log, results, coverage };
}

/** Cobertura XML when the plan asked for it and it was written, else LCOV; warnings said once. `lines`: list each file's measured lines. */
function readCoverage(
  plan: TestPlan,
  { files, reporter }: Pick<Ports, 'files' | 'reporter'>,
  options: { projectRoot: string; repositoryRoot: string; lines: boolean }
): CoverageResult | undefined {
  const xml = readIf(files, plan.coverageXml);
  const lcov = readIf(files, plan.lcov);
  const parsed =
    xml !== undefined
      ? parseCobertura(xml, { ...options, fileExists: (p) => files.exists(join(options.repositoryRoot, p)) })
      : lcov !== undefined
        ? parseLcov(lcov, options)
        : undefined;
  parsed?.warnings.forEach((w) => reporter.warning(`Coverage report: ${w}`));
  return parsed?.coverage;
}

function readIf(files: Ports['files'], path: string | undefined): string | undefined {
  return path === undefined ? undefined : files.read(path);
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
    return {
      status: 'warning',
      headline: 'no tests found',
      details: ['The test runner collected no test. Add tests (tests/test_*.py) or set `test-command`.']
    };
  }
  if (exitCode !== 0) {
    const failing = results?.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error') ?? [];
    const names = failing.slice(0, 5).map((c) => c.name);
    const more = failing.length > names.length ? ` and ${failing.length - names.length} more` : '';
    const headline =
      failing.length > 0
        ? `${failing.length} of ${results?.total} tests failed: ${names.join(', ')}${more}`
        : `tests failed (exit code ${exitCode})${counts ? `: ${counts}` : ''}`;
    return {
      status: 'failure',
      headline: line(headline, covered),
      details: failing.slice(0, 5).map((c) => `${c.classname}.${c.name}: ${c.message ?? c.outcome}`)
    };
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
