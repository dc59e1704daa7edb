// Table-driven tests of the pull request comment: layout, escaping, truncation, the marker.
// Property tests: pr-comment-property.test.ts.

import { describe, expect, test } from '@jest/globals';
import type { PatchCoverage } from '../../src/reports/patch-coverage.js';
import { commentMarker, isJobComment, renderPrComment, type CommentInput } from '../../src/reports/pr-comment.js';
import { times } from '../fixtures/fuzz.js';
import { failing, finding, report } from '../fixtures/reports.js';

const RED: CommentInput = {
  jobId: 'test',
  runUrl: 'https://github.com/acme/shop/actions/runs/42',
  baseRef: 'main',
  coverageDelta: '+1.2',
  patchCoverageMin: 80,
  patch: { covered: 5, total: 8, percent: 62.5, uncovered: [{ path: 'shop/cart.py', lines: [30, 31, 32, 40] }], unreadFiles: ['logo.png'] },
  changedFiles: [{ path: 'shop/cart.py', status: 'modified', lines: [30], complete: true }],
  previewUrl: 'https://shop-pr-12.onrender.com',
  report: report({
    result: 'failure',
    stages: [{ name: 'test', status: 'failure', durationMs: 1, headline: '120 passed, 1 failed' }],
    tests: {
      passed: 120,
      failed: 1,
      skipped: 3,
      total: 124,
      durationMs: 62000,
      cases: [failing('test_total', 'AssertionError: assert 3 == 4\n +  where 3 = total(cart)', { file: 'tests/test_cart.py', line: 31 })]
    },
    coverage: { percent: 84.2, linesValid: 100, linesCovered: 84, files: [] },
    findings: [{ ...finding('shop/cart.py', 12, "'os' imported but unused"), column: 5 }, finding('other.py', 1, 'elsewhere')],
    image: { repository: 'ghcr.io/acme/shop', image: 'ghcr.io/acme/shop:sha-abc1234', digest: `sha256:${'a'.repeat(64)}`, tags: [] }
  })
};

describe('renderPrComment: layout', () => {
  test('a failing run with everything', () => {
    expect(renderPrComment(RED)).toBe(`<!-- slipway:test -->

### ❌ Slipway: failure · [run details](<https://github.com/acme/shop/actions/runs/42>)

- **test**: 120 passed, 1 failed

| | |
| --- | --- |
| Tests | 120 passed · **1 failed** · 3 skipped · 1m2s |
| Coverage | **84.2%** (+1.2 against <code>main</code>) |
| Changed lines covered | **62.5%** (5 of 8 lines) · ❌ below the 80% minimum |
| Lint | 1 finding in changed files (2 in all) |

**Failing tests** (1)

❌ \`tests.test_cart::test_total\` · \`tests/test_cart.py:31\`
<pre>AssertionError: assert 3 == 4
 +  where 3 = total(cart)</pre>

**Changed lines not covered**

- \`shop/cart.py\` 30–32, 40

<sub>1 changed file could not be read (binary, or too large a diff) and is not counted.</sub>

**Lint findings in changed files** (1)

- \`shop/cart.py:12:5\` \`F401\` 'os' imported but unused

Image \`ghcr.io/acme/shop:sha-abc1234\` · [Preview](<https://shop-pr-12.onrender.com/>)
`);
  });

  test('a green run without a baseline, gate met', () => {
    const patch: PatchCoverage = { covered: 4, total: 4, percent: 100, uncovered: [], unreadFiles: [] };
    const input: CommentInput = {
      jobId: 'build',
      baseRef: 'main',
      patch,
      patchCoverageMin: 80,
      report: report({
        tests: { passed: 3, failed: 0, skipped: 0, total: 3, durationMs: 500, cases: [] },
        coverage: { percent: 90, linesValid: 10, linesCovered: 9, files: [] }
      })
    };
    expect(renderPrComment(input)).toBe(`<!-- slipway:build -->

### ✅ Slipway: success

| | |
| --- | --- |
| Tests | 3 passed · 0 failed · 0 skipped · 500ms |
| Coverage | **90.0%** (no baseline from <code>main</code> yet) |
| Changed lines covered | **100.0%** (4 of 4 lines) · ✅ minimum 80% |
`);
  });

  test.each<[string, Partial<CommentInput>, RegExp]>([
    [
      'no measured line changed',
      { patch: { covered: 0, total: 0, percent: undefined, uncovered: [], unreadFiles: [] } },
      /\| Changed lines covered \| no measured line changed \|/
    ],
    ['no gate', { patchCoverageMin: 0, patch: { covered: 1, total: 2, percent: 50, uncovered: [], unreadFiles: [] } }, /\| \*\*50\.0%\*\* \(1 of 2 lines\) \|/],
    ['no base branch name', { coverageDelta: '-0.4', baseRef: undefined }, /\(-0\.4 against the base branch\)/],
    [
      'known vulnerabilities counted',
      {
        report: {
          ...RED.report,
          vulnerabilities: 2,
          advisories: [
            { id: 'GHSA-1', aliases: [], summary: 's', severity: 'high' as const, package: 'six', version: '1.0' },
            { id: 'GHSA-2', aliases: [], summary: 's', package: 'idna', version: '3.0' }
          ]
        }
      },
      /\| Dependencies \| \*\*2 known vulnerabilities\*\* \(1 high or critical\) · see the job summary \|/
    ],
    ['one known vulnerability', { report: { ...RED.report, vulnerabilities: 1 } }, /\| Dependencies \| \*\*1 known vulnerability\*\* · see/],
    ['audited, nothing found', { report: { ...RED.report, vulnerabilities: 0 } }, /\| Dependencies \| none known · see the job summary \|/],
    [
      'links: only http(s)',
      {
        links: [
          { label: 'Environment', url: 'https://shop.example' },
          { label: 'Evil', url: 'javascript:alert(1)' }
        ]
      },
      /· \[Environment\]\(<https:\/\/shop\.example\/>\)\n$/
    ],
    [
      'every finding when the changed files are unknown',
      { changedFiles: undefined },
      /\*\*Lint findings\*\* \(2\)\n\n- `other\.py:1` `F401` elsewhere\n- `shop\/cart\.py:12:5`/
    ]
  ])('%s', (_label, change, expected) => {
    expect(renderPrComment({ ...RED, ...change })).toMatch(expected);
  });

  test('counts past the limits: the rest is counted', () => {
    const cases = [...times(25, (i) => failing(`t${i}`, 'boom'))];
    const findings = [...times(30, (i) => finding('shop/cart.py', i + 1, 'unused'))];
    const uncovered = [...times(23, (i) => ({ path: `m${i}.py`, lines: [...times(40, (n) => 2 * n + 1)] }))];
    const body = renderPrComment({
      ...RED,
      patch: { covered: 0, total: 920, percent: 0, uncovered, unreadFiles: [] },
      report: { ...RED.report, tests: { passed: 0, failed: 25, skipped: 0, total: 25, durationMs: 1, cases }, findings }
    });
    expect(body).toContain('…and 15 more failing tests (see the run).');
    expect(body).toContain('- …and 3 more files');
    expect(body).toContain('- `m0.py` 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, … (+28 lines)');
    expect(body).toContain('- …and 10 more findings');
  });

  test('failures counted without cases (totals-only reports)', () => {
    const body = renderPrComment({ ...RED, report: { ...RED.report, tests: { passed: 0, failed: 3, skipped: 0, total: 3, durationMs: 1, cases: [] } } });
    expect(body).toContain('**Failing tests** (3)\n\n…and 3 more failing tests (see the run).');
  });
});

