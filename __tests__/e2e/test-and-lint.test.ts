/**
 * End to end: the test stage (pytest or unittest, coverage) and the lint stage (ruff or flake8,
 * non-blocking unless asked), run concurrently, and what a user reads back (outputs, annotations,
 * the job summary), on the BUNDLED action with real pip (local mirror) and the fake cache service.
 *
 * The example app lives in a subfolder of the repository (`services/shop`, `working-directory`), so
 * every annotation must carry a path relative to the repository root (GITHUB_WORKSPACE).
 *
 * One cold install per project (in beforeAll); every other run is a later "job" at the same
 * workspace and RUNNER_TEMP paths, emptied first, that restores the environment from the cache.
 * Reference numbers (coverage) are computed by running coverage.py ourselves in the environment the
 * action built, not hard-coded.
 *
 * SLIPWAY_E2E_ACTION_DIR runs the tests against another build of the action (default: this repository).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readActionMetadata, type ActionResult, type Annotation } from './support/action-runner.js';
import { expectFailure, expectSuccess, STACK_FRAME } from './support/assertions.js';
import { cacheSuite } from './support/suite.js';
import { ProjectJob } from './support/job.js';
import { defaultPython, pipMirrorEnv } from './support/python.js';
import { copyInto, fixturePath, lineOf, makeTempDir, replaceInFile, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const EXAMPLE = path.join(repoRoot(), 'examples', 'flask-app');
const SHOP = 'services/shop';

const suite = cacheSuite('test-and-lint.test');
const { timings } = suite;

/** A runner's consecutive jobs on one project (see support/job.ts). */
const newJob = (source: string, subdir: string): ProjectJob =>
  new ProjectJob(source, subdir, () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, env: pipMirrorEnv() }));

const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');
const warnings = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'warning');
/** Lint annotations: the ones titled with a rule code. */
const lintAnnotations = (r: ActionResult, level: Annotation['level'] = 'warning'): Annotation[] =>
  r.annotations.filter((a) => a.level === level && /^[A-Z]+[0-9]+$/.test(a.title ?? ''));
const where = (a: Annotation): string => `${a.file}:${a.line}:${a.col ?? ''} ${a.title ?? ''}`;

/** The stage line the log prints (`✓ test  1.2s  5 passed…`). */
function stageLine(result: ActionResult, stage: string): string {
  return result.log.split('\n').find((line) => new RegExp(`^[✓✗–!] ${stage}\\s`).test(line)) ?? '';
}

