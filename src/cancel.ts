// A cancelled run (the job cancelled, a timeout, Ctrl-C) stops what it started and removes what it
// wrote before the process ends: every process carrying the run's marker (its children and theirs,
// found by their environment) gets SIGTERM, SIGKILL after a grace period, and the run folder — which
// holds the private Docker config with the registry login — is deleted. All of it synchronously:
// the pipeline must not go on to report the programs it just stopped as failures.
//
// Processes are found through /proc/<pid>/environ, which only Linux has. Elsewhere none is found
// and nothing is signalled here: on a terminal, Ctrl-C reaches the children itself (they share
// Slipway's process group), and a runner ends a job's leftover processes when the job ends.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { RUN_MARKER } from './adapters/process.js';
import { removeSmokeContainerNow } from './smoke-leftover.js';

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
/** How long programs get to end on SIGTERM before SIGKILL (the runner waits 7.5 s before it escalates). */
const GRACE_MS = 2000;

interface Marked {
  pid: number;
  /** The parent carries the marker too: a program started by another of the run's programs. */
  underMarked: boolean;
}

/** The processes, other than this one, whose environment marks them as run `runId`'s; zombies left out. */
export function markedProcesses(runId: string): Marked[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const marked = new Map<number, number>();
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const parent = parentIfRunning(pid);
    if (parent !== undefined && carriesMarker(pid, runId)) marked.set(pid, parent);
  }
  return [...marked].map(([pid, parent]) => ({ pid, underMarked: marked.has(parent) }));
}

/** The parent's pid of a running process; undefined for a zombie or a process that is gone. */
function parentIfRunning(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? undefined : Number(parent);
  } catch {
    return undefined;
  }
}

function carriesMarker(pid: number, runId: string): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false; // gone, or someone else's
  }
  const entry = environ.split('\0').find((variable) => variable.startsWith(`${RUN_MARKER}=`));
  return (
    entry !== undefined &&
    entry
      .slice(RUN_MARKER.length + 1)
      .split(' ')
      .includes(runId)
  );
}

/**
 * Stops every process of run `runId`: SIGTERM, then SIGKILL to those still running after `graceMs`.
 * Blocks meanwhile. Returns how many programs were running: processes whose parent is not one of
 * the run's own (a program and what it started count once).
 */
export function stopMarked(runId: string, graceMs = GRACE_MS): number {
  const found = markedProcesses(runId);
  const signal = (name: NodeJS.Signals) => (marked: Marked) => {
    try {
      process.kill(marked.pid, name);
    } catch {
      // already gone
    }
  };
  found.forEach(signal('SIGTERM'));
  // Programs may start others while they stop: each look signals what is new.
  for (const end = Date.now() + graceMs; Date.now() < end; pause(50)) {
    const left = markedProcesses(runId);
    if (left.length === 0) break;
    left.filter((marked) => !found.some((seen) => seen.pid === marked.pid)).forEach(signal('SIGTERM'));
  }
  markedProcesses(runId).forEach(signal('SIGKILL'));
  return found.filter((marked) => !marked.underMarked).length;
}

/**
 * Until the returned function is called, SIGINT and SIGTERM stop run `runId`'s programs, call
 * `stopping` (the reporter closes its open log groups), remove `runDir` (when known by then) and end
 * the process with 128 + the signal's number.
 */
export function cleanUpOnCancel(runId: string, runDir: () => string | undefined, say: (line: string) => void, stopping?: () => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    const stopped = stopMarked(runId);
    stopping?.();
    const dir = runDir();
    // The smoke test's container runs in the engine, not under this process: remove it by its id.
    if (dir) removeSmokeContainerNow(dir);
    if (dir) rmSync(dir, { recursive: true, force: true });
    say(`Cancelled (${signal}): stopped ${stopped} running program${stopped === 1 ? '' : 's'} and removed the run's files and registry login.`);
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
