// The smoke test inside the image stage (through ship.ts, no deploy-hook), against fake ports: the
// order of the docker calls, the buildx --load then push path, and each way it fails, with a fake
// sleep (no waiting). No Docker here (see __tests__/e2e/smoke.test.ts for the real thing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { RunContext } from '../../src/context.js';
import type { InputName } from '../../src/inputs.js';
import type { RunResult } from '../../src/ports.js';
import { shipAndDeploy } from '../../src/stages/ship.js';
import { fakeHost, fakeHttp, fakeReporter, fakeRunner, machineFiles, type HttpAnswer } from '../fixtures/fake-ports.js';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const ID = 'f'.repeat(64);
const roots: string[] = [];
let project: string;
let tempDir: string;

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-smoke-stage-'));
  roots.push(root);
  project = join(root, 'repo');
  tempDir = join(root, 'tmp');
  mkdirSync(project);
  mkdirSync(tempDir);
  writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\n');
});

afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const config = (inputs: Partial<Record<InputName, string>> = {}): Promise<Config> =>
  buildConfig(
    (name) => ({ image: 'registry.example.com/acme/shop', 'smoke-path': '/health', 'smoke-timeout': '10', ...inputs })[name as string] ?? '',
    project
  );

const context = (): RunContext => ({
  repositoryRoot: project,
  stateDir: join(tempDir, 'state'),
  tempDir,
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
  inActions: false,
  event: {
    name: 'push',
    ref: 'refs/heads/main',
    sha: '3f786850e387550fdab836ed7e6dc881de23001b',
    defaultBranch: 'main',
    repository: 'acme/shop',
    serverUrl: 'https://github.com'
  }
});

interface Engine {
  buildx?: boolean;
  exposed?: string;
  ports?: string;
  state?: string;
}

/** A docker CLI answering as an engine whose container runs (or not) with the given ports. */
const engine =
  ({ buildx = false, exposed = '{"8080/tcp":{}}', ports = '8080/tcp -> 0.0.0.0:32768\n8080/tcp -> [::]:32768\n', state = 'running 0' }: Engine) =>
  (args: string[]): Partial<RunResult> => {
    if (args[0] === 'buildx' && args[1] === 'version') return buildx ? { stdout: 'buildx v0.17.1\n' } : { code: 1, stderr: 'unknown command\n' };
    if (args[0] === 'image' && args[1] === 'inspect') return { stdout: `${exposed}\n` };
    if (args[0] === 'run') return { stdout: `${ID}\n` };
    if (args[0] === 'inspect') return { stdout: `${state}\n` };
    if (args[0] === 'port') return { stdout: ports };
    if (args[0] === 'logs') return { stdout: 'booting\n', stderr: 'fatal: no DATABASE_URL\n' };
    if (args[0] === 'push') return { stdout: `${args[1]!.split(':').pop()}: digest: ${DIGEST} size: 737\n` };
    return {};
  };

async function run(engineSetup: Engine, answer: (index: number) => HttpAnswer, inputs: Partial<Record<InputName, string>> = {}) {
  const runner = fakeRunner(engine(engineSetup));
  const http = fakeHttp((_request, index) => answer(index));
  const slept: number[] = [];
  const ports = {
    runner,
    host: fakeHost([]),
    files: machineFiles(),
    reporter: fakeReporter().reporter,
    http: http.http,
    sleep: async (ms: number) => void slept.push(ms)
  };
  const shipped = await shipAndDeploy(await config(inputs), context(), ports, true);
  const calls = runner.calls.map((c) => c.args.slice(0, 2).join(' '));
  return { image: shipped.image, calls, runner, requests: http.requests, slept };
}

test('classic: smoke test after the build, before the first push; the container removed before pushing', async () => {
  const { image, calls, requests } = await run({}, (i) => ({ status: i < 2 ? 503 : 200 }));
  expect(image).toMatchObject({ pushed: true, digest: DIGEST });
  expect(requests.map((r) => r.url)).toEqual(['http://127.0.0.1:32768/health', 'http://127.0.0.1:32768/health', 'http://127.0.0.1:32768/health']);
  const order = ['build -f', `run -d`, `rm -f`, 'push registry.example.com/acme/shop:sha-3f78685'].map((prefix) =>
    calls.findIndex((c) => c.startsWith(prefix))
  );
  expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
  expect(image.stage.details).toContain('The smoke test passed: /health answered 200.');
});

test('the container runs with no environment, mount or Docker config of the run in it', async () => {
  const { runner } = await run({}, () => ({ status: 200 }));
  const started = runner.calls.find((c) => c.args[0] === 'run')!;
  expect(started.args).toEqual(['run', '-d', '-P', 'registry.example.com/acme/shop:sha-3f78685']);
});

test('buildx: the image is loaded (--load), smoke-tested, then pushed with docker push', async () => {
  const { image, runner, calls } = await run({ buildx: true }, () => ({ status: 200 }));
  const build = runner.calls.find((c) => c.args[0] === 'buildx' && c.args[1] === 'build')!;
  expect(build.args).toContain('--load');
  expect(build.args).not.toContain('--push');
  expect(build.args).not.toContain('--metadata-file');
  expect(calls.findIndex((c) => c.startsWith('run'))).toBeLessThan(calls.findIndex((c) => c.startsWith('push')));
  expect(image).toMatchObject({ pushed: true, digest: DIGEST });
});

test.each<[string, Engine, (i: number) => HttpAnswer, RegExp]>([
  ['the probe never answers 2xx', {}, () => ({ status: 500 }), /^Smoke test failed: \/health on port 8080 answered 500 within 10s \(smoke-timeout\)/],
  ['the server is never reachable', {}, () => new Error('connect ECONNREFUSED'), /on port 8080 could not be reached \(connect ECONNREFUSED\) within 10s/],
  [
    'the port is never published',
    { ports: '' },
    () => ({ status: 200 }),
    /on port 8080 is not published on the host \(`docker port` shows no mapping\) within 10s/
  ],
  [
    'the container exits',
    { state: 'exited 3' },
    () => ({ status: 200 }),
    /^Smoke test failed: the container stopped \(exit code 3\) before \/health answered 2xx/
  ]
])('%s: image stage failed with the logs and exit code; container removed; nothing pushed', async (_name, setup, answer, message) => {
  const { image, calls, slept } = await run(setup, answer);
  expect(image.stage.status).toBe('failure');
  const text = image.stage.details?.join('\n') ?? image.stage.headline;
  expect(text).toMatch(message);
  expect(text).toMatch(/Its last 30 log lines:\nbooting\nfatal: no DATABASE_URL/);
  expect(calls).toContain(`rm -f`);
  expect(calls.some((c) => c.startsWith('push'))).toBe(false);
  expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
});

test('an image that exposes no port: add EXPOSE, no container started', async () => {
  const { image, calls } = await run({ exposed: 'null' }, () => ({ status: 200 }));
  expect(image.stage.status).toBe('failure');
  expect(image.stage.headline).toMatch(/exposes no TCP port.*Add `EXPOSE <port>` to the Dockerfile/);
  expect(calls.some((c) => c.startsWith('run'))).toBe(false);
  expect(calls.some((c) => c.startsWith('push'))).toBe(false);
});
