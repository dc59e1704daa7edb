// What a run leaves behind only when it is killed outright: its run folder (with the private Docker
// config holding the registry login), programs it started and the smoke test's container. The main step saves the folder and the
// run's marker (see adapters/process.ts) as state; the post step, which the runner runs even after a
// cancel, removes them.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { stopMarked } from './cancel.js';
import type { ProcessRunner } from './ports.js';
import { leftSmokeContainer } from './smoke-leftover.js';

/** Registries logged in to in a private Docker config (its `auths`). */
function loggedInRegistries(dockerConfig: string): string[] {
  try {
    const config = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as { auths?: Record<string, unknown> };
    return Object.keys(config.auths ?? {});
  } catch {
    return [];
  }
}

/**
 * Cleans up after a run that could not: stops the programs carrying its marker `runId`, logs out of
 * the registries of its private Docker configs, removes its folder. `runDir` must lie inside `root`
 * (Slipway's folder under RUNNER_TEMP): state is only a hint, and this never deletes anything else.
 */
export async function cleanUpLeftovers(runDir: string, runId: string, root: string, runner: ProcessRunner): Promise<string[]> {
  const dir = resolve(runDir);
  if (!dir.startsWith(resolve(root) + sep)) return [`Not cleaning ${dir}: it is not a Slipway run folder.`];
  // No folder: the run ended (or was cancelled) and cleaned up itself.
  if (!existsSync(dir)) return [];
  const said: string[] = [];
  // A run id is a random UUID: anything else marks no run's programs.
  const stopped = /^[0-9a-f-]{36}$/.test(runId) ? stopMarked(runId) : 0;
  if (stopped > 0) said.push(`Stopped ${stopped} program${stopped === 1 ? '' : 's'} the run left running.`);
  const smokeContainer = leftSmokeContainer(dir);
  if (smokeContainer) {
    await runner.run('docker', ['rm', '-f', smokeContainer], { cwd: dir }).catch(() => undefined);
    said.push(`Removed the smoke test's container ${smokeContainer.slice(0, 12)}.`);
  }
  for (const name of readdirSync(dir).filter((entry) => entry.startsWith('docker-config-'))) {
    const dockerConfig = join(dir, name);
    for (const registry of loggedInRegistries(dockerConfig)) {
      await runner.run('docker', ['logout', registry], { cwd: dir, env: { DOCKER_CONFIG: dockerConfig } }).catch(() => undefined);
      said.push(`Logged out of ${registry}.`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  said.push('Removed the run folder the cancelled run left behind.');
  return said;
}
