// Deploy stage: call the deploy hook with the pushed digest, wait for the health check, and on failure
// redeploy the last image that passed it. That image is remembered in the registry itself, as the moving
// tag `<image>:slipway-healthy`, so every runner (and the CLI) sees the same one.
// The hook URL is a secret: its parts are masked first, and no message here is built from it.
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import type { StageResult } from '../model.js';
import type { Http, HttpResponse } from '../ports.js';
import { StageLog } from '../stage-log.js';
import { healthPollDelays, hookRequest, isHealthy, nextDelay, secretsOfUrl } from './deploy-plan.js';
import {
  HEALTHY_TAG,
  docker,
  hasBuildx,
  imageFailed,
  planImage,
  pushedDigest,
  shipDecision,
  shipImage,
  shortDigest,
  withRegistryLogin,
  type ImageOutcome,
  type RegistrySession
} from './image.js';
import { registryOf } from './image-plan.js';

export type DeployPorts = Ports & { http: Http; sleep?: (ms: number) => Promise<void> };

export interface DeployOutcome {
  stage: StageResult;
  log: StageLog;
  /** The hook accepted the new image and, with a `health-url`, it passed the health check. */
  deployed: boolean;
  /** The previous healthy image was redeployed after the new one failed its health check. */
  rolledBack: boolean;
}

export interface DeployedImage {
  repository: string;
  /** `sha256:<64 hex>`. */
  digest: string;
}

const HOOK_TIMEOUT_MS = 30_000;
const HEALTH_REQUEST_TIMEOUT_MS = 10_000;
const REGISTRY_TIMEOUT_MS = 30_000;

/**
 * Deploys `image` through the deploy hook. `session` is the registry login of the image stage (to read
 * and move the healthy tag); without one this logs in itself when it needs the registry.
 */
export async function deploy(
  config: Config,
  context: RunContext,
  ports: DeployPorts,
  image: DeployedImage,
  session?: RegistrySession
): Promise<DeployOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const hook = config.deployHook;
  if (!hook) return deploySkipped(log, started, 'No `deploy-hook` is set, so nothing is deployed.');
  // Masked before anything can print them: the URL, its key, Render's service id.
  const secrets = secretsOfUrl(hook);
  secrets.forEach((secret) => ports.reporter.secret(secret));
  const mask = masker([...secrets, ...(config.registryPassword ? [config.registryPassword] : [])]);

  const run = (opened?: RegistrySession): Promise<DeployOutcome> =>
    new Deployment(config, context, ports, image, log, mask, started, opened).run();
  try {
    if (session || !config.healthUrl) return await run(session);
    return await withRegistryLogin(config, context, ports, log, (opened) => run(opened));
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return deployFailed(log, started, mask(error.message), false);
  }
}

export interface ShipOutcome {
  image: ImageOutcome;
  /** Undefined when no `deploy-hook` is set. */
  deploy?: DeployOutcome;
}

/**
 * The image and deploy stages together, for the pipeline: one registry login around build, push,
 * deploy and the healthy tag, and only when something is pushed (pull requests never log in).
 */
export async function shipAndDeploy(config: Config, context: RunContext, ports: DeployPorts, testsPassed: boolean): Promise<ShipOutcome> {
  const started = Date.now();
  const decision = shipDecision(config, context, testsPassed);
  const notDeployed = (reason: string): DeployOutcome | undefined =>
    config.deployHook ? deploySkipped(new StageLog(ports.runner), Date.now(), reason) : undefined;
  if (!decision.push) {
    return { image: await shipImage(config, context, ports, testsPassed), deploy: notDeployed(decision.reason) };
  }
  const log = new StageLog(ports.runner);
  log.write(decision.reason);
  try {
    planImage(config, context); // bad inputs fail here, before any login
    return await withRegistryLogin(config, context, ports, log, async (session) => {
      const image = await shipImage(config, context, ports, testsPassed, session);
      if (!image.pushed || !image.digest || !image.repository) return { image, deploy: notDeployed('The image was not pushed, so nothing is deployed.') };
      if (!config.deployHook) return { image };
      return { image, deploy: await deploy(config, context, ports, { repository: image.repository, digest: image.digest }, session) };
    });
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return { image: imageFailed(log, started, error.message), deploy: notDeployed('The image was not pushed, so nothing is deployed.') };
  }
}

