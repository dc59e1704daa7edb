/**
 * End to end, through the BUNDLED action (dist/index.js): Node test runners found by reading the
 * whole `test` script, with no test-command given.
 * - mocha after a check step (`node scripts/check.js && mocha`), c8 installed but not in the script:
 *   counts as mocha itself reports them (`mocha --reporter json`, run here in the installed tree),
 *   coverage, and a failing test annotated at its file and line.
 * - jest reached through other scripts (`npm run lint && npm run test:unit`, `test:unit: jest`):
 *   counts and coverage arrive, every command ran once; then a suite that fails to run (an import
 *   that fails) is reported as a suite error naming its file.
 *
 * Machine notes: see node.test.ts (npm registry mirror; the lockfiles were made here with npm install).
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, outerEnv, type ActionResult, type Annotation } from './support/action-runner.js';
import { expectFailure, expectSuccess } from './support/assertions.js';
import { ProjectJob } from './support/job.js';
import { cacheSuite } from './support/suite.js';
import { fixturePath, lineOf, replaceInFile, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();

const suite = cacheSuite('node-zero-config-tests');

const newJob = (fixture: string): ProjectJob =>
  new ProjectJob(fixturePath(fixture), 'app', () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, timeoutMs: 240_000 }));

const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');
/** The runners print their own stack frames to the log: only Slipway's are a crash there. */
const expectTestFailure = (result: ActionResult): void => expectFailure(result, { toolFramesInLog: true });

/** What mocha itself says, run in the tree the action installed. */
function mochaReference(project: string): { passed: number; failed: number; skipped: number } {
  let out: string;
  try {
    out = execFileSync(path.join(project, 'node_modules', '.bin', 'mocha'), ['--reporter', 'json'], {
      cwd: project,
      env: outerEnv(),
      encoding: 'utf8',
      stdio: 'pipe'
    });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? ''); // mocha exits non-zero on failures
  }
  const { stats } = JSON.parse(out) as { stats: { passes: number; failures: number; pending: number } };
  return { passed: stats.passes, failed: stats.failures, skipped: stats.pending };
}

const counts = (r: { passed: number; failed: number; skipped: number }) => ({
  'tests-passed': String(r.passed),
  'tests-failed': String(r.failed),
  'tests-skipped': String(r.skipped)
});

describe('mocha after a check step, coverage through the installed c8', () => {
  const job = newJob('node-mocha');
  let cold: ActionResult;
  let reference: ReturnType<typeof mochaReference>;

  beforeAll(async () => {
    cold = await job.run();
    suite.timings['mocha-cold'] = cold.durationMs;
    if (cold.ok) reference = mochaReference(job.project);
  }, 240_000);

  test('success: counts as mocha reports them, coverage measured, the check step ran once', () => {
    expectSuccess(cold);
    expect(reference).toEqual({ passed: 4, failed: 0, skipped: 1 });
    expect(cold.outputs).toMatchObject(counts(reference));
    expect(cold.outputs['coverage']).toMatch(/^\d+\.\d$/);
    expect(Number(cold.outputs['coverage'])).toBeGreaterThan(0);
    const testLog = groupLines(cold, 'test');
    expect(testLog.filter((line) => line === 'check ran')).toHaveLength(1);
    expect(testLog.some((line) => /4 passing/.test(line))).toBe(true); // mocha's own spec output is kept
    expect(errors(cold)).toEqual([]);
  });

  test('a failing test: the step fails; an error annotation at the assertion names the test; counts as mocha reports them', async () => {
    const assertion = 'assert.strictEqual(discount(200, 10), 180)';
    const result = await job.run({}, (project) =>
      replaceInFile(path.join(project, 'test', 'cart.spec.js'), assertion, 'assert.strictEqual(discount(200, 10), 181)')
    );
    suite.timings['mocha-failing'] = result.durationMs;
    expectTestFailure(result);
    expect(result.outputs).toMatchObject(counts(mochaReference(job.project)));
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-failed': '1' });
    const onTest = errors(result).filter((a) => a.file === job.file('test/cart.spec.js'));
    expect(onTest).toHaveLength(1);
    expect(onTest[0]?.line).toBe(lineOf(path.join(fixturePath('node-mocha'), 'test', 'cart.spec.js'), assertion));
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('takes a percentage off');
  }, 240_000);
});

describe('jest through `npm run lint && npm run test:unit`', () => {
  const job = newJob('node-delegated-jest');
  let cold: ActionResult;

  beforeAll(async () => {
    cold = await job.run();
    suite.timings['delegated-jest-cold'] = cold.durationMs;
  }, 240_000);

  test('success: counts and coverage arrive; lint and jest each ran once; the log says how the options reached jest', () => {
    expectSuccess(cold);
    expect(cold.outputs).toMatchObject({ 'tests-passed': '3', 'tests-failed': '0', 'tests-skipped': '1' });
    expect(cold.outputs['coverage']).toMatch(/^\d+\.\d$/);
    const testLog = groupLines(cold, 'test');
    expect(testLog.filter((line) => line === 'lint ran')).toHaveLength(1);
    expect(testLog.filter((line) => /^Tests:\s/.test(line))).toHaveLength(1);
    expect(testLog.join('\n')).toMatch(/jest is not the last command of the `test` script but runs in the `test:unit` script/);
    expect(errors(cold)).toEqual([]);
  });

  test('a suite that fails to run is one suite error at its file, with the cause; the other tests still count', async () => {
    const result = await job.run({}, (project) =>
      writeFileSync(
        path.join(project, 'test', 'broken.test.js'),
        "'use strict';\n\nconst { gone } = require('../src/gone');\n\ntest('never runs', () => expect(gone).toBe(1));\n"
      )
    );
    suite.timings['delegated-jest-broken'] = result.durationMs;
    expectTestFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': '3', 'tests-failed': '1', 'tests-skipped': '1' });
    const onSuite = errors(result).filter((a) => a.file === job.file('test/broken.test.js'));
    expect(onSuite).toHaveLength(1);
    expect(onSuite[0]?.line).toBe(3);
    expect(`${onSuite[0]?.title} ${onSuite[0]?.message}`).toMatch(/Test suite failed to run/);
    expect(onSuite[0]?.message).toMatch(/Cannot find module '..\/src\/gone'/);
  }, 240_000);
});
