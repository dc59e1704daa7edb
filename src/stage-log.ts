// A stage's own log: every line is kept (for error messages and the stage's record) and, when the
// stage runs in a log section, printed there as it comes. Stages running at the same time never
// interleave their output: sections take turns (sectionsInTurn).
import { formatCommand } from './command-line.js';
import type { LogSection, ProcessRunner, RunOptions, RunResult } from './ports.js';

type Sink = (line: string) => void;

/** Runners handed to one stage, and the section their logs print into. */
const sinks = new WeakMap<ProcessRunner, Sink>();

/**
 * `runner` for one stage: every StageLog made from it also prints its lines to `sink` as they come.
 * Stages only ever see a ProcessRunner; the pipeline decides where their output goes.
 */
export function streamingTo(runner: ProcessRunner, sink: Sink): ProcessRunner {
  const forStage: ProcessRunner = { run: (command, args, options) => runner.run(command, args, options) };
  sinks.set(forStage, sink);
  return forStage;
}

export class StageLog {
  readonly lines: string[] = [];
  private readonly sink?: Sink;

  constructor(
    private readonly runner: ProcessRunner,
    sink?: Sink
  ) {
    this.sink = sink ?? sinks.get(runner);
  }

  write(line: string): void {
    this.lines.push(line);
    this.sink?.(line);
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

/** How a log shows sections: a group's start and end, a line in it, a line outside any. */
export interface SectionPrinter {
  start(title: string): void;
  line(text: string): void;
  end(): void;
  after(text: string): void;
}

interface Turn {
  title: string;
  /** Lines not printed yet: the section is waiting for its turn. */
  waiting: string[];
  started: boolean;
  ended: boolean;
  after?: string;
}

/**
 * Sections in turn, the order they were opened: a log's groups do not nest, so the first section
 * prints live while one opened beside it (lint, while the tests run) keeps its lines until every
 * earlier section ended, then prints them and goes on live. A section with no line has no group;
 * its `after` line still prints in its turn.
 */
export function sectionsInTurn(printer: SectionPrinter): { open(title: string): LogSection; interrupt(): void } {
  const queue: Turn[] = [];
  const flush = (turn: Turn): void => {
    if (turn.waiting.length === 0) return;
    if (!turn.started) printer.start(turn.title);
    turn.started = true;
    for (const line of turn.waiting.splice(0)) printer.line(line);
  };
  const close = (turn: Turn): void => {
    flush(turn);
    if (turn.started) printer.end();
    if (turn.after) printer.after(turn.after);
  };
  const advance = (): void => {
    for (let head = queue[0]; head; head = queue[0]) {
      flush(head);
      if (!head.ended) return;
      queue.shift();
      close(head);
    }
  };
  return {
    open(title) {
      const turn: Turn = { title, waiting: [], started: false, ended: false };
      queue.push(turn);
      return {
        line(text) {
          if (turn.ended) return;
          turn.waiting.push(text);
          if (queue[0] === turn) flush(turn);
        },
        end(after) {
          if (turn.ended) return;
          turn.ended = true;
          turn.after = after;
          advance();
        }
      };
    },
    /** For a cancelled run: every open section prints what it has so far, and is closed. */
    interrupt() {
      for (const turn of queue.splice(0)) close(turn);
    }
  };
}
