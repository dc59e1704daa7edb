/**
 * End to end: the BUNDLED action (dist/index.js, `npm run bundle` first) builds the fixture image with
 * the real docker CLI against podman's Docker API, pushes it to an authenticated TLS registry (or a
 * plain-HTTP one), calls a Render-style deploy hook on a loopback fake host, polls its health endpoint
 * and rolls back. Every run talks to a loopback fake of the GitHub API (none reaches api.github.com),
 * which keeps the Deployments and statuses a deploy records.
 *
 * The cases share one registry and run in order: the first push leaves `shop:slipway-healthy`, which the
 * rollback cases return to. Every run uses its own commit SHA, so its `sha-…` tag is its own.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startDockerServices, missingDockerPrerequisites, type DockerServices, dockerStepEnv } from './support/docker.js';
import { startFakeGitHub, type FakeDeployment, type FakeDeploymentStatus, type FakeGitHub } from './support/fake-github.js';
import { startFakeHost, type FakeHost } from './support/fake-host.js';
import { outerEnv, runAction, runPost, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { expectFailure } from './support/assertions.js';
import { pipMirrorEnv } from './support/python.js';
import { createWorkspace, makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

const SLOW = 240_000;
const REPO = 'shop';
const missing = missingDockerPrerequisites();
const describeDocker = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) process.stderr.write(`ship e2e skipped: ${missing.join(', ')}\n`);

let services: DockerServices;
let host: FakeHost;
let github: FakeGitHub;
let baseImage: string;
const results: ActionResult[] = [];
const timings: Record<string, number> = {};
/** The commit each image pushed to the TLS registry was built from (`repo@sha256:…` → sha): what its app reports. */
const commits = new Map<string, string>();
/** Shortens the deploy hook's 30 s limit (deploy-hook.ts) for the hooks that never answer. */
const SHORT_HOOK_TIMEOUT = { SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS: '2' };

beforeAll(async () => {
  if (missing.length > 0) return;
  const started = Date.now();
  [services, host, github] = await Promise.all([startDockerServices({ plainRegistry: true }), startFakeHost(), startFakeGitHub()]);
  baseImage = await services.pushBaseImage();
  timings['services + base image'] = Date.now() - started;
}, SLOW);

afterAll(async () => {
  await Promise.all([services?.stop(), host?.stop(), github?.stop()]);
  removeTempDirs();
  process.stderr.write(`ship e2e timings (ms): ${JSON.stringify(timings)}\n`);
}, SLOW);

const newSha = (): string => randomBytes(20).toString('hex');
const tag = (sha: string): string => `sha-${sha.slice(0, 7)}`;
const image = (): string => `${services.registry}/${REPO}`;
/** The repository every run belongs to (runAction's default) and its run's page. */
const GITHUB_REPO = 'acme/shop';
const RUN_URL = 'https://github.com/acme/shop/actions/runs/1000000001';

/** What the runner gives the step: the docker, registry and pip settings of the test machine. */
const serviceEnv = (): Record<string, string> => ({ ...pipMirrorEnv(), ...dockerStepEnv(services) });

/** Runs the action on a fresh copy of the fixture, with the image and deploy inputs filled in. */
async function ship(name: string, options: Partial<RunActionOptions> & { inputs?: RunActionOptions['inputs'] } = {}): Promise<ActionResult> {
  const started = Date.now();
  const result = await runAction({
    workspace: createWorkspace('ship-app'),
    timeoutMs: 200_000,
    ...options,
    inputs: {
      cache: false,
      image: image(),
      'registry-username': services.username,
      'registry-password': services.password,
      'build-args': `BASE_IMAGE=${baseImage}`,
      'deploy-hook': host.hookUrl,
      'deploy-hook-image-param': 'imgURL',
      'health-url': host.healthUrl,
      'health-timeout': 3,
      ...options.inputs
    },
    githubToken: github.token,
    env: { ...serviceEnv(), GITHUB_API_URL: github.url, ...options.env }
  });
  timings[name] = Date.now() - started;
  results.push(result);
  if (options.sha && result.outputs.digest && !options.inputs?.image) commits.set(`${image()}@${result.outputs.digest}`, options.sha);
  return result;
}

