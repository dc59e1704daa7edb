// ProcessRunner over @actions/exec: argument arrays only, never a shell. A bare command name is
// looked up on the PATH of the child's environment (so `pip` inside a virtualenv's PATH is the
// virtualenv's pip), and every line of output reaches the listener, the last one too.
// Every child carries this run's marker in its environment (RUN_MARKER), and so does everything it
// starts: that is how a cancel, or the post step after a kill, finds what is left (cancel.ts).
import { exec } from '@actions/exec';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { ProcessRunner } from '../ports.js';
import { childEnvironment, type Environment } from '../trust/child-env.js';

/** The variable marking a run's programs: `SLIPWAY_RUN=<run id>` (no secret). */
export const RUN_MARKER = 'SLIPWAY_RUN';

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The file `program` runs: a path with a slash (from `cwd`), else the first match in `path`'s folders. */
export function findProgram(program: string, path: string, cwd: string): string | undefined {
  if (program.includes('/')) return executable(resolve(cwd, program)) ? resolve(cwd, program) : undefined;
  return path
    .split(delimiter)
    .map((dir) => resolve(cwd, join(dir || '.', program)))
    .find(executable);
}

/** True when an executable file called `program` is in one of PATH's folders. */
export function onPath(program: string, path = process.env.PATH ?? ''): boolean {
  return findProgram(program, path, process.cwd()) !== undefined;
}

export interface MarkedRunner extends ProcessRunner {
  /** The value of RUN_MARKER this runner's children carry. */
  readonly runId: string;
}

let stdinGuarded = false;

/**
 * @actions/exec writes `input` to a child's stdin with no error listener: a program that ends before
 * reading it (most programs never read it) would end Slipway with an uncaught EPIPE. Every child's
 * stdin gets a listener, attached before that write can fail (the write is in the same tick as the
 * spawn; its error is emitted on a later one). The write's failure is no failure of the run: the
 * program's exit code says what happened.
 */
function guardChildStdin(): void {
  if (stdinGuarded) return;
  stdinGuarded = true;
  subscribe('child_process', (message) => {
    const child = (message as { process?: ChildProcess }).process;
    process.nextTick(() => child?.stdin?.on('error', () => undefined));
  });
}

/**
 * A runner whose children see `base` (the process environment) minus what they must not see, with
 * each call's `env` as an overlay on top, and the run's marker. `secrets` is asked at every start:
 * secrets registered later in the run (a hook URL's key) are withheld from later children too.
 */
export function processRunner(base: Environment, secrets: () => readonly string[], runId: string = randomUUID()): MarkedRunner {
  // A marker inherited from an outer run (Slipway testing Slipway) is kept: both runs find the child.
  const marker = [base[RUN_MARKER], runId].filter(Boolean).join(' ');
  guardChildStdin();
  return {
    runId,
    async run(command, args, options) {
      const started = Date.now();
      const { env } = childEnvironment(base, secrets(), { ...options.env, [RUN_MARKER]: marker });
      const program = findProgram(command, env.PATH ?? '', options.cwd);
      if (!program) throw new Error(`\`${command}\` was not found (is it installed and on PATH?)`);
      const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      const line = (stream: 'stdout' | 'stderr') => (text: string) => options.onLine?.(text.replace(/\r$/, ''), stream);
      const code: number | null = await exec(program, [...args], {
        cwd: options.cwd,
        env,
        silent: true,
        ignoreReturnCode: true,
        // Always some input, so stdin ends: a program that reads it never waits for a keyboard.
        input: Buffer.from(options.input ?? ''),
        listeners: {
          stdout: (data) => void chunks.stdout.push(data),
          stderr: (data) => void chunks.stderr.push(data),
          stdline: line('stdout'),
          errline: line('stderr')
        }
      });
      const stdout = Buffer.concat(chunks.stdout).toString('utf8');
      const stderr = Buffer.concat(chunks.stderr).toString('utf8');
      // @actions/exec keeps a last line without a line break from its listeners.
      lastLine(stdout, line('stdout'));
      lastLine(stderr, line('stderr'));
      // No exit code: a signal ended the program.
      return { code: code ?? 128, stdout, stderr, durationMs: Date.now() - started };
    }
  };
}

function lastLine(text: string, emit: (line: string) => void): void {
  const last = text.slice(text.lastIndexOf('\n') + 1);
  if (last) emit(last);
}
