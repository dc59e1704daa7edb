// Pure decisions of the deploy stage: the hook request, what to mask, how to poll health.
// No I/O here. The hook URL is a secret (Render's carries its key): no message built here contains it.

export interface HookRequest {
  url: string;
  method: 'POST';
}

const INVALID_HOOK =
  'Input `deploy-hook`: is not a valid http(s) URL; expected something like ' +
  'https://api.render.com/deploy/srv-…?key=… (the value is a secret, so it is not shown here).';

function parseHook(hookUrl: string): URL {
  let url: URL;
  try {
    url = new URL(hookUrl.trim());
  } catch {
    throw new Error(INVALID_HOOK);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(INVALID_HOOK);
  if (url.hostname === '') throw new Error(INVALID_HOOK);
  return url;
}

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/**
 * The request that triggers a deploy: POST to the hook, with `imageRef` (`repo@sha256:…`) URL-encoded
 * into the query parameter `imageParam` when both are given. An existing parameter of that name is
 * replaced in place; every other part of the URL is kept byte for byte.
 * Throws an error naming the `deploy-hook` input, never containing the URL, when the URL is invalid.
 */
export function hookRequest(hookUrl: string, imageParam: string | undefined, imageRef: string | undefined): HookRequest {
  parseHook(hookUrl);
  const raw = hookUrl.trim();
  const param = imageParam?.trim();
  if (!param || !imageRef) return { url: raw, method: 'POST' };

  // Work on the raw string so the other parameters keep their exact encoding.
  const hashAt = raw.indexOf('#');
  const beforeHash = hashAt < 0 ? raw : raw.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : raw.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);

  const pair = `${encodeURIComponent(param)}=${encodeURIComponent(imageRef)}`;
  const parts: string[] = [];
  let placed = false;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const name = decodeComponent(part.split('=', 1)[0]!);
    if (name === param) {
      if (!placed) parts.push(pair);
      placed = true;
    } else {
      parts.push(part);
    }
  }
  if (!placed) parts.push(pair);
  return { url: `${base}?${parts.join('&')}${hash}`, method: 'POST' };
}

const MIN_SECRET_LENGTH = 4;

/**
 * The strings to mask for a secret URL: the URL itself (as given and as normalised), every query
 * value (raw and decoded), the userinfo (password; the user name too when it stands alone, as tokens
 * do), and the service id after `/deploy/` (Render hooks). Values shorter than 4 characters are left
 * out: masking `1` would blank every digit of the log, and such a value hides nothing.
 * Longest first, so a masker that replaces in order never leaves a piece of a longer secret.
 */
export function secretsOfUrl(url: string): string[] {
  const secrets = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value === undefined) return;
    for (const candidate of [value, decodeComponent(value)]) {
      if (candidate.trim().length >= MIN_SECRET_LENGTH) secrets.add(candidate);
    }
  };
  const raw = url.trim();
  if (raw !== '') secrets.add(raw);
  if (url !== raw && url !== '') secrets.add(url);

  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed) {
    if (parsed.href !== raw) secrets.add(parsed.href);
    add(parsed.password);
    if (parsed.password === '') add(parsed.username);
    for (const [, value] of parsed.searchParams) add(value);
  }

  // From the raw text too, so an unparseable or oddly encoded URL still has its pieces masked.
  const query = raw.split('#', 1)[0]!.split('?').slice(1).join('?');
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    if (equals >= 0) add(part.slice(equals + 1));
  }
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(raw);
  if (userinfo) {
    const [user, password] = userinfo[1]!.split(/:(.*)/s);
    if (password !== undefined && password !== '') add(password);
    else add(user);
  }
  const render = /\/deploy\/([^/?#]+)/.exec(raw);
  if (render) add(render[1]);

  return [...secrets].sort((a, b) => b.length - a.length);
}

// ---------------------------------------------------------------------------------------------------
// Health check

export interface HealthSchedule {
  initialMs?: number;
  maxMs?: number;
}

/**
 * Waits between health polls: 1 s, 2 s, 4 s, 8 s, then 15 s each, adding up to no more than the
 * timeout (the last wait is shortened so a final poll lands at the deadline). The first poll happens
 * at once, before the first wait.
 */
export function healthPollDelays(timeoutMs: number, schedule: HealthSchedule = {}): number[] {
  const initial = schedule.initialMs ?? 1000;
  const max = schedule.maxMs ?? 15_000;
  const delays: number[] = [];
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return delays;
  let total = 0;
  let next = initial;
  while (total + next <= timeoutMs) {
    delays.push(next);
    total += next;
    next = Math.min(max, next * 2);
  }
  const rest = timeoutMs - total;
  if (rest >= Math.min(250, initial)) delays.push(rest);
  return delays;
}

/** A health check passes on a 2xx whose body contains `expect` (when given). */
export function isHealthy(status: number, body: string, expect?: string): boolean {
  if (status < 200 || status > 299) return false;
  if (expect === undefined || expect === '') return true;
  return body.includes(expect);
}

/**
 * The part of `health-expect` that names the run's commit: the longest prefix of `sha`, 7 characters
 * or more, that it contains. Undefined when it names no commit (then health cannot tell images apart).
 */
export function commitIn(healthExpect: string | undefined, sha: string): string | undefined {
  if (!healthExpect) return undefined;
  for (let length = sha.length; length >= 7; length--) {
    if (healthExpect.includes(sha.slice(0, length))) return sha.slice(0, length);
  }
  return undefined;
}

/**
 * What the image rolled back to must report. A `health-expect` naming the run's commit expects the
 * previous image's own revision instead, cut to the same length; without that revision there is
 * nothing to expect (a 2xx alone verifies, `unknownRevision`). Any other `health-expect` applies as is.
 */
export function rollbackExpect(
  healthExpect: string | undefined,
  sha: string,
  previousRevision: string | undefined
): { expect?: string; unknownRevision: boolean } {
  const commit = commitIn(healthExpect, sha);
  if (!commit) return { expect: healthExpect, unknownRevision: false };
  if (!previousRevision) return { expect: undefined, unknownRevision: true };
  return { expect: healthExpect!.split(commit).join(previousRevision.slice(0, commit.length)), unknownRevision: false };
}
