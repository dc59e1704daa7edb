// Pull request previews: on a same-repository pull request the image is built, smoke-tested, pushed as
// pr-<n> and sha-<7>, and the preview hook is asked to deploy it; its URL is health-checked and recorded
// as a transient GitHub Deployment `pr-<n>`. When the pull request closes, the hook is asked to destroy
// it and the Deployments are marked inactive. The hook URL and its secret are masked before anything runs.
import type { Config } from '../config.js';
import type { RunContext } from '../context.js';
import { SlipwayError } from '../errors.js';
import { formatDuration } from '../format.js';
import type { StageResult } from '../model.js';
import { StageLog } from '../stage-log.js';
import { Secrets } from '../trust/secrets.js';
import { waitHealthy } from './deploy-health.js';
import { HOOK_TIMEOUT_MS } from './deploy-hook.js';
import { secretsOfUrl } from './deploy-plan.js';
import { DeploymentRecord } from './deploy-record.js';
import type { DeployPorts } from './deployment.js';
import { shortDigest } from './docker.js';
import { buildImage, imageFailed, type ImageOutcome } from './image.js';
import { planImage } from './image-plan.js';
import { callPreviewHook, type PreviewHookCaller, type PreviewHookResult } from './preview-hook.js';
import { previewBody, previewDecision, previewHealthUrl, previewTags, previewUrlFrom, type PreviewDecision, type PreviewFacts } from './preview-plan.js';
import { withRegistryLogin } from './registry-login.js';

export interface PreviewOutcome {
  stage: StageResult;
  /** The preview's URL, when it was deployed and the URL is known. */
  url?: string;
}

type Deploy = Extract<PreviewDecision, { kind: 'deploy' }>;

/** A preview stage that did nothing, and why. */
export function previewSkipped(reason: string, started = Date.now()): PreviewOutcome {
  return { stage: { name: 'preview', status: 'skipped', durationMs: Date.now() - started, headline: reason, details: [reason] } };
}

/** Builds, pushes and deploys the pull request's preview. Never throws for a problem a person can fix: that is a failed stage. */
export async function deployPreview(
  config: Config,
  context: RunContext,
  ports: DeployPorts,
  decision: Deploy
): Promise<{ image: ImageOutcome; preview: PreviewOutcome }> {
  const started = Date.now();
  const calls = previewCalls(config, ports);
  const log = new StageLog(ports.runner);
  log.write(decision.reason);
  const plan = { ...planImage(config, context), tags: previewTags(config.image!, decision.number, context.event.sha) };
  try {
    return await withRegistryLogin(config, context, ports, log, async (session) => {
      const image = await buildImage(config, context, ports, plan, { build: true, push: true, deploy: false, reason: decision.reason }, session, started);
      return { image, preview: await deployPushed(config, context, ports, calls, decision, image) };
    });
  } catch (error) {
    if (!(error instanceof SlipwayError)) throw error;
    return { image: imageFailed(log, started, error.message), preview: previewSkipped('The image was not pushed, so no preview is deployed.') };
  }
}

/** A closed pull request: the hook destroys its preview and its Deployments become inactive. Nothing is built. */
export async function closePreview(config: Config, context: RunContext, ports: DeployPorts): Promise<PreviewOutcome> {
  const started = Date.now();
  const decision = previewDecision(config.preview, context.event, true);
  if (decision?.kind !== 'destroy') {
    const reason = decision?.reason ?? 'No preview to destroy.';
    if (decision?.kind === 'skip' && decision.notice) ports.reporter.notice(reason);
    return previewSkipped(reason, started);
  }
  const calls = previewCalls(config, ports);
  calls.log.write(decision.reason);
  const facts = factsOf(config, context, decision.number, decision.environment);
  const body = previewBody({ ...facts, action: 'destroy', merged: decision.merged });
  const result = await callPreviewHook(calls, config.preview!.hook, config.preview!.secret, 'destroy', body);
  if (!result.ok) {
    const message = `${hookFailure(result, 'destroy')}; ${decision.environment} may still be running. Its GitHub Deployments are left as they are.`;
    return { stage: failed(started, message) };
  }
  const record = recordOf(context, ports, calls, decision.environment);
  const retired = await record.retire(`Pull request #${decision.number} ${decision.merged ? 'merged' : 'closed'}: preview destroyed`);
  const deployments = retired > 0 ? `; ${retired} GitHub Deployment${retired > 1 ? 's' : ''} marked inactive` : '';
  const headline = `destroyed ${decision.environment} (pull request ${decision.merged ? 'merged' : 'closed'})${deployments}`;
  return { stage: { name: 'preview', status: 'success', durationMs: Date.now() - started, headline, details: [decision.reason] } };
}

type Calls = PreviewHookCaller & { secrets: Secrets };

