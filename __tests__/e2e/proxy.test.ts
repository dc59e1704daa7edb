/**
 * End to end, the BUNDLED action on a self-hosted runner behind a corporate proxy: HTTPS_PROXY and
 * HTTP_PROXY point at a real forward proxy on loopback that demands credentials and is the only way
 * to the `.test` hosts (the cache service at `cache.test`, a webhook receiver at `hooks.test`, the
 * fake GitHub API at `api.github.test`): it resolves those names itself, nothing else can.
 *
 * One proxy, one cache service, five runs of a small Python project (pip-unittest, from the local
 * file:// mirror, which no proxy touches): a cold run that saves its environment and notifies, a
 * warm run that restores it (NO_PROXY sends its notification direct, where `hooks.test` does not
 * resolve), a pull request whose comment is written through the proxy, and two runs through a proxy
 * that refuses tunnels and one that is down: both green, each with one warning naming the proxy.
 * The proxy's password shows in no run.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runAction, type ActionResult, type Annotation, type RunActionOptions } from './support/action-runner.js';
import { expectSuccess } from './support/assertions.js';
import { closedPortUrl, startCacheService, type CacheService } from './support/cache-service.js';
import { environmentSaved } from './support/environment-entries.js';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { startForwardProxy, type ForwardProxy } from './support/forward-proxy.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/notify-receivers.js';
import { pipMirrorEnv } from './support/python.js';
import { createWorkspace, freshCheckout, makeTempDir, removeTempDirs, repoRoot, wipeDir } from './support/workspace.js';

const ACTION_DIR = process.env['SLIPWAY_E2E_ACTION_DIR'] ?? repoRoot();
const FIXTURE = 'pip-unittest';
const PROXY_USER = 'runner';
const PROXY_PASSWORD = 'Proxy-Pass-Secret-5521';
const REPO = 'acme/shop';

let svc: CacheService;
let hooks: WebhookReceiver;
let github: FakeGitHub;
let proxy: ForwardProxy;
const port = (url: string): number => Number(new URL(url).port);
/** The proxy as the runner's environment names it: with its credentials. */
const proxyUrl = (base: string): string => base.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
const hookUrl = (): string => `http://hooks.test:${port(hooks.url)}/hooks/build`;
const cacheTarget = (): string => `cache.test:${port(svc.url)}`;

function proxyEnv(url: string, noProxy = '127.0.0.1,localhost'): Record<string, string> {
  return { HTTPS_PROXY: url, https_proxy: url, HTTP_PROXY: url, http_proxy: url, NO_PROXY: noProxy, no_proxy: noProxy };
}

/** One job of a runner: fixed workspace and RUNNER_TEMP paths (so cache versions match), emptied before each run. */
const workspace = createWorkspace(FIXTURE);
const jobDir = makeTempDir('slipway-job-');
const runs: ActionResult[] = [];
async function run(options: Partial<RunActionOptions> & { proxy?: string; noProxy?: string } = {}): Promise<ActionResult> {
  freshCheckout(workspace, FIXTURE);
  wipeDir(jobDir);
  const result = await runAction({
    actionDir: ACTION_DIR,
    workspace,
    jobDir,
    cacheService: svc,
    timeoutMs: 90_000,
    ...options,
    inputs: { lint: false, ...options.inputs },
    env: { ...pipMirrorEnv(), ...proxyEnv(proxyUrl(options.proxy ?? proxy.url), options.noProxy), ...options.env }
  });
  runs.push(result);
  return result;
}

const warnings = (result: ActionResult): Annotation[] => result.annotations.filter((a) => a.level === 'warning');
const through = (target: string) => proxy.requests.filter((r) => r.target === target);

let cold: ActionResult;
let coldProxied: ForwardProxy['requests'];
let coldService: CacheService['requests'];
let warm: ActionResult;
let warmProxied: ForwardProxy['requests'];
let warmService: CacheService['requests'];

beforeAll(async () => {
  [hooks, github] = await Promise.all([startWebhookReceiver(), startFakeGitHub({ token: 'ghs_ProxyE2EToken00000000000000000000000' })]);
  svc = await startCacheService({ host: 'cache.test' });
  proxy = await startForwardProxy({
    credentials: `${PROXY_USER}:${PROXY_PASSWORD}`,
    hosts: { 'cache.test': port(svc.url), 'hooks.test': port(hooks.url), 'api.github.test': port(github.url) }
  });
  const notify = { notify: `json:${hookUrl()}`, 'notify-on': 'success' };

  cold = await run({ inputs: notify });
  [coldProxied, coldService] = [[...proxy.requests], [...svc.requests]];
  proxy.requests.length = svc.requests.length = 0;

  warm = await run({ inputs: notify, noProxy: 'hooks.test,127.0.0.1,localhost' });
  [warmProxied, warmService] = [[...proxy.requests], [...svc.requests]];
  proxy.requests.length = svc.requests.length = 0;
}, 180_000);

