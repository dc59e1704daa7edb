/**
 * End to end: a multi-line `test-command` runs as tiers on the BUNDLED action with real pip (local
 * mirror) and pytest. The first tier fails: the second never runs, the summary lists it as not run,
 * and the counts are the first tier's only. Two passing tiers add up, coverage included.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAction, type ActionResult } from './support/action-runner.js';
import { pipMirrorEnv } from './support/python.js';
import { makeTempDir, removeTempDirs } from './support/workspace.js';

let env: Record<string, string>;

beforeAll(() => {
  env = pipMirrorEnv();
});

afterAll(() => removeTempDirs());

/** A small pytest project: unit tests (one failing when `failUnit`) and integration tests. */
function project(failUnit: boolean): string {
  const root = path.join(makeTempDir('slipway-tiers-'), 'repo');
  mkdirSync(path.join(root, 'tests', 'unit'), { recursive: true });
  mkdirSync(path.join(root, 'tests', 'integration'), { recursive: true });
  writeFileSync(path.join(root, 'requirements-dev.txt'), 'pytest==9.1.1\npytest-cov==7.1.0\n');
  writeFileSync(path.join(root, 'calc.py'), 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n');
  writeFileSync(
    path.join(root, 'tests', 'unit', 'test_add.py'),
    `from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\ndef test_add_again():\n    assert add(2, 2) == ${failUnit ? 5 : 4}\n`
  );
  writeFileSync(
    path.join(root, 'tests', 'integration', 'test_mul.py'),
    'from calc import mul\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n\n\ndef test_mul_zero():\n    assert mul(0, 3) == 0\n\n\ndef test_mul_one():\n    assert mul(1, 3) == 3\n'
  );
  writeFileSync(path.join(root, '.coveragerc'), '[run]\nsource = calc\n');
  return root;
}

const TIERS = 'python -m pytest tests/unit\npython -m pytest tests/integration';

async function run(failUnit: boolean): Promise<ActionResult> {
  return runAction({ workspace: project(failUnit), timeoutMs: 200_000, inputs: { cache: false, lint: false, 'test-command': TIERS }, env });
}

const explain = (result: ActionResult): string =>
  `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;

test("the first tier fails: the second is not run, the summary says so, counts are the first tier's", async () => {
  const result = await run(true);
  expect(result.ok).toBe(false);
  expect(result.outputs).toMatchObject({ 'tests-passed': '1', 'tests-failed': '1', result: 'failure' });
  expect(result.log).toMatch(/Test tier 1 of 2: python -m pytest tests\/unit/);
  expect(result.log).not.toMatch(/Test tier 2 of 2/);
  expect(result.log).not.toMatch(/test_mul/);
  expect(result.summary).toMatch(/tier 1 of 2 failed/);
  expect(result.summary).toMatch(/Not run \(tier 1 of 2 failed\): tier 2 of 2: python -m pytest tests\/integration/);
}, 240_000);

test('both tiers pass: counts and coverage add up across them', async () => {
  const result = await run(false);
  if (!result.ok) throw new Error(`the action failed:\n${explain(result)}`);
  expect(result.log).toMatch(/Test tier 2 of 2: python -m pytest tests\/integration/);
  expect(result.outputs).toMatchObject({ 'tests-passed': '5', 'tests-failed': '0', result: 'success' });
  // Each tier covers one of the two functions; together they cover all of calc.py.
  expect(result.outputs.coverage).toBe('100.0');
}, 240_000);
