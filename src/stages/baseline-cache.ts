// The coverage baseline between runs: a push to the default branch saves one record, a pull request's
// run restores the base branch's. It travels through the cache service because that needs no
// permission beyond the run's own (no `contents: write`, no artifact token), and its scoping is the
// rule wanted here: a pull request's run reads the entries of its base branch, and nothing a pull
// request saves is ever read by the default branch.
import { join, relative, sep } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Report } from '../model.js';
import { buildBaseline, parseBaseline, serializeBaseline, type Baseline } from '../reports/baseline.js';
import type { StageLog } from '../stage-log.js';
import { cacheFlow } from './cache-flow.js';
import { DURATIONS_FILE, fileDurations, serializeDurations } from './shard-plan.js';

/** `slipway-baseline-<cache-version>-<os>-<sha>`; the prefix finds the newest of any commit. */
export function baselineKey(cacheVersion: string, os: string, sha: string): { key: string; prefix: string } {
  const prefix = `slipway-baseline-${cacheVersion}-${os}-`;
  return { key: prefix + sha, prefix };
}

/**
 * Where the record is saved from and restored to: the cache tells entries apart by their paths, so
 * it must be the same folder on every run (the project's state folder, not the run's scratch one).
 * That also keeps the baselines of two projects in one repository apart.
 */
export function baselineFolder(context: Pick<RunContext, 'stateDir'>): string {
  return join(context.stateDir, 'baseline');
}

/** A trusted push to the default branch whose tests ran and passed leaves a baseline. */
export function savesBaseline(context: Pick<RunContext, 'event'>, report: Pick<Report, 'stages' | 'tests' | 'coverage'>): boolean {
  const { event } = context;
  const tested = report.stages.find((stage) => stage.name === 'test')?.status === 'success';
  return event.name === 'push' && event.ref === `refs/heads/${event.defaultBranch}` && !event.untrusted && tested && Boolean(report.coverage ?? report.tests);
}

export async function saveBaseline(config: Config, context: RunContext, ports: Ports, report: Report, log: StageLog): Promise<void> {
  if (!ports.cache) {
    log.write('No cache service here: no baseline is saved for pull requests to compare with.');
    return;
  }
  const folder = baselineFolder(context);
  const { key } = baselineKey(config.cacheVersion, context.os, context.event.sha);
  ports.files.write(join(folder, 'baseline.json'), serializeBaseline(buildBaseline(report, context.event.sha)));
  // Each test file's duration, for test shards to split by (the same entry: one save, one restore).
  const prefix = relative(context.repositoryRoot, config.workingDirectory).split(sep).join('/');
  ports.files.write(join(folder, DURATIONS_FILE), serializeDurations(fileDurations(report.tests?.cases ?? [], prefix ? `${prefix}/` : '')));
  try {
    await cacheFlow(ports.cache, context, ports.reporter, log).save([folder], key);
  } finally {
    ports.files.remove(folder);
  }
}

/** The base branch's newest baseline (its own commit's when there is one); undefined when none. */
export async function restoreBaseline(config: Config, context: RunContext, ports: Ports, log: StageLog): Promise<Baseline | undefined> {
  if (!ports.cache) {
    log.write('No cache service here: no baseline to compare with.');
    return undefined;
  }
  const folder = baselineFolder(context);
  const { key, prefix } = baselineKey(config.cacheVersion, context.os, context.event.pullRequest?.baseSha ?? '');
  // Whatever an earlier run on this machine left is not this base branch's record.
  ports.files.remove(folder);
  try {
    const restored = await cacheFlow(ports.cache, context, ports.reporter, log).restore([folder], key, [prefix]);
    if (!restored) return undefined;
    const baseline = parseBaseline(ports.files.read(join(folder, 'baseline.json')) ?? '');
    log.write(
      baseline
        ? `Baseline of ${baseline.commit.slice(0, 7)}: coverage ${baseline.coverage ?? '–'}%`
        : `The baseline in ${restored} is unreadable (another version?): ignored`
    );
    return baseline;
  } finally {
    ports.files.remove(folder);
  }
}
