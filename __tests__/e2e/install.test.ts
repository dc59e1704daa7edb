/**
 * End to end: the install stage's checksum-keyed environment cache, on the BUNDLED action
 * (dist/index.js run like the Actions runner does), real pip (local mirror) and the real
 * @actions/cache talking to a fake of GitHub's cache service v2.
 *
 * Consecutive "jobs" of one runner are emulated by keeping GITHUB_WORKSPACE and RUNNER_TEMP at the
 * same absolute paths and emptying them between runs (freshCheckout / wipeDir), as GitHub's hosted
 * runners do (/home/runner/work/<repo>/<repo>, /home/runner/work/_temp): the cache version and the
 * virtual environment both depend on those paths.
 *
 * Heavy runs (a cold pip install is ~15-25 s here) happen once each, in order, in the first
 * describe block; later tests reuse the warm cache.
 *
 * SLIPWAY_E2E_ACTION_DIR runs the tests against another build of the action (a folder with
 * action.yml and dist/); default: this repository.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { groupLines, runAction, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { expectFailure, expectSuccess, STACK_FRAME } from './support/assertions.js';
import { closedPortUrl, startCacheService, type CacheService } from './support/cache-service.js';
import { entryHolding, environmentEntries, environmentKeys, partKeys } from './support/environment-entries.js';
import { defaultPython, pipMirrorEnv } from './support/python.js';
import { createWorkspace, freshCheckout, makeTempDir, removeTempDirs, repoRoot, wipeDir } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const EXAMPLE = path.join(repoRoot(), 'examples', 'flask-app');
const PYTHON_VERSION = execFileSync(defaultPython(), ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
/** The OS release segment: the runner's ImageOS (`ubuntu24`), else os-release's ID and VERSION_ID (`debian12`). */
const IMAGE = '[a-z]+[0-9.]*';
const KEY_SHAPE = new RegExp(`^slipway-v1-linux-x64-${IMAGE}-python-cpython-${PYTHON_VERSION.replace(/\./g, '\\.')}-[0-9a-f]{8}-[0-9a-f]{64}$`);

let svc: CacheService;
let storage: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  storage = makeTempDir('slipway-cache-store-');
  svc = await startCacheService({ storageDir: storage });
});

afterAll(async () => {
  await svc?.stop();
  removeTempDirs();
  process.stderr.write(`install.test timings (ms): ${JSON.stringify(timings)}\n`);
});

/** One job of the runner: the workspace and RUNNER_TEMP at fixed paths, both emptied first. */
interface Job {
  workspace: string;
  jobDir: string;
}

function newJob(fixture: string): Job {
  return { workspace: createWorkspace(fixture), jobDir: makeTempDir('slipway-job-') };
}

async function runJob(job: Job, fixture: string, options: Partial<RunActionOptions> = {}, prepare?: (ws: string) => void): Promise<ActionResult> {
  freshCheckout(job.workspace, fixture);
  wipeDir(job.jobDir);
  prepare?.(job.workspace);
  return runAction({
    workspace: job.workspace,
    jobDir: job.jobDir,
    actionDir: ACTION_DIR,
    cacheService: svc,
    ...options,
    env: { ...pipMirrorEnv(), ...options.env }
  });
}

/** Commands the stage ran (`$ …` lines of its log). */
function commandsRun(result: ActionResult, stage: string): string[] {
  return groupLines(result, stage).filter((line) => line.startsWith('$ '));
}

const pipInstalls = (result: ActionResult): string[] => commandsRun(result, 'install').filter((c) => /-m pip install|-m venv/.test(c));

