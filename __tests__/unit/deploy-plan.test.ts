import { isRetryable, nextDelay, retryPolicy } from '../../src/retry.js';
import { commitIn, healthPollDelays, hookRequest, isHealthy, rollbackExpect, secretsOfUrl } from '../../src/stages/deploy-plan.js';

const DIGEST_REF = `ghcr.io/acme/shop@sha256:${'ab'.repeat(32)}`;
const ENCODED_REF = `ghcr.io%2Facme%2Fshop%40sha256%3A${'ab'.repeat(32)}`;
const RENDER = 'https://api.render.com/deploy/srv-abc123XYZ?key=s3cr3tK3y';

describe('hookRequest', () => {
  test.each<[string, string, string | undefined, string | undefined, string]>([
    ['no parameter asked', RENDER, undefined, DIGEST_REF, RENDER],
    ['no image to send', RENDER, 'imgURL', undefined, RENDER],
    ['appended after the key', RENDER, 'imgURL', DIGEST_REF, `${RENDER}&imgURL=${ENCODED_REF}`],
    ['no query yet', 'https://hooks.example.com/d', 'image', DIGEST_REF, `https://hooks.example.com/d?image=${ENCODED_REF}`],
    [
      'replaces an existing one in place, keeps the rest byte for byte',
      'https://h.example/d?imgURL=old&key=a%2Bb~c&imgURL=older#frag',
      'imgURL',
      DIGEST_REF,
      `https://h.example/d?imgURL=${ENCODED_REF}&key=a%2Bb~c#frag`
    ],
    ['an encoded parameter name is matched', 'https://h.example/d?img%55RL=old', 'imgURL', 'r@sha256:1', 'https://h.example/d?imgURL=r%40sha256%3A1'],
    ['surrounding whitespace is trimmed', `  ${RENDER}\n`, undefined, undefined, RENDER]
  ])('%s', (_name, hook, param, ref, expected) => {
    const request = hookRequest(hook, param, ref);
    expect(request).toEqual({ url: expected, method: 'POST' });
    expect(() => new URL(request.url)).not.toThrow();
    if (param && ref) expect(new URL(request.url).searchParams.getAll(param)).toEqual([ref]);
  });

  test.each<[string]>([
    ['not a url key=supersecretvalue'],
    ['api.render.com/deploy/srv-supersecretvalue?key=supersecretvalue'],
    ['ftp://user:supersecretvalue@host/x'],
    ['javascript:supersecretvalue'],
    ['https://exa mple.com/supersecretvalue'],
    ['']
  ])('invalid hook %j: error names the input, never the URL', (hook) => {
    let message = '';
    try {
      hookRequest(hook, 'imgURL', DIGEST_REF);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/`deploy-hook`/);
    expect(message).not.toContain('supersecretvalue');
    if (hook !== '') expect(message).not.toContain(hook);
  });
});

describe('secretsOfUrl', () => {
  test.each<[string, string, string[]]>([
    ['Render hook', RENDER, [RENDER, 's3cr3tK3y', 'srv-abc123XYZ']],
    [
      'userinfo password and encoded query values',
      'https://deployer:p%40ss%2Fword@h.example/x?token=a%20b%2Bc&n=1',
      ['p%40ss%2Fword', 'p@ss/word', 'a%20b%2Bc', 'a b+c']
    ],
    ['lone user name is a token', 'https://ghp_tokentoken@h.example/x', ['ghp_tokentoken']],
    ['plus as space', 'https://h.example/x?k=abc+def', ['abc+def', 'abc def']],
    ['unparseable still yields its pieces', 'not a url?key=zzzzzzzz', ['not a url?key=zzzzzzzz', 'zzzzzzzz']]
  ])('%s', (_name, url, expected) => {
    const secrets = secretsOfUrl(url);
    for (const secret of expected) expect(secrets).toContain(secret);
    expect(secrets).toContain(url.trim());
    // Longest first, so masking in order never leaves part of a longer secret.
    for (let i = 1; i < secrets.length; i++) expect(secrets[i - 1]!.length).toBeGreaterThanOrEqual(secrets[i]!.length);
  });

  test('short values are not masked (masking "1" would blank every digit)', () => {
    expect(secretsOfUrl('https://h.example/x?n=1&key=longsecret')).not.toContain('1');
  });

  test.each<[string, string[]]>([
    [RENDER, ['s3cr3tK3y', 'srv-abc123XYZ']],
    ['https://u:pa%24%24word@h.example/deploy/srv-q?key=k%2Fe%2By', ['pa$$word', 'pa%24%24word', 'k/e+y', 'k%2Fe%2By', 'srv-q']]
  ])('masking with the secrets of %s leaves none in messages that quote it', (url, pieces) => {
    const mask = (text: string): string => secretsOfUrl(url).reduce((out, s) => out.split(s).join('***'), text);
    const decoded = decodeURIComponent(url);
    const messages = [
      `POST ${url} failed`,
      `calling ${new URL(url).href}`,
      `query values: ${[...new URL(url).searchParams.values()].join(', ')}`,
      `decoded: ${decoded}`,
      `password ${new URL(url).password} / ${decodeURIComponent(new URL(url).password)}`
    ];
    for (const message of messages) {
      const masked = mask(message);
      for (const piece of pieces) expect(masked).not.toContain(piece);
    }
  });
});

