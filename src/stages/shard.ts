// A test shard's job: which test files it runs (split by the durations the default branch recorded),
// and handing its results to the merge job as the artifact `slipway-shard-<i>-of-<n>`.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Ecosystem, Environment } from '../ecosystems/ecosystem.js';
import { projectFiles } from '../ecosystems/project-files.js';
import { findTestFiles } from '../ecosystems/test-files.js';
import { describeError } from '../errors.js';
import type { CacheStore } from '../ports.js';
import type { Report, StageResult } from '../model.js';
import { SHARD_RECORD_FILE, SHARD_RECORD_VERSION, serializeShardRecord, type ShardRecord } from '../reports/merge-shards.js';
import { StageLog } from '../stage-log.js';
import { baselineFolder, baselineKey } from './baseline-cache.js';
import { cacheFlow } from './cache-flow.js';
import { runTests, type TestOutcome } from './test.js';
import { DURATIONS_FILE, describeSplit, fileDurations, parseDurations, shardArtifactName, splitTests, type Shard } from './shard-plan.js';

/** More test files than any project has; the walk is bounded all the same. */
const MAX_TEST_FILES = 50_000;

/** The shard's tests: its share of the test files, run as the detected (or given) command would run them all. */
export async function testShard(
  shard: Shard,
  config: Config,
  context: RunContext,
  ports: Ports,
  ecosystem: Ecosystem,
  environment: Environment
): Promise<TestOutcome & { files: string[] }> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const { files, all } = await shareOf(shard, config, context, ports, ecosystem, log);
  const name = `shard ${shard.index}/${shard.total}`;
  if (files.length === 0) {
    // More shards than test files: this one has nothing to run, and that is no failure.
    return { stage: { name: 'test', status: 'success', durationMs: Date.now() - started, headline: `${name}: no test files in this share` }, log, files };
  }
  const outcome = await runTests(config, context, ports, ecosystem, environment, { files, all, first: shard.index === 1, root: config.workingDirectory });
  const collectedNone = outcome.stage.status === 'warning' || outcome.stage.headline.startsWith('ran 0 tests'); // nothing-tested.ts
  if (outcome.results?.total === 0 && collectedNone) {
    // Its files hold no test the runner collects (outside `testpaths`, say): the merge job judges
    // whether the shards together tested anything.
    const headline = `${name}: the runner collected no test from this share`;
    return { ...outcome, stage: { name: 'test', status: 'success', durationMs: outcome.stage.durationMs, headline }, files };
  }
  return { ...outcome, stage: { ...outcome.stage, headline: `${name} · ${outcome.stage.headline}` }, files };
}

/** This shard's test files and all of them (project-relative): the same split every shard computes for itself. */
export async function shareOf(
  shard: Shard,
  config: Config,
  context: RunContext,
  ports: Ports,
  ecosystem: Ecosystem,
  log: StageLog
): Promise<{ files: string[]; all: string[] }> {
  const found = findTestFiles(projectFiles(ports.files, config.workingDirectory), (path) => ecosystem.isTestFile(path), MAX_TEST_FILES, 20_000);
  const files = found.files.map((path) => ({ path, size: ports.files.read(join(config.workingDirectory, path))?.length }));
  const durations = await recordedDurations(config, context, ports, log);
  const plan = splitTests(files, shard.total, durations);
  log.write(describeSplit(plan, shard));
  const mine = plan.shards[shard.index - 1] ?? [];
  if (mine.length > 0) log.write(`Test files of this shard: ${mine.join(' ')}`);
  return { files: mine, all: files.map((file) => file.path) };
}

/** The durations saved with the newest baseline of the base branch (or of this branch); empty without. */
async function recordedDurations(config: Config, context: RunContext, ports: Ports, log: StageLog): Promise<Map<string, number>> {
  if (!ports.cache || !config.cache) return new Map();
  const folder = baselineFolder(context);
  const { key, prefix } = baselineKey(config.cacheVersion, context.os, context.event.pullRequest?.baseSha ?? context.event.sha);
  ports.files.remove(folder);
  try {
    const restored = await cacheFlow(ports.cache, context, ports.reporter, log).restore([folder], key, [prefix]);
    return restored ? parseDurations(ports.files.read(join(folder, DURATIONS_FILE))) : new Map();
  } finally {
    ports.files.remove(folder);
  }
}