/** Overwrites the stored archive of a cache entry: what the next restore downloads. */
function corruptEntry(key: string, edit: string): void {
  const entry = svc.entries().find((e) => e.key === key);
  if (!entry) throw new Error(`no cache entry ${key}`);
  const blob = path.join(storage, 'blobs', `${entry.id}-${createHash('sha1').update(`${key}\0${entry.version}`).digest('hex').slice(0, 16)}`);
  expect(existsSync(blob)).toBe(true);
  // Rewrites the tar (zstd or gzip, as @actions/cache made it) with Python's tarfile; `edit` is a
  // Python statement run for each member `m` (a tarfile.TarInfo).
  const script = [
    'import io, subprocess, sys, tarfile',
    'path, edit = sys.argv[1], sys.argv[2]',
    'raw = open(path, "rb").read()',
    'zstd = raw[:4] == b"\\x28\\xb5\\x2f\\xfd"',
    'data = subprocess.run(["zstd", "-d", "-c", "--long=30"], input=raw, stdout=subprocess.PIPE, check=True).stdout if zstd else raw',
    'src = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")',
    'out = io.BytesIO()',
    'dst = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)',
    'edited = 0',
    'for m in src.getmembers():',
    '    before = (m.name, m.linkname)',
    '    exec(edit)',
    '    edited += (m.name, m.linkname) != before',
    '    dst.addfile(m, src.extractfile(m) if m.isfile() else None)',
    'dst.close()',
    'body = out.getvalue()',
    'if zstd: body = subprocess.run(["zstd", "-c", "-T0"], input=body, stdout=subprocess.PIPE, check=True).stdout',
    'else:',
    '    import gzip; body = gzip.compress(body)',
    'open(path, "wb").write(body)',
    'print(edited)'
  ].join('\n');
  const edited = Number(execFileSync(defaultPython(), ['-c', script, blob, edit], { encoding: 'utf8' }).trim());
  expect(edited).toBeGreaterThan(0);
}

