// Orders the stages, decides what runs, and collects one Report. Knows nothing about where it runs:
// everything outside goes through the ports in `context.ts`.
import type { Config } from './config.js';
import type { Ports, RunContext } from './context.js';
import { pickEcosystem } from './ecosystems/detect.js';
import { projectFiles } from './ecosystems/project-files.js';
import { SlipwayError, describeError } from './errors.js';
import { formatDuration } from './format.js';
import type { Finding, Report, StageName, StageResult, TestResults } from './model.js';
import { selectAnnotations, type AnnotationCandidate } from './reports/annotations.js';
import { StageLog, streamingTo } from './stage-log.js';
import { install } from './stages/install.js';
import { runLint } from './stages/lint.js';
import { runAudit } from './stages/audit.js';
import { vulnerabilityAnnotations } from './reports/vulnerabilities.js';
import { gatherPullRequest, type PullRequestFindings } from './stages/pull-request.js';
import { baselineSection, finishRun, patchSection, shipSection } from './stages/closing.js';
import { runTests } from './stages/test.js';
import { runScheduledCommand, runsScheduledCommand } from './stages/scheduled.js';
import { manualDeploy } from './stages/manual-deploy.js';
import { isManualDeploy } from './stages/manual-deploy-plan.js';
import { closePreview } from './stages/preview.js';
import { closesPreview } from './stages/preview-plan.js';
import { mergeRun } from './stages/merge.js';
import { endOfShard, handOver, restoreOnly, testShard } from './stages/shard.js';