/**
 * Writes the shard's record (counts, failing tests, coverage with its lines, durations, lint and
 * audit findings) and uploads it with the reports the runner wrote. A failed upload fails the shard:
 * the merge job could only say that it is missing.
 */
export async function handOver(
  shard: Shard,
  files: string[],
  config: Config,
  context: RunContext,
  ports: Ports,
  report: Report,
  log: StageLog
): Promise<StageResult | undefined> {
  const started = Date.now();
  const name = shardArtifactName(shard);
  const test = report.stages.find((stage) => stage.name === 'test');
  const root = join(context.tempDir, 'shard-artifact');
  const prefix = projectPrefix(config, context);
  const record: ShardRecord = {
    version: SHARD_RECORD_VERSION,
    index: shard.index,
    total: shard.total,
    files,
    stage: test ? { status: test.status, headline: test.headline, details: test.details } : { status: 'skipped', headline: 'not run' },
    results: report.tests,
    coverage: report.coverage,
    durations: Object.fromEntries(fileDurations(report.tests?.cases ?? [], prefix)),
    findings: report.findings,
    advisories: report.advisories,
    checks: report.stages
      .filter((stage) => (stage.name === 'lint' || stage.name === 'audit') && shard.index === 1)
      .map(({ name: stage, status, headline, details }) => ({ name: stage, status, headline, details }))
  };
  ports.files.write(join(root, SHARD_RECORD_FILE), serializeShardRecord(record));
  // The runner's own reports beside the record, for people to read (the record holds what the merge needs).
  const reports = ['**/junit*.xml', '**/coverage.xml', '**/cobertura-coverage.xml', '**/lcov.info', '**/jest.json'].flatMap((pattern) =>
    ports.files.glob(context.tempDir, pattern).filter((path) => !path.startsWith(root))
  );
  for (const path of reports) ports.files.write(join(root, 'reports', path.slice(context.tempDir.length + 1)), ports.files.read(path) ?? '');
  if (!ports.artifacts) {
    log.write(`No artifact service here: ${name} is not uploaded (the merge job of a workflow run reads it).`);
    return undefined;
  }
  try {
    await ports.artifacts.upload(name, ports.files.glob(root, '**'), root);
    log.write(`Uploaded ${name}: ${files.length} test file(s), ${report.tests?.total ?? 0} test(s)${report.coverage ? ', coverage' : ''}`);
    return undefined;
  } catch (error) {
    const why = describeError(error);
    return {
      name: 'test',
      status: 'failure',
      durationMs: Date.now() - started,
      headline: `shard ${shard.index}/${shard.total}: its results could not be uploaded: ${why}`,
      details: [`The merge job needs the artifact ${name}.`]
    };
  }
}

/** `app/` when the project is the folder `app` of the repository; '' at its root. */
export function projectPrefix(config: Pick<Config, 'workingDirectory'>, context: Pick<RunContext, 'repositoryRoot'>): string {
  const root = context.repositoryRoot.replace(/\/+$/, '');
  return config.workingDirectory.startsWith(`${root}/`) ? `${config.workingDirectory.slice(root.length + 1).replace(/\/+$/, '')}/` : '';
}

/** Shards other than the first restore the environment but never save it: one save per key, not n racing. */
export function restoreOnly(store: CacheStore): CacheStore {
  return {
    description: store.description,
    remote: store.remote,
    restore: (...args) => store.restore(...args),
    save: async () => false
  };
}

/** A shard's job ends after the hand-over: the merge job comments, notifies and ships. */
export function endOfShard(report: Report, started: number): Report {
  report.result = report.stages.some((stage) => stage.status === 'failure') ? 'failure' : 'success';
  report.durationMs = Date.now() - started;
  return report;
}
