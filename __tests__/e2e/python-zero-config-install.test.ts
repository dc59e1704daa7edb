/**
 * End to end: what a Python project with no inputs gets installed, on the BUNDLED action with real
 * pip (local mirror) and the fake cache service.
 *
 * - Extra requirements files: requirements.txt and requirements-dev.txt are installed; the docs'
 *   and conda's files (which pin packages the mirror does not have) are not, and the log says so.
 * - PEP 735 dependency groups: pytest only in `[dependency-groups] test` (pip upgraded for --group).
 * - tox only: pytest only in tox.ini's [testenv] deps.
 * - poetry project without poetry (and none on the index): pip installs it with poetry-core and
 *   the dev group converted, and one note says so; the index is asked about poetry in little time.
 * - A failing install: the summary shows pip's line that says why, not the mirror's warnings.
 *
 * The test counts are compared with pytest's own, run here in the environment the action built.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { groupLines, type ActionResult } from './support/action-runner.js';
import { expectFailure, expectSuccess } from './support/assertions.js';
import { ProjectJob } from './support/job.js';
import { cacheSuite } from './support/suite.js';
import { defaultPython, pipMirrorEnv } from './support/python.js';
import { copyInto, fixturePath, makeTempDir, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const APP = 'app';

const suite = cacheSuite('python-zero-config-install.test');

const newJob = (fixture: string): ProjectJob =>
  new ProjectJob(fixturePath(fixture), APP, () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, env: pipMirrorEnv() }));

const installLog = (result: ActionResult): string => groupLines(result, 'install').join('\n');
const commands = (result: ActionResult): string[] => groupLines(result, 'install').filter((line) => line.startsWith('$ '));

/** How many tests pytest itself passes, in the environment the action built, on a copy of the fixture. */
function pytestPassed(job: ProjectJob, result: ActionResult, fixture: string): number {
  const copy = makeTempDir('slipway-pytest-ref-');
  copyInto(fixturePath(fixture), copy);
  const python = path.join(job.venv(result), 'bin', 'python');
  const run = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
    cwd: copy,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
    timeout: 60_000
  });
  return Number(/(\d+) passed/.exec(run.stdout)?.[1] ?? NaN);
}

/** Runs a fixture once; the outcome and pytest's own count. */
function coldRun(fixture: string): { job: ProjectJob; get: () => { result: ActionResult; reference: number } } {
  const job = newJob(fixture);
  let result: ActionResult;
  let reference = NaN;
  beforeAll(async () => {
    result = await job.run();
    suite.timings[fixture] = result.durationMs;
    if (result.ok) reference = pytestPassed(job, result, fixture);
  }, 180_000);
  return { job, get: () => ({ result, reference }) };
}

describe('requirements files: the base and the test ones, not the docs or conda pins', () => {
  const { job, get } = coldRun('py-requirements-extra');

  test('installs requirements.txt and requirements-dev.txt, says which were left out and why; pytest runs', () => {
    const { result, reference } = get();
    expectSuccess(result);
    expect(reference).toBe(2);
    expect(result.outputs).toMatchObject({ 'tests-passed': String(reference), 'tests-failed': '0' });
    const log = installLog(result);
    expect(log).toContain(
      "Requirements files: requirements-dev.txt, requirements.txt; left out: requirements-conda-test.txt (conda's, not pip's), requirements-docs.txt (for docs)"
    );
    expect(log).not.toMatch(/nosuch-docs-theme|nosuch-conda-only/);
    expect(commands(result).filter((line) => / -m pip install /.test(line))).toEqual([
      expect.stringMatching(/ -r requirements-dev\.txt -r requirements\.txt$/)
    ]);
  });

  test('a requirement the index does not have: the failure shows the line that says why', async () => {
    const result = await job.run({}, (project) => appendFileSync(path.join(project, 'requirements-dev.txt'), 'nosuch-package-xyz==1.0\n'));
    suite.timings['failing-install'] = result.durationMs;
    expectFailure(result);
    expect(result.summary).toContain('pip found no release of nosuch-package-xyz==1.0 on the package index');
    const why = /<summary>Why<\/summary><pre>([\s\S]*?)<\/pre>/.exec(result.summary)?.[1] ?? '';
    expect(why).toContain('ERROR: No matching distribution found for nosuch-package-xyz==1.0');
    expect(why).not.toMatch(/WARNING: Location|Looking in indexes|Processing /);
  }, 120_000);
});

describe('PEP 735 dependency groups', () => {
  const { get } = coldRun('py-dependency-groups');

  test('pytest comes from [dependency-groups] test, with a pip new enough for --group; the docs group is not installed', () => {
    const { result, reference } = get();
    expectSuccess(result);
    expect(reference).toBe(2);
    expect(result.outputs).toMatchObject({ 'tests-passed': String(reference), 'tests-failed': '0' });
    expect(installLog(result)).toContain('Test dependencies from: [dependency-groups] test');
    const pip = commands(result).filter((line) => / -m pip install /.test(line));
    expect(pip).toEqual([expect.stringMatching(/ '?pip>=25\.1'?$/), expect.stringMatching(/ -e \. --group test$/)]);
  });
});

describe('tox only', () => {
  const { get } = coldRun('py-tox-only');

  test("pytest comes from tox.ini's [testenv] deps", () => {
    const { result, reference } = get();
    expectSuccess(result);
    expect(reference).toBe(2);
    expect(result.outputs).toMatchObject({ 'tests-passed': String(reference), 'tests-failed': '0' });
    expect(installLog(result)).toContain('Test dependencies from: tox.ini [testenv]');
    expect(commands(result).filter((line) => / -m pip install /.test(line))).toEqual([expect.stringMatching(/ -r requirements\.txt pytest$/)]);
  });
});

describe('a poetry project where poetry cannot be had', () => {
  const { get } = coldRun('py-poetry-no-poetry');

  test('pip installs the project (poetry-core) and the dev group, and one note says so', () => {
    const { result, reference } = get();
    expectSuccess(result);
    expect(reference).toBe(2);
    expect(result.outputs).toMatchObject({ 'tests-passed': String(reference), 'tests-failed': '0' });
    const notes = result.annotations.filter((a) => a.level === 'warning' && /poetry/.test(a.message));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.message).toMatch(/poetry\.lock found but poetry is not installed and could not be installed.*poetry groups dev with pip/);
    expect(commands(result)).toEqual(
      expect.arrayContaining([expect.stringMatching(/ -m pip index versions poetry /), expect.stringMatching(/ -e \. 'pytest>=8\.0,<9\.0'$/)])
    );
  });

  test('asking the index about poetry costs little', () => {
    const started = Date.now();
    const run = spawnSync(
      defaultPython(),
      ['-m', 'pip', 'index', 'versions', 'poetry', '--disable-pip-version-check', '--no-input', '--retries', '0', '--timeout', '5'],
      {
        env: { ...process.env, ...pipMirrorEnv() },
        encoding: 'utf8',
        timeout: 30_000
      }
    );
    const seconds = (Date.now() - started) / 1000;
    suite.timings['poetry-index-question'] = Date.now() - started;
    expect(run.status).not.toBe(0);
    expect(seconds).toBeLessThan(10);
  });
});
