// Table-driven tests of the unified-diff reader over GitHub patches and real `git diff` output.
// Property tests: diff-property.test.ts.

import { describe, expect, test } from '@jest/globals';
import { addedLines, changedFilesFromPullRequest, parseGitDiff, type ChangedFile, type PullRequestFile } from '../../src/reports/diff.js';
import { GIT_DIFF, GIT_DIFF_HEADERS_ONLY } from '../fixtures/git-diff.js';

const patch = (...lines: string[]): string => lines.join('\n');

describe('addedLines: one file’s hunks, as pulls.listFiles gives them', () => {
  test.each<[string, string, number[]]>([
    ['a new file', patch('@@ -0,0 +1,3 @@', '+a', '+b', '+c'), [1, 2, 3]],
    ['context around a change', patch('@@ -10,6 +10,7 @@ def total(cart):', ' a', ' b', '-old', '+new', '+newer', ' c', ' d'), [12, 13]],
    ['deletions only', patch('@@ -5,3 +5,2 @@', ' a', '-b', ' c'), []],
    ['several hunks', patch('@@ -1,2 +1,2 @@', '-a', '+A', ' b', '@@ -40,2 +40,3 @@ class Cart:', ' x', '+y', ' z'), [1, 41]],
    ['a header without counts means one line', patch('@@ -1 +1 @@', '-a', '+b'), [1]],
    ['a pure insertion after line 4', patch('@@ -4,0 +5,2 @@', '+x', '+y'), [5, 6]],
    ['no newline at the end, on both sides', patch('@@ -1,2 +1,2 @@', ' a', '-b', '\\ No newline at end of file', '+c', '\\ No newline at end of file'), [2]],
    ['CRLF line ends', ['@@ -1,3 +1,3 @@', ' a\r', '-b\r', '+B\r', ' c\r'].join('\r\n'), [2]],
    ['an empty line is context whose space was stripped', patch('@@ -1,3 +1,4 @@', ' a', '', '+b', ' c'), [3]],
    ['lines that look like file headers are content', patch('@@ -1,2 +1,2 @@', '--- a/x', '-++ b/x', '+++ b/y', '+-- a/y'), [1, 2]],
    ['lines past a hunk’s counts are not part of it', patch('@@ -1 +1 @@', '-a', '+b', '+c'), [1]],
    ['a trailing newline', '@@ -0,0 +1 @@\n+a\n', [1]],
    ['empty', '', []],
    ['not a diff', 'Binary files differ', []],
    ['absurd numbers', patch('@@ -1 +99999999999999999999,2 @@', '+a', '+b'), []]
  ])('%s', (_label, text, lines) => {
    expect(addedLines(text)).toEqual(lines);
  });
});

describe('changedFilesFromPullRequest', () => {
  const change = patch('@@ -1,2 +1,3 @@', ' a', '+b', ' c');
  test.each<[string, PullRequestFile, ChangedFile]>([
    ['modified', { filename: 'shop/cart.py', status: 'modified', patch: change }, { path: 'shop/cart.py', status: 'modified', lines: [2], complete: true }],
    [
      'added',
      { filename: 'n.py', status: 'added', patch: patch('@@ -0,0 +1,2 @@', '+a', '+b') },
      { path: 'n.py', status: 'added', lines: [1, 2], complete: true }
    ],
    [
      'removed: no lines',
      { filename: 'o.py', status: 'removed', patch: patch('@@ -1,2 +0,0 @@', '-a', '-b') },
      { path: 'o.py', status: 'removed', lines: [], complete: true }
    ],
    [
      'renamed with changes',
      { filename: 'b.py', previous_filename: 'a.py', status: 'renamed', patch: change, additions: 1 },
      { path: 'b.py', previousPath: 'a.py', status: 'renamed', lines: [2], complete: true }
    ],
    [
      'renamed without changes: no patch, nothing added',
      { filename: 'b.py', previous_filename: 'a.py', status: 'renamed', additions: 0 },
      { path: 'b.py', previousPath: 'a.py', status: 'renamed', lines: [], complete: true }
    ],
    [
      'binary: no patch, lines unknown',
      { filename: 'logo.png', status: 'modified', patch: undefined },
      { path: 'logo.png', status: 'modified', lines: [], complete: false }
    ],
    [
      'too large: no patch though lines were added',
      { filename: 'big.py', status: 'modified', additions: 9000 },
      { path: 'big.py', status: 'modified', lines: [], complete: false }
    ],
    ['a null patch', { filename: 'x.py', status: 'added', patch: null }, { path: 'x.py', status: 'added', lines: [], complete: false }],
    [
      'an unknown status reads as modified',
      { filename: 'x.py', status: 'weird', patch: change },
      { path: 'x.py', status: 'modified', lines: [2], complete: true }
    ]
  ])('%s', (_label, file, expected) => {
    expect(changedFilesFromPullRequest([file])).toEqual([expected]);
  });

  test('entries without a file name are skipped', () => {
    expect(changedFilesFromPullRequest([{ filename: '', status: 'added' }, null as unknown as PullRequestFile])).toEqual([]);
  });
});

