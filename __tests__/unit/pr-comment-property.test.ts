// Property tests of the pull request comment: whatever the report (huge names and counts, text built
// to break Markdown and HTML), the comment is valid, starts with its marker and stays under the limit.

import { describe, expect, test } from '@jest/globals';
import { COMMENT_LIMITS, COMMENT_MAX_BYTES, commentMarker, isJobComment, renderPrComment, type CommentInput } from '../../src/reports/pr-comment.js';
import { pick, random, times, type Random } from '../fixtures/fuzz.js';
import { failing, finding, report } from '../fixtures/reports.js';

const EVIL = [
  '<script>',
  '</pre>',
  '<pre>',
  '`',
  '```',
  '|',
  '\\',
  '@octocat',
  '-->',
  '<!--',
  '\n',
  '\r\n',
  '\u0000',
  '\uD800',
  '&',
  '*',
  '_',
  '🚀',
  ' ',
  'é',
  'x'
];

function words(next: Random, length: number): string {
  const parts: string[] = [];
  for (let size = 0; size < length;) {
    const part = next() < 0.3 ? pick(next, EVIL) : 'abcdefgh'.slice(0, 1 + Math.floor(next() * 8));
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

/** Texts made once and picked from: building hundreds of thousands would only slow the test down. */
const HUGE = [...times(4, (i) => words(random(80 + i), 20_000 + 10_000 * i))];
const SMALL = [...times(500, (i) => words(random(90 + i), i % 60))];

function text(next: Random): string {
  return pick(next, next() < 0.05 ? HUGE : SMALL);
}

function randomInput(next: Random): CommentInput {
  const failures = [
    ...times(next() < 0.2 ? Math.floor(next() * 3000) : Math.floor(next() * 5), () =>
      failing(text(next), text(next), { classname: text(next), file: text(next), line: 7 })
    )
  ];
  const findings = [
    ...times(next() < 0.2 ? Math.floor(next() * 3000) : Math.floor(next() * 5), () => finding(pick(next, ['a.py', text(next)]), 1, text(next)))
  ];
  const uncovered = [
    ...times(Math.floor(next() * (next() < 0.2 ? 2000 : 5)), (i) => ({
      path: `${text(next)}${i}`,
      lines: Array.from({ length: 1 + Math.floor(next() * 300) }, (_, n) => 1 + 2 * n)
    }))
  ];
  return {
    jobId: text(next),
    runUrl: pick(next, [undefined, 'https://github.com/a/b/actions/runs/1', text(next)]),
    baseRef: text(next),
    coverageDelta: pick(next, [undefined, '+1.2', text(next)]),
    patchCoverageMin: pick(next, [0, 80]),
    patch: { covered: 1, total: 3, percent: 33.3, uncovered, unreadFiles: [...times(Math.floor(next() * 3), () => text(next))] },
    changedFiles: next() < 0.5 ? undefined : [{ path: 'a.py', status: 'modified', lines: [1], complete: true }],
    previewUrl: pick(next, [undefined, 'https://p.example', text(next)]),
    links: [...times(Math.floor(next() * 8), () => ({ label: text(next), url: `https://h.example/${text(next)}` }))],
    report: report({
      result: pick(next, ['success', 'failure'] as const),
      stages: [
        ...times(Math.floor(next() * 6), () => ({
          name: 'test' as const,
          status: pick(next, ['success', 'failure'] as const),
          durationMs: 1,
          headline: text(next)
        }))
      ],
      tests: {
        passed: 5,
        failed: failures.length + Math.floor(next() * 10),
        skipped: 0,
        total: 5 + failures.length,
        durationMs: next() * 1e7,
        cases: failures
      },
      coverage: { percent: 50, linesValid: 2, linesCovered: 1, files: [] },
      findings,
      image: next() < 0.5 ? undefined : { repository: 'r', image: text(next), digest: 'sha256:0', tags: [] }
    })
  };
}

/** What must hold of every comment: size, marker, balanced blocks, consistent tables, no raw HTML or mentions from the input. */
function commentProblems(body: string, jobId: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(body, 'utf8') > COMMENT_MAX_BYTES) problems.push(`${Buffer.byteLength(body, 'utf8')} bytes`);
  if (body.split('\n', 1)[0] !== commentMarker(jobId) || !isJobComment(body, jobId)) problems.push('marker not first');
  if (!/^<!-- slipway:(?:(?!--)[^<>])* -->$/.test(body.split('\n', 1)[0] ?? '')) problems.push('marker broken');
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(body) || body.includes('\u0000')) problems.push('lone surrogate or NUL');
  // a block starts a line, holds no < or > (escaped) and ends at its own </pre>
  const rest = body
    .slice(body.indexOf('\n'))
    .replace(/^<pre>[^<>]*<\/pre>$/gm, '')
    // a code span opens at a backtick run after an even number of backslashes (\` is an escaped backtick)
    .replace(/(?<=(?:^|[^\\`])(?:\\\\)*)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '')
    .replace(/\]\(<https?:\/\/[^<>\s]*>\)/g, '')
    .replace(/<\/?(sub|code)>/g, '');
  if (/[<>]/.test(rest)) problems.push(`raw HTML: ${rest.slice(Math.max(0, rest.search(/[<>]/) - 40), rest.search(/[<>]/) + 40)}`);
  if (/@[A-Za-z0-9]/.test(rest)) problems.push('a mention');
  if (/`/.test(rest.replace(/\\[\\`]/g, ''))) problems.push('an unclosed code span');
  const lines = body.split('\n');
  const table = lines.indexOf('| | |');
  const end = lines.indexOf('', table);
  const rows = table < 0 ? [] : lines.slice(table, end < 0 ? undefined : end);
  const cells = new Set(rows.map((row) => row.replace(/\\\|/g, '').split('|').length));
  if (cells.size > 1) problems.push(`table rows of ${[...cells].join(', ')} cells`);
  return problems;
}

describe('property: random reports with huge names and counts', () => {
  test('always valid, marker first, under the limit', () => {
    const next = random(71);
    for (let run = 0; run < 150; run += 1) {
      const input = randomInput(next);
      const body = renderPrComment(input);
      const problems = commentProblems(body, input.jobId);
      if (problems.length > 0) expect({ run, problems }).toEqual({ run, problems: [] });
      const failed = input.report.tests?.failed ?? 0;
      if (failed > 0 && !body.includes(`**Failing tests** (${failed})`)) expect(body).toContain(`**Failing tests** (${failed})`);
    }
  });

  test.each([
    ['a mix of everything escaped', '&<>@`|'],
    ['the most bytes per escaped character', '&'],
    ['the most bytes per character in a code span', '🚀']
  ])('the worst case still fits, lists shortened as needed: %s', (_label, unit) => {
    const worst = unit.repeat(20_000);
    const cases = [...times(3000, () => failing(worst, `${worst}\n`.repeat(10), { classname: worst, file: worst, line: 99999 }))];
    const longUrl = `https://h.example/${'a'.repeat(1990)}`;
    const input: CommentInput = {
      runUrl: longUrl,
      previewUrl: longUrl,
      coverageDelta: '+1.2',
      patchCoverageMin: 80,
      jobId: worst,
      baseRef: worst,
      patch: {
        covered: 0,
        total: 1,
        percent: 0,
        uncovered: [...times(3000, (i) => ({ path: `${worst}${i}`, lines: [...times(500, (n) => 3 * n)] }))],
        unreadFiles: [worst]
      },
      changedFiles: undefined,
      links: [...times(10, () => ({ label: worst, url: longUrl }))],
      report: report({
        result: 'failure',
        stages: [...times(5, () => ({ name: 'test' as const, status: 'failure' as const, durationMs: 1, headline: worst }))],
        tests: { passed: 0, failed: 3000, skipped: 0, total: 3000, durationMs: 1, cases },
        findings: [...times(3000, () => finding(worst, 1, worst))],
        image: { repository: 'r', image: worst, digest: 'sha256:0', tags: [] }
      })
    };
    const body = renderPrComment(input);
    expect(commentProblems(body, input.jobId)).toEqual([]);
    expect(body).toMatch(/…and \d+ more failing tests/);
    const shown = body.split('\n').filter((line) => line.startsWith('❌ `')).length;
    expect(shown).toBeGreaterThan(0);
    if (unit === '&') expect(shown).toBeLessThan(COMMENT_LIMITS.failures);
  });
});
