// Deploy stage: call the deploy hook with the pushed digest, wait for the health check, and on failure
// redeploy the last image that passed it (deployment.ts has the steps). The hook URL is a secret: its
// parts are masked first, and no message is built from it.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { StageLog } from '../stage-log.js';
import { Secrets } from '../trust/secrets.js';
import { secretsOfUrl } from './deploy-plan.js';
import type { RegistrySession } from './docker.js';
import { Deployment, deploySkipped, type DeployedImage, type DeployOutcome, type DeployPorts } from './deployment.js';

/** Deploys `image` through the deploy hook, in `session` (the orchestration's login) to read and move the healthy tag. */
export async function deploy(config: Config, context: RunContext, ports: DeployPorts, image: DeployedImage, session: RegistrySession): Promise<DeployOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const hook = config.deployHook;
  if (!hook) return deploySkipped(log, started, 'No `deploy-hook` is set, so nothing is deployed.');
  // Masked before anything can print them: the URL, its key, Render's service id.
  const secrets = new Secrets();
  for (const secret of secretsOfUrl(hook)) {
    ports.reporter.secret(secret);
    secrets.add(secret);
  }
  if (config.registryPassword) secrets.add(config.registryPassword);
  return new Deployment(config, context, ports, image, log, (text) => secrets.mask(text), started, session).run();
}
