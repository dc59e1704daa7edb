// Which annotations to emit. GitHub shows at most 10 error and 10 warning annotations per step
// (and 50 per job); anything past that is silently dropped, so we choose what is shown and say
// how many were left out instead of letting GitHub choose by arrival order.

import type { FindingSeverity } from '../model.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/**
 * Where an annotation comes from, most important first: messages about the run itself
 * (a failed cache, the coverage gate), failing tests, known vulnerabilities, lint findings.
 */
export type AnnotationOrigin = 'pipeline' | 'test' | 'audit' | 'lint';

export interface AnnotationCandidate {
  /** The level it will be emitted at; GitHub's limits are per level. */
  level: AnnotationLevel;
  origin: AnnotationOrigin;
  /** The tool's own severity, to rank lint findings emitted at one level (e.g. all as warnings). */
  severity?: FindingSeverity;
  path?: string;
  line?: number;
  column?: number;
}

export interface AnnotationLimits {
  error: number;
  warning: number;
  notice: number;
  /** Across all levels; GitHub keeps 50 per job. Unlimited unless set. */
  total?: number;
}

const DEFAULT_ANNOTATION_LIMITS: AnnotationLimits = { error: 10, warning: 10, notice: 10 };

export interface AnnotationSelection<T> {
  /** Errors first, then warnings, then notices; each level in the order chosen below. */
  shown: T[];
  hidden: Record<AnnotationLevel, number>;
}

const LEVELS: readonly AnnotationLevel[] = ['error', 'warning', 'notice'];
const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, notice: 2 };

/** Lint without a severity counts as a warning. */
function severityRank(severity: FindingSeverity | undefined): number {
  return SEVERITY_RANK[severity ?? 'warning'];
}

function limitOf(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : value > 0 ? Number.MAX_SAFE_INTEGER : 0;
}

function byLocation(a: AnnotationCandidate, b: AnnotationCandidate): number {
  const pathA = a.path ?? '';
  const pathB = b.path ?? '';
  if (pathA !== pathB) return pathA < pathB ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Lint findings one file at a time in turn (first finding of each file, then the second...),
 * so one noisy file cannot use up the whole budget. Files by path, findings by line.
 */
function roundRobinByFile<T extends AnnotationCandidate>(items: T[]): T[] {
  const files = new Map<string, T[]>();
  for (const item of [...items].sort(byLocation)) {
    const key = item.path ?? '';
    const list = files.get(key);
    if (list) list.push(item);
    else files.set(key, [item]);
  }
  const queues = [...files.values()];
  const ordered: T[] = [];
  for (let round = 0; ordered.length < items.length; round += 1) {
    for (const queue of queues) {
      const item = queue[round];
      if (item !== undefined) ordered.push(item);
    }
  }
  return ordered;
}

/** One level's candidates, most useful first. Pipeline and test items keep their given order. */
function rankLevel<T extends AnnotationCandidate>(items: T[]): T[] {
  const byOrigin = (origin: AnnotationOrigin) => items.filter((item) => item.origin === origin);
  const lint = byOrigin('lint');
  const lintBySeverity = [0, 1, 2].flatMap((rank) => roundRobinByFile(lint.filter((item) => severityRank(item.severity) === rank)));
  return [...byOrigin('pipeline'), ...byOrigin('test'), ...byOrigin('audit'), ...lintBySeverity];
}

/** Choose the annotations to emit under per-level (and optionally total) limits. */
export function selectAnnotations<T extends AnnotationCandidate>(items: readonly T[], limits: Partial<AnnotationLimits> = {}): AnnotationSelection<T> {
  let budget = limitOf(limits.total, Number.MAX_SAFE_INTEGER);
  const shown: T[] = [];
  const hidden: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const level of LEVELS) {
    const ranked = rankLevel(items.filter((item) => item.level === level));
    const take = Math.min(ranked.length, limitOf(limits[level], DEFAULT_ANNOTATION_LIMITS[level]), budget);
    shown.push(...ranked.slice(0, take));
    hidden[level] = ranked.length - take;
    budget -= take;
  }
  return { shown, hidden };
}
