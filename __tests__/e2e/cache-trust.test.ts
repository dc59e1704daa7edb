/**
 * Cache poisoning: a run of an untrusted event (`pull_request_target`, a fork's pull request) may
 * restore but must save nothing, neither the environment nor the package manager's download cache:
 * trusted runs would restore it. On the BUNDLED action against the fake cache service.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { groupLines, runAction, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { expectSuccess } from './support/assertions.js';
import { startCacheService, type CacheService } from './support/cache-service.js';
import { environmentEntries, environmentKeys } from './support/environment-entries.js';
import { startPypiHttpMirror, type PypiHttpMirror } from './support/pypi-http.js';
import { pipMirrorEnv } from './support/python.js';
import { createWorkspace, freshCheckout, makeTempDir, removeTempDirs, wipeDir } from './support/workspace.js';

const FIXTURE = 'pip-unittest';
const FORK = { pull_request: { head: { repo: { full_name: 'mallory/shop' } } } };
// Over HTTP pip fills its download cache: each run has one to save (or not).
let mirror: PypiHttpMirror | undefined;

beforeAll(async () => {
  mirror = await startPypiHttpMirror();
});

afterAll(async () => {
  await mirror?.stop();
  removeTempDirs();
});

/** One job of a runner: fixed workspace and RUNNER_TEMP paths (so cache versions match), emptied before each run. */
function job(svc: CacheService): (options?: Partial<RunActionOptions>) => Promise<ActionResult> {
  const workspace = createWorkspace(FIXTURE);
  const jobDir = makeTempDir('slipway-job-');
  return (options = {}) => {
    freshCheckout(workspace, FIXTURE);
    wipeDir(jobDir);
    return runAction({ workspace, jobDir, cacheService: svc, ...options, env: { ...(mirror?.env ?? pipMirrorEnv()), ...options.env } });
  };
}

const saves = (svc: CacheService) => svc.requests.filter((r) => r.kind === 'CreateCacheEntry');

/** What pip left in the run's download cache (RUNNER_TEMP/slipway/<project>/pip-downloads). */
function downloadCache(result: ActionResult): string[] {
  const state = path.join(result.runnerTemp, 'slipway');
  return readdirSync(state).flatMap((project) => {
    try {
      return readdirSync(path.join(state, project, 'pip-downloads'));
    } catch {
      return [];
    }
  });
}

describe('untrusted events save no cache', () => {
  let target: { svc: CacheService; result: ActionResult };
  let fork: { svc: CacheService; result: ActionResult };

  beforeAll(async () => {
    // Each on its own (empty) service: a miss, an install, and then the save that must not happen.
    const [targetSvc, forkSvc] = await Promise.all([startCacheService(), startCacheService()]);
    const [targetRun, forkRun] = await Promise.all([job(targetSvc)({ event: 'pull_request_target' }), job(forkSvc)({ event: 'pull_request', payload: FORK })]);
    target = { svc: targetSvc, result: targetRun };
    fork = { svc: forkSvc, result: forkRun };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([target?.svc.stop(), fork?.svc.stop()]);
  });

  test.each([
    [
      'pull_request_target',
      () => target,
      'Not saving the cache: this is a pull_request_target run (it may run a fork’s code with the base branch’s cache scope).'
    ],
    ['a fork’s pull_request', () => fork, 'Not saving the cache: this is a pull request from a fork.']
  ])('%s: installs and tests, looks the cache up, creates no cache entry, and the log says why', (_, run, why) => {
    const { svc, result } = run();
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '1', 'tests-failed': '0' });
    expect(svc.requests.filter((r) => r.kind === 'GetCacheEntryDownloadURL').length).toBeGreaterThan(0);
    // There was a download cache to save, and an environment: neither was.
    expect(downloadCache(result).length).toBeGreaterThan(0);
    expect(saves(svc)).toEqual([]);
    expect(svc.entries(true)).toEqual([]);
    expect(groupLines(result, 'install')).toContain(why);
    expect(result.annotations.filter((a) => a.level === 'warning' && /cache/i.test(a.message))).toEqual([]);
  });
});

describe('a same-repository pull request saves, and untrusted runs may restore it', () => {
  let svc: CacheService;
  let run: ReturnType<typeof job>;
  let trusted: ActionResult;

  beforeAll(async () => {
    svc = await startCacheService();
    run = job(svc);
    trusted = await run({ event: 'pull_request' });
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
  });

  test('the environment and the download cache are saved', () => {
    expectSuccess(trusted);
    // The environment as its four parts and the seed packages (the project needs none), and the downloads.
    const key = trusted.outputs['cache-key'] ?? '';
    const environment = environmentKeys(key, { seed: true });
    expect(saves(svc)).toHaveLength(environment.length + 1);
    expect(environmentEntries(svc, key).map((e) => e.key)).toEqual(environment);
    const keys = svc.entries().map((e) => e.key);
    expect(keys.filter((k) => k.includes('-pip-downloads-'))).toHaveLength(1);
    expect(keys).toHaveLength(environment.length + 1);
    expect(groupLines(trusted, 'install').some((l) => l.startsWith('Not saving the cache'))).toBe(false);
  });

  test('a pull_request_target run restores the saved environment', async () => {
    svc.requests.length = 0;
    const restored = await run({ event: 'pull_request_target' });
    expectSuccess(restored);
    expect(restored.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': trusted.outputs['cache-key'] });
    expect(saves(svc)).toEqual([]);
  }, 120_000);
});
