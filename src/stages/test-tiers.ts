// Test tiers: a multi-line `test-command` is an ordered list of commands, fastest first; the first
// failing tier stops the rest. Which tiers run, where each writes its reports, how the results of the
// tiers that ran add up. Pure.
import { join } from 'node:path';
import type { CoverageResult, FileCoverage } from '../model.js';

export interface Tier {
  /** `tier 2 of 3` (empty for a single command). */
  label: string;
  /** The tier's command; undefined: the detected test command. */
  command?: string[];
  /** Folder for the tier's reports (each tier its own, so no report is read twice). */
  reportDir: string;
}

/** Exit code of pytest (and of Slipway's unittest runner) when no test was collected. */
export const NO_TESTS = 5;

/** The tiers to run, in order: the detected command alone when `test-command` is not set. */
export function planTiers(testCommand: readonly string[][] | undefined, reportDir: string): Tier[] {
  if (!testCommand || testCommand.length === 0) return [{ label: '', reportDir }];
  if (testCommand.length === 1) return [{ label: '', command: [...testCommand[0]!], reportDir }];
  return testCommand.map((command, i) => ({
    label: `tier ${i + 1} of ${testCommand.length}`,
    command: [...command],
    reportDir: join(reportDir, `tier-${i + 1}`)
  }));
}

/** Whether a tier's exit code stops the tiers after it (no tests collected does not). */
export function stopsTiers(exitCode: number): boolean {
  return exitCode !== 0 && exitCode !== NO_TESTS;
}

/** The verdict of the tiers that ran: the first failing tier's exit code, else the last one's. */
export function tiersExitCode(codes: readonly number[]): number {
  return codes.find(stopsTiers) ?? codes[codes.length - 1] ?? 0;
}

/** The summary's lines about the tiers that did not run after `failed` (its index). */
export function notRunLines(tiers: readonly Tier[], failed: number): string[] {
  return tiers.slice(failed + 1).map((tier) => `Not run (${tiers[failed]!.label} failed): ${tier.label}: ${tier.command?.join(' ') ?? 'detected command'}`);
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const percentOf = (covered: number, valid: number): number => (valid === 0 ? 100 : round1((covered / valid) * 100));

/**
 * Coverage of several tiers as one: per file, a line counts as covered when any tier covered it.
 * Without line lists (a report that gave only counts), the best tier's counts stand for the file.
 */
export function mergeCoverage(list: readonly CoverageResult[]): CoverageResult | undefined {
  if (list.length <= 1) return list[0];
  const byPath = new Map<string, FileCoverage[]>();
  for (const coverage of list) for (const file of coverage.files) byPath.set(file.path, [...(byPath.get(file.path) ?? []), file]);
  if (byPath.size === 0) return list.reduce((best, c) => (c.linesCovered > best.linesCovered ? c : best));
  const files = [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, versions]) => mergeFile(path, versions));
  const linesValid = files.reduce((sum, f) => sum + f.linesValid, 0);
  const linesCovered = files.reduce((sum, f) => sum + f.linesCovered, 0);
  return { percent: percentOf(linesCovered, linesValid), linesValid, linesCovered, files };
}

function mergeFile(path: string, versions: readonly FileCoverage[]): FileCoverage {
  if (versions.every((v) => v.lines)) {
    const covered = new Set(versions.flatMap((v) => v.lines!.covered));
    const missed = new Set(versions.flatMap((v) => v.lines!.missed).filter((line) => !covered.has(line)));
    const lines = { covered: [...covered].sort((a, b) => a - b), missed: [...missed].sort((a, b) => a - b) };
    const linesValid = covered.size + missed.size;
    return { path, linesValid, linesCovered: covered.size, percent: percentOf(covered.size, linesValid), lines };
  }
  const best = versions.reduce((a, b) => (b.linesCovered > a.linesCovered ? b : a));
  return { path, linesValid: best.linesValid, linesCovered: best.linesCovered, percent: best.percent };
}