/** Seconds a stage took, from the job summary's stage table. */
function summarySeconds(result: ActionResult, stage: string): number {
  const row = result.summary.split('\n').find((line) => new RegExp(`^\\|[^|]*\\b${stage}\\b[^|]*\\|`).test(line));
  if (!row) throw new Error(`no ${stage} row in the summary:\n${result.summary}`);
  const cells = row
    .split('|')
    .map((c) => c.trim())
    .filter(Boolean);
  const time = cells[cells.length - 1] ?? '';
  const m = /^(?:(\d+)m)?\s*(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(time);
  if (!m) throw new Error(`cannot read the time "${time}" of ${stage}`);
  const value = Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
  return Number(m[1] ?? 0) * 60 + value;
}

/** Seconds the whole pipeline took: the summary's headline (`Slipway: success in 7.2s`), else the step's wall time. */
function totalSeconds(result: ActionResult): number {
  const m = /Slipway: \w+ in (?:(\d+)m)?(\d+(?:\.\d+)?)(ms|s)\b/.exec(result.summary);
  if (!m) return result.durationMs / 1000;
  return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
}

/** What `coverage report --precision=1` prints as the TOTAL percentage (after `cmd` made the data). */
function referenceCoverage(python: string, projectCopy: string, measure: string[]): string {
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  execFileSync(python, measure, { cwd: projectCopy, env, stdio: 'pipe', timeout: 60_000 });
  const report = execFileSync(python, ['-m', 'coverage', 'report', '--precision=1'], { cwd: projectCopy, env, encoding: 'utf8' });
  const total = /^TOTAL\s.*?(\d+\.\d)%\s*$/m.exec(report);
  if (!total) throw new Error(`no TOTAL line in:\n${report}`);
  return total[1] ?? '';
}

/** A virtual environment and lint-violating sources inside the project tree: none of it is the user's code. */
function addEnvironmentFolders(project: string): void {
  execFileSync(defaultPython(), ['-m', 'venv', '--without-pip', path.join(project, '.venv')], { stdio: 'pipe' });
  const bad = 'import os, sys\n\n\ndef f( x ):\n    unused = 1\n    return x==1\n';
  const site = readdirSync(path.join(project, '.venv', 'lib'))[0] ?? 'python3';
  for (const rel of ['.venv/bad_module.py', `.venv/lib/${site}/site-packages/badpkg/__init__.py`, 'venv/lib/bad_venv.py', 'venv/bin/tool.py']) {
    mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
    writeFileSync(path.join(project, rel), bad);
  }
}

// ------------------------------------------------------------------------------------------------

describe('pytest, coverage and ruff on the example app (in a subfolder of the repository)', () => {
  const job = newJob(EXAMPLE, SHOP);
  let first: ActionResult;
  let reference: string;

  beforeAll(async () => {
    first = await job.run();
    timings['example-cold'] = first.durationMs;
    if (!first.ok) return;
    // The reference: coverage.py itself, in the environment the action built, on a copy of the project.
    const copy = makeTempDir('slipway-coverage-ref-');
    copyInto(EXAMPLE, copy);
    reference = referenceCoverage(path.join(job.venv(first), 'bin', 'python'), copy, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--cov']);
  }, 180_000);

  test('success: counts, coverage as coverage.py reports it, three lint warnings at their lines, the summary table', () => {
    expectSuccess(first);
    expect(first.outputs).toMatchObject({
      'tests-passed': '5',
      'tests-failed': '0',
      'tests-skipped': '0',
      coverage: reference,
      'lint-findings': '3'
    });
    expect(reference).toMatch(/^\d+\.\d$/);
    expect(lintAnnotations(first).map(where)).toEqual([`${SHOP}/app.py:2:1 I001`, `${SHOP}/app.py:3:8 F401`, `${SHOP}/app.py:28:5 F841`]);
    for (const a of lintAnnotations(first)) expect(a.message).toContain(a.title ?? '?');
    // A clean cold run warns about nothing else (no cache noise, no report-parsing trouble).
    expect(warnings(first)).toEqual(lintAnnotations(first));
    expect(errors(first)).toEqual([]);
    // Lint findings do not fail the job; the stage says what it found.
    expect(stageLine(first, 'lint')).toMatch(/ruff: 3 findings/);
    expect(stageLine(first, 'test')).toMatch(/5 passed/);
    // The job summary: one table with a row per stage.
    expect(first.summary).toMatch(/\| *Stage *\| *Result *\| *Time *\|/);
    for (const stage of ['install', 'test', 'lint']) expect(() => summarySeconds(first, stage)).not.toThrow();
    expect(first.summary).toContain(`${reference}%`);
    // Each stage's log is one group; a default-branch push also leaves the coverage baseline.
    expect(first.groups.map((g) => g.split(':')[0])).toEqual(['install', 'test', 'lint', 'baseline']);
  });

  test('a failing test fails the step, with an error annotation on its file and line naming it', async () => {
    const result = await job.run({}, (project) => replaceInFile(path.join(project, 'tests', 'test_app.py'), '== "ok"', '== "down"'));
    timings['example-failing-test'] = result.durationMs;
    expectFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '4', 'tests-failed': '1', 'lint-findings': '3' });
    const testFile = path.join(EXAMPLE, 'tests', 'test_app.py');
    const onTest = errors(result).filter((a) => a.file === `${SHOP}/tests/test_app.py`);
    expect(onTest).toHaveLength(1);
    // The line of the assertion that failed (where pytest's traceback points).
    expect(onTest[0]?.line).toBe(lineOf(testFile, '== "ok"'));
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('test_health_reports_ok');
    expect(onTest[0]?.message).toMatch(/down/);
    // The step's failure message names the failing test too.
    const stepFailure = errors(result).filter((a) => a.file === undefined);
    expect(stepFailure).toHaveLength(1);
    expect(stepFailure[0]?.message).toContain('test_health_reports_ok');
    // Lint stays a warning.
    expect(lintAnnotations(result)).toHaveLength(3);
  });

  test('coverage-min above the total fails, naming both numbers', async () => {
    const min = (Number(reference) + 0.5).toFixed(1);
    const result = await job.run({ inputs: { 'coverage-min': min } });
    expectFailure(result);
    expect(result.outputs).toMatchObject({ 'tests-passed': '5', 'tests-failed': '0', coverage: reference });
    const failure = errors(result)
      .map((a) => a.message)
      .join('\n');
    expect(failure).toContain(`${reference}%`);
    expect(failure).toContain(min);
    expect(stageLine(result, 'test')).toMatch(/below coverage-min/);
  });

  test('coverage-min below the total passes', async () => {
    const result = await job.run({ inputs: { 'coverage-min': (Number(reference) - 0.5).toFixed(1) } });
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ coverage: reference, 'tests-passed': '5' });
    expect(errors(result)).toEqual([]);
  });

  test('lint-blocking: true with findings fails the step; the findings become errors', async () => {
    const result = await job.run({ inputs: { 'lint-blocking': true } });
    expectFailure(result);
    expect(result.outputs).toMatchObject({ 'tests-passed': '5', 'tests-failed': '0', 'lint-findings': '3' });
    expect(lintAnnotations(result, 'error').map(where)).toEqual([`${SHOP}/app.py:2:1 I001`, `${SHOP}/app.py:3:8 F401`, `${SHOP}/app.py:28:5 F841`]);
    expect(errors(result).some((a) => a.file === undefined && /lint/.test(a.message))).toBe(true);
  });

  test('a virtual environment and build folders inside the project are not linted nor measured', async () => {
    const result = await job.run({}, addEnvironmentFolders);
    expectSuccess(result);
    expect(existsSync(path.join(job.project, '.venv', 'pyvenv.cfg'))).toBe(true);
    expect(result.outputs).toMatchObject({ 'lint-findings': '3', coverage: reference, 'tests-passed': '5' });
    expect(result.annotations.filter((a) => /(^|\/)\.?venv\//.test(a.file ?? ''))).toEqual([]);
  });

  test('a project without tests reports "no tests found", not a crash', async () => {
    const result = await job.run({}, (project) => rmSync(path.join(project, 'tests', 'test_app.py')));
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'tests-passed': '0', 'tests-failed': '0', 'lint-findings': '3' });
    expect(stageLine(result, 'test')).toMatch(/no tests found/i);
    expect(result.summary).toMatch(/no tests found/i);
    expect(errors(result)).toEqual([]);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(STACK_FRAME);
  });

  test('test files that the runner does not collect: a failure naming them, never green on nothing', async () => {
    // A pytest configuration that looks for other file names: pytest collects nothing and exits 5.
    const result = await job.run({}, (project) =>
      writeFileSync(path.join(project, 'pyproject.toml'), '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npython_files = ["check_*.py"]\n')
    );
    expectFailure(result);
    expect(stageLine(result, 'test')).toMatch(/✗ test .*ran 0 tests, but the project has 1 test file \(tests\/test_app\.py\)/);
    expect(result.summary).toContain('pytest collected no test');
    expect(result.outputs).toMatchObject({ 'tests-passed': '0', 'tests-failed': '0', result: 'failure' });
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(STACK_FRAME);
  });

  test('every output the step writes is declared in action.yml (the contract lists them for users)', () => {
    const declared = readActionMetadata(ACTION_DIR).outputs;
    expect(Object.keys(first.outputs).filter((name) => !declared.includes(name))).toEqual([]);
  });

  test('a custom test-command and lint-command run inside the project environment', async () => {
    const probe = (label: string): string => `python -c "import sys; print('${label}=' + sys.prefix)"`;
    const result = await job.run({ inputs: { 'test-command': probe('TEST-PREFIX'), 'lint-command': probe('LINT-PREFIX') } });
    expectSuccess(result);
    const venv = job.venv(result);
    const printed = result.log.split('\n').filter((line) => /^(TEST|LINT)-PREFIX=/.test(line));
    // sys.prefix of the interpreter `python` resolved to: the environment, not the runner's Python.
    expect(printed).toEqual([`TEST-PREFIX=${venv}`, `LINT-PREFIX=${venv}`]);
  });

  test('tests and lint run at the same time', async () => {
    const marks = path.join(makeTempDir('slipway-marks-'), 'marks.txt');
    const mark = 'def mark(what):\n    with open(os.environ["SLIPWAY_E2E_MARKS"], "a") as f:\n        f.write("%s %.3f\\n" % (what, time.time()))\n';
    const result = await job.run({ inputs: { 'lint-command': 'python tools/slow_lint.py' }, env: { SLIPWAY_E2E_MARKS: marks } }, (project) => {
      writeFileSync(
        path.join(project, 'tests', 'test_slow.py'),
        `import os\nimport time\n\n\n${mark}\n\ndef test_slow():\n    mark("test-start")\n    time.sleep(4)\n    mark("test-end")\n`
      );
      mkdirSync(path.join(project, 'tools'));
      writeFileSync(
        path.join(project, 'tools', 'slow_lint.py'),
        `import os\nimport time\n\n\n${mark}\n\nmark("lint-start")\ntime.sleep(4)\nmark("lint-end")\n`
      );
    });
    timings['concurrency'] = result.durationMs;
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'tests-passed': '6', 'lint-findings': '0' });
    const at = Object.fromEntries(
      readFileSync(marks, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string])
        .map(([what, when]) => [what, Number(when)])
    );
    // The two sleeps overlap in time: one started before the other ended, both ways.
    expect(at['lint-start']).toBeLessThan(at['test-end'] ?? 0);
    expect(at['test-start']).toBeLessThan(at['lint-end'] ?? 0);
    // And the stage times add up to more than the time the two took together.
    const test = summarySeconds(result, 'test');
    const lint = summarySeconds(result, 'lint');
    const install = summarySeconds(result, 'install');
    expect(test).toBeGreaterThanOrEqual(4);
    expect(lint).toBeGreaterThanOrEqual(4);
    // One after the other they would take test + lint; side by side about the longer of the two.
    expect(totalSeconds(result) - install).toBeLessThan(test + lint - 2);
  });
});