/** What every hook and health call needs; the hook's URL, its parts and the secret are masked first. */
function previewCalls(config: Config, ports: DeployPorts): Calls {
  const secrets = new Secrets();
  for (const secret of [...secretsOfUrl(config.preview!.hook), config.preview!.secret]) {
    ports.reporter.secret(secret);
    secrets.add(secret);
  }
  if (config.registryPassword) secrets.add(config.registryPassword);
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const timeoutMs = Number(ports.host.env.SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS) * 1000 || HOOK_TIMEOUT_MS;
  return { http: ports.http, log: new StageLog(ports.runner), mask: (text) => secrets.mask(text), sleep, timeoutMs, secrets };
}

function factsOf(config: Config, context: RunContext, number: number, environment: string): Omit<PreviewFacts, 'action'> {
  const { event } = context;
  return {
    number,
    environment,
    image: `${config.image!}:pr-${number}`,
    sha: event.sha,
    ref: event.ref,
    headRef: event.pullRequest?.headRef,
    headSha: event.pullRequest?.headSha || undefined,
    repository: event.repository
  };
}

/** The preview's Deployments: of the pull request's head commit (what its page shows), transient, never production. */
function recordOf(context: RunContext, ports: DeployPorts, calls: Calls, environment: string): DeploymentRecord {
  const { event } = context;
  const facts = { environment, runUrl: event.runUrl, sha: event.pullRequest?.headSha || event.sha, transient: true };
  return new DeploymentRecord(ports.github, facts, ports.reporter, calls.log, calls.mask);
}

/** After the push: the Deployment, the hook, the URL, the health check. */
async function deployPushed(
  config: Config,
  context: RunContext,
  ports: DeployPorts,
  calls: Calls,
  decision: Deploy,
  image: ImageOutcome
): Promise<PreviewOutcome> {
  const started = Date.now();
  const { environment, number } = decision;
  const reference = `${image.repository!}@${image.digest!}`;
  const record = recordOf(context, ports, calls, environment);
  await record.begin({ reference });
  const body = previewBody({ ...factsOf(config, context, number, environment), action: 'deploy', digest: image.digest });
  const result = await callPreviewHook(calls, config.preview!.hook, config.preview!.secret, 'deploy', body);
  if (!result.ok) {
    const message = `${hookFailure(result, 'deploy')}.`;
    await record.end(result.problem === 'unanswered' ? 'error' : 'failure', message);
    return { stage: failed(started, message, record.recorded) };
  }

  const short = `pr-${number} (${shortDigest(image.digest!)})`;
  const found = previewUrlFrom(result.body, config.preview!.urlTemplate, number);
  calls.log.write(calls.mask(found.note));
  const url = found.url && calls.mask(found.url) === found.url ? found.url : undefined;
  const details = [decision.reason, found.note];
  if (!url) {
    const health = config.healthUrl ? '; not health-checked' : '';
    details.push(...(config.healthUrl ? ['The health check is skipped: it needs the preview’s URL.'] : []));
    await record.end('success', `Preview of #${number}: ${short}`);
    const done = await retireEarlier(record, number, details);
    return {
      stage: { name: 'preview', status: 'warning', durationMs: Date.now() - started, headline: `deployed ${short}; its URL is unknown${health}`, details: done }
    };
  }

  let verdict = '';
  if (config.healthUrl) {
    const healthUrl = previewHealthUrl(url, config.healthUrl);
    const health = await waitHealthy({ ...calls, config: { ...config, healthUrl } }, config.healthExpect);
    if (!health.healthy) {
      const seen = health.refused ?? `${healthUrl} ${health.last} after ${formatDuration(health.ms)}`;
      const message = `Deployed ${short} at ${url}, but it is not healthy: ${seen}.`;
      await record.end('failure', message);
      return { url, stage: failed(started, message, [...details, ...record.recorded]) };
    }
    verdict = `; healthy after ${formatDuration(health.ms)}`;
  }
  await record.end('success', `Preview of #${number}: ${short}`, url);
  const done = await retireEarlier(record, number, details);
  return {
    url,
    stage: { name: 'preview', status: 'success', durationMs: Date.now() - started, headline: `deployed ${short} at ${url}${verdict}`, details: done }
  };
}

/** A new preview replaces the pull request's earlier ones (GitHub does not retire transient environments itself). */
async function retireEarlier(record: DeploymentRecord, number: number, details: string[]): Promise<string[]> {
  await record.retire(`Replaced by a newer preview of #${number}`);
  return [...details, ...record.recorded];
}

function failed(started: number, message: string, details: string[] = []): StageResult {
  return { name: 'preview', status: 'failure', durationMs: Date.now() - started, headline: message.split('\n')[0]!, details: [message, ...details] };
}

function hookFailure(result: Exclude<PreviewHookResult, { ok: true }>, action: string): string {
  if (result.problem === 'refused') return `Input \`preview-hook\` is refused: ${result.message}`;
  if (result.problem === 'unanswered') return `The preview hook ${result.message} when asked to ${action}; it may or may not have acted (not retried)`;
  return `The preview hook failed to ${action}: ${result.message}`;
}
