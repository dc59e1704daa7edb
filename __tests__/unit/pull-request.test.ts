// A pull request's side over fake ports: its changed lines (the GitHub API, else git), the baseline
// through the cache (saved by default-branch pushes, restored by pull requests), and the one comment.
import { describe, expect, test } from '@jest/globals';
import { tmpdir } from 'node:os';
import { buildConfig, type Config } from '../../src/config.js';
import type { GitEvent, Ports, RunContext } from '../../src/context.js';
import type { Report } from '../../src/model.js';
import { GitHubApiError, type CacheStore, type GitHubApi, type PullRequestFileEntry } from '../../src/ports.js';
import { commentMarker } from '../../src/reports/pr-comment.js';
import { baselineKey, restoreBaseline, saveBaseline, savesBaseline } from '../../src/stages/baseline-cache.js';
import { changedLines, gitDiffArgs } from '../../src/stages/changed-lines.js';
import { commentJobId, commentOnPullRequest } from '../../src/stages/pull-request.js';
import { StageLog } from '../../src/stage-log.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp, type FakeFiles, type RunnerAnswer } from '../fixtures/fake-ports.js';

const root = tmpdir();
const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);
const pullRequest = { number: 7, baseRef: 'main', baseSha: BASE, headSha: HEAD };
const push: GitEvent = { name: 'push', ref: 'refs/heads/main', sha: BASE, defaultBranch: 'main', repository: 'acme/shop', serverUrl: 'https://github.com' };
const pr: GitEvent = { ...push, name: 'pull_request', ref: 'refs/pull/7/merge', sha: HEAD, pullRequest, job: 'build' };
const contextOf = (event: GitEvent): RunContext => ({
  repositoryRoot: root,
  stateDir: '/state/shop',
  tempDir: '/tmp/run',
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
  inActions: true,
  event
});
const config = async (overrides: Partial<Config> = {}): Promise<Config> => ({ ...(await buildConfig(() => '', root)), ...overrides });

const PATCH = '@@ -1,2 +1,3 @@\n a\n+b\n c';
const GIT_OUTPUT = 'diff --git a/app/shop.py b/app/shop.py\nindex 1..2 100644\n--- a/app/shop.py\n+++ b/app/shop.py\n@@ -3,0 +4,2 @@\n+x\n+y\n';

/** A GitHubApi whose calls answer from the arguments, recording every comment written. */
function fakeApi(answers: { files?: PullRequestFileEntry[] | Error; comment?: Error } = {}) {
  const comments: string[] = [];
  const outcomes: string[] = [];
  const existing = [`${commentMarker('other')}\nnot ours`];
  const api: GitHubApi = {
    pullRequestFiles: async () => {
      if (answers.files instanceof Error) throw answers.files;
      return answers.files ?? [];
    },
    upsertComment: async (_n, isOwn, body) => {
      if (answers.comment) throw answers.comment;
      const own = [...existing, ...comments].some(isOwn);
      comments.push(body);
      outcomes.push(own ? 'updated' : 'created');
      return own ? 'updated' : 'created';
    },
    createDeployment: () => Promise.reject(new Error('not asked')),
    setDeploymentStatus: () => Promise.reject(new Error('not asked')),
    activeDeployments: () => Promise.reject(new Error('not asked'))
  };
  return { api, comments, outcomes };
}

function portsWith(options: { github?: GitHubApi; git?: RunnerAnswer; files?: FakeFiles; cache?: CacheStore } = {}) {
  const runner = fakeRunner(options.git ?? (() => ({ code: 128, stderr: 'fatal: bad object bbbb' })), { emitLines: false });
  const { reporter, seen } = fakeReporter();
  const ports: Ports = { runner, reporter, http: noHttp, files: options.files ?? fakeFiles(), host: fakeHost(), github: options.github, cache: options.cache };
  return { ports, runner, seen, log: new StageLog(runner) };
}

