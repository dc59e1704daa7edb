// Image stage: log in (a private Docker config), build, tag, push, read back the digest.
// Decisions come from image-plan.ts; this file only acts on them through the ProcessRunner.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import type { StageResult } from '../model.js';
import type { Http, RunResult } from '../ports.js';
import { StageLog } from '../stage-log.js';
import { cacheServiceVariables } from '../trust/child-env.js';
import {
  buildArgs,
  imageTags,
  ociLabels,
  parseBuildArgs,
  parseSemver,
  registryOf,
  validateImageName,
  whenToShip,
  type BuildPlan,
  type ShipDecision
} from './image-plan.js';

/** The moving tag that marks the last image that passed the health check (see deploy.ts). */
export const HEALTHY_TAG = 'slipway-healthy';

export interface ImageOutcome {
  stage: StageResult;
  log: StageLog;
  /** The repository (the `image` input), when an image was built. */
  repository?: string;
  /** `repository:sha-<7 hex>`, the unique tag, when pushed. */
  image?: string;
  /** `sha256:<64 hex>` of the pushed manifest. */
  digest?: string;
  /** Every reference pushed, the unique one first; [] when nothing was pushed. */
  tags: string[];
  pushed: boolean;
}

/** Where docker commands run: the env (with the private DOCKER_CONFIG once logged in) and a log. */
export interface RegistrySession {
  registry: string;
  /** Environment of every docker call of the run. */
  env: Record<string, string | undefined>;
  /** True when Slipway logged in with registry-username/password (a private DOCKER_CONFIG). */
  loggedIn: boolean;
  /** Receives the login and logout lines. */
  log: StageLog;
  /** Whether `docker buildx` works; probed once per session. */
  buildx?: boolean;
}

/** Whether the image is built, pushed and deployed for this run (whenToShip with the run's facts). */
export function shipDecision(config: Config, context: RunContext, testsPassed: boolean): ShipDecision {
  return whenToShip({
    eventName: context.event.name,
    ref: context.event.ref,
    defaultBranch: context.event.defaultBranch,
    deployBranches: config.deployBranches,
    buildOnPullRequest: config.buildOnPullRequest,
    testsPassed,
    image: config.image
  });
}

/**
 * Builds the image and, for a push to a deploy branch or a version tag, pushes every tag and reads back
 * the digest. `session` is given when the caller already logged in (so login happens once around image
 * and deploy); without it this logs in itself when it pushes. Never throws for a problem a person can
 * fix: that becomes a failed stage.
 */
export async function shipImage(
  config: Config,
  context: RunContext,
  ports: Ports & { http?: Http },
  testsPassed: boolean,
  session?: RegistrySession
): Promise<ImageOutcome> {
  const started = Date.now();
  const log = session?.log ?? new StageLog(ports.runner);
  const decision = shipDecision(config, context, testsPassed);
  if (!decision.build) return imageSkipped(log, started, decision.reason);
  if (!session) log.write(decision.reason); // with a session, shipAndDeploy wrote it before logging in
  try {
    const plan = planImage(config, context);
    if (decision.push && !session) {
      return await withRegistryLogin(config, context, ports, log, (opened) => buildAndPush(config, context, ports, plan, decision, opened, started));
    }
    return await buildAndPush(config, context, ports, plan, decision, session ?? ambientSession(config, log), started);
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return imageFailed(log, started, error.message);
  }
}

export function imageSkipped(log: StageLog, started: number, reason: string): ImageOutcome {
  return { stage: { name: 'image', status: 'skipped', durationMs: Date.now() - started, headline: reason, details: [reason] }, log, tags: [], pushed: false };
}

export function imageFailed(log: StageLog, started: number, message: string): ImageOutcome {
  const [first = 'image failed', ...rest] = message.split('\n');
  return {
    stage: { name: 'image', status: 'failure', durationMs: Date.now() - started, headline: first.replace(/:$/, ''), details: rest.length ? [message] : undefined },
    log,
    tags: [],
    pushed: false
  };
}

// ---------------------------------------------------------------------------------------------------
// Login

/**
 * Runs `fn` with docker logged in to the image's registry in a private DOCKER_CONFIG (under the run's
 * temp dir), so credentials never reach the user's ~/.docker; logs out and removes it afterwards.
 * Without registry-username/password it uses the Docker credentials already configured (e.g. by
 * docker/login-action). A refused login throws one SlipwayError naming the registry.
 */
