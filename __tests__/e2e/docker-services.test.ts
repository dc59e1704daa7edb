// Smoke test of the Docker e2e support: podman's Docker API + an authenticated TLS registry, driven by
// the real docker CLI exactly as the image stage will drive it (classic builder, login, push).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDockerServices, type DockerServices } from './support/docker.js';

const SLOW = 300_000; // first builds and pushes on vfs storage

let services: DockerServices;
let dockerConfig: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  services = await startDockerServices();
  timings['start services'] = services.startupMs;
  dockerConfig = await mkdtemp(join(tmpdir(), 'slipway-docker-config-'));
}, SLOW);

afterAll(async () => {
  const started = Date.now();
  await services?.stop();
  timings['stop services'] = Date.now() - started;
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  console.log(`docker services timings (ms): ${JSON.stringify(timings)}`);
}, SLOW);

/** docker with a private DOCKER_CONFIG, so credentials never land in ~/.docker. */
const docker = (args: string[], input?: string) => services.docker(args, { input, extraEnv: { DOCKER_CONFIG: dockerConfig } });

const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - started;
  }
};

test('the docker CLI reaches podman through DOCKER_HOST', async () => {
  const version = await docker(['version', '--format', '{{.Server.Version}}']);
  expect(version.code).toBe(0);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+/);
  expect(services.env.DOCKER_HOST).toBe(services.dockerHost);
  expect(services.registry).toMatch(/^127\.0\.0\.1:\d+$/);
});

test('docker login: 401 with a wrong password, success with the right one, credentials in the private config', async () => {
  const wrong = await timed('login (wrong)', () =>
    docker(['login', '--username', services.username, '--password-stdin', services.registry], 'not-the-password\n')
  );
  expect(wrong.code).not.toBe(0);
  expect(wrong.stderr).toMatch(/401 Unauthorized/);

  const right = await timed('login', () => docker(['login', '--username', services.username, '--password-stdin', services.registry], `${services.password}\n`));
  expect(right.stderr + right.stdout).toMatch(/Login Succeeded/);
  expect(right.code).toBe(0);

  const config = JSON.parse(await readFile(join(dockerConfig, 'config.json'), 'utf8')) as {
    auths: Record<string, { auth: string }>;
  };
  expect(Buffer.from(config.auths[services.registry]!.auth, 'base64').toString()).toBe(`${services.username}:${services.password}`);
});

test('the registry refuses anonymous reads', async () => {
  const ca = await readFile(services.caCertPath);
  const get = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const [host, port] = services.registry.split(':');
      https
        .get({ host, port: Number(port), path: '/v2/_catalog', ca, headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  expect(await get({})).toBe(401);
  expect(await get({ Authorization: `Basic ${Buffer.from(`${services.username}:wrong`).toString('base64')}` })).toBe(401);
  const auth = Buffer.from(`${services.username}:${services.password}`).toString('base64');
  expect(await get({ Authorization: `Basic ${auth}` })).toBe(200);
});

test(
  'build with a RUN step FROM the pushed base, two tags, push, read back tags and digest',
  async () => {
    const base = await timed('build + push base image', () => services.pushBaseImage());
    expect(base).toBe(`${services.registry}/base:latest`);
    expect(await services.tags('base')).toEqual(['latest']);

    const context = join(services.dir, 'app');
    await mkdir(context);
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'ARG BASE_IMAGE',
        'FROM ${BASE_IMAGE}',
        'ARG GREETING=unset',
        'RUN echo "$GREETING from RUN" > /greeting && test "$(cat /greeting)" = "hello from RUN"',
        'CMD ["cat", "/greeting"]',
        ''
      ].join('\n')
    );
    const repo = `smoke/app-${Date.now().toString(36)}`;
    const unique = `${services.registry}/${repo}:sha-0123456`;
    const branch = `${services.registry}/${repo}:main`;

    const build = await timed('build app (classic, RUN)', () =>
      docker([
        'build',
        '-f',
        join(context, 'Dockerfile'),
        '-t',
        unique,
        '-t',
        branch,
        '--label',
        'org.opencontainers.image.revision=0123456789abcdef',
        '--build-arg',
        `BASE_IMAGE=${base}`,
        '--build-arg',
        'GREETING=hello',
        context
      ])
    );
    expect({ code: build.code, stderr: build.stderr.replace(/DEPRECATED: The legacy builder[\s\S]*?environment-variable\.\s*/, '') }).toEqual({
      code: 0,
      stderr: ''
    });
    expect(build.stdout).toMatch(/STEP \d+\/\d+: RUN echo/);

    const label = await docker(['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.revision"}}', unique]);
    expect(label.stdout.trim()).toBe('0123456789abcdef');

    const pushed: Record<string, string> = {};
    await timed('push two tags', async () => {
      for (const reference of [unique, branch]) {
        const push = await docker(['push', reference]);
        expect(push.code).toBe(0);
        const match = /: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout);
        expect(match).not.toBeNull();
        pushed[reference] = match![1]!;
      }
    });

    expect(await services.tags(repo)).toEqual(['main', 'sha-0123456']);
    const digest = await services.manifestDigest(repo, 'sha-0123456');
    expect(digest).toBe(pushed[unique]);
    expect(await services.manifestDigest(repo, 'main')).toBe(digest);

    // Containers run too (runc with cgroups; host network, so nothing creates a bridge or iptables rules).
    const run = await timed('docker run', () => docker(['run', '--rm', unique]));
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'hello from RUN\n' });

    // The digest reference is what the deploy hook receives; pulling it back proves it resolves.
    await docker(['rmi', unique, branch]);
    const pull = await timed('pull by digest', () => docker(['pull', `${services.registry}/${repo}@${digest}`]));
    expect(pull.code).toBe(0);
  },
  SLOW
);

test(
  'a push without login is refused',
  async () => {
    const anonymousConfig = await mkdtemp(join(tmpdir(), 'slipway-docker-anon-'));
    try {
      const reference = `${services.registry}/smoke/anonymous:sha-0123456`;
      const base = await services.pushBaseImage();
      await services.docker(['pull', base], { extraEnv: { DOCKER_CONFIG: dockerConfig } });
      expect((await services.docker(['tag', base, reference])).code).toBe(0);
      const push = await services.docker(['push', reference], { extraEnv: { DOCKER_CONFIG: anonymousConfig } });
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/unauthorized|authentication required/i);
      expect(await services.tags('smoke/anonymous')).toEqual([]);
    } finally {
      await rm(anonymousConfig, { recursive: true, force: true });
    }
  },
  SLOW
);
