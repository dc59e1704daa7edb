// The CLI's closing block: the same facts as the job summary, as plain lines for a terminal.
import { formatDuration } from '../format.js';
import type { Report } from '../model.js';

export function renderTerminal(report: Report): string[] {
  const lines = [''];
  if (report.cacheKey) lines.push(`cache: ${report.cacheHit ? 'hit' : 'miss'} (${report.cacheKey})`);
  lines.push(`${report.result === 'success' ? 'success' : 'FAILURE'} in ${formatDuration(report.durationMs)}`);
  return lines;
}
