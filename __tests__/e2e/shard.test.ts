/**
 * End to end: test sharding through the BUNDLED action, with real pip (local mirror), pytest and
 * pytest-cov, the real @actions/artifact against the artifact fake, and the real @actions/cache
 * against the cache fake behind it. Four shard jobs and a merge job of one workflow run:
 * - the first run (no recorded durations) splits by file size; the merged counts and coverage equal
 *   an unsharded run's exactly; only the first shard saves the environment;
 * - after a default-branch run recorded durations, the shards split by them;
 * - a missing shard fails the merge, naming it;
 * - the project's pytest configuration holds in the shards (testpaths, its own python_files).
 * And a Node project (jest, in a folder of the repository): three shards merge to an unsharded run's
 * counts and coverage.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { ProjectJob } from './support/job.js';
import path from 'node:path';
import { runAction, type ActionResult } from './support/action-runner.js';
import { startArtifactService, type ArtifactService } from './support/artifact-service.js';
import { startCacheService, type CacheService } from './support/cache-service.js';
import { environmentKeys } from './support/environment-entries.js';
import { pipMirrorEnv } from './support/python.js';
import { makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

let cache: CacheService;
let artifacts: ArtifactService;
let pip: Record<string, string>;
let project: string;
/**
 * On GitHub every job has the same RUNNER_TEMP and workspace path, and cache entries are told apart
 * by their paths: the jobs that must find the baseline share both (one after the other, as they share the venv).
 */
let sharedTemp: string;

/** shop/ with four modules; eight test files, two of them slow, each covering part of the code. */
function pythonProject(): string {
  const root = path.join(makeTempDir('slipway-shard-'), 'repo');
  mkdirSync(path.join(root, 'shop'), { recursive: true });
  mkdirSync(path.join(root, 'tests'), { recursive: true });
  writeFileSync(path.join(root, 'requirements-dev.txt'), 'pytest==9.1.1\npytest-cov==7.1.0\n');
  writeFileSync(path.join(root, '.coveragerc'), '[run]\nsource = shop\n');
  // The project's pytest configuration decides what runs, sharded or not: scripts/ is not a test
  // folder here, and check_*.py files are tests the split does not know (they run in shard 1).
  writeFileSync(path.join(root, 'pytest.ini'), '[pytest]\ntestpaths = tests\npython_files = test_*.py check_*.py\n');
  mkdirSync(path.join(root, 'scripts'), { recursive: true });
  writeFileSync(path.join(root, 'scripts', 'test_tool.py'), 'def test_not_a_test_here():\n    assert False\n');
  writeFileSync(path.join(root, 'shop', '__init__.py'), '');
  for (const name of ['cart', 'tax', 'stock', 'promo']) {
    writeFileSync(
      path.join(root, 'shop', `${name}.py`),
      `def ${name}_add(a, b):\n    return a + b\n\n\ndef ${name}_sub(a, b):\n    return a - b\n\n\ndef ${name}_never(a):\n    if a:\n        return 1\n    return 0\n`
    );
  }
  const files: Array<[string, string, string, number]> = [
    ['test_cart_add.py', 'cart', 'add', 0.6],
    ['test_cart_sub.py', 'cart', 'sub', 0],
    ['test_tax_add.py', 'tax', 'add', 0.4],
    ['test_tax_sub.py', 'tax', 'sub', 0],
    ['test_stock_add.py', 'stock', 'add', 0],
    ['test_stock_sub.py', 'stock', 'sub', 0],
    ['test_promo_add.py', 'promo', 'add', 0],
    ['test_promo_sub.py', 'promo', 'sub', 0]
  ];
  for (const [file, module, op, sleep] of files) {
    const expected = op === 'add' ? 5 : 1;
    // Longer files are bigger: the size split has something to go by.
    const padding = '# padding\n'.repeat(file.length * 3);
    writeFileSync(
      path.join(root, 'tests', file),
      `import time\n\nfrom shop.${module} import ${module}_${op}\n\n${padding}\ndef test_${op}_one():\n    time.sleep(${sleep})\n    assert ${module}_${op}(3, 2) == ${expected}\n\n\ndef test_${op}_two():\n    assert ${module}_${op}(2, 2) is not None\n`
    );
  }
  writeFileSync(path.join(root, 'tests', 'check_extra.py'), 'from shop.stock import stock_never\n\n\ndef test_never():\n    assert stock_never(1) == 1\n');
  return root;
}

