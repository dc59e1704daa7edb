/**
 * End to end: Node.js projects through the BUNDLED action (dist/index.js, run like the Actions runner
 * does) and the bundled CLI (dist/cli.js): node_modules installed from the lockfile with the real
 * package manager (npm registry), cached whole under a checksum key in the fake GitHub cache service
 * (or the CLI's local store), tests with coverage (jest, node --test, vitest), eslint findings.
 *
 * Consecutive jobs of one runner are emulated as in the Python suites: the workspace and RUNNER_TEMP
 * stay at the same absolute paths and are emptied before each run (a fresh checkout). Reference
 * numbers (test counts, coverage) come from running the test tool ourselves in the tree the action
 * installed, never hard-coded.
 *
 * Machine notes (the reasons for the few environment variables set below):
 * - this machine's npm registry mirror serves package metadata without the `signatures` corepack
 *   verifies, so corepack refuses to fetch yarn/pnpm ("No compatible signature found in package
 *   metadata") unless COREPACK_INTEGRITY_KEYS=0. The real registry has them; the variable is
 *   harmless there. Without yarn or pnpm on PATH, Slipway runs them through corepack.
 * - the mirror has no packages for other platforms, so a package-lock.json made here for packages
 *   with platform-specific optional dependencies (esbuild, rollup: vitest) fails `npm ci` with npm 11
 *   ("Missing: @rollup/rollup-android-arm-eabi@ from lock file"); vitest is therefore tested with
 *   pnpm, whose frozen install accepts a lockfile without the other platforms' packages.
 *
 * SLIPWAY_E2E_ACTION_DIR runs the tests against another build (a folder with action.yml and dist/).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, outerEnv, type ActionResult, type Annotation } from './support/action-runner.js';
import { expectFailure, expectSuccess, SLIPWAY_FRAME } from './support/assertions.js';
import { closedPortUrl } from './support/cache-service.js';
import { cacheSuite } from './support/suite.js';
import { environmentEntries, environmentKeys, partKeys } from './support/environment-entries.js';
import { ProjectJob } from './support/job.js';
import { copyInto, fixturePath, lineOf, makeTempDir, replaceInFile, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const CLI = path.join(ACTION_DIR, 'dist', 'cli.js');
const NODE_APP = path.join(repoRoot(), 'examples', 'node-app');
/** The node and npm the action finds on PATH (not necessarily the node running jest). */
const NODE_VERSION = execFileSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
const NPM_VERSION = execFileSync('npm', ['--version'], { encoding: 'utf8', env: outerEnv() }).trim().split('\n').pop() ?? '';
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const keyShape = (manager: string, version: string): RegExp =>
  new RegExp(`^slipway-v1-${process.platform}-${process.arch}-[a-z]+[0-9.]*-node-${esc(NODE_VERSION)}-${manager}-${esc(version)}-[0-9a-f]{8}-[0-9a-f]{64}$`);
/** See the file comment: lets corepack fetch yarn/pnpm from this machine's registry mirror. */
const COREPACK_ENV = { COREPACK_INTEGRITY_KEYS: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' };

const suite = cacheSuite('node.test');
const { timings } = suite;

/** A runner's consecutive jobs on one project (see support/job.ts); `env` for every run. */
const newJob = (source: string, subdir: string, env: Record<string, string> = {}): ProjectJob =>
  new ProjectJob(source, subdir, () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, timeoutMs: 240_000, env }));

/** jest, node --test, vitest and corepack print their own stack frames to the log: only Slipway's are a crash there. */
const expectNodeFailure = (result: ActionResult): void => expectFailure(result, { toolFramesInLog: true });

const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');
const warnings = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'warning');
/** eslint annotations: titled with a rule id (`no-unused-vars`, `@scope/rule`). */
const lintAnnotations = (r: ActionResult, level: Annotation['level'] = 'warning'): Annotation[] =>
  r.annotations.filter((a) => a.level === level && /^(@[\w-]+\/)?[a-z][\w-]*(\/[\w-]+)?$/.test(a.title ?? '') && a.file !== undefined);
const where = (a: Annotation): string => `${a.file}:${a.line} ${a.title ?? ''}`;

