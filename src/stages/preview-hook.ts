// The preview hook call: a JSON body signed as GitHub signs its webhooks (HMAC-SHA256 of the exact bytes
// sent, hex, in X-Slipway-Signature-256), retried as the deploy hook is: only when the request provably
// did not arrive, or the host answered 408, 429 or 5xx. The URL is a secret: no message is built from it.
import { createHmac, randomUUID } from 'node:crypto';
import { describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import { HttpError, type Http, type HttpResponse } from '../ports.js';
import { nextDelay } from '../retry.js';
import type { StageLog } from '../stage-log.js';

export const SIGNATURE_HEADER = 'X-Slipway-Signature-256';

/** `sha256=<hex of HMAC-SHA256(secret, body)>`: what a receiver recomputes over the raw body it got. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The request's headers: the signature, the action, and one delivery id shared by the retries of one call (receivers may drop repeats). */
export function previewHeaders(secret: string, body: string, action: string, delivery: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Slipway',
    [SIGNATURE_HEADER]: signature(secret, body),
    'X-Slipway-Event': `preview.${action}`,
    'X-Slipway-Delivery': delivery
  };
}

export type PreviewHookResult = { ok: true; body: string } | { ok: false; problem: 'failed' | 'unanswered' | 'refused'; message: string };

export interface PreviewHookCaller {
  http: Http;
  log: StageLog;
  mask: (text: string) => string;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
}

/** POSTs `body` to `hook`, signed with `secret`; returns the answer's body on a 2xx. */
export async function callPreviewHook(caller: PreviewHookCaller, hook: string, secret: string, action: string, body: string): Promise<PreviewHookResult> {
  const { log, mask } = caller;
  const headers = previewHeaders(secret, body, action, randomUUID());
  const what = `POST preview hook (${action})`;
  for (let attempt = 1; ; attempt++) {
    const sent = Date.now();
    let response: HttpResponse | undefined;
    let problem: string;
    try {
      response = await caller.http.request('POST', hook, { body, headers, timeoutMs: caller.timeoutMs, redirects: 'same-origin', refuseLinkLocal: true });
      if (response.status >= 200 && response.status <= 299) {
        log.write(mask(`${what}: ${response.status} in ${formatDuration(Date.now() - sent)}`));
        return { ok: true, body: response.body };
      }
      const first = response.body.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
      problem = `answered ${response.status}${first ? `: ${first.trim().slice(0, 200)}` : ''}`;
    } catch (error) {
      if (error instanceof HttpError && error.failure === 'refused') {
        log.write(mask(`${what}: refused: ${error.message}`));
        return { ok: false, problem: 'refused', message: mask(error.message) };
      }
      if (!(error instanceof HttpError && !error.sent)) {
        const silent =
          error instanceof HttpError && error.failure === 'timeout'
            ? `did not answer within ${caller.timeoutMs / 1000} s`
            : `gave no answer (${describeError(error)})`;
        log.write(mask(`${what}: ${silent} (attempt ${attempt}); not retried: it may have acted on the call`));
        return { ok: false, problem: 'unanswered', message: mask(silent) };
      }
      problem = `could not be reached: ${describeError(error)}`;
    }
    problem = mask(problem);
    const delay = nextDelay(attempt, response ? response.status : 'network-error', { retryAfter: response?.headers['retry-after'] });
    log.write(`${what}: ${problem} (attempt ${attempt})${delay === undefined ? '' : `; retrying in ${formatDuration(delay)}`}`);
    if (delay === undefined) return { ok: false, problem: 'failed', message: `${problem}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}` };
    await caller.sleep(delay);
  }
}
