// Known vulnerabilities as people read them: warning annotations on the line that declares the
// package, and the job summary's table. Pure.
import type { Report, Vulnerability } from '../model.js';
import type { AnnotationCandidate } from './annotations.js';
import { codeSpan, escapeText, truncate } from './markdown-text.js';

export const VULNERABILITY_ROWS = 30;

/** What a finding asks of the user: `upgrade flask to 3.1.4`, or that no fix is known. */
export function remedy(v: Vulnerability): string {
  const via = v.via ? ` (pulled in by ${v.via})` : '';
  return v.fixed ? `upgrade ${v.package} to ${v.fixed}${via}` : `no fixed version of ${v.package} is known yet${via}`;
}

/** One warning per finding, on the declaring line (or the manifest, or the run when neither is known). */
export function vulnerabilityAnnotations(vulnerabilities: readonly Vulnerability[]): Array<AnnotationCandidate & { title: string; message: string }> {
  return vulnerabilities.map((v) => ({
    level: 'warning',
    origin: 'audit',
    path: v.path,
    line: v.line,
    title: `${v.id}${v.severity ? ` (${v.severity})` : ''}: ${v.package} ${v.version}`,
    message: `${v.id}: ${v.summary || 'known vulnerability'}. ${v.package} ${v.version} is installed; ${remedy(v)}.${v.aliases.length > 0 ? ` Also known as ${v.aliases.join(', ')}.` : ''}`
  }));
}

const SEVERITY_ORDER = ['critical', 'high', 'moderate', 'low', undefined];

/** The summary's section; undefined when nothing was found (or nothing audited). */
export function vulnerabilitySection(report: Pick<Report, 'advisories'>): string | undefined {
  const found = report.advisories;
  if (!found || found.length === 0) return undefined;
  const sorted = [...found].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.package.localeCompare(b.package));
  const cell = escapeText; // one line, pipes escaped: safe in a table cell
  // A pipe splits a table row even inside a code span: such text is shown escaped instead.
  const code = (text: string): string => (text.includes('|') ? cell(text) : codeSpan(text));
  const lines = [
    '### Known vulnerabilities',
    '',
    `**${found.length}** in the installed dependencies (warnings unless \`audit-level\` is reached)`,
    '',
    '| Advisory | Severity | Package | Installed | Fixed in | Summary |',
    '| --- | --- | --- | --- | --- | --- |'
  ];
  for (const v of sorted.slice(0, VULNERABILITY_ROWS)) {
    const pkg = v.via ? `${cell(v.package)} (via ${cell(v.via)})` : cell(v.package);
    lines.push(
      `| ${code(v.id)} | ${v.severity ?? 'unknown'} | ${pkg} | ${code(v.version)} | ${v.fixed ? code(v.fixed) : '—'} | ${cell(truncate(v.summary, 120))} |`
    );
  }
  if (found.length > VULNERABILITY_ROWS) lines.push(`| …${found.length - VULNERABILITY_ROWS} more | | | | | |`);
  return lines.join('\n');
}
