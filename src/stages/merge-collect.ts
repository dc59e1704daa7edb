// The merge job's first step: every shard's artifact downloaded and read, and the shards added up.
// How many shards there were comes from the artifacts' names (`slipway-shard-<i>-of-<n>`), so the
// merge job needs no input repeating the matrix.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { describeError } from '../errors.js';
import type { StageResult } from '../model.js';
import { mergeShardRecords, parseShardRecord, SHARD_RECORD_FILE, type MergedShards, type ShardRecord } from '../reports/merge-shards.js';
import type { StageLog } from '../stage-log.js';
import { shardArtifactName } from './shard-plan.js';
import { verdictOf } from './test.js';

const NAME = /^slipway-shard-(\d+)-of-(\d+)$/;

export interface Collected {
  stage: Omit<StageResult, 'durationMs'>;
  merged?: MergedShards;
}

export async function collectShards(config: Config, context: RunContext, ports: Ports, log: StageLog): Promise<Collected> {
  const failure = (headline: string, details?: string[]): Collected => ({ stage: { name: 'test', status: 'failure', headline, details } });
  if (!ports.artifacts) return failure('merge-shards: no artifact service here; the merge runs in a workflow job after the shard jobs');
  let names: string[];
  try {
    names = await ports.artifacts.list();
  } catch (error) {
    return failure(`merge-shards: the run's artifacts could not be listed: ${describeError(error)}`);
  }
  const shards = names.map((name) => NAME.exec(name)).filter((m): m is RegExpExecArray => m !== null);
  const totals = [...new Set(shards.map((m) => Number(m[2])))].sort((a, b) => b - a);
  if (totals.length === 0) {
    return failure('merge-shards: no shard sent results: no artifact slipway-shard-<i>-of-<n> in this run', [
      'Run the shards first (`shard: ${{ matrix.shard }}/<n>`) and give the merge job `needs:` on them, and `if: always()` so that it reports failed shards too.'
    ]);
  }
  const total = totals[0]!;
  if (totals.length > 1) log.write(`Artifacts of ${totals.join(' and ')} shards: merging the ${total} shards (the others are of another matrix)`);
  const records: ShardRecord[] = [];
  const unreadable: string[] = [];
  for (let index = 1; index <= total; index++) {
    const name = shardArtifactName({ index, total });
    if (!names.includes(name)) continue;
    const dir = join(context.tempDir, 'shards', name);
    try {
      await ports.artifacts.download(name, dir);
    } catch (error) {
      unreadable.push(`${name}: the download failed: ${describeError(error)}`);
      continue;
    }
    const record = parseShardRecord(ports.files.read(join(dir, SHARD_RECORD_FILE)) ?? '');
    if (typeof record === 'string') unreadable.push(`${name}: ${record}`);
    else records.push(record);
  }
  const merged = mergeShardRecords(records, total);
  log.write(
    `Merged ${records.length} of ${total} shards: ${merged.results ? `${merged.results.total} tests` : 'no test results'}${merged.coverage ? `, coverage ${merged.coverage.percent.toFixed(1)}%` : ''}`
  );
  if (merged.twice.length > 0) {
    ports.reporter.warning(
      `merge-shards: ${merged.twice.length} test file(s) ran in two shards (${merged.twice.slice(0, 5).join(', ')}): the shards split differently (a baseline saved while they started?); their tests count twice.`
    );
  }
  return { stage: mergedVerdict(config, merged, unreadable, total), merged };
}

/** Pure: the merge job's `test` stage: missing shards first, then the shards' failures, then the gates. */
export function mergedVerdict(config: Pick<Config, 'coverageMin'>, merged: MergedShards, unreadable: string[], total: number): Collected['stage'] {
  const missing = merged.missing.map((index) => shardArtifactName({ index, total }));
  if (missing.length > 0) {
    const named = missing.length === 1 ? `shard ${merged.missing[0]} of ${total} is missing` : `shards ${merged.missing.join(', ')} of ${total} are missing`;
    return {
      name: 'test',
      status: 'failure',
      headline: `merge-shards: ${named} (no ${missing.join(', ')})`,
      details: [
        ...unreadable,
        'A shard uploads its results when its tests have run: did its job fail or get cancelled before that, or does its `shard` input say another number?'
      ]
    };
  }
  if (merged.files > 0 && merged.results?.total === 0) {
    // Never green on nothing: the shards had test files and not one test ran.
    const headline = `merge-shards: the ${total} shards ran no test from their ${merged.files} test files`;
    return { name: 'test', status: 'failure', headline, details: ['Each shard says what its runner collected; an unsharded run shows what it would run.'] };
  }
  const exitCode = merged.failedShards.length > 0 ? 1 : 0;
  const verdict = verdictOf(exitCode, merged.results, merged.coverage, config.coverageMin);
  const headline = `${total} shards · ${verdict.headline}`;
  const failedShards = merged.failedShards.map((shard) => `shard ${shard.index}/${total}: ${shard.headline}`);
  return { name: 'test', ...verdict, headline, details: [...(verdict.details ?? []), ...(verdict.details?.length ? [] : failedShards)] };
}
