// The job summary: pure Markdown rendering of a Report, readable at a glance.
import type { Report, StageResult } from '../model.js';

const STATUS_ICON: Record<StageResult['status'], string> = { success: '✅', failure: '❌', skipped: '⏭️', warning: '⚠️' };

export function renderSummary(report: Report): string {
  const sections = [headline(report), stageTable(report)];
  return sections.filter(Boolean).join('\n\n') + '\n';
}

function headline(report: Report): string {
  const failed = report.stages.filter((s) => s.status === 'failure').map((s) => s.name);
  return report.result === 'success' ? '## ✅ Slipway: success' : `## ❌ Slipway: failure (${failed.join(', ')})`;
}

function stageTable(report: Report): string {
  const rows = report.stages.map((s) => `| ${STATUS_ICON[s.status]} ${s.name} | ${escapeCell(s.headline)} | ${(s.durationMs / 1000).toFixed(1)} s |`);
  return ['| Stage | Result | Time |', '| --- | --- | ---: |', ...rows].join('\n');
}

/** Table cells may not contain pipes or newlines. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
