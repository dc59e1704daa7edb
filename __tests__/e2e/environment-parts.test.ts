/**
 * End to end: an installed environment kept in GitHub's cache service (v2) as four parts restored at
 * once, with Python's seed packages (pip, setuptools, wheel) in an entry of their own, on the BUNDLED
 * action with real pip (local mirror), the example Flask app and the fake cache service.
 *
 * - The restored virtualenv is the installed one, byte for byte: paths, types, modes, contents, links.
 * - A run with a `test-command` gets the seed back (`python -m pip` works in it); a run with the
 *   detected commands does not (pip's files are absent, its .dist-info is there).
 * - A part lost from the cache is one warning and a fresh install, which saves that part again; the
 *   next run is a clean hit.
 * - An entry of the old layout (one archive under the environment's key itself) is never restored.
 *
 * One runner's consecutive jobs (support/job.ts): RUNNER_TEMP is emptied before each run, so every
 * warm run restores into a virtualenv folder that is not there, as on a new runner.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { groupLines, type ActionResult } from './support/action-runner.js';
import { expectSuccess } from './support/assertions.js';
import { environmentEntries, environmentSaved, partKeys, seedKey } from './support/environment-entries.js';
import { ProjectJob } from './support/job.js';
import { pipMirrorEnv } from './support/python.js';
import { cacheSuite } from './support/suite.js';
import { makeTempDir, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const EXAMPLE = path.join(repoRoot(), 'examples', 'flask-app');

const suite = cacheSuite('environment-parts.test');
const job = new ProjectJob(EXAMPLE, 'app', () => ({ actionDir: ACTION_DIR, cacheService: suite.cache, env: pipMirrorEnv() }));

const installLog = (result: ActionResult): string => groupLines(result, 'install').join('\n');
const pipInstalls = (result: ActionResult): string[] =>
  groupLines(result, 'install').filter((line) => line.startsWith('$ ') && / -m (pip install|venv) /.test(line));
/** The run's own warnings (ruff's findings in the example app are warnings on its files). */
const warnings = (result: ActionResult): string[] => result.annotations.filter((a) => a.level === 'warning' && a.file === undefined).map((a) => a.message);

/** One file, folder or link of a tree: everything that makes two trees the same. */
interface TreeEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: string;
  size?: number;
  sha256?: string;
  target?: string;
}

/** Every entry under `root` (the root itself as `.`), by relative path; links are not followed. */
function snapshot(root: string): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const walk = (relative: string): void => {
    const full = path.join(root, relative);
    const stat = lstatSync(full);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) out[relative] = { type: 'symlink', mode, target: readlinkSync(full) };
    else if (stat.isFile()) {
      out[relative] = { type: 'file', mode, size: stat.size, sha256: createHash('sha256').update(readFileSync(full)).digest('hex') };
    } else if (stat.isDirectory()) {
      out[relative] = { type: 'dir', mode };
      for (const name of readdirSync(full).sort()) walk(path.join(relative, name));
    } else throw new Error(`neither file, folder nor link: ${full}`);
  };
  walk('.');
  return out;
}

/** The virtualenv's site-packages folder (lib/python3.X/site-packages). */
function sitePackages(venv: string): string {
  const lib = path.join(venv, 'lib');
  const [python] = readdirSync(lib).filter((name) => name.startsWith('python'));
  if (!python) throw new Error(`no lib/python* in ${venv}`);
  return path.join(lib, python, 'site-packages');
}

/**
 * Saves `paths` under `key` the way Slipway did before environments were cut into parts: one
 * archive, by the real @actions/cache (the same version as Slipway's lookups: same paths, same
 * compression), in a process of its own with the runner's variables for the fake service.
 */
