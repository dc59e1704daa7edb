/**
 * End to end: Python tests with no test configuration, on the BUNDLED action with real pip (local
 * mirror) and the fake cache service.
 *
 * - A Django project (manage.py) runs with Django's own runner: its settings, its test database
 *   (SQLite in memory), the same count `python manage.py test` reports in the environment the action
 *   built (run here, not hard-coded), coverage, a failing test annotated on its line, and nothing
 *   left in the project tree.
 * - unittest with a test module that does not import and a setUpClass that raises: each annotated
 *   on the project's own file and line under a readable name, never on the standard library; tests
 *   in a `tests/` folder without `__init__.py` are found.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionResult, Annotation } from './support/action-runner.js';
import { expectFailure, expectSuccess } from './support/assertions.js';
import { ProjectJob } from './support/job.js';
import { cacheSuite } from './support/suite.js';
import { pipMirrorEnv } from './support/python.js';
import { copyInto, fixturePath, lineOf, makeTempDir, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const APP = 'services/web';

const suite = cacheSuite('python-zero-config-tests.test');

const newJob = (fixture: string): ProjectJob =>
  new ProjectJob(fixturePath(fixture), APP, () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, env: pipMirrorEnv() }));

const errors = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'error');
const onFile = (r: ActionResult, file: string): Annotation[] => errors(r).filter((a) => a.file === file);

/** Every file under a folder, relative to it, sorted. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('a Django project: Django test runner, test database, coverage', () => {
  const job = newJob('django-app');
  const fixture = fixturePath('django-app');
  let first: ActionResult;
  let reference: number;

  beforeAll(async () => {
    first = await job.run();
    suite.timings['django-cold'] = first.durationMs;
    if (!first.ok) return;
    // The reference: Django itself, in the environment the action built, on a copy of the project.
    const copy = makeTempDir('slipway-django-ref-');
    copyInto(fixture, copy);
    const python = path.join(job.venv(first), 'bin', 'python');
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    // Django's runner prints "Ran N tests" on stderr.
    const run = spawnSync(python, ['manage.py', 'test', '-v', '2'], { cwd: copy, env, encoding: 'utf8', timeout: 60_000 });
    reference = Number(/^Ran (\d+) tests?/m.exec(`${run.stdout}${run.stderr}`)?.[1] ?? NaN);
  }, 180_000);

  test('success: the count Django reports, coverage measured, the project tree as it was', () => {
    expectSuccess(first);
    expect(reference).toBeGreaterThan(0);
    expect(first.outputs).toMatchObject({ 'tests-passed': String(reference), 'tests-failed': '0', 'tests-skipped': '0' });
    expect(first.outputs['coverage']).toMatch(/^\d+(\.\d)?$/);
    expect(Number(first.outputs['coverage'])).toBeGreaterThan(50);
    expect(errors(first)).toEqual([]);
    // The model test needed the test database: Django made it (and removed it) itself.
    expect(first.log).toMatch(/Creating test database for alias 'default'/);
    expect(tree(job.project)).toEqual(tree(fixture));
  });

  test('a failing test fails the step, annotated on its own line in the project', async () => {
    const edit = (project: string): void => {
      const file = path.join(project, 'shop', 'tests.py');
      writeFileSync(file, readFileSync(file, 'utf8').replace('price_with_tax(), 360)', 'price_with_tax(), 361)'));
    };
    const result = await job.run({}, edit);
    suite.timings['django-failing'] = result.durationMs;
    expectFailure(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'true', 'tests-passed': String(reference - 1), 'tests-failed': '1' });
    const onTest = onFile(result, job.file('shop/tests.py'));
    expect(onTest).toHaveLength(1);
    expect(onTest[0]?.line).toBe(lineOf(path.join(fixture, 'shop', 'tests.py'), 'price_with_tax(), 360)'));
    expect(`${onTest[0]?.title} ${onTest[0]?.message}`).toContain('test_price_with_tax');
    expect(onTest[0]?.message).toContain('360 != 361');
  });
});

describe('unittest: a test module that does not import, a setUpClass that raises', () => {
  const job = newJob('unittest-import-error');
  const fixture = fixturePath('unittest-import-error');
  let result: ActionResult;

  beforeAll(async () => {
    result = await job.run();
    suite.timings['unittest-import-error'] = result.durationMs;
  }, 120_000);

  test('each error on the project file and line, under a readable name; nothing on the standard library', () => {
    expectFailure(result);
    // tests/ has no __init__.py: its tests are found as `python -m unittest discover -s tests` finds them.
    expect(result.outputs).toMatchObject({ 'tests-passed': '1', 'tests-failed': '2' });
    const broken = onFile(result, job.file('tests/test_broken.py'));
    expect(broken).toHaveLength(1);
    expect(broken[0]?.line).toBe(lineOf(path.join(fixture, 'tests', 'test_broken.py'), 'import with_discount'));
    expect(broken[0]?.title).toMatch(/\bimport test_broken$/);
    expect(broken[0]?.message).toContain('with_discount');
    const setup = onFile(result, job.file('tests/test_setup.py'));
    expect(setup).toHaveLength(1);
    expect(setup[0]?.line).toBe(lineOf(path.join(fixture, 'tests', 'test_setup.py'), 'raise RuntimeError'));
    expect(setup[0]?.title).toMatch(/\bsetUpClass$/);
    // The step's failure message names both by class (or module) and name.
    const step = errors(result)
      .filter((a) => a.file === undefined)
      .map((a) => a.message)
      .join('\n');
    expect(step).toContain('test_setup.CatalogueTest.setUpClass');
    expect(step).toContain('test_broken.import test_broken');
    for (const annotation of errors(result)) {
      expect(annotation.file ?? '').not.toMatch(/unittest\/|^\/|site-packages/);
      expect(`${annotation.title ?? ''} ${annotation.message}`).not.toMatch(/_FailedTest|_ErrorHolder/);
      expect(annotation.title ?? '').not.toMatch(/^\.|\)|\(/);
    }
  });
});