beforeAll(async () => {
  pip = pipMirrorEnv();
  cache = await startCacheService();
  artifacts = await startArtifactService(cache);
  project = pythonProject();
  sharedTemp = makeTempDir('slipway-shard-temp-');
});

afterAll(async () => {
  await artifacts.stop();
  await cache.stop();
  removeTempDirs();
});

const explain = (result: ActionResult): string =>
  `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-8000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;

/** One job of workflow run `runId`: its own checkout and runner, the run's services. */
function job(runId: string, jobId: string, inputs: Record<string, string | boolean>, ref = 'refs/heads/feature', runnerTemp?: string): Promise<ActionResult> {
  // The shared runner also has the same checkout folder (a cache entry's version covers its paths).
  const workspace = path.join(runnerTemp ? sharedTemp : makeTempDir('slipway-shard-job-'), 'repo');
  cpSync(project, workspace, { recursive: true });
  return runAction({
    workspace,
    timeoutMs: 110_000,
    ref,
    inputs: { lint: false, ...inputs },
    cacheService: { env: () => artifacts.envFor(runId, jobId) },
    env: { ...pip, GITHUB_RUN_ID: runId, GITHUB_JOB: jobId, ...(runnerTemp ? { RUNNER_TEMP: runnerTemp } : {}) }
  });
}

/** Four shard jobs: at once on runners of their own, or one after the other on the shared RUNNER_TEMP. */
async function shards(runId: string, runnerTemp?: string): Promise<ActionResult[]> {
  const one = (i: number): Promise<ActionResult> => job(runId, `test-${i}`, { shard: `${i}/4` }, undefined, runnerTemp);
  const results = runnerTemp ? [await one(1), await one(2), await one(3), await one(4)] : await Promise.all([1, 2, 3, 4].map(one));
  results.forEach((result) => {
    if (!result.ok) throw new Error(`a shard failed:\n${explain(result)}`);
  });
  return results;
}

const counts = (r: ActionResult) => ({
  passed: r.outputs['tests-passed'],
  failed: r.outputs['tests-failed'],
  skipped: r.outputs['tests-skipped'],
  coverage: r.outputs.coverage
});

describe('test shards of a Python project', () => {
  let unsharded: ActionResult;

  test('first run, no durations recorded: split by size; merged counts and coverage equal an unsharded run; one save', async () => {
    const shardRuns = await shards('run-1');
    for (const [i, run] of shardRuns.entries()) {
      expect(run.log).toMatch(new RegExp(`shard ${i + 1}/4: \\d of 9 test files, split by file size`));
      expect(run.log).toMatch(new RegExp(`Uploaded slipway-shard-${i + 1}-of-4`));
      expect(run.outputs['tests-failed']).toBe('0');
    }
    // Shard 1 saved the environment (its four parts and the seed packages, once each); the others
    // installed it (no entry yet) and saved nothing.
    const saved = cache.entries().filter((entry) => !entry.key.startsWith('slipway-baseline-'));
    expect(saved.map((entry) => entry.key).sort()).toEqual(environmentKeys(shardRuns[0]?.outputs['cache-key'] ?? '', { seed: true }).sort());
    expect(
      artifacts
        .artifacts()
        .map((a) => a.name)
        .sort()
    ).toEqual([1, 2, 3, 4].map((i) => `slipway-shard-${i}-of-4`));

    const merged = await job('run-1', 'merge', { 'merge-shards': true, 'coverage-min': '50' });
    if (!merged.ok) throw new Error(`the merge failed:\n${explain(merged)}`);
    expect(merged.log).toMatch(/Merged 4 of 4 shards: 17 tests/);
    expect(merged.log).not.toMatch(/pip install|python -m venv/);

    unsharded = await job('run-0', 'build', {}, 'refs/heads/main', sharedTemp);
    if (!unsharded.ok) throw new Error(`the unsharded run failed:\n${explain(unsharded)}`);
    expect(counts(merged)).toEqual(counts(unsharded));
    expect(counts(merged)).toEqual({ passed: '17', failed: '0', skipped: '0', coverage: counts(unsharded).coverage });
    // check_extra.py ran once, in shard 1.
    expect(shardRuns.map((run) => /check_extra\.py/.test(run.log))).toEqual([true, false, false, false]);
    // Each module's `never` function is never called: coverage is the same partial figure either way.
    expect(Number(unsharded.outputs.coverage)).toBeLessThan(100);
  }, 300_000);

  test('after the default branch recorded durations: the shards split by them', async () => {
    expect(cache.entries().some((entry) => entry.key.startsWith('slipway-baseline-'))).toBe(true);
    const shardRuns = await shards('run-2', sharedTemp);
    for (const [i, run] of shardRuns.entries()) expect(run.log).toMatch(new RegExp(`shard ${i + 1}/4: \\d of 9 test files, split by recorded durations`));
    // The two slow files (0.6 s and 0.4 s) land in different shards.
    const slow = shardRuns.filter((run) => /test_cart_add\.py|test_tax_add\.py/.test(run.log.match(/Test files of this shard: (.*)/)?.[1] ?? ''));
    expect(slow).toHaveLength(2);
    const merged = await job('run-2', 'merge', { 'merge-shards': true });
    if (!merged.ok) throw new Error(`the merge failed:\n${explain(merged)}`);
    expect(counts(merged)).toEqual(counts(unsharded));
  }, 300_000);

  test('a missing shard fails the merge and names it', async () => {
    artifacts.remove('run-2', 'slipway-shard-3-of-4');
    const merged = await job('run-2', 'merge-again', { 'merge-shards': true });
    expect(merged.ok).toBe(false);
    expect(merged.outputs.result).toBe('failure');
    expect(`${merged.stdout}`).toMatch(/merge-shards: shard 3 of 4 is missing \(no slipway-shard-3-of-4\)/);
  }, 120_000);
});

/** examples/node-app with its one test file and three more, each testing part of src/app.js. */
function nodeTests(project: string): void {
  const app = "const { createApp, createStore, validateItem } = require('../src/app');\n";
  writeFileSync(
    path.join(project, 'test', 'validate.test.js'),
    `${app}\ntest('a good item', () => expect(validateItem({ name: 'a', quantity: 1 })).toEqual([]));\ntest('no object', () => expect(validateItem(null)).toEqual(['body must be a JSON object']));\ntest('bad quantity', () => expect(validateItem({ name: 'a', quantity: -1 })).toHaveLength(1));\n`
  );
  writeFileSync(
    path.join(project, 'test', 'store.test.js'),
    `${app}\ntest('ids go on from the highest', () => expect(createStore([{ id: 4, name: 'x', quantity: 1 }]).add('y', 2).id).toBe(5));\ntest('empty', () => expect(createStore().list()).toEqual([]));\n`
  );
  writeFileSync(
    path.join(project, 'test', 'server.test.js'),
    `${app}\ntest('listens and closes', async () => {\n  const server = createApp();\n  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));\n  const res = await fetch(\`http://127.0.0.1:\${server.address().port}/items\`);\n  expect(res.status).toBe(200);\n  await new Promise((resolve) => server.close(resolve));\n});\n`
  );
}

