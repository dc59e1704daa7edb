// The preview stage against fake ports: the signed hook, the preview's URL and health, its transient
// Deployments (earlier ones retired), the destroy on close, and that no secret reaches a message.
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config.js';
import type { GitEvent } from '../../src/context.js';
import type { Http, HttpOptions } from '../../src/ports.js';
import { signature } from '../../src/stages/preview-hook.js';
import { closePreview, deployPreview } from '../../src/stages/preview.js';
import {
  classicDocker,
  deployConfig,
  deployContext,
  deployFolders,
  fakeDeployments,
  fakeRunner,
  NEW,
  removeDeployFolders,
  REPO,
  type DeployFolders
} from '../fixtures/deploy.js';
import { fakeHost, fakeReporter, machineFiles } from '../fixtures/fake-ports.js';

const SECRET = 'preview-secret-0123456789';
const KEY = 'preview-key-abcdef';
const HOOK = `https://previews.example.com/hook?key=${KEY}`;
const HEAD = 'c'.repeat(40);

let folders: DeployFolders;
beforeEach(() => void (folders = deployFolders()));
afterAll(removeDeployFolders);

const config = (inputs: Record<string, string> = {}): Promise<Config> =>
  deployConfig(folders, { 'deploy-hook': '', 'deploy-hook-image-param': '', 'preview-hook': HOOK, 'preview-hook-secret': SECRET, ...inputs });

const pullRequest = (action: string, extra: Partial<GitEvent> = {}): GitEvent => ({
  name: 'pull_request',
  ref: 'refs/pull/7/merge',
  sha: '3f786850e387550fdab836ed7e6dc881de23001b',
  defaultBranch: 'main',
  repository: 'acme/shop',
  serverUrl: 'https://github.com',
  runUrl: 'https://github.com/acme/shop/actions/runs/1',
  pullRequest: { number: 7, baseRef: 'main', baseSha: '0'.repeat(40), headSha: HEAD, headRef: 'feature/x', action, merged: action === 'closed' },
  ...extra
});

interface Sent {
  method: string;
  url: string;
  options: HttpOptions;
}

/** An Http answering by route; every request kept with its body and headers. */
function http(route: (request: Sent, index: number) => { status: number; body?: string }): { http: Http; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    http: {
      request: async (method, url, options) => {
        const request = { method, url, options };
        sent.push(request);
        const answer = route(request, sent.filter((s) => s.url === url).length - 1);
        return { status: answer.status, headers: {}, body: answer.body ?? '' };
      }
    }
  };
}

function portsWith(web: Http) {
  const { reporter, seen } = fakeReporter();
  const notices: string[] = [];
  reporter.notice = (message) => void notices.push(message);
  const github = fakeDeployments();
  const ports = {
    runner: fakeRunner(classicDocker),
    host: fakeHost(),
    files: machineFiles(),
    reporter,
    http: web,
    github: github.github,
    sleep: async () => undefined
  };
  return { ports, seen, notices, github };
}

const hookCalls = (sent: Sent[]) => sent.filter((s) => s.url === HOOK);

