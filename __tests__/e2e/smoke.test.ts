/**
 * End to end: the BUNDLED action smoke-tests the image it built, with the real docker CLI against
 * podman's Docker API, before pushing it to an authenticated TLS registry and deploying it to a
 * loopback fake host. An image that serves is pushed and deployed; an image whose process exits is
 * neither, its output is shown, and no container is left behind.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startDockerServices, missingDockerPrerequisites, type DockerServices, dockerStepEnv } from './support/docker.js';
import { startFakeHost, type FakeHost } from './support/fake-host.js';
import { runAction, runPost, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { pipMirrorEnv } from './support/python.js';
import { createWorkspace, removeTempDirs } from './support/workspace.js';

const SLOW = 240_000;
const missing = missingDockerPrerequisites();
const testDocker = missing.length === 0 ? test : test.skip;
if (missing.length > 0) process.stderr.write(`smoke e2e skipped: ${missing.join(', ')}\n`);

let services: DockerServices;
let host: FakeHost;
let baseImage: string;

beforeAll(async () => {
  if (missing.length > 0) return;
  [services, host] = await Promise.all([startDockerServices(), startFakeHost()]);
  baseImage = await services.pushBaseImage();
}, SLOW);

afterAll(async () => {
  await Promise.all([services?.stop(), host?.stop()]);
  removeTempDirs();
}, SLOW);

const serviceEnv = (): Record<string, string> => ({ ...pipMirrorEnv(), ...dockerStepEnv(services) });

/** Builds the ship fixture with `dockerfileTail` after its base, smoke-tests it at /health, and ships it. */
async function ship(
  repo: string,
  dockerfileTail: string[],
  sha: string,
  more: Partial<RunActionOptions> & { smokePath?: string; smokeTimeout?: number } = {}
): Promise<ActionResult> {
  const workspace = createWorkspace('ship-app');
  writeFileSync(path.join(workspace, 'Dockerfile'), ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', ...dockerfileTail, ''].join('\n'));
  return runAction({
    ...more,
    workspace,
    sha,
    timeoutMs: 200_000,
    inputs: {
      cache: false,
      image: `${services.registry}/${repo}`,
      'registry-username': services.username,
      'registry-password': services.password,
      'build-args': `BASE_IMAGE=${baseImage}`,
      'smoke-path': more.smokePath ?? '/health',
      'smoke-timeout': more.smokeTimeout ?? 20,
      'deploy-hook': host.hookUrl,
      'deploy-hook-image-param': 'imgURL',
      'health-url': host.healthUrl,
      'health-timeout': 3
    },
    env: serviceEnv()
  });
}

const explain = (result: ActionResult): string =>
  `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;

/** Containers of `repo`'s images still on the engine (running or not). */
async function containersOf(repo: string): Promise<string[]> {
  const listed = await services.docker(['ps', '-a', '--format', '{{.ID}} {{.Image}}']);
  return listed.stdout.split('\n').filter((line) => line.includes(`/${repo}:`));
}

testDocker(
  'an image that serves its smoke path is pushed and deployed; its container is removed',
  async () => {
    host.reset();
    const sha = randomBytes(20).toString('hex');
    const result = await ship(
      'serves',
      ['RUN mkdir -p /www && echo ok > /www/health', 'EXPOSE 18473', 'CMD ["httpd", "-f", "-v", "-p", "18473", "-h", "/www"]'],
      sha
    );
    if (!result.ok) throw new Error(`the action failed:\n${explain(result)}`);
    expect(result.log).toMatch(/Smoke test passed: GET http:\/\/127\.0\.0\.1:\d+\/health answered 200/);
    expect(await services.tags('serves')).toEqual(expect.arrayContaining([`sha-${sha.slice(0, 7)}`]));
    const digest = await services.manifestDigest('serves', `sha-${sha.slice(0, 7)}`);
    expect(host.deployed()).toBe(`${services.registry}/serves@${digest}`);
    expect(result.outputs).toMatchObject({ deployed: 'true', result: 'success' });
    expect(await containersOf('serves')).toEqual([]);
  },
  SLOW
);

testDocker(
  'an image whose process exits: nothing pushed, nothing deployed, its output and exit code shown, no container left',
  async () => {
    host.reset();
    const result = await ship(
      'exits',
      ['EXPOSE 18474', 'CMD ["sh", "-c", "echo starting the shop; echo error while loading shared libraries: libshop.so >&2; exit 3"]'],
      randomBytes(20).toString('hex')
    );
    expect(result.ok).toBe(false);
    const errors = result.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(errors).toMatch(/Smoke test failed: the container stopped \(exit code 3\)/);
    expect(result.log).toMatch(/error while loading shared libraries: libshop\.so/);
    expect(result.log).toMatch(/starting the shop/);
    expect(result.summary).toMatch(/Smoke test failed/);
    expect(await services.tags('exits')).toEqual([]);
    expect(host.calls).toEqual([]);
    expect(result.outputs).toMatchObject({ image: '', digest: '', deployed: 'false', result: 'failure' });
    expect(await containersOf('exits')).toEqual([]);
  },
  SLOW
);

testDocker(
  'an image that exposes no port: a clear message to add EXPOSE, nothing pushed',
  async () => {
    host.reset();
    const result = await ship('no-port', ['CMD ["httpd", "-f", "-p", "18475"]'], randomBytes(20).toString('hex'));
    expect(result.ok).toBe(false);
    expect(result.annotations.map((a) => a.message).join('\n')).toMatch(/exposes no TCP port.*Add `EXPOSE <port>` to the Dockerfile/);
    expect(await services.tags('no-port')).toEqual([]);
    expect(host.calls).toEqual([]);
  },
  SLOW
);

/** Runs an image whose smoke path never answers 2xx, and signals the step once the probe polls. */
async function interruptedWhileProbing(repo: string, signal: NodeJS.Signals): Promise<ActionResult> {
  host.reset();
  let probing: () => void = () => undefined;
  const polled = new Promise<void>((resolve) => (probing = resolve));
  const running = ship(
    repo,
    ['RUN mkdir -p /www && echo ok > /www/health', 'EXPOSE 18476', 'CMD ["httpd", "-f", "-p", "18476", "-h", "/www"]'],
    randomBytes(20).toString('hex'),
    {
      smokePath: '/never',
      smokeTimeout: 180,
      onStart: (child) => void polled.then(() => child.kill(signal)),
      onStdout: (chunk) => {
        if (chunk.includes('GET http://127.0.0.1:')) probing();
      }
    }
  );
  return running;
}

testDocker(
  'cancelled while probing (SIGTERM): the smoke container is removed at once; nothing pushed',
  async () => {
    const result = await interruptedWhileProbing('cancelled', 'SIGTERM');
    expect(result.code).toBe(143);
    expect(await containersOf('cancelled')).toEqual([]);
    expect(await services.tags('cancelled')).toEqual([]);
  },
  SLOW
);

testDocker(
  'killed while probing (SIGKILL): the post step removes the smoke container',
  async () => {
    const result = await interruptedWhileProbing('killed', 'SIGKILL');
    expect(result.signal).toBe('SIGKILL');
    expect(await containersOf('killed')).toHaveLength(1);
    const post = await runPost(result, { onStart: undefined, onStdout: undefined });
    if (!post?.ok) throw new Error(`the post step failed:\n${post ? explain(post) : 'no post step'}`);
    expect(post?.log).toMatch(/Removed the smoke test's container [0-9a-f]{12}\./);
    expect(await containersOf('killed')).toEqual([]);
  },
  SLOW
);
