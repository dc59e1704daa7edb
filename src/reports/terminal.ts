// The CLI's closing block: the same facts as the job summary, as plain lines for a terminal.
import { formatDuration } from '../format.js';
import { testTitle, type Report } from '../model.js';
import { SUMMARY_LIMITS } from './summary.js';

export function renderTerminal(report: Report): string[] {
  const lines = [''];
  for (const stage of report.stages.filter((s) => s.status === 'failure' && s.details?.length)) {
    const why = stage
      .details!.join('\n')
      .split('\n')
      .filter((line) => line.trim() !== '');
    lines.push(`${stage.name} failed:`, ...why.slice(-20).map((line) => `  ${line}`));
  }
  const tests = report.tests;
  if (tests) {
    lines.push(`tests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped in ${formatDuration(tests.durationMs)}`);
    for (const c of tests.cases.filter((t) => t.outcome === 'failed' || t.outcome === 'error').slice(0, SUMMARY_LIMITS.failures)) {
      lines.push(`  ✗ ${testTitle(c)}${c.file ? ` (${c.file}${c.line ? `:${c.line}` : ''})` : ''}: ${c.message ?? c.outcome}`);
    }
  }
  if (report.coverage) {
    const lowest = [...report.coverage.files].sort((a, b) => a.percent - b.percent).slice(0, 3);
    lines.push(
      `coverage: ${report.coverage.percent.toFixed(1)}%${lowest.length ? ` (least covered: ${lowest.map((f) => `${f.path} ${f.percent.toFixed(1)}%`).join(', ')})` : ''}`
    );
  }
  if (report.findings?.length) {
    const byRule = new Map<string, number>();
    for (const f of report.findings) byRule.set(f.code, (byRule.get(f.code) ?? 0) + 1);
    lines.push(`lint: ${report.findings.length} findings (${[...byRule].map(([code, n]) => `${code}×${n}`).join(', ')})`);
  }
  if (report.image) lines.push(`image: ${report.image.image} (${report.image.digest})`);
  if (report.rolledBack) lines.push('deploy: rolled back to the last healthy image');
  else if (report.deployed) lines.push('deploy: deployed');
  if (report.cacheKey) lines.push(`cache: ${report.cacheHit ? 'hit' : 'miss'} (${report.cacheKey})`);
  lines.push(`${report.result === 'success' ? 'success' : 'FAILURE'} in ${formatDuration(report.durationMs)}`);
  return lines;
}
