// Pure JUnit XML parser: pytest (xunit1 and xunit2), unittest-xml-reporting, and any report with
// the usual testsuites > testsuite > testcase shape. It never throws: a report it cannot read
// yields empty results and a warning, so the test stage can fall back to the exit code.

import type { TestCase, TestOutcome, TestResults } from '../model.js';
import { neverThrows } from './guard.js';
import { PATH_CLASSNAME, failureFrame, moduleFileGuess, sameFile } from './failure-frame.js';
import { toRepoPath, type PathOptions } from './paths.js';
import { attr, children, countAttr, looksComplete, readXml, textOf, type XmlNode } from './xml.js';

export type JUnitOptions = PathOptions;

export interface JUnitParse {
  results: TestResults;
  warnings: string[];
}

/** Seconds (`0.227`, `1,234.5`, European `0,5`) to whole milliseconds; garbage reads as undefined. */
function millisecondsAttr(node: XmlNode, name: string): number | undefined {
  let raw = attr(node, name)?.trim();
  if (!raw) return undefined;
  raw = raw.includes('.') ? raw.replace(/,/g, '') : raw.replace(',', '.');
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(Math.round(seconds * 1000), Number.MAX_SAFE_INTEGER);
}

// ---------------------------------------------------------------------------------------------
// Where a test lives: attributes, then the traceback (failure-frame.ts), then the classname

// Test cases

interface SuiteContext {
  /** pytest writes 0-based `line` attributes (its item location); other tools write 1-based. */
  zeroBasedLines: boolean;
}

const OUTCOME_ELEMENTS: ReadonlyArray<[string, TestOutcome]> = [
  ['failure', 'failed'],
  ['error', 'error'],
  ['skipped', 'skipped']
];

/** The element that decides the outcome: a failure outranks an error, which outranks a skip. */
function outcomeOf(testcase: XmlNode): { outcome: TestOutcome; element?: XmlNode } {
  for (const [tag, outcome] of OUTCOME_ELEMENTS) {
    const element = children(testcase, tag)[0];
    if (element) return { outcome, element };
  }
  return { outcome: 'passed' };
}

function firstNonEmptyLine(value: string): string | undefined {
  return value
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
}

function toTestCase(testcase: XmlNode, context: SuiteContext, options: JUnitOptions): TestCase {
  const classname = attr(testcase, 'classname') ?? attr(testcase, 'class') ?? '';
  const { outcome, element } = outcomeOf(testcase);
  const body = element ? textOf(element).replace(/\s+$/, '') : '';
  const messageAttr = element ? attr(element, 'message') : undefined;
  const message = firstNonEmptyLine(messageAttr ?? '') ?? firstNonEmptyLine(body);

  const fileAttr = attr(testcase, 'file');
  const reportedFile = fileAttr ? toRepoPath(fileAttr, options) : PATH_CLASSNAME.test(classname) ? toRepoPath(classname, options) : undefined;
  const lineAttr = countAttr(testcase, 'line');
  const reportedLine = lineAttr === undefined ? undefined : lineAttr + (context.zeroBasedLines ? 1 : 0);
  const frame = body ? failureFrame(body, reportedFile, classname, options) : undefined;
  const frameIsOwn = frame !== undefined && (reportedFile === undefined || sameFile(frame.file, reportedFile));

  const file = reportedFile ?? frame?.file ?? moduleFileGuess(classname);
  const line = frameIsOwn ? frame.line : reportedLine;
  const details = body !== '' ? body : messageAttr?.includes('\n') ? messageAttr.trimEnd() : undefined;

  return {
    name: attr(testcase, 'name') ?? '',
    classname,
    ...(file !== undefined && file !== '' ? { file } : {}),
    ...(line !== undefined && line > 0 ? { line } : {}),
    durationMs: millisecondsAttr(testcase, 'time') ?? 0,
    outcome,
    ...(message !== undefined ? { message } : {}),
    ...(details !== undefined ? { details } : {})
  };
}

// ---------------------------------------------------------------------------------------------
// Suites

const SUITE_TAGS = ['testsuite', 'testsuites'] as const;
const ARRAY_TAGS = new Set<string>([...SUITE_TAGS, 'testcase', 'failure', 'error', 'skipped']);

function childSuites(node: XmlNode): XmlNode[] {
  return SUITE_TAGS.flatMap((tag) => children(node, tag));
}

/** All test cases under a suite, in document order per suite, nested suites included. */
function collectCases(suite: XmlNode, context: SuiteContext, options: JUnitOptions, into: TestCase[]): void {
  const name = attr(suite, 'name');
  const inner: SuiteContext = { zeroBasedLines: context.zeroBasedLines || name === 'pytest' || name === 'pytest tests' };
  for (const testcase of children(suite, 'testcase')) into.push(toTestCase(testcase, inner, options));
  for (const child of childSuites(suite)) collectCases(child, inner, options, into);
}

interface SuiteTotals {
  tests: number;
  failed: number;
  skipped: number;
  durationMs?: number;
}

/**
 * What suites say about themselves: the outermost suite that carries a figure wins, so a
 * `testsuites` total and its children are never added together.
 */
