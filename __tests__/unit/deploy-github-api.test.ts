// The GitHub adapter a deploy records its Deployments through: an API that never answers fails the
// call after the limit (a deploy waits on its Deployment), with a message that names the call, not the token.
import http from 'node:http';
import { expect, test } from '@jest/globals';
import { githubApi } from '../../src/adapters/github/api.js';
import { GitHubApiError } from '../../src/ports.js';

test('an API that never answers: the call fails after the limit, naming what it was doing', async () => {
  const server = http.createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const api = githubApi('ghs_secret-token', 'acme/shop', `http://127.0.0.1:${port}`, 200);
    const failure = await api
      .createDeployment({ ref: '3f786850e387550fdab836ed7e6dc881de23001b', environment: 'production', description: 'Deploy' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as GitHubApiError).message).toMatch(/^creating the deployment failed/);
    expect((failure as GitHubApiError).message).not.toContain('ghs_secret-token');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
