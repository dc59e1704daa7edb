// The smoke test's container, when a run is cancelled or killed while it lives: its id waits in the
// run folder (stages/smoke.ts), and whoever cleans the folder up removes the container first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_ID, SMOKE_CONTAINER_FILE } from './stages/smoke-plan.js';

/** The smoke container's id left in run folder `dir`; undefined when there is none (or no id). */
export function leftSmokeContainer(dir: string): string | undefined {
  try {
    const id = readFileSync(join(dir, SMOKE_CONTAINER_FILE), 'utf8').trim();
    return CONTAINER_ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** On a cancel (which ends the process at once): `docker rm -f` the smoke container, waiting at most `timeoutMs`. */
export function removeSmokeContainerNow(dir: string, timeoutMs = 10_000): string | undefined {
  const id = leftSmokeContainer(dir);
  if (!id) return undefined;
  spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore', timeout: timeoutMs });
  return id;
}
