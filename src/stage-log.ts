// A stage's own log, kept together so stages running at the same time never interleave their
// output: lines are collected while the stage runs and printed as one group when it ends.
import { formatCommand } from './command-line.js';
import type { ProcessRunner, RunOptions, RunResult } from './ports.js';

export class StageLog {
  readonly lines: string[] = [];

  constructor(private readonly runner: ProcessRunner) {}

  write(line: string): void {
    this.lines.push(line);
  }

  /** Runs a command, recording the command line and everything it prints. */
  async run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
    this.write(`$ ${formatCommand([command, ...args])}`);
    return this.runner.run(command, args, {
      ...options,
      onLine: (line, stream) => {
        this.write(line);
        options.onLine?.(line, stream);
      }
    });
  }

  /** The last lines of output, for an error message that shows what went wrong. */
  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }
}