export async function withRegistryLogin<T>(
  config: Config,
  context: RunContext,
  ports: Ports,
  log: StageLog,
  fn: (session: RegistrySession) => Promise<T>
): Promise<T> {
  const registry = registryOf(config.image ?? '');
  const { registryUsername: username, registryPassword: password } = config;
  if (!username && !password) {
    log.write(`No registry-username/registry-password given: using the Docker credentials already configured for ${registry}.`);
    return fn(ambientSession(config, log));
  }
  if (!username || !password) {
    const missing = username ? 'registry-password' : 'registry-username';
    throw new SlipwayError(`Input \`${missing}\`: is empty, but it is needed with \`${username ? 'registry-username' : 'registry-password'}\` to log in to ${registry}; give both or neither.`);
  }

  const dockerConfig = privateDockerConfig(context.tempDir);
  const session: RegistrySession = { registry, env: { DOCKER_CONFIG: dockerConfig }, loggedIn: true, log };
  try {
    // The password goes through stdin only: never in argv, the env or the log.
    const login = await docker(session, ['login', '--username', username, '--password-stdin', registry], { cwd: context.tempDir, input: password });
    if (login.code !== 0) {
      throw new SlipwayError(
        `Could not log in to registry ${registry} as ${username}: ${lastLine(login.stderr || login.stdout) || `docker login exited with ${login.code}`}. ` +
          'Check `registry-username` and `registry-password` (a token with permission to push). Nothing was pushed.'
      );
    }
    return await fn(session);
  } finally {
    try {
      await docker(session, ['logout', registry], { cwd: context.tempDir });
    } catch (error) {
      ports.reporter.debug(`docker logout failed: ${describeError(error)}`);
    }
    rmSync(dockerConfig, { recursive: true, force: true });
  }
}

function ambientSession(config: Config, log: StageLog): RegistrySession {
  return { registry: registryOf(config.image ?? ''), env: {}, loggedIn: false, log };
}

/**
 * A fresh Docker config directory holding no credentials. CLI plugins (buildx), builder instances and
 * contexts of the user's own config are linked in, and its current context and proxies copied, so the
 * same engine and builder are used; auths, credsStore and credHelpers are not.
 */
function privateDockerConfig(tempDir: string): string {
  const dir = mkdtempSync(join(tempDir, 'docker-config-'));
  const ambient = process.env.DOCKER_CONFIG || join(homedir(), '.docker');
  for (const name of ['cli-plugins', 'buildx', 'contexts']) {
    const source = join(ambient, name);
    if (existsSync(source)) {
      try {
        symlinkSync(source, join(dir, name));
      } catch {
        // a missing plugin only means the classic builder is used
      }
    }
  }
  const settings: Record<string, unknown> = {};
  try {
    const own = JSON.parse(readFileSync(join(ambient, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['currentContext', 'proxies']) if (own[key] !== undefined) settings[key] = own[key];
  } catch {
    // no readable config of the user's: defaults
  }
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(settings)}\n`, { mode: 0o600 });
  return dir;
}

// ---------------------------------------------------------------------------------------------------
// Build and push

export interface ImagePlan {
  repository: string;
  tags: string[];
  labels: Record<string, string>;
  buildArgs: ReturnType<typeof parseBuildArgs>;
  dockerfile: string;
  context: string;
}

/** Checks the inputs and computes tags and labels before anything runs (or logs in). */
export function planImage(config: Config, context: RunContext): ImagePlan {
  const repository = (config.image ?? '').trim();
  const invalid = validateImageName(repository);
  if (invalid) throw new SlipwayError(invalid);
  const { event } = context;
  let tags: string[];
  try {
    tags = imageTags({ image: repository, ref: event.ref, sha: event.sha, defaultBranch: event.defaultBranch, eventName: event.name });
  } catch (error) {
    throw new SlipwayError(`Cannot tag the image: ${describeError(error)} Run Slipway in a Git checkout with at least one commit.`);
  }
  const dockerfile = resolve(config.workingDirectory, config.dockerfile);
  const buildContext = resolve(config.workingDirectory, config.context);
  if (!existsSync(buildContext) || !statSync(buildContext).isDirectory()) {
    throw new SlipwayError(`Input \`context\`: "${config.context}" is not a directory (looked for ${buildContext}); give the build context relative to working-directory.`);
  }
  if (!existsSync(dockerfile)) {
    throw new SlipwayError(`Input \`dockerfile\`: "${config.dockerfile}" was not found (looked for ${dockerfile}); give its path relative to working-directory.`);
  }
  let args;
  try {
    args = parseBuildArgs(config.buildArgs);
  } catch (error) {
    throw new SlipwayError(describeError(error));
  }
  const ref = event.ref;
  const versionTag = ref.startsWith('refs/tags/') ? parseSemver(ref.slice('refs/tags/'.length)) : undefined;
  const version = versionTag
    ? `${versionTag.major}.${versionTag.minor}.${versionTag.patch}${versionTag.prerelease ? `-${versionTag.prerelease}` : ''}`
    : ref.startsWith('refs/heads/')
      ? ref.slice('refs/heads/'.length)
      : undefined;
  const labels = ociLabels({
    sourceUrl: event.serverUrl && event.repository ? `${event.serverUrl.replace(/\/+$/, '')}/${event.repository}` : undefined,
    sha: event.sha,
    created: new Date().toISOString(),
    version,
    title: event.repository ? event.repository.split('/').pop() : repository.split('/').pop()
  });
  return { repository, tags, labels, buildArgs: args, dockerfile, context: buildContext };
}

