// Test stage: the project's tests with coverage, results read from JUnit XML (or jest's JSON) and
// Cobertura XML (or LCOV). The exit code decides pass or fail; the reports add the detail (which
// tests, which lines). How the tests run is the ecosystem's plan.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Ecosystem, Environment, TestPlan } from '../ecosystems/ecosystem.js';
import { testTitle, type CoverageResult, type StageResult, type TestResults } from '../model.js';
import { parseCobertura } from '../reports/cobertura.js';
import { parseJestJson } from '../reports/jest.js';
import { mergeTestResults, parseJUnit } from '../reports/junit.js';
import { parseLcov } from '../reports/lcov.js';
import { StageLog } from '../stage-log.js';
import { projectFiles } from '../ecosystems/project-files.js';
import { findTestFiles } from '../ecosystems/test-files.js';
import { nothingTestedVerdict } from './nothing-tested.js';
import { shardTestPlan, type ShardShare } from './shard-command.js';
import { mergeCoverage, NO_TESTS, notRunLines, planTiers, stopsTiers, tiersExitCode, type Tier } from './test-tiers.js';

export interface TestOutcome {
  stage: StageResult;
  log: StageLog;
  results?: TestResults;
  coverage?: CoverageResult;
}

/** What one tier (or the one command) produced. */
interface TierRun {
  exitCode: number;
  results?: TestResults;
  coverage?: CoverageResult;
  coverageNote?: string;
  /** The plan had nothing to run (no test script): the notes say why. */
  empty?: string[];
  /** Which runner ran (the plan's name), for the sentence when it found nothing. */
  runner: string;
}

/** `only`: a test shard's part of the split: the runner runs its files alone. */
export async function runTests(
  config: Config,
  context: RunContext,
  ports: Ports,
  ecosystem: Ecosystem,
  environment: Environment,
  only?: ShardShare
): Promise<TestOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const tiers = planTiers(config.testCommand, context.tempDir);
  const runs: TierRun[] = [];
  let failed: number | undefined;
  for (const [i, tier] of tiers.entries()) {
    if (tier.label) log.write(`Test ${tier.label}: ${tier.command!.join(' ')}`);
    const run = await runTier(config, context, ports, ecosystem, environment, log, tier, tiers.length > 1, only);
    if (run.empty) {
      const verdict = testedNothing(ports, ecosystem, config, run.empty) ?? { status: 'warning', headline: 'no tests to run', details: run.empty };
      return { stage: { name: 'test', durationMs: Date.now() - started, ...verdict }, log };
    }
    runs.push(run);
    if (stopsTiers(run.exitCode) && tiers.length > 1) {
      failed = i;
      notRunLines(tiers, i).forEach((line) => log.write(line));
      break;
    }
  }
  const exitCode = tiersExitCode(runs.map((run) => run.exitCode));
  const withResults = runs.filter((run) => run.results).map((run) => run.results!);
  const results = withResults.length > 0 ? mergeTestResults(withResults) : undefined;
  const coverage = mergeCoverage(runs.filter((run) => run.coverage).map((run) => run.coverage!));
  const coverageNote = runs.find((run) => run.coverageNote && !run.coverage)?.coverageNote;
  const ranNothing = (exitCode === 0 || exitCode === NO_TESTS) && (results ? results.total === 0 : exitCode === NO_TESTS);
  const collected = `${[...new Set(runs.map((run) => run.runner))].join(', ')} collected no test`;
  const verdict =
    (ranNothing && testedNothing(ports, ecosystem, config, [collected])) || verdictOf(exitCode, results, coverage, config.coverageMin, coverageNote);
  if (failed !== undefined) {
    const notRun = tiers.length - failed - 1;
    const skipped = notRun > 0 ? ` · ${notRun} later tier${notRun === 1 ? '' : 's'} not run` : '';
    verdict.headline = `${tiers[failed]!.label} failed: ${verdict.headline}${skipped}`;
    verdict.details = [...(verdict.details ?? []), ...notRunLines(tiers, failed)];
  } else if (tiers.length > 1) {
    verdict.headline = `${tiers.length} tiers · ${verdict.headline}`;
  }
  return { stage: { name: 'test', durationMs: Date.now() - started, ...verdict }, log, results, coverage };
}

/** Runs one tier's plan and reads its reports. */
async function runTier(
  config: Config,
  context: RunContext,
  ports: Ports,
  ecosystem: Ecosystem,
  environment: Environment,
  log: StageLog,
  tier: Tier,
  merging: boolean,
  only?: ShardShare
): Promise<TierRun> {
  const { files } = ports;
  const testConfig = { testCommand: tier.command, testReportPatterns: config.testReportPatterns, coverage: config.coverage };
  const planned = ecosystem.planTests(environment, { config: testConfig, reportDir: tier.reportDir, hostEnv: ports.host.env });
  const plan = only ? shardTestPlan(planned, only) : planned;
  plan.notes.forEach((note) => log.write(note));
  if (plan.commands.length === 0) return { exitCode: 0, empty: plan.notes, runner: plan.runner };
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

  // A pull request's patch coverage, and tiers or shards merged line by line, need every file's measured lines.
  const coverage = readCoverage(plan, ports, { ...paths, lines: context.event.pullRequest !== undefined || merging || only !== undefined });
  if (plan.coverageNote) log.write(plan.coverageNote);
  return { exitCode, results, coverage, coverageNote: plan.coverageNote, runner: plan.runner };
}

/** The failure for a run that tested nothing while the project has test files (searched only then). */
function testedNothing(ports: Ports, ecosystem: Ecosystem, config: Config, reasons: string[]): ReturnType<typeof nothingTestedVerdict> {
  const found = findTestFiles(projectFiles(ports.files, config.workingDirectory), (path) => ecosystem.isTestFile(path));
  return nothingTestedVerdict(found, reasons);
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
      details: failing.slice(0, 5).map((c) => `${testTitle(c)}: ${c.message ?? c.outcome}`)
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
