// Property tests of the unified-diff reader: random edits of a file, diffed by a simple line diff and
// printed as hunks, read back to exactly the lines it added; any text at all never throws.

import { describe, expect, test } from '@jest/globals';
import { addedLines, changedFilesFromPullRequest, parseGitDiff } from '../../src/reports/diff.js';
import { byteString, mutations, pick, random, times, tokenSoup, type Random } from '../fixtures/fuzz.js';
import { GIT_DIFF, GIT_DIFF_HEADERS_ONLY } from '../fixtures/git-diff.js';

describe('fuzz', () => {
  test('never throws, and lines stay positive, ascending and unique, whatever the text', () => {
    const next = random(41);
    const tokens = [
      'diff --git a/x b/x\n',
      '--- a/x\n',
      '+++ b/x\n',
      '+++ /dev/null\n',
      '@@ -1,2 +1,3 @@\n',
      '@@ -0,0 +1 @@\n',
      '\\ No newline\n',
      '+',
      '-',
      ' ',
      '\n',
      '\r\n',
      '"',
      '\\303',
      'rename to ',
      'x'
    ];
    const inputs = [
      ...mutations([GIT_DIFF, GIT_DIFF_HEADERS_ONLY], 1500, next, { tokens }),
      ...times(500, () => tokenSoup(next, tokens)),
      ...times(300, () => byteString(next))
    ];
    const problems: string[] = [];
    for (const text of inputs) {
      for (const file of [...parseGitDiff(text), ...changedFilesFromPullRequest([{ filename: 'p', status: 'modified', patch: text }])]) {
        if (file.path === '') problems.push('an empty path');
        if (file.lines.some((n, i) => !Number.isSafeInteger(n) || n < 1 || (i > 0 && n <= (file.lines[i - 1] ?? 0))))
          problems.push(`lines ${file.lines.join(',')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: a simple line diff (longest common subsequence) of random edits, printed as hunks with
// 0 to 3 lines of context, reads back to exactly the lines it added.

type Op = { kind: ' ' | '-' | '+'; text: string };

function lineDiff(before: string[], after: string[]): Op[] {
  const lcs = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i -= 1) {
    for (let j = after.length - 1; j >= 0; j -= 1) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let [i, j] = [0, 0];
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) ops.push({ kind: ' ', text: before[(j++, i++)]! });
    else if (j < after.length && (i === before.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ kind: '+', text: after[j++]! });
    else ops.push({ kind: '-', text: before[i++]! });
  }
  return ops;
}

/** Hunks as diff prints them: changes with `context` lines around, close ones merged, `,1` left out. */
function hunks(ops: Op[], context: number, eol: string): string {
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  const out: string[] = [];
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context + 1) end += 1;
    const [from, to] = [Math.max(0, changed[start]! - context), Math.min(ops.length, changed[end]! + context + 1)];
    const before = ops.slice(0, from);
    const body = ops.slice(from, to);
    const oldStart = before.filter((op) => op.kind !== '+').length;
    const newStart = before.filter((op) => op.kind !== '-').length;
    const [oldCount, newCount] = [body.filter((op) => op.kind !== '+').length, body.filter((op) => op.kind !== '-').length];
    const range = (at: number, count: number) => (count === 1 ? `${at + 1}` : `${count === 0 ? at : at + 1},${count}`);
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...body.map((op) => op.kind + op.text));
    start = end + 1;
  }
  return out.join(eol);
}

function randomEdit(next: Random, lines: string[]): string[] {
  const words = ['a', 'b', 'c', '', '-- a/x', '++ b/x', '@@ -1 +1 @@', ' x'];
  const result = [...lines];
  for (let n = Math.floor(next() * 6); n > 0; n -= 1) {
    const at = Math.floor(next() * (result.length + 1));
    const kind = pick(next, ['insert', 'delete', 'replace'] as const);
    if (kind === 'insert') result.splice(at, 0, ...times(1 + Math.floor(next() * 3), () => pick(next, words)));
    else if (kind === 'delete') result.splice(at, 1 + Math.floor(next() * 3));
    else result.splice(at, 1, pick(next, words));
  }
  return result;
}

describe('property: random edits read back to the lines a line diff added', () => {
  test('2,000 edits as pulls.listFiles patches and as one `git diff` of several files', () => {
    const next = random(42);
    const problems: string[] = [];
    for (let run = 0; run < 2000; run += 1) {
      const before = [...times(Math.floor(next() * 25), () => pick(next, ['a', 'b', 'c', 'd', '']))];
      const after = randomEdit(next, before);
      const ops = lineDiff(before, after);
      const expected = ops.filter((op) => op.kind !== '-').flatMap((op, index) => (op.kind === '+' ? [index + 1] : []));
      const eol = next() < 0.2 ? '\r\n' : '\n';
      const text = hunks(ops, Math.floor(next() * 4), eol);
      const read = addedLines(text);
      if (read.join() !== expected.join()) problems.push(`${JSON.stringify({ before, after })}: ${read.join()} ≠ ${expected.join()}`);
      const git = parseGitDiff(
        ['diff --git a/f b/f', '--- a/f', '+++ b/f', text, 'diff --git a/g b/g', '--- a/g', '+++ b/g', '@@ -1 +1 @@', '-x', '+y'].join(eol)
      );
      if (git.map((f) => `${f.path}:${f.lines.join()}`).join(' ') !== `f:${expected.join()} g:1`) problems.push(`git diff: ${JSON.stringify(git)}`);
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