afterAll(async () => {
  await Promise.all([proxy?.stop(), svc?.stop(), hooks?.stop(), github?.stop()]);
  removeTempDirs();
});

describe('the cache through the proxy', () => {
  test('a cold run saves its environment through tunnels to cache.test, with the proxy credentials', () => {
    expectSuccess(cold);
    expect(cold.outputs['cache-hit']).toBe('false');
    expect(warnings(cold)).toEqual([]);
    const tunnels = coldProxied.filter((r) => r.target === cacheTarget());
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((r) => r.method === 'CONNECT' && r.authorized && r.status === 200)).toBe(true);
    // Nothing reached the service but through the proxy: it has no other name.
    const kinds = coldService.map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['GetCacheEntryDownloadURL', 'CreateCacheEntry', 'blob', 'FinalizeCacheEntryUpload']));
    expect(svc.entries().map((e) => e.key)).toEqual(expect.arrayContaining([expect.stringMatching(/^slipway-/)]));
    expect(environmentSaved(svc, cold.outputs['cache-key'] ?? '')).toBe(true); // all four parts of the environment
  });

  test('a warm run restores it through the proxy: cache-hit, the archive downloaded from cache.test', () => {
    expectSuccess(warm);
    expect(warm.outputs['cache-hit']).toBe('true');
    expect(warmProxied.some((r) => r.target === cacheTarget() && r.status === 200)).toBe(true);
    expect(warmService).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'GET', kind: 'blob', status: 200 })]));
  });
});

describe('notifications', () => {
  test('a webhook at hooks.test is delivered through the proxy', () => {
    expect(coldProxied.filter((r) => r.target === `hooks.test:${port(hooks.url)}`).map((r) => r.status)).toContain(200);
    const [delivered] = hooks.accepted('/hooks/build') as { event: string; repository: string }[];
    expect(delivered).toMatchObject({ event: 'success', repository: REPO });
    expect(hooks.accepted('/hooks/build')).toHaveLength(1); // the warm run's never arrived
  });

  test('NO_PROXY=hooks.test sends it direct, where the name does not resolve: one warning, the run stays green', () => {
    expect(warmProxied.filter((r) => r.target.startsWith('hooks.test'))).toEqual([]);
    expect(warnings(warm).map((a) => a.message)).toEqual([
      expect.stringMatching(/^Notification to .*hooks\.test.* failed: .*(ENOTFOUND|EAI_AGAIN).*hooks\.test/)
    ]);
  });
});

describe('the GitHub API through the proxy', () => {
  test("a pull request's comment is written to api.github.test through the proxy", async () => {
    const result = await run({
      event: 'pull_request',
      ref: 'refs/pull/1/merge',
      githubToken: github.token,
      env: { GITHUB_API_URL: `http://api.github.test:${port(github.url)}` }
    });
    expectSuccess(result);
    expect(warnings(result)).toEqual([]);
    const api = through(`api.github.test:${port(github.url)}`);
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((r) => r.method === 'CONNECT' && r.authorized && r.status === 200)).toBe(true);
    const [comment, ...others] = github.comments(REPO, 1);
    expect(others).toEqual([]);
    expect(comment?.body).toMatch(/Slipway/i);
    expect(github.requests.some((r) => r.method === 'POST')).toBe(true);
  }, 90_000);
});

describe('a proxy in the way', () => {
  test('one that refuses tunnels: the run succeeds with one warning naming the proxy and what it answered', async () => {
    proxy.refuse(true);
    const result = await run().finally(() => proxy.refuse(false));
    expectSuccess(result);
    expect(through(cacheTarget()).map((r) => [r.status, r.authorized])).toContainEqual([403, true]);
    expect(warnings(result).map((a) => a.message)).toEqual([expect.stringContaining(`the proxy ${proxy.url} refused to open a tunnel (it answered 403)`)]);
  }, 90_000);

  test('one that is down: the run succeeds with one warning saying the proxy could not be reached', async () => {
    const down = (await closedPortUrl()).replace(/\/$/, '');
    const result = await run({ proxy: down });
    expectSuccess(result);
    expect(warnings(result).map((a) => a.message)).toEqual([expect.stringContaining(`the proxy ${down} could not be reached (connect ECONNREFUSED`)]);
  }, 90_000);
});

test("no run shows the proxy's password: not in the log, the annotations, the summary or the outputs", () => {
  expect(runs.length).toBe(5);
  for (const result of runs) {
    const everything = [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs), JSON.stringify(result.state)].join('\n');
    expect(everything).not.toContain(PROXY_PASSWORD);
    expect(everything).not.toContain(encodeURIComponent(PROXY_PASSWORD));
  }
});
