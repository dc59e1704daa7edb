// The image stage, through the one orchestration (ship.ts) with no deploy-hook, against fake ports:
// which docker commands run, with which arguments, env and stdin, and what the outcome says. No Docker
// here (see __tests__/e2e/ship.test.ts for the real thing).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { GitEvent, RunContext } from '../../src/context.js';
import { ConfigError, type InputName } from '../../src/inputs.js';
import type { RunResult } from '../../src/ports.js';
import type { ImageOutcome } from '../../src/stages/image.js';
import { shipAndDeploy } from '../../src/stages/ship.js';
import { fakeHost, machineFiles, fakeReporter, fakeRunner, noHttp, type FakeRunner } from '../fixtures/fake-ports.js';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const PASSWORD = 'hunter2-registry-secret';
const roots: string[] = [];

/** The classic engine: no buildx; push prints the digest line. */
const classicDocker = (args: string[]): Partial<RunResult> => {
  if (args[0] === 'buildx') return { code: 1, stderr: 'docker: unknown command: docker buildx\n' };
  if (args[0] === 'push') return { stdout: `The push refers to repository [x]\n${args[1]!.split(':').pop()}: digest: ${DIGEST} size: 737\n` };
  if (args[0] === 'login') return { stdout: 'Login Succeeded\n' };
  return {};
};

let project: string;
let tempDir: string;

beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-image-stage-'));
  roots.push(root);
  project = join(root, 'repo');
  tempDir = join(root, 'tmp');
  mkdirSync(join(project, 'docker'), { recursive: true });
  mkdirSync(tempDir);
  writeFileSync(join(project, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(project, 'docker', 'app.Dockerfile'), 'FROM scratch\n');
});

afterEach(() => {
  delete process.env.ACTIONS_RUNTIME_TOKEN;
  delete process.env.ACTIONS_RESULTS_URL;
});

afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const config = (inputs: Partial<Record<InputName, string>> = {}): Promise<Config> =>
  buildConfig(
    (name) =>
      ({
        image: 'registry.example.com/acme/shop',
        'registry-username': 'robot',
        'registry-password': PASSWORD,
        'build-args': 'BASE_IMAGE=registry.example.com/base:latest',
        ...inputs
      })[name as string] ?? '',
    project
  );

/** The ports the image stage gets: the runner under test, a reporter no test reads, and no HTTP. */
/** The runner's cache service, as the host sees it when a test made it available (process.env, below). */
const cacheService = (): Record<string, string> | undefined =>
  process.env.ACTIONS_RUNTIME_TOKEN
    ? { ACTIONS_RUNTIME_TOKEN: process.env.ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL: process.env.ACTIONS_RESULTS_URL ?? '' }
    : undefined;
const ports = (runner: FakeRunner) => ({
  runner,
  host: fakeHost([], undefined, cacheService()),
  files: machineFiles(),
  reporter: fakeReporter().reporter,
  http: noHttp
});

/** The image stage's outcome of a run (no deploy-hook is set, so there is no deploy). */
const imageStage = async (cfg: Config, ctx: RunContext, p: ReturnType<typeof ports>, testsPassed: boolean): Promise<ImageOutcome> => {
  const shipped = await shipAndDeploy(cfg, ctx, p, testsPassed);
  expect(shipped.deploy).toBeUndefined();
  return shipped.image;
};

const context = (event: Partial<GitEvent> = {}, inActions = true): RunContext => ({
  repositoryRoot: project,
  stateDir: join(tempDir, 'state'),
  tempDir,
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
  inActions,
  event: { name: 'push', ref: 'refs/heads/main', sha: SHA, defaultBranch: 'main', repository: 'acme/shop', serverUrl: 'https://github.com', ...event }
});

