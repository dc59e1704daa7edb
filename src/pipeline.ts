// Orders the stages, decides what runs, and collects one Report. Knows nothing about where it runs:
// everything outside goes through the ports in `context.ts`.
import type { Config } from './config.js';
import type { Ports, RunContext } from './context.js';
import { detectLanguage } from './ecosystems/detect.js';
import { SlipwayError, describeError } from './errors.js';
import { formatDuration } from './format.js';
import type { Finding, Report, StageName, StageResult, TestResults } from './model.js';
import { diskProjectFiles } from './project-files.js';
import { selectAnnotations, type AnnotationCandidate } from './reports/annotations.js';
import { shipAndDeploy } from './stages/ship.js';
import { install } from './stages/install.js';
import { runLint } from './stages/lint.js';
import { runTests } from './stages/test.js';

export async function runPipeline(config: Config, context: RunContext, ports: Ports): Promise<Report> {
  const started = Date.now();
  const report: Report = { result: 'success', durationMs: 0, stages: [], cacheHit: false };
  const record = (result: StageResult, logLines: readonly string[] = []): void => {
    // A headline is one line wherever it shows (a test's name may hold a line break).
    const stage = { ...result, headline: result.headline.replace(/[\r\n]+/g, ' ') };
    report.stages.push(stage);
    if (logLines.length > 0) ports.reporter.group(`${stage.name}: ${stage.headline}`, logLines);
    ports.reporter.info(stageLine(stage));
  };
  const guarded = async (name: StageName, body: () => Promise<void>): Promise<void> => {
    const stageStarted = Date.now();
    try {
      await body();
    } catch (error) {
      if (!(error instanceof SlipwayError)) throw error;
      record(failedStage(name, stageStarted, describeError(error)));
    }
  };

  let environment: Awaited<ReturnType<typeof install>>['environment'];
  await guarded('install', async () => {
    const language = detectLanguage(diskProjectFiles(config.workingDirectory), config.language);
    const installed = await install(config, context, ports, language);
    report.cacheHit = installed.cacheHit;
    report.cacheKey = installed.cacheKey;
    environment = installed.stage.status === 'failure' ? undefined : installed.environment;
    record(installed.stage, installed.log.lines);
  });

  if (environment) {
    const env = environment;
    // Lint needs nothing from the tests: both run at once, each keeping its own log.
    const [tested, linted] = await Promise.all([
      runTests(config, context, ports, env),
      config.lint ? runLint(config, context, ports, env) : undefined
    ]);
    report.tests = tested.results;
    report.coverage = tested.coverage;
    record(tested.stage, tested.log.lines);
    if (linted) {
      report.findings = linted.findings;
      record(linted.stage, linted.log.lines);
    } else {
      record({ name: 'lint', status: 'skipped', durationMs: 0, headline: 'off (input `lint: false`)' });
    }
    annotate(report, config, ports);
  }

  if (config.image) {
    // Only a run in which nothing failed so far (install, tests, coverage gate, blocking lint) ships.
    const passed = !report.stages.some((stage) => stage.status === 'failure');
    await guarded('image', async () => {
      const shipped = await shipAndDeploy(config, context, ports, passed);
      const { image } = shipped;
      if (image.pushed && image.repository && image.image && image.digest) {
        report.image = { repository: image.repository, image: image.image, digest: image.digest, tags: image.tags };
      }
      record(image.stage, image.log.lines);
      if (shipped.deploy) {
        report.deployed = shipped.deploy.deployed;
        report.rolledBack = shipped.deploy.rolledBack;
        record(shipped.deploy.stage, shipped.deploy.log.lines);
      }
    });
  }

  report.result = report.stages.some((stage) => stage.status === 'failure') ? 'failure' : 'success';
  report.durationMs = Date.now() - started;
  return report;
}

type Candidate = AnnotationCandidate & { message: string; title: string };

/** Failing tests as errors on their lines, lint findings as warnings; the most useful first. */
function annotate(report: Report, config: Config, ports: Ports): void {
  const candidates: Candidate[] = [...failingTests(report.tests), ...lintFindings(report.findings ?? [], config.lintBlocking)];
  const { shown, hidden } = selectAnnotations(candidates);
  for (const item of shown) {
    const where = { title: item.title, file: item.path, startLine: item.line, startColumn: item.column };
    ports.reporter[item.level](item.message, where);
  }
  report.hiddenAnnotations = hidden.error + hidden.warning + hidden.notice;
}

function failingTests(tests: TestResults | undefined): Candidate[] {
  return (tests?.cases ?? [])
    .filter((c) => c.outcome === 'failed' || c.outcome === 'error')
    .map((c) => ({
      level: 'error',
      origin: 'test',
      path: c.file,
      line: c.line,
      title: `${c.outcome === 'error' ? 'Test error' : 'Test failed'}: ${c.name}`,
      message: [c.message ?? c.outcome, ...(c.details ? ['', ...c.details.split('\n').slice(-15)] : [])].join('\n')
    }));
}

function lintFindings(findings: Finding[], blocking: boolean): Candidate[] {
  return findings.map((f) => ({
    level: blocking ? 'error' : 'warning',
    origin: 'lint',
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    title: f.code,
    message: `${f.code} ${f.message}`
  }));
}

function failedStage(name: StageName, started: number, message: string): StageResult {
  return { name, status: 'failure', durationMs: Date.now() - started, headline: message.split('\n')[0], details: [message] };
}

const STATUS_MARK: Record<StageResult['status'], string> = { success: '✓', failure: '✗', skipped: '–', warning: '!' };

/** `✓ install  3.2s  restored from cache` */
export function stageLine(stage: StageResult): string {
  return `${STATUS_MARK[stage.status]} ${stage.name.padEnd(8)} ${formatDuration(stage.durationMs).padStart(6)}  ${stage.headline}`;
}

/** The step outputs of the contract, from the report. */
export function outputsOf(report: Report): Record<string, string> {
  return {
    'cache-hit': String(report.cacheHit),
    'cache-key': report.cacheKey ?? '',
    'tests-passed': String(report.tests?.passed ?? 0),
    'tests-failed': String(report.tests?.failed ?? 0),
    'tests-skipped': String(report.tests?.skipped ?? 0),
    coverage: report.coverage ? report.coverage.percent.toFixed(1) : '',
    'lint-findings': String(report.findings?.length ?? 0),
    image: report.image?.image ?? '',
    digest: report.image?.digest ?? '',
    tags: (report.image?.tags ?? []).join('\n'),
    deployed: String(report.deployed ?? false),
    'rolled-back': String(report.rolledBack ?? false),
    result: report.result
  };
}
