// The post step: the main step normally removes its own run folder; this one finds it only after a
// run that was killed before it could (see leftovers.ts). It never fails the job.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getState, info, annotate } from './adapters/github/workflow-commands.js';
import { processRunner } from './adapters/process.js';
import { cleanUpLeftovers } from './leftovers.js';

export const RUN_DIR_STATE = 'run-dir';

export async function cleanUpAfterRun(): Promise<void> {
  const runDir = getState(RUN_DIR_STATE);
  if (!runDir) return;
  try {
    const root = join(process.env.RUNNER_TEMP ?? tmpdir(), 'slipway');
    for (const line of await cleanUpLeftovers(runDir, root, processRunner(process.env, () => []))) info(line);
  } catch (error) {
    annotate('warning', `Slipway could not clean up after the run: ${error instanceof Error ? error.message : String(error)}`);
  }
}
