// One deploy, step by step: read the last healthy image, call the hook, verify through the health
// check, move the healthy tag, or roll back; each image sent to the hook is recorded as a GitHub
// Deployment when there is a token. The hook URL is a secret: every message goes through `mask`, and
// none is built from the URL.
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { formatDuration } from '../format.js';
import type { StageResult } from '../model.js';
import type { Http, Reporter } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { waitHealthy, type HealthPoller, type HealthResult } from './deploy-health.js';
import { callHook, HOOK_TIMEOUT_MS, type HookCaller, type HookResult } from './deploy-hook.js';
import { commitIn, rollbackExpect } from './deploy-plan.js';
import { DeploymentRecord } from './deploy-record.js';
import { shortDigest, type RegistrySession } from './docker.js';
import { HEALTHY_TAG, HealthyTag } from './healthy-tag.js';

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

export function deploySkipped(log: StageLog, started: number, reason: string): DeployOutcome {
  return {
    stage: { name: 'deploy', status: 'skipped', durationMs: Date.now() - started, headline: reason, details: [reason] },
    log,
    deployed: false,
    rolledBack: false
  };
}

export function deployFailed(log: StageLog, started: number, message: string, rolledBack: boolean, headline?: string): DeployOutcome {
  return {
    stage: { name: 'deploy', status: 'failure', durationMs: Date.now() - started, headline: headline ?? message.split('\n')[0]!, details: [message] },
    log,
    deployed: false,
    rolledBack
  };
}

/** One deploy: its facts, its log and its steps. */
export class Deployment {
  private readonly reference: string;
  private readonly tag: HealthyTag;
  /** What the hook and health calls need. */
  private readonly calls: HookCaller & HealthPoller & { reporter: Reporter };
  private readonly record: DeploymentRecord;

  constructor(
    private readonly config: Config,
    private readonly context: RunContext,
    ports: DeployPorts,
    private readonly image: DeployedImage,
    private readonly log: StageLog,
    private readonly mask: (text: string) => string,
    private readonly started: number,
    session: RegistrySession
  ) {
    this.reference = `${image.repository}@${image.digest}`;
    this.tag = new HealthyTag(config, context, ports, image.repository, log, mask, session);
    const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const hookTimeoutMs = Number(ports.host.env.SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS) * 1000 || HOOK_TIMEOUT_MS;
    this.calls = { config, http: ports.http, log, mask, sleep, reporter: ports.reporter, hookTimeoutMs };
    const { environment, environmentUrl, healthUrl } = config;
    const facts = { environment, environmentUrl, healthUrl, runUrl: context.event.runUrl, sha: context.event.sha };
    this.record = new DeploymentRecord(ports.github, facts, ports.reporter, log, mask);
  }

