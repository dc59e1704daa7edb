// The pull request comment: pure Markdown from a Report, one comment per job kept up to date (found
// again by its first line, a hidden marker), compact, and always well within GitHub's 65,536-character
// limit whatever the number and size of failures, uncovered lines and findings.

import { formatDuration } from '../format.js';
import type { Finding, Report, TestCase } from '../model.js';
import { testId } from './baseline.js';
import type { ChangedFile } from './diff.js';
import { codeSpan, escapeText, markdownLink, preBlock, truncate } from './markdown-text.js';
import { lineRanges, type PatchCoverage } from './patch-coverage.js';

export interface CommentLink {
  label: string;
  url: string;
}

export interface CommentInput {
  report: Report;
  /** Tells this job's comment from others' (GITHUB_JOB, plus the matrix leg when there is one). */
  jobId: string;
  runUrl?: string;
  patch?: PatchCoverage;
  /** coverageDelta(…) against the base branch; undefined without a baseline. */
  coverageDelta?: string;
  /** The base branch, e.g. `main`. */
  baseRef?: string;
  /** `patch-coverage-min`; 0 or absent: no gate. */
  patchCoverageMin?: number;
  /** The pull request's files: the findings shown are the ones in them. Absent: every finding. */
  changedFiles?: readonly ChangedFile[];
  previewUrl?: string;
  /** More links (environment, deployment), shown after the image and preview. */
  links?: readonly CommentLink[];
}

/** The size the comment stays under, in UTF-8 bytes (GitHub refuses bodies over 65,536 characters). */
export const COMMENT_MAX_BYTES = 60_000;

export interface CommentLimits {
  failures: number;
  messageLines: number;
  lineLength: number;
  uncoveredFiles: number;
  ranges: number;
  findings: number;
}

/** What each list shows at most; the rest is counted. Halved until the comment fits (it nearly always does at once). */
export const COMMENT_LIMITS: CommentLimits = { failures: 10, messageLines: 4, lineLength: 200, uncoveredFiles: 20, ranges: 12, findings: 20 };

/** The comment's first line: an HTML comment that renders as nothing. The id keeps only characters that cannot end it. */
export function commentMarker(jobId: string): string {
  const id = truncate(
    String(jobId ?? '')
      .replace(/[^\w.:/()=,+ -]/g, '-')
      .replace(/-{2,}/g, '-')
      .trim(),
    100
  );
  return `<!-- slipway:${id || 'job'} -->`;
}

/** Whether a comment's body is the one this job keeps up to date. */
export function isJobComment(body: string | undefined, jobId: string): boolean {
  return typeof body === 'string' && body.split('\n', 1)[0]?.trimEnd() === commentMarker(jobId);
}

export function renderPrComment(input: CommentInput): string {
  let limits = COMMENT_LIMITS;
  for (;;) {
    const body = render(input, limits);
    if (Buffer.byteLength(body, 'utf8') <= COMMENT_MAX_BYTES || limits.failures + limits.uncoveredFiles + limits.findings === 0) return body;
    limits = {
      failures: Math.floor(limits.failures / 2),
      messageLines: Math.max(1, Math.floor(limits.messageLines / 2)),
      lineLength: Math.max(40, Math.floor(limits.lineLength / 2)),
      uncoveredFiles: Math.floor(limits.uncoveredFiles / 2),
      ranges: Math.max(1, Math.floor(limits.ranges / 2)),
      findings: Math.floor(limits.findings / 2)
    };
  }
}

function render(input: CommentInput, limits: CommentLimits): string {
  const findings = findingsInScope(input);
  const sections = [
    commentMarker(input.jobId),
    headline(input, limits),
    overview(input, findings),
    failures(input.report, limits),
    uncovered(input.patch, limits),
    lint(findings, input.changedFiles !== undefined, limits),
    links(input, limits)
  ];
  return sections.filter((s): s is string => s !== undefined && s !== '').join('\n\n') + '\n';
}