describe('renderPrComment: escaping', () => {
  const evil = '<img src=x onerror=alert(1)> | `code` @octocat *bold* [x](javascript:alert(1)) </pre> -->';
  const body = renderPrComment({
    ...RED,
    jobId: 'test --> <b>',
    report: {
      ...RED.report,
      tests: { passed: 0, failed: 1, skipped: 0, total: 1, durationMs: 1, cases: [failing(evil, evil, { file: evil, line: 3 })] },
      findings: [finding('shop/cart.py', 1, evil)]
    }
  });
  test.each<[string, string]>([
    ['the marker cannot be closed early', '<!-- slipway:test - -b- -->\n'],
    [
      'a name in a code span with a longer fence',
      '❌ ``tests.test_cart::<img src=x onerror=alert(1)> | `code` @octocat *bold* [x](javascript:alert(1)) </pre> -->``'
    ],
    [
      'a message in a pre block, escaped',
      '<pre>&lt;img src=x onerror=alert(1)&gt; | `code` @octocat *bold* [x](javascript:alert(1)) &lt;/pre&gt; --&gt;</pre>'
    ],
    [
      'a lint message as inert text',
      '&lt;img src=x onerror=alert(1)&gt; \\| \\`code\\` @\u200Boctocat \\*bold\\* \\[x\\](javascript:alert(1)) &lt;/pre&gt; --&gt;'
    ]
  ])('%s', (_label, expected) => {
    expect(body).toContain(expected);
  });

  test.each<[string, string, boolean]>([
    ['its own comment', `${commentMarker('test')}\n### ✅ Slipway`, true],
    ['its own comment, CRLF after an edit', `${commentMarker('test')}\r\n### ✅`, true],
    ["another job's", `${commentMarker('lint')}\n…`, false],
    ['the marker quoted later', `> reply\n${commentMarker('test')}`, false],
    ['no body', undefined as unknown as string, false]
  ])('isJobComment: %s', (_label, text, mine) => {
    expect(isJobComment(text, 'test')).toBe(mine);
  });

  test.each<[string, string]>([
    ['test', '<!-- slipway:test -->'],
    ['test (3.12, ubuntu-latest)', '<!-- slipway:test (3.12, ubuntu-latest) -->'],
    ['a-->b<!--c', '<!-- slipway:a-b-c -->'],
    ['', '<!-- slipway:job -->']
  ])('commentMarker(%p)', (jobId, marker) => {
    expect(commentMarker(jobId)).toBe(marker);
  });
});