describe('retries', () => {
  const fixed = { random: () => 0.5 };

  test.each<[number | 'network-error', boolean]>([
    ['network-error', true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
    [200, false],
    [301, false]
  ])('%s retryable: %s', (status, retry) => {
    expect(isRetryable(status)).toBe(retry);
    expect(nextDelay(1, status, fixed) !== undefined).toBe(retry);
  });

  test.each<[number, number]>([
    [1, 750],
    [2, 1500],
    [3, 3000],
    [4, 6000]
  ])('attempt %i waits %i ms with jitter at its midpoint', (attempt, ms) => {
    expect(nextDelay(attempt, 'network-error', fixed)).toBe(ms);
  });

  test('jitter stays within half to all of the backoff', () => {
    expect(nextDelay(3, 500, { random: () => 0 })).toBe(2000);
    expect(nextDelay(3, 500, { random: () => 0.999999 })).toBe(4000);
  });

  test('bounded: no delay after the last attempt', () => {
    expect(nextDelay(retryPolicy.maxAttempts - 1, 503, fixed)).toBeDefined();
    expect(nextDelay(retryPolicy.maxAttempts, 503, fixed)).toBeUndefined();
    expect(nextDelay(99, 'network-error', fixed)).toBeUndefined();
  });

  test('backoff is capped', () => {
    const policy = { ...retryPolicy, maxAttempts: 50 };
    expect(nextDelay(30, 500, { ...fixed, policy, random: () => 0.999999 })).toBe(retryPolicy.maxDelayMs);
  });

  test.each<[string | null | undefined, number]>([
    ['7', 7000],
    [' 0 ', 0],
    ['3600', retryPolicy.maxRetryAfterMs],
    ['Wed, 01 Jan 2025 00:00:10 GMT', 10_000],
    ['Wed, 01 Jan 2024 00:00:10 GMT', 0],
    ['soon', 750],
    [null, 750],
    [undefined, 750]
  ])('429 with Retry-After %j waits %i ms', (retryAfter, ms) => {
    expect(nextDelay(1, 429, { ...fixed, retryAfter, now: Date.parse('2025-01-01T00:00:00Z') })).toBe(ms);
  });

  test('503 honours Retry-After too; 500 ignores it', () => {
    expect(nextDelay(1, 503, { ...fixed, retryAfter: '2' })).toBe(2000);
    expect(nextDelay(1, 500, { ...fixed, retryAfter: '2' })).toBe(750);
  });

  test('Retry-After does not make a final status retryable', () => {
    expect(nextDelay(1, 404, { retryAfter: '1' })).toBeUndefined();
    expect(nextDelay(retryPolicy.maxAttempts, 429, { retryAfter: '1' })).toBeUndefined();
  });
});

describe('health', () => {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

  test.each<[number, number[]]>([
    [0, []],
    [-5, []],
    [Number.NaN, []],
    [1000, [1000]],
    [2500, [1000, 1500]],
    [10_000, [1000, 2000, 4000, 3000]],
    [15_000, [1000, 2000, 4000, 8000]],
    [60_000, [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]],
    [61_000, [1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 1000]]
  ])('timeout %i ms → %j', (timeout, delays) => {
    expect(healthPollDelays(timeout)).toEqual(delays);
  });

  test.each<[number]>([[300_000], [1], [7], [12_345], [600_000]])('the schedule for %i ms fits in it and is capped', (timeout) => {
    const delays = healthPollDelays(timeout);
    expect(sum(delays)).toBeLessThanOrEqual(timeout);
    for (const delay of delays) {
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(15_000);
    }
  });

  test('300 s default ends at the deadline', () => {
    expect(sum(healthPollDelays(300_000))).toBe(300_000);
  });

  test.each<[number, string, string | undefined, boolean]>([
    [200, 'ok', undefined, true],
    [204, '', undefined, true],
    [299, '', '', true],
    [301, 'ok', undefined, false],
    [404, 'ok', undefined, false],
    [500, 'ok', undefined, false],
    [199, 'ok', undefined, false],
    [200, '{"status":"ok","version":"sha-0123456"}', 'sha-0123456', true],
    [200, '{"status":"ok","version":"sha-7654321"}', 'sha-0123456', false],
    [503, 'sha-0123456', 'sha-0123456', false]
  ])('status %i body %j expect %j → %s', (status, body, expectText, healthy) => {
    expect(isHealthy(status, body, expectText)).toBe(healthy);
  });
});

describe('what the health check expects of a rolled-back image', () => {
  const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
  const OLD = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

  test.each<[string, string | undefined, string | undefined]>([
    ['no health-expect', undefined, undefined],
    ['no sha in it', 'status: ok', undefined],
    ['the full sha', `"version":"${SHA}"`, SHA],
    ['a 7-character prefix', 'sha-3f78685', '3f78685'],
    ['the longest prefix in it', 'rev 3f786850e387 built', '3f786850e387'],
    ['6 characters name no commit', 'sha-3f7868', undefined],
    ['not a prefix of the sha', '6850e387550fd', undefined]
  ])('commitIn: %s', (_name, expectText, commit) => {
    expect(commitIn(expectText, SHA)).toBe(commit);
  });

  test.each<[string, string | undefined, string | undefined, ReturnType<typeof rollbackExpect>]>([
    ['no sha in health-expect: applies as is', 'status: ok', OLD, { expect: 'status: ok', unknownRevision: false }],
    ['no health-expect: none', undefined, OLD, { expect: undefined, unknownRevision: false }],
    ['the full sha becomes the old revision', `version=${SHA}`, OLD, { expect: `version=${OLD}`, unknownRevision: false }],
    [
      'a prefix becomes the old revision cut to its length, every occurrence',
      'sha-3f78685 (3f78685)',
      OLD,
      { expect: 'sha-a94a8fe (a94a8fe)', unknownRevision: false }
    ],
    ['no revision of the old image: a 2xx alone', `version=${SHA}`, undefined, { expect: undefined, unknownRevision: true }]
  ])('rollbackExpect: %s', (_name, expectText, revision, expected) => {
    expect(rollbackExpect(expectText, SHA, revision)).toEqual(expected);
  });
});