async function buildAndPush(
  config: Config,
  context: RunContext,
  ports: Ports,
  plan: ImagePlan,
  decision: ShipDecision,
  session: RegistrySession,
  started: number
): Promise<ImageOutcome> {
  const { log } = session;
  const cwd = config.workingDirectory;
  const buildx = await hasBuildx(session, cwd);
  const gha = buildx && decision.push ? await useGhaCache(context, session, cwd) : false;
  const metadataFile = buildx ? join(mkdtempSync(join(context.tempDir, 'build-')), 'metadata.json') : undefined;
  const buildPlan: BuildPlan = {
    builder: buildx ? 'buildx' : 'classic',
    dockerfile: plan.dockerfile,
    context: plan.context,
    tags: plan.tags,
    labels: plan.labels,
    buildArgs: plan.buildArgs,
    push: decision.push,
    ghaCache: gha,
    metadataFile
  };
  log.write(`Builder: ${buildx ? `buildx${gha ? ' with the GitHub Actions layer cache' : ''}` : 'classic (docker build)'}; tags: ${plan.tags.map(tagOf).join(', ')}`);

  const stop = ports.reporter.progress(buildx && decision.push ? 'building and pushing the image' : 'building the image');
  // The classic builder only: with DOCKER_BUILDKIT=1 inherited and no buildx, `docker build` would refuse.
  const env = buildx ? (gha ? cacheServiceVariables(process.env) : undefined) : { DOCKER_BUILDKIT: '0' };
  // Build-arg values may be tokens: the log (and the summary built from it) shows their names only.
  const args = buildArgs(buildPlan);
  const shownArgs = args.map((arg, i) => (args[i - 1] === '--build-arg' ? `${arg.split('=', 1)[0]}=***` : arg));
  const build = await docker(session, args, { cwd, env, shownArgs }).finally(stop);
  if (build.code !== 0) {
    throw new SlipwayError(`docker build failed (exit ${build.code}) for ${relative(cwd, plan.dockerfile) || plan.dockerfile}:\n${log.tail()}`);
  }
  const short = plan.tags[0]!;
  if (!decision.push) {
    return {
      stage: { name: 'image', status: 'success', durationMs: Date.now() - started, headline: `built ${short}; not pushed`, details: [decision.reason] },
      log,
      repository: plan.repository,
      tags: [],
      pushed: false
    };
  }

  const digest = buildx ? readMetadataDigest(metadataFile!) : await pushEach(session, plan.tags, cwd, ports);
  const more = plan.tags.length - 1;
  return {
    stage: {
      name: 'image',
      status: 'success',
      durationMs: Date.now() - started,
      headline: `pushed ${short}${more > 0 ? ` and ${more} more tag${more > 1 ? 's' : ''}` : ''} (${shortDigest(digest)})`,
      details: [`Pushed ${plan.tags.join(', ')}.`, `Digest: ${digest}.`]
    },
    log,
    repository: plan.repository,
    image: short,
    digest,
    tags: plan.tags,
    pushed: true
  };
}

