// The baseline a run on the default branch leaves behind and a pull request run restores: total and
// per-file coverage (for the coverage delta) and test durations (for splitting tests into shards).
// Pure: the record is built from a Report, written as JSON and read back with validation; a record
// that is corrupt, of another version or too large reads as undefined, never as an error.

import type { Report, TestCase } from '../model.js';

export const BASELINE_VERSION = 1;

/**
 * Kept small so saving and restoring it costs nothing: past these caps the files with the fewest
 * lines and the fastest tests are left out (the total stays exact; a shard plan estimates a missing
 * test from `omitted`). Paths and test ids longer than `keyLength` (as JSON text) are left out rather
 * than cut, as a cut one would never match again. At most about (files + tests) × (keyLength + 24) bytes.
 */
export const BASELINE_LIMITS = { files: 1000, tests: 3000, keyLength: 300, bytes: 2_000_000 };

export interface Baseline {
  version: typeof BASELINE_VERSION;
  /** The commit measured (40 or 64 hex digits). */
  commit: string;
  /** Total line coverage, percent at one decimal; absent when coverage was not measured. */
  coverage?: number;
  /** Repository-relative path → line coverage, percent at one decimal. */
  files: Map<string, number>;
  /** testId(…) → duration in whole milliseconds. */
  durations: Map<string, number>;
  /** What the caps left out: how many files, how many tests and those tests' total milliseconds. */
  omitted: { files: number; tests: number; testsMs: number };
}

/** One test's id, the same in every run: `classname::name` (the name alone when there is no class). */
export function testId(test: Pick<TestCase, 'classname' | 'name'>): string {
  return test.classname ? `${test.classname}::${test.name}` : test.name;
}

const byValueThenKey = ([aKey, a]: [string, number], [bKey, b]: [string, number]): number => b - a || (aKey < bKey ? -1 : aKey > bKey ? 1 : 0);

/** The largest `max` entries by `weight`, and what was left out. */
function keepLargest(entries: Map<string, number>, weight: Map<string, number>, max: number): { kept: Map<string, number>; left: [string, number][] } {
  const ranked = [...weight].sort(byValueThenKey).map(([key]) => key);
  const keep = new Set(ranked.slice(0, max));
  const kept = new Map([...entries].filter(([key]) => keep.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { kept, left: [...entries].filter(([key]) => !keep.has(key)) };
}

/** Measured as written in JSON, where a control character takes six. */
const usableKey = (key: string): boolean => key !== '' && JSON.stringify(key).length - 2 <= BASELINE_LIMITS.keyLength;
const tenths = (percent: number): number => Math.round(percent * 10) / 10;

export function buildBaseline(report: Report, commit: string): Baseline {
  const files = new Map<string, number>();
  const lines = new Map<string, number>();
  for (const file of report.coverage?.files ?? []) {
    if (!usableKey(file.path) || !Number.isFinite(file.percent)) continue;
    files.set(file.path, tenths(file.percent));
    lines.set(file.path, file.linesValid);
  }
  const durations = new Map<string, number>();
  for (const test of report.tests?.cases ?? []) {
    const id = testId(test);
    if (!usableKey(id) || !(test.durationMs >= 0)) continue;
    // a repeated id (a test run twice) takes as long as both runs
    durations.set(id, (durations.get(id) ?? 0) + Math.round(test.durationMs));
  }
  const keptFiles = keepLargest(files, lines, BASELINE_LIMITS.files);
  const keptTests = keepLargest(durations, durations, BASELINE_LIMITS.tests);
  const baseline: Baseline = {
    version: BASELINE_VERSION,
    commit,
    files: keptFiles.kept,
    durations: keptTests.kept,
    omitted: { files: keptFiles.left.length, tests: keptTests.left.length, testsMs: keptTests.left.reduce((sum, [, ms]) => sum + ms, 0) }
  };
  if (report.coverage && Number.isFinite(report.coverage.percent)) baseline.coverage = tenths(report.coverage.percent);
  return baseline;
}

export function serializeBaseline(baseline: Baseline): string {
  return JSON.stringify({
    version: baseline.version,
    commit: baseline.commit,
    ...(baseline.coverage === undefined ? {} : { coverage: baseline.coverage }),
    files: Object.fromEntries(baseline.files),
    durations: Object.fromEntries(baseline.durations),
    omitted: baseline.omitted
  });
}

// ---------------------------------------------------------------------------------------------
// Reading back, trusting nothing

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPercent = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 100;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A JSON object of `key → number` with every key usable and every number valid; undefined otherwise. */
function readMap(value: unknown, valid: (n: unknown) => n is number, max: number): Map<string, number> | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > max || !entries.every(([key, n]) => usableKey(key) && valid(n))) return undefined;
  return new Map(entries as [string, number][]);
}

export function parseBaseline(text: string): Baseline | undefined {
  if (typeof text !== 'string' || text.length > BASELINE_LIMITS.bytes) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || raw.version !== BASELINE_VERSION) return undefined;
  if (typeof raw.commit !== 'string' || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(raw.commit)) return undefined;
  if (raw.coverage !== undefined && !isPercent(raw.coverage)) return undefined;
  const files = readMap(raw.files, isPercent, BASELINE_LIMITS.files);
  const durations = readMap(raw.durations, isCount, BASELINE_LIMITS.tests);
  const omitted = raw.omitted;
  if (!files || !durations || !isObject(omitted) || !isCount(omitted.files) || !isCount(omitted.tests) || !isCount(omitted.testsMs)) return undefined;
  const baseline: Baseline = {
    version: BASELINE_VERSION,
    commit: raw.commit,
    files,
    durations,
    omitted: { files: omitted.files, tests: omitted.tests, testsMs: omitted.testsMs }
  };
  if (raw.coverage !== undefined) baseline.coverage = raw.coverage;
  return baseline;
}
