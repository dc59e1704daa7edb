/**
 * End to end: a manual deploy (`deploy-image` on workflow_dispatch) on the BUNDLED action. Two images
 * are pushed to an authenticated TLS registry first; deploying the earlier one by tag calls the hook
 * with its digest, checks health and moves the healthy tag, with no install, tests or build. The
 * summary says it was manual and by whom.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDockerServices, missingDockerPrerequisites, type DockerServices, dockerStepEnv } from './support/docker.js';
import { startFakeHost, type FakeHost } from './support/fake-host.js';
import { outerEnv, runAction, type ActionResult } from './support/action-runner.js';
import { createWorkspace, makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

const SLOW = 240_000;
const missing = missingDockerPrerequisites();
const testDocker = missing.length === 0 ? test : test.skip;
if (missing.length > 0) process.stderr.write(`manual deploy e2e skipped: ${missing.join(', ')}\n`);

let services: DockerServices;
let host: FakeHost;
const REPO = 'shop';

/** Builds a tiny image FROM the base with `marker` in it and pushes it as `shop:<tag>`. */
async function pushImage(base: string, tag: string, marker: string): Promise<void> {
  const context = makeTempDir('slipway-manual-');
  mkdirSync(context, { recursive: true });
  writeFileSync(path.join(context, 'Dockerfile'), `FROM ${base}\nRUN echo ${marker} > /marker\n`);
  const reference = `${services.registry}/${REPO}:${tag}`;
  const steps: string[][] = [
    ['login', '--username', services.username, '--password-stdin', services.registry],
    ['build', '-t', reference, context],
    ['push', reference]
  ];
  for (const args of steps) {
    const done = await services.docker(args, { input: args[0] === 'login' ? services.password : undefined });
    if (done.code !== 0) throw new Error(`docker ${args.join(' ')}: ${done.stderr}`);
  }
}

beforeAll(async () => {
  if (missing.length > 0) return;
  [services, host] = await Promise.all([startDockerServices(), startFakeHost()]);
  const base = await services.pushBaseImage();
  await pushImage(base, 'v1', 'one');
  await pushImage(base, 'v2', 'two');
}, SLOW);

afterAll(async () => {
  await Promise.all([services?.stop(), host?.stop()]);
  removeTempDirs();
}, SLOW);

const serviceEnv = (): Record<string, string> => dockerStepEnv(services);

async function deployByHand(deployImage: string, inputs: Record<string, string> = {}): Promise<ActionResult> {
  return runAction({
    // The workspace's project would fail to install if anything tried: none of it may run.
    workspace: createWorkspace('ship-app'),
    event: 'workflow_dispatch',
    timeoutMs: 200_000,
    inputs: {
      cache: false,
      'registry-username': services.username,
      'registry-password': services.password,
      'deploy-image': deployImage,
      'deploy-hook': host.hookUrl,
      'deploy-hook-image-param': 'imgURL',
      'health-url': host.healthUrl,
      'health-timeout': 3,
      ...inputs
    },
    env: serviceEnv()
  });
}

const explain = (result: ActionResult): string =>
  `exit ${result.code}\n--- stdout ---\n${result.stdout.slice(-6000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;

testDocker(
  'an earlier image by tag: resolved to its digest, the hook gets it, healthy; no install, tests or build',
  async () => {
    host.reset();
    const v1 = await services.manifestDigest(REPO, 'v1');
    expect(await services.manifestDigest(REPO, 'v2')).not.toBe(v1);
    const result = await deployByHand(`${services.registry}/${REPO}:v1`);
    if (!result.ok) throw new Error(`the action failed:\n${explain(result)}`);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.query).toEqual({ key: host.key, imgURL: `${services.registry}/${REPO}@${v1}` });
    expect(await services.manifestDigest(REPO, 'slipway-healthy')).toBe(v1);
    expect(result.outputs).toMatchObject({ deployed: 'true', 'rolled-back': 'false', result: 'success' });
    expect(result.log).not.toMatch(/\$ docker (buildx )?build |pip install|pytest/);
    expect(result.summary).toMatch(/manual deploy by @octocat/);
    expect(result.summary).not.toMatch(/\binstall\b/);
  },
  SLOW
);

testDocker(
  'a bare digest with the `image` input: deployed as given',
  async () => {
    host.reset();
    const v2 = await services.manifestDigest(REPO, 'v2');
    const result = await deployByHand(v2, { image: `${services.registry}/${REPO}` });
    if (!result.ok) throw new Error(`the action failed:\n${explain(result)}`);
    expect(host.deployed()).toBe(`${services.registry}/${REPO}@${v2}`);
    expect(result.log).not.toMatch(/\$ docker (buildx )?build /);
  },
  SLOW
);

testDocker(
  'a tag that does not exist: nothing deployed, the step fails saying so',
  async () => {
    host.reset();
    const result = await deployByHand(`${services.registry}/${REPO}:v9`);
    expect(result.ok).toBe(false);
    expect(host.calls).toEqual([]);
    expect(result.annotations.map((a) => a.message).join('\n')).toMatch(/shop:v9 does not exist in the registry/);
  },
  SLOW
);

testDocker(
  'CLI: `slipway run --deploy-image` deploys by hand too, by the Git user, with no install or build',
  async () => {
    host.reset();
    const workspace = createWorkspace('ship-app');
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: workspace, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Release Manager');
    git('add', '.');
    git('-c', 'user.email=ci@example.com', 'commit', '-q', '-m', 'ship');
    // The CLI's own environment: nothing of the runner's or of jest's.
    const env = outerEnv();
    const v1 = await services.manifestDigest(REPO, 'v1');
    let output: string;
    try {
      // Not execFileSync: the fake host answering the hook lives in this process.
      ({ stdout: output } = await promisify(execFile)(
        process.execPath,
        [
          path.join(repoRoot(), 'dist', 'cli.js'),
          'run',
          workspace,
          '--no-cache',
          '--deploy-image',
          `${services.registry}/${REPO}:v1`,
          '--registry-username',
          services.username,
          '--registry-password',
          services.password,
          '--deploy-hook',
          host.hookUrl,
          '--deploy-hook-image-param',
          'imgURL',
          '--health-url',
          host.healthUrl,
          '--health-timeout',
          '3'
        ],
        { env: { ...env, ...serviceEnv() }, encoding: 'utf8', timeout: 120_000 }
      ));
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      throw new Error(`slipway run exited ${failed.code}:\n${failed.stdout}\n${failed.stderr}`, { cause: error });
    }
    expect(host.deployed()).toBe(`${services.registry}/${REPO}@${v1}`);
    expect(output).toMatch(/✓ deploy .* manual deploy by @Release Manager: deployed /);
    expect(output).not.toMatch(/\binstall\b.*\d+(\.\d+)?m?s|\$ docker (buildx )?build /);
    expect(output).not.toContain(services.password);
  },
  SLOW
);
