// The post step: the main step normally removes its own run folder; this one finds it only after a
// run that was killed before it could (see leftovers.ts). It never fails the job.
import * as core from '@actions/core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { info } from './adapters/github/workflow-commands.js';
import { processRunner } from './adapters/process.js';
import { cleanUpLeftovers } from './leftovers.js';

export const RUN_DIR_STATE = 'run-dir';
/** The marker the main step's programs carry (adapters/process.ts). */
export const RUN_ID_STATE = 'run-id';

export async function cleanUpAfterRun(): Promise<void> {
  const runDir = core.getState(RUN_DIR_STATE);
  if (!runDir) return;
  try {
    const root = join(process.env.RUNNER_TEMP ?? tmpdir(), 'slipway');
    const said = await cleanUpLeftovers(
      runDir,
      core.getState(RUN_ID_STATE),
      root,
      processRunner(process.env, () => [])
    );
    said.forEach(info);
  } catch (error) {
    core.warning(`Slipway could not clean up after the run: ${error instanceof Error ? error.message : String(error)}`);
  }
}
