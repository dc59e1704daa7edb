// Sending one notification to one target: a webhook POST or a mail, retried with the one retry
// policy (bounded here to seconds) while the target says "later" (429, 5xx) or cannot be reached,
// never after it said no (4xx). The result is a line for the log, or the problem for one warning.
import { describeError } from '../errors.js';
import { MailError, type Http, type Mailer } from '../ports.js';
import { chatBody, mailBody } from '../notify/render.js';
import type { Notice } from '../notify/notice.js';
import type { NotifyTarget } from '../notify/targets.js';
import { nextDelay, type RetryPolicy } from '../retry.js';

/** A few tries within seconds: a notification is worth waiting for, never worth holding up the job. */
export const NOTIFY_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 4000, maxRetryAfterMs: 10_000 };
const REQUEST_TIMEOUT_MS = 10_000;

export interface DeliveryPorts {
  http: Http;
  mailer?: Mailer;
  sleep: (ms: number) => Promise<void>;
}

export interface MailSettings {
  smtpUrl?: string;
  from: string;
}

export type Delivery = { ok: true; attempts: number } | { ok: false; attempts: number; problem: string };

/** One try's outcome: delivered, or why not and whether another try may help (with a server's Retry-After). */
type Attempt = { ok: true } | { ok: false; problem: string; retry: number | 'network-error' | false; retryAfter?: string };

export async function deliver(target: NotifyTarget, notice: Notice, ports: DeliveryPorts, mail: MailSettings): Promise<Delivery> {
  const once = target.kind === 'webhook' ? () => postWebhook(target, notice, ports.http) : () => sendMail(target.to, notice, ports.mailer, mail);
  for (let attempt = 1; ; attempt++) {
    const outcome = await once();
    if (outcome.ok) return { ok: true, attempts: attempt };
    const delay = outcome.retry === false ? undefined : nextDelay(attempt, outcome.retry, { retryAfter: outcome.retryAfter, policy: NOTIFY_RETRY });
    if (delay === undefined) return { ok: false, attempts: attempt, problem: `${outcome.problem}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}` };
    await ports.sleep(delay);
  }
}

async function postWebhook(target: Extract<NotifyTarget, { kind: 'webhook' }>, notice: Notice, http: Http): Promise<Attempt> {
  try {
    const response = await http.request('POST', target.url, {
      timeoutMs: REQUEST_TIMEOUT_MS,
      body: JSON.stringify(chatBody[target.format](notice)),
      headers: { 'content-type': 'application/json; charset=utf-8' },
      redirects: 'same-origin',
      refuseLinkLocal: true
    });
    if (response.status >= 200 && response.status <= 299) return { ok: true };
    const said = response.body.split(/\r?\n/)[0]!.trim().slice(0, 200);
    return { ok: false, problem: `answered ${response.status}${said ? `: ${said}` : ''}`, retry: response.status, retryAfter: response.headers['retry-after'] };
  } catch (error) {
    return { ok: false, problem: `could not be reached: ${describeError(error)}`, retry: 'network-error' };
  }
}

async function sendMail(to: string[], notice: Notice, mailer: Mailer | undefined, mail: MailSettings): Promise<Attempt> {
  // config.ts requires smtp-url with any mailto: target; a CLI or test without a mailer says so.
  if (!mailer || !mail.smtpUrl) return { ok: false, problem: 'no mail can be sent from here', retry: false };
  try {
    await mailer.send(mail.smtpUrl, { from: mail.from, to, ...mailBody(notice) });
    return { ok: true };
  } catch (error) {
    const retryable = error instanceof MailError && error.retryable;
    return { ok: false, problem: `was not sent: ${describeError(error)}`, retry: retryable ? 'network-error' : false };
  }
}

/** The sender: mail-from, else the SMTP user when it is an address, else slipway@ the server's host. */
export function mailSender(smtpUrl: string | undefined, mailFrom: string | undefined): string {
  if (mailFrom) return mailFrom;
  if (!smtpUrl) return 'slipway@localhost';
  const url = new URL(smtpUrl);
  const user = decodeURIComponent(url.username);
  return user.includes('@') ? user : `slipway@${url.hostname}`;
}
