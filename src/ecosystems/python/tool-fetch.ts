// Whether a lock file's tool (poetry, uv) that is not installed can be had from the package index:
// one quick question to the index, so that a project whose tool cannot be had goes on with pip.
import type { StageLog } from '../../stage-log.js';
import type { LockTool } from './install-plan.js';

/** At most this long for the answer: an index that does not answer means "no". */
const INDEX_TIMEOUT_SECONDS = '5';

export async function indexHasTool(log: StageLog, interpreter: string, tool: LockTool, cwd: string): Promise<boolean> {
  const args = ['-m', 'pip', 'index', 'versions', tool, '--disable-pip-version-check', '--no-input', '--retries', '0', '--timeout', INDEX_TIMEOUT_SECONDS];
  const run = await log.run(interpreter, args, { cwd }).catch(() => undefined);
  // pip answers `poetry (1.8.3)` and the versions when the index has it.
  return run?.code === 0 && new RegExp(`^${tool} \\(`, 'm').test(run.stdout);
}