function deploySkipped(log: StageLog, started: number, reason: string): DeployOutcome {
  return { stage: { name: 'deploy', status: 'skipped', durationMs: Date.now() - started, headline: reason, details: [reason] }, log, deployed: false, rolledBack: false };
}

function deployFailed(log: StageLog, started: number, message: string, rolledBack: boolean, headline?: string): DeployOutcome {
  return {
    stage: { name: 'deploy', status: 'failure', durationMs: Date.now() - started, headline: headline ?? message.split('\n')[0]!, details: [message] },
    log,
    deployed: false,
    rolledBack
  };
}

/** Replaces every secret (longest first) with ***. */
export function masker(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((out, secret) => out.split(secret).join('***'), text);
}

type HookResult = { ok: true; attempts: number } | { ok: false; message: string };
type HealthResult = { healthy: boolean; polls: number; ms: number; last: string };
type Previous = { digest?: string; note: string };

/** One deploy: its facts, its log and its steps. */
class Deployment {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly reference: string;

  constructor(
    private readonly config: Config,
    private readonly context: RunContext,
    private readonly ports: DeployPorts,
    private readonly image: DeployedImage,
    private readonly log: StageLog,
    private readonly mask: (text: string) => string,
    private readonly started: number,
    private readonly session?: RegistrySession
  ) {
    this.sleep = ports.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.reference = `${image.repository}@${image.digest}`;
  }

  async run(): Promise<DeployOutcome> {
    const { config } = this;
    // Read before this deploy can move it: the image to return to if this one is unhealthy.
    const canRollBack = Boolean(config.healthUrl && config.rollback && config.deployHookImageParam);
    const previous = canRollBack ? await this.previousHealthy() : undefined;

    const deployed = await this.callHook(this.reference);
    if (!deployed.ok) return this.failed(`The deploy hook failed: ${deployed.message}. Nothing was deployed.`);
    if (!config.healthUrl) {
      return this.done('success', `deployed ${this.shortRef(this.image.digest)} (not verified: no health-url)`, true, [
        `The deploy hook accepted ${this.reference}. Set \`health-url\` to verify the deploy (and to enable rollback).`
      ]);
    }

    const health = await this.waitHealthy();
    if (health.healthy) {
      const marked = await this.markHealthy();
      const headline = `deployed ${this.shortRef(this.image.digest)}; healthy after ${formatDuration(health.ms)}`;
      const details = [`Deployed ${this.reference}: ${config.healthUrl} ${health.last} after ${health.polls} poll${health.polls > 1 ? 's' : ''}.`];
      if (marked) return this.done('success', headline, true, details);
      this.ports.reporter.warning(this.mask(`Could not tag ${this.image.repository}:${HEALTHY_TAG}; a later failed deploy cannot roll back to this image.`));
      return this.done('warning', `${headline}; could not move the ${HEALTHY_TAG} tag`, true, [
        ...details,
        `Moving ${this.image.repository}:${HEALTHY_TAG} to this digest failed, so a later rollback would return to an older image:\n${this.log.tail(5)}`
      ]);
    }

    // The headline tells the whole story in one line (short digests); the details repeat it in full.
    const fail = (ending: (ref: (digest: string) => string) => string, rolledBack = false): DeployOutcome => {
      const tell = (ref: (digest: string) => string): string =>
        `deployed ${ref(this.image.digest)}, but ${config.healthUrl} ${health.last} after ${formatDuration(health.ms)}; ${ending(ref)}`;
      const full = tell((digest) => `${this.image.repository}@${digest}`);
      const message = `${full.charAt(0).toUpperCase()}${full.slice(1)}. (${health.polls} health poll${health.polls > 1 ? 's' : ''}, health-timeout ${config.healthTimeoutSeconds}s.)`;
      this.log.write(this.mask(message));
      return this.failed(message, tell((digest) => this.shortRef(digest)), rolledBack);
    };
    if (!config.rollback) return fail(() => 'not rolled back: rollback is off (`rollback: false`)');
    if (!config.deployHookImageParam) {
      return fail(() => 'not rolled back: without `deploy-hook-image-param` the hook cannot be told which image to deploy');
    }
    if (!previous?.digest) return fail(() => `nothing to roll back to: ${previous?.note ?? 'no previous healthy image is known'}`);
    if (previous.digest === this.image.digest) return fail(() => 'not rolled back: the last healthy image is this same one');

    const previousRef = `${this.image.repository}@${previous.digest}`;
    this.log.write(`Rolling back to ${previousRef}, the last image that passed the health check.`);
    const back = await this.callHook(previousRef);
    if (!back.ok) return fail((ref) => `rolling back to ${ref(previous.digest!)} failed: the deploy hook ${back.message}`);
    const after = await this.waitHealthy();
    const verdict = after.healthy ? 'which is healthy' : `which is unhealthy too (${config.healthUrl} ${after.last})`;
    return fail((ref) => `rolled back to ${ref(previous.digest!)}, ${verdict}`, true);
  }