type Recorded = FakeDeployment & { statuses: FakeDeploymentStatus[] };

/** Runs `ship` and returns it with the GitHub Deployments it created, each with its statuses oldest first. */
async function shipRecorded(name: string, options: Parameters<typeof ship>[1]): Promise<{ result: ActionResult; deployments: Recorded[] }> {
  const before = github.deployments(GITHUB_REPO).length;
  const result = await ship(name, options);
  const deployments = github
    .deployments(GITHUB_REPO)
    .slice(before)
    .map((deployment) => ({ ...deployment, statuses: github.statuses(GITHUB_REPO, deployment.id).reverse() }));
  return { result, deployments };
}

const warningsOf = (result: ActionResult): string[] => result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);

const errorsOf = (result: ActionResult): string =>
  result.annotations
    .filter((a) => a.level === 'error')
    .map((a) => a.message)
    .join('\n');
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The step's log and errors, for a failing expectation's message. */
const explain = (result: ActionResult): string =>
  `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;

function expectOk(result: ActionResult): void {
  if (!result.ok) throw new Error(`the action failed:\n${explain(result)}`);
}

// Needs no Docker: the inputs are refused before anything runs.
describe('image inputs are checked with the others, before the install', () => {
  test.each([
    ['image', { image: 'ghcr.io/Acme/shop:v1' }, /^Input `image`: "ghcr\.io\/Acme\/shop:v1" includes a tag/],
    ['dockerfile', { image: 'ghcr.io/acme/shop', dockerfile: 'docker/Dockerfile' }, /^Input `dockerfile`: "docker\/Dockerfile" was not found/],
    ['deploy-branches', { image: 'ghcr.io/acme/shop', 'deploy-branches': 'main,develop' }, /^Input `deploy-branches`: .*one branch a line/]
  ])('a bad `%s` fails the step at once, naming the input; the install stage never runs', async (_input, inputs, message) => {
    const result = await runAction({ workspace: createWorkspace('ship-app'), timeoutMs: 60_000, inputs: { cache: false, ...inputs }, env: pipMirrorEnv() });
    expectFailure(result);
    expect(result.annotations.map((a) => a.message)).toEqual([expect.stringMatching(message)]);
    expect(result.log).not.toMatch(/install/);
  });
});

describeDocker('image and deploy (bundled action, podman + registry + fake host)', () => {
  test(
    'main push: sha, branch and latest tags pushed; hook gets repo@digest; healthy; outputs',
    async () => {
      host.reset();
      const sha = newSha();
      const { result, deployments } = await shipRecorded('main push', { sha });
      expectOk(result);

      const tags = await services.tags(REPO);
      expect(tags).toEqual(expect.arrayContaining([tag(sha), 'main', 'latest', 'slipway-healthy']));
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(await services.manifestDigest(REPO, 'main')).toBe(digest);
      expect(await services.manifestDigest(REPO, 'latest')).toBe(digest);
      // The healthy marker points at what was deployed.
      expect(await services.manifestDigest(REPO, 'slipway-healthy')).toBe(digest);

      expect(host.calls).toHaveLength(1);
      expect(host.calls[0]).toMatchObject({ method: 'POST', path: `/deploy/${host.serviceId}`, status: 200 });
      expect(host.calls[0]!.query).toEqual({ key: host.key, imgURL: `${image()}@${digest}` });
      expect(host.deployed()).toBe(`${image()}@${digest}`);

      expect(result.outputs).toMatchObject({
        image: `${image()}:${tag(sha)}`,
        digest,
        tags: [`${image()}:${tag(sha)}`, `${image()}:main`, `${image()}:latest`].join('\n'),
        deployed: 'true',
        'rolled-back': 'false',
        result: 'success'
      });
      expect(result.summary).toMatch(/image/);
      expect(result.summary).toMatch(/deploy/);

      // Recorded as one production Deployment of this commit, in progress, then live at the health URL's origin.
      expect(deployments).toHaveLength(1);
      expect(deployments[0]).toMatchObject({
        ref: sha,
        environment: 'production',
        production_environment: true,
        description: `Deploy ${image()}@${digest.slice(0, 19)}`
      });
      expect(deployments[0]!.statuses.map((s) => [s.state, s.log_url, s.environment_url])).toEqual([
        ['in_progress', RUN_URL, ''],
        ['success', RUN_URL, new URL(host.healthUrl).origin]
      ]);
      expect(warningsOf(result).filter((w) => /Deployment/.test(w))).toEqual([]);
    },
    SLOW
  );

  test(
    'pull request: nothing built or pushed, no hook',
    async () => {
      host.reset();
      const before = await services.tags(REPO);
      const { result, deployments } = await shipRecorded('pull request', { event: 'pull_request', sha: newSha() });
      expectOk(result);
      expect(await services.tags(REPO)).toEqual(before);
      expect(host.calls).toEqual([]);
      expect(deployments).toEqual([]);
      expect(result.outputs).toMatchObject({ image: '', digest: '', tags: '', deployed: 'false', 'rolled-back': 'false', result: 'success' });
    },
    SLOW
  );

  test(
    'tag v1.2.3: 1.2.3, 1.2 and 1 pushed with the sha tag; recorded in the environment and at the URL given',
    async () => {
      host.reset();
      const sha = newSha();
      const { result, deployments } = await shipRecorded('version tag', {
        sha,
        ref: 'refs/tags/v1.2.3',
        inputs: { environment: 'staging', 'environment-url': 'https://staging.shop.example.com/' }
      });
      expectOk(result);
      const digest = await services.manifestDigest(REPO, tag(sha));
      for (const version of ['1.2.3', '1.2', '1']) expect(await services.manifestDigest(REPO, version)).toBe(digest);
      expect(result.outputs.tags!.split('\n')).toEqual([tag(sha), '1.2.3', '1.2', '1'].map((t) => `${image()}:${t}`));
      expect(host.calls.map((c) => c.imageRef)).toEqual([`${image()}@${digest}`]);
      expect(deployments.map((d) => [d.ref, d.environment, d.production_environment])).toEqual([[sha, 'staging', false]]);
      expect(deployments[0]!.statuses.map((s) => [s.state, s.environment_url])).toEqual([
        ['in_progress', ''],
        ['success', 'https://staging.shop.example.com/']
      ]);
    },
    SLOW
  );

  test(
    'wrong registry password: one clear error naming the registry, nothing pushed, no hook',
    async () => {
      host.reset();
      const sha = newSha();
      const result = await ship('bad password', { sha, inputs: { 'registry-password': 'definitely-not-the-password' } });
      expect(result.ok).toBe(false);
      const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
      expect(errors.join('\n')).toMatch(new RegExp(`Could not log in to registry ${services.registry.replace(/\./g, '\\.')} as ${services.username}`));
      expect(await services.tags(REPO)).not.toContain(tag(sha));
      expect(host.calls).toEqual([]);
      expect(result.outputs).toMatchObject({ deployed: 'false', result: 'failure' });
    },
    SLOW
  );

  test(
    'hook answers 500, then 200: retried, deployed',
    async () => {
      host.reset();
      host.answerHook(500);
      const sha = newSha();
      const result = await ship('hook 500 then 200', { sha });
      expectOk(result);
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(host.calls.map((c) => [c.status, c.imageRef])).toEqual([
        [500, `${image()}@${digest}`],
        [200, `${image()}@${digest}`]
      ]);
      expect(result.outputs).toMatchObject({ deployed: 'true', result: 'success' });
    },
    SLOW
  );

  test(
    'a token that may not write Deployments: the deploy goes on as ever, one warning names `deployments: write`',
    async () => {
      host.reset();
      github.readOnly(true);
      const sha = newSha();
      try {
        const { result, deployments } = await shipRecorded('deployments refused', { sha });
        expectOk(result);
        expect(result.outputs).toMatchObject({ deployed: 'true', 'rolled-back': 'false', result: 'success' });
        expect(host.calls.map((c) => c.imageRef)).toEqual([`${image()}@${await services.manifestDigest(REPO, tag(sha))}`]);
        expect(deployments).toEqual([]);
        const warnings = warningsOf(result);
        expect(warnings.filter((w) => w.includes('`deployments: write`'))).toHaveLength(1);
        expect(warnings.filter((w) => /Deployment/.test(w))).toHaveLength(1);
        // Refused once: nothing more was sent after the first refusal.
        expect(github.requests.filter((r) => r.path.includes('/deployments') && r.status === 403)).toHaveLength(1);
      } finally {
        github.readOnly(false);
      }
    },
    SLOW
  );

  test(
    'hook answers 404: the step fails with the status, no retry',
    async () => {
      host.reset();
      host.answerHook({ status: 404, body: 'Not Found: no such service\n' });
      const result = await ship('hook 404', { sha: newSha() });
      expect(result.ok).toBe(false);
      expect(host.calls).toHaveLength(1);
      const errors = result.annotations
        .filter((a) => a.level === 'error')
        .map((a) => a.message)
        .join('\n');
      expect(errors).toMatch(/deploy: The deploy hook failed: answered 404: Not Found: no such service/);
      expect(result.outputs).toMatchObject({ deployed: 'false', 'rolled-back': 'false', result: 'failure' });
    },
    SLOW
  );

  test(
    'never healthy: rolled back to the last healthy digest, rolled-back=true, step failed',
    async () => {
      host.reset();
      const previous = await services.manifestDigest(REPO, 'slipway-healthy');
      const previousRef = `${image()}@${previous}`;
      host.unhealthy((ref) => ref !== previousRef);
      const sha = newSha();
      const { result, deployments } = await shipRecorded('unhealthy + rollback', { sha, inputs: { 'health-timeout': 2 } });
      expect(result.ok).toBe(false);
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(digest).not.toBe(previous);
      expect(host.calls.map((c) => c.imageRef)).toEqual([`${image()}@${digest}`, previousRef]);
      expect(host.deployed()).toBe(previousRef);
      // The marker still points at the image that passed.
      expect(await services.manifestDigest(REPO, 'slipway-healthy')).toBe(previous);
      expect(result.outputs).toMatchObject({ deployed: 'false', 'rolled-back': 'true', result: 'failure' });
      expect(errorsOf(result)).toMatch(
        new RegExp(
          `deploy: deployed ${literal(`${image()}@${digest.slice(0, 19)}`)}, but ${literal(host.healthUrl)} answered 503 after \\d+\\.\\ds; ` +
            `rolled back to ${literal(`${image()}@${previous.slice(0, 19)}`)}, which is healthy`
        )
      );
      expect(result.summary).toMatch(/rolled back to/);

      // The new image's Deployment failed; the old image is a Deployment of the commit it was built from, and healthy.
      const previousSha = commits.get(previousRef);
      expect(previousSha).toBeDefined();
      expect(deployments.map((d) => [d.ref, d.environment, d.description])).toEqual([
        [sha, 'production', `Deploy ${image()}@${digest.slice(0, 19)}`],
        [previousSha, 'production', `Rollback to ${image()}@${previous.slice(0, 19)}, the last image that passed the health check`]
      ]);
      expect(deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([
        ['in_progress', 'failure'],
        ['in_progress', 'success']
      ]);
      expect(deployments[0]!.statuses[1]!.description).toMatch(new RegExp(`^${literal(host.healthUrl)} answered 503 after .*; rolling back to `));
      expect(deployments[1]!.statuses[1]!.environment_url).toBe(new URL(host.healthUrl).origin);
    },
    SLOW
  );

  test(
    'the hook receives the call and never answers: called once, not resent; the step fails saying it may have deployed',
    async () => {
      host.reset();
      host.answerHook({ silent: true, deploys: false });
      const sha = newSha();
      const { result, deployments } = await shipRecorded('silent hook', {
        sha,
        inputs: { 'health-expect': sha, 'health-timeout': 2 },
        env: SHORT_HOOK_TIMEOUT
      });
      expect(result.ok).toBe(false);
      // Nobody can tell whether the image went live: an error, saying so.
      expect(deployments.map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'error']]);
      expect(deployments[0]!.statuses[1]!.description).toMatch(/^The deploy hook did not answer within 2 s; whether .* went live is unknown/);
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(host.calls.map((c) => [c.status, c.imageRef])).toEqual([[0, `${image()}@${digest}`]]);
      expect(errorsOf(result)).toMatch(
        new RegExp(
          `deploy: The deploy hook did not answer within 2 s; it may or may not have started a deploy of ${literal(`${image()}@${digest}`)} ` +
            `\\(not retried, to avoid a second deploy\\); ${literal(host.healthUrl)} answered 200, but its body does not contain "${sha}" after \\d+\\.\\ds\\.`
        )
      );
      expect(result.outputs).toMatchObject({ deployed: 'false', 'rolled-back': 'false', result: 'failure' });
    },
    SLOW
  );

  test(
    'the hook never answers, but the app reports the new commit: deployed, called once, the silence said',
    async () => {
      host.reset();
      host.answerHook({ silent: true });
      const sha = newSha();
      host.revisions((ref) => commits.get(ref) ?? sha);
      const result = await ship('silent hook, live', {
        sha,
        inputs: { 'health-expect': `revision ${sha.slice(0, 7)}`, 'health-timeout': 3 },
        env: SHORT_HOOK_TIMEOUT
      });
      expectOk(result);
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(host.calls.map((c) => [c.status, c.imageRef])).toEqual([[0, `${image()}@${digest}`]]);
      expect(result.summary).toContain('the deploy hook did not answer within 2 s, but the app reports the new image');
      expect(await services.manifestDigest(REPO, 'slipway-healthy')).toBe(digest);
      expect(result.outputs).toMatchObject({ deployed: 'true', result: 'success' });
    },
    SLOW
  );

  test(
    'rollback with health-expect naming the commit: the old image must report its own commit, and does',
    async () => {
      host.reset();
      const previous = await services.manifestDigest(REPO, 'slipway-healthy');
      const previousRef = `${image()}@${previous}`;
      const previousSha = commits.get(previousRef);
      expect(previousSha).toBeDefined();
      host.unhealthy((ref) => ref !== previousRef);
      host.revisions((ref) => commits.get(ref));
      const sha = newSha();
      const result = await ship('rollback, health-expect sha', { sha, inputs: { 'health-expect': sha, 'health-timeout': 2 } });
      expect(result.ok).toBe(false);
      const digest = await services.manifestDigest(REPO, tag(sha));
      expect(host.calls.map((c) => c.imageRef)).toEqual([`${image()}@${digest}`, previousRef]);
      expect(result.stdout).toContain(`The rollback expects "${previousSha}": the previous image's revision in place of this commit.`);
      expect(errorsOf(result)).toMatch(new RegExp(`; rolled back to ${literal(`${image()}@${previous.slice(0, 19)}`)}, which is healthy`));
      expect(result.outputs).toMatchObject({ deployed: 'false', 'rolled-back': 'true', result: 'failure' });
    },
    SLOW
  );

  test(
    'plain-HTTP registry, no login: the last healthy image is read over http:// and rolled back to',
    async () => {
      const plain = services.plain!;
      const seeded = `${plain.registry}/${REPO}:slipway-healthy`;
      for (const args of [
        ['tag', baseImage, seeded],
        ['push', seeded]
      ]) {
        const done = await services.docker(args);
        if (done.code !== 0) throw new Error(`docker ${args.join(' ')}: ${done.stderr}`);
      }
      const previousRef = `${plain.registry}/${REPO}@${await plain.manifestDigest(REPO, 'slipway-healthy')}`;
      host.reset();
      host.unhealthy((ref) => ref !== previousRef);
      const sha = newSha();
      const result = await ship('plain-HTTP registry rollback', {
        sha,
        inputs: { image: `${plain.registry}/${REPO}`, 'registry-username': '', 'registry-password': '', 'health-timeout': 2 }
      });
      expect(result.ok).toBe(false);
      const digest = await plain.manifestDigest(REPO, tag(sha));
      expect(host.calls.map((c) => c.imageRef)).toEqual([`${plain.registry}/${REPO}@${digest}`, previousRef]);
      expect(errorsOf(result)).toMatch(/; rolled back to .*, which is healthy/);
      expect(result.outputs).toMatchObject({ 'rolled-back': 'true', result: 'failure' });
      expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/SSL|wrong version number|nothing to roll back/);
    },
    SLOW
  );

  test(
    'the hook redirects to another origin: refused, not followed, the input named, no secret shown',
    async () => {
      host.reset();
      host.answerHook({ status: 307, body: '', headers: { Location: `${host.otherOrigin}/deploy/${host.serviceId}?key=${host.key}` } });
      const result = await ship('hook redirect', { sha: newSha() });
      expect(result.ok).toBe(false);
      expect(host.calls).toHaveLength(1);
      expect(host.strayCalls).toEqual([]);
      expect(errorsOf(result)).toContain(
        `deploy: Input \`deploy-hook\` is refused: it redirected to another origin (${host.otherOrigin}); only redirects within the same origin are followed. Nothing was deployed.`
      );
    },
    SLOW
  );

  test(
    'health-url redirects to another origin: refused at the first poll, the input named',
    async () => {
      host.reset();
      host.redirectHealth(`${host.otherOrigin}/health`);
      const result = await ship('health redirect', { sha: newSha(), inputs: { 'health-timeout': 30 } });
      expect(result.ok).toBe(false);
      expect(host.calls).toHaveLength(1);
      expect(host.healthPolls()).toBe(1);
      expect(host.strayCalls).toEqual([]);
      expect(errorsOf(result)).toMatch(/but it is not verified: Input `health-url` is refused: it redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\)/);
    },
    SLOW
  );

  // A name resolving to link-local (a literal address is refused earlier, with the inputs): see link-local-dns.mjs.
  test.each([
    ['deploy-hook', () => ({ 'deploy-hook': host.hookUrl.replace('127.0.0.1', 'metadata.link-local.test') })],
    ['health-url', () => ({ 'health-url': host.healthUrl.replace('127.0.0.1', 'metadata.link-local.test') })]
  ])(
    '%s resolving to a link-local address (cloud metadata): refused as the connection opens, the input named',
    async (input, inputs) => {
      host.reset();
      const preload = path.join(repoRoot(), '__tests__', 'e2e', 'support', 'link-local-dns.mjs');
      const result = await ship(`link-local ${input}`, { sha: newSha(), inputs: inputs(), env: { NODE_OPTIONS: `--import=${preload}` } });
      expect(result.ok).toBe(false);
      expect(errorsOf(result)).toContain(
        `Input \`${input}\` is refused: metadata.link-local.test resolves to 169.254.169.254, a link-local address, where cloud metadata endpoints live`
      );
      expect(host.calls).toHaveLength(input === 'deploy-hook' ? 0 : 1);
    },
    SLOW
  );

  test(
    'CLI: `slipway run` builds, pushes and deploys with the same flags, outside Actions',
    async () => {
      host.reset();
      const workspace = createWorkspace('ship-app');
      const git = (...args: string[]): string => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('-c', 'user.email=ci@example.com', '-c', 'user.name=CI', 'commit', '-q', '-m', 'ship');
      const sha = git('rev-parse', 'HEAD');
      const started = Date.now();
      // The CLI's own environment: no GITHUB_* / ACTIONS_* (so no Actions layer cache), the docker services.
      const env = outerEnv();
      const cli = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            path.join(repoRoot(), 'dist', 'cli.js'),
            'run',
            workspace,
            '--no-cache',
            '--no-audit',
            '--cache-dir',
            makeTempDir('slipway-cli-cache-'),
            '--image',
            `${services.registry}/cli-shop`,
            '--registry-username',
            services.username,
            '--registry-password',
            services.password,
            '--build-args',
            `BASE_IMAGE=${baseImage}`,
            '--deploy-hook',
            host.hookUrl,
            '--deploy-hook-image-param',
            'imgURL',
            '--health-url',
            host.healthUrl,
            '--health-timeout',
            '3'
          ],
          { env: { ...env, ...serviceEnv() }, stdio: ['ignore', 'pipe', 'pipe'] }
        );
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, output }));
      });
      timings['cli run'] = Date.now() - started;
      if (cli.code !== 0) throw new Error(`slipway run exited ${cli.code}:\n${cli.output}`);
      expect(await services.tags('cli-shop')).toEqual(['latest', 'main', tag(sha), 'slipway-healthy'].sort());
      const digest = await services.manifestDigest('cli-shop', tag(sha));
      expect(host.calls.map((c) => c.imageRef)).toEqual([`${services.registry}/cli-shop@${digest}`]);
      expect(cli.output).toMatch(/✓ image .* pushed /);
      expect(cli.output).toMatch(/✓ deploy .* deployed .*; healthy after /);
      for (const secret of [services.password, host.hookUrl, host.key, host.serviceId]) expect(cli.output).not.toContain(secret);
    },
    SLOW
  );

  /** Runs a deploy whose health check never passes and signals the step once it is polling. */
  async function interruptedWhilePolling(name: string, signal: NodeJS.Signals): Promise<ActionResult> {
    host.reset();
    host.unhealthy('always');
    let step: ChildProcess | undefined;
    const running = ship(name, { sha: newSha(), inputs: { 'health-timeout': 120 }, onStart: (child) => (step = child) });
    for (const end = Date.now() + 150_000; host.healthPolls() === 0 && Date.now() < end;) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(host.healthPolls()).toBeGreaterThan(0);
    step!.kill(signal);
    return running;
  }

  /** Files under RUNNER_TEMP that hold the registry password or its Docker `auth` form. */
  const credentialsLeft = (result: ActionResult): string[] => {
    const auth = Buffer.from(`${services.username}:${services.password}`).toString('base64');
    return readdirSync(result.runnerTemp, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) => {
        const text = readFileSync(file, 'latin1');
        return text.includes(auth) || text.includes(services.password);
      });
  };

  test(
    'cancelled while polling health (SIGTERM): exit 143, the private Docker login is gone at once',
    async () => {
      const result = await interruptedWhilePolling('cancel while polling', 'SIGTERM');
      expect(result.code).toBe(143);
      expect(result.log).toMatch(/Cancelled \(SIGTERM\): stopped \d+ running programs? and removed the run's files and registry login\./);
      expect(credentialsLeft(result)).toEqual([]);
      expect(readdirSync(path.join(result.runnerTemp, 'slipway')).filter((name) => name.startsWith('run-'))).toEqual([]);
    },
    SLOW
  );

  test(
    'killed while polling health (SIGKILL): the post step logs out of the registry and removes the login',
    async () => {
      const result = await interruptedWhilePolling('killed while polling', 'SIGKILL');
      expect(result.signal).toBe('SIGKILL');
      // Killed outright, the run could not clean up: the login is still on disk until the post step.
      expect(credentialsLeft(result).length).toBeGreaterThan(0);
      const post = await runPost(result);
      expect(post?.ok).toBe(true);
      expect(post?.log).toContain(`Logged out of ${services.registry}.`);
      expect(credentialsLeft(result)).toEqual([]);
    },
    SLOW
  );

  test(
    'build-arg values are never printed: not in the logged docker command, not in the failure summary',
    async () => {
      host.reset();
      const value = `tok-${randomBytes(8).toString('hex')}`;
      const workspace = createWorkspace('ship-app');
      writeFileSync(path.join(workspace, 'Dockerfile.broken'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG NPM_TOKEN\nRUN exit 3\n');
      const result = await ship('build-arg values', {
        sha: newSha(),
        workspace,
        inputs: { dockerfile: 'Dockerfile.broken', 'build-args': `BASE_IMAGE=${baseImage}\nNPM_TOKEN=${value}` }
      });
      expect(result.ok).toBe(false);
      expect(result.log).toMatch(/--build-arg '?NPM_TOKEN=\*\*\*'?/);
      expect(result.summary).toContain('NPM_TOKEN=***');
      for (const place of [result.stdout, result.stderr, result.summary, JSON.stringify(result.outputs)]) expect(place).not.toContain(value);
      expect(host.calls).toEqual([]);
    },
    SLOW
  );

  test('secrets: the password, the hook URL, its key and service id are never printed or saved', () => {
    expect(results.length).toBeGreaterThanOrEqual(7);
    const secrets = [services.password, host.hookUrl, host.key, host.serviceId, github.token];
    for (const result of results) {
      const printed = result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      const places = {
        stdout: printed,
        stderr: result.stderr,
        summary: result.summary,
        outputs: JSON.stringify(result.outputs),
        state: JSON.stringify(result.state)
      };
      for (const [place, text] of Object.entries(places)) {
        for (const secret of secrets) {
          if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 3)}…) appears in ${place} of a run`);
        }
      }
    }
    // And they were registered as masks before anything used them.
    const masks = results[0]!.masks;
    for (const secret of secrets) expect(masks).toContain(secret);
  });
});