describe('image stage: when nothing is built', () => {
  test.each([
    ['no image input', { image: '' }, {}, /No `image` input/],
    ['a pull request', {}, { name: 'pull_request', ref: 'refs/pull/7/merge' }, /pull request/],
    ['a branch that is not a deploy branch', {}, { ref: 'refs/heads/feature/x' }, /not a deploy branch/],
    ['a tag that is not a version', {}, { ref: 'refs/tags/nightly' }, /not a version tag/]
  ])('%s: skipped, no docker call', async (_name, inputs, event, reason) => {
    const runner = fakeRunner(classicDocker);
    const outcome = await imageStage(await config(inputs), context(event), ports(runner), true);
    expect(outcome.stage).toMatchObject({ name: 'image', status: 'skipped' });
    expect(outcome.stage.headline).toMatch(reason);
    expect(outcome).toMatchObject({ pushed: false, tags: [] });
    expect(runner.calls).toEqual([]);
  });

  test('tests failed: skipped with the reason', async () => {
    const runner = fakeRunner(classicDocker);
    const outcome = await imageStage(await config(), context(), ports(runner), false);
    expect(outcome.stage.status).toBe('skipped');
    expect(outcome.stage.headline).toMatch(/tests failed/);
    expect(runner.calls).toEqual([]);
  });
});

