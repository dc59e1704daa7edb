// Deploy stage: call the deploy hook with the pushed digest, wait for the health check, and on failure
// redeploy the last image that passed it (deployment.ts has the steps). The hook URL is a secret: its
// parts are masked first, and no message is built from it.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError } from '../errors.js';
import { StageLog } from '../stage-log.js';
import { secretsOfUrl } from './deploy-plan.js';
import { Deployment, deployFailed, deploySkipped, type DeployedImage, type DeployOutcome, type DeployPorts } from './deployment.js';
import { imageFailed, planImage, shipDecision, shipImage, withRegistryLogin, type ImageOutcome, type RegistrySession } from './image.js';

/**
 * Deploys `image` through the deploy hook. `session` is the registry login of the image stage (to read
 * and move the healthy tag); without one this logs in itself when it needs the registry.
 */
export async function deploy(config: Config, context: RunContext, ports: DeployPorts, image: DeployedImage, session?: RegistrySession): Promise<DeployOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const hook = config.deployHook;
  if (!hook) return deploySkipped(log, started, 'No `deploy-hook` is set, so nothing is deployed.');
  // Masked before anything can print them: the URL, its key, Render's service id.
  const secrets = secretsOfUrl(hook);
  secrets.forEach((secret) => ports.reporter.secret(secret));
  const mask = masker([...secrets, ...(config.registryPassword ? [config.registryPassword] : [])]);

  const run = (opened?: RegistrySession): Promise<DeployOutcome> => new Deployment(config, context, ports, image, log, mask, started, opened).run();
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

/** Replaces every secret (longest first) with ***. */
export function masker(secrets: readonly string[]): (text: string) => string {
  const sorted = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((out, secret) => out.split(secret).join('***'), text);
}
