/**
 * End to end: a pull request's side of the BUNDLED action, against the fake GitHub API and the fake
 * cache service, on a small Python project (unittest, coverage, flake8) in `app/` of a real git
 * repository with two commits: the base branch's and the pull request's.
 *
 * A push to the default branch saves the coverage baseline; a pull request's run restores it and
 * keeps one comment up to date with coverage, its change, patch coverage, the uncovered changed
 * lines and the lint findings in the changed files. Reference numbers come from coverage.py itself,
 * run on copies of both commits in the environment the action built, and from which lines the
 * pull request added (it only appends to one file and adds another).
 *
 * One cold install (the first run); every later run restores the environment from the cache.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ActionResult, Annotation, RunActionOptions } from './support/action-runner.js';
import { expectFailure, expectSuccess } from './support/assertions.js';
import { startCacheService, type CacheService } from './support/cache-service.js';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { ProjectJob } from './support/job.js';
import { APP, buildRepository, git, measure, ranges, type Measured, type Repository } from './support/pull-request-repo.js';
import { pipMirrorEnv } from './support/python.js';
import { fixturePath, removeTempDirs, repoRoot } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const REPO = 'acme/shop';

let svc: CacheService;
let github: FakeGitHub;
let repository: Repository;
let job: ProjectJob;
/** Every run, for the check that the token never shows. */
const runs: ActionResult[] = [];

const checkout =
  (sha: string) =>
  (workspace: string): void =>
    void git(workspace, 'checkout', '-q', '--force', sha);

async function pushRun(): Promise<ActionResult> {
  const result = await job.run({ event: 'push', sha: repository.base }, checkout(repository.base));
  runs.push(result);
  return result;
}

async function pullRequestRun(options: { number?: number; inputs?: RunActionOptions['inputs']; fork?: boolean } = {}): Promise<ActionResult> {
  const number = options.number ?? 1;
  const headRepository = options.fork ? { repo: { full_name: 'mallory/shop' } } : {};
  const pullRequest = { number, base: { ref: 'main', sha: repository.base }, head: { sha: repository.head, ...headRepository } };
  const result = await job.run(
    {
      event: 'pull_request',
      sha: repository.head,
      ref: `refs/pull/${number}/merge`,
      inputs: options.inputs,
      payload: { number, pull_request: pullRequest }
    },
    checkout(repository.head)
  );
  runs.push(result);
  return result;
}

const isLint = (a: Annotation): boolean => /^[A-Z]+[0-9]+$/.test(a.title ?? '');
const otherWarnings = (r: ActionResult): Annotation[] => r.annotations.filter((a) => a.level === 'warning' && !isLint(a));
const comments = (number: number) => github.comments(REPO, number);

let noBaseline: ActionResult;
let pushed: ActionResult;
let base: Measured;
let head: Measured;
const expected = { coverage: '', delta: '', patch: '', covered: 0, total: 0, uncovered: [] as [string, number[]][] };

beforeAll(async () => {
  [svc, github] = await Promise.all([startCacheService(), startFakeGitHub({ token: 'ghs_PullRequestE2EToken0000000000000000' })]);
  repository = buildRepository();
  for (const number of [1, 2]) github.setPullFiles(REPO, number, repository.files);
  job = new ProjectJob(repository.dir, '.', () => ({
    actionDir: ACTION_DIR,
    cacheService: svc,
    githubToken: github.token,
    inputs: { 'working-directory': APP },
    // @actions/github reads the API's address from the step's environment, as on GitHub Enterprise
    env: { ...pipMirrorEnv(), GITHUB_API_URL: github.url }
  }));
  // The cold install: a pull request before the default branch ever saved a baseline.
  noBaseline = await pullRequestRun({ number: 2 });
  pushed = await pushRun();
  if (!pushed.ok) return;
  const python = path.join(job.venv(pushed), 'bin', 'python');
  [base, head] = [measure(python, repository, repository.base), measure(python, repository, repository.head)];

  // What the pull request changed: lines appended to ledger.py, all of fees.py (tests are not measured).
  const baseLines = readFileSync(path.join(fixturePath('pr-coverage'), 'ledger.py'), 'utf8').split('\n').length - 1;
  const changed: Record<string, (n: number) => boolean> = { 'ledger.py': (n) => n > baseLines, 'fees.py': () => true };
  for (const [file, isChanged] of Object.entries(changed)) {
    const lines = head.files[file];
    if (!lines) throw new Error(`coverage.py measured no ${file}`);
    const covered = lines.executed_lines.filter(isChanged);
    const missed = lines.missing_lines.filter(isChanged);
    expected.covered += covered.length;
    expected.total += covered.length + missed.length;
    if (missed.length > 0) expected.uncovered.push([`${APP}/${file}`, missed]);
  }
  expected.uncovered.sort(([a], [b]) => (a < b ? -1 : 1));
  expected.coverage = head.total;
  expected.patch = ((100 * expected.covered) / expected.total).toFixed(1);
  const tenths = Math.round(Number(head.total) * 10) - Math.round(Number(base.total) * 10);
  expected.delta = `${tenths > 0 ? '+' : tenths < 0 ? '-' : ''}${(Math.abs(tenths) / 10).toFixed(1)}`;
}, 240_000);

