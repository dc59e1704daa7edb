// ProcessRunner over child_process.spawn: argument arrays only, never a shell. A bare command name
// is looked up on the PATH of the environment given (so `pip` inside a virtualenv's PATH is the
// virtualenv's pip), and every line of output reaches the listener, the last one too.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessRunner } from '../ports.js';

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

export const spawnRunner: ProcessRunner = {
  run(command, args, options) {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
      });
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
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT' ? new Error(`\`${command}\` was not found (is it installed and on PATH?)`) : error);
      });
      child.on('close', (code, signal) => {
        for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) options.onLine?.(pending[stream], stream);
        resolve({ code: code ?? (signal ? 128 : 1), stdout: output.stdout, stderr: output.stderr, durationMs: Date.now() - started });
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  }
};