/** Classic push: one `docker push` a tag; every tag must come back with the same digest. */
async function pushEach(session: RegistrySession, tags: string[], cwd: string, ports: Ports): Promise<string> {
  let digest: string | undefined;
  for (const tag of tags) {
    const stop = ports.reporter.progress(`pushing ${tagOf(tag)}`);
    const push = await docker(session, ['push', tag], { cwd }).finally(stop);
    if (push.code !== 0) {
      const reason = lastLine(push.stderr || push.stdout);
      const hint = /unauthori[sz]ed|authentication required|denied/i.test(reason)
        ? session.loggedIn
          ? ' The registry refused the credentials for this repository: check that the token may push to it.'
          : ' Give `registry-username` and `registry-password`, or log in before Slipway runs.'
        : '';
      throw new SlipwayError(`docker push ${tag} failed (exit ${push.code}): ${reason}.${hint}`);
    }
    const pushed = pushedDigest(push.stdout);
    if (!pushed) throw new SlipwayError(`docker push ${tag} did not report a digest:\n${session.log.tail(5)}`);
    if (digest && pushed !== digest) {
      throw new SlipwayError(`docker push ${tag} reported ${pushed}, but the first tag was pushed as ${digest}; the tags do not point at one image.`);
    }
    digest = pushed;
  }
  return digest!;
}

/** `<tag>: digest: sha256:<hex> size: N`, as the classic push prints it. */
export function pushedDigest(output: string): string | undefined {
  return /: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(output)?.[1];
}

function readMetadataDigest(file: string): string {
  let digest: unknown;
  try {
    digest = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)['containerimage.digest'];
  } catch (error) {
    throw new SlipwayError(`docker buildx did not write its metadata file (${describeError(error)}), so the pushed digest is unknown.`);
  }
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new SlipwayError('docker buildx wrote no `containerimage.digest`, so the pushed digest is unknown.');
  }
  return digest;
}

/** Whether `docker buildx` works here (real runners: yes; podman's Docker API: no). Probed once. */
export async function hasBuildx(session: RegistrySession, cwd: string): Promise<boolean> {
  if (session.buildx === undefined) {
    const version = await docker(session, ['buildx', 'version'], { cwd });
    session.buildx = version.code === 0;
  }
  return session.buildx;
}

/**
 * The Actions layer cache needs the Actions cache service (inside Actions only) and a builder whose
 * driver can export a cache: the default `docker` driver cannot, and would fail the build.
 */
async function useGhaCache(context: RunContext, session: RegistrySession, cwd: string): Promise<boolean> {
  if (!context.inActions || !process.env.ACTIONS_RUNTIME_TOKEN || !(process.env.ACTIONS_RESULTS_URL || process.env.ACTIONS_CACHE_URL)) return false;
  const inspect = await docker(session, ['buildx', 'inspect'], { cwd });
  const driver = /^Driver:\s*(\S+)/m.exec(inspect.stdout)?.[1];
  if (inspect.code !== 0 || driver === undefined || driver === 'docker') {
    session.log.write(
      `No layer cache: the buildx builder's driver is ${driver ?? 'unknown'}, which cannot export a cache (use docker/setup-buildx-action for one that can).`
    );
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Helpers shared with deploy.ts

/**
 * Runs docker with the session's env (and so its DOCKER_CONFIG), recording it in `log` (default: the
 * session's); a missing docker is a clear error.
 */
export async function docker(
  session: RegistrySession,
  args: readonly string[],
  options: { cwd: string; input?: string; env?: Record<string, string | undefined>; log?: StageLog; shownArgs?: readonly string[] }
): Promise<RunResult> {
  try {
    const log = options.log ?? session.log;
    return await log.run('docker', args, { cwd: options.cwd, input: options.input, env: { ...session.env, ...options.env }, shownArgs: options.shownArgs });
  } catch (error) {
    throw new SlipwayError(`Could not run docker (${describeError(error)}). Install the Docker CLI and make sure the engine is reachable (DOCKER_HOST).`);
  }
}

/** `sha256:0123456789ab`: enough to recognise, short enough for a headline. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}

function tagOf(reference: string): string {
  return reference.slice(reference.lastIndexOf(':') + 1);
}

function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(WARNING|DEPRECATED)/.test(line));
  return (lines[lines.length - 1] ?? '').replace(/\.$/, '');
}
