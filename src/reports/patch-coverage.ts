// Pure patch coverage: how many of a change's lines the tests ran, which they did not (as compact
// ranges per file), the total coverage's change against the base branch, and the patch-coverage-min gate.

import type { CoverageResult } from '../model.js';
import { coveragePercent } from './cobertura.js';
import type { ChangedFile } from './diff.js';

export interface UncoveredFile {
  path: string;
  /** Changed lines the coverage report measured and the tests did not run, ascending. */
  lines: number[];
}

export interface PatchCoverage {
  /** Changed lines the report measured and the tests ran. */
  covered: number;
  /** Changed lines the report measured (blank lines, comments and unmeasured files are not). */
  total: number;
  /** covered of total, one decimal, rounded like the total; undefined when no changed line was measured. */
  percent: number | undefined;
  /** By path, only files with an uncovered changed line. */
  uncovered: UncoveredFile[];
  /** Changed files whose lines are unknown (binary, or a diff too large for GitHub). */
  unreadFiles: string[];
}

/** Changed lines ∩ measured lines. Paths on both sides are repository-relative; files without line data count as unmeasured. */
export function patchCoverage(changed: readonly ChangedFile[], coverage: CoverageResult | undefined): PatchCoverage {
  const measured = new Map<string, Map<number, boolean>>();
  for (const file of coverage?.files ?? []) {
    if (!file.lines) continue;
    const lines = measured.get(file.path) ?? new Map<number, boolean>();
    for (const n of file.lines.missed) if (!lines.has(n)) lines.set(n, false);
    for (const n of file.lines.covered) lines.set(n, true);
    measured.set(file.path, lines);
  }
  let covered = 0;
  let total = 0;
  const uncovered = new Map<string, Set<number>>();
  for (const file of changed) {
    const lines = measured.get(file.path);
    if (!lines) continue;
    for (const n of new Set(file.lines)) {
      const hit = lines.get(n);
      if (hit === undefined) continue;
      total += 1;
      if (hit) covered += 1;
      else uncovered.set(file.path, (uncovered.get(file.path) ?? new Set()).add(n));
    }
  }
  return {
    covered,
    total,
    percent: total > 0 ? coveragePercent(covered, total) : undefined,
    uncovered: [...uncovered].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, lines]) => ({ path, lines: [...lines].sort((a, b) => a - b) })),
    unreadFiles: changed.filter((f) => !f.complete).map((f) => f.path)
  };
}

/** Consecutive numbers as ranges: `30–32, 40`. With `max`, ranges past it are counted: `30–32, … (+7 lines)`. */
export function lineRanges(lines: readonly number[], max = Infinity): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const n of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else ranges.push([n, n]);
  }
  const shown = ranges.slice(0, Math.max(0, max));
  const text = shown.map(([from, to]) => (from === to ? `${from}` : `${from}–${to}`));
  const hidden = ranges.slice(shown.length).reduce((sum, [from, to]) => sum + to - from + 1, 0);
  if (hidden > 0) text.push(`… (+${hidden} line${hidden === 1 ? '' : 's'})`);
  return text.join(', ');
}

/** Signed change in percentage points at one decimal (`+1.2`, `-0.4`, `0.0`); undefined when either side is unknown. */
export function coverageDelta(current: number | undefined, baseline: number | undefined): string | undefined {
  if (typeof current !== 'number' || typeof baseline !== 'number' || !Number.isFinite(current) || !Number.isFinite(baseline)) return undefined;
  // In tenths, so 84.3 − 83.1 reads +1.2, not +1.1999…
  const tenths = Math.round(current * 10) - Math.round(baseline * 10);
  const text = (Math.abs(tenths) / 10).toFixed(1);
  return tenths > 0 ? `+${text}` : tenths < 0 ? `-${text}` : text;
}

/** How many files, and ranges per file, a gate message names before counting the rest. */
export const GATE_MESSAGE_LIMITS = { files: 10, ranges: 8 };

/** `shop/cart.py 30–32, 40; shop/tax.py 7`, bounded by GATE_MESSAGE_LIMITS. */
export function describeUncovered(uncovered: readonly UncoveredFile[]): string {
  const shown = uncovered.slice(0, GATE_MESSAGE_LIMITS.files).map((f) => `${f.path} ${lineRanges(f.lines, GATE_MESSAGE_LIMITS.ranges)}`);
  const more = uncovered.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more file${more === 1 ? '' : 's'}`] : [])].join('; ');
}

export interface PatchGate {
  pass: boolean;
  /** Why it failed, or why it could not judge; undefined when it passed with nothing to say. */
  message?: string;
}

/**
 * The `patch-coverage-min` decision, on the percent as shown (as coverage-min judges the total).
 * Nothing measurable among the changed lines passes: a change to docs or tests alone is not uncovered code.
 */
export function patchCoverageGate(patch: PatchCoverage, min: number): PatchGate {
  if (!(min > 0)) return { pass: true };
  if (patch.percent === undefined) return { pass: true, message: `patch-coverage-min is ${min}% but no changed line is measured by the coverage report` };
  if (patch.percent >= min) return { pass: true };
  const missed = patch.total - patch.covered;
  return {
    pass: false,
    message:
      `patch coverage ${patch.percent.toFixed(1)}% is below patch-coverage-min ${min}%: ` +
      `${missed} of ${patch.total} changed line${patch.total === 1 ? '' : 's'} not covered: ${describeUncovered(patch.uncovered)}`
  };
}
