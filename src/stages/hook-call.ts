// One call of a hook that may act on it (start a deploy, create or destroy a preview). It is repeated
// only when the request provably did not reach the host (connection refused, DNS failure, reset
// before it was sent) or the host answered 408, 429 or 5xx; a call that was sent and got no answer
// is never repeated. The URL is a secret: no message here is built from it.
import { describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import { HttpError, type Http, type HttpResponse } from '../ports.js';
import { nextDelay } from '../retry.js';
import type { StageLog } from '../stage-log.js';

/**
 * `failed`: the host said no, or never got the call. `unanswered`: the host may have received the call
 * (and acted on it); it was not repeated. `refused`: Slipway would not send it there.
 */
export type HookFailure = { ok: false; problem: 'failed' | 'unanswered' | 'refused'; message: string };

export interface HookPorts {
  http: Http;
  log: StageLog;
  mask: (text: string) => string;
  sleep: (ms: number) => Promise<void>;
}

export interface HookCall {
  /** How the log names the call: `POST deploy hook (image=…)`. */
  what: string;
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Why an unanswered call is not repeated: `it may have started a deploy`. */
  mayHave: string;
}

/** The host's 2xx answer and how long it took, or why there was none. */
export async function callActingHook(ports: HookPorts, call: HookCall): Promise<{ ok: true; response: HttpResponse; ms: number } | HookFailure> {
  const { log, mask } = ports;
  for (let attempt = 1; ; attempt++) {
    const sent = Date.now();
    let response: HttpResponse | undefined;
    let problem: string;
    try {
      const options = { body: call.body, headers: call.headers, timeoutMs: call.timeoutMs, redirects: 'same-origin' as const, refuseLinkLocal: true };
      response = await ports.http.request(call.method, call.url, options);
      if (response.status >= 200 && response.status <= 299) return { ok: true, response, ms: Date.now() - sent };
      problem = `answered ${response.status}${firstLine(response.body) ? `: ${firstLine(response.body)}` : ''}`;
    } catch (error) {
      if (error instanceof HttpError && error.failure === 'refused') {
        log.write(mask(`${call.what}: refused: ${error.message}`));
        return { ok: false, problem: 'refused', message: mask(error.message) };
      }
      // An error that does not say whether the request went out counts as sent.
      if (!(error instanceof HttpError && !error.sent)) {
        const silent =
          error instanceof HttpError && error.failure === 'timeout'
            ? `did not answer within ${call.timeoutMs / 1000} s`
            : `gave no answer (${describeError(error)})`;
        log.write(mask(`${call.what}: ${silent} (attempt ${attempt}); not retried: ${call.mayHave}`));
        return { ok: false, problem: 'unanswered', message: mask(silent) };
      }
      problem = `could not be reached: ${describeError(error)}`;
    }
    problem = mask(problem);
    const delay = nextDelay(attempt, response ? response.status : 'network-error', { retryAfter: response?.headers['retry-after'] });
    log.write(`${call.what}: ${problem} (attempt ${attempt})${delay === undefined ? '' : `; retrying in ${formatDuration(delay)}`}`);
    if (delay === undefined) return { ok: false, problem: 'failed', message: `${problem}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}` };
    await ports.sleep(delay);
  }
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}
