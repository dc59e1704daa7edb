/**
 * The fake GitHub API (support/fake-github.ts) driven by the real Octokit from @actions/github, as the
 * action will drive api.github.com: comments listed page by page, created and updated; a pull
 * request's files paginated; deployments and their statuses; a read-only token; credentials required.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type * as Toolkit from '@actions/github';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';

type Octokit = ReturnType<typeof Toolkit.getOctokit>;

const owner = 'acme';
const repo = 'shop';
let github: FakeGitHub;
let octokit: Octokit;
let getOctokit: typeof Toolkit.getOctokit;

beforeAll(async () => {
  github = await startFakeGitHub({ token: 'ghs_t0k3n' });
  // the toolkit decides its proxy for GITHUB_API_URL when it is loaded, as in a real run
  process.env['GITHUB_API_URL'] = github.url;
  ({ getOctokit } = await import('@actions/github'));
  octokit = getOctokit(github.token, { baseUrl: github.url });
});

afterAll(async () => {
  await github.stop();
  delete process.env['GITHUB_API_URL'];
});

beforeEach(() => {
  github.requests.length = 0;
  github.readOnly(false);
});

describe('issue comments', () => {
  test('listed page by page through the Link header', async () => {
    for (let i = 1; i <= 5; i += 1) github.addComment(`${owner}/${repo}`, 7, `comment ${i}`, i % 2 === 0 ? 'octocat' : 'github-actions[bot]');
    github.addComment(`${owner}/${repo}`, 8, 'another pull request');
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 7, per_page: 2 });
    expect(comments.map((c) => [c.body, c.user?.login])).toEqual([
      ['comment 1', 'github-actions[bot]'],
      ['comment 2', 'octocat'],
      ['comment 3', 'github-actions[bot]'],
      ['comment 4', 'octocat'],
      ['comment 5', 'github-actions[bot]']
    ]);
    expect(github.requests.map((r) => [r.method, r.path, r.query, r.authorization])).toEqual(
      // the first page as asked, the next ones as the Link header names them
      [{ per_page: '2' }, { per_page: '2', page: '2' }, { per_page: '2', page: '3' }].map((query) => [
        'GET',
        `/repos/${owner}/${repo}/issues/7/comments`,
        query,
        'token ghs_t0k3n'
      ])
    );
  });

  test('created, then updated in place', async () => {
    const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: 9, body: '<!-- slipway:test -->\nfirst' });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe('github-actions[bot]');
    const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: created.data.id, body: '<!-- slipway:test -->\nsecond' });
    expect([updated.status, updated.data.id, updated.data.body]).toEqual([200, created.data.id, '<!-- slipway:test -->\nsecond']);
    expect(github.comments(`${owner}/${repo}`, 9).map((c) => c.body)).toEqual(['<!-- slipway:test -->\nsecond']);
    expect(github.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `/repos/${owner}/${repo}/issues/9/comments`, { body: '<!-- slipway:test -->\nfirst' }],
      ['PATCH', `/repos/${owner}/${repo}/issues/comments/${created.data.id}`, { body: '<!-- slipway:test -->\nsecond' }]
    ]);
  });

  test('a comment of another repository is not found', async () => {
    const other = github.addComment('acme/other', 1, 'elsewhere');
    await expect(octokit.rest.issues.updateComment({ owner, repo, comment_id: other.id, body: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('pull request files', () => {
  test('paginated, binary files without a patch', async () => {
    const files = Array.from({ length: 250 }, (_, i) => ({
      filename: `src/m${i}.py`,
      status: 'modified',
      patch: '@@ -1 +1 @@\n-a\n+b',
      additions: 1,
      deletions: 1
    }));
    github.setPullFiles(`${owner}/${repo}`, 7, [...files, { filename: 'logo.png', status: 'modified', additions: 0, deletions: 0 }]);
    const listed = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: 7, per_page: 100 });
    expect(listed).toHaveLength(251);
    expect(listed[0]).toMatchObject({ filename: 'src/m0.py', patch: '@@ -1 +1 @@\n-a\n+b' });
    expect(listed[250]).not.toHaveProperty('patch');
    expect(github.requests.map((r) => r.query['page'])).toEqual([undefined, '2', '3']);
  });

  test('at most 3,000 files, as GitHub lists', async () => {
    github.setPullFiles(
      `${owner}/${repo}`,
      8,
      Array.from({ length: 3005 }, (_, i) => ({ filename: `f${i}`, status: 'added' }))
    );
    expect(await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: 8, per_page: 100 })).toHaveLength(3000);
  });

  test('an unknown pull request is not found', async () => {
    await expect(octokit.rest.pulls.listFiles({ owner, repo, pull_number: 404 })).rejects.toMatchObject({ status: 404 });
  });
});

describe('deployments and statuses', () => {
  test('created and listed newest first; a new success makes the previous preview inactive', async () => {
    const deploy = async (ref: string) =>
      (
        await octokit.rest.repos.createDeployment({
          owner,
          repo,
          ref,
          environment: 'pr-7',
          transient_environment: false,
          auto_merge: false,
          required_contexts: []
        })
      ).data;
    const first = await deploy('a'.repeat(40));
    const second = await deploy('b'.repeat(40));
    if (!('id' in first) || !('id' in second)) throw new Error('no deployment created');
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: first.id, state: 'success', environment_url: 'https://shop-pr-7.example' });
    await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: second.id, state: 'success', environment_url: 'https://shop-pr-7.example' });

    const listed = await octokit.paginate(octokit.rest.repos.listDeployments, { owner, repo, environment: 'pr-7' });
    expect(listed.map((d) => [d.id, d.sha, d.environment, d.production_environment])).toEqual([
      [second.id, 'b'.repeat(40), 'pr-7', false],
      [first.id, 'a'.repeat(40), 'pr-7', false]
    ]);
    const states = async (id: number) =>
      (await octokit.paginate(octokit.rest.repos.listDeploymentStatuses, { owner, repo, deployment_id: id })).map((s) => s.state);
    expect(await states(first.id)).toEqual(['inactive', 'success']);
    expect(await states(second.id)).toEqual(['success']);
    expect(await octokit.paginate(octokit.rest.repos.listDeployments, { owner, repo, environment: 'production' })).toEqual([]);
  });

  test('an unknown state is refused', async () => {
    const created = (await octokit.rest.repos.createDeployment({ owner, repo, ref: 'main', required_contexts: [] })).data;
    if (!('id' in created)) throw new Error('no deployment created');
    expect(created).toMatchObject({ environment: 'production', production_environment: true });
    const response = await fetch(`${github.url}/repos/${owner}/${repo}/deployments/${created.id}/statuses`, {
      method: 'POST',
      headers: { authorization: `token ${github.token}` },
      body: JSON.stringify({ state: 'done' })
    });
    expect(response.status).toBe(422);
  });
});

describe('tokens', () => {
  test('a read-only token: every write is refused, reads still work', async () => {
    github.readOnly(true);
    await expect(octokit.rest.issues.createComment({ owner, repo, issue_number: 7, body: 'x' })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration')
    });
    await expect(octokit.rest.repos.createDeployment({ owner, repo, ref: 'main' })).rejects.toMatchObject({ status: 403 });
    expect((await octokit.rest.issues.listComments({ owner, repo, issue_number: 7 })).status).toBe(200);
  });

  test.each<[string, Record<string, string>, number]>([
    ['no credentials', {}, 401],
    ['a wrong token', { authorization: 'token nope' }, 401],
    ['a bearer token', { authorization: 'Bearer ghs_t0k3n' }, 200]
  ])('%s', async (_label, headers, status) => {
    const response = await fetch(`${github.url}/repos/${owner}/${repo}/issues/7/comments`, { headers });
    expect(response.status).toBe(status);
    if (status === 401) expect(await response.json()).toMatchObject({ message: 'Bad credentials' });
  });

  test('an Octokit with another token is refused', async () => {
    await expect(getOctokit('wrong', { baseUrl: github.url }).rest.issues.listComments({ owner, repo, issue_number: 7 })).rejects.toMatchObject({
      status: 401
    });
  });
});

test('stop() closes the server', async () => {
  const other = await startFakeGitHub();
  await other.stop();
  await expect(fetch(`${other.url}/repos/a/b/issues/1/comments`)).rejects.toThrow();
});
