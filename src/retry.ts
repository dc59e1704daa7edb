// The one retry policy for network calls: which outcomes are worth another attempt, and how long to
// wait before it (exponential backoff with jitter, a server's Retry-After honoured up to a cap). Pure.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this. */
  maxRetryAfterMs: number;
}

export const retryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000
};

export interface DelayOptions {
  /** The Retry-After header of the response, when there was one. */
  retryAfter?: string | null;
  policy?: RetryPolicy;
  /** Returns [0, 1); Math.random by default. Tests pass a fixed one. */
  random?: () => number;
  /** For Retry-After given as an HTTP date. */
  now?: number;
}

/** Whether a response status (or a network failure) is worth another attempt. */
export function isRetryable(status: number | 'network-error'): boolean {
  if (status === 'network-error') return true;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === undefined || header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Milliseconds to wait before the next attempt, or undefined to stop: after `attempt` attempts
 * (1 = the first one failed) with the given outcome. Network errors, 408, 429 and 5xx are retried with
 * exponential backoff and jitter (half fixed, half random); a 429's Retry-After (seconds or an HTTP
 * date) is honoured, capped; any other status is final.
 */
export function nextDelay(attempt: number, status: number | 'network-error', options: DelayOptions = {}): number | undefined {
  const policy = options.policy ?? retryPolicy;
  if (!isRetryable(status) || attempt >= policy.maxAttempts) return undefined;
  const random = options.random ?? Math.random;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(backoff / 2 + (backoff / 2) * random());
  if (status === 429 || status === 503) {
    const asked = retryAfterMs(options.retryAfter, options.now ?? Date.now());
    if (asked !== undefined) return Math.min(policy.maxRetryAfterMs, Math.max(asked, 0));
  }
  return jittered;
}
