// What a run leaves behind only when it is killed outright: its run folder (with the private Docker
// config holding the registry login) and programs it started. The main step records both; the post
// step, which the runner runs even after a cancel, removes them.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { ProcessRunner } from './ports.js';

const CHILDREN_FILE = 'children';

/** `/proc/<pid>/stat`'s start time: tells a recorded process from a later one that reuses its id. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Records the process groups running now (one `pid start-time` a line) in the run folder. */
export function recordChildren(runDir: string, groups: readonly number[]): void {
  try {
    writeFileSync(join(runDir, CHILDREN_FILE), groups.map((pid) => `${pid} ${startTime(pid) ?? '?'}\n`).join(''));
  } catch {
    // the folder is gone: the run is ending
  }
}

/** Kills the recorded groups that are still the same processes; returns how many. */
function killRecorded(runDir: string): number {
  let lines: string[];
  try {
    lines = readFileSync(join(runDir, CHILDREN_FILE), 'utf8').split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  let killed = 0;
  for (const line of lines) {
    const [pid, started] = line.split(' ');
    const id = Number(pid);
    if (!Number.isInteger(id) || id <= 1 || startTime(id) === undefined || (started !== '?' && startTime(id) !== started)) continue;
    try {
      process.kill(-id, 'SIGKILL');
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

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
 * Cleans up after a run that could not: kills its leftover programs, logs out of the registries of
 * its private Docker configs, removes its folder. `runDir` must lie inside `root` (Slipway's folder
 * under RUNNER_TEMP): state is only a hint, and this never deletes anything else.
 */
export async function cleanUpLeftovers(runDir: string, root: string, runner: ProcessRunner): Promise<string[]> {
  const dir = resolve(runDir);
  if (!dir.startsWith(resolve(root) + sep)) return [`Not cleaning ${dir}: it is not a Slipway run folder.`];
  if (!existsSync(dir)) return [];
  const said: string[] = [];
  const killed = killRecorded(dir);
  if (killed > 0) said.push(`Stopped ${killed} program${killed === 1 ? '' : 's'} the run left running.`);
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