describe('image stage: classic builder (no buildx)', () => {
  test('main push: login through stdin in a private DOCKER_CONFIG, build, push every tag, logout', async () => {
    const runner = fakeRunner(classicDocker);
    const outcome = await imageStage(await config(), context(), ports(runner), true);

    expect(outcome.stage).toMatchObject({ name: 'image', status: 'success' });
    const image = 'registry.example.com/acme/shop';
    expect(outcome).toMatchObject({
      pushed: true,
      repository: image,
      image: `${image}:sha-3f78685`,
      digest: DIGEST,
      tags: [`${image}:sha-3f78685`, `${image}:main`, `${image}:latest`]
    });
    expect(outcome.stage.headline).toBe(`pushed ${image}:sha-3f78685 and 2 more tags (sha256:abababababab)`);

    expect(runner.calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual([
      'login --username',
      'buildx version',
      `build -f`,
      `push ${image}:sha-3f78685`,
      `push ${image}:main`,
      `push ${image}:latest`,
      'logout registry.example.com'
    ]);
    const [login, , build] = runner.calls;
    expect(login!.args).toEqual(['login', '--username', 'robot', '--password-stdin', 'registry.example.com']);
    expect(login!.options.input).toBe(PASSWORD);

    // One private config for every call, under the run's temp dir, removed afterwards.
    const dockerConfig = login!.options.env!.DOCKER_CONFIG!;
    expect(dockerConfig.startsWith(tempDir)).toBe(true);
    for (const call of runner.calls) expect(call.options.env!.DOCKER_CONFIG).toBe(dockerConfig);
    expect(existsSync(dockerConfig)).toBe(false);

    expect(build!.options.cwd).toBe(project);
    expect(build!.options.env!.DOCKER_BUILDKIT).toBe('0');
    const args = build!.args;
    expect(args.slice(0, 3)).toEqual(['build', '-f', join(project, 'Dockerfile')]);
    expect(args.filter((_, i) => args[i - 1] === '-t')).toEqual(outcome.tags);
    expect(args.filter((_, i) => args[i - 1] === '--build-arg')).toEqual(['BASE_IMAGE=registry.example.com/base:latest']);
    const labels = Object.fromEntries(args.filter((_, i) => args[i - 1] === '--label').map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.title': 'shop'
    });
    expect(Date.now() - Date.parse(labels['org.opencontainers.image.created']!)).toBeLessThan(60_000);
    expect(args[args.length - 1]).toBe(project);

    // The password went through stdin only.
    const everything = JSON.stringify([runner.calls.map((c) => [c.args, { ...c.options.env, PATH: '' }]), outcome.log.lines, outcome.stage]);
    expect(everything).not.toContain(PASSWORD);
  });

  test('dockerfile and context are resolved from working-directory, not the runner cwd', async () => {
    const runner = fakeRunner(classicDocker);
    await imageStage(await config({ dockerfile: 'docker/app.Dockerfile', context: 'docker' }), context(), ports(runner), true);
    const build = runner.calls.find((c) => c.args[0] === 'build')!;
    expect(build.args.slice(1, 3)).toEqual(['-f', join(project, 'docker', 'app.Dockerfile')]);
    expect(build.args[build.args.length - 1]).toBe(join(project, 'docker'));
  });

  test('version tag v1.2.3: 1.2.3, 1.2, 1 and the version label', async () => {
    const runner = fakeRunner(classicDocker);
    const outcome = await imageStage(await config(), context({ ref: 'refs/tags/v1.2.3' }), ports(runner), true);
    expect(outcome.tags.map((t) => t.split(':').pop())).toEqual(['sha-3f78685', '1.2.3', '1.2', '1']);
    expect(runner.calls.find((c) => c.args[0] === 'build')!.args).toContain('org.opencontainers.image.version=1.2.3');
  });

  test('wrong password: one error naming the registry, nothing built or pushed, logged out, config removed', async () => {
    const runner = fakeRunner((args) =>
      args[0] === 'login'
        ? { code: 1, stderr: 'Error response from daemon: login attempt to https://registry.example.com/v2/ failed with status: 401 Unauthorized\n' }
        : classicDocker(args)
    );
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.stage.status).toBe('failure');
    expect(outcome.stage.headline).toMatch(/^Could not log in to registry registry\.example\.com as robot: .*401 Unauthorized.*Nothing was pushed\.$/);
    expect(outcome).toMatchObject({ pushed: false, tags: [] });
    expect(runner.calls.map((c) => c.args[0])).toEqual(['login', 'logout']);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  test.each([
    ['only one of username and password: a clear error before any docker call', { 'registry-password': '' }, /`registry-password`: is empty/],
    ['a missing Dockerfile names the input before logging in', { dockerfile: 'nope/Dockerfile' }, /^Input `dockerfile`: "nope\/Dockerfile" was not found/],
    ['an invalid image name names the input', { image: 'ghcr.io/Acme/shop:v1' }, /^Input `image`:/]
  ])('%s (refused with the inputs, before anything runs)', async (_name, inputs, message) => {
    const error = await config(inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  test('no credentials: no login, the ambient Docker config is used', async () => {
    const runner = fakeRunner(classicDocker);
    const before = process.env.DOCKER_CONFIG;
    const outcome = await imageStage(await config({ 'registry-username': '', 'registry-password': '' }), context(), ports(runner), true);
    expect(outcome.stage.status).toBe('success');
    expect(runner.calls.map((c) => c.args[0])).not.toContain('login');
    for (const call of runner.calls) expect(call.options.env!.DOCKER_CONFIG).toBe(before);
  });

  test('a refused push fails with the reason and a hint', async () => {
    const runner = fakeRunner((args) => (args[0] === 'push' ? { code: 1, stderr: 'unauthorized: authentication required\n' } : classicDocker(args)));
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.stage.status).toBe('failure');
    expect(outcome.stage.headline).toMatch(/docker push .*:sha-3f78685 failed \(exit 1\): unauthorized: authentication required\. .*may push/);
    expect(runner.calls.at(-1)!.args[0]).toBe('logout');
  });

  test('a failing build fails with the end of its output', async () => {
    const runner = fakeRunner((args) =>
      args[0] === 'build' ? { code: 1, stdout: 'STEP 2/3: RUN false\n', stderr: 'Error: building at STEP "RUN false": exit status 1\n' } : classicDocker(args)
    );
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.stage).toMatchObject({ status: 'failure', headline: 'docker build failed (exit 1) for Dockerfile' });
    expect(outcome.stage.details![0]).toContain('Error: building at STEP "RUN false"');
    expect(runner.calls.map((c) => c.args[0])).not.toContain('push');
  });

  test('docker missing: a clear error', async () => {
    const runner = fakeRunner(() => {
      throw new Error('Unable to locate executable file: docker');
    });
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.stage.status).toBe('failure');
    expect(outcome.stage.headline).toMatch(/Could not run docker \(Unable to locate executable file: docker\)/);
  });

  test('build-on-pull-request: built, not pushed, no login', async () => {
    const runner = fakeRunner(classicDocker);
    const outcome = await imageStage(
      await config({ 'build-on-pull-request': 'true' }),
      context({ name: 'pull_request', ref: 'refs/pull/7/merge' }),
      ports(runner),
      true
    );
    expect(outcome.stage).toMatchObject({ status: 'success', headline: 'built registry.example.com/acme/shop:sha-3f78685; not pushed' });
    expect(outcome).toMatchObject({ pushed: false, tags: [] });
    expect(runner.calls.map((c) => c.args[0])).toEqual(['buildx', 'build']);
    expect(runner.calls[1]!.args).toContain('registry.example.com/acme/shop:pr-7');
  });
});

describe('image stage: buildx', () => {
  const buildxDocker =
    (driver: string) =>
    (args: string[]): Partial<RunResult> => {
      if (args[0] === 'buildx' && args[1] === 'version') return { stdout: 'github.com/docker/buildx v0.17.1\n' };
      if (args[0] === 'buildx' && args[1] === 'inspect') return { stdout: `Name:   builder\nDriver: ${driver}\n` };
      if (args[0] === 'buildx' && args[1] === 'build') {
        const file = args[args.indexOf('--metadata-file') + 1]!;
        writeFileSync(file, JSON.stringify({ 'containerimage.digest': DIGEST, 'image.name': 'x' }));
        return {};
      }
      return classicDocker(args);
    };

  /** What the Actions cache service needs (removed again after each test). */
  const cacheServiceAvailable = (): void => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'token';
    process.env.ACTIONS_RESULTS_URL = 'https://results.example/';
  };

  test('in Actions with the cache service and a container builder: --push, gha cache, digest from the metadata file', async () => {
    cacheServiceAvailable();
    const runner = fakeRunner(buildxDocker('docker-container'));
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome).toMatchObject({ pushed: true, digest: DIGEST });
    const build = runner.calls.find((c) => c.args[1] === 'build')!;
    expect(build.args).toEqual(expect.arrayContaining(['--push', '--provenance=false', '--cache-from', 'type=gha', '--cache-to', 'type=gha,mode=max']));
    expect(build.options.env!.DOCKER_BUILDKIT).toBeUndefined();
    expect(runner.calls.map((c) => c.args[0])).not.toContain('push');
  });

  test('the docker driver cannot export a cache: no gha flags', async () => {
    cacheServiceAvailable();
    const runner = fakeRunner(buildxDocker('docker'));
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.pushed).toBe(true);
    expect(runner.calls.find((c) => c.args[1] === 'build')!.args).not.toContain('type=gha');
    expect(outcome.log.lines.join('\n')).toMatch(/No layer cache: .* driver is docker/);
  });

  test('outside Actions (the CLI): no gha cache, not even probed', async () => {
    cacheServiceAvailable();
    const runner = fakeRunner(buildxDocker('docker-container'));
    const outcome = await imageStage(await config(), context({}, false), ports(runner), true);
    expect(outcome.pushed).toBe(true);
    expect(runner.calls.map((c) => c.args.slice(0, 2).join(' '))).not.toContain('buildx inspect');
    expect(runner.calls.find((c) => c.args[1] === 'build')!.args).not.toContain('type=gha');
  });

  test('no metadata digest: a failure, not a guess', async () => {
    const runner = fakeRunner((args) => (args[1] === 'build' ? {} : buildxDocker('docker')(args)));
    const outcome = await imageStage(await config(), context(), ports(runner), true);
    expect(outcome.stage.status).toBe('failure');
    expect(outcome.stage.headline).toMatch(/pushed digest is unknown/);
  });
});
