/**
 * End to end: pull request previews with the BUNDLED action (dist/index.js, `npm run bundle` first).
 * The fixture image is built with the real docker CLI against podman's Docker API and pushed to an
 * authenticated TLS registry; the preview hook is a loopback receiver that verifies the signature as
 * the README's example does, answers the preview's URL and serves its health; the GitHub API is the
 * loopback fake, which keeps Deployments, statuses and the comment.
 *
 * In order, on pull request #7: opened → pushed as pr-7, deployed, recorded; synchronize → redeployed,
 * the first Deployment retired; closed (merged) → destroyed, every Deployment inactive, nothing installed
 * or built. Then a fork's pull request: nothing pushed, no hook, a notice. No secret shows anywhere.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAction, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { describeRun } from './support/assertions.js';
import { dockerStepEnv, missingDockerPrerequisites, startDockerServices, type DockerServices } from './support/docker.js';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { pipMirrorEnv } from './support/python.js';
import { createWorkspace, removeTempDirs } from './support/workspace.js';

const SLOW = 240_000;
const REPO = 'shop';
const GITHUB_REPO = 'acme/shop';
const SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const HOOK_KEY = `hk_${randomBytes(12).toString('hex')}`;
const missing = missingDockerPrerequisites();
const describeDocker = missing.length === 0 ? describe : describe.skip;
if (missing.length > 0) process.stderr.write(`preview e2e skipped: ${missing.join(', ')}\n`);

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: Record<string, unknown>;
  verified: boolean;
}

/** The platform's side: takes signed deploy/destroy calls at /hook?key=…, answers the preview's URL, serves its health. */
interface Receiver {
  hook: string;
  deliveries: Delivery[];
  healthPolls: string[];
  previewUrl(number: number): string;
  stop(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const healthPolls: string[] = [];
  const live = new Map<number, string>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', origin);
      const health = /^\/previews\/pr-(\d+)\/health$/.exec(url.pathname);
      if (req.method === 'GET' && health) {
        healthPolls.push(url.pathname);
        const sha = live.get(Number(health[1]));
        res.writeHead(sha ? 200 : 404).end(sha ? `ok ${sha}` : 'no such preview');
        return;
      }
      if (req.method !== 'POST' || url.pathname !== '/hook' || url.searchParams.get('key') !== HOOK_KEY) return void res.writeHead(404).end();
      // What a receiver must do: the HMAC of the raw bytes, compared in constant time.
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-slipway-signature-256'] ?? ''));
      const verified = given.length === expected.length && timingSafeEqual(given, expected);
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      deliveries.push({ headers: req.headers, raw: raw.toString('utf8'), body, verified });
      if (!verified) return void res.writeHead(401).end('bad signature');
      const number = Number(body.pull_request);
      if (body.action === 'destroy') {
        live.delete(number);
        return void res.writeHead(202, { 'content-type': 'application/json' }).end('{"destroyed":true}');
      }
      live.set(number, String(body.sha));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `${origin}/previews/pr-${number}/` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hook: `${origin}/hook?key=${HOOK_KEY}`,
    deliveries,
    healthPolls,
    previewUrl: (number) => `${origin}/previews/pr-${number}/`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

let services: DockerServices;
let github: FakeGitHub;
let receiver: Receiver;
let baseImage: string;
const results: ActionResult[] = [];
const timings: Record<string, number> = {};
const HEAD = 'b'.repeat(40);

beforeAll(async () => {
  if (missing.length > 0) return;
  const started = Date.now();
  [services, github, receiver] = await Promise.all([
    startDockerServices(),
    startFakeGitHub({ token: 'ghs_PreviewE2EToken000000000000000000' }),
    startReceiver()
  ]);
  baseImage = await services.pushBaseImage();
  timings['services + base image'] = Date.now() - started;
}, SLOW);

afterAll(async () => {
  await Promise.all([services?.stop(), github?.stop(), receiver?.stop()]);
  removeTempDirs();
  process.stderr.write(`preview e2e timings (ms): ${JSON.stringify(timings)}\n`);
}, SLOW);

const newSha = (): string => randomBytes(20).toString('hex');
const image = (): string => `${services.registry}/${REPO}`;

/** A pull_request run of the fixture: `action` on #`number`, from this repository unless `fork`. */
async function pullRequest(
  name: string,
  options: { action: string; sha: string; number?: number; merged?: boolean; fork?: boolean; inputs?: RunActionOptions['inputs'] }
): Promise<ActionResult> {
  const number = options.number ?? 7;
  const head = { ref: 'feature/x', sha: HEAD, ...(options.fork ? { repo: { full_name: 'mallory/shop' } } : {}) };
  const started = Date.now();
  const run: RunActionOptions = {
    // A close needs no checkout: its workspace is empty.
    workspace: options.action === 'closed' ? createWorkspace() : createWorkspace('ship-app'),
    timeoutMs: 200_000,
    event: 'pull_request',
    sha: options.sha,
    ref: `refs/pull/${number}/merge`,
    payload: { action: options.action, number, pull_request: { number, merged: options.merged ?? false, head } },
    inputs: {
      cache: false,
      audit: false,
      image: image(),
      'registry-username': services.username,
      'registry-password': services.password,
      'build-args': `BASE_IMAGE=${baseImage}`,
      'preview-hook': receiver.hook,
      'preview-hook-secret': SECRET,
      // Its path is what a preview is checked at.
      'health-url': 'https://shop.example.com/health',
      'health-expect': options.sha,
      'health-timeout': 5,
      ...options.inputs
    },
    githubToken: github.token,
    env: { ...pipMirrorEnv(), ...dockerStepEnv(services), GITHUB_API_URL: github.url }
  };
  const result = await runAction(run);
  timings[name] = Date.now() - started;
  results.push(result);
  return result;
}

const deploymentsOf = (environment: string) =>
  github
    .deployments(GITHUB_REPO)
    .filter((d) => d.environment === environment)
    .map((d) => ({ ...d, states: github.statuses(GITHUB_REPO, d.id).map((s) => s.state), latest: github.statuses(GITHUB_REPO, d.id)[0] }));

function expectOk(result: ActionResult): void {
  if (!result.ok) throw new Error(`the action failed:\n${describeRun(result)}`);
}

describeDocker('pull request previews (bundled action, podman + TLS registry + signed hook receiver + fake GitHub)', () => {
  const opened = newSha();
  const pushed = newSha();

  test(
    'opened: pr-7 and sha tags pushed (no latest, no branch tag), signed deploy hook with the digest, transient Deployment pr-7 at the URL, comment links it',
    async () => {
      const result = await pullRequest('opened', { action: 'opened', sha: opened });
      expectOk(result);

      const tags = await services.tags(REPO);
      expect(tags).toEqual(expect.arrayContaining(['pr-7', `sha-${opened.slice(0, 7)}`]));
      expect(tags).not.toContain('latest');
      expect(tags).not.toContain('feature-x');
      const digest = await services.manifestDigest(REPO, 'pr-7');
      expect(await services.manifestDigest(REPO, `sha-${opened.slice(0, 7)}`)).toBe(digest);

      expect(receiver.deliveries).toHaveLength(1);
      const [delivery] = receiver.deliveries;
      expect(delivery!.verified).toBe(true);
      expect(delivery!.headers['content-type']).toBe('application/json');
      expect(delivery!.headers['x-slipway-event']).toBe('preview.deploy');
      expect(delivery!.body).toEqual({
        action: 'deploy',
        pull_request: 7,
        environment: 'pr-7',
        image: `${image()}:pr-7`,
        digest,
        sha: opened,
        ref: 'refs/pull/7/merge',
        head_ref: 'feature/x',
        head_sha: HEAD,
        repository: GITHUB_REPO
      });
      // The health path of `health-url`, on the preview's own URL.
      expect(receiver.healthPolls).toContain('/previews/pr-7/health');

      const url = receiver.previewUrl(7);
      expect(result.outputs).toMatchObject({ 'preview-url': url, image: `${image()}:sha-${opened.slice(0, 7)}`, digest, result: 'success', deployed: 'false' });

      const deployments = deploymentsOf('pr-7');
      expect(deployments).toHaveLength(1);
      expect(deployments[0]).toMatchObject({ ref: HEAD, transient_environment: true, production_environment: false });
      expect(deployments[0]!.states).toEqual(['success', 'in_progress']);
      expect(deployments[0]!.latest).toMatchObject({ environment_url: url, log_url: expect.stringMatching(/actions\/runs/) });

      const [comment] = github.comments(GITHUB_REPO, 7);
      expect(comment?.body).toContain(`[Preview](<${url}>)`);
      expect(result.summary).toContain(url);
    },
    SLOW
  );

  test(
    'synchronize: redeployed to the same pr-7, the earlier Deployment becomes inactive (GitHub leaves transient ones to the caller)',
    async () => {
      const result = await pullRequest('synchronize', { action: 'synchronize', sha: pushed });
      expectOk(result);
      expect(await services.manifestDigest(REPO, 'pr-7')).toBe(await services.manifestDigest(REPO, `sha-${pushed.slice(0, 7)}`));
      expect(receiver.deliveries.map((d) => [d.body.action, d.body.sha, d.verified])).toEqual([
        ['deploy', opened, true],
        ['deploy', pushed, true]
      ]);
      const [first, second] = deploymentsOf('pr-7');
      expect(first!.states[0]).toBe('inactive');
      expect(second!.states).toEqual(['success', 'in_progress']);
      expect(github.comments(GITHUB_REPO, 7)).toHaveLength(1);
    },
    SLOW
  );

  test(
    'closed (merged), without a checkout: signed destroy hook, every pr-7 Deployment inactive; nothing installed, tested or built',
    async () => {
      const tagsBefore = await services.tags(REPO);
      // Without a checkout, in a project folder that is not there: nothing of it is needed.
      const result = await pullRequest('closed', { action: 'closed', merged: true, sha: newSha(), inputs: { 'working-directory': 'service' } });
      expectOk(result);
      const destroy = receiver.deliveries.at(-1)!;
      expect(destroy.verified).toBe(true);
      expect(destroy.headers['x-slipway-event']).toBe('preview.destroy');
      expect(destroy.body).toMatchObject({ action: 'destroy', pull_request: 7, environment: 'pr-7', image: `${image()}:pr-7`, digest: null, merged: true });
      expect(deploymentsOf('pr-7').map((d) => d.states[0])).toEqual(['inactive', 'inactive']);

      expect(result.groups).toEqual([expect.stringMatching(/^preview/)]);
      expect(result.log).not.toMatch(/docker build|unittest|install/);
      expect(await services.tags(REPO)).toEqual(tagsBefore);
      expect(result.outputs['preview-url']).toBe('');
    },
    SLOW
  );

  test(
    'a fork’s pull request: nothing pushed, no hook, a notice saying why',
    async () => {
      const tagsBefore = await services.tags(REPO);
      const hooksBefore = receiver.deliveries.length;
      const result = await pullRequest('fork', { action: 'opened', number: 8, fork: true, sha: newSha() });
      expectOk(result);
      expect(await services.tags(REPO)).toEqual(tagsBefore);
      expect(receiver.deliveries).toHaveLength(hooksBefore);
      expect(deploymentsOf('pr-8')).toEqual([]);
      expect(result.annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toEqual([
        expect.stringMatching(/No preview for a pull request from a fork/)
      ]);
      expect(result.outputs['preview-url']).toBe('');
    },
    SLOW
  );

  test('no secret (hook URL, its key, the signing secret, the registry password) shows in any output, log, summary or state', () => {
    expect(results).toHaveLength(4);
    for (const result of results) {
      // The add-mask commands hand the secrets to the runner to hide: all but those lines.
      const stdout = result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      const everything = [stdout, result.stderr, result.summary, JSON.stringify(result.outputs), JSON.stringify(result.state), JSON.stringify(result.env)].join(
        '\n'
      );
      for (const secret of [receiver.hook, HOOK_KEY, SECRET, services.password]) expect(everything).not.toContain(secret);
    }
    // Masked from the first run on: the URL, its key and the signing secret.
    for (const secret of [receiver.hook, HOOK_KEY, SECRET]) expect(results[0]!.masks).toContain(secret);
    // Nor in what the fake GitHub was sent (descriptions, URLs, the comment).
    const sent = JSON.stringify(github.requests.map((r) => r.body));
    for (const secret of [HOOK_KEY, SECRET, services.password]) expect(sent).not.toContain(secret);
  });
});
