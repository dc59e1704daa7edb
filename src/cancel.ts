// A cancelled run (the job cancelled, a timeout, Ctrl-C) stops what it started and removes what it
// wrote before the process ends: running programs get SIGTERM in their process groups (SIGKILL
// after a grace period), and the run folder — which holds the private Docker config with the
// registry login — is deleted. All of it synchronously: the pipeline must not go on to report the
// programs it just stopped as failures.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import type { SpawningRunner } from './adapters/process.js';

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
/** How long children get to end on SIGTERM before SIGKILL (the runner waits 7.5 s before it escalates). */
const GRACE_MS = 2000;

/**
 * Until the returned function is called, SIGINT and SIGTERM stop `runner`'s children, remove
 * `runDir` (when known by then) and end the process with 128 + the signal's number.
 */
export function cleanUpOnCancel(runner: SpawningRunner, runDir: () => string | undefined, say: (line: string) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    const groups = runner.running();
    runner.stopAll('SIGTERM');
    for (const end = Date.now() + GRACE_MS; Date.now() < end && groups.some(groupRunning); ) pause(50);
    runner.stopAll('SIGKILL');
    const dir = runDir();
    if (dir) rmSync(dir, { recursive: true, force: true });
    say(`Cancelled (${signal}): stopped ${groups.length} running program${groups.length === 1 ? '' : 's'} and removed the run's files and registry login.`);
    process.exit(EXIT_CODES[signal] ?? 1);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/** Blocks the thread: no other code of the run may go on while it is being cancelled. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Whether a process group still has a running member. A stopped child stays a zombie until this
 * process reaps it (which a blocked thread cannot), so on Linux members are read from /proc.
 */
function groupRunning(group: number): boolean {
  try {
    process.kill(-group, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc: the group exists, assume it runs
  }
  return entries.some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === group && state !== 'Z';
    } catch {
      return false;
    }
  });
}
