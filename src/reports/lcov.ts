// Pure LCOV parser (node --test's lcov reporter, istanbul's lcovonly via jest or vitest): line
// coverage per file and in total, rounded like the Cobertura parser. It never throws: a report it
// cannot read yields no coverage and a warning.

import type { CoverageResult, FileCoverage } from '../model.js';
import { coveragePercent, lineHits } from './cobertura.js';
import { neverThrows } from './guard.js';
import { toRepoPath, type PathOptions } from './paths.js';

export interface LcovOptions extends PathOptions {
  /** Also list each file's covered and missed line numbers (`FileCoverage.lines`, from DA lines), for patch coverage. */
  lines?: boolean;
}

export interface LcovParse {
  coverage: CoverageResult | undefined;
  warnings: string[];
}

interface LcovRecord {
  path: string;
  /** Line number → covered, from DA lines. */
  lines: Map<number, boolean>;
  found?: number;
  hit?: number;
}

function count(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Records in file order; the last one may lack its end_of_record (a cut report). */
function readRecords(text: string, options: PathOptions): { records: LcovRecord[]; unterminated: boolean; bad: number } {
  const records: LcovRecord[] = [];
  let current: LcovRecord | undefined;
  let bad = 0;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === 'end_of_record') {
      if (current) records.push(current);
      current = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1);
    if (tag === 'SF') {
      if (current) records.push(current); // a record without end_of_record
      const path = toRepoPath(value, options);
      current = path === '' ? undefined : { path, lines: new Map() };
      if (!current) bad += 1;
    } else if (!current) {
      continue; // TN:, or lines outside a record
    } else if (tag === 'DA') {
      const [number, hits] = value.split(',');
      const n = count(number);
      const h = count(hits);
      if (n === undefined || n < 1 || h === undefined) {
        bad += 1;
        continue;
      }
      current.lines.set(n, (current.lines.get(n) ?? false) || h > 0);
    } else if (tag === 'LF') {
      current.found = count(value);
    } else if (tag === 'LH') {
      current.hit = count(value);
    }
  }
  const unterminated = current !== undefined;
  if (current) records.push(current);
  return { records, unterminated, bad };
}

/** One file's counts: LF/LH when the (single) record has sane ones, else its DA lines. */
function fileCoverage(path: string, records: LcovRecord[]): FileCoverage {
  const summary = records.length === 1 ? records[0] : undefined;
  if (summary && summary.found !== undefined && summary.hit !== undefined && summary.hit <= summary.found) {
    return { path, linesValid: summary.found, linesCovered: summary.hit, percent: coveragePercent(summary.hit, summary.found) };
  }
  // Several records for one file (merged runs): a line counts once, covered if any run covered it.
  const lines = mergedLines(records);
  if (lines.size === 0) {
    // no DA lines: the largest LF/LH pair any record gives
    const best = records.filter((r) => r.found !== undefined && r.hit !== undefined && r.hit <= r.found).sort((a, b) => (b.found ?? 0) - (a.found ?? 0))[0];
    const valid = best?.found ?? 0;
    const covered = best?.hit ?? 0;
    return { path, linesValid: valid, linesCovered: covered, percent: coveragePercent(covered, valid) };
  }
  let covered = 0;
  for (const hit of lines.values()) if (hit) covered += 1;
  return { path, linesValid: lines.size, linesCovered: covered, percent: coveragePercent(covered, lines.size) };
}

/** The DA lines of every record of one file: a line counts once, covered if any record covered it. */
function mergedLines(records: LcovRecord[]): Map<number, boolean> {
  const lines = new Map<number, boolean>();
  for (const record of records) for (const [n, covered] of record.lines) lines.set(n, (lines.get(n) ?? false) || covered);
  return lines;
}

function parseUnguarded(text: string, options: LcovOptions): LcovParse {
  if (text.trim() === '') return { coverage: undefined, warnings: ['lcov report is empty'] };
  const { records, unterminated, bad } = readRecords(text, options);
  if (records.length === 0) return { coverage: undefined, warnings: ['lcov report has no SF: records: not LCOV'] };
  const byPath = new Map<string, LcovRecord[]>();
  for (const record of records) byPath.set(record.path, [...(byPath.get(record.path) ?? []), record]);
  const files = [...byPath].map(([path, list]) =>
    options.lines === true ? { ...fileCoverage(path, list), lines: lineHits(mergedLines(list)) } : fileCoverage(path, list)
  );
  const linesValid = files.reduce((sum, f) => sum + f.linesValid, 0);
  const linesCovered = files.reduce((sum, f) => sum + f.linesCovered, 0);
  const warnings: string[] = [];
  if (unterminated) warnings.push('lcov report looks truncated (the last record has no end_of_record)');
  if (bad > 0) warnings.push(`lcov report: ignored ${bad} malformed line${bad === 1 ? '' : 's'}`);
  return { coverage: { percent: coveragePercent(linesCovered, linesValid), linesValid, linesCovered, files }, warnings };
}

/** Parse an LCOV tracefile: line coverage only (BRDA/FN lines are not counted). */
export function parseLcov(text: string, options: LcovOptions = {}): LcovParse {
  return neverThrows(
    text,
    (input) => parseUnguarded(input, options),
    (reason) => ({ coverage: undefined, warnings: [`lcov report could not be read: ${reason}`] })
  );
}
