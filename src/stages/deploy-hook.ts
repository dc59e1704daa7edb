// The deploy hook call. Every call may start a deploy, so a call is repeated only when the request
// provably did not reach the host (connection refused, DNS failure, reset before it was sent) or the
// host answered 408, 429 or 5xx. A call that was sent and got no answer is never repeated.
// The hook URL is a secret: no message here is built from it (the caller masks them all the same).
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import { HttpError, type Http, type HttpResponse } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { nextDelay } from '../retry.js';
import { hookRequest } from './deploy-plan.js';

/**
 * 30 s. The host's SLIPWAY_TEST_HOOK_TIMEOUT_SECONDS shortens it (`hookTimeoutMs`): the end-to-end
 * tests of a hook that never answers set it, so they need not wait 30 s. Not an input: users have no
 * reason to change it.
 */
export const HOOK_TIMEOUT_MS = 30_000;

/**
 * `failed`: the host said no, or never got the call. `unanswered`: the host may have received the call
 * (and started a deploy); it was not repeated. `refused`: Slipway would not send it there.
 */
export type HookResult = { ok: true } | { ok: false; problem: 'failed' | 'unanswered' | 'refused'; message: string };

export interface HookCaller {
  config: Config;
  http: Http;
  log: StageLog;
  mask: (text: string) => string;
  sleep: (ms: number) => Promise<void>;
  hookTimeoutMs: number;
}

/** POSTs `imageRef` to the deploy hook; retries only what cannot have reached the host, 408, 429 and 5xx. */
export async function callHook(caller: HookCaller, imageRef: string): Promise<HookResult> {
  const { config, log, mask } = caller;
  // The URL was checked in config.ts.
  const request = hookRequest(config.deployHook!, config.deployHookImageParam, imageRef);
  const param = config.deployHookImageParam ? ` (${config.deployHookImageParam}=${imageRef})` : '';
  for (let attempt = 1; ; attempt++) {
    const sent = Date.now();
    let response: HttpResponse | undefined;
    let problem: string;
    try {
      response = await caller.http.request(request.method, request.url, { timeoutMs: caller.hookTimeoutMs, redirects: 'same-origin', refuseLinkLocal: true });
      if (response.status >= 200 && response.status <= 299) {
        log.write(`POST deploy hook${param}: ${response.status} in ${formatDuration(Date.now() - sent)}${deployId(response.body)}`);
        return { ok: true };
      }
      problem = `answered ${response.status}${firstLine(response.body) ? `: ${firstLine(response.body)}` : ''}`;
    } catch (error) {
      if (error instanceof HttpError && error.failure === 'refused') {
        log.write(mask(`POST deploy hook${param}: refused: ${error.message}`));
        return { ok: false, problem: 'refused', message: mask(error.message) };
      }
      // An error that does not say whether the request went out counts as sent.
      const notSent = error instanceof HttpError && !error.sent;
      if (!notSent) {
        const what =
          error instanceof HttpError && error.failure === 'timeout'
            ? `did not answer within ${caller.hookTimeoutMs / 1000} s`
            : `gave no answer (${describeError(error)})`;
        log.write(mask(`POST deploy hook${param}: ${what} (attempt ${attempt}); not retried: it may have started a deploy`));
        return { ok: false, problem: 'unanswered', message: mask(what) };
      }
      problem = `could not be reached: ${describeError(error)}`;
    }
    problem = mask(problem);
    const delay = nextDelay(attempt, response ? response.status : 'network-error', { retryAfter: response?.headers['retry-after'] });
    log.write(`POST deploy hook${param}: ${problem} (attempt ${attempt})${delay === undefined ? '' : `; retrying in ${formatDuration(delay)}`}`);
    if (delay === undefined) return { ok: false, problem: 'failed', message: `${problem}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}` };
    await caller.sleep(delay);
  }
}

/** Render answers `{"deploy":{"id":"dep-…"}}`; the id is worth a log line. */
function deployId(body: string): string {
  try {
    const id = (JSON.parse(body) as { deploy?: { id?: unknown } }).deploy?.id;
    return typeof id === 'string' ? ` (deploy ${id})` : '';
  } catch {
    return '';
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}