async function saveWholeArchive(paths: string[], key: string, workspace: string): Promise<number> {
  const script = [
    "import * as cache from '@actions/cache';",
    'const id = await cache.saveCache(JSON.parse(process.env.SAVE_PATHS), process.env.SAVE_KEY);',
    "if (id === -1) throw new Error('the entry was not saved');"
  ].join('\n');
  // Not a synchronous child: the fake service answers from this process's event loop.
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot(),
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      ...suite.cache.env(),
      // A loopback GITHUB_SERVER_URL would make the library think it runs on GHES (cache v1).
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: makeTempDir('slipway-old-save-'),
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      SAVE_PATHS: JSON.stringify(paths),
      SAVE_KEY: key
    },
    timeout: 60_000
  });
  return suite.cache.entries().find((entry) => entry.key === key)?.id ?? -1;
}

describe('an environment cached as four parts and a seed entry (example app)', () => {
  let cold: ActionResult;
  let key: string;
  let installed: Record<string, TreeEntry>;

  beforeAll(async () => {
    cold = await job.run();
    suite.timings['cold'] = cold.durationMs;
    key = cold.outputs['cache-key'] ?? '';
    // Taken before anything else runs: the next run empties RUNNER_TEMP.
    if (cold.ok) installed = snapshot(job.venv(cold));
  }, 180_000);

  test('the cold run installs and saves four non-empty parts and the seed entry', () => {
    expectSuccess(cold);
    expect(cold.outputs['cache-hit']).toBe('false');
    expect(key).not.toBe('');
    expect(installLog(cold)).toContain(`Cache key: ${key}`);
    expect(pipInstalls(cold)).toEqual(expect.arrayContaining([expect.stringMatching(/ -m pip install /)]));
    const saved = environmentEntries(suite.cache, key);
    expect(saved.map((entry) => entry.key)).toEqual([...partKeys(key), seedKey(key)]);
    for (const entry of saved) expect(entry.size).toBeGreaterThan(0);
    // No entry of the old layout, under the key itself.
    expect(suite.cache.entries().filter((entry) => entry.key === key)).toEqual([]);
    // The installed environment has pip, and one marker per part.
    const site = sitePackages(job.venv(cold));
    expect(existsSync(path.join(site, 'pip', '__init__.py'))).toBe(true);
    expect(Object.keys(installed).filter((name) => /^\.slipway-part-\d-of-4$/.test(name))).toHaveLength(4);
    // What the byte-for-byte comparison covers: links (the interpreter), scripts, thousands of files.
    expect(installed['bin/python']?.type).toBe('symlink');
    expect(installed['bin/flask']).toMatchObject({ type: 'file', mode: '755' });
    expect(Object.values(installed).filter((entry) => entry.type === 'file').length).toBeGreaterThan(1000);
  });

  /** A warm run that must be a clean hit of the cold run's key: tests passed, no install, no warning. */
  async function warmHit(name: string, inputs: Record<string, string> = {}): Promise<ActionResult> {
    const warm = await job.run({ inputs });
    suite.timings[name] = warm.durationMs;
    expectSuccess(warm);
    expect(warm.outputs).toMatchObject({ 'cache-hit': 'true', 'cache-key': key, 'tests-passed': '5', 'tests-failed': '0' });
    expect(pipInstalls(warm)).toEqual([]);
    expect(warnings(warm)).toEqual([]);
    return warm;
  }

  test('a warm run with a test-command restores the installed environment byte for byte, seed included', async () => {
    const warm = await warmHit('warm-with-seed', { 'test-command': 'python -m pytest' });
    expect(installLog(warm)).toContain(`Restored 5 of 5 cache entries`);
    const restored = snapshot(job.venv(warm));
    expect(Object.keys(restored)).toEqual(Object.keys(installed));
    expect(restored).toEqual(installed);
  }, 120_000);

  test('python -m pip runs after a warm restore when the test-command asks for it', async () => {
    const warm = await warmHit('warm-pip-tier', { 'test-command': 'python -m pip --version\npython -m pytest' });
    const venv = job.venv(warm);
    // pip's own line, naming the copy in the restored environment.
    expect(warm.stdout).toMatch(new RegExp(`pip \\d+[^ ]* from ${escape(sitePackages(venv))}/pip \\(python `));
  }, 120_000);

  test('with the detected commands the seed is not restored: no pip package, its .dist-info is there', async () => {
    const warm = await warmHit('warm-default');
    expect(installLog(warm)).toContain(`Restored 4 of 4 cache entries`);
    const site = sitePackages(job.venv(warm));
    expect(existsSync(path.join(site, 'pip'))).toBe(false);
    expect(readdirSync(site).filter((name) => /^pip-[\d.]+\.dist-info$/.test(name))).toHaveLength(1);
    expect(existsSync(path.join(site, 'flask', '__init__.py'))).toBe(true);
  }, 120_000);

  test('a part missing from the cache: one warning, a fresh install that saves the part again, then a clean hit', async () => {
    const before = environmentEntries(suite.cache, key);
    const lost = partKeys(key)[2] ?? '';
    expect(await suite.cache.remove(lost)).toBe(true);
    expect(environmentSaved(suite.cache, key)).toBe(false);

    const miss = await job.run();
    suite.timings['missing-part'] = miss.durationMs;
    expectSuccess(miss);
    expect(miss.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-key': key, 'tests-passed': '5', 'tests-failed': '0' });
    expect(pipInstalls(miss)).toEqual(expect.arrayContaining([expect.stringMatching(/ -m venv /), expect.stringMatching(/ -m pip install /)]));
    const said = warnings(miss);
    expect(said).toEqual([expect.stringContaining(`The cache entry for ${key} is incomplete (${lost} missing); installing afresh`)]);

    // The lost part is back (a new entry); the others were kept, not uploaded again.
    const after = environmentEntries(suite.cache, key);
    expect(after.map((entry) => entry.key)).toEqual([...partKeys(key), seedKey(key)]);
    const ids = (entries: typeof after): Record<string, number> => Object.fromEntries(entries.map((entry) => [entry.key, entry.id]));
    const { [lost]: lostBefore, ...keptBefore } = ids(before);
    const { [lost]: lostAfter, ...keptAfter } = ids(after);
    expect(keptAfter).toEqual(keptBefore);
    expect(lostAfter).not.toBe(lostBefore);

    await warmHit('after-missing-part', { 'test-command': 'python -m pytest' });
  }, 180_000);

  test('an entry of the old layout under the key itself is never restored', async () => {
    // The last run's environment, with a file no install makes, saved as one archive under the key.
    const venv = job.venv(cold);
    expect(existsSync(venv)).toBe(true);
    writeFileSync(path.join(venv, 'old-layout-marker'), 'saved as one archive\n');
    suite.cache.clear();
    const oldId = await saveWholeArchive([venv], key, job.workspace);
    const old = suite.cache.entries().find((entry) => entry.key === key);
    expect(old?.id).toBe(oldId);
    expect(old?.size).toBeGreaterThan(0);
    suite.cache.requests.length = 0;

    const run = await job.run();
    suite.timings['old-layout'] = run.durationMs;
    expectSuccess(run);
    expect(run.outputs).toMatchObject({ 'cache-hit': 'false', 'cache-key': key, 'tests-passed': '5', 'tests-failed': '0' });
    expect(pipInstalls(run)).toEqual(expect.arrayContaining([expect.stringMatching(/ -m venv /), expect.stringMatching(/ -m pip install /)]));
    expect(warnings(run)).toEqual([]);
    expect(existsSync(path.join(job.venv(run), 'old-layout-marker'))).toBe(false);
    // Its archive was never downloaded (blobs are named `<id>-…`).
    expect(suite.cache.requests.filter((request) => request.kind === 'blob' && path.basename(request.path).startsWith(`${oldId}-`))).toEqual([]);
    // The new layout was saved beside it, under the same cache version: the old entry was findable, and ignored.
    const saved = environmentEntries(suite.cache, key);
    expect(saved.map((entry) => entry.key)).toEqual([...partKeys(key), seedKey(key)]);
    for (const entry of saved) expect(entry.version).toBe(old?.version);
  }, 180_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
