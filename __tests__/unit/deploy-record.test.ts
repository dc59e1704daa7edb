// A deploy recorded as GitHub Deployments, against fake ports: one Deployment per image sent to the
// hook, its statuses as the hook and health check tell; a refusal or failure of the API is one warning
// and the deploy goes on exactly as without a token.
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { InputName } from '../../src/inputs.js';
import { GitHubApiError, HttpError, type GitHubApi } from '../../src/ports.js';
import { deploy } from '../../src/stages/deploy.js';
import {
  classicDocker,
  deployConfig,
  deployContext,
  deployFolders,
  deploySession,
  fakeDeployments,
  fakeRunner,
  imageParam,
  NEW,
  OLD,
  registry,
  removeDeployFolders,
  REPO,
  SHA,
  type DeployFolders
} from '../fixtures/deploy.js';
import { fakeHost, machineFiles, fakeHttp, fakeReporter, type HttpAnswer, type HttpCall } from '../fixtures/fake-ports.js';

const RUN = 'https://github.com/acme/shop/actions/runs/42';
const OLD_SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const SHORT_NEW = `${REPO}@sha256:111111111111`;
const SHORT_OLD = `${REPO}@sha256:222222222222`;

let folders: DeployFolders;
beforeEach(() => void (folders = deployFolders()));
afterAll(removeDeployFolders);

type Route = (request: HttpCall) => HttpAnswer;

async function run(inputs: Partial<Record<InputName, string>>, route: Route, github: GitHubApi | undefined) {
  const runner = fakeRunner(classicDocker);
  const { reporter, seen } = fakeReporter();
  const outcome = await deploy(
    await deployConfig(folders, inputs),
    deployContext(folders, { runUrl: RUN }),
    { runner, host: fakeHost(), files: machineFiles(), reporter, http: fakeHttp(route).http, github, sleep: async () => undefined },
    { repository: REPO, digest: NEW },
    deploySession(folders, runner)
  );
  return { outcome, warnings: seen.warnings };
}

/** Healthy once an image the hook deployed is `healthy(image)`; the registry knows OLD's revision. */
function app(healthy: (image: string) => boolean, hook: HttpAnswer = { status: 200 }): Route {
  let deployed = '';
  return (request) => {
    const fromRegistry = registry(OLD, { [OLD]: OLD_SHA })(request);
    if (fromRegistry) return fromRegistry;
    if (request.method === 'POST') {
      deployed = imageParam(request.url) ?? '';
      return hook;
    }
    return healthy(deployed) ? { status: 200 } : { status: 503 };
  };
}
const always = (): boolean => true;
const oldOnly = (image: string): boolean => image.endsWith(OLD);

/** What GitHub was told: each Deployment's ref and description, and its statuses as [state, description, environment URL]. */
type Told = Array<{ ref: string; description: string | RegExp; statuses: Array<[string, RegExp, string?]> }>;