afterAll(async () => {
  await Promise.all([svc?.stop(), github?.stop()]);
  removeTempDirs();
});

describe('baseline', () => {
  test('a push to the default branch saves it through the cache, under its commit', () => {
    expectSuccess(pushed);
    expect(pushed.outputs['coverage']).toBe(base.total);
    expect(svc.entries().map((e) => e.key)).toContain(`slipway-baseline-v1-linux-${repository.base}`);
    expect(comments(1)).toEqual([]);
  });

  test('none yet: the comment says so, coverage-delta stays empty, patch coverage is still measured', () => {
    expectSuccess(noBaseline);
    expect(noBaseline.outputs).toMatchObject({ coverage: expected.coverage, 'coverage-delta': '', 'patch-coverage': expected.patch });
    expect(comments(2)).toHaveLength(1);
    expect(comments(2)[0]?.body).toContain(`**${expected.coverage}%** (no baseline from <code>main</code> yet)`);
  });
});

describe('pull request comment', () => {
  let first: ActionResult;
  let second: ActionResult;
  let requestsBefore: number;
  let firstId: number | undefined;

  beforeAll(async () => {
    first = await pullRequestRun();
    requestsBefore = github.requests.length;
    firstId = comments(1)[0]?.id;
    second = await pullRequestRun();
  }, 200_000);

  test('one comment with coverage, its change, patch coverage, the uncovered lines, lint in changed files and the run', () => {
    expectSuccess(first);
    expect(first.outputs).toMatchObject({ coverage: expected.coverage, 'coverage-delta': expected.delta, 'patch-coverage': expected.patch });
    expect(expected.uncovered.length).toBeGreaterThan(0);
    const [comment, ...more] = comments(1);
    expect(more).toEqual([]);
    const body = comment?.body ?? '';
    expect(body.split('\n')[0]).toBe('<!-- slipway:build (app) -->');
    expect(body).toContain('✅ Slipway: success · [run details](<https://github.com/acme/shop/actions/runs/1000000001>)');
    expect(body).toContain(`| Coverage | **${expected.coverage}%** (${expected.delta} against <code>main</code>) |`);
    expect(body).toContain(`| Changed lines covered | **${expected.patch}%** (${expected.covered} of ${expected.total} lines) |`);
    for (const [file, lines] of expected.uncovered) expect(body).toContain(`- \`${file}\` ${ranges(lines)}`);
    expect(body).toMatch(/\*\*Lint findings in changed files\*\* \(1\)\n\n- `app\/fees\.py:2:5` `E225` /);
    expect(first.log).toMatch(/^✓ patch .* changed lines covered/m);
  });

  test('a second run edits the same comment: still one', () => {
    expectSuccess(second);
    const writes = github.requests.slice(requestsBefore).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['PATCH']);
    expect(comments(1).map((c) => c.id)).toEqual([firstId]);
  });
});

describe('patch-coverage-min', () => {
  test('above the patch coverage: the step fails naming the uncovered lines', async () => {
    const result = await pullRequestRun({ inputs: { 'patch-coverage-min': 95 } });
    expectFailure(result);
    const failure = result.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(failure).toContain(`patch: patch coverage ${expected.patch}% is below patch-coverage-min 95%`);
    for (const [file, lines] of expected.uncovered) expect(failure).toContain(`${file} ${ranges(lines)}`);
    expect(comments(1)).toHaveLength(1);
    expect(comments(1)[0]?.body).toContain('❌ below the 95% minimum');
  });
});

describe('without the permission, and on forks', () => {
  test('a token that cannot write: a green run with one warning naming `pull-requests: write`', async () => {
    github.readOnly(true);
    const result = await pullRequestRun().finally(() => github.readOnly(false));
    expectSuccess(result);
    expect(otherWarnings(result).map((a) => a.message)).toEqual([expect.stringContaining('`pull-requests: write`')]);
    expect(result.outputs['patch-coverage']).toBe(expected.patch);
  });

  test("a fork's pull request: no API call at all; patch coverage from git, the summary instead of a comment", async () => {
    const before = github.requests.length;
    const result = await pullRequestRun({ fork: true });
    expectSuccess(result);
    expect(github.requests.slice(before)).toEqual([]);
    expect(result.outputs).toMatchObject({ 'coverage-delta': expected.delta, 'patch-coverage': expected.patch });
    expect(result.log).toContain('No pull request comment: this is a pull request from a fork');
    expect(otherWarnings(result)).toEqual([]);
  });
});

test('the token never shows: masked at once, and not in the log, annotations, summary, outputs, state or comments', () => {
  expect(runs.length).toBeGreaterThanOrEqual(6);
  for (const run of runs) {
    expect(run.masks).toContain(github.token);
    const shown = [run.log, run.stderr, run.summary, JSON.stringify(run.annotations), JSON.stringify(run.outputs), JSON.stringify(run.state)];
    for (const text of shown) expect(text).not.toContain(github.token);
  }
  expect(JSON.stringify([...comments(1), ...comments(2)])).not.toContain(github.token);
});