describe('deployPreview', () => {
  test('pushes pr-7 and the sha tag, calls the signed hook, checks the answered URL, records a transient Deployment and retires the earlier one', async () => {
    const web = http((request) => (request.url === HOOK ? { status: 200, body: '{"url":"https://shop-pr-7.example.com"}' } : { status: 200, body: 'ok' }));
    const { ports, github, seen } = portsWith(web.http);
    // An earlier preview of #7, still active.
    await github.github.createDeployment({ ref: HEAD, environment: 'pr-7', description: 'earlier', transientEnvironment: true });
    await github.github.setDeploymentStatus(1001, { state: 'success' });

    const cfg = await config({ 'health-url': 'https://shop.example.com/health' });
    const { image, preview } = await deployPreview(cfg, { ...deployContext(folders), event: pullRequest('synchronize') }, ports, {
      kind: 'deploy',
      number: 7,
      environment: 'pr-7',
      reason: 'because'
    });

    expect(image.tags).toEqual([`${REPO}:sha-3f78685`, `${REPO}:pr-7`]);
    expect(ports.runner.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1])).toEqual(image.tags);
    expect(preview).toMatchObject({ url: 'https://shop-pr-7.example.com', stage: { name: 'preview', status: 'success' } });
    expect(preview.stage.headline).toMatch(/^deployed pr-7 \(sha256:111111111111\) at https:\/\/shop-pr-7\.example\.com; healthy/);

    const [hook] = hookCalls(web.sent);
    const body = hook!.options.body!;
    expect(hook!.options.headers!['X-Slipway-Signature-256']).toBe(signature(SECRET, body));
    expect(JSON.parse(body)).toMatchObject({ action: 'deploy', pull_request: 7, image: `${REPO}:pr-7`, digest: NEW, head_sha: HEAD });
    expect(web.sent.map((s) => s.url)).toContain('https://shop-pr-7.example.com/health');

    const [earlier, current] = github.deployments;
    expect(current).toMatchObject({ environment: 'pr-7', transientEnvironment: true, productionEnvironment: false, ref: HEAD });
    expect(current!.statuses.map((s) => [s.state, s.environmentUrl])).toEqual([
      ['in_progress', undefined],
      ['success', 'https://shop-pr-7.example.com']
    ]);
    expect(earlier!.statuses.at(-1)!.state).toBe('inactive');
    // Masked before anything could print them.
    expect(seen.secrets).toEqual(expect.arrayContaining([HOOK, KEY, SECRET]));
    expect(JSON.stringify(preview)).not.toMatch(new RegExp(`${KEY}|${SECRET}`));
  });

  test('an answer without a url and no preview-url: deployed, URL unknown (a warning), health check skipped', async () => {
    const web = http(() => ({ status: 202, body: 'accepted' }));
    const { ports } = portsWith(web.http);
    const cfg = await config({ 'health-url': 'https://shop.example.com/health' });
    const { preview } = await deployPreview(cfg, { ...deployContext(folders), event: pullRequest('opened') }, ports, {
      kind: 'deploy',
      number: 7,
      environment: 'pr-7',
      reason: 'because'
    });
    expect(preview.url).toBeUndefined();
    expect(preview.stage).toMatchObject({ status: 'warning', headline: expect.stringMatching(/URL is unknown; not health-checked/) });
    expect(web.sent.map((s) => s.url)).toEqual([HOOK]);
  });

  test.each([
    ['a refusal (403) fails at once', [403], 1, /The preview hook failed to deploy: answered 403/],
    ['a 503, then 200 with preview-url: retried, deployed', [503, 200], 2, undefined]
  ])('%s', async (_name, statuses, calls, failure) => {
    const web = http((request, index) => (request.url === HOOK ? { status: statuses[index] ?? 500, body: 'no' } : { status: 200 }));
    const { ports, github } = portsWith(web.http);
    const cfg = await config({ 'preview-url': 'https://shop-pr-{pr}.example.com' });
    const { preview } = await deployPreview(cfg, { ...deployContext(folders), event: pullRequest('opened') }, ports, {
      kind: 'deploy',
      number: 7,
      environment: 'pr-7',
      reason: 'because'
    });
    expect(hookCalls(web.sent)).toHaveLength(calls);
    if (failure) {
      expect(preview.stage).toMatchObject({ status: 'failure', headline: expect.stringMatching(failure) });
      expect(github.deployments[0]!.statuses.at(-1)!.state).toBe('failure');
    } else expect(preview).toMatchObject({ url: 'https://shop-pr-7.example.com', stage: { status: 'success' } });
  });

  test('an unhealthy preview fails the stage and its Deployment, naming the URL', async () => {
    const web = http((request) => (request.url === HOOK ? { status: 200, body: '{"url":"https://pr-7.example.com/"}' } : { status: 503 }));
    const { ports, github } = portsWith(web.http);
    const cfg = await config({ 'health-url': 'https://shop.example.com/health', 'health-timeout': '1' });
    const { preview } = await deployPreview(cfg, { ...deployContext(folders), event: pullRequest('opened') }, ports, {
      kind: 'deploy',
      number: 7,
      environment: 'pr-7',
      reason: 'because'
    });
    expect(preview.stage).toMatchObject({
      status: 'failure',
      headline: expect.stringMatching(/not healthy: https:\/\/pr-7\.example\.com\/health answered 503/)
    });
    expect(github.deployments[0]!.statuses.at(-1)!.state).toBe('failure');
  });
});

describe('closePreview', () => {
  test('signed destroy (503 retried), then every active Deployment of pr-7 inactive', async () => {
    const web = http((_request, index) => ({ status: index === 0 ? 503 : 202 }));
    const { ports, github } = portsWith(web.http);
    for (const environment of ['pr-7', 'pr-7', 'pr-8']) await github.github.createDeployment({ ref: HEAD, environment, description: 'x' });
    const outcome = await closePreview(await config(), { ...deployContext(folders), event: pullRequest('closed') }, ports);
    expect(outcome.stage).toMatchObject({ status: 'success', headline: 'destroyed pr-7 (pull request merged); 2 GitHub Deployments marked inactive' });
    const bodies = hookCalls(web.sent).map((s) => s.options.body!);
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ action: 'destroy', pull_request: 7, merged: true, digest: null });
    // The retry carries the same delivery id and signature.
    expect(web.sent[1]!.options.headers).toEqual(web.sent[0]!.options.headers);
    expect(github.deployments.map((d) => [d.environment, d.statuses.at(-1)?.state])).toEqual([
      ['pr-7', 'inactive'],
      ['pr-7', 'inactive'],
      ['pr-8', undefined]
    ]);
  });

  test('a failed destroy fails the stage and leaves the Deployments as they are', async () => {
    const web = http(() => ({ status: 404, body: 'no such hook' }));
    const { ports, github } = portsWith(web.http);
    await github.github.createDeployment({ ref: HEAD, environment: 'pr-7', description: 'x' });
    const outcome = await closePreview(await config(), { ...deployContext(folders), event: pullRequest('closed') }, ports);
    expect(outcome.stage).toMatchObject({ status: 'failure', headline: expect.stringMatching(/failed to destroy: answered 404.*may still be running/) });
    expect(github.deployments[0]!.statuses).toEqual([]);
  });

  test('a fork’s closed pull request: no call, a notice', async () => {
    const web = http(() => ({ status: 200 }));
    const { ports, notices } = portsWith(web.http);
    const outcome = await closePreview(
      await config(),
      { ...deployContext(folders), event: pullRequest('closed', { untrusted: 'a pull request from a fork' }) },
      ports
    );
    expect(outcome.stage.status).toBe('skipped');
    expect(web.sent).toEqual([]);
    expect(notices).toEqual([expect.stringMatching(/fork/)]);
  });
});