  async run(): Promise<DeployOutcome> {
    const { config } = this;
    // Read before this deploy can move it: the image to return to if this one is unhealthy.
    const canRollBack = Boolean(config.healthUrl && config.rollback && config.deployHookImageParam);
    const previous = canRollBack ? await this.tag.read() : undefined;

    await this.record.begin({ reference: this.reference });
    const deployed = await callHook(this.calls, this.reference);
    if (!deployed.ok && deployed.problem === 'unanswered') return this.unanswered(deployed.message);
    if (!deployed.ok) return this.failed(`${hookFailure(deployed)}. Nothing was deployed.`);
    if (!config.healthUrl) {
      return this.done('success', `deployed ${this.shortRef(this.image.digest)} (not verified: no health-url)`, [
        `The deploy hook accepted ${this.reference}. Set \`health-url\` to verify the deploy (and to enable rollback).`
      ]);
    }

    const health = await waitHealthy(this.calls, config.healthExpect);
    if (health.healthy) return this.healthy(health);
    if (health.refused) {
      const message = `Deployed ${this.reference}, but it is not verified: ${health.refused}. Not rolled back: no image can be verified.`;
      return this.unknown(message, `Deployed ${this.shortRef(this.image.digest)}, but it is not verified: \`health-url\` is refused`);
    }

    // The headline tells the whole story in one line (short digests); the details repeat it in full.
    const unhealthy = `${config.healthUrl} ${health.last} after ${formatDuration(health.ms)}`;
    const fail = async (ending: (ref: (digest: string) => string) => string, rolledBack = false): Promise<DeployOutcome> => {
      const tell = (ref: (digest: string) => string): string => `deployed ${ref(this.image.digest)}, but ${unhealthy}; ${ending(ref)}`;
      const full = tell((digest) => `${this.image.repository}@${digest}`);
      const message = `${full.charAt(0).toUpperCase()}${full.slice(1)}. (${health.polls} health poll${health.polls > 1 ? 's' : ''}, health-timeout ${config.healthTimeoutSeconds}s.)`;
      this.log.write(this.mask(message));
      // The Deployment names the image already; its status keeps to what went wrong.
      await this.record.end('failure', `${unhealthy}; ${ending((digest) => this.shortRef(digest))}`);
      return this.failed(
        message,
        tell((digest) => this.shortRef(digest)),
        rolledBack
      );
    };
    if (!config.rollback) return fail(() => 'not rolled back: rollback is off (`rollback: false`)');
    if (!config.deployHookImageParam) {
      return fail(() => 'not rolled back: without `deploy-hook-image-param` the hook cannot be told which image to deploy');
    }
    if (!previous?.digest) return fail(() => `nothing to roll back to: ${previous?.note ?? 'no previous healthy image is known'}`);
    const old = previous.digest;
    if (old === this.image.digest) return fail(() => 'not rolled back: the last healthy image is this same one');

    const previousRef = `${this.image.repository}@${old}`;
    this.log.write(`Rolling back to ${previousRef}, the last image that passed the health check.`);
    // The old image's commit: what its health may have to report, and the ref of its Deployment.
    const revision = this.record.active || commitIn(config.healthExpect, this.context.event.sha) ? await this.tag.revision(old) : undefined;
    const expect = this.rollbackExpect(revision);
    await this.record.end('failure', `${unhealthy}; rolling back to ${this.shortRef(old)}`);
    await this.record.begin({ reference: previousRef, rollback: true, revision });
    const back = await callHook(this.calls, previousRef);
    // An unanswered rollback call is as good as answered when the app then reports the old image.
    const confirmable = back.ok || (back.problem === 'unanswered' && expect.identifies);
    const after = confirmable ? await waitHealthy(this.calls, expect.expect) : undefined;
    if (!back.ok && !after?.healthy) {
      await this.record.end('failure', `Rolling back to ${this.shortRef(old)} failed: ${rollbackFailure(back)}`);
      return fail((ref) => `rolling back to ${ref(old)} failed: ${rollbackFailure(back)}`);
    }
    const unanswered = back.ok ? '' : ` (the deploy hook ${back.message}, but the app reports that image)`;
    const verdict = after!.healthy ? 'which is healthy' : `which is unhealthy too (${config.healthUrl} ${after!.last})`;
    await this.record.end(after!.healthy ? 'success' : 'failure', `Rolled back to ${this.shortRef(old)}${unanswered}, ${verdict}`);
    return fail((ref) => `rolled back to ${ref(old)}${unanswered}, ${verdict}`, true);
  }

  /** The hook got the call but gave no answer: only the health check can tell whether the new image went live. */
  private async unanswered(what: string): Promise<DeployOutcome> {
    const { healthUrl, healthExpect } = this.config;
    const story = `The deploy hook ${what}; it may or may not have started a deploy of ${this.reference} (not retried, to avoid a second deploy)`;
    const unknownLive = (why: string): string => `The deploy hook ${what}; whether ${this.shortRef(this.image.digest)} went live is unknown: ${why}`;
    if (!healthUrl) return this.unknown(`${story}.`, unknownLive('no `health-url`'));
    if (!commitIn(healthExpect, this.context.event.sha)) {
      const message = `${story}. \`health-url\` cannot tell whether it went live: \`health-expect\` does not contain this commit's sha.`;
      return this.unknown(message, unknownLive("`health-expect` does not name this commit's sha"));
    }
    this.log.write(`Polling ${healthUrl} for "${healthExpect}" to learn whether the new image went live.`);
    const health = await waitHealthy(this.calls, healthExpect);
    if (health.healthy) return this.healthy(health, `the deploy hook ${what}, but the app reports the new image`);
    const seen = health.refused ?? `${healthUrl} ${health.last} after ${formatDuration(health.ms)}`;
    return this.unknown(`${story}; ${seen}.`, unknownLive(health.refused ? '`health-url` is refused' : `the app did not report it (${health.last})`));
  }

