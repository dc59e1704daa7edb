// The health check: poll `health-url` until it answers 2xx (with the expected text in the body) or
// `health-timeout` passes. Redirects to another origin and link-local destinations are refused, and
// a refusal ends the polling at once: waiting would not change it.
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import { HttpError, type Http } from '../ports.js';
import type { StageLog } from '../stage-log.js';
import { healthPollDelays, isHealthy } from './deploy-plan.js';

const HEALTH_REQUEST_TIMEOUT_MS = 10_000;

export interface HealthResult {
  healthy: boolean;
  polls: number;
  ms: number;
  /** What the last poll saw, e.g. `answered 503`. */
  last: string;
  /** Set when `health-url` itself is refused (then `healthy` is false and nothing can verify a deploy). */
  refused?: string;
}

export interface HealthPoller {
  config: Config;
  http: Http;
  log: StageLog;
  mask: (text: string) => string;
  sleep: (ms: number) => Promise<void>;
}

/** Polls health-url on the healthPollDelays schedule until its body contains `expect` (any 2xx when undefined) or the time is up. */
export async function waitHealthy(poller: HealthPoller, expect: string | undefined): Promise<HealthResult> {
  const { healthUrl, healthTimeoutSeconds } = poller.config;
  const timeoutMs = healthTimeoutSeconds * 1000;
  const delays = healthPollDelays(timeoutMs);
  const began = Date.now();
  let polls = 0;
  let slept = 0; // with a fake sleep (tests) the wall clock does not move
  for (let i = 0; ; i++) {
    polls++;
    let healthy = false;
    let last: string;
    let refused: string | undefined;
    try {
      const response = await poller.http.request('GET', healthUrl!, {
        timeoutMs: Math.min(HEALTH_REQUEST_TIMEOUT_MS, timeoutMs),
        redirects: 'same-origin',
        refuseLinkLocal: true
      });
      healthy = isHealthy(response.status, response.body, expect);
      last =
        response.status >= 200 && response.status <= 299 && !healthy
          ? `answered ${response.status}, but its body does not contain "${expect}"`
          : `answered ${response.status}`;
    } catch (error) {
      if (error instanceof HttpError && error.failure === 'refused') refused = poller.mask(`Input \`health-url\` is refused: ${error.message}`);
      last = refused ? 'is refused' : `could not be reached (${describeError(error)})`;
    }
    last = poller.mask(last);
    poller.log.write(`GET ${healthUrl}: ${refused ?? last} (poll ${polls}, ${formatDuration(Date.now() - began)})`);
    if (healthy || refused || i >= delays.length) return { healthy, polls, ms: Math.max(Date.now() - began, slept), last, refused };
    await poller.sleep(delays[i]!);
    slept += delays[i]!;
  }
}
