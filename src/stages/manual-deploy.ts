// A manual deploy: `deploy-image` on workflow_dispatch redeploys (or rolls back to) an image already in
// the registry: a tag is resolved to its digest first, then the deploy runs as after a push (hook,
// health check, rollback, healthy tag, GitHub Deployment). No install, tests or build.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError, describeError } from '../errors.js';
import { StageLog } from '../stage-log.js';
import { deploy } from './deploy.js';
import { deployFailed, type DeployOutcome, type DeployPorts } from './deployment.js';
import { manualBy, manualTarget } from './manual-deploy-plan.js';
import { registryDigest } from './registry-client.js';
import { withRegistryLogin } from './registry-login.js';

/** Deploys `deploy-image`; the stage's headline says it was manual and by whom. Never throws for a problem a person can fix. */
export async function manualDeploy(config: Config, context: RunContext, ports: DeployPorts): Promise<DeployOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const by = manualBy(context.event.actor);
  try {
    if (!config.deployHook) throw new SlipwayError('`deploy-image` needs `deploy-hook`: there is nothing to deploy through.');
    const target = manualTarget(config.deployImage!, config.image);
    // The login, the healthy tag and the rollback all belong to the image's own repository.
    const repoConfig: Config = { ...config, image: target.repository };
    log.write(`${by[0]!.toUpperCase()}${by.slice(1)} of ${config.deployImage!.trim()}: no install, tests or build.`);
    const outcome = await withRegistryLogin(repoConfig, context, ports, log, async (session) => {
      const digest = target.digest ?? (await resolveTag(repoConfig, ports, target.repository, target.tag!));
      if (target.tag) log.write(`${target.repository}:${target.tag} is ${digest}.`);
      return deploy(repoConfig, context, ports, { repository: target.repository, digest }, session);
    });
    const details = [`${by[0]!.toUpperCase()}${by.slice(1)} of ${config.deployImage!.trim()}.`, ...(outcome.stage.details ?? [])];
    return { ...outcome, stage: { ...outcome.stage, headline: `${by}: ${outcome.stage.headline}`, details } };
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return deployFailed(log, started, error.message, false, `${by}: ${error.message.split('\n')[0]!}`);
  }
}

async function resolveTag(config: Config, ports: DeployPorts, repository: string, tag: string): Promise<string> {
  const { registryUsername: username, registryPassword: password } = config;
  let digest: string | undefined;
  try {
    digest = await registryDigest(ports.http, repository, tag, username && password ? { username, password } : undefined);
  } catch (error) {
    throw new SlipwayError(`Could not resolve ${repository}:${tag} to a digest: ${describeError(error)}`);
  }
  if (!digest) throw new SlipwayError(`${repository}:${tag} does not exist in the registry, so nothing is deployed.`);
  return digest;
}