  /** The new image passed the health check: move the healthy tag to it. */
  private async healthy(health: HealthResult, note?: string): Promise<DeployOutcome> {
    const marked = await this.tag.move(this.image.digest);
    const after = `after ${formatDuration(health.ms)}`;
    const headline = `deployed ${this.shortRef(this.image.digest)}; ${note ? `${note} ${after}` : `healthy ${after}`}`;
    const details = [`Deployed ${this.reference}: ${this.config.healthUrl} ${health.last} after ${health.polls} poll${health.polls > 1 ? 's' : ''}.`];
    if (note) details.push(`${note.charAt(0).toUpperCase()}${note.slice(1)}.`);
    if (marked) return this.done('success', headline, details);
    this.calls.reporter.warning(this.mask(`Could not tag ${this.image.repository}:${HEALTHY_TAG}; a later failed deploy cannot roll back to this image.`));
    return this.done('warning', `${headline}; could not move the ${HEALTHY_TAG} tag`, [
      ...details,
      `Moving ${this.image.repository}:${HEALTHY_TAG} to this digest failed, so a later rollback would return to an older image:\n${this.log.tail(5)}`
    ]);
  }

  /**
   * What the old image must report. A `health-expect` naming this run's commit would fail any older
   * image, so the old image's own revision (its OCI label) takes the commit's place.
   * `identifies`: whether the expectation tells the old image from the new one.
   */
  private rollbackExpect(revision: string | undefined): { expect?: string; identifies: boolean } {
    const { healthExpect } = this.config;
    const { sha } = this.context.event;
    if (!commitIn(healthExpect, sha)) return { expect: healthExpect, identifies: false };
    const back = rollbackExpect(healthExpect, sha, revision);
    if (back.unknownRevision)
      this.log.write('The rollback is verified by a 2xx from health-url alone: the previous image does not say which commit it was built from.');
    else this.log.write(`The rollback expects "${back.expect}": the previous image's revision in place of this commit.`);
    return { expect: back.expect, identifies: !back.unknownRevision };
  }

  private shortRef(digest: string): string {
    return `${this.image.repository}@${shortDigest(digest)}`;
  }

  private async done(status: StageResult['status'], headline: string, details: string[]): Promise<DeployOutcome> {
    await this.record.end('success', headline);
    const all = [...details.map(this.mask), ...this.record.recorded];
    return {
      stage: { name: 'deploy', status, durationMs: Date.now() - this.started, headline: this.mask(headline), details: all },
      log: this.log,
      deployed: true,
      rolledBack: false
    };
  }

  /** A deploy that did not go live; its Deployment fails with the headline (unless already ended). */
  private async failed(message: string, headline?: string, rolledBack = false): Promise<DeployOutcome> {
    const outcome = deployFailed(this.log, this.started, this.mask(message), rolledBack, headline && this.mask(headline));
    await this.record.end('failure', outcome.stage.headline);
    outcome.stage.details!.push(...this.record.recorded);
    return outcome;
  }

  /** The hook may or may not have deployed the new image and nothing can tell: its Deployment is an `error`. */
  private async unknown(message: string, description: string): Promise<DeployOutcome> {
    await this.record.end('error', description);
    return this.failed(message);
  }
}

type HookFailure = Exclude<HookResult, { ok: true }>;

/** A hook call that failed or was refused, as a sentence. */
function hookFailure(result: HookFailure): string {
  return result.problem === 'refused' ? `Input \`deploy-hook\` is refused: ${result.message}` : `The deploy hook failed: ${result.message}`;
}

function rollbackFailure(result: HookFailure): string {
  if (result.problem === 'refused') return `input \`deploy-hook\` is refused: ${result.message}`;
  const notRetried = result.problem === 'unanswered' ? '; it may or may not have started the rollback (not retried, to avoid a second deploy)' : '';
  return `the deploy hook ${result.message}${notRetried}`;
}
