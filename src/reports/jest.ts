// Pure parser for jest's `--json` report (with `--testLocationInResults` for test lines). It never
// throws: a report it cannot read yields empty results and a warning, so the test stage can fall
// back to the exit code.

import type { TestCase, TestOutcome, TestResults } from '../model.js';
import { neverThrows } from './guard.js';
import { emptyTestResults } from './junit.js';
import { isAbsolutePath, toRepoPath, type PathOptions } from './paths.js';

export interface JestParse {
  results: TestResults;
  warnings: string[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function milliseconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.min(Math.round(value), Number.MAX_SAFE_INTEGER) : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function plain(value: string): string {
  return value.replace(ANSI, '');
}

/** jest-circus statuses; `pending` is `test.skip`, `todo` is `test.todo`. */
function outcomeOf(status: unknown, failed: boolean): TestOutcome {
  switch (status) {
    case 'passed':
    case 'focused':
      return 'passed';
    case 'failed':
      return 'failed';
    case 'pending':
    case 'skipped':
    case 'todo':
    case 'disabled':
      return 'skipped';
    default:
      return failed ? 'failed' : 'skipped';
  }
}

// `    at Object.toBe (/abs/test/app.test.js:30:24)` or `      at Object.<anonymous> (test/x.test.js:4:9)`
const JS_FRAME = /^\s*at (?:.*?\()?((?:file:\/\/)?(?:[A-Za-z]:)?[^():]+):(\d+):\d+\)?\s*$/;

/** The line of the last stack frame in the test's own file: where the test failed. */
function lineInFile(body: string, file: string, options: PathOptions): number | undefined {
  let line: number | undefined;
  const seen = new Map<string, string>();
  for (const row of body.split('\n')) {
    if (row.length > 1000) continue;
    const match = JS_FRAME.exec(row);
    if (!match?.[1]) continue;
    let path = seen.get(match[1]);
    if (path === undefined) {
      path = toRepoPath(match[1], options);
      seen.set(match[1], path);
    }
    const number = Number(match[2]);
    if (path === file && Number.isSafeInteger(number) && number > 0) line = number;
  }
  return line;
}

/** The first line that says what went wrong: not jest's `● Title` header, not a blank. */
function firstMeaningfulLine(body: string): string | undefined {
  return body
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !line.startsWith('●'));
}

interface FileContext {
  file: string | undefined;
  classname: string;
  options: PathOptions;
}

function assertionCase(assertion: Json, context: FileContext): TestCase {
  const failures = Array.isArray(assertion.failureMessages)
    ? assertion.failureMessages
        .map(text)
        .map(plain)
        .filter((m) => m !== '')
    : [];
  const outcome = outcomeOf(assertion.status, failures.length > 0);
  const ancestors = Array.isArray(assertion.ancestorTitles) ? assertion.ancestorTitles.map(text).filter((t) => t !== '') : [];
  const title = text(assertion.title);
  const name = title !== '' ? [...ancestors, title].join(' > ') : text(assertion.fullName);
  const details = failures.length > 0 ? failures.join('\n\n').replace(/\s+$/, '') : undefined;
  const location = isRecord(assertion.location) ? positiveInt(assertion.location.line) : undefined;
  const failedAt = details && context.file ? lineInFile(details, context.file, context.options) : undefined;
  const line = failedAt ?? location;
  const message = details ? firstMeaningfulLine(details) : outcome === 'skipped' && assertion.status === 'todo' ? 'todo' : undefined;
  return {
    name,
    classname: context.classname,
    ...(context.file ? { file: context.file } : {}),
    ...(line !== undefined ? { line } : {}),
    durationMs: milliseconds(assertion.duration) ?? 0,
    outcome,
    ...(message !== undefined ? { message } : {}),
    ...(details !== undefined ? { details } : {})
  };
}

/**
 * A test file that failed outside its tests (a syntax error, an import that fails, a hook or
 * describe that throws, no tests): one 'error' case for the suite, at the file, with the cause.
 */
function suiteErrorCase(result: Json, context: FileContext): TestCase {
  const execError = isRecord(result.testExecError) ? text(result.testExecError.message) || text(result.testExecError.stack) : '';
  const body = plain(text(result.message) || text(result.failureMessage) || execError)
    .replace(/^\s*\n/, '')
    .replace(/\s+$/, '');
  const header = /●\s*(.+)/.exec(body)?.[1]?.trim();
  const line = body && context.file ? (lineInFile(body, context.file, context.options) ?? parseErrorLine(body, context.file, context.options)) : undefined;
  const message = causeLine(body);
  return {
    name: header && header !== '' ? header : 'Test suite failed to run',
    classname: context.classname,
    ...(context.file ? { file: context.file } : {}),
    ...(line !== undefined ? { line } : {}),
    durationMs: 0,
    outcome: 'error',
    ...(message !== undefined ? { message } : {}),
    ...(body !== '' ? { details: body } : {})
  };
}

/** jest explains a file it cannot parse at length; the cause follows `Details:`. */
function causeLine(body: string): string | undefined {
  const details = /^\s*Details:\s*$/m.exec(body);
  return (details ? firstMeaningfulLine(body.slice(details.index + details[0].length)) : undefined) ?? firstMeaningfulLine(body);
}

// Babel's parse errors: `SyntaxError: /abs/test/x.test.js: Unexpected token (3:10)`
const PARSE_ERROR = /^\s*\w*Error: (.+?): .*\((\d+):\d+\)\s*$/;

/** The line of a parse error in the suite's own file (a parse error has no stack frame there). */
function parseErrorLine(body: string, file: string, options: PathOptions): number | undefined {
  for (const row of body.split('\n')) {
    if (row.length > 1000) continue;
    const match = PARSE_ERROR.exec(row);
    if (match?.[1] && toRepoPath(match[1], options) === file) {
      const number = Number(match[2]);
      if (Number.isSafeInteger(number) && number > 0) return number;
    }
  }
  return undefined;
}

/** The file relative to the project (as vitest's JUnit classnames are), else as the repository sees it. */
function projectRelative(raw: string, repoPath: string, options: PathOptions): string {
  const root = options.projectRoot;
  if (!root || !isAbsolutePath(root) || !isAbsolutePath(raw)) return repoPath;
  const relative = toRepoPath(raw, { projectRoot: root, repositoryRoot: root });
  return isAbsolutePath(relative) ? repoPath : relative;
}

function casesOfFile(result: unknown, options: PathOptions): TestCase[] {
  if (!isRecord(result)) return [];
  const raw = text(result.name) || text(result.testFilePath);
  const file = raw !== '' ? toRepoPath(raw, options) : undefined;
  const context: FileContext = { file, classname: file ? projectRelative(raw, file, options) : '', options };
  const assertions = Array.isArray(result.assertionResults) ? result.assertionResults.filter(isRecord) : [];
  const cases = assertions.map((assertion) => assertionCase(assertion, context));
  const fileFailed = result.status === 'failed' || (isRecord(result.testExecError) && Object.keys(result.testExecError).length > 0);
  if (fileFailed && !cases.some((c) => c.outcome === 'failed')) cases.push(suiteErrorCase(result, context));
  return cases;
}

/** Whole document first; else the outermost {...} (jest's --json on stdout can follow console noise). */
function readReport(raw: string): unknown {
  const body = raw.replace(/^\uFEFF/, '').trim();
  try {
    return JSON.parse(body);
  } catch {
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    if (start < 0 || end <= start) return undefined;
    try {
      return JSON.parse(body.slice(start, end + 1));
    } catch {
      return undefined;
    }
  }
}

function wallTime(report: Json, cases: TestCase[]): number {
  const start = milliseconds(report.startTime);
  const ends = Array.isArray(report.testResults)
    ? report.testResults
        .filter(isRecord)
        .map((r) => milliseconds(r.endTime))
        .filter((n): n is number => n !== undefined)
    : [];
  const end = ends.length > 0 ? Math.max(...ends) : undefined;
  if (start !== undefined && end !== undefined && end >= start && end - start < 7 * 24 * 3600 * 1000) return end - start;
  return Math.min(
    cases.reduce((sum, c) => sum + c.durationMs, 0),
    Number.MAX_SAFE_INTEGER
  );
}

function parseUnguarded(raw: string, options: PathOptions): JestParse {
  if (raw.trim() === '') return { results: emptyTestResults(), warnings: ['jest report is empty'] };
  const report = readReport(raw);
  if (report === undefined) return { results: emptyTestResults(), warnings: ['jest report is not valid JSON (truncated?)'] };
  if (!isRecord(report) || !Array.isArray(report.testResults)) {
    return { results: emptyTestResults(), warnings: ['jest report has no testResults: not the output of jest --json'] };
  }
  const cases = report.testResults.flatMap((result) => casesOfFile(result, options));
  const failed = cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error').length;
  const skipped = cases.filter((c) => c.outcome === 'skipped').length;
  const warnings: string[] = [];
  if (report.wasInterrupted === true) warnings.push('jest was interrupted; the report lists the tests that ran before');
  const skippedFiles = report.testResults.filter((r) => !isRecord(r)).length;
  if (skippedFiles > 0) warnings.push(`jest report: ignored ${skippedFiles} test file entr${skippedFiles === 1 ? 'y' : 'ies'} that are not objects`);
  return {
    results: { passed: cases.length - failed - skipped, failed, skipped, total: cases.length, durationMs: wallTime(report, cases), cases },
    warnings
  };
}

/**
 * Parse jest's `--json` report. Counts come from the test cases: each assertion result is a case,
 * and a test file that failed outside its tests (did not load, a hook threw) adds one 'error' case.
 */
export function parseJestJson(raw: string, options: PathOptions = {}): JestParse {
  return neverThrows(
    raw,
    (text) => parseUnguarded(text, options),
    (reason) => ({ results: emptyTestResults(), warnings: [`jest report could not be read: ${reason}`] })
  );
}
