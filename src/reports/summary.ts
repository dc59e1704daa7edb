// The job summary: pure Markdown rendering of a Report, readable at a glance and bounded in size
// (GitHub refuses summaries over 1 MiB), whatever the size of the test suite or the lint output.
import { formatDuration } from '../format.js';
import { testTitle, type Finding, type Report, type StageResult, type TestCase } from '../model.js';
import { vulnerabilitySection } from './vulnerabilities.js';

const STATUS_ICON: Record<StageResult['status'], string> = { success: '✅', failure: '❌', skipped: '⏭️', warning: '⚠️' };

/** How many rows each list shows; the rest is counted, not listed. */
export const SUMMARY_LIMITS = { failures: 20, failureText: 2_000, slowest: 5, files: 5, rules: 10, findings: 10 };

export function renderSummary(report: Report): string {
  return (
    [headline(report), stageTable(report), tests(report), coverage(report), lint(report), vulnerabilitySection(report), shipping(report), footer(report)]
      .filter(Boolean)
      .join('\n\n') + '\n'
  );
}

function headline(report: Report): string {
  const failed = report.stages.filter((s) => s.status === 'failure');
  if (failed.length === 0) return `## ✅ Slipway: success in ${formatDuration(report.durationMs)}`;
  const reasons = failed.flatMap((s) => {
    const why = (s.details ?? []).join('\n').trim();
    const block = why ? [`  <details><summary>Why</summary><pre>${escapeHtml(truncate(why, SUMMARY_LIMITS.failureText))}</pre></details>`] : [];
    return [`- **${s.name}**: ${escapeText(s.headline)}`, ...block];
  });
  return [`## ❌ Slipway: failure in ${formatDuration(report.durationMs)}`, '', ...reasons].join('\n');
}

function stageTable(report: Report): string {
  const rows = report.stages.map((s) => `| ${STATUS_ICON[s.status]} ${s.name} | ${escapeCell(s.headline)} | ${formatDuration(s.durationMs)} |`);
  return ['| Stage | Result | Time |', '| --- | --- | ---: |', ...rows].join('\n');
}

function tests(report: Report): string | undefined {
  const results = report.tests;
  if (!results) return undefined;
  const lines = [
    `### Tests`,
    '',
    `**${results.passed}** passed · **${results.failed}** failed · **${results.skipped}** skipped · ${formatDuration(results.durationMs)}`
  ];
  const failing = results.cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error');
  for (const c of failing.slice(0, SUMMARY_LIMITS.failures)) lines.push('', failureDetails(c));
  if (failing.length > SUMMARY_LIMITS.failures) lines.push('', `…and ${failing.length - SUMMARY_LIMITS.failures} more failing tests (see the log).`);
  const slowest = [...results.cases]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, SUMMARY_LIMITS.slowest)
    .filter((c) => c.durationMs > 0);
  if (slowest.length > 0) {
    lines.push('', '<details><summary>Slowest tests</summary>', '', '| Test | Time |', '| --- | ---: |');
    for (const c of slowest) lines.push(`| ${escapeCell(testTitle(c))} | ${formatDuration(c.durationMs)} |`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}

function failureDetails(c: TestCase): string {
  const where = c.file ? ` (${c.file}${c.line ? `:${c.line}` : ''})` : '';
  const text = truncate(c.details ?? c.message ?? c.outcome, SUMMARY_LIMITS.failureText);
  return [
    `<details><summary>❌ <code>${escapeHtml(testTitle(c))}</code>${escapeHtml(where)}: ${escapeHtml(truncate(c.message ?? c.outcome, 200))}</summary>`,
    '',
    `<pre>${escapeHtml(text)}</pre>`,
    '</details>'
  ].join('\n');
}

function coverage(report: Report): string | undefined {
  const result = report.coverage;
  if (!result) return undefined;
  const lines = ['### Coverage', '', `Total line coverage: **${result.percent.toFixed(1)}%** (${result.linesCovered} of ${result.linesValid} lines)`];
  const lowest = [...result.files]
    .filter((f) => f.linesValid > 0)
    .sort((a, b) => a.percent - b.percent || a.path.localeCompare(b.path))
    .slice(0, SUMMARY_LIMITS.files);
  if (lowest.length > 0) {
    lines.push('', '| Least covered files | Coverage | Lines |', '| --- | ---: | ---: |');
    for (const f of lowest) lines.push(`| ${escapeCell(f.path)} | ${f.percent.toFixed(1)}% | ${f.linesCovered}/${f.linesValid} |`);
  }
  return lines.join('\n');
}

function lint(report: Report): string | undefined {
  const findings = report.findings;
  if (!findings || findings.length === 0) return undefined;
  const lines = ['### Lint', '', `**${findings.length}** finding${findings.length === 1 ? '' : 's'} (not blocking unless \`lint-blocking: true\`)`, ''];
  lines.push('| Rule | Count | Example |', '| --- | ---: | --- |');
  const byRule = new Map<string, Finding[]>();
  for (const f of findings) byRule.set(f.code, [...(byRule.get(f.code) ?? []), f]);
  const rules = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [code, list] of rules.slice(0, SUMMARY_LIMITS.rules))
    lines.push(`| ${escapeCell(code)} | ${list.length} | ${escapeCell(truncate(list[0].message, 120))} |`);
  if (rules.length > SUMMARY_LIMITS.rules) lines.push(`| …${rules.length - SUMMARY_LIMITS.rules} more rules | | |`);
  lines.push('', '<details><summary>Top findings</summary>', '');
  for (const f of findings.slice(0, SUMMARY_LIMITS.findings))
    lines.push(`- \`${escapeHtml(f.path)}:${f.line}${f.column ? `:${f.column}` : ''}\` **${escapeHtml(f.code)}** ${escapeText(truncate(f.message, 200))}`);
  if (findings.length > SUMMARY_LIMITS.findings) lines.push(`- …and ${findings.length - SUMMARY_LIMITS.findings} more`);
  lines.push('', '</details>');
  return lines.join('\n');
}

function shipping(report: Report): string | undefined {
  const image = report.image;
  if (!image) return undefined;
  const lines = ['### Image', '', `\`${escapeHtml(image.image)}\` · \`${image.digest}\``];
  if (image.tags.length > 1) lines.push('', `Tags: ${image.tags.map((t) => `\`${escapeHtml(t.slice(image.repository.length + 1))}\``).join(', ')}`);
  const deploy = report.stages.find((s) => s.name === 'deploy');
  if (deploy && deploy.status !== 'skipped') {
    lines.push(
      '',
      report.rolledBack ? '**Rolled back** to the last healthy image.' : report.deployed ? '**Deployed**.' : '**Not deployed** (see the deploy stage).'
    );
  }
  if (report.previewUrl) lines.push('', `**Preview**: ${escapeText(report.previewUrl)}`);
  return lines.join('\n');
}

function footer(report: Report): string | undefined {
  const notes: string[] = [];
  if (report.cacheKey) notes.push(`Dependency cache: ${report.cacheHit ? 'hit' : 'miss'} (\`${report.cacheKey}\`)`);
  if (report.hiddenAnnotations)
    notes.push(`${report.hiddenAnnotations} more annotations were not shown (GitHub shows 10 per kind per step); they are listed above.`);
  return notes.length > 0 ? notes.map((n) => `<sub>${n}</sub>`).join('<br>\n') : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Table cells may not contain pipes or newlines. */
export function escapeCell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown text from tools: no HTML, no accidental emphasis or links. */
function escapeText(text: string): string {
  return escapeHtml(text).replace(/([\\`*_[\]])/g, '\\$1');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
