// What each shard hands to the merge job (`shard.json` in its artifact), and how the merge job adds
// the shards up: counts and failing tests summed, durations per file joined, coverage combined line
// by line (a line covered in any shard is covered), never averaged. With every file's line lists the
// merged figure equals an unsharded run's. Pure: the record is written and read back with validation.
import type { CoverageResult, Finding, StageResult, TestResults, Vulnerability } from '../model.js';
import { mergeCoverage } from '../stages/test-tiers.js';
import { mergeTestResults } from './junit.js';

export const SHARD_RECORD_VERSION = 1;
export const SHARD_RECORD_FILE = 'shard.json';

export interface ShardRecord {
  version: typeof SHARD_RECORD_VERSION;
  index: number;
  total: number;
  /** The shard's test files (project-relative), as the split gave them. */
  files: string[];
  /** The shard's test stage, as its own job reported it. */
  stage: Pick<StageResult, 'status' | 'headline' | 'details'>;
  results?: TestResults;
  /** With each file's line lists, so that the shards' coverage can be combined. */
  coverage?: CoverageResult;
  /** Test file → milliseconds, measured in this shard. */
  durations: Record<string, number>;
  /** Lint findings and vulnerabilities: the first shard alone lints and audits (the same tree in every shard). */
  findings?: Finding[];
  advisories?: Vulnerability[];
  /** The lint and audit stages (first shard): their verdicts gate the merge job as they would one job. */
  checks?: Array<Pick<StageResult, 'name' | 'status' | 'headline' | 'details'>>;
}

export function serializeShardRecord(record: ShardRecord): string {
  return JSON.stringify(record);
}

/** The record, or a sentence saying why it cannot be used. */
export function parseShardRecord(text: string): ShardRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'its shard.json is not JSON';
  }
  if (!isObject(value)) return 'its shard.json is not an object';
  if (value.version !== SHARD_RECORD_VERSION)
    return `its shard.json is of version ${String(value.version)} (this Slipway reads ${SHARD_RECORD_VERSION}): all jobs must use one Slipway version`;
  if (!positiveInt(value.index) || !positiveInt(value.total) || !Array.isArray(value.files) || !isObject(value.stage) || !isObject(value.durations)) {
    return 'its shard.json lacks the shard, its files, its stage or its durations';
  }
  if (value.results !== undefined && !validResults(value.results)) return 'its shard.json has unreadable test results';
  if (value.coverage !== undefined && !validCoverage(value.coverage)) return 'its shard.json has unreadable coverage';
  return value as unknown as ShardRecord;
}

export interface MergedShards {
  /** Shards (1-based) whose record is missing. */
  missing: number[];
  /** Records of another split (`shard: 1/3` beside `2/4`): named, left out. */
  strays: string[];
  /** Test files two shards ran (their splits differed): counted twice in the totals. */
  twice: string[];
  /** How many test files the shards were given, together. */
  files: number;
  /** Shards whose own test stage failed, with its headline. */
  failedShards: Array<{ index: number; headline: string }>;
  results?: TestResults;
  coverage?: CoverageResult;
  durations: Map<string, number>;
  findings?: Finding[];
  advisories?: Vulnerability[];
  checks: NonNullable<ShardRecord['checks']>;
}

/** Adds up the records of shards 1..total. */
export function mergeShardRecords(records: readonly ShardRecord[], total: number): MergedShards {
  const strays = records.filter((r) => r.total !== total).map((r) => `${r.index}/${r.total}`);
  const byIndex = new Map<number, ShardRecord>();
  for (const record of records) if (record.total === total && !byIndex.has(record.index)) byIndex.set(record.index, record);
  const present = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, record]) => record);
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const record of present) for (const file of record.files) (seen.has(file) ? twice : seen).add(file);
  const withResults = present.filter((r) => r.results).map((r) => r.results!);
  const durations = new Map<string, number>();
  for (const record of present) for (const [file, ms] of Object.entries(record.durations)) durations.set(file, (durations.get(file) ?? 0) + ms);
  return {
    missing,
    strays,
    twice: [...twice].sort(),
    files: seen.size,
    failedShards: present.filter((r) => r.stage.status === 'failure').map((r) => ({ index: r.index, headline: r.stage.headline })),
    results: withResults.length > 0 ? mergeTestResults(withResults) : undefined,
    // One shard's coverage goes through the same merge, so its figure is computed the same way.
    coverage: combineCoverage(present.filter((r) => r.coverage).map((r) => r.coverage!)),
    durations,
    findings: present.find((r) => r.findings)?.findings,
    advisories: present.find((r) => r.advisories)?.advisories,
    checks: present.find((r) => r.checks && r.checks.length > 0)?.checks ?? []
  };
}

/** Line by line; a single report is passed through mergeCoverage's rules as well (recounted). */
function combineCoverage(list: readonly CoverageResult[]): CoverageResult | undefined {
  if (list.length === 0) return undefined;
  if (list.length === 1) return mergeCoverage([list[0]!, { percent: 0, linesValid: 0, linesCovered: 0, files: [] }]);
  return mergeCoverage(list);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

function validResults(v: unknown): boolean {
  return isObject(v) && count(v.passed) && count(v.failed) && count(v.skipped) && count(v.total) && Array.isArray(v.cases);
}

function validCoverage(v: unknown): boolean {
  return (
    isObject(v) && count(v.linesValid) && count(v.linesCovered) && Array.isArray(v.files) && v.files.every((f) => isObject(f) && typeof f.path === 'string')
  );
}