describe('changed lines', () => {
  test('from the GitHub API when it answers; git is not asked', async () => {
    const { api } = fakeApi({ files: [{ filename: 'app/shop.py', status: 'modified', patch: PATCH }] });
    const { ports, runner, log } = portsWith({ github: api });
    expect(await changedLines(contextOf(pr), ports, log)).toEqual({ files: [{ path: 'app/shop.py', status: 'modified', lines: [2], complete: true }] });
    expect(runner.calls).toEqual([]);
  });

  test('from git when the API fails: base commit to the checkout, nothing printed of the diff', async () => {
    const { api } = fakeApi({ files: new GitHubApiError('listing the pull request files failed (HTTP 502): bad gateway', 502) });
    const { ports, runner, log } = portsWith({ github: api, git: () => ({ stdout: GIT_OUTPUT }) });
    const changes = await changedLines(contextOf(pr), ports, log);
    expect(changes.files?.map((f) => [f.path, f.lines])).toEqual([['app/shop.py', [4, 5]]]);
    expect(runner.calls.map((c) => [c.command, c.args, c.options.cwd])).toEqual([['git', gitDiffArgs(BASE), root]]);
    expect(gitDiffArgs(BASE)).toEqual(['diff', '--no-ext-diff', '--no-color', '--unified=0', '-M', '--src-prefix=a/', '--dst-prefix=b/', BASE, 'HEAD']);
    expect(log.lines.join('\n')).not.toContain('+x');
    expect(changes.warning).toBeUndefined();
  });

  test('a fork (no API) without the history: unknown, said in the log, nothing to warn about', async () => {
    const { ports, log } = portsWith();
    const changes = await changedLines(contextOf({ ...pr, untrusted: 'a pull request from a fork' }), ports, log);
    expect(changes).toEqual({
      unknown: 'no GitHub API (a pull request from a fork), and the checkout has no history of the base commit (actions/checkout with `fetch-depth: 0`)'
    });
    expect(log.lines).toEqual([`Changed lines unknown: ${changes.unknown}`]);
  });

  test('the API refused and no history: a warning naming the permission, for when the lines were needed', async () => {
    const refused = new GitHubApiError('listing the pull request files failed (HTTP 403): Resource not accessible by integration', 403, 'pull-requests: read');
    const { ports, log } = portsWith({ github: fakeApi({ files: refused }).api, git: () => ({ code: 128, stderr: 'fatal: not a git repository' }) });
    const changes = await changedLines(contextOf(pr), ports, log);
    expect(changes.files).toBeUndefined();
    expect(changes.warning).toBe(
      'Patch coverage is not measured: listing the pull request files failed (HTTP 403): Resource not accessible by integration, and the workspace is no git checkout. The token needs `pull-requests: read`.'
    );
  });
});

/** A CacheStore over the fake files with GitHub's lookup: exact key, else the newest entry by prefix; paths must match. */
function memoryCache(files: FakeFiles): CacheStore & { keys: string[] } {
  const entries: { key: string; paths: string; snapshot: [string, string][] }[] = [];
  return {
    description: 'the memory cache',
    get keys() {
      return entries.map((e) => e.key);
    },
    async restore(paths, key, restoreKeys = []) {
      const matching = entries.filter((e) => e.paths === paths.join('\n')).reverse();
      const found = matching.find((e) => e.key === key) ?? restoreKeys.map((prefix) => matching.find((e) => e.key.startsWith(prefix))).find(Boolean);
      found?.snapshot.forEach(([path, text]) => files.write(path, text));
      return found?.key;
    },
    async save(paths, key) {
      if (entries.some((e) => e.key === key)) return false;
      entries.push({ key, paths: paths.join('\n'), snapshot: [...files.tree].filter(([path]) => paths.some((p) => path.startsWith(`${p}/`))) });
      return true;
    }
  };
}

const report = (percent: number, status: 'success' | 'failure' = 'success'): Report => ({
  result: status,
  durationMs: 1,
  cacheHit: false,
  stages: [{ name: 'test', status, durationMs: 1, headline: '' }],
  coverage: { percent, linesValid: 10, linesCovered: 8, files: [{ path: 'app/shop.py', linesValid: 10, linesCovered: 8, percent }] }
});

