// The deploy stage against fake ports: hook calls and retries, health polling, the healthy tag and
// rollback, and that no secret of the hook URL reaches a message. Time is faked through `sleep`.
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { Config } from '../../src/config.js';
import type { InputName } from '../../src/inputs.js';
import { HttpError, type Http, type RunResult } from '../../src/ports.js';
import { deploy } from '../../src/stages/deploy.js';
import { registryDigest, registryEndpoint, registryRevision } from '../../src/stages/registry-client.js';
import { shipAndDeploy } from '../../src/stages/ship.js';
import { Secrets } from '../../src/trust/secrets.js';
import {
  classicDocker,
  deployConfig,
  deployContext,
  deployFolders,
  deploySession,
  fakeRunner,
  HEALTH,
  HOOK,
  HOOKS,
  imageParam,
  KEY,
  NEW,
  OLD,
  registry,
  removeDeployFolders,
  REPO,
  SERVICE,
  SHA,
  type DeployFolders
} from '../fixtures/deploy.js';
import { fakeHost, machineFiles, fakeHttp, fakeReporter, type FakeRunner, type HttpAnswer, type HttpCall } from '../fixtures/fake-ports.js';

let folders: DeployFolders;
beforeEach(() => void (folders = deployFolders()));
afterAll(removeDeployFolders);

const config = (inputs: Partial<Record<InputName, string>> = {}): Promise<Config> => deployConfig(folders, inputs);
const context = () => deployContext(folders);
const session = (runner: FakeRunner) => deploySession(folders, runner);

function run(cfg: Config, http: Http, runner = fakeRunner(classicDocker)) {
  const { reporter, seen } = fakeReporter();
  const sleeps: number[] = [];
  const outcome = deploy(
    cfg,
    context(),
    { runner, host: fakeHost(), files: machineFiles(), reporter, http, sleep: async (ms) => void sleeps.push(ms) },
    { repository: REPO, digest: NEW },
    session(runner)
  );
  return { outcome, seen, sleeps, runner };
}

/** Every text the stage produced, to check no secret is in it. */
const allText = (outcome: Awaited<ReturnType<typeof deploy>>): string => JSON.stringify([outcome.stage, outcome.log.lines]);

