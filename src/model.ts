// The data every stage produces and every reporter renders. Pure types, no behaviour.

export type StageName = 'install' | 'test' | 'lint' | 'patch' | 'image' | 'deploy' | 'preview' | 'scheduled' | 'audit';
export type StageStatus = 'success' | 'failure' | 'skipped' | 'warning';

export interface StageResult {
  name: StageName;
  status: StageStatus;
  durationMs: number;
  /** One line a person reads first: "restored from cache", "12 passed, 1 failed". */
  headline: string;
  /** Why the stage failed or was skipped, or what to do about a warning. */
  details?: string[];
}

export type TestOutcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCase {
  /** Test name as the runner reports it, e.g. `test_index_returns_ok`. */
  name: string;
  /** Class or module, e.g. `tests.test_app` or `tests.test_app.TestIndex`. */
  classname: string;
  /** Repository-relative file, when the report or a traceback names it. */
  file?: string;
  line?: number;
  durationMs: number;
  outcome: TestOutcome;
  /** First line of the failure or skip reason. */
  message?: string;
  /** Full failure text (traceback), possibly long. */
  details?: string;
}

/** How a person reads a test's name: `tests.test_app.test_index`, or the name alone when the report gives no class (pytest's collection errors). */
export function testTitle(c: Pick<TestCase, 'classname' | 'name'>): string {
  return c.classname ? `${c.classname}.${c.name}` : c.name;
}

export interface TestResults {
  passed: number;
  failed: number; // failures and errors together: both fail the run
  skipped: number;
  total: number;
  durationMs: number;
  cases: TestCase[];
}

export interface FileCoverage {
  path: string;
  linesValid: number;
  linesCovered: number;
  percent: number;
  /** Which line numbers the report measured, when the parser was asked for them (patch coverage). */
  lines?: LineHits;
}

/** Measured line numbers of one file, ascending, each in one list only. */
export interface LineHits {
  covered: number[];
  missed: number[];
}

export interface CoverageResult {
  /** Total line coverage in percent, rounded to one decimal. */
  percent: number;
  linesValid: number;
  linesCovered: number;
  files: FileCoverage[];
}

export type FindingSeverity = 'error' | 'warning' | 'notice';

export interface Finding {
  path: string;
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Rule code, e.g. `F401` or `E501`. */
  code: string;
  message: string;
  severity: FindingSeverity;
}

/** Everything one run found out, in the order a person wants to read it. */
export interface Report {
  result: 'success' | 'failure';
  durationMs: number;
  stages: StageResult[];
  cacheHit: boolean;
  cacheKey?: string;
  tests?: TestResults;
  coverage?: CoverageResult;
  /** Every lint finding (annotations show only some; the summary counts all). */
  findings?: Finding[];
  /** Annotations left out under GitHub's per-step limits; the summary says how many. */
  hiddenAnnotations?: number;
  /** The image pushed (absent when nothing was pushed). */
  image?: ImageReport;
  /** The deploy hook accepted the new image and, with a health-url, it passed the health check. */
  deployed?: boolean;
  /** The new image failed its health check and the last healthy one was redeployed. */
  rolledBack?: boolean;
  /** The URL of the pull request's preview, when one was deployed and its URL is known. */
  previewUrl?: string;
  /** Total coverage against the base branch's baseline, signed, one decimal (`+1.2`); absent without one. */
  coverageDelta?: string;
  /** Pull requests: coverage of the changed lines in percent; absent when none of them is measured. */
  patchCoverage?: number;
  /** Known vulnerabilities in the installed dependencies (audit-ignore applied); absent when not audited. */
  vulnerabilities?: number;
  /** Those vulnerabilities, one per advisory and package; absent when not audited. */
  advisories?: Vulnerability[];
  /** A scheduled run's `scheduled-command` and what it printed (stdout and stderr as they came). */
  scheduled?: { command: string; output: string };
}

/** A known vulnerability of an installed package (an OSV advisory), and where the package is declared. */
export interface Vulnerability {
  id: string;
  aliases: string[];
  summary: string;
  severity?: 'low' | 'moderate' | 'high' | 'critical';
  package: string;
  version: string;
  /** The lowest fixed version above the installed one; absent when none is known. */
  fixed?: string;
  /** Repository-relative manifest that declares the package (or the dependency pulling it in). */
  path?: string;
  line?: number;
  /** The direct dependency that pulls a transitive package in, when known. */
  via?: string;
}

export interface ImageReport {
  /** registry/name: the `image` input. */
  repository: string;
  /** repository:sha-<7 hex>, the unique tag. */
  image: string;
  /** sha256:<64 hex> of the pushed manifest. */
  digest: string;
  /** Every reference pushed, the unique one first. */
  tags: string[];
}
