// Pure Cobertura XML parser, for the report coverage.py writes (`coverage xml`, `--cov-report=xml`).
// It never throws: a report it cannot read yields no coverage and a warning.

import { posix } from 'node:path';
import type { CoverageResult, FileCoverage, LineHits } from '../model.js';
import { neverThrows } from './guard.js';
import { isAbsolutePath, toRepoPath, type PathOptions } from './paths.js';
import { attr, children, countAttr, looksComplete, readXml, textOf, type XmlNode } from './xml.js';

export interface CoberturaOptions extends PathOptions {
  /**
   * Whether a repository-relative path exists. coverage.py writes each filename relative to
   * one of its `<source>` directories without saying which; with several sources this picks
   * the right one. Without it the first source is assumed.
   */
  fileExists?: (repoPath: string) => boolean;
  /** Also list each file's covered and missed line numbers (`FileCoverage.lines`), for patch coverage. */
  lines?: boolean;
}

export interface CoberturaParse {
  coverage: CoverageResult | undefined;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Percentages the way coverage.py prints them

/**
 * Round half to even at one decimal, on the exact binary value, like Python's `round(pc, 1)`.
 * Only values that are exact quarters (x.25, x.75) are true ties at one decimal; every other
 * double is correctly rounded by toFixed.
 */
function roundOneDecimal(value: number): number {
  const tenths = value * 10;
  if (Number.isInteger(value * 4) && !Number.isInteger(value * 2)) {
    const floor = Math.floor(tenths);
    return (floor % 2 === 0 ? floor : floor + 1) / 10;
  }
  return Number(value.toFixed(1));
}

/**
 * coverage.py's `display_covered` at precision 1: rounding never shows 0.0 unless nothing is
 * covered, nor 100.0 unless everything is, so 99.96% reads 99.9 and 0.04% reads 0.1.
 */
export function displayPercent(percent: number): number {
  if (!Number.isFinite(percent)) return 0;
  if (percent > 0 && percent < 0.1) return 0.1;
  if (percent > 99.9 && percent < 100) return 99.9;
  return Math.min(100, Math.max(0, roundOneDecimal(percent)));
}

/** Percent covered as coverage.py computes it (`100.0 * n / d`); nothing to cover is 100%. */
export function coveragePercent(linesCovered: number, linesValid: number): number {
  return linesValid > 0 ? displayPercent((100 * linesCovered) / linesValid) : 100;
}

// ---------------------------------------------------------------------------------------------
// Reading

const ARRAY_TAGS = new Set(['sources', 'source', 'packages', 'package', 'classes', 'class', 'lines', 'line']);

/** A `line-rate` attribute (0..1) as a percent, or undefined when missing or absurd. */
function rateAttr(node: XmlNode): number | undefined {
  const rate = Number(attr(node, 'line-rate') ?? NaN);
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate * 100 : undefined;
}

function sourceDirs(root: XmlNode): string[] {
  return children(root, 'sources')
    .flatMap((sources) => children(sources, 'source'))
    .map((source) => textOf(source).trim())
    .filter((dir) => dir !== '');
}

/** Class elements, wherever coverage.py (packages > package > classes) or others put them. */
function classNodes(root: XmlNode): XmlNode[] {
  return children(root, 'packages')
    .flatMap((packages) => children(packages, 'package'))
    .flatMap((pkg) => children(pkg, 'classes'))
    .flatMap((classes) => children(classes, 'class'));
}

/** Where a `filename` relative to one of the sources lives, relative to the repository. */
function resolveFile(filename: string, sources: string[], options: CoberturaOptions): string {
  if (isAbsolutePath(filename) || sources.length === 0) return toRepoPath(filename, options);
  const candidates = sources.map((source) => toRepoPath(posix.join(source.replace(/\\/g, '/'), filename.replace(/\\/g, '/')), options));
  const exists = options.fileExists;
  if (exists) {
    const found = candidates.find((candidate) => safePredicate(exists, candidate));
    if (found !== undefined) return found;
  }
  return candidates[0] ?? toRepoPath(filename, options);
}

function safePredicate(predicate: (path: string) => boolean, path: string): boolean {
  try {
    return predicate(path) === true;
  } catch {
    return false;
  }
}

interface FileTally {
  /** Line number → covered. */
  lines: Map<number, boolean>;
  /** Line elements without a usable number: each counts as a line of its own. */
  unnumbered: { valid: number; covered: number };
  /** From the first class's `line-rate`, for classes that list no lines at all. */
  ratePercent?: number;
  listsLines: boolean;
}

/** Merge a class into its file: a line counts once, covered if any class covers it. */
function tallyClass(tally: FileTally, cls: XmlNode): void {
  tally.ratePercent ??= rateAttr(cls);
  const lineLists = children(cls, 'lines');
  if (lineLists.length > 0) tally.listsLines = true;
  for (const line of lineLists.flatMap((lines) => children(lines, 'line'))) {
    const number = countAttr(line, 'number');
    const covered = (countAttr(line, 'hits') ?? 0) > 0;
    if (number === undefined) {
      tally.unnumbered.valid += 1;
      if (covered) tally.unnumbered.covered += 1;
    } else if (covered || !tally.lines.has(number)) {
      tally.lines.set(number, covered);
    }
  }
}

/** Line number → covered, as two ascending lists; a line 0 (some tools' "whole file") names no line of a diff. */
export function lineHits(lines: ReadonlyMap<number, boolean>): LineHits {
  const hits: LineHits = { covered: [], missed: [] };
  for (const [number, covered] of [...lines].sort((a, b) => a[0] - b[0])) if (number >= 1) (covered ? hits.covered : hits.missed).push(number);
  return hits;
}

function toFileCoverage(path: string, tally: FileTally, withLines: boolean): FileCoverage {
  let linesCovered = tally.unnumbered.covered;
  for (const covered of tally.lines.values()) if (covered) linesCovered += 1;
  const linesValid = tally.lines.size + tally.unnumbered.valid;
  const percent = !tally.listsLines && tally.ratePercent !== undefined ? displayPercent(tally.ratePercent) : coveragePercent(linesCovered, linesValid);
  return withLines ? { path, linesValid, linesCovered, percent, lines: lineHits(tally.lines) } : { path, linesValid, linesCovered, percent };
}

function fileCoverages(root: XmlNode, options: CoberturaOptions): FileCoverage[] {
  const sources = sourceDirs(root);
  const tallies = new Map<string, FileTally>();
  for (const cls of classNodes(root)) {
    const filename = attr(cls, 'filename')?.trim();
    if (!filename) continue;
    const path = resolveFile(filename, sources, options);
    let tally = tallies.get(path);
    if (!tally) {
      tally = { lines: new Map(), unnumbered: { valid: 0, covered: 0 }, listsLines: false };
      tallies.set(path, tally);
    }
    tallyClass(tally, cls);
  }
  return [...tallies].map(([path, tally]) => toFileCoverage(path, tally, options.lines === true));
}

/**
 * The total: the root's exact line counts first, then the sum over files, then the root's
 * rounded `line-rate`. Undefined when the report carries none of them.
 */
function totalCoverage(root: XmlNode, files: FileCoverage[]): CoverageResult | undefined {
  const linesValid = countAttr(root, 'lines-valid');
  const linesCovered = countAttr(root, 'lines-covered');
  if (linesValid !== undefined && linesCovered !== undefined && linesCovered <= linesValid) {
    return { percent: coveragePercent(linesCovered, linesValid), linesValid, linesCovered, files };
  }
  const summed = files.reduce((sum, file) => ({ valid: sum.valid + file.linesValid, covered: sum.covered + file.linesCovered }), { valid: 0, covered: 0 });
  if (summed.valid > 0) {
    return { percent: coveragePercent(summed.covered, summed.valid), linesValid: summed.valid, linesCovered: summed.covered, files };
  }
  const rate = rateAttr(root);
  if (rate !== undefined) return { percent: displayPercent(rate), linesValid: 0, linesCovered: 0, files };
  return files.length > 0 ? { percent: 100, linesValid: 0, linesCovered: 0, files } : undefined;
}

function parseCoberturaUnguarded(xml: string, options: CoberturaOptions): CoberturaParse {
  if (xml.trim() === '') return { coverage: undefined, warnings: ['coverage report is empty'] };
  const { root: parsed, error } = readXml(xml, ARRAY_TAGS);
  // Cut inside a tag: the root's totals come first in the file, so what precedes the cut still counts.
  const document = parsed ?? readXml(xml.slice(0, xml.lastIndexOf('>') + 1), ARRAY_TAGS).root;
  const root = document ? children(document, 'coverage')[0] : undefined;
  if (!root && !parsed) return { coverage: undefined, warnings: [`coverage report is not valid XML: ${error}`] };
  if (!root) return { coverage: undefined, warnings: ['coverage report has no <coverage> root: not Cobertura XML'] };

  const coverage = totalCoverage(root, fileCoverages(root, options));
  const warnings: string[] = [];
  if (!coverage) warnings.push('coverage report has no line counts, no line-rate and no files');
  if (!parsed || !looksComplete(xml)) warnings.push(`coverage report looks truncated or malformed${error ? ` (${error})` : ''}`);
  return { coverage, warnings };
}

/**
 * Parse a Cobertura report. Line coverage only: with branch coverage on, `coverage report`
 * prints a combined statement+branch figure that differs from this one.
 */
export function parseCobertura(xml: string, options: CoberturaOptions = {}): CoberturaParse {
  return neverThrows(
    xml,
    (text) => parseCoberturaUnguarded(text, options),
    (reason) => ({ coverage: undefined, warnings: [`coverage report could not be read: ${reason}`] })
  );
}