describe('parseGitDiff: `git diff` output for several files', () => {
  test('real output: CRLF, binary, several hunks, new, renamed, no newline, removed, quoted path', () => {
    expect(parseGitDiff(GIT_DIFF)).toEqual([
      { path: 'crlf.txt', status: 'modified', lines: [2], complete: true },
      { path: 'logo.png', status: 'modified', lines: [], complete: false },
      { path: 'shop/cart.py', status: 'modified', lines: [2, 5, 11, 12], complete: true },
      { path: 'shop/fresh.py', status: 'added', lines: [1, 2], complete: true },
      { path: 'shop/new_name.py', previousPath: 'shop/old_name.py', status: 'renamed', lines: [2], complete: true },
      { path: 'shop/nonl.py', status: 'modified', lines: [2], complete: true },
      { path: 'shop/removed.py', status: 'removed', lines: [], complete: true },
      { path: 'shop/spä ce.py', status: 'modified', lines: [1], complete: true }
    ]);
  });

  test('headers alone: pure renames, a mode change; content lines that look like headers', () => {
    expect(parseGitDiff(GIT_DIFF_HEADERS_ONLY)).toEqual([
      { path: 'shop/final.py', previousPath: 'shop/moved.py', status: 'renamed', lines: [], complete: true },
      { path: 'sp ace2.py', previousPath: 'with space.py', status: 'renamed', lines: [], complete: true },
      { path: 'shop/cart.py', status: 'modified', lines: [], complete: true },
      { path: 'tricky.txt', status: 'modified', lines: [2], complete: true },
      { path: 'with space.py', status: 'added', lines: [1], complete: true }
    ]);
  });

  test.each<[string, string, ChangedFile[]]>([
    [
      'plain `diff -u` output for two files, with timestamps',
      patch(
        '--- a/x.py\t2024-01-01',
        '+++ b/x.py\t2024-01-02',
        '@@ -1,3 +1,4 @@',
        ' a',
        '-b',
        '+B',
        ' c',
        '+d',
        '--- a/y.py',
        '+++ b/y.py',
        '@@ -1 +1 @@',
        '-e',
        '+f'
      ),
      [
        { path: 'x.py', status: 'modified', lines: [2, 4], complete: true },
        { path: 'y.py', status: 'modified', lines: [1], complete: true }
      ]
    ],
    [
      'a copy',
      patch('diff --git a/a.py b/b.py', 'similarity index 90%', 'copy from a.py', 'copy to b.py', '--- a/a.py', '+++ b/b.py', '@@ -3,0 +4 @@', '+x'),
      [{ path: 'b.py', previousPath: 'a.py', status: 'copied', lines: [4], complete: true }]
    ],
    [
      'a binary patch (`--binary`)',
      patch('diff --git a/i.png b/i.png', 'index 1..2 100644', 'GIT binary patch', 'literal 3', 'KcmZQzWMT#Y01f~L', ''),
      [{ path: 'i.png', status: 'modified', lines: [], complete: false }]
    ],
    [
      'CRLF throughout',
      ['diff --git a/w.txt b/w.txt', '--- a/w.txt', '+++ b/w.txt', '@@ -0,0 +1 @@', '+x'].join('\r\n'),
      [{ path: 'w.txt', status: 'modified', lines: [1], complete: true }]
    ],
    [
      'a quoted path with escapes',
      patch('diff --git "a/t\\tab.py" "b/t\\tab.py"', 'new file mode 100644', '--- /dev/null', '+++ "b/t\\tab.py"', '@@ -0,0 +1 @@', '+x'),
      [{ path: 't\tab.py', status: 'added', lines: [1], complete: true }]
    ],
    [
      'a quoted path with raw UTF-8 (core.quotePath off)',
      patch('diff --git "a/caf\\"é🚀.py" "b/caf\\"é🚀.py"', '--- "a/caf\\"é🚀.py"', '+++ "b/caf\\"é🚀.py"', '@@ -1 +1 @@', '-x', '+y'),
      [{ path: 'caf"é🚀.py', status: 'modified', lines: [1], complete: true }]
    ],
    ['empty', '', []],
    ['hunks before any file header are ignored', patch('@@ -1 +1 @@', '-a', '+b'), []]
  ])('%s', (_label, text, expected) => {
    expect(parseGitDiff(text)).toEqual(expected);
  });
});
