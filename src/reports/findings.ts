// Pure parsers for linter output (ruff JSON, flake8-style lines, eslint JSON) into Findings.
// They never throw: output they cannot read becomes a warning, so the lint stage can still
// report the tool's exit code.

import type { Finding, FindingSeverity } from '../model.js';
import { toRepoPath, type PathOptions } from './paths.js';

export interface FindingsParse {
  findings: Finding[];
  warnings: string[];
  /** The linter ran but could not do its job (it parsed almost nothing): one line saying why. */
  failure?: string;
}

// ---------------------------------------------------------------------------------------------
// Small readers that tolerate anything JSON can hold

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 1) return undefined;
  return Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whole-document JSON first; then the outermost [...] (tools sometimes print a banner); then JSON lines. */
function readJsonItems(raw: string): unknown[] | undefined {
  const body = raw.replace(/^\uFEFF/, '').trim();
  if (body === '') return [];
  try {
    const parsed: unknown = JSON.parse(body);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    // fall through to the lenient readings
  }
  const start = body.indexOf('[');
  const end = body.lastIndexOf(']');
  if (start >= 0 && end > start) {
    try {
      const parsed: unknown = JSON.parse(body.slice(start, end + 1));
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not one array: maybe JSON lines
    }
  }
  const lines = body.split(/\r?\n/).filter((line) => line.trim().startsWith('{'));
  if (lines.length === 0) return undefined;
  const items: unknown[] = [];
  for (const line of lines) {
    try {
      items.push(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  return items;
}

function skippedWarning(tool: string, skipped: number): string[] {
  return skipped > 0 ? [`${tool}: ignored ${skipped} entr${skipped === 1 ? 'y' : 'ies'} without a file or line`] : [];
}

function guarded(tool: string, parse: () => FindingsParse): FindingsParse {
  try {
    return parse();
  } catch (error) {
    return { findings: [], warnings: [`${tool}: could not read the output (${errorMessage(error)})`] };
  }
}

// ---------------------------------------------------------------------------------------------
// ruff --output-format=json

/** Ruff names syntax errors with a null code (older), `E999` (oldest) or `invalid-syntax` (0.12+). */
function isRuffSyntaxError(code: unknown): boolean {
  return code === null || code === undefined || code === 'E999' || code === 'invalid-syntax';
}

function ruffFinding(item: unknown, options: PathOptions): Finding | undefined {
  if (!isRecord(item)) return undefined;
  const path = toRepoPath(text(item.filename), options);
  const location = isRecord(item.location) ? item.location : {};
  const end = isRecord(item.end_location) ? item.end_location : {};
  const line = positiveInt(location.row);
  if (path === '' || line === undefined) return undefined;
  const syntax = isRuffSyntaxError(item.code);
  // Ruff's own `severity` field says "error" for every rule; lint findings are warnings here,
  // only code that cannot even be parsed is an error.
  return {
    path,
    line,
    column: positiveInt(location.column),
    endLine: positiveInt(end.row),
    endColumn: positiveInt(end.column),
    code: typeof item.code === 'string' && item.code !== '' ? item.code : 'syntax',
    message: text(item.message),
    severity: syntax ? 'error' : 'warning'
  };
}

export function parseRuffJson(output: string, options: PathOptions = {}): FindingsParse {
  return guarded('ruff', () => {
    const items = readJsonItems(String(output ?? ''));
    if (items === undefined) return { findings: [], warnings: ['ruff: output is not JSON (run ruff with --output-format=json)'] };
    const findings = items.map((item) => ruffFinding(item, options)).filter((f): f is Finding => f !== undefined);
    return { findings, warnings: skippedWarning('ruff', items.length - findings.length) };
  });
}

// ---------------------------------------------------------------------------------------------
// path:line[:col]: [CODE] message — flake8, pycodestyle, ruff concise, pylint parseable, mypy

// The path is the shortest prefix followed by `:<digits>:`, so drive letters (`C:\`) and
// colons inside the message both survive.
const LINE_FINDING = /^(?!:)(.+?):(\d+):(?:(\d+):)?\s?(.*)$/;
// `E501`, `W291`, `PLR0133`, `C0114:` (pylint), `invalid-syntax:` (ruff concise).
const LEADING_CODE = /^([A-Z]+[0-9]+:?|[a-z]+(?:-[a-z]+)+:)\s+/;
// pylint --output-format=parseable: `[C0114(missing-module-docstring), ] Missing module docstring`
const PYLINT_CODE = /^\[([A-Z]+[0-9]+)\([^)]*\)[^\]]*\]\s*/;
// mypy: `error: Incompatible types ... [assignment]`
const LEVEL_PREFIX = /^(error|warning|note):\s*(.*)$/;
const TRAILING_ERROR_CODE = /\s\[([a-z0-9-]+)\]$/;

/** The rule code and severity a message starts with (`E501 ...`, `error: ... [code]`), if any. */
function splitCode(text: string, severity: FindingSeverity): Pick<Finding, 'code' | 'message' | 'severity'> {
  const coded = LEADING_CODE.exec(text) ?? PYLINT_CODE.exec(text);
  if (coded?.[1]) {
    const code = coded[1].replace(/:$/, '');
    const message = text.slice(coded[0].length).replace(/^\[\*\]\s*/, ''); // ruff's "fixable" mark
    const syntax = code === 'E999' || code === 'E902' || code === 'invalid-syntax';
    return { code, message, severity: syntax ? 'error' : severity };
  }
  const leveled = LEVEL_PREFIX.exec(text);
  if (leveled) {
    const level = leveled[1] === 'error' ? 'error' : leveled[1] === 'note' ? 'notice' : 'warning';
    const message = leveled[2] ?? '';
    const trailing = TRAILING_ERROR_CODE.exec(message);
    if (!trailing) return { code: '', message, severity: level };
    return { code: trailing[1] ?? '', message: message.slice(0, trailing.index).trimEnd(), severity: level };
  }
  return { code: '', message: text, severity };
}

function lineFinding(line: string, options: PathOptions & { severity?: FindingSeverity }): Finding | undefined {
  const match = LINE_FINDING.exec(line.trim());
  if (!match) return undefined;
  const [, rawPath = '', rawLine, rawColumn, rest = ''] = match;
  const lineNumber = positiveInt(rawLine);
  const path = toRepoPath(rawPath, options);
  // `path:1:2` alone is a location line (ruff's full format prints `--> path:1:2`), not a finding.
  if (lineNumber === undefined || path === '' || /^\d*$/.test(rest.trim())) return undefined;
  return { path, line: lineNumber, column: positiveInt(rawColumn), ...splitCode(rest.trim(), options.severity ?? 'warning') };
}

/**
 * Lines of the common `path:line[:col]: CODE message` form. Lines that are not findings
 * (totals, banners, source excerpts) are ignored; a warning says so only when nothing matched.
 */
export function parseLineFindings(output: string, options: PathOptions & { severity?: FindingSeverity } = {}): FindingsParse {
  return guarded('lint', () => {
    const lines = String(output ?? '')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    const findings = lines.map((line) => lineFinding(line, options)).filter((f): f is Finding => f !== undefined);
    const warnings =
      lines.length > 0 && findings.length === 0 ? [`lint: none of ${lines.length} output line(s) looked like "path:line:col: CODE message"`] : [];
    return { findings, warnings };
  });
}

/** flake8's default format is the common line form. */
export function parseFlake8(output: string, options: PathOptions = {}): FindingsParse {
  return parseLineFindings(output, options);
}

// ---------------------------------------------------------------------------------------------
// eslint -f json

function eslintSeverity(value: unknown): FindingSeverity | undefined {
  if (value === 2 || value === '2' || value === 'error') return 'error';
  if (value === 1 || value === '1' || value === 'warn' || value === 'warning') return 'warning';
  return undefined; // 0 = off
}

function eslintFindings(result: unknown, options: PathOptions): { findings: Finding[]; skipped: number } {
  if (!isRecord(result) || !Array.isArray(result.messages)) return { findings: [], skipped: 1 };
  const path = toRepoPath(text(result.filePath), options);
  const findings: Finding[] = [];
  let skipped = 0;
  for (const message of result.messages) {
    const severity = isRecord(message) ? eslintSeverity(message.severity) : undefined;
    if (!isRecord(message) || severity === undefined || path === '') {
      skipped += 1;
      continue;
    }
    const ruleId = typeof message.ruleId === 'string' ? message.ruleId : '';
    findings.push({
      path,
      // File-level messages ("File ignored because ...") carry no line: pin them to line 1.
      line: positiveInt(message.line) ?? 1,
      column: positiveInt(message.column),
      endLine: positiveInt(message.endLine),
      endColumn: positiveInt(message.endColumn),
      code: ruleId !== '' ? ruleId : message.fatal === true ? 'syntax' : '',
      message: text(message.message),
      severity
    });
  }
  return { findings, skipped };
}

export function parseEslintJson(output: string, options: PathOptions = {}): FindingsParse {
  return guarded('eslint', () => {
    const items = readJsonItems(String(output ?? ''));
    if (items === undefined) return { findings: [], warnings: ['eslint: output is not JSON (run eslint with -f json)'] };
    const results = items.map((item) => eslintFindings(item, options));
    const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
    const unparsed = results.filter((r) => r.findings.some(isParseError));
    // Most files unparsable is eslint set up wrong (TypeScript without its parser), not N syntax
    // errors: one failure instead of a finding per file. A lone syntax error stays a finding.
    if (unparsed.length >= 2 && unparsed.length * 2 >= results.length) {
      const first = unparsed[0].findings.find(isParseError);
      const where = first ? ` (${first.path}:${first.line})` : '';
      return {
        findings: results.filter((r) => !unparsed.includes(r)).flatMap((r) => r.findings),
        warnings: skippedWarning('eslint', skipped),
        failure: `eslint could not parse ${unparsed.length} of ${results.length} files: ${first?.message ?? ''}${where}`
      };
    }
    return { findings: results.flatMap((r) => r.findings), warnings: skippedWarning('eslint', skipped) };
  });
}

/** eslint's `fatal: true` messages carry no rule: they are read as the code `syntax`. */
const isParseError = (finding: Finding): boolean => finding.code === 'syntax';

// ---------------------------------------------------------------------------------------------
// A linter that crashed: the line of its output that says why

const BANNER = /^(Oops! Something went wrong! :\(|ESLint: \d[\w.-]*)$/;

/**
 * The first line that says what went wrong: eslint's message after its banner, ruff's first
 * `Cause:` joined to `ruff failed`, a Python traceback's last line (flake8). Empty when silent.
 */
export function crashLine(...outputs: string[]): string {
  for (const output of outputs) {
    const lines = String(output ?? '')
      // eslint-disable-next-line no-control-regex -- colour codes
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !BANNER.test(line));
    if (lines.length === 0) continue;
    const traceback = lines[0].startsWith('Traceback (most recent call last)');
    const cause = /^Cause:\s*(.*)$/.exec(lines[1] ?? '');
    const line = traceback ? lines[lines.length - 1] : cause ? `${lines[0]}: ${cause[1]}` : lines[0];
    return line.length > 300 ? `${line.slice(0, 297)}...` : line;
  }
  return '';
}