describe('deploy: the hook', () => {
  test('no deploy-hook: skipped, nothing called', async () => {
    const http = fakeHttp(() => ({ status: 200 }));
    const { outcome } = run(await config({ 'deploy-hook': '' }), http.http);
    expect((await outcome).stage).toMatchObject({ name: 'deploy', status: 'skipped' });
    expect(http.requests).toEqual([]);
  });

  test('masks every secret of the hook URL before the first request', async () => {
    const { reporter, seen } = fakeReporter();
    const http: Http = {
      async request() {
        seen.order.push('request');
        return { status: 200, headers: {}, body: '' };
      }
    };
    const runner = fakeRunner();
    await deploy(
      await config({ 'health-url': '' }),
      context(),
      { runner, host: fakeHost(), files: machineFiles(), reporter, http },
      { repository: REPO, digest: NEW },
      session(runner)
    );
    expect(seen.secrets).toEqual(expect.arrayContaining([HOOK, KEY, SERVICE]));
    expect(seen.order.indexOf('request')).toBeGreaterThan(seen.order.lastIndexOf('secret'));
  });

  test('POSTs with imgURL=repository@digest; without health-url deployed but "not verified"', async () => {
    const http = fakeHttp(() => ({ status: 200, body: '{"deploy":{"id":"dep-42"}}' }));
    const result = await run(await config({ 'health-url': '' }), http.http).outcome;
    expect(http.requests).toHaveLength(1);
    expect(http.requests[0]!.method).toBe('POST');
    expect(imageParam(http.requests[0]!.url)).toBe(`${REPO}@${NEW}`);
    expect(new URL(http.requests[0]!.url).searchParams.get('key')).toBe(KEY);
    expect(result).toMatchObject({ deployed: true, rolledBack: false, stage: { status: 'success' } });
    expect(result.stage.headline).toBe(`deployed ${REPO}@sha256:111111111111 (not verified: no health-url)`);
    expect(result.log.lines.join('\n')).toContain('(deploy dep-42)');
    expect(allText(result)).not.toContain(KEY);
  });

  test('500 then 200: retried once after a backoff, deployed', async () => {
    const http = fakeHttp((_r, i) => (i === 0 ? { status: 500, body: 'oops' } : { status: 200 }));
    const { outcome, sleeps } = run(await config({ 'health-url': '' }), http.http);
    expect((await outcome).deployed).toBe(true);
    expect(http.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(500);
    expect(sleeps[0]).toBeLessThanOrEqual(1000);
  });

  test('429 with Retry-After: waits as asked', async () => {
    const http = fakeHttp((_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }));
    const { outcome, sleeps } = run(await config({ 'health-url': '' }), http.http);
    expect((await outcome).deployed).toBe(true);
    expect(sleeps).toEqual([7000]);
  });

  test('404: fails at once with the status and the first line of the body, masked', async () => {
    const http = fakeHttp(() => ({ status: 404, body: `\nservice not found for key ${KEY}\nmore` }));
    const { outcome, sleeps } = run(await config(), http.http);
    const result = await outcome;
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(result).toMatchObject({ deployed: false, rolledBack: false, stage: { status: 'failure' } });
    expect(result.stage.headline).toBe('The deploy hook failed: answered 404: service not found for key ***. Nothing was deployed.');
    expect(allText(result)).not.toContain(KEY);
  });

  test('not sent (connection refused): five attempts, then a failure naming the cause', async () => {
    const http = fakeHttp(() => new HttpError('connect ECONNREFUSED 127.0.0.1:9', 'network', false));
    const { outcome, sleeps } = run(await config({ 'health-url': '' }), http.http);
    const result = await outcome;
    expect(http.requests).toHaveLength(5);
    expect(sleeps).toHaveLength(4);
    expect(result.stage.headline).toBe(
      'The deploy hook failed: could not be reached: connect ECONNREFUSED 127.0.0.1:9 (after 5 attempts). Nothing was deployed.'
    );
  });

  test('sent, no answer within the limit: one call, never resent; without health-url a failure saying so', async () => {
    const http = fakeHttp(() => new HttpError('no answer within 30 s', 'timeout', true));
    const { outcome, sleeps } = run(await config({ 'health-url': '' }), http.http);
    const result = await outcome;
    expect(http.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(result).toMatchObject({ deployed: false, stage: { status: 'failure' } });
    expect(result.stage.headline).toBe(
      `The deploy hook did not answer within 30 s; it may or may not have started a deploy of ${REPO}@${NEW} (not retried, to avoid a second deploy).`
    );
  });

  test.each<[string, Error]>([
    ['a reset after sending', new HttpError('socket hang up', 'network', true)],
    ['an error that does not say whether it was sent', new Error('something broke')]
  ])('%s: one call, never resent', async (_name, error) => {
    const http = fakeHttp(() => error);
    const result = await run(await config({ 'health-url': '' }), http.http).outcome;
    expect(http.requests).toHaveLength(1);
    expect(result.stage.headline).toMatch(/^The deploy hook gave no answer \(.+\); it may or may not have started a deploy/);
  });

  test('a refused destination (link-local, redirect to another origin): one call, the input named, secrets masked', async () => {
    const http = fakeHttp(() => new HttpError(`hooks.example.com resolves to 169.254.169.254, a link-local address ${KEY}`, 'refused', false));
    const result = await run(await config({ 'health-url': '' }), http.http).outcome;
    expect(http.requests).toHaveLength(1);
    expect(result.stage.headline).toBe(
      'Input `deploy-hook` is refused: hooks.example.com resolves to 169.254.169.254, a link-local address ***. Nothing was deployed.'
    );
  });

  test('hook and health requests refuse other origins and link-local addresses; registry reads do not', async () => {
    const http = fakeHttp((request) => registry(undefined)(request) ?? { status: 200 });
    const calls: { url: string; options: object }[] = [];
    const recording: Http = { request: (method, url, options) => (calls.push({ url, options }), http.http.request(method, url, options)) };
    await run(await config(), recording).outcome;
    const guard = { redirects: 'same-origin', refuseLinkLocal: true };
    expect(calls.find((c) => c.url.startsWith(HOOKS))!.options).toMatchObject(guard);
    expect(calls.find((c) => c.url === HEALTH)!.options).toMatchObject(guard);
    expect(calls.find((c) => c.url.includes('/manifests/'))!.options).not.toHaveProperty('redirects');
  });
});

describe('deploy: health check, healthy tag and rollback', () => {
  test('healthy after a 503: deployed, slipway-healthy moved to the new digest (classic engine)', async () => {
    const http = fakeHttp(
      (request, i) => registry(OLD)(request) ?? (request.url === HEALTH ? (i === 0 ? { status: 503 } : { status: 200, body: 'ok' }) : { status: 200 })
    );
    const { outcome, sleeps, runner } = run(await config(), http.http);
    const result = await outcome;
    expect(result).toMatchObject({ deployed: true, rolledBack: false, stage: { status: 'success' } });
    expect(result.stage.headline).toMatch(/^deployed registry\.example\.com\/acme\/shop@sha256:111111111111; healthy after /);
    expect(sleeps).toEqual([1000]);
    expect(runner.calls.map((c) => c.args)).toEqual([
      ['buildx', 'version'],
      ['pull', `${REPO}@${NEW}`],
      ['tag', `${REPO}@${NEW}`, `${REPO}:slipway-healthy`],
      ['push', `${REPO}:slipway-healthy`]
    ]);
    for (const call of runner.calls) expect(call.options.env!.DOCKER_CONFIG).toBe(join(folders.tempDir, 'docker-config'));
    // The previous healthy digest was read from the registry with the given credentials.
    const manifest = http.requests.find((r) => r.url.includes('/manifests/'))!;
    expect(manifest.url).toBe('https://registry.example.com/v2/acme/shop/manifests/slipway-healthy');
  });

  test('buildx: the healthy tag is moved registry-side with imagetools', async () => {
    const runner = fakeRunner((args) =>
      args[0] === 'buildx' && args[1] === 'version'
        ? { stdout: 'buildx v0.17\n' }
        : args[1] === 'imagetools' && args[2] === 'inspect'
          ? { stdout: JSON.stringify({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: OLD, size: 700 }) }
          : {}
    );
    const http = fakeHttp(() => ({ status: 200 }));
    const result = await run(await config(), http.http, runner).outcome;
    expect(result.deployed).toBe(true);
    expect(runner.calls.map((c) => c.args)).toEqual([
      ['buildx', 'version'],
      ['buildx', 'imagetools', 'inspect', `${REPO}:slipway-healthy`, '--format', '{{json .Manifest}}'],
      ['buildx', 'imagetools', 'create', '--tag', `${REPO}:slipway-healthy`, `${REPO}@${NEW}`]
    ]);
    expect(result.log.lines.join('\n')).toContain(`Last healthy image: ${REPO}@${OLD}`);
  });

  test('health-expect not in the body: unhealthy, with that reason', async () => {
    const http = fakeHttp((request) => registry(undefined)(request) ?? (request.url === HEALTH ? { status: 200, body: 'version=old' } : { status: 200 }));
    const result = await run(await config({ 'health-expect': SHA, 'health-timeout': '3' }), http.http).outcome;
    expect(result.stage.status).toBe('failure');
    expect(result.stage.details![0]).toContain(`answered 200, but its body does not contain "${SHA}"`);
  });

  test('never healthy: rolled back to the previous healthy digest, which is healthy; stage failed', async () => {
    // The health endpoint is healthy only while the old digest is deployed.
    let deployed = '';
    const http = fakeHttp((request) => {
      const fromRegistry = registry(OLD)(request);
      if (fromRegistry) return fromRegistry;
      if (request.method === 'POST') {
        deployed = imageParam(request.url) ?? '';
        return { status: 200 };
      }
      return deployed.endsWith(OLD) ? { status: 200 } : { status: 503, body: 'starting' };
    });
    const { outcome, sleeps, runner } = run(await config({ 'health-timeout': '5' }), http.http);
    const result = await outcome;
    expect(http.requestsTo(HOOKS).map((r) => imageParam(r.url))).toEqual([`${REPO}@${NEW}`, `${REPO}@${OLD}`]);
    expect(result).toMatchObject({ deployed: false, rolledBack: true, stage: { status: 'failure' } });
    expect(result.stage.headline).toBe(
      `deployed ${REPO}@sha256:111111111111, but ${HEALTH} answered 503 after 5.0s; rolled back to ${REPO}@sha256:222222222222, which is healthy`
    );
    expect(result.stage.details).toEqual([
      `Deployed ${REPO}@${NEW}, but ${HEALTH} answered 503 after 5.0s; rolled back to ${REPO}@${OLD}, which is healthy. (4 health polls, health-timeout 5s.)`
    ]);
    expect(result.log.lines.at(-1)).toBe(result.stage.details![0]);
    // The first wait used the whole schedule (1 s, 2 s, 2 s = 5 s, 4 polls); the old image was healthy at once.
    expect(sleeps).toEqual([1000, 2000, 2000]);
    // The healthy tag was not moved.
    expect(runner.calls.map((c) => c.args[0])).not.toContain('push');
  });

  test('never healthy, the old one neither: says so', async () => {
    const http = fakeHttp((request) => registry(OLD)(request) ?? (request.method === 'POST' ? { status: 200 } : new Error('connect ECONNREFUSED')));
    const result = await run(await config({ 'health-timeout': '1' }), http.http).outcome;
    expect(result.rolledBack).toBe(true);
    expect(result.stage.headline).toMatch(
      /^deployed .*, but https:\/\/shop\.example\.com\/health could not be reached \(connect ECONNREFUSED\) after 1\.0s; rolled back to .*@sha256:222222222222, which is unhealthy too \(https:\/\/shop\.example\.com\/health could not be reached \(connect ECONNREFUSED\)\)$/
    );
  });

  describe('the hook got the call but did not answer: the health check decides', () => {
    const silentHook = (health: (deployedSha: boolean) => HttpAnswer) => {
      let polls = 0;
      const http = fakeHttp((request) => {
        const fromRegistry = registry(OLD)(request);
        if (fromRegistry) return fromRegistry;
        if (request.method === 'POST') return new HttpError('no answer within 30 s', 'timeout', true);
        return health(++polls > 1);
      });
      return http;
    };

    test('health-expect names the commit and the app reports it: deployed, said plainly, healthy tag moved', async () => {
      const http = silentHook((live) => ({ status: 200, body: live ? `version ${SHA}` : 'version old' }));
      const { outcome, runner } = run(await config({ 'health-expect': SHA.slice(0, 12) }), http.http);
      const result = await outcome;
      expect(http.requestsTo(HOOKS)).toHaveLength(1);
      expect(result).toMatchObject({ deployed: true, rolledBack: false, stage: { status: 'success' } });
      expect(result.stage.headline).toMatch(
        /^deployed .*@sha256:111111111111; the deploy hook did not answer within 30 s, but the app reports the new image after /
      );
      expect(runner.calls.map((c) => c.args[0])).toContain('push');
    });

    test('the app never reports it: failed, not resent, not rolled back', async () => {
      const http = silentHook(() => ({ status: 200, body: 'version old' }));
      const result = await run(await config({ 'health-expect': SHA.slice(0, 7), 'health-timeout': '3' }), http.http).outcome;
      expect(http.requestsTo(HOOKS)).toHaveLength(1);
      expect(result).toMatchObject({ deployed: false, rolledBack: false, stage: { status: 'failure' } });
      expect(result.stage.headline).toBe(
        `The deploy hook did not answer within 30 s; it may or may not have started a deploy of ${REPO}@${NEW} (not retried, to avoid a second deploy); ` +
          `${HEALTH} answered 200, but its body does not contain "${SHA.slice(0, 7)}" after 3.0s.`
      );
    });

    test('health-expect does not name the commit: health cannot tell, failed at once', async () => {
      const http = silentHook(() => ({ status: 200 }));
      const result = await run(await config(), http.http).outcome;
      expect(http.requests.filter((r) => r.url === HEALTH)).toEqual([]);
      expect(result.stage.headline).toMatch(
        /\(not retried, to avoid a second deploy\)\. `health-url` cannot tell whether it went live: `health-expect` does not contain this commit's sha\.$/
      );
    });
  });

  test('health-url refused: one poll, the input named, not rolled back', async () => {
    const http = fakeHttp(
      (request) =>
        registry(OLD)(request) ??
        (request.url === HEALTH ? new HttpError('it redirected to another origin (https://elsewhere.example)', 'refused', true) : { status: 200 })
    );
    const { outcome, sleeps } = run(await config(), http.http);
    const result = await outcome;
    expect(sleeps).toEqual([]);
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(result).toMatchObject({ deployed: false, rolledBack: false, stage: { status: 'failure' } });
    expect(result.stage.headline).toBe(
      `Deployed ${REPO}@${NEW}, but it is not verified: Input \`health-url\` is refused: it redirected to another origin (https://elsewhere.example). Not rolled back: no image can be verified.`
    );
  });

  describe('rollback with a health-expect naming the commit: the old image must report its own', () => {
    const OLD_SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    /** The app reports the commit of the image deployed; the new one is unhealthy. */
    const app = (revisions: Record<string, string | undefined>, hook: (i: number) => HttpAnswer = () => ({ status: 200 })) => {
      let deployed = '';
      let posts = 0;
      return fakeHttp((request) => {
        const fromRegistry = registry(OLD, revisions)(request);
        if (fromRegistry) return fromRegistry;
        if (request.method === 'POST') {
          deployed = imageParam(request.url) ?? '';
          return hook(posts++);
        }
        return deployed.endsWith(OLD) ? { status: 200, body: `{"version":"sha-${OLD_SHA.slice(0, 7)}"}` } : { status: 503 };
      });
    };

    test('its revision label in place of the sha: rolled back, which is healthy', async () => {
      const http = app({ [OLD]: OLD_SHA });
      const result = await run(await config({ 'health-expect': `sha-${SHA.slice(0, 7)}`, 'health-timeout': '1' }), http.http).outcome;
      expect(result).toMatchObject({ rolledBack: true, stage: { status: 'failure' } });
      expect(result.stage.headline).toMatch(/; rolled back to .*@sha256:222222222222, which is healthy$/);
      expect(result.log.lines).toContain(`The rollback expects "sha-${OLD_SHA.slice(0, 7)}": the previous image's revision in place of this commit.`);
    });

    test('no revision label: a 2xx alone verifies it, and the log says so', async () => {
      const http = app({ [OLD]: undefined });
      const result = await run(await config({ 'health-expect': SHA, 'health-timeout': '1' }), http.http).outcome;
      expect(result.stage.headline).toMatch(/, which is healthy$/);
      expect(result.log.lines).toContain(
        'The rollback is verified by a 2xx from health-url alone: the previous image does not say which commit it was built from.'
      );
    });

    test('the rollback call gets no answer, but the app reports the old image: rolled back', async () => {
      const http = app({ [OLD]: OLD_SHA }, (i) => (i === 0 ? { status: 200 } : new HttpError('no answer within 30 s', 'timeout', true)));
      const result = await run(await config({ 'health-expect': SHA.slice(0, 7), 'health-timeout': '1' }), http.http).outcome;
      expect(http.requestsTo(HOOKS)).toHaveLength(2);
      expect(result.rolledBack).toBe(true);
      expect(result.stage.headline).toMatch(
        /; rolled back to .*@sha256:222222222222 \(the deploy hook did not answer within 30 s, but the app reports that image\), which is healthy$/
      );
    });

    test('buildx: the label comes from imagetools', async () => {
      const runner = fakeRunner((args) => {
        if (args[0] === 'buildx' && args[1] === 'version') return { stdout: 'buildx v0.17\n' };
        if (args.includes('{{json .Manifest}}')) return { stdout: JSON.stringify({ digest: OLD }) };
        if (args.includes('{{json .Image}}'))
          return { stdout: JSON.stringify({ 'linux/amd64': { config: { Labels: { 'org.opencontainers.image.revision': OLD_SHA } } } }) };
        return {};
      });
      const result = await run(await config({ 'health-expect': SHA.slice(0, 7), 'health-timeout': '1' }), app({}).http, runner).outcome;
      expect(runner.calls.map((c) => c.args.slice(0, 4))).toContainEqual(['buildx', 'imagetools', 'inspect', `${REPO}@${OLD}`]);
      expect(result.stage.headline).toMatch(/, which is healthy$/);
    });
  });

  test('no previous healthy image: nothing to roll back to', async () => {
    const http = fakeHttp((request) => registry(undefined)(request) ?? (request.method === 'POST' ? { status: 200 } : { status: 500 }));
    const result = await run(await config({ 'health-timeout': '1' }), http.http).outcome;
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(result).toMatchObject({ deployed: false, rolledBack: false, stage: { status: 'failure' } });
    expect(result.stage.headline).toMatch(
      /answered 500 after 1\.0s; nothing to roll back to: no image has passed the health check before \(registry\.example\.com\/acme\/shop:slipway-healthy does not exist\)$/
    );
  });

  test('rollback: false — no second hook call', async () => {
    const http = fakeHttp((request) => (request.method === 'POST' ? { status: 200 } : { status: 503 }));
    const result = await run(await config({ rollback: 'false', 'health-timeout': '1' }), http.http).outcome;
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(http.requests.some((r) => r.url.includes('/manifests/'))).toBe(false);
    expect(result.stage.headline).toMatch(/answered 503 after 1\.0s; not rolled back: rollback is off \(`rollback: false`\)$/);
  });

  test('the last healthy image is the same digest: no pointless redeploy', async () => {
    const http = fakeHttp((request) => registry(NEW)(request) ?? (request.method === 'POST' ? { status: 200 } : { status: 503 }));
    const result = await run(await config({ 'health-timeout': '1' }), http.http).outcome;
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(result.stage.headline).toMatch(/; not rolled back: the last healthy image is this same one$/);
  });

  test('without deploy-hook-image-param a rollback is impossible, and says why', async () => {
    const http = fakeHttp((request) => registry(OLD)(request) ?? (request.method === 'POST' ? { status: 200 } : { status: 503 }));
    const result = await run(await config({ 'deploy-hook-image-param': '', 'health-timeout': '1' }), http.http).outcome;
    expect(http.requestsTo(HOOKS)).toHaveLength(1);
    expect(http.requestsTo(HOOKS)[0]!.url).toBe(HOOK);
    expect(result.stage.headline).toMatch(/; not rolled back: without `deploy-hook-image-param` the hook cannot be told which image to deploy$/);
  });

  test('registry unreadable: a warning, deploy goes on', async () => {
    const http = fakeHttp((request) => (request.url.startsWith('https://registry.example.com/') ? { status: 403 } : { status: 200 }));
    const { outcome, seen } = run(await config(), http.http);
    const result = await outcome;
    expect(result.deployed).toBe(true);
    expect(seen.warnings.join('\n')).toMatch(/Could not read the last healthy image .*403/);
  });
});

describe('shipAndDeploy', () => {
  const docker = (args: string[]): Partial<RunResult> => {
    if (args[0] === 'buildx') return { code: 1 };
    if (args[0] === 'push') return { stdout: `${args[1]!.split(':').pop()}: digest: ${NEW} size: 737\n` };
    return {};
  };

  test('one login around build, push, deploy and the healthy tag', async () => {
    const runner = fakeRunner(docker);
    const http = fakeHttp((request) => registry(undefined)(request) ?? { status: 200 });
    const { reporter } = fakeReporter();
    const result = await shipAndDeploy(
      await config(),
      context(),
      { runner, host: fakeHost(), files: machineFiles(), reporter, http: http.http, sleep: async () => undefined },
      true
    );
    expect(result.image).toMatchObject({ pushed: true, digest: NEW, stage: { status: 'success' } });
    expect(result.deploy).toMatchObject({ deployed: true, stage: { status: 'success' } });
    const commands = runner.calls.map((c) => c.args[0]);
    expect(commands.filter((c) => c === 'login')).toHaveLength(1);
    expect(commands[0]).toBe('login');
    expect(commands.at(-1)).toBe('logout');
    expect(result.image.log.lines.at(-1)).toMatch(/^\$ docker logout/);
  });

  test('health-url set: the deploy reads and moves the healthy tag inside the one login, then it logs out', async () => {
    const runner = fakeRunner(docker);
    const http = fakeHttp((request) => registry(undefined)(request) ?? { status: 200 });
    const ports = { runner, host: fakeHost(), files: machineFiles(), reporter: fakeReporter().reporter, http: http.http, sleep: async () => undefined };
    const result = await shipAndDeploy(await config(), context(), ports, true);
    expect(result.deploy!.deployed).toBe(true);
    expect(runner.calls[0]!.args.slice(0, 2)).toEqual(['login', '--username']);
    expect(runner.calls[0]!.options.input).toBe('registry-password-secret');
    expect(runner.calls.at(-1)!.args[0]).toBe('logout');
    const dockerConfig = runner.calls[0]!.options.env!.DOCKER_CONFIG;
    const moved = runner.calls.find((c) => c.args[0] === 'push' && c.args[1] === `${REPO}:slipway-healthy`);
    expect(moved!.options.env!.DOCKER_CONFIG).toBe(dockerConfig);
  });

  test('pull request: no login, deploy skipped with the reason', async () => {
    const runner = fakeRunner(docker);
    const http = fakeHttp(() => ({ status: 200 }));
    const ctx = { ...context(), event: { ...context().event, name: 'pull_request', ref: 'refs/pull/3/merge' } };
    const result = await shipAndDeploy(
      await config(),
      ctx,
      { runner, host: fakeHost(), files: machineFiles(), reporter: fakeReporter().reporter, http: http.http },
      true
    );
    expect(result.image.stage.status).toBe('skipped');
    expect(result.deploy).toMatchObject({ stage: { status: 'skipped' }, deployed: false });
    expect(runner.calls).toEqual([]);
    expect(http.requests).toEqual([]);
  });

  test('login refused: image failed, deploy skipped, hook never called', async () => {
    const runner = fakeRunner((args) => (args[0] === 'login' ? { code: 1, stderr: 'Error response from daemon: 401 Unauthorized\n' } : docker(args)));
    const http = fakeHttp(() => ({ status: 200 }));
    const result = await shipAndDeploy(
      await config(),
      context(),
      { runner, host: fakeHost(), files: machineFiles(), reporter: fakeReporter().reporter, http: http.http },
      true
    );
    expect(result.image.stage).toMatchObject({ status: 'failure' });
    expect(result.image.stage.headline).toMatch(/^Could not log in to registry registry\.example\.com as robot/);
    expect(result.deploy!.stage.status).toBe('skipped');
    expect(http.requests).toEqual([]);
    expect(runner.calls.map((c) => c.args[0])).toEqual(['login', 'logout']);
  });

  test('no deploy-hook: no deploy outcome', async () => {
    const runner = fakeRunner(docker);
    const result = await shipAndDeploy(
      await config({ 'deploy-hook': '' }),
      context(),
      { runner, host: fakeHost(), files: machineFiles(), reporter: fakeReporter().reporter, http: fakeHttp(() => ({})).http },
      true
    );
    expect(result.image.pushed).toBe(true);
    expect(result.deploy).toBeUndefined();
  });
});

describe('registry API', () => {
  test.each([
    ['ghcr.io/acme/shop', 'ghcr.io', 'acme/shop'],
    ['127.0.0.1:5000/shop', '127.0.0.1:5000', 'shop'],
    ['localhost/a/b', 'localhost', 'a/b'],
    ['acme/shop', 'registry-1.docker.io', 'acme/shop'],
    ['nginx', 'registry-1.docker.io', 'library/nginx'],
    ['docker.io/nginx', 'registry-1.docker.io', 'library/nginx']
  ])('%s → %s %s', (image, host, path) => {
    expect(registryEndpoint(image)).toEqual({ host, path });
  });

  test('bearer challenge: token from the realm with Basic credentials, then the digest header', async () => {
    const http = fakeHttp((request): HttpAnswer => {
      if (request.url.startsWith('https://ghcr.io/token')) {
        expect(request.headers?.Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
        return { status: 200, body: '{"token":"T0K"}' };
      }
      if (request.headers?.Authorization === 'Bearer T0K') return { status: 200, headers: { 'docker-content-digest': OLD } };
      return { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/shop:pull"' } };
    });
    expect(await registryDigest(http.http, 'ghcr.io/acme/shop', 'slipway-healthy', { username: 'u', password: 'p' })).toBe(OLD);
    const token = new URL(http.requests[1]!.url);
    expect(Object.fromEntries(token.searchParams)).toEqual({ service: 'ghcr.io', scope: 'repository:acme/shop:pull' });
  });

  test('basic challenge; 404 means no such tag; no header: the body is hashed', async () => {
    const body = '{"schemaVersion":2}';
    const http = fakeHttp((request): HttpAnswer =>
      !request.headers?.Authorization
        ? { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }
        : request.url.endsWith('/missing')
          ? { status: 404 }
          : { status: 200, body }
    );
    const creds = { username: 'u', password: 'p' };
    expect(await registryDigest(http.http, '127.0.0.1:5000/shop', 'missing', creds)).toBeUndefined();
    expect(await registryDigest(http.http, '127.0.0.1:5000/shop', 'x', creds)).toBe(
      'sha256:' + (await import('node:crypto')).createHash('sha256').update(body).digest('hex')
    );
    await expect(registryDigest(http.http, '127.0.0.1:5000/shop', 'x')).rejects.toThrow(/wants credentials/);
  });

  describe('a registry that answers HTTPS in plain HTTP', () => {
    const plain = (answer: (request: HttpCall) => HttpAnswer) =>
      fakeHttp((request) =>
        request.url.startsWith('https://') ? new HttpError('the server does not speak TLS: it answered in plain HTTP', 'not-tls', false) : answer(request)
      );
    const basic = (request: HttpCall): HttpAnswer =>
      request.headers?.Authorization
        ? { status: 200, headers: { 'docker-content-digest': OLD } }
        : { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } };

    test('on loopback: read over http://, credentials included', async () => {
      const http = plain(basic);
      expect(await registryDigest(http.http, '127.0.0.1:5000/shop', 'slipway-healthy', { username: 'u', password: 'p' })).toBe(OLD);
      expect(http.requests.map((r) => r.url)).toEqual([
        'https://127.0.0.1:5000/v2/shop/manifests/slipway-healthy',
        'http://127.0.0.1:5000/v2/shop/manifests/slipway-healthy',
        'http://127.0.0.1:5000/v2/shop/manifests/slipway-healthy'
      ]);
    });

    test('elsewhere: anonymous reads work, credentials are never sent', async () => {
      const http = plain(basic);
      await expect(registryDigest(http.http, 'registry.lan:5000/shop', 'slipway-healthy', { username: 'u', password: 'p' })).rejects.toThrow(
        'the registry at registry.lan:5000 does not speak HTTPS; registry credentials are not sent over plain HTTP'
      );
      expect(http.requests.some((r) => r.headers?.Authorization)).toBe(false);
      const open = plain(() => ({ status: 200, headers: { 'docker-content-digest': OLD } }));
      expect(await registryDigest(open.http, 'registry.lan:5000/shop', 'slipway-healthy')).toBe(OLD);
    });
  });

  test('registryRevision: a multi-platform index picks linux/amd64, skips attestations, reads the label from the config blob', async () => {
    const amd = `sha256:${'aa'.repeat(32)}`;
    const config = `sha256:${'cc'.repeat(32)}`;
    const http = fakeHttp((request): HttpAnswer => {
      if (request.url.endsWith(`/manifests/${OLD}`)) {
        return {
          body: JSON.stringify({
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: [
              { digest: `sha256:${'ee'.repeat(32)}`, platform: { os: 'unknown', architecture: 'unknown' } },
              { digest: `sha256:${'bb'.repeat(32)}`, platform: { os: 'linux', architecture: 'arm64' } },
              { digest: amd, platform: { os: 'linux', architecture: 'amd64' } }
            ]
          })
        };
      }
      if (request.url.endsWith(`/manifests/${amd}`)) return { body: JSON.stringify({ config: { digest: config } }) };
      if (request.url.endsWith(`/blobs/${config}`)) return { body: JSON.stringify({ config: { Labels: { 'org.opencontainers.image.revision': SHA } } }) };
      return { status: 404 };
    });
    expect(await registryRevision(http.http, 'ghcr.io/acme/shop', OLD)).toBe(SHA);
  });

  test('the one masker (Secrets): longest secret first, every occurrence', () => {
    const secrets = new Secrets();
    ['abc', 'abcdef', ''].forEach((secret) => secrets.add(secret));
    expect(secrets.mask('xabcdefx abc')).toBe('x***x ***');
  });
});