export async function runPipeline(config: Config, context: RunContext, ports: Ports): Promise<Report> {
  const started = Date.now();
  // Test shards: the first one saves the environment, the others restore it (one save per key, not n racing).
  const { shard } = config;
  if (shard && shard.index > 1 && ports.cache) ports = { ...ports, cache: restoreOnly(ports.cache) };
  const report: Report = { result: 'success', durationMs: 0, stages: [], cacheHit: false };
  /**
   * Runs a part of the pipeline in its own log section: the programs it runs print there as they go,
   * and the stage lines of what it returns close the section. A SlipwayError becomes the failed
   * stage `guard` when one is named (the error is the stage's, not the run's).
   */
  const inSection = async (title: string, body: (ports: Ports) => Promise<StageResult[]>, guard?: StageName): Promise<StageResult[]> => {
    const section = ports.reporter.section(title);
    const sectionStarted = Date.now();
    let stages: StageResult[] = [];
    try {
      stages = await body({ ...ports, runner: streamingTo(ports.runner, (line) => section.line(line)) });
    } catch (error) {
      if (!(error instanceof SlipwayError) || !guard) throw error;
      stages = [failedStage(guard, sectionStarted, describeError(error))];
    } finally {
      // A headline is one line wherever it shows (a test's name may hold a line break).
      stages = stages.map((stage) => ({ ...stage, headline: stage.headline.replace(/[\r\n]+/g, ' ') }));
      section.end(stages.map(stageLine).join('\n') || undefined);
    }
    return stages;
  };

  const manual = isManualDeploy(config, context);
  if (manual || closesPreview(config.preview, context.event)) {
    // A redeploy or rollback by hand, or a closed pull request's preview destroyed: alone, without install, tests or build.
    const deployed = await inSection(manual ? 'deploy' : 'preview', async (stagePorts) => {
      if (!manual) return [(await closePreview(config, context, stagePorts)).stage];
      const outcome = await manualDeploy(config, context, stagePorts);
      Object.assign(report, { deployed: outcome.deployed, rolledBack: outcome.rolledBack });
      return [outcome.stage];
    });
    report.stages.push(...deployed);
    return finishRun(config, context, ports, report, inSection, started);
  }

  if (config.mergeShards) return mergeRun(config, context, ports, report, inSection, started);

  const ecosystem = pickEcosystem(projectFiles(ports.files, config.workingDirectory), config.language);
  let environment: Awaited<ReturnType<typeof install>>['environment'];
  const installed = await inSection(
    'install',
    async (stagePorts) => {
      const outcome = await install(config, context, stagePorts, ecosystem);
      report.cacheHit = outcome.cacheHit;
      report.cacheKey = outcome.cacheKey;
      environment = outcome.stage.status === 'failure' ? undefined : outcome.environment;
      return [outcome.stage];
    },
    'install'
  );
  report.stages.push(...installed);

  const pullRequest = context.event.pullRequest;
  const findings: PullRequestFindings = {};
  // Lint and the audit see the same tree in every shard: the first one runs them.
  const firstShard = (shard?.index ?? 1) === 1;
  let shardFiles: string[] = [];
  if (environment) {
    const env = environment;
    // What the pull request changes and the base branch's baseline arrive while the tests run.
    const gathering = pullRequest && !shard ? gatherPullRequest(config, context, ports) : undefined;
    gathering?.catch(() => undefined); // awaited below; until then a rejection must not count as unhandled
    // Lint and the audit need nothing from the tests: all run at once. The tests' log streams; the
    // others wait for their turn (sectionsInTurn), as streams interleaved line by line cannot be read.
    const [tested, linted, audited] = await Promise.all([
      inSection('test', async (stagePorts) => {
        const outcome = shard
          ? await testShard(shard, config, context, stagePorts, ecosystem, env)
          : await runTests(config, context, stagePorts, ecosystem, env);
        if (shard && 'files' in outcome) shardFiles = outcome.files as string[];
        report.tests = outcome.results;
        report.coverage = outcome.coverage;
        return [outcome.stage];
      }),
      config.lint && firstShard
        ? inSection('lint', async (stagePorts) => {
            const outcome = await runLint(config, context, stagePorts, ecosystem, env);
            report.findings = outcome.findings; // undefined when the linter ran but findings were not measured
            return [outcome.stage];
          })
        : inSection('lint', async () => [
            { name: 'lint', status: 'skipped', durationMs: 0, headline: config.lint ? 'in shard 1' : 'off (input `lint: false`)' }
          ]),
      config.audit && firstShard
        ? inSection('audit', async (stagePorts) => {
            const outcome = await runAudit(config, context, stagePorts, ecosystem, env);
            report.advisories = outcome.vulnerabilities;
            report.vulnerabilities = outcome.vulnerabilities?.length;
            return [outcome.stage];
          })
        : Promise.resolve([]) // `audit: false`: no stage, no request
    ]);
    report.stages.push(...tested, ...linted, ...audited);
    annotate(report, config, ports);
    if (shard) {
      // The shard's results go to the merge job, which reports, gates and ships them as one run.
      report.stages.push(
        ...(await inSection('shard', async (p) =>
          [await handOver(shard, shardFiles, config, context, p, report, new StageLog(p.runner))].flatMap((s) => s ?? [])
        ))
      );
      return endOfShard(report, started);
    }
    if (runsScheduledCommand(config, context)) {
      report.stages.push(...(await inSection('scheduled', (stagePorts) => runScheduledCommand(config, stagePorts, env, report))));
    }

    if (gathering) await patchSection(config, context, gathering, report, findings, inSection);
    await baselineSection(config, context, report, inSection);
  }

  if (shard) return endOfShard(report, started); // its install failed: the merge job reports it missing
  await shipSection(config, context, report, inSection);
  return finishRun(config, context, ports, report, inSection, started, findings);
}

type Candidate = AnnotationCandidate & { message: string; title: string };

/** Failing tests as errors on their lines, lint findings as warnings; the most useful first. */
function annotate(report: Report, config: Config, ports: Ports): void {
  const candidates: Candidate[] = [
    ...failingTests(report.tests),
    ...lintFindings(report.findings ?? [], config.lintBlocking),
    ...vulnerabilityAnnotations(report.advisories ?? [])
  ];
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
    // Not measured (no report was read) is empty, never a 0 that reads as "nothing failed".
    'tests-passed': report.tests ? String(report.tests.passed) : '',
    'tests-failed': report.tests ? String(report.tests.failed) : '',
    'tests-skipped': report.tests ? String(report.tests.skipped) : '',
    coverage: report.coverage ? report.coverage.percent.toFixed(1) : '',
    'lint-findings': report.findings ? String(report.findings.length) : '',
    image: report.image?.image ?? '',
    digest: report.image?.digest ?? '',
    tags: (report.image?.tags ?? []).join('\n'),
    deployed: String(report.deployed ?? false),
    'rolled-back': String(report.rolledBack ?? false),
    'preview-url': report.previewUrl ?? '',
    'coverage-delta': report.coverageDelta ?? '',
    'patch-coverage': report.patchCoverage?.toFixed(1) ?? '',
    vulnerabilities: report.vulnerabilities === undefined ? '' : String(report.vulnerabilities),
    result: report.result
  };
}
