// Reporter for a terminal: one line per stage, warnings in colour, a spinner on long steps when
// attached to a TTY, every secret replaced by *** before anything is printed.
import type { Annotation, Reporter } from '../../ports.js';
import { renderTerminal } from '../../reports/terminal.js';
import { sectionsInTurn } from '../../stage-log.js';
import { Secrets } from '../../trust/secrets.js';

export interface TerminalOptions {
  out?: NodeJS.WriteStream;
  verbose?: boolean;
  /** Learns every value masked, so the process runner can keep them from children too. */
  secrets?: Secrets;
}

export function terminalReporter({ out = process.stdout, verbose = false, secrets = new Secrets() }: TerminalOptions = {}): Reporter & {
  outputs: Record<string, string>;
} {
  const colour = out.isTTY && !process.env.NO_COLOR;
  const paint = (code: number, text: string): string => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const mask = (text: string): string => secrets.mask(text);
  const where = (a?: Annotation): string => (a?.file ? `${a.file}${a.startLine ? `:${a.startLine}` : ''}${a.startColumn ? `:${a.startColumn}` : ''}: ` : '');
  let spinning = false;
  const print = (text: string): void => {
    // A line printed while the spinner turns takes its place; the spinner redraws below it.
    out.write(`${spinning ? '\r\u001b[K' : ''}${mask(text)}\n`);
  };
  const outputs: Record<string, string> = {};
  // With --verbose, a stage's log as it comes; without, only its result line.
  const sections = sectionsInTurn({
    start: (title) => verbose && print(paint(1, `── ${title}`)),
    line: (text) => verbose && print(`   ${text}`),
    end: () => undefined,
    after: print
  });

  return {
    outputs,
    info: print,
    debug: (message) => verbose && print(paint(2, message)),
    notice: (message, a) => print(`${paint(36, 'notice')} ${where(a)}${message}`),
    warning: (message, a) => print(`${paint(33, 'warning')} ${where(a)}${message}`),
    error: (message, a) => print(`${paint(31, 'error')} ${where(a)}${message}`),
    section: sections.open,
    secret: (value) => secrets.add(value),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    summary: async (report) => renderTerminal(report).forEach(print),
    progress(label) {
      if (!out.isTTY) return () => undefined;
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      const started = Date.now();
      let frame = 0;
      spinning = true;
      const timer = setInterval(() => {
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        out.write(`\r${frames[frame++ % frames.length]} ${label} ${seconds}s\u001b[K`);
      }, 100);
      return () => {
        clearInterval(timer);
        spinning = false;
        out.write('\r\u001b[K');
      };
    }
  };
}