  private shortRef(digest: string): string {
    return `${this.image.repository}@${shortDigest(digest)}`;
  }

  private done(status: StageResult['status'], headline: string, deployed: boolean, details: string[]): DeployOutcome {
    return {
      stage: { name: 'deploy', status, durationMs: Date.now() - this.started, headline: this.mask(headline), details: details.map(this.mask) },
      log: this.log,
      deployed,
      rolledBack: false
    };
  }

  private failed(message: string, headline?: string, rolledBack = false): DeployOutcome {
    return deployFailed(this.log, this.started, this.mask(message), rolledBack, headline && this.mask(headline));
  }

  /** POSTs to the hook; retries network errors, 408, 429 (Retry-After) and 5xx; other answers are final. */
  private async callHook(imageRef: string): Promise<HookResult> {
    let request;
    try {
      request = hookRequest(this.config.deployHook!, this.config.deployHookImageParam, imageRef);
    } catch (error) {
      throw new SlipwayError(describeError(error)); // names the input, never the URL
    }
    const param = this.config.deployHookImageParam ? ` (${this.config.deployHookImageParam}=${imageRef})` : '';
    for (let attempt = 1; ; attempt++) {
      const sent = Date.now();
      let response: HttpResponse | undefined;
      let problem: string;
      try {
        response = await this.ports.http.request(request.method, request.url, { timeoutMs: HOOK_TIMEOUT_MS });
        if (response.status >= 200 && response.status <= 299) {
          this.log.write(`POST deploy hook${param}: ${response.status} in ${formatDuration(Date.now() - sent)}${deployId(response.body)}`);
          return { ok: true, attempts: attempt };
        }
        problem = `answered ${response.status}${firstLine(response.body) ? `: ${firstLine(response.body)}` : ''}`;
      } catch (error) {
        problem = `could not be reached: ${describeError(error)}`;
      }
      problem = this.mask(problem);
      const delay = nextDelay(attempt, response ? response.status : 'network-error', { retryAfter: response?.headers['retry-after'] });
      this.log.write(`POST deploy hook${param}: ${problem} (attempt ${attempt})${delay === undefined ? '' : `; retrying in ${formatDuration(delay)}`}`);
      if (delay === undefined) return { ok: false, message: `${problem}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}` };
      await this.sleep(delay);
    }
  }

