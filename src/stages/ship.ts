// The second half of a run, in one place: decide whether to ship, plan the image, log in to the
// registry once, build and push, deploy, and move the healthy tag. Pull requests log in only to push
// their preview (preview.ts).
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError } from '../errors.js';
import { StageLog } from '../stage-log.js';
import { deploy } from './deploy.js';
import { deploySkipped, type DeployOutcome, type DeployPorts } from './deployment.js';
import { buildImage, imageFailed, imageSkipped, type ImageOutcome } from './image.js';
import { planImage } from './image-plan.js';
import { deployPreview, previewSkipped, type PreviewOutcome } from './preview.js';
import { previewDecision } from './preview-plan.js';
import { ambientSession, withRegistryLogin } from './registry-login.js';
import { shipDecision } from './ship-plan.js';

export interface ShipOutcome {
  image: ImageOutcome;
  /** Undefined when no `deploy-hook` is set. */
  deploy?: DeployOutcome;
  /** Pull requests with `preview-hook` set: their preview. */
  preview?: PreviewOutcome;
}

/**
 * Builds the image and, for a push to a deploy branch or a version tag, pushes it and deploys it, all
 * inside one registry login. Never throws for a problem a person can fix: that becomes a failed stage.
 */
export async function shipAndDeploy(config: Config, context: RunContext, ports: DeployPorts, testsPassed: boolean): Promise<ShipOutcome> {
  const preview = previewDecision(config.preview, context.event, testsPassed);
  if (preview?.kind === 'deploy') return deployPreview(config, context, ports, preview);
  if (preview?.kind === 'skip' && preview.notice) ports.reporter.notice(preview.reason);
  const shipped = await ship(config, context, ports, testsPassed);
  return preview ? { ...shipped, preview: previewSkipped(preview.reason) } : shipped;
}

async function ship(config: Config, context: RunContext, ports: DeployPorts, testsPassed: boolean): Promise<ShipOutcome> {
  const started = Date.now();
  const log = new StageLog(ports.runner);
  const decision = shipDecision(config, context, testsPassed);
  const notDeployed = (reason: string): DeployOutcome | undefined =>
    config.deployHook ? deploySkipped(new StageLog(ports.runner), Date.now(), reason) : undefined;
  if (!decision.build) return { image: imageSkipped(log, started, decision.reason), deploy: notDeployed(decision.reason) };
  log.write(decision.reason);
  try {
    const plan = planImage(config, context);
    if (!decision.push) {
      const image = await buildImage(config, context, ports, plan, decision, ambientSession(config, log), started);
      return { image, deploy: notDeployed(decision.reason) };
    }
    return await withRegistryLogin(config, context, ports, log, async (session) => {
      const image = await buildImage(config, context, ports, plan, decision, session, started);
      if (!config.deployHook) return { image };
      return { image, deploy: await deploy(config, context, ports, { repository: plan.repository, digest: image.digest! }, session) };
    });
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return { image: imageFailed(log, started, error.message), deploy: notDeployed('The image was not pushed, so nothing is deployed.') };
  }
}
