// Notify stage, the run's very last: decide the one event to announce, render it once, send it to
// every target at once. A notification never changes the run's result: each target that cannot be
// reached is one warning naming it (its keys masked), and nothing here throws.
//
// Whether this run is a recovery is told by a marker in the cache (outcome-marker.ts), not by the
// GitHub API's workflow runs: it needs no token or `actions: read`, works the same from the CLI, and
// records this job's own result (the API's conclusion is the whole workflow's, so another job's
// failure would turn a green run of this one into a "recovery").
import type { Config } from '../config.js';
import type { Ports, RunContext } from '../context.js';
import { describeError } from '../errors.js';
import type { Report } from '../model.js';
import { buildNotice, chooseKind } from '../notify/notice.js';
import { secretsOfWebhook, shownTarget } from '../notify/targets.js';
import type { StageLog } from '../stage-log.js';
import { Secrets } from '../trust/secrets.js';
import { secretsOfUrl } from './deploy-plan.js';
import { deliver, mailSender } from './notify-delivery.js';
import { previousOutcome, recordOutcome } from './outcome-marker.js';

export async function notify(config: Config, context: RunContext, ports: Ports, report: Report, log: StageLog): Promise<void> {
  if (config.notify.length === 0) return;
  if (context.event.untrusted) {
    log.write(`No notification is sent: this is ${context.event.untrusted}.`);
    return;
  }
  const secrets = new Secrets();
  for (const target of config.notify) if (target.kind === 'webhook') secretsOfWebhook(target.url).forEach((secret) => secrets.add(secret));
  if (config.smtpUrl) secretsOfUrl(config.smtpUrl).forEach((secret) => secrets.add(secret));
  const mask = (text: string): string => secrets.mask(text);
  try {
    const asksRecovery = config.notifyOn.includes('recovery');
    const previous = asksRecovery ? await previousOutcome(config, context, ports, log) : undefined;
    if (asksRecovery) await recordOutcome(config, context, ports, report.result, log);
    const kind = chooseKind({ ...report, previous, scheduledOutput: report.scheduled !== undefined }, config.notifyOn);
    if (!kind) {
      log.write(`Nothing to announce: notify-on is ${config.notifyOn.join(', ') || 'empty'}.`);
      return;
    }
    const { event } = context;
    const notice = buildNotice({
      kind,
      report,
      event,
      deployUrl: config.environmentUrl ?? (config.healthUrl ? new URL(config.healthUrl).origin : undefined),
      output: report.scheduled ? { command: report.scheduled.command, text: report.scheduled.output } : undefined
    });
    log.write(`Announcing: ${notice.headline}`);
    const mail = { smtpUrl: config.smtpUrl, from: mailSender(config.smtpUrl, config.mailFrom) };
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.all(
      config.notify.map(async (target) => {
        const delivery = await deliver(target, notice, { http: ports.http, mailer: ports.mailer, sleep }, mail);
        const name = mask(shownTarget(target));
        if (delivery.ok) log.write(`Sent to ${name}${delivery.attempts > 1 ? ` (attempt ${delivery.attempts})` : ''}`);
        else ports.reporter.warning(`Notification to ${name} failed: ${mask(delivery.problem)}. The run's result is unchanged.`);
      })
    );
  } catch (error) {
    ports.reporter.warning(`Notifications failed: ${mask(describeError(error))}. The run's result is unchanged.`);
  }
}
