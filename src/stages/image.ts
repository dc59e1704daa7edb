// Image stage: build, tag, push, read back the digest. The orchestration (ship.ts) decides, plans and
// logs in; this file only acts on the plan through the ProcessRunner.
import { join, relative } from 'node:path';
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import type { Files, Host } from '../ports.js';
import { SlipwayError, describeError } from '../errors.js';
import type { StageResult } from '../model.js';
import type { StageLog } from '../stage-log.js';
import { docker, hasBuildx, lastLine, pushedDigest, shortDigest, type RegistrySession } from './docker.js';
import { buildArgs, pushesFromBuilder, type BuildPlan, type ImagePlan } from './image-plan.js';
import type { ShipDecision } from './ship-plan.js';
import { smokeTest, type SmokePorts } from './smoke.js';

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

export function imageSkipped(log: StageLog, started: number, reason: string): ImageOutcome {
  return { stage: { name: 'image', status: 'skipped', durationMs: Date.now() - started, headline: reason, details: [reason] }, log, tags: [], pushed: false };
}

export function imageFailed(log: StageLog, started: number, message: string): ImageOutcome {
  const [first = 'image failed', ...rest] = message.split('\n');
  return {
    stage: {
      name: 'image',
      status: 'failure',
      durationMs: Date.now() - started,
      headline: first.replace(/:$/, ''),
      details: rest.length ? [message] : undefined
    },
    log,
    tags: [],
    pushed: false
  };
}

/**
 * Builds the planned image and, when the decision says so, pushes every tag and reads back the digest,
 * in `session` (the orchestration's one login). Throws a SlipwayError for a problem a person can fix.
 */
export async function buildImage(
  config: Config,
  context: RunContext,
  ports: SmokePorts,
  plan: ImagePlan,
  decision: ShipDecision,
  session: RegistrySession,
  started: number
): Promise<ImageOutcome> {
  const { log } = session;
  const cwd = config.workingDirectory;
  const buildx = await hasBuildx(session, cwd);
  const gha = buildx && decision.push ? await useGhaCache(context, ports.host, session, cwd) : false;
  const smoke = config.smokePath !== undefined;
  const fromBuilder = pushesFromBuilder(buildx ? 'buildx' : 'classic', decision.push, smoke);
  // One build a run: the run's own folder is the metadata file's place.
  const metadataFile = fromBuilder ? join(context.tempDir, 'buildx-metadata.json') : undefined;
  const buildPlan: BuildPlan = {
    builder: buildx ? 'buildx' : 'classic',
    dockerfile: plan.dockerfile,
    context: plan.context,
    tags: plan.tags,
    labels: plan.labels,
    buildArgs: plan.buildArgs,
    push: fromBuilder,
    ghaCache: gha,
    metadataFile
  };
  log.write(
    `Builder: ${buildx ? `buildx${gha ? ' with the GitHub Actions layer cache' : ''}` : 'classic (docker build)'}; tags: ${plan.tags.map(tagOf).join(', ')}`
  );

  const stop = ports.reporter.progress(fromBuilder ? 'building and pushing the image' : 'building the image');
  // The classic builder only: with DOCKER_BUILDKIT=1 inherited and no buildx, `docker build` would refuse.
  const env = buildx ? (gha ? ports.host.cacheService : undefined) : { DOCKER_BUILDKIT: '0' };
  // Build-arg values may be tokens: the log (and the summary built from it) shows their names only.
  const args = buildArgs(buildPlan);
  const shownArgs = args.map((arg, i) => (args[i - 1] === '--build-arg' ? `${arg.split('=', 1)[0]}=***` : arg));
  const build = await docker(session, args, { cwd, env, shownArgs }).finally(stop);
  if (build.code !== 0) {
    throw new SlipwayError(`docker build failed (exit ${build.code}) for ${relative(cwd, plan.dockerfile) || plan.dockerfile}:\n${log.tail()}`);
  }
  const short = plan.tags[0]!;
  // Before any push: an image that does not start is never pushed (nor deployed).
  const smoked = smoke ? await smokeTest(config, context, ports, session, short) : undefined;
  if (!decision.push) {
    return {
      stage: {
        name: 'image',
        status: 'success',
        durationMs: Date.now() - started,
        headline: `built ${short}${smoked ? `; ${smoked}` : ''}; not pushed`,
        details: [decision.reason]
      },
      log,
      repository: plan.repository,
      tags: [],
      pushed: false
    };
  }

  const digest = fromBuilder ? readMetadataDigest(ports.files, metadataFile!) : await pushEach(session, plan.tags, cwd, ports);
  const more = plan.tags.length - 1;
  return {
    stage: {
      name: 'image',
      status: 'success',
      durationMs: Date.now() - started,
      headline: `pushed ${short}${more > 0 ? ` and ${more} more tag${more > 1 ? 's' : ''}` : ''} (${shortDigest(digest)})`,
      details: [...(smoked ? [`The ${smoked}.`] : []), `Pushed ${plan.tags.join(', ')}.`, `Digest: ${digest}.`]
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

function readMetadataDigest(files: Files, file: string): string {
  let digest: unknown;
  try {
    const text = files.read(file);
    if (text === undefined) throw new Error('no such file');
    digest = (JSON.parse(text) as Record<string, unknown>)['containerimage.digest'];
  } catch (error) {
    throw new SlipwayError(`docker buildx did not write its metadata file (${describeError(error)}), so the pushed digest is unknown.`);
  }
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new SlipwayError('docker buildx wrote no `containerimage.digest`, so the pushed digest is unknown.');
  }
  return digest;
}

/**
 * The Actions layer cache needs the Actions cache service (inside Actions only) and a builder whose
 * driver can export a cache: the default `docker` driver cannot, and would fail the build.
 */
async function useGhaCache(context: RunContext, host: Host, session: RegistrySession, cwd: string): Promise<boolean> {
  if (!context.inActions || !host.cacheService) return false;
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

function tagOf(reference: string): string {
  return reference.slice(reference.lastIndexOf(':') + 1);
}
