// GitHubApi over @actions/github's Octokit (GITHUB_API_URL honoured, so GitHub Enterprise works), loaded
// only when a run first calls the API: most runs never do, and Octokit costs start-up time.
import type * as GitHubModule from '@actions/github';
import { GitHubApiError, type GitHubApi } from '../../ports.js';

type Octokit = ReturnType<typeof GitHubModule.getOctokit>;

/** Which permission a refused call needs, by what it touched: what the one warning tells people to grant. */
const PERMISSIONS: Array<[RegExp, string]> = [
  [/\/issues\/\d+\/comments|\/issues\/comments\//, 'pull-requests: write'],
  [/\/deployments/, 'deployments: write'],
  [/\/pulls\/\d+\/files/, 'pull-requests: read']
];

/** Each request's limit: an API that stops answering must not hold up the run (a deploy waits on its Deployment). */
const REQUEST_TIMEOUT_MS = 15_000;

export function githubApi(token: string, repository: string, apiUrl = 'https://api.github.com', timeoutMs = REQUEST_TIMEOUT_MS): GitHubApi {
  const [owner = '', repo = ''] = repository.split('/');
  let client: Promise<Octokit> | undefined;
  const octokit = (): Promise<Octokit> =>
    (client ??= import('@actions/github').then((github) => {
      const api = github.getOctokit(token, { baseUrl: apiUrl });
      // Per request (pages included), as Octokit has no timeout of its own.
      api.hook.before('request', (options) => void (options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) }));
      return api;
    }));
  /** Runs one call; any failure becomes a GitHubApiError that never carries the token. */
  const call = async <T>(what: string, path: string, body: (api: Octokit) => Promise<T>): Promise<T> => {
    try {
      return await body(await octokit());
    } catch (error) {
      const status = (error as { status?: number }).status;
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      const permission = status === 403 || status === 404 ? PERMISSIONS.find(([pattern]) => pattern.test(path))?.[1] : undefined;
      throw new GitHubApiError(`${what} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, status, permission);
    }
  };

  return {
    pullRequestFiles: (pullRequest) =>
      call('listing the pull request files', `/pulls/${pullRequest}/files`, async (api) => {
        const files = await api.paginate(api.rest.pulls.listFiles, { owner, repo, pull_number: pullRequest, per_page: 100 });
        return files.map((file) => ({ filename: file.filename, status: file.status, previous_filename: file.previous_filename, patch: file.patch }));
      }),
    upsertComment: (pullRequest, isOwn, body) =>
      call('updating the pull request comment', `/issues/${pullRequest}/comments`, async (api) => {
        const comments = await api.paginate(api.rest.issues.listComments, { owner, repo, issue_number: pullRequest, per_page: 100 });
        const own = comments.find((comment) => isOwn(comment.body ?? ''));
        if (own) {
          await api.rest.issues.updateComment({ owner, repo, comment_id: own.id, body });
          return 'updated';
        }
        await api.rest.issues.createComment({ owner, repo, issue_number: pullRequest, body });
        return 'created';
      }),
    createDeployment: (deployment) =>
      call('creating the deployment', '/deployments', async (api) => {
        const created = await api.rest.repos.createDeployment({
          owner,
          repo,
          ref: deployment.ref,
          environment: deployment.environment,
          description: deployment.description,
          // Slipway has already decided to deploy (tests passed): no merge, no status checks in the way.
          auto_merge: false,
          required_contexts: [],
          production_environment: deployment.productionEnvironment,
          transient_environment: deployment.transientEnvironment
        });
        const id = (created.data as { id?: number }).id;
        if (typeof id !== 'number') throw new Error((created.data as { message?: string }).message ?? 'no deployment was created');
        return id;
      }),
    setDeploymentStatus: (id, status) =>
      call('setting the deployment status', `/deployments/${id}/statuses`, async (api) => {
        await api.rest.repos.createDeploymentStatus({
          owner,
          repo,
          deployment_id: id,
          state: status.state,
          environment_url: status.environmentUrl,
          log_url: status.logUrl,
          description: status.description?.slice(0, 140),
          auto_inactive: true
        });
      }),
    activeDeployments: (environment) =>
      call('listing the deployments', '/deployments', async (api) => {
        const { data } = await api.rest.repos.listDeployments({ owner, repo, environment, per_page: 100 });
        const active: number[] = [];
        for (const deployment of data) {
          const latest = await api.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: deployment.id, per_page: 1 });
          if (latest.data[0]?.state !== 'inactive') active.push(deployment.id);
        }
        return active;
      })
  };
}