describe('test shards of a Node project (jest, in a folder of the repository)', () => {
  test('three shards merge to the unsharded counts and coverage', async () => {
    const job = new ProjectJob(path.join(repoRoot(), 'examples', 'node-app'), 'app', () => ({ timeoutMs: 110_000 }));
    const as = (runId: string, jobId: string) => ({ cacheService: { env: () => artifacts.envFor(runId, jobId) }, env: { GITHUB_RUN_ID: runId } });
    for (const i of [1, 2, 3]) {
      const shard = await job.run({ ...as('node-1', `test-${i}`), inputs: { lint: false, shard: `${i}/3` } }, nodeTests);
      if (!shard.ok) throw new Error(`shard ${i} failed:\n${explain(shard)}`);
      expect(shard.log).toMatch(new RegExp(`shard ${i}/3: \\d of 4 test files, split by file size`));
      expect(shard.log).toMatch(/--runTestsByPath test\//);
    }
    const merged = await job.run({ ...as('node-1', 'merge'), inputs: { lint: false, 'merge-shards': true } }, nodeTests);
    if (!merged.ok) throw new Error(`the merge failed:\n${explain(merged)}`);
    const unsharded = await job.run({ ...as('node-0', 'build'), inputs: { lint: false } }, nodeTests);
    if (!unsharded.ok) throw new Error(`the unsharded run failed:\n${explain(unsharded)}`);
    expect(counts(merged)).toEqual(counts(unsharded));
    expect(Number(unsharded.outputs['tests-passed'])).toBeGreaterThanOrEqual(9);
    expect(Number(unsharded.outputs.coverage)).toBeGreaterThan(0);
  }, 300_000);
});