  /** Polls health-url on the healthPollDelays schedule until it is healthy or the time is up. */
  private async waitHealthy(): Promise<HealthResult> {
    const { healthUrl, healthExpect, healthTimeoutSeconds } = this.config;
    const timeoutMs = healthTimeoutSeconds * 1000;
    const delays = healthPollDelays(timeoutMs);
    const began = Date.now();
    let polls = 0;
    let slept = 0; // with a fake sleep (tests) the wall clock does not move
    let last = 'was not polled';
    for (let i = 0; ; i++) {
      polls++;
      let healthy = false;
      try {
        const response = await this.ports.http.request('GET', healthUrl!, { timeoutMs: Math.min(HEALTH_REQUEST_TIMEOUT_MS, timeoutMs) });
        healthy = isHealthy(response.status, response.body, healthExpect);
        last =
          response.status >= 200 && response.status <= 299 && !healthy
            ? `answered ${response.status}, but its body does not contain "${healthExpect}"`
            : `answered ${response.status}`;
      } catch (error) {
        last = `could not be reached (${describeError(error)})`;
      }
      last = this.mask(last);
      this.log.write(`GET ${healthUrl}: ${last} (poll ${polls}, ${formatDuration(Date.now() - began)})`);
      if (healthy || i >= delays.length) return { healthy, polls, ms: Math.max(Date.now() - began, slept), last };
      await this.sleep(delays[i]!);
      slept += delays[i]!;
    }
  }

  /** The digest `<image>:slipway-healthy` points at; none when the tag does not exist. */
  private async previousHealthy(): Promise<Previous> {
    const tagged = `${this.image.repository}:${HEALTHY_TAG}`;
    try {
      const session = this.session;
      if (session && (await hasBuildx(session, this.context.tempDir))) {
        const inspect = await docker(session, ['buildx', 'imagetools', 'inspect', tagged, '--format', '{{json .Manifest}}'], { cwd: this.context.tempDir, log: this.log });
        if (inspect.code !== 0) {
          if (/not found|manifest unknown/i.test(inspect.stderr)) return this.noPrevious(tagged);
          throw new Error(lastLine(inspect.stderr) || `docker buildx imagetools inspect exited with ${inspect.code}`);
        }
        const digest = (JSON.parse(inspect.stdout) as { digest?: string }).digest;
        return this.foundPrevious(tagged, digest);
      }
      const digest = await registryDigest(this.ports.http, this.image.repository, HEALTHY_TAG, this.credentials());
      return digest ? this.foundPrevious(tagged, digest) : this.noPrevious(tagged);
    } catch (error) {
      const note = this.mask(`could not read ${tagged} (${describeError(error)})`);
      this.log.write(`Last healthy image unknown: ${note}.`);
      this.ports.reporter.warning(`Could not read the last healthy image ${tagged}: rollback will not be possible. ${this.mask(describeError(error))}`);
      return { note };
    }
  }

  private foundPrevious(tagged: string, digest: string | undefined): Previous {
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`no digest in the answer for ${tagged}`);
    this.log.write(`Last healthy image: ${this.image.repository}@${digest} (${tagged}).`);
    return { digest, note: `${tagged} is ${digest}` };
  }

  private noPrevious(tagged: string): Previous {
    this.log.write(`No last healthy image: ${tagged} does not exist yet.`);
    return { note: `no image has passed the health check before (${tagged} does not exist)` };
  }

  private credentials(): { username: string; password: string } | undefined {
    const { registryUsername: username, registryPassword: password } = this.config;
    return username && password ? { username, password } : undefined;
  }

  /** Moves `<image>:slipway-healthy` to the deployed digest. False (logged) when that failed. */
  private async markHealthy(): Promise<boolean> {
    const session = this.session;
    const tagged = `${this.image.repository}:${HEALTHY_TAG}`;
    if (!session) return false;
    const cwd = this.context.tempDir;
    try {
      if (await hasBuildx(session, cwd)) {
        // Registry-side: no pull, no local image needed (buildx may have pushed without loading).
        const create = await docker(session, ['buildx', 'imagetools', 'create', '--tag', tagged, this.reference], { cwd });
        return create.code === 0;
      }
      // Classic engine: the image is local after the build; the pull by digest makes sure of it and is
      // cheap when it is (podman cannot tag by digest otherwise).
      for (const args of [['pull', this.reference], ['tag', this.reference, tagged]]) {
        if ((await docker(session, args, { cwd, log: this.log })).code !== 0) return false;
      }
      const push = await docker(session, ['push', tagged], { cwd, log: this.log });
      const digest = pushedDigest(push.stdout);
      if (push.code === 0 && digest !== this.image.digest) {
        this.log.write(`${tagged} was pushed as ${digest ?? 'an unknown digest'}, not ${this.image.digest}.`);
        return false;
      }
      if (push.code === 0) this.log.write(`${tagged} now points at ${this.image.digest}.`);
      return push.code === 0;
    } catch (error) {
      this.log.write(`Could not move ${tagged}: ${this.mask(describeError(error))}`);
      return false;
    }
  }
}

