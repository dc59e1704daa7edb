// ProcessRunner over child_process.spawn: argument arrays only, never a shell. A bare command name
// is looked up on the PATH of the child's environment (so `pip` inside a virtualenv's PATH is the
// virtualenv's pip), and every line of output reaches the listener, the last one too.
// Each child leads its own process group, so a cancelled run can stop it with everything it started
// (pip's builds, npm's scripts) and nothing is left running after the step.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessRunner } from '../ports.js';
import { childEnvironment, type Environment } from '../trust/child-env.js';

/** True when an executable file called `program` is in one of PATH's folders. */
export function onPath(program: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    const candidate = join(dir || '.', program);
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

export interface SpawningRunner extends ProcessRunner {
  /** Process group ids of the children still running. */
  running(): number[];
  /** Sends `signal` to every running child's process group. */
  stopAll(signal: NodeJS.Signals): void;
}

/**
 * A runner whose children see `base` (the process environment) minus what they must not see, with
 * each call's `env` as an overlay on top. `secrets` is asked at every start: secrets registered
 * later in the run (a hook URL's key) are withheld from later children too.
 */
export function processRunner(base: Environment, secrets: () => readonly string[], onGroups?: (groups: number[]) => void): SpawningRunner {
  const groups = new Set<number>();
  const changed = (): void => onGroups?.([...groups]);
  return {
    running: () => [...groups],
    stopAll(signal) {
      for (const group of groups) {
        try {
          process.kill(-group, signal);
        } catch {
          // already gone
        }
      }
    },
    run(command, args, options) {
      const started = Date.now();
      const { env } = childEnvironment(base, secrets(), options.env);
      return new Promise((resolve, reject) => {
        const child = spawn(command, [...args], {
          cwd: options.cwd,
          env,
          detached: true,
          stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
        });
        if (child.pid !== undefined) {
          groups.add(child.pid);
          changed();
        }
        const output = { stdout: '', stderr: '' };
        const pending = { stdout: '', stderr: '' };
        const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          output[stream] += text;
          const lines = (pending[stream] + text).split(/\r?\n/);
          pending[stream] = lines.pop() ?? '';
          for (const line of lines) options.onLine?.(line, stream);
        };
        child.stdout?.on('data', collect('stdout'));
        child.stderr?.on('data', collect('stderr'));
        const ended = (): void => {
          if (child.pid !== undefined && groups.delete(child.pid)) changed();
        };
        child.on('error', (error: NodeJS.ErrnoException) => {
          ended();
          reject(error.code === 'ENOENT' ? new Error(`\`${command}\` was not found (is it installed and on PATH?)`) : error);
        });
        child.on('close', (code, signal) => {
          ended();
          for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) options.onLine?.(pending[stream], stream);
          resolve({ code: code ?? (signal ? 128 : 1), stdout: output.stdout, stderr: output.stderr, durationMs: Date.now() - started });
        });
        // A child that exits before reading its input must not crash the run with EPIPE.
        child.stdin?.on('error', () => undefined);
        if (options.input !== undefined) child.stdin?.end(options.input);
      });
    }
  };
}