describe('baseline', () => {
  test.each<[string, Partial<GitEvent>, 'success' | 'failure', boolean]>([
    ['a push to the default branch', {}, 'success', true],
    ['failing tests', {}, 'failure', false],
    ['another branch', { ref: 'refs/heads/feature' }, 'success', false],
    ['a tag', { ref: 'refs/tags/v1.0.0' }, 'success', false],
    ['a pull request', { name: 'pull_request', ref: 'refs/pull/7/merge' }, 'success', false],
    ['an untrusted event', { untrusted: 'a pull_request_target run' }, 'success', false]
  ])('saved on %s: %s', (_label, event, status, saves) => {
    expect(savesBaseline({ event: { ...push, ...event } }, report(80, status))).toBe(saves);
  });

  test("saved by the default branch, restored by a pull request (its base commit's first), the folder left empty", async () => {
    const files = fakeFiles();
    const cache = memoryCache(files);
    const saving = portsWith({ files, cache });
    await saveBaseline(await config(), contextOf({ ...push, sha: 'a'.repeat(40) }), saving.ports, report(70), saving.log);
    await saveBaseline(await config(), contextOf(push), saving.ports, report(80), saving.log);
    expect(cache.keys).toEqual([baselineKey('v1', 'linux', 'a'.repeat(40)).key, `slipway-baseline-v1-linux-${BASE}`]);
    expect(files.tree.size).toBe(0);

    const restoring = portsWith({ files, cache });
    const baseline = await restoreBaseline(await config(), contextOf(pr), restoring.ports, restoring.log);
    expect([baseline?.commit, baseline?.coverage]).toEqual([BASE, 80]);
    expect(files.tree.size).toBe(0);
    const unknownBase = await restoreBaseline(
      await config(),
      contextOf({ ...pr, pullRequest: { ...pullRequest, baseSha: 'd'.repeat(40) } }),
      restoring.ports,
      restoring.log
    );
    expect(unknownBase?.commit).toBe(BASE); // the newest
    expect(await restoreBaseline(await config({ cacheVersion: 'v2' }), contextOf(pr), restoring.ports, restoring.log)).toBeUndefined();
  });

  test('a corrupt record reads as none; a failing store is one warning', async () => {
    const files = fakeFiles();
    const corrupt: CacheStore = {
      description: 'the broken cache',
      restore: async (paths) => (files.write(`${paths[0]}/baseline.json`, '{"version":1'), 'k'),
      save: () => Promise.reject(new Error('HTTP 500'))
    };
    const { ports, log, seen } = portsWith({ files, cache: corrupt });
    expect(await restoreBaseline(await config(), contextOf(pr), ports, log)).toBeUndefined();
    expect(log.lines).toContain('The baseline in k is unreadable (another version?): ignored');
    await saveBaseline(await config(), contextOf(push), ports, report(80), log);
    expect(seen.warnings).toEqual(['The broken cache failed (HTTP 500); this run goes on without the cache and saves nothing.']);
  });
});

describe('pull request comment', () => {
  const result = report(80);

  test('created once, then edited in place (found by its marker)', async () => {
    const { api, comments, outcomes } = fakeApi();
    const { ports } = portsWith({ github: api });
    await commentOnPullRequest(await config(), contextOf(pr), ports, result, { delta: '+1.0' });
    await commentOnPullRequest(await config(), contextOf(pr), ports, result, { delta: '+1.0' });
    expect(outcomes).toEqual(['created', 'updated']);
    expect(comments[0]?.split('\n')[0]).toBe(commentMarker('build'));
    expect(comments[0]).toContain('**80.0%** (+1.0 against <code>main</code>)');
  });

  test('a refusal is one warning naming the permission', async () => {
    const refused = new GitHubApiError(
      'updating the pull request comment failed (HTTP 403): Resource not accessible by integration',
      403,
      'pull-requests: write'
    );
    const { ports, seen } = portsWith({ github: fakeApi({ comment: refused }).api });
    await commentOnPullRequest(await config(), contextOf(pr), ports, result, {});
    expect(seen.warnings).toEqual([
      "The pull request comment was not written: updating the pull request comment failed (HTTP 403): Resource not accessible by integration. Grant the token `pull-requests: write` in the workflow's `permissions:`. The results are in the job summary."
    ]);
  });

  test('nothing written when off, outside pull requests, or without the API', async () => {
    const { api, comments } = fakeApi();
    const { ports, seen } = portsWith({ github: api });
    await commentOnPullRequest(await config({ comment: false }), contextOf(pr), ports, result, {});
    await commentOnPullRequest(await config(), contextOf(push), ports, result, {});
    await commentOnPullRequest(await config(), contextOf({ ...pr, untrusted: 'a pull request from a fork' }), { ...ports, github: undefined }, result, {});
    expect(comments).toEqual([]);
    expect(seen.warnings).toEqual([]);
  });

  test.each([
    ['build', '', 'build'],
    ['build', '.', 'build'],
    ['build', 'services/shop', 'build (services/shop)'],
    [undefined, '', 'slipway']
  ])('job %s in %j: %s', (job, project, id) => {
    expect(commentJobId(job, project)).toBe(id);
  });
});
