// The sharding inputs (`shard`, `merge-shards`), checked together before anything runs.
import { ConfigError } from './inputs.js';
import { parseShard, type Shard } from './stages/shard-plan.js';

export interface ShardConfig {
  /** This job runs share `index` of `total` of the test files and hands its results on. */
  shard?: Shard;
  /** This job merges the shards' results: no install, no tests of its own. */
  mergeShards: boolean;
}

/** Throws a ConfigError naming the input and the fix. */
export function shardConfig(shard: string | undefined, mergeShards: boolean, testTiers = 0): ShardConfig {
  if (shard && mergeShards) {
    throw new ConfigError(
      'merge-shards',
      'is true in a job that also has `shard`: the shards run the tests and a separate job (with `needs:` on them) merges their results; set only one of the two in each job.'
    );
  }
  if (!shard) return { mergeShards };
  if (testTiers > 1) {
    throw new ConfigError(
      'shard',
      '`test-command` has several lines (tiers): a shard runs one command with its share of the test files; give one line, or shard a separate job per tier.'
    );
  }
  const parsed = parseShard(shard);
  if (typeof parsed === 'string') throw new ConfigError('shard', `${parsed.replace(/^`shard` /, '')}.`);
  return { shard: parsed, mergeShards };
}