/** The package-manager install commands the install stage ran (`$ npm ci …`, `$ corepack pnpm install …`). */
function installCommands(result: ActionResult): string[] {
  return groupLines(result, 'install').filter((line) => /^\$ .*\b(npm|yarn|pnpm)\b.* (ci|install)\b/.test(line));
}

/** The stage line the log prints (`✓ test  1.2s  5 passed…`). */
function stageLine(output: string, stage: string): string {
  return output.split('\n').find((line) => new RegExp(`^[✓✗–!] ${stage}\\s`).test(line)) ?? '';
}

/** Seconds a stage took, from the job summary's stage table. */
function summarySeconds(result: ActionResult, stage: string): number {
  const row = result.summary.split('\n').find((line) => new RegExp(`^\\|[^|]*\\b${stage}\\b[^|]*\\|`).test(line));
  if (!row) throw new Error(`no ${stage} row in the summary:\n${result.summary}`);
  const cells = row
    .split('|')
    .map((c) => c.trim())
    .filter(Boolean);
  return parseSeconds(cells[cells.length - 1] ?? '');
}

/** `1m 2.5s`, `21.9s`, `450ms` → seconds. */
function parseSeconds(text: string): number {
  const m = /^(?:(\d+)m)?\s*(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`cannot read the time "${text}"`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
}

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Adds a dependency to package.json only (the lockfile is left as it was). */
const addDependencyWithoutLock = (project: string): void =>
  editJson(path.join(project, 'package.json'), (pkg) => {
    pkg['dependencies'] = { ...(pkg['dependencies'] as Record<string, string> | undefined), 'left-pad': '^1.3.0' };
  });

/** What jest itself reports, run in an installed project: counts and total line coverage (one decimal). */
function jestReference(project: string): { passed: number; failed: number; skipped: number; coverage: string } {
  const out = makeTempDir('slipway-jest-ref-');
  execFileSync(
    path.join(project, 'node_modules', '.bin', 'jest'),
    ['--ci', '--json', `--outputFile=${path.join(out, 'jest.json')}`, '--coverage', '--coverageReporters=json-summary', `--coverageDirectory=${out}`],
    { cwd: project, env: outerEnv({ CI: 'true' }), stdio: 'pipe', timeout: 120_000 }
  );
  const report = JSON.parse(readFileSync(path.join(out, 'jest.json'), 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  const summary = JSON.parse(readFileSync(path.join(out, 'coverage-summary.json'), 'utf8')) as { total: { lines: { covered: number; total: number } } };
  const { covered, total } = summary.total.lines;
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
    coverage: ((100 * covered) / total).toFixed(1)
  };
}

// ------------------------------------------------------------------------------------------------

describe('npm, jest and eslint: examples/node-app (in a subfolder of the repository)', () => {
  const SUB = 'examples/node-app';
  const job = newJob(NODE_APP, SUB);
  let cold: ActionResult;
  let warm: ActionResult;
  let reference: ReturnType<typeof jestReference>;
  let coldKey: string;

  beforeAll(async () => {
    cold = await job.run();
    timings['node-app-cold'] = cold.durationMs;
    coldKey = cold.outputs['cache-key'] ?? '';
    if (!cold.ok) return;
    // The reference: jest itself, in the node_modules the action installed.
    reference = jestReference(job.project);
    suite.cache.requests.length = 0;
    warm = await job.run();
    timings['node-app-warm'] = warm.durationMs;
    timings['node-app-install-cold-ms'] = summarySeconds(cold, 'install') * 1000;
    if (warm.ok) timings['node-app-install-warm-ms'] = summarySeconds(warm, 'install') * 1000;
  }, 420_000);

  test('cold: npm ci, success; the documented key; counts and coverage as jest reports them; eslint findings as warnings at their lines', () => {
    expectSuccess(cold);
    expect(reference.passed).toBe(5);
    expect(reference.coverage).toMatch(/^\d+\.\d$/);
    expect(cold.outputs).toMatchObject({
      'cache-hit': 'false',
      'tests-passed': String(reference.passed),
      'tests-failed': '0',
      'tests-skipped': '0',
      coverage: reference.coverage,
      'lint-findings': '2'
    });
    expect(coldKey).toMatch(keyShape('npm', NPM_VERSION));
    // npm really installed, from the lockfile, and the tree was saved under the key the log names.
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ npm ci\b/)]);
    expect(groupLines(cold, 'install')).toContain(`Cache key: ${coldKey}`);
    // Saved as its four parts, once each (nothing set aside: no seed entry).
    const saved = environmentEntries(suite.cache, coldKey);
    expect(saved.map((e) => e.key)).toEqual(environmentKeys(coldKey, { seed: false }));
    for (const entry of saved) expect(entry.size).toBeGreaterThan(0);
    expect(saved.reduce((sum, e) => sum + e.size, 0)).toBeGreaterThan(1_000_000); // a whole node_modules, not empty archives
    // eslint: two no-unused-vars, warnings at their file and line, relative to the repository root.
    const app = path.join(NODE_APP, 'src', 'app.js');
    expect(lintAnnotations(cold).map(where)).toEqual([
      `${SUB}/src/app.js:${lineOf(app, 'catch (error)')} no-unused-vars`,
      `${SUB}/src/app.js:${lineOf(app, 'const startedAt')} no-unused-vars`
    ]);
    expect(lintAnnotations(cold).map((a) => a.message)).toEqual([expect.stringContaining("'error'"), expect.stringContaining("'startedAt'")]);
    // Findings do not fail the step; nothing else is warned about; no errors.
    expect(warnings(cold)).toEqual(lintAnnotations(cold));
    expect(errors(cold)).toEqual([]);
    expect(stageLine(cold.log, 'lint')).toMatch(/eslint: 2 findings/);
    expect(stageLine(cold.log, 'test')).toMatch(/5 passed/);
    expect(cold.summary).toContain(`${reference.coverage}%`);
    // A push to the default branch whose tests pass also leaves the coverage baseline for pull requests.
    expect(cold.groups.map((g) => g.split(':')[0])).toEqual(['install', 'test', 'lint', 'baseline']);
  });

  test('warm: a fresh checkout at the same path restores node_modules from the cache; no npm ci; the same results', () => {
    if (!warm) throw new Error(`no warm run: the cold run failed (exit ${cold?.code})`);
    expectSuccess(warm);
    expect(warm.outputs).toMatchObject({
      'cache-hit': 'true',
      'cache-key': coldKey,
      'tests-passed': '5',
      'tests-failed': '0',
      coverage: reference.coverage,
      'lint-findings': '2'
    });
    expect(installCommands(warm)).toEqual([]);
    expect(groupLines(warm, 'install').join('\n')).not.toMatch(/added \d+ packages/);
    const allParts = `: ${partKeys(coldKey).join(', ')}`;
    expect(groupLines(warm, 'install').some((l) => l.startsWith('Restored 4 of 4 cache entries ') && l.endsWith(allParts))).toBe(true);
    expect(stageLine(warm.log, 'install')).toMatch(/restored from cache/);
    // Nothing uploaded: lookups and a download only (this commit's baseline exists already: 409, no upload).
    expect(suite.cache.requests.filter((r) => r.kind === 'CreateCacheEntry' && r.status !== 409)).toEqual([]);
    expect(suite.cache.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(existsSync(path.join(job.project, 'node_modules', 'jest', 'package.json'))).toBe(true);
    expect(errors(warm)).toEqual([]);
  });

  test('a failing test fails the step, with an error annotation at the test file and the line of the failing assertion', async () => {
    const assertion = "toEqual({ status: 'ok' })";
    const result = await job.run({}, (project) => replaceInFile(path.join(project, 'test', 'app.test.js'), assertion, "toEqual({ status: 'down' })"));
    timings['node-app-failing-test'] = result.durationMs;
    expectNodeFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '4', 'tests-failed': '1', 'lint-findings': '2' });
    const onTest = errors(result).filter((a) => a.file === `${SUB}/test/app.test.js`);
    expect(onTest).toHaveLength(1);
    expect(onTest[0]?.line).toBe(lineOf(path.join(NODE_APP, 'test', 'app.test.js'), assertion));
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('GET /health answers ok');
    expect(onTest[0]?.message).toMatch(/down/);
    // The step's failure message names the failing test too; lint stays a warning.
    const stepFailure = errors(result).filter((a) => a.file === undefined);
    expect(stepFailure).toHaveLength(1);
    expect(stepFailure[0]?.message).toContain('GET /health answers ok');
    expect(lintAnnotations(result)).toHaveLength(2);
  });

  test('lint-blocking: true with eslint findings fails the step; the findings become errors', async () => {
    const result = await job.run({ inputs: { 'lint-blocking': true } });
    expectNodeFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '5', 'tests-failed': '0', 'lint-findings': '2' });
    expect(lintAnnotations(result, 'error').map(where)).toEqual(lintAnnotations(cold).map(where));
    expect(lintAnnotations(result, 'warning')).toEqual([]);
    expect(errors(result).some((a) => a.file === undefined && /lint|eslint/.test(a.message))).toBe(true);
  });

  test('a dependency added to package.json without updating package-lock.json: the install fails, saying to run npm install and commit package-lock.json', async () => {
    const result = await job.run({}, addDependencyWithoutLock);
    timings['node-app-out-of-sync'] = result.durationMs;
    expectNodeFailure(result);
    // The dependency list is part of the key: no stale tree restored, npm ci ran and refused.
    const key = result.outputs['cache-key'] ?? '';
    expect(result.outputs['cache-hit']).toBe('false');
    expect(key).toMatch(keyShape('npm', NPM_VERSION));
    expect(key).not.toBe(coldKey);
    expect(installCommands(result)).toEqual([expect.stringMatching(/^\$ npm ci\b/)]);
    const message = errors(result)
      .map((a) => a.message)
      .join('\n');
    expect(message).toMatch(/package\.json and package-lock\.json are out of sync/);
    expect(message).toContain('left-pad'); // npm's own reason: what is missing from the lock
    expect(message).toContain('`npm install`');
    expect(message).toMatch(/commit package-lock\.json/);
    expect(suite.cache.entries().map((e) => e.key)).not.toContain(key);
    expect(environmentEntries(suite.cache, key)).toEqual([]);
    expect(stageLine(result.log, 'install')).toMatch(/^✗ install/);
  });

  test('no lockfile: installed from package.json with a note that versions may drift; no lockfile written', async () => {
    const result = await job.run({}, (project) => rmSync(path.join(project, 'package-lock.json')));
    expectSuccess(result);
    expect(installCommands(result)).toEqual([expect.stringMatching(/^\$ npm install --no-package-lock\b/)]);
    expect(groupLines(result, 'install').join('\n')).toMatch(/dependency versions may drift between runs/);
    expect(existsSync(path.join(job.project, 'node_modules'))).toBe(true);
    expect(existsSync(path.join(job.project, 'package-lock.json'))).toBe(false);
    expect(Number(result.outputs['tests-passed'])).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------------

interface CliResult {
  code: number | null;
  output: string;
  durationMs: number;
}

async function slipway(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const started = Date.now();
  // Tests reach only this machine: the audit (api.osv.dev by default) is off unless a case turns it on.
  const child = spawn(process.execPath, [CLI, ...args, '--no-audit'], {
    cwd: makeTempDir('slipway-cli-cwd-'),
    env: outerEnv({ NO_COLOR: '1', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  const all: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => all.push(c));
  child.stderr.on('data', (c: Buffer) => all.push(c));
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 240_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  return { code, output: Buffer.concat(all).toString('utf8'), durationMs: Date.now() - started };
}

const show = (result: CliResult): string => `exit ${result.code}\n${result.output.slice(-5000)}`;

describe('slipway run (CLI) on examples/node-app', () => {
  let project: string;
  let cacheDir: string;
  let cold: CliResult;
  let warm: CliResult;
  let again: CliResult;

  beforeAll(async () => {
    project = path.join(makeTempDir('slipway-cli-project-'), 'node-app');
    copyInto(NODE_APP, project);
    cacheDir = makeTempDir('slipway-cli-cache-');
    cold = await slipway(['run', project, '--cache-dir', cacheDir, '--verbose']);
    timings['cli-node-app-cold'] = cold.durationMs;
    // A fresh checkout at the same path: node_modules gone, restored from the local cache store.
    rmSync(project, { recursive: true, force: true });
    copyInto(NODE_APP, project);
    warm = await slipway(['run', project, '--cache-dir', cacheDir, '--verbose']);
    timings['cli-node-app-warm'] = warm.durationMs;
    // The same checkout again: the node_modules of the last run is already right for the key.
    again = await slipway(['run', project, '--cache-dir', cacheDir, '--verbose']);
    timings['cli-node-app-again'] = again.durationMs;
    const install = (r: CliResult): number => parseSeconds(/^[✓✗] install\s+(\S+)/m.exec(r.output)?.[1] ?? 'NaNs');
    timings['cli-node-app-install-cold-ms'] = install(cold) * 1000;
    timings['cli-node-app-install-warm-ms'] = install(warm) * 1000;
    timings['cli-node-app-install-again-ms'] = install(again) * 1000;
  }, 420_000);

  const key = (r: CliResult): string | undefined => /cache: (?:hit|miss) \((\S+)\)/.exec(r.output)?.[1];

  test('cold: exit 0, npm ci ran, 5 tests, 2 eslint findings shown at their lines', () => {
    if (cold.code !== 0) throw new Error(show(cold));
    expect(cold.output).toMatch(/^✓ install .*installed with npm/m);
    expect(cold.output).toMatch(/^\s*\$ npm ci\b/m);
    expect(cold.output).toMatch(/^✓ test .*5 passed, 0 failed/m);
    expect(cold.output).toMatch(/^! lint .*eslint: 2 findings/m);
    expect(cold.output).toMatch(/src\/app\.js:41:16: no-unused-vars/);
    expect(cold.output).toMatch(/src\/app\.js:49:9: no-unused-vars/);
    expect(key(cold)).toMatch(keyShape('npm', NPM_VERSION));
    expect(cold.output).toMatch(/cache: miss \(/);
    expect(cold.output).not.toMatch(SLIPWAY_FRAME);
  });

  test('a fresh checkout: node_modules restored from the cache store, no npm ci, same results; then reused as it is', () => {
    for (const r of [warm, again]) {
      if (r.code !== 0) throw new Error(show(r));
      // --verbose: each stage's block under its name, then its stage line.
      expect(r.output).toMatch(/^── install$/m);
      expect(r.output).not.toMatch(/^\s*\$ npm ci\b/m);
      expect(r.output).toMatch(/^✓ test .*5 passed, 0 failed/m);
      expect(r.output).toMatch(/^! lint .*eslint: 2 findings/m);
      expect(r.output).toMatch(/cache: hit \(/);
      expect(key(r)).toBe(key(cold));
    }
    expect(warm.output).toMatch(/^✓ install .*restored from cache/m);
    expect(again.output).toMatch(/^✓ install .*already installed for this key/m);
  });
});

// ------------------------------------------------------------------------------------------------

/** What `node --test --experimental-test-coverage` itself prints as the total line coverage ("all files"). */
function nodeTestCoverage(project: string): number {
  const out = execFileSync('node', ['--test', '--experimental-test-coverage', '--test-reporter=spec'], {
    cwd: project,
    env: outerEnv(),
    encoding: 'utf8',
    timeout: 60_000
  });
  const m = /all files\s*\|\s*(\d+(?:\.\d+)?)\s*\|/.exec(out);
  if (!m) throw new Error(`no "all files" line in:\n${out}`);
  return Number(m[1]);
}

describe('node --test (npm): counts, coverage, a failing test', () => {
  const job = newJob(fixturePath('node-test-runner'), 'app');
  let cold: ActionResult;
  let reference: number;

  beforeAll(async () => {
    cold = await job.run();
    timings['node-test-cold'] = cold.durationMs;
    if (cold.ok) reference = nodeTestCoverage(job.project);
  }, 180_000);

  test('success: 4 passed, 1 skipped, coverage as node reports it; no linter (none installed) is not an error', () => {
    expectSuccess(cold);
    // No linter ran: the finding count was not measured, so the output is empty (not 0).
    expect(cold.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '4', 'tests-failed': '0', 'tests-skipped': '1', 'lint-findings': '' });
    expect(cold.outputs['cache-key']).toMatch(keyShape('npm', NPM_VERSION));
    // node prints two decimals, Slipway one: the same number up to rounding.
    expect(Math.abs(Number(cold.outputs['coverage']) - reference)).toBeLessThanOrEqual(0.05);
    expect(cold.outputs['coverage']).toMatch(/^\d+\.\d$/);
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ npm ci\b/)]);
    expect(stageLine(cold.log, 'lint')).toMatch(/no linter/);
    expect(errors(cold)).toEqual([]);
  });

  test('a failing test: the step fails, an error annotation on the test file names the test; the environment is restored', async () => {
    const assertion = 'assert.strictEqual(toMillis(250), 250)';
    const result = await job.run({}, (project) =>
      replaceInFile(path.join(project, 'test', 'duration.test.js'), assertion, 'assert.strictEqual(toMillis(250), 251)')
    );
    timings['node-test-failing'] = result.durationMs;
    expectNodeFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '3', 'tests-failed': '1', 'tests-skipped': '1' });
    expect(installCommands(result)).toEqual([]);
    const onTest = errors(result).filter((a) => a.file === job.file('test/duration.test.js'));
    expect(onTest).toHaveLength(1);
    const file = path.join(fixturePath('node-test-runner'), 'test', 'duration.test.js');
    // The assertion's line (where the stack points) or, at least, the line of the test itself.
    expect([lineOf(file, assertion), lineOf(file, "test('keeps milliseconds'")]).toContain(onTest[0]?.line);
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('keeps milliseconds');
    expect(onTest[0]?.message).toMatch(/251/);
  });

  test('a project with no dependencies at all (npm ci makes no node_modules) installs, tests and caches', async () => {
    const nodeps = newJob(fixturePath('node-test-nodeps'), '.');
    const first = await nodeps.run();
    timings['node-test-nodeps-cold'] = first.durationMs;
    expectSuccess(first);
    expect(first.outputs).toMatchObject({ 'tests-passed': '2', 'tests-failed': '0', 'tests-skipped': '0' });
    expect(first.outputs['coverage']).toMatch(/^\d+\.\d$/);
    const second = await nodeps.run();
    expectSuccess(second);
    expect(second.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': first.outputs['cache-key'], 'tests-passed': '2' });
    expect(installCommands(second)).toEqual([]);
  }, 180_000);
});

// ------------------------------------------------------------------------------------------------

describe('yarn 1 (yarn.lock): installed with yarn, cached, restored', () => {
  const job = newJob(fixturePath('node-yarn'), '.', COREPACK_ENV);
  let cold: ActionResult;
  let warm: ActionResult;

  beforeAll(async () => {
    cold = await job.run();
    timings['yarn-cold'] = cold.durationMs;
    warm = await job.run();
    timings['yarn-warm'] = warm.durationMs;
  }, 240_000);

  test('cold: yarn install --frozen-lockfile, success; warm: restored, nothing installed', () => {
    expectSuccess(cold);
    const yarnVersion = /-node-[^-]+-yarn-([^-]+)-/.exec(cold.outputs['cache-key'] ?? '')?.[1] ?? '';
    expect(yarnVersion).toMatch(/^1\.\d+\.\d+$/);
    expect(cold.outputs['cache-key']).toMatch(keyShape('yarn', yarnVersion));
    expect(cold.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '4', 'tests-failed': '0', 'tests-skipped': '1' });
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ (corepack )?yarn install --frozen-lockfile\b/)]);
    expect(errors(cold)).toEqual([]);

    expectSuccess(warm);
    expect(warm.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': cold.outputs['cache-key'], 'tests-passed': '4' });
    expect(installCommands(warm)).toEqual([]);
  });

  test('a dependency added without updating yarn.lock: the install fails, saying to run yarn install and commit yarn.lock', async () => {
    const result = await job.run({}, addDependencyWithoutLock);
    expectNodeFailure(result);
    expect(result.outputs['cache-hit']).toBe('false');
    const message = errors(result)
      .map((a) => a.message)
      .join('\n');
    expect(message).toMatch(/package\.json and yarn\.lock are out of sync/);
    expect(message).toContain('`yarn install`');
    expect(message).toMatch(/commit yarn\.lock/);
  });
});