describe('each image sent to the hook is one Deployment, its statuses as the deploy went', () => {
  test.each<[string, Partial<Record<InputName, string>>, Route, Told]>([
    [
      'healthy: in_progress, then success at the health URL’s origin',
      {},
      app(always),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['success', /; healthy after /, 'https://shop.example.com']
          ]
        }
      ]
    ],
    [
      'no health-url: success once the hook accepts, at environment-url',
      { 'health-url': '', 'environment-url': 'https://www.example.com' },
      app(always),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['success', /not verified: no health-url/, 'https://www.example.com']
          ]
        }
      ]
    ],
    [
      'the hook refuses the image: failure, with the reason',
      {},
      app(always, { status: 404, body: 'no such service' }),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['failure', /^The deploy hook failed: answered 404: no such service/]
          ]
        }
      ]
    ],
    [
      'unhealthy, rolled back: the first fails, the old image is a second Deployment of its own commit that succeeds',
      { 'health-timeout': '1' },
      app(oldOnly),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['failure', /^https:\/\/shop\.example\.com\/health answered 503 after .*; rolling back to /]
          ]
        },
        {
          ref: OLD_SHA,
          description: `Rollback to ${SHORT_OLD}, the last image that passed the health check`,
          statuses: [
            ['in_progress', /^Rollback to /],
            ['success', /^Rolled back to .*, which is healthy$/, 'https://shop.example.com']
          ]
        }
      ]
    ],
    [
      'unhealthy, and the old image too: both fail',
      { 'health-timeout': '1' },
      app(() => false),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['failure', /answered 503/]
          ]
        },
        {
          ref: OLD_SHA,
          description: /^Rollback to /,
          statuses: [
            ['in_progress', /^Rollback to /],
            ['failure', /, which is unhealthy too \(/]
          ]
        }
      ]
    ],
    [
      'unhealthy, not rolled back (rollback: false): failure saying so',
      { 'health-timeout': '1', rollback: 'false' },
      app(oldOnly),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['failure', /^https:\/\/shop\.example\.com\/health answered 503 after .*; not rolled back: rollback is off \(`rollback: false`\)$/]
          ]
        }
      ]
    ],
    [
      'the hook never answers and nothing can tell: error, explained',
      { 'health-url': '' },
      app(always, new HttpError('no answer', 'timeout', true)),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['error', /did not answer within 30 s; whether .* went live is unknown: no `health-url`$/]
          ]
        }
      ]
    ],
    [
      'health-url refused: deployed but not verified, error',
      {},
      (request) => registry(OLD)(request) ?? (request.method === 'POST' ? { status: 200 } : new HttpError('it redirected to another origin', 'refused', false)),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['error', /, but it is not verified: `health-url` is refused$/]
          ]
        }
      ]
    ],
    [
      'the hook is refused: failure naming the input',
      {},
      app(always, new HttpError('it redirected to another origin', 'refused', false)),
      [
        {
          ref: SHA,
          description: `Deploy ${SHORT_NEW}`,
          statuses: [
            ['in_progress', /^Deploy /],
            ['failure', /^Input `deploy-hook` is refused: it redirected/]
          ]
        }
      ]
    ]
  ])('%s', async (_name, inputs, route, told) => {
    const api = fakeDeployments();
    const { outcome, warnings } = await run(inputs, route, api.github);
    expect(warnings).toEqual([]);
    expect(api.deployments.map((d) => ({ ref: d.ref, environment: d.environment, production: d.productionEnvironment }))).toEqual(
      told.map((t) => ({ ref: t.ref, environment: 'production', production: true }))
    );
    api.deployments.forEach((deployment, i) => {
      const expected = told[i]!;
      expect(deployment.description).toEqual(typeof expected.description === 'string' ? expected.description : expect.stringMatching(expected.description));
      expect(deployment.statuses).toEqual(
        expected.statuses.map(([state, description, environmentUrl]) => ({
          state,
          description: expect.stringMatching(description),
          environmentUrl,
          logUrl: RUN
        }))
      );
      for (const status of deployment.statuses) expect(status.description!.length).toBeLessThanOrEqual(140);
    });
    // The stage names what it recorded.
    expect(outcome.stage.details!.filter((line) => line.startsWith('GitHub Deployment 10'))).toHaveLength(told.length);
  });
});

describe('GitHub refuses or fails: one warning, nothing more sent, the deploy as without a token', () => {
  const refused = new GitHubApiError('creating the deployment failed (HTTP 403): Resource not accessible by integration', 403, 'deployments: write');
  const broken = new GitHubApiError('setting the deployment status failed: connect ECONNREFUSED 127.0.0.1:9', undefined);
  /** What a deploy did, GitHub aside. */
  const deployed = async (inputs: Partial<Record<InputName, string>>, healthy: (image: string) => boolean, github?: GitHubApi) => {
    const hookCalls: string[] = [];
    const route = app(healthy);
    const { outcome, warnings } = await run(
      inputs,
      (request) => (request.method === 'POST' && hookCalls.push(imageParam(request.url)!), route(request)),
      github
    );
    // Durations differ from run to run; what was said around them may not.
    const timeless = (text: string): string => text.replace(/\b\d+(?:\.\d+)?m?s\b/g, '<time>');
    return {
      status: outcome.stage.status,
      headline: timeless(outcome.stage.headline),
      details: outcome.stage.details!.filter((line) => !line.startsWith('GitHub Deployment')).map(timeless),
      hookCalls,
      deployed: outcome.deployed,
      rolledBack: outcome.rolledBack,
      warnings
    };
  };

  test.each<[string, Partial<Record<InputName, string>>, (image: string) => boolean, number, GitHubApiError]>([
    ['healthy, creating refused', {}, always, 0, refused],
    ['healthy, in_progress fails', {}, always, 1, broken],
    ['healthy, success fails', {}, always, 2, broken],
    ['rolled back, creating refused', { 'health-timeout': '1' }, oldOnly, 0, refused],
    ['rolled back, the first failure status fails', { 'health-timeout': '1' }, oldOnly, 2, broken],
    ['rolled back, creating the rollback’s Deployment refused', { 'health-timeout': '1' }, oldOnly, 3, refused],
    ['rolled back, the rollback’s success fails', { 'health-timeout': '1' }, oldOnly, 5, broken]
  ])('%s', async (_name, inputs, healthy, failing, error) => {
    const without = await deployed(inputs, healthy);
    const api = fakeDeployments((call) => (call === failing ? error : undefined));
    const withApi = await deployed(inputs, healthy, api.github);
    expect(api.calls).toBe(failing + 1);
    expect(withApi.warnings).toHaveLength(1);
    expect(withApi.warnings[0]).toMatch(/^The deploy is not recorded as a GitHub Deployment: .*The deploy itself goes on\.$/);
    if (error.permission) expect(withApi.warnings[0]).toContain('`permissions: deployments: write`');
    expect({ ...withApi, warnings: [] }).toEqual({ ...without, warnings: [] });
  });
});