function headline({ report, runUrl }: CommentInput, limits: CommentLimits): string {
  const run = markdownLink('run details', runUrl);
  const title = `### ${report.result === 'success' ? '✅' : '❌'} Slipway: ${report.result}${run ? ` · ${run}` : ''}`;
  const failed = report.stages.filter((s) => s.status === 'failure');
  return [title, ...(failed.length > 0 ? [''] : []), ...failed.map((s) => `- **${s.name}**: ${escapeText(truncate(s.headline, limits.lineLength))}`)].join(
    '\n'
  );
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function overview(input: CommentInput, findings: readonly Finding[]): string | undefined {
  const { report, patch } = input;
  const rows: [string, string][] = [];
  const tests = report.tests;
  if (tests) {
    const failed = tests.failed > 0 ? `**${tests.failed} failed**` : '0 failed';
    rows.push(['Tests', `${tests.passed} passed · ${failed} · ${tests.skipped} skipped · ${formatDuration(tests.durationMs)}`]);
  }
  if (report.coverage) rows.push(['Coverage', `**${report.coverage.percent.toFixed(1)}%**${deltaNote(input)}`]);
  if (patch) rows.push(['Changed lines covered', patchNote(patch, input.patchCoverageMin ?? 0)]);
  if (report.findings) {
    const all = report.findings.length;
    rows.push(['Lint', input.changedFiles ? `${plural(findings.length, 'finding')} in changed files (${all} in all)` : plural(all, 'finding')]);
  }
  if (report.vulnerabilities !== undefined) {
    const severe = (report.advisories ?? []).filter((v) => v.severity === 'high' || v.severity === 'critical').length;
    const n = report.vulnerabilities;
    const count = n === 0 ? 'none known' : `**${n} known ${n === 1 ? 'vulnerability' : 'vulnerabilities'}**`;
    rows.push(['Dependencies', `${count}${severe > 0 ? ` (${severe} high or critical)` : ''} · see the job summary`]);
  }
  if (rows.length === 0) return undefined;
  return ['| | |', '| --- | --- |', ...rows.map(([label, value]) => `| ${label} | ${value} |`)].join('\n');
}

function deltaNote({ coverageDelta, baseRef }: CommentInput): string {
  // a table cell: escaped text, as a code span cannot hold a pipe after a backslash
  const base = baseRef ? ` <code>${escapeText(truncate(baseRef, 100))}</code>` : ' the base branch';
  if (coverageDelta === undefined) return ` (no baseline from${base} yet)`;
  return /^[+-]?\d+\.\d$/.test(coverageDelta) ? ` (${coverageDelta} against${base})` : '';
}

function patchNote(patch: PatchCoverage, min: number): string {
  if (patch.percent === undefined) return 'no measured line changed';
  const text = `**${patch.percent.toFixed(1)}%** (${patch.covered} of ${plural(patch.total, 'line')})`;
  if (!(min > 0)) return text;
  return patch.percent < min ? `${text} · ❌ below the ${min}% minimum` : `${text} · ✅ minimum ${min}%`;
}

function failingCases(report: Report): TestCase[] {
  return (report.tests?.cases ?? []).filter((c) => c.outcome === 'failed' || c.outcome === 'error');
}

function failures(report: Report, limits: CommentLimits): string | undefined {
  const failing = failingCases(report);
  const count = Math.max(report.tests?.failed ?? 0, failing.length);
  if (count === 0) return undefined;
  const blocks = failing.slice(0, limits.failures).map((c) => {
    const where = c.file ? ` · ${codeSpan(truncate(`${c.file}${c.line ? `:${c.line}` : ''}`, limits.lineLength))}` : '';
    const first = (c.message ?? c.details ?? '')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .slice(0, limits.messageLines)
      .map((line) => truncate(line, limits.lineLength));
    return [`❌ ${codeSpan(truncate(testId(c), limits.lineLength))}${where}`, ...(first.length > 0 ? [preBlock(first)] : [])].join('\n');
  });
  const left = count - blocks.length;
  const note = left > 0 ? [`…and ${plural(left, 'more failing test')} (see the run).`] : [];
  return [`**Failing tests** (${count})`, ...blocks, ...note].join('\n\n');
}

function uncovered(patch: PatchCoverage | undefined, limits: CommentLimits): string | undefined {
  if (!patch) return undefined;
  const lines: string[] = [];
  if (patch.uncovered.length > 0) {
    lines.push('**Changed lines not covered**', '');
    for (const file of patch.uncovered.slice(0, limits.uncoveredFiles)) {
      lines.push(`- ${codeSpan(truncate(file.path, limits.lineLength))} ${lineRanges(file.lines, limits.ranges)}`);
    }
    const left = patch.uncovered.length - limits.uncoveredFiles;
    if (left > 0) lines.push(`- …and ${plural(left, 'more file')}`);
  }
  if (patch.unreadFiles.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(
      `<sub>${plural(patch.unreadFiles.length, 'changed file')} could not be read (binary, or too large a diff) and ${patch.unreadFiles.length === 1 ? 'is' : 'are'} not counted.</sub>`
    );
  }
  return lines.join('\n') || undefined;
}

function findingsInScope({ report, changedFiles }: CommentInput): Finding[] {
  const all = report.findings ?? [];
  const paths = changedFiles ? new Set(changedFiles.filter((f) => f.status !== 'removed').map((f) => f.path)) : undefined;
  return all
    .filter((f) => !paths || paths.has(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}

function lint(findings: readonly Finding[], changedOnly: boolean, limits: CommentLimits): string | undefined {
  if (findings.length === 0) return undefined;
  const lines = [`**Lint findings${changedOnly ? ' in changed files' : ''}** (${findings.length})`, ''];
  for (const f of findings.slice(0, limits.findings)) {
    const where = `${f.path}:${f.line}${f.column ? `:${f.column}` : ''}`;
    lines.push(`- ${codeSpan(truncate(where, limits.lineLength))} ${codeSpan(truncate(f.code, 40))} ${escapeText(truncate(f.message, limits.lineLength))}`);
  }
  const left = findings.length - limits.findings;
  if (left > 0) lines.push(`- …and ${plural(left, 'more finding')}`);
  return lines.join('\n');
}

function links(input: CommentInput, limits: CommentLimits): string | undefined {
  const parts: string[] = [];
  const image = input.report.image;
  if (image) parts.push(`Image ${codeSpan(truncate(image.image, limits.lineLength))}`);
  const preview = markdownLink('Preview', input.previewUrl);
  if (preview) parts.push(preview);
  for (const link of (input.links ?? []).slice(0, 5)) {
    const rendered = markdownLink(truncate(link.label, 60), link.url);
    if (rendered) parts.push(rendered);
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}
