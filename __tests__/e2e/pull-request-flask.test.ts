/**
 * End to end: the pull request comment on the Flask example (examples/flask-app: pytest, pytest-cov,
 * ruff), the BUNDLED action against the fake GitHub API and the fake cache service, in a real git
 * repository with the example as the base branch's commit and a pull request that adds a route
 * (its 404 branch left untested).
 *
 * The default branch's push leaves the baseline; the pull request's run leaves one comment with the
 * tests, the coverage and its change, and the patch coverage; the next push edits that comment.
 * Reference numbers come from coverage.py itself, run on a copy of the pull request's commit in the
 * environment the action built.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionResult } from './support/action-runner.js';
import { expectSuccess } from './support/assertions.js';
import { startCacheService, type CacheService } from './support/cache-service.js';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { ProjectJob } from './support/job.js';
import { git, ranges } from './support/pull-request-repo.js';
import { pipMirrorEnv } from './support/python.js';
import { copyInto, makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

const REPO = 'acme/shop';
const EXAMPLE = path.join(repoRoot(), 'examples', 'flask-app');
const ROUTE = `

@app.delete("/items/<name>")
def remove(name):
    if name not in INVENTORY:
        return jsonify(error=f"no item {name}"), 404
    del INVENTORY[name]
    return jsonify(removed=name)
`;
const ROUTE_TEST = `

def test_remove_an_item(client):
    response = client.delete("/items/anchor")
    assert response.get_json() == {"removed": "anchor"}
`;

let svc: CacheService;
let github: FakeGitHub;
let job: ProjectJob;
let repo: string;
let base: string;
let head: string;
let pushed: ActionResult;
let first: ActionResult;
let second: ActionResult;
let firstIds: number[] = [];
let writesBefore = 0;
const expected = { covered: 0, total: 0, uncovered: [] as number[], coverage: '' };

beforeAll(async () => {
  [svc, github] = await Promise.all([startCacheService(), startFakeGitHub({ token: 'ghs_FlaskPullRequestToken00000000000000000' })]);
  repo = makeTempDir('slipway-flask-pr-');
  copyInto(EXAMPLE, repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'Shop');
  base = git(repo, 'rev-parse', 'HEAD');
  const baseLines = readFileSync(path.join(repo, 'app.py'), 'utf8').split('\n').length - 1;
  appendFileSync(path.join(repo, 'app.py'), ROUTE);
  appendFileSync(path.join(repo, 'tests', 'test_app.py'), ROUTE_TEST);
  git(repo, 'commit', '-q', '-am', 'Remove items');
  head = git(repo, 'rev-parse', 'HEAD');
  const patchOf = (file: string): string => {
    const diff = git(repo, 'diff', base, head, '--', file);
    return diff.slice(diff.indexOf('\n@@') + 1);
  };
  github.setPullFiles(REPO, 1, [
    { filename: 'app.py', status: 'modified', patch: patchOf('app.py') },
    { filename: 'tests/test_app.py', status: 'modified', patch: patchOf('tests/test_app.py') }
  ]);

  job = new ProjectJob(repo, '.', () => ({
    cacheService: svc,
    githubToken: github.token,
    env: { ...pipMirrorEnv(), GITHUB_API_URL: github.url }
  }));
  const checkout = (sha: string) => (workspace: string) => void git(workspace, 'checkout', '-q', '--force', sha);
  const pullRequest = { number: 1, base: { ref: 'main', sha: base }, head: { sha: head } };
  const pullRequestRun = (): Promise<ActionResult> =>
    job.run({ event: 'pull_request', sha: head, ref: 'refs/pull/1/merge', payload: { number: 1, pull_request: pullRequest } }, checkout(head));

  pushed = await job.run({ event: 'push', sha: base }, checkout(base));
  first = await pullRequestRun();
  firstIds = github.comments(REPO, 1).map((c) => c.id);
  writesBefore = github.requests.filter((r) => r.method !== 'GET').length;
  second = await pullRequestRun();

  // coverage.py's own view of the pull request's commit, in the environment the action built.
  const copy = makeTempDir('slipway-flask-ref-');
  copyInto(repo, copy);
  git(copy, 'checkout', '-q', '--force', head);
  const python = path.join(job.venv(first), 'bin', 'python');
  const coverage = (...args: string[]): string =>
    execFileSync(python, ['-m', 'coverage', ...args], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  coverage('run', '-m', 'pytest', '-q', '-p', 'no:cacheprovider');
  expected.coverage = /^TOTAL\s.*?(\d+\.\d)%\s*$/m.exec(coverage('report', '--precision=1'))?.[1] ?? '';
  coverage('json', '-o', 'coverage.json');
  const app = (
    JSON.parse(readFileSync(path.join(copy, 'coverage.json'), 'utf8')) as { files: Record<string, { executed_lines: number[]; missing_lines: number[] }> }
  ).files['app.py']!;
  const added = (line: number): boolean => line > baseLines;
  expected.covered = app.executed_lines.filter(added).length;
  expected.uncovered = app.missing_lines.filter(added);
  expected.total = expected.covered + expected.uncovered.length;
}, 300_000);

afterAll(async () => {
  await Promise.all([svc?.stop(), github?.stop()]);
  removeTempDirs();
});

test('the default branch leaves the baseline; the pull request gets one comment with tests, coverage and its change, and patch coverage', () => {
  expectSuccess(pushed);
  expectSuccess(first);
  expect(expected.uncovered.length).toBe(1); // the 404 branch of the new route
  const patch = ((100 * expected.covered) / expected.total).toFixed(1);
  // The change against the base branch, from the two runs' own coverage outputs.
  const tenths = Math.round(Number(first.outputs['coverage']) * 10) - Math.round(Number(pushed.outputs['coverage']) * 10);
  const delta = `${tenths > 0 ? '+' : tenths < 0 ? '-' : ''}${(Math.abs(tenths) / 10).toFixed(1)}`;
  // One test more than the base branch's: the new route's.
  const passed = String(Number(pushed.outputs['tests-passed']) + 1);
  expect(first.outputs).toMatchObject({ coverage: expected.coverage, 'coverage-delta': delta, 'patch-coverage': patch, 'tests-passed': passed });

  const [comment, ...more] = github.comments(REPO, 1);
  expect(more).toEqual([]);
  const body = comment?.body ?? '';
  expect(body.split('\n')[0]).toBe('<!-- slipway:build -->');
  expect(body).toContain(`${passed} passed`);
  expect(body).toContain(`| Coverage | **${expected.coverage}%** (${delta} against <code>main</code>) |`);
  expect(body).toContain(`| Changed lines covered | **${patch}%** (${expected.covered} of ${expected.total} lines) |`);
  expect(body).toContain(`- \`app.py\` ${ranges(expected.uncovered)}`);
});

test('the next push edits the same comment in place: still one', () => {
  expectSuccess(second);
  const writes = github.requests.filter((r) => r.method !== 'GET').slice(writesBefore);
  expect(writes.map((r) => r.method)).toEqual(['PATCH']);
  expect(github.comments(REPO, 1).map((c) => c.id)).toEqual(firstIds);
  expect(firstIds).toHaveLength(1);
});