describe('checksum-keyed environment cache (example app)', () => {
  let job: Job;
  let cold: ActionResult;
  let warm: ActionResult;
  let coldKey: string;

  beforeAll(async () => {
    job = newJob(EXAMPLE);
    cold = await runJob(job, EXAMPLE);
    timings['cold'] = cold.durationMs;
    coldKey = cold.outputs['cache-key'] ?? '';
    svc.requests.length = 0;
    warm = await runJob(job, EXAMPLE);
    timings['warm'] = warm.durationMs;
  }, 240_000);

  test('a cold run installs, succeeds and saves the environment under the documented key', () => {
    expectSuccess(cold);
    expect(cold.outputs['cache-hit']).toBe('false');
    expect(coldKey).toMatch(KEY_SHAPE);
    // The key is what the log says it is, and what was stored.
    expect(groupLines(cold, 'install')).toContain(`Cache key: ${coldKey}`);
    // Saved as its four parts and the seed packages (the project needs none of them), once each.
    const saved = environmentEntries(svc, coldKey);
    expect(saved.map((e) => e.key)).toEqual(environmentKeys(coldKey, { seed: true }));
    for (const entry of saved) expect(entry.size).toBeGreaterThan(0);
    // A whole virtual environment, not empty archives.
    expect(saved.reduce((sum, e) => sum + e.size, 0)).toBeGreaterThan(1_000_000);
    // pip really ran, from the project's requirements files.
    expect(pipInstalls(cold)).toEqual(
      expect.arrayContaining([expect.stringMatching(/-m venv /), expect.stringMatching(/-m pip install .*-r requirements-dev\.txt -r requirements\.txt/)])
    );
    expect(groupLines(cold, 'install').join('\n')).toMatch(/Successfully installed .*flask-/);
  });

  test('a warm run in a fresh checkout and a fresh RUNNER_TEMP restores the environment and installs nothing', () => {
    expectSuccess(warm);
    expect(warm.outputs['cache-hit']).toBe('true');
    expect(warm.outputs['cache-key']).toBe(coldKey);
    expect(pipInstalls(warm)).toEqual([]);
    expect(groupLines(warm, 'install').join('\n')).not.toMatch(/Successfully installed|Collecting |Processing /);
    // All four parts were restored (no seed packages: no command of the project's own needs them).
    const allParts = `: ${partKeys(coldKey).join(', ')}`;
    expect(groupLines(warm, 'install').some((l) => l.startsWith('Restored 4 of 4 cache entries ') && l.endsWith(allParts))).toBe(true);
    // The restored environment is trusted from its link and the install's record: the only command
    // the install stage starts is the one interpreter probe that the key needs.
    expect(groupLines(warm, 'install').filter((l) => l.startsWith('$ '))).toEqual([expect.stringMatching(/^\$ python3 -c /)]);
    // Nothing was uploaded: the service saw lookups and a download only (the commit's coverage
    // baseline exists already: 409, no upload).
    expect(svc.requests.filter((r) => r.kind === 'CreateCacheEntry' && r.status !== 409)).toEqual([]);
    expect(svc.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(svc.requests.some((r) => r.kind === 'GetCacheEntryDownloadURL' && r.status === 200)).toBe(true);
    // The restored environment is the one the tests ran in.
    expect(warm.outputs['tests-passed']).toBe('5');
    expect(warm.log).toMatch(/✓ install .*restored from cache/);
  });

  test('a changed requirements file misses with a new key; the same change again hits; the old files hit the old key', async () => {
    const addSix = (ws: string): void => appendFileSync(path.join(ws, 'requirements.txt'), 'six==1.17.0\n');
    const changed = await runJob(job, EXAMPLE, {}, addSix);
    timings['changed-requirements'] = changed.durationMs;
    expectSuccess(changed);
    const changedKey = changed.outputs['cache-key'] ?? '';
    expect(changed.outputs['cache-hit']).toBe('false');
    expect(changedKey).toMatch(KEY_SHAPE);
    expect(changedKey).not.toBe(coldKey);
    // Only the dependency checksum differs: same version, platform, runtime and interpreter.
    expect(changedKey.slice(0, -64)).toBe(coldKey.slice(0, -64));
    expect(groupLines(changed, 'install').join('\n')).toMatch(/Successfully installed .*six-1\.17\.0/);
    expect(environmentEntries(svc, changedKey).map((e) => e.key)).toEqual(environmentKeys(changedKey, { seed: true }));

    const again = await runJob(job, EXAMPLE, {}, addSix);
    expectSuccess(again);
    expect(again.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': changedKey });
    expect(pipInstalls(again)).toEqual([]);

    const reverted = await runJob(job, EXAMPLE);
    expectSuccess(reverted);
    expect(reverted.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': coldKey });
    expect(pipInstalls(reverted)).toEqual([]);
  }, 180_000);

  test('the runner image is part of the key: an environment built on one OS release is never restored on another', async () => {
    const on = (image: string) => runJob(job, EXAMPLE, { env: { ImageOS: image } });
    const jammy = await on('ubuntu22');
    expectSuccess(jammy);
    const jammyKey = jammy.outputs['cache-key'] ?? '';
    expect(jammy.outputs['cache-hit']).toBe('false');
    expect(jammyKey).toBe(coldKey.replace(/^(slipway-v1-linux-x64-)[^-]+-/, '$1ubuntu22-'));
    expect(pipInstalls(jammy)).toEqual(expect.arrayContaining([expect.stringMatching(/-m pip install/)]));
    const noble = await on('ubuntu24');
    expect(noble.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-key': coldKey.replace(/^(slipway-v1-linux-x64-)[^-]+-/, '$1ubuntu24-') });
    expect(pipInstalls(noble)).toEqual(expect.arrayContaining([expect.stringMatching(/-m pip install/)]));
    const jammyAgain = await on('ubuntu22');
    expect(jammyAgain.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': jammyKey });
    expect(pipInstalls(jammyAgain)).toEqual([]);
  }, 180_000);

  test('cache-version: v2 discards the old caches (a new key); a broken environment restored under it is rebuilt with a warning', async () => {
    const v2 = await runJob(job, EXAMPLE, { inputs: { 'cache-version': 'v2' } });
    timings['cache-version-v2'] = v2.durationMs;
    expectSuccess(v2);
    const v2Key = v2.outputs['cache-key'] ?? '';
    expect(v2.outputs['cache-hit']).toBe('false');
    expect(v2Key).toBe(coldKey.replace(/^slipway-v1-/, 'slipway-v2-'));
    expect(pipInstalls(v2).length).toBeGreaterThan(0);
    expect(environmentEntries(svc, v2Key).map((e) => e.key)).toEqual(environmentKeys(v2Key, { seed: true }));

    // The stored environment's interpreter link now points nowhere (what a runner image that moved
    // or removed the Python the environment was made with looks like). The key still matches.
    // Only the part whose archive holds that link is rewritten.
    const linkPart = await entryHolding(svc, v2Key, (m) => m.type === 'symlink' && m.name.includes('/venv/bin/python') && m.linkname.startsWith('/'));
    expect(partKeys(v2Key)).toContain(linkPart);
    corruptEntry(linkPart, 'if m.issym() and "/venv/bin/python" in m.name and m.linkname.startswith("/"): m.linkname = "/nonexistent/slipway-e2e/bin/python3"');
    const broken = await runJob(job, EXAMPLE, { inputs: { 'cache-version': 'v2' } });
    timings['broken-restore'] = broken.durationMs;
    expectSuccess(broken);
    expect(broken.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-key': v2Key, 'tests-passed': '5', 'tests-failed': '0' });
    const warnings = broken.annotations.filter((a) => a.level === 'warning' && /restored from the cache/i.test(a.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(v2Key);
    // It was restored, found broken, and installed afresh.
    const install = groupLines(broken, 'install').join('\n');
    expect(install).toContain(`Restored 4 of 4 cache entries `);
    expect(install).toContain(partKeys(v2Key).join(', '));
    expect(pipInstalls(broken)).toEqual(expect.arrayContaining([expect.stringMatching(/-m venv /), expect.stringMatching(/-m pip install /)]));
    expect(broken.annotations.filter((a) => a.level === 'error')).toEqual([]);
  }, 180_000);
});

describe('cache service failures never fail the job', () => {
  const FIXTURE = 'pip-unittest';
  let results: Record<'refused' | 'reset' | 'unauthenticated', ActionResult>;
  let failing: CacheService;

  beforeAll(async () => {
    // Its own service, so that breaking it cannot disturb the other tests' cache.
    failing = await startCacheService();
    failing.setFailureMode('reset');
    const unauthenticated = await startCacheService({ failureMode: 'unauthenticated' });
    const closed = await closedPortUrl();
    const refusing = { env: () => ({ ACTIONS_CACHE_SERVICE_V2: 'true', ACTIONS_RESULTS_URL: closed, ACTIONS_RUNTIME_TOKEN: 'fake-token' }) };
    try {
      // Independent jobs: run them side by side to save time.
      const [refused, reset, denied] = await Promise.all([
        runJob(newJob(FIXTURE), FIXTURE, { cacheService: refusing }),
        runJob(newJob(FIXTURE), FIXTURE, { cacheService: failing }),
        runJob(newJob(FIXTURE), FIXTURE, { cacheService: unauthenticated })
      ]);
      results = { refused, reset, unauthenticated: denied };
    } finally {
      await unauthenticated.stop();
    }
  }, 180_000);

  afterAll(async () => {
    await failing?.stop();
  });

  test.each(['refused', 'reset', 'unauthenticated'] as const)('cache service %s: success with a warning, tests still run', (mode) => {
    const result = results[mode];
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'false', 'tests-passed': '1', 'tests-failed': '0' });
    expect(result.outputs['cache-key']).toMatch(KEY_SHAPE);
    const cacheWarnings = result.annotations.filter((a) => a.level === 'warning' && /cache/i.test(a.message));
    expect(cacheWarnings.length).toBeGreaterThanOrEqual(1);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    // The environment was installed anyway and the pipeline went on.
    expect(groupLines(result, 'install').join('\n')).toMatch(/Successfully installed six-1\.17\.0/);
    expect(result.log).toMatch(/✓ test /);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(STACK_FRAME);
  });

  test('nothing was stored by the failing services', () => {
    expect(failing.entries(true)).toEqual([]);
  });

  test('a failed save is not reported as "cached" in the install headline', () => {
    // Nothing was saved (the one warning says so); the stage's own line must not claim the opposite.
    const result = results.reset;
    expect(result.annotations.some((a) => a.level === 'warning' && /saves nothing/i.test(a.message))).toBe(true);
    const line = result.log.split('\n').find((l) => /^\S+ install /.test(l)) ?? '';
    expect(line).toMatch(/installed with pip/);
    expect(line).not.toMatch(/and cached/);
  });
});

describe('a custom install-command that fails', () => {
  const FIXTURE = 'pip-unittest';
  let result: ActionResult;
  let entriesBefore: number;

  beforeAll(async () => {
    entriesBefore = svc.entries(true).length;
    result = await runJob(newJob(FIXTURE), FIXTURE, {
      inputs: {
        'install-command': [
          `python -c "import sys; print('INSTALL-PREFIX=' + sys.prefix)"`,
          // Tools often end with an error message that has no trailing newline.
          // (Built at run time, so that the command line echoed in the log does not contain the text.)
          `python -c "import sys; print('resolving ' + 'frobnicate==9'); sys.stderr.write('ERROR: no matching distribution for ' + 'frobnicate==9'); sys.exit(3)"`
        ].join('\n')
      }
    });
    timings['failing-install'] = result.durationMs;
  }, 120_000);

  test('fails the step at install, names the exit code, runs no tests and caches nothing', () => {
    expectFailure(result);
    const failures = result.annotations.filter((a) => a.level === 'error');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toMatch(/install/);
    expect(failures[0]?.message).toMatch(/\b3\b/);
    expect(result.stdout).not.toContain('::group::test');
    expect(result.outputs['tests-passed']).toBe(''); // no test ran: not measured, so empty
    expect(svc.entries(true).length).toBe(entriesBefore);
  });

  test("the failing command's last words are in the log, even without a trailing newline", () => {
    const output = groupLines(result, 'install').filter((line) => !line.startsWith('$ '));
    expect(output).toContain('resolving frobnicate==9');
    expect(output).toContain('ERROR: no matching distribution for frobnicate==9');
  });

  test('install-command runs inside the virtual environment ("python" is the environment\'s)', () => {
    const stateRoot = path.join(result.runnerTemp, 'slipway');
    const venv = readdirSync(stateRoot)
      .map((d) => path.join(stateRoot, d, 'venv'))
      .find((d) => existsSync(path.join(d, 'pyvenv.cfg')));
    expect(venv).toBeDefined();
    expect(groupLines(result, 'install').filter((l) => l.startsWith('INSTALL-PREFIX='))).toEqual([`INSTALL-PREFIX=${venv}`]);
  });
});

describe('bad inputs fail the step with one clear error', () => {
  let job: Job;
  beforeAll(() => {
    job = newJob(EXAMPLE);
  });

  test.each([
    ['language', { language: 'cobol' }],
    ['coverage-min', { 'coverage-min': 'ninety' }],
    ['working-directory', { 'working-directory': 'services/missing' }],
    ['cache-dependency-path', { 'cache-dependency-path': 'requirements-lock*.txt' }]
  ])('%s', async (input, inputs) => {
    const before = svc.requests.length;
    const result = await runJob(job, EXAMPLE, { inputs });
    expectFailure(result);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(`\`${input}\``);
    expect(errors[0]?.message).toContain(String(Object.values(inputs)[0]));
    expect(result.stdout).not.toMatch(/unexpectedly/i);
    // Validation happens before any work: no install, no cache traffic.
    expect(result.stdout).not.toContain('::group::install');
    expect(svc.requests.length).toBe(before);
  });
});

describe('a project with nothing to install', () => {
  test('only the standard library and a unittest test: success, no cache entry, tests run', async () => {
    const fixture = 'bare-unittest';
    const job = newJob(fixture);
    // Environment entries only: a default-branch push also leaves its coverage baseline.
    const environments = (): number => svc.entries(true).filter((e) => !e.key.startsWith('slipway-baseline-')).length;
    const entriesBefore = environments();
    const result = await runJob(job, fixture);
    timings['nothing-to-install'] = result.durationMs;
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-key': '', 'tests-passed': '2', 'tests-failed': '0' });
    expect(result.log).toMatch(/✓ install .*nothing to install/);
    expect(commandsRun(result, 'install').filter((c) => /pip install/.test(c))).toEqual([]);
    expect(environments()).toBe(entriesBefore);
    expect(result.annotations.filter((a) => a.level === 'error' || a.level === 'warning')).toEqual([]);
    // The environment exists (the test stage ran in it) even though nothing was installed.
    const stateRoot = path.join(result.runnerTemp, 'slipway');
    const venvs = readdirSync(stateRoot).filter((d) => existsSync(path.join(stateRoot, d, 'venv', 'pyvenv.cfg')));
    expect(venvs).toHaveLength(1);
    expect(readFileSync(path.join(stateRoot, venvs[0] ?? '', 'venv', 'pyvenv.cfg'), 'utf8')).toContain(`version = ${PYTHON_VERSION}`);
  }, 60_000);
});