describe('unittest, coverage and flake8 (no pytest, no ruff)', () => {
  const job = newJob(fixturePath('unittest-flake8'), '.');
  let first: ActionResult;
  let reference: string;

  beforeAll(async () => {
    first = await job.run({}, addEnvironmentFolders);
    timings['unittest-cold'] = first.durationMs;
    if (!first.ok) return;
    const copy = makeTempDir('slipway-coverage-ref-');
    copyInto(fixturePath('unittest-flake8'), copy);
    reference = referenceCoverage(path.join(job.venv(first), 'bin', 'python'), copy, ['-m', 'coverage', 'run', '-m', 'unittest', 'discover', '-q']);
  }, 180_000);

  test('the same report as with pytest: counts and coverage', () => {
    expectSuccess(first);
    expect(reference).toMatch(/^\d+\.\d$/);
    expect(first.outputs).toMatchObject({ 'tests-passed': '4', 'tests-failed': '0', 'tests-skipped': '0', coverage: reference });
    expect(stageLine(first, 'test')).toMatch(/4 passed/);
    expect(first.summary).toContain(`${reference}%`);
    expect(errors(first)).toEqual([]);
  });

  test('flake8 findings are warnings at their lines; the virtual environments in the tree are not linted', () => {
    expect(first.outputs['lint-findings']).toBe('2');
    expect(lintAnnotations(first).map(where)).toEqual(['inventory.py:2:1 F401', 'inventory.py:11:17 E231']);
    expect(stageLine(first, 'lint')).toMatch(/flake8: 2 findings/);
    expect(first.annotations.filter((a) => /(^|\/)\.?venv\//.test(a.file ?? ''))).toEqual([]);
  });

  test('a failing unittest is annotated on its file and line', async () => {
    const result = await job.run({}, (project) => replaceInFile(path.join(project, 'tests', 'test_inventory.py'), '"anchor"), 3)', '"anchor"), 4)'));
    expectFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '3', 'tests-failed': '1' });
    const testFile = path.join(fixturePath('unittest-flake8'), 'tests', 'test_inventory.py');
    const onTest = errors(result).filter((a) => a.file === 'tests/test_inventory.py');
    expect(onTest).toHaveLength(1);
    // unittest's JUnit report has no line: the traceback's line of the failing assertion is used.
    expect(onTest[0]?.line).toBe(lineOf(testFile, '"anchor"), 3)'));
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('test_count_known');
    expect(onTest[0]?.message).toMatch(/3 != 4|4 != 3/);
  });

  test('no tests: "no tests found", success', async () => {
    const result = await job.run({}, (project) => rmSync(path.join(project, 'tests', 'test_inventory.py')));
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'tests-passed': '0', 'tests-failed': '0' });
    expect(stageLine(result, 'test')).toMatch(/no tests found/i);
    expect(errors(result)).toEqual([]);
  });
});
