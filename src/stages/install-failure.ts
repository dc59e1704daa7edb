// The lines of a failed install's output that say what went wrong (pip's ERROR lines and conflict
// report, npm's error block), instead of the last lines of the log, which are often a stack trace
// or a mirror's retries. Each ecosystem gives its patterns; this reads any output with all of them.
import { PIP_FAILURE_LINES } from '../ecosystems/python/install-errors.js';
import { NPM_FAILURE_LINES } from '../ecosystems/node/install-errors.js';

export interface KeyLinePatterns {
  /** A line that says what went wrong. */
  key: RegExp[];
  /** A line that starts a report whose following lines belong to it, up to `end` or a blank line. */
  blocks?: Array<{ start: RegExp; end?: RegExp }>;
  /** Lines never shown, even inside a block (retries, log file locations). */
  noise?: RegExp[];
}

export const INSTALL_FAILURE_LINES: KeyLinePatterns[] = [PIP_FAILURE_LINES, NPM_FAILURE_LINES];

/** Lines of a block kept at most: its first two and its last ones, where a build's error usually is. */
const BLOCK_HEAD = 2;
const BLOCK_TAIL = 8;

/**
 * The lines that matter in `output`, in order and once each, at most `max` (the last ones, where
 * the installer sums up); [] when none is recognised.
 */
export function keyLines(output: string, patterns: KeyLinePatterns[] = INSTALL_FAILURE_LINES, max = 20): string[] {
  const key = patterns.flatMap((p) => p.key);
  const blocks = patterns.flatMap((p) => p.blocks ?? []);
  const noise = patterns.flatMap((p) => p.noise ?? []);
  // eslint-disable-next-line no-control-regex -- colour codes in the installer's output
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
  const kept: string[] = [];
  const keep = (line: string): void => {
    const text = line.trimEnd();
    if (text.trim() !== '' && !noise.some((re) => re.test(text)) && !kept.includes(text)) kept.push(text);
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const block = blocks.find((b) => b.start.test(line));
    if (block) {
      const body: string[] = [line];
      let j = i + 1;
      for (; j < lines.length; j++) {
        if (!block.end && lines[j].trim() === '') break;
        body.push(lines[j]);
        if (block.end?.test(lines[j])) break;
      }
      const shown = body.length > BLOCK_HEAD + BLOCK_TAIL ? [...body.slice(0, BLOCK_HEAD), '  …', ...body.slice(-BLOCK_TAIL)] : body;
      shown.forEach(keep);
      i = j;
    } else if (key.some((re) => re.test(line))) {
      keep(line);
    }
  }
  return kept.length > max ? kept.slice(-max) : kept;
}
