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

  /**
   * Runs a command, recording the command line and everything it prints. `shownArgs` replaces the
   * arguments in the recorded line when some of them must not be printed (build-arg values).
   */
  async run(command: string, args: readonly string[], options: RunOptions & { shownArgs?: readonly string[] }): Promise<RunResult> {
    this.write(`$ ${formatCommand([command, ...(options.shownArgs ?? args)])}`);
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