function suiteTotals(suite: XmlNode): SuiteTotals {
  const nested = childSuites(suite).map(suiteTotals);
  const sum = (pick: (t: SuiteTotals) => number | undefined) => nested.reduce((total, t) => total + (pick(t) ?? 0), 0);
  const tests = countAttr(suite, 'tests');
  const ownTime = millisecondsAttr(suite, 'time');
  const nestedTimes = nested.filter((t) => t.durationMs !== undefined);
  return {
    tests: tests ?? sum((t) => t.tests),
    failed: tests !== undefined ? (countAttr(suite, 'failures') ?? 0) + (countAttr(suite, 'errors') ?? 0) : sum((t) => t.failed),
    skipped: tests !== undefined ? (countAttr(suite, 'skipped') ?? countAttr(suite, 'skip') ?? 0) + (countAttr(suite, 'disabled') ?? 0) : sum((t) => t.skipped),
    durationMs: ownTime ?? (nestedTimes.length > 0 ? sum((t) => t.durationMs) : undefined)
  };
}

export function emptyTestResults(): TestResults {
  return { passed: 0, failed: 0, skipped: 0, total: 0, durationMs: 0, cases: [] };
}

function resultsFromCases(cases: TestCase[], durationMs: number | undefined): TestResults {
  const failed = cases.filter((c) => c.outcome === 'failed' || c.outcome === 'error').length;
  const skipped = cases.filter((c) => c.outcome === 'skipped').length;
  return {
    passed: cases.length - failed - skipped,
    failed,
    skipped,
    total: cases.length,
    durationMs: durationMs ?? cases.reduce((sum, c) => sum + c.durationMs, 0),
    cases
  };
}

/** Reports with counts but no testcase elements: trust the counts, keep them consistent. */
function resultsFromTotals(totals: SuiteTotals): TestResults {
  const total = Math.max(totals.tests, totals.failed + totals.skipped);
  return {
    passed: total - totals.failed - totals.skipped,
    failed: totals.failed,
    skipped: totals.skipped,
    total,
    durationMs: totals.durationMs ?? 0,
    cases: []
  };
}

/**
 * When a report is cut inside a tag the parser gives up; the test cases before the damage
 * are still worth reporting, so parse again up to the last complete test case.
 */
function readUpToLastTestCase(xml: string): XmlNode | undefined {
  const end = Math.max(xml.lastIndexOf('</testcase>') + '</testcase>'.length, xml.lastIndexOf('/>') + 2);
  if (end <= 2) return undefined;
  return readXml(xml.slice(0, end), ARRAY_TAGS).root;
}

/** Counts from the test cases; from the suites' own attributes only when there are none. */
function resultsFromSuites(suites: XmlNode[], options: JUnitOptions): TestResults {
  const cases: TestCase[] = [];
  for (const suite of suites) collectCases(suite, { zeroBasedLines: false }, options, cases);
  const totals = suites.map(suiteTotals);
  const add = (pick: (t: SuiteTotals) => number | undefined) => totals.reduce((sum, t) => sum + (pick(t) ?? 0), 0);
  const suiteTime = totals.some((t) => t.durationMs !== undefined) ? add((t) => t.durationMs) : undefined;
  if (cases.length > 0) return resultsFromCases(cases, suiteTime);
  return resultsFromTotals({ tests: add((t) => t.tests), failed: add((t) => t.failed), skipped: add((t) => t.skipped), durationMs: suiteTime });
}

function rootName(document: XmlNode): string {
  const found = Object.keys(document).find((key) => !key.startsWith('?') && !key.startsWith('#') && !key.startsWith('@_'));
  return found ? `<${found}>` : 'no root element';
}

function parseJUnitUnguarded(xml: string, options: JUnitOptions): JUnitParse {
  if (xml.trim() === '') return { results: emptyTestResults(), warnings: ['JUnit report is empty'] };
  const { root: parsed, error } = readXml(xml, ARRAY_TAGS);
  const document = parsed ?? readUpToLastTestCase(xml);
  if (!document) return { results: emptyTestResults(), warnings: [`JUnit report is not valid XML: ${error}`] };
  const suites = childSuites(document);
  if (suites.length === 0) {
    return { results: emptyTestResults(), warnings: [`JUnit report has no <testsuites> or <testsuite> root (found ${rootName(document)})`] };
  }
  const results = resultsFromSuites(suites, options);
  if (parsed && looksComplete(xml)) return { results, warnings: [] };
  const reason = error ? ` (${error})` : '';
  return { results, warnings: [`JUnit report looks truncated or malformed${reason}; read ${results.cases.length} test case(s) from it`] };
}

/**
 * Parse one JUnit XML report. Counts come from the test cases themselves (attributes lie
 * after reruns and merges); suite attributes are used only when there are no test cases.
 */
export function parseJUnit(xml: string, options: JUnitOptions = {}): JUnitParse {
  return neverThrows(
    xml,
    (text) => parseJUnitUnguarded(text, options),
    (reason) => ({ results: emptyTestResults(), warnings: [`JUnit report could not be read: ${reason}`] })
  );
}

/** Results of several report files (one per suite, or per worker) as one. */
export function mergeTestResults(list: readonly TestResults[]): TestResults {
  const merged = emptyTestResults();
  for (const results of list) {
    merged.passed += results.passed;
    merged.failed += results.failed;
    merged.skipped += results.skipped;
    merged.total += results.total;
    merged.durationMs += results.durationMs;
    for (const testCase of results.cases) merged.cases.push(testCase);
  }
  return merged;
}