describe('pnpm and vitest (pnpm-lock.yaml)', () => {
  const job = newJob(fixturePath('node-pnpm-vitest'), 'web', COREPACK_ENV);
  let cold: ActionResult;
  let warm: ActionResult;
  let reference: string;

  beforeAll(async () => {
    cold = await job.run();
    timings['pnpm-vitest-cold'] = cold.durationMs;
    if (cold.ok) {
      // The reference: vitest's own v8 coverage summary, in the tree the action installed.
      const out = makeTempDir('slipway-vitest-ref-');
      execFileSync(
        path.join(job.project, 'node_modules', '.bin', 'vitest'),
        ['run', '--coverage.enabled', '--coverage.reporter=json-summary', `--coverage.reportsDirectory=${out}`],
        { cwd: job.project, env: outerEnv({ CI: 'true' }), stdio: 'pipe', timeout: 120_000 }
      );
      const summary = JSON.parse(readFileSync(path.join(out, 'coverage-summary.json'), 'utf8')) as { total: { lines: { covered: number; total: number } } };
      reference = ((100 * summary.total.lines.covered) / summary.total.lines.total).toFixed(1);
    }
    warm = await job.run();
    timings['pnpm-vitest-warm'] = warm.durationMs;
  }, 300_000);

  test('cold: pnpm install --frozen-lockfile, 3 passed 1 skipped, coverage as vitest reports it; warm: restored, nothing installed', () => {
    expectSuccess(cold);
    const pnpmVersion = /-node-[^-]+-pnpm-([^-]+)-/.exec(cold.outputs['cache-key'] ?? '')?.[1] ?? '';
    expect(pnpmVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cold.outputs['cache-key']).toMatch(keyShape('pnpm', pnpmVersion));
    expect(cold.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '3', 'tests-failed': '0', 'tests-skipped': '1', coverage: reference });
    expect(installCommands(cold)).toEqual([expect.stringMatching(/^\$ (corepack )?pnpm install --frozen-lockfile\b/)]);
    expect(errors(cold)).toEqual([]);

    expectSuccess(warm);
    expect(warm.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': cold.outputs['cache-key'], 'tests-passed': '3', coverage: reference });
    expect(installCommands(warm)).toEqual([]);
  });

  test('a failing vitest test: the step fails, an error annotation on the test file and line names it', async () => {
    const assertion = 'expect(discount(200, 25)).toBe(150)';
    const result = await job.run({}, (project) => replaceInFile(path.join(project, 'test', 'price.test.js'), assertion, 'expect(discount(200, 25)).toBe(149)'));
    expectNodeFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '2', 'tests-failed': '1', 'tests-skipped': '1' });
    // vitest's JUnit report names the file in `classname` (project-relative) and the line in the
    // failure's `❯ test/price.test.js:16:31` frame.
    const file = path.join(fixturePath('node-pnpm-vitest'), 'test', 'price.test.js');
    const failed = errors(result).filter((a) => /takes a percentage off/.test(`${a.title} ${a.message}`) && !/^test: /.test(a.message));
    expect(failed.map((a) => `${a.file}:${a.line}`)).toEqual([`${job.file('test/price.test.js')}:${lineOf(file, assertion)}`]);
    expect(failed[0]?.message).toMatch(/expected 150 to be 149/);
  });

  test('neither pnpm nor corepack on PATH: a clear error saying how to install pnpm', async () => {
    const result = await job.run({ env: { PATH: pathWith(['node', 'npm', 'npx']) } });
    expectNodeFailure(result);
    const message = errors(result)
      .map((a) => a.message)
      .join('\n');
    expect(message).toMatch(/needs pnpm, which is not installed, and corepack is not available/);
    expect(message).toMatch(/pnpm\/action-setup|npm install -g pnpm/);
  });

  test('corepack cannot download pnpm: the failure a user reads says why, not only the exit code', async () => {
    // pnpm only through corepack, whose registry refuses connections; an empty corepack home.
    const registry = await closedPortUrl();
    const port = new URL(registry).port;
    const result = await job.run({
      env: {
        PATH: pathWith(['node', 'npm', 'npx', 'corepack']),
        COREPACK_HOME: makeTempDir('slipway-corepack-home-'),
        COREPACK_NPM_REGISTRY: registry.replace(/\/$/, '')
      }
    });
    expectNodeFailure(result);
    expect(installCommands(result)).toEqual([expect.stringMatching(/^\$ corepack pnpm install --frozen-lockfile\b/)]);
    // corepack's reason is in the install group's log ...
    expect(groupLines(result, 'install').join('\n')).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    // ... and must reach what a user reads without expanding it: the step's error or the job summary.
    const shown = [...errors(result).map((a) => a.message), result.summary].join('\n');
    expect(shown).toMatch(/install failed/);
    expect(shown).toContain(`127.0.0.1:${port}`);
  });
});

/** A PATH holding only links to these tools (found on the current PATH). */
function pathWith(tools: string[]): string {
  const bin = makeTempDir('slipway-bin-');
  for (const tool of tools) {
    const found = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}