/** Render answers `{"deploy":{"id":"dep-…"}}`; the id is worth a log line. */
function deployId(body: string): string {
  try {
    const id = (JSON.parse(body) as { deploy?: { id?: unknown } }).deploy?.id;
    return typeof id === 'string' ? ` (deploy ${id})` : '';
  } catch {
    return '';
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}

function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').trim();
}

// ---------------------------------------------------------------------------------------------------
// Registry API (Docker Registry HTTP API v2): the digest a tag points at, without pulling the image.

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ');

/** Host to call and repository path for an image name (Docker Hub: registry-1.docker.io, library/…). */
export function registryEndpoint(repository: string): { host: string; path: string } {
  const registry = registryOf(repository);
  const first = repository.split('/')[0]!;
  const hasDomain = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  let path = hasDomain ? repository.slice(first.length + 1) : repository;
  if (registry === 'docker.io') {
    if (!path.includes('/')) path = `library/${path}`;
    return { host: 'registry-1.docker.io', path };
  }
  return { host: registry, path };
}

/**
 * The digest of `repository:tag`, or undefined when the tag (or repository) does not exist. Speaks
 * the registry's auth: anonymous first, then Basic or a Bearer token from the realm it names.
 * Throws with the reason for any other answer.
 */
export async function registryDigest(
  http: Http,
  repository: string,
  tag: string,
  credentials?: { username: string; password: string }
): Promise<string | undefined> {
  const { host, path } = registryEndpoint(repository);
  const url = `https://${host}/v2/${path}/manifests/${encodeURIComponent(tag)}`;
  const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  const get = (authorization?: string) =>
    http.request('GET', url, { timeoutMs: REGISTRY_TIMEOUT_MS, headers: { Accept: MANIFEST_TYPES, ...(authorization ? { Authorization: authorization } : {}) } });

  let response = await get();
  if (response.status === 401) {
    const challenge = response.headers['www-authenticate'] ?? '';
    if (/^basic/i.test(challenge)) {
      if (!basic) throw new Error(`${host} wants credentials (give registry-username and registry-password)`);
      response = await get(basic);
    } else if (/^bearer/i.test(challenge)) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
      if (!params.realm) throw new Error(`${host} answered 401 without a token realm`);
      const tokenUrl = new URL(params.realm);
      if (params.service) tokenUrl.searchParams.set('service', params.service);
      tokenUrl.searchParams.set('scope', params.scope ?? `repository:${path}:pull`);
      const token = await http.request('GET', tokenUrl.href, { timeoutMs: REGISTRY_TIMEOUT_MS, headers: basic ? { Authorization: basic } : {} });
      if (token.status !== 200) throw new Error(`the token service of ${host} answered ${token.status}`);
      const parsed = JSON.parse(token.body) as { token?: string; access_token?: string };
      const bearer = parsed.token ?? parsed.access_token;
      if (!bearer) throw new Error(`the token service of ${host} returned no token`);
      response = await get(`Bearer ${bearer}`);
    }
  }
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`${host} answered ${response.status} for ${path}:${tag}`);
  const header = response.headers['docker-content-digest'];
  if (header && /^sha256:[0-9a-f]{64}$/.test(header)) return header;
  return `sha256:${createHash('sha256').update(response.body, 'utf8').digest('hex')}`;
}
