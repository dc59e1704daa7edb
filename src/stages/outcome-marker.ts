// The previous run's result, for `recovery`: each run leaves a marker in the cache whose key ends
// in its result, under a prefix of the workflow, job and branch; the newest one with that prefix is
// the previous run's. The cache's scoping fits: a branch reads its own entries (and the default
// branch's, which the branch in the prefix keeps apart). A marker the cache evicted (7 days unused)
// or no cache at all makes the previous result unknown: no recovery is announced, never a false one.
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Report } from '../model.js';
import type { PreviousResult } from '../notify/notice.js';
import type { StageLog } from '../stage-log.js';
import { cacheFlow } from './cache-flow.js';

/** `slipway-outcome-<cache-version>-<os>-<workflow>-<job>-<branch>-`; a run appends `<time>-<result>`. */
export function outcomePrefix(cacheVersion: string, context: Pick<RunContext, 'os' | 'event'>): string {
  const { workflow, job, ref } = context.event;
  // Cache keys allow no commas; anything else odd is made plain too, so names never collide with the separators.
  const part = (text: string | undefined): string => (text || 'local').replace(/[^A-Za-z0-9._/]/g, '_');
  return `slipway-outcome-${cacheVersion}-${context.os}-${part(workflow)}-${part(job)}-${part(ref.replace(/^refs\/(heads|tags)\//, ''))}-`;
}

/** The result a marker's key records; undefined for a key that is no marker. */
export function resultOfKey(key: string | undefined): PreviousResult {
  const result = /-(success|failure)$/.exec(key ?? '')?.[1];
  return result as PreviousResult;
}

/** Same folder every run: the cache tells entries apart by their paths too. */
const folderOf = (context: Pick<RunContext, 'stateDir'>): string => join(context.stateDir, 'outcome');

export async function previousOutcome(config: Config, context: RunContext, ports: Ports, log: StageLog): Promise<PreviousResult> {
  if (!ports.cache) {
    log.write('No cache here (`cache: false`?): the previous result is unknown, so no recovery can be told.');
    return undefined;
  }
  const prefix = outcomePrefix(config.cacheVersion, context);
  const folder = folderOf(context);
  ports.files.remove(folder);
  try {
    const restored = await cacheFlow(ports.cache, context, ports.reporter, log).restore([folder], prefix, [prefix]);
    return resultOfKey(restored);
  } finally {
    ports.files.remove(folder);
  }
}

export async function recordOutcome(config: Config, context: RunContext, ports: Ports, result: Report['result'], log: StageLog): Promise<void> {
  if (!ports.cache) return;
  const folder = folderOf(context);
  ports.files.write(join(folder, 'result'), `${result}\n`);
  try {
    await cacheFlow(ports.cache, context, ports.reporter, log).save([folder], `${outcomePrefix(config.cacheVersion, context)}${Date.now()}-${result}`);
  } finally {
    ports.files.remove(folder);
  }
}
