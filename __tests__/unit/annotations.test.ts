// Which annotations are shown under GitHub's per-step limits, and in what order.

import { describe, expect, test } from '@jest/globals';
import { selectAnnotations, type AnnotationCandidate } from '../../src/reports/annotations.js';
import { pick, random } from '../fixtures/fuzz.js';

interface Item extends AnnotationCandidate {
  id: string;
}

function lint(id: string, path: string, line: number, severity: 'error' | 'warning' | 'notice' = 'warning', level: Item['level'] = 'warning'): Item {
  return { id, origin: 'lint', level, severity, path, line };
}

function failingTest(id: string, path?: string, line?: number): Item {
  return { id, origin: 'test', level: 'error', path, line };
}

const ids = (items: Item[]) => items.map((item) => item.id);

describe('selectAnnotations', () => {
  test('under the limits everything is shown, errors first', () => {
    const items = [lint('w1', 'a.py', 1), failingTest('t1', 'tests/test_a.py', 3), { id: 'n1', origin: 'pipeline', level: 'notice' } as Item];
    const { shown, hidden } = selectAnnotations(items);
    expect(ids(shown)).toEqual(['t1', 'w1', 'n1']);
    expect(hidden).toEqual({ error: 0, warning: 0, notice: 0 });
  });

  test('failing tests come before lint errors at the same level, in report order', () => {
    const items = [
      lint('lint-error', 'a.py', 1, 'error', 'error'),
      failingTest('t-second', 'tests/z.py', 9),
      failingTest('t-first', 'tests/a.py', 1),
      { id: 'cache', origin: 'pipeline', level: 'error' } as Item
    ];
    expect(ids(selectAnnotations(items, { error: 3 }).shown)).toEqual(['cache', 't-second', 't-first']);
  });

  test('lint errors before lint warnings when all are emitted as warnings', () => {
    const items = [lint('w-a', 'a.py', 1), lint('e-z', 'z.py', 5, 'error'), lint('n-b', 'b.py', 1, 'notice'), lint('e-a', 'a.py', 9, 'error')];
    expect(ids(selectAnnotations(items).shown)).toEqual(['e-a', 'e-z', 'w-a', 'n-b']);
  });

  test('one noisy file does not hide the others: round-robin by file', () => {
    const noisy = Array.from({ length: 30 }, (_, i) => lint(`noisy${i + 1}`, 'app/generated.py', i + 1));
    const items = [...noisy, lint('b1', 'app/b.py', 4), lint('b2', 'app/b.py', 2), lint('c1', 'lib/c.py', 7)];
    const { shown, hidden } = selectAnnotations(items);
    expect(ids(shown)).toEqual(['b2', 'noisy1', 'c1', 'b1', 'noisy2', 'noisy3', 'noisy4', 'noisy5', 'noisy6', 'noisy7']);
    expect(hidden.warning).toBe(23);
  });

  test('within a file, findings go by line then column', () => {
    const items = [
      { ...lint('l9', 'a.py', 9), column: 1 },
      { ...lint('l2c5', 'a.py', 2), column: 5 },
      { ...lint('l2c1', 'a.py', 2), column: 1 }
    ];
    expect(ids(selectAnnotations(items).shown)).toEqual(['l2c1', 'l2c5', 'l9']);
  });

  test.each([
    [{ error: 2, warning: 1, notice: 0 }, ['t1', 't2', 'w1'], { error: 1, warning: 1, notice: 1 }],
    [{ error: 0 }, ['w1', 'w2', 'n1'], { error: 3, warning: 0, notice: 0 }],
    [{ total: 4 }, ['t1', 't2', 't3', 'w1'], { error: 0, warning: 1, notice: 1 }],
    [{ error: -1, warning: Number.NaN, notice: 2.9 }, ['n1'], { error: 3, warning: 2, notice: 0 }],
    [{ error: Number.POSITIVE_INFINITY }, ['t1', 't2', 't3', 'w1', 'w2', 'n1'], { error: 0, warning: 0, notice: 0 }]
  ])('limits %p', (limits, expected, hidden) => {
    const items = [
      failingTest('t1'),
      failingTest('t2'),
      failingTest('t3'),
      lint('w1', 'a.py', 1),
      lint('w2', 'b.py', 1),
      lint('n1', 'c.py', 1, 'notice', 'notice')
    ];
    const selection = selectAnnotations(items, limits);
    expect(ids(selection.shown)).toEqual(expected);
    expect(selection.hidden).toEqual(hidden);
  });

  test('the input is not reordered in place', () => {
    const items = [lint('b', 'b.py', 1), lint('a', 'a.py', 1)];
    selectAnnotations(items);
    expect(ids(items)).toEqual(['b', 'a']);
  });

  test('nothing to show', () => {
    expect(selectAnnotations([])).toEqual({ shown: [], hidden: { error: 0, warning: 0, notice: 0 } });
  });
});

describe('selectAnnotations: properties over random inputs', () => {
  test('2,000 random mixes keep the limits, lose nothing and spread lint across files', () => {
    const next = random(31);
    const problems: string[] = [];
    for (let round = 0; round < 2000; round += 1) {
      const items: Item[] = Array.from({ length: Math.floor(next() * 60) }, (_, i) => ({
        id: String(i),
        level: pick(next, ['error', 'warning', 'notice'] as const),
        origin: pick(next, ['pipeline', 'test', 'audit', 'lint', 'lint', 'lint'] as const),
        severity: pick(next, [undefined, 'error', 'warning', 'notice'] as const),
        path: pick(next, [undefined, 'a.py', 'b.py', 'c.py', 'd/e.py']),
        line: Math.floor(next() * 50)
      }));
      const limits = { error: Math.floor(next() * 12), warning: Math.floor(next() * 12), notice: Math.floor(next() * 12) };
      const { shown, hidden } = selectAnnotations(items, limits);

      for (const level of ['error', 'warning', 'notice'] as const) {
        const all = items.filter((item) => item.level === level);
        const seen = shown.filter((item) => item.level === level);
        if (seen.length > limits[level]) problems.push(`${level}: ${seen.length} shown over a limit of ${limits[level]}`);
        if (seen.length + hidden[level] !== all.length) problems.push(`${level}: shown + hidden != all`);
        if (seen.length !== Math.min(all.length, limits[level])) problems.push(`${level}: did not fill the budget`);
        const ranks = seen.map((item) => ({ pipeline: 0, test: 1, audit: 2, lint: 3 })[item.origin]);
        if (ranks.some((rank, i) => i > 0 && rank < (ranks[i - 1] ?? 0))) problems.push(`${level}: origins out of order`);
        // Round-robin: among shown lint of one severity, per-file counts differ by at most one
        // unless the file with fewer has run out.
        for (const severity of ['error', 'warning', 'notice'] as const) {
          const group = all.filter((item) => item.origin === 'lint' && (item.severity ?? 'warning') === severity);
          const shownGroup = seen.filter((item) => group.includes(item));
          const count = (path: string | undefined, list: Item[]) => list.filter((item) => item.path === path).length;
          const paths = [...new Set(group.map((item) => item.path))];
          for (const p of paths) {
            for (const q of paths) {
              if (count(p, shownGroup) > count(q, shownGroup) + 1 && count(q, shownGroup) < count(q, group)) {
                problems.push(`${level}/${severity}: ${p} crowds out ${q}`);
              }
            }
          }
        }
      }
      if (new Set(shown).size !== shown.length) problems.push('an item shown twice');
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
