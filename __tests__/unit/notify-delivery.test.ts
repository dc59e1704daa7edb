import { describe, expect, test } from '@jest/globals';
import { HttpError, MailError, type Http, type HttpResponse, type Mailer } from '../../src/ports.js';
import { buildNotice } from '../../src/notify/notice.js';
import type { NotifyTarget } from '../../src/notify/targets.js';
import { deliver, mailSender } from '../../src/stages/notify-delivery.js';
import { outcomePrefix, resultOfKey } from '../../src/stages/outcome-marker.js';

const notice = buildNotice({
  kind: 'failure',
  report: { result: 'failure', durationMs: 1, cacheHit: false, stages: [{ name: 'test', status: 'failure', durationMs: 1, headline: 'x' }] },
  event: { repository: 'acme/shop', ref: 'refs/heads/main', sha: 'abc1234' }
});
const SLACK: NotifyTarget = { kind: 'webhook', format: 'slack', url: 'https://hooks.slack.com/services/T1/B2/K3' };
const MAIL: NotifyTarget = { kind: 'mail', to: ['ops@example.com'] };

/** An Http answering each request with the next of `answers` (a status, or a network failure). */
function scripted(answers: (number | 'down')[]): Http & { calls: number } {
  const http = {
    calls: 0,
    async request(): Promise<HttpResponse> {
      const answer = answers[http.calls++] ?? 200;
      if (answer === 'down') throw new HttpError('connect ECONNREFUSED 127.0.0.1:9', 'network', false);
      return { status: answer, headers: {}, body: answer >= 400 ? 'nope' : 'ok' };
    }
  };
  return http;
}

const sleep = async (): Promise<void> => undefined;

describe('webhook delivery', () => {
  test.each<[string, (number | 'down')[], boolean, number]>([
    ['delivered at once', [200], true, 1],
    ['Discord answers 204', [204], true, 1],
    ['a 500, then delivered', [500, 200], true, 2],
    ['a 429, then delivered', [429, 200], true, 2],
    ['unreachable, then delivered', ['down', 200], true, 2],
    ['a 404 is final', [404], false, 1],
    ['a 400 is final', [400], false, 1],
    ['5xx every time: three tries', [503, 502, 500, 200], false, 3],
    ['unreachable every time: three tries', ['down', 'down', 'down'], false, 3]
  ])('%s', async (_, answers, ok, attempts) => {
    const http = scripted(answers);
    const delivery = await deliver(SLACK, notice, { http, sleep }, { from: 'ci@example.com' });
    expect(delivery).toMatchObject({ ok, attempts });
    expect(http.calls).toBe(attempts);
  });

  test('the problem says what the target answered', async () => {
    expect(await deliver(SLACK, notice, { http: scripted([404]), sleep }, { from: 'x@example.com' })).toEqual({
      ok: false,
      attempts: 1,
      problem: 'answered 404: nope'
    });
  });
});

describe('mail delivery', () => {
  const mailer = (errors: (MailError | undefined)[]): Mailer & { sent: number } => {
    const m = {
      sent: 0,
      async send(): Promise<void> {
        const error = errors[m.sent++];
        if (error) throw error;
      }
    };
    return m;
  };
  const settings = { smtpUrl: 'smtp://u:p@127.0.0.1:25', from: 'ci@example.com' };

  test.each<[string, (MailError | undefined)[], boolean, number]>([
    ['accepted', [undefined], true, 1],
    ['a 4xx, then accepted', [new MailError('421 busy', true), undefined], true, 2],
    ['a refused login is final', [new MailError('535 auth failed', false)], false, 1]
  ])('%s', async (_, errors, ok, attempts) => {
    const m = mailer(errors);
    expect(await deliver(MAIL, notice, { http: scripted([]), mailer: m, sleep }, settings)).toMatchObject({ ok, attempts });
  });

  test.each([
    [undefined, undefined, 'slipway@localhost'],
    ['smtp://bot%40acme.com:pw@mail.acme.com:587', undefined, 'bot@acme.com'],
    ['smtp://apikey:pw@smtp.sendgrid.net:587', undefined, 'slipway@smtp.sendgrid.net'],
    ['smtp://apikey:pw@smtp.sendgrid.net:587', 'Shop CI <ci@acme.com>', 'Shop CI <ci@acme.com>']
  ])('sender of %s with mail-from %s: %s', (smtpUrl, mailFrom, sender) => {
    expect(mailSender(smtpUrl, mailFrom)).toBe(sender);
  });
});

describe('the outcome marker', () => {
  test.each([
    ['CI', 'build', 'refs/heads/main', 'slipway-outcome-v1-linux-CI-build-main-'],
    ['Nightly, reports', 'daily', 'refs/heads/feature/x', 'slipway-outcome-v1-linux-Nightly__reports-daily-feature/x-'],
    [undefined, undefined, 'refs/pull/7/merge', 'slipway-outcome-v1-linux-local-local-refs/pull/7/merge-']
  ])('workflow %s, job %s, %s', (workflow, job, ref, prefix) => {
    expect(
      outcomePrefix('v1', { os: 'linux', event: { name: 'push', ref, sha: '', defaultBranch: 'main', repository: '', serverUrl: '', workflow, job } })
    ).toBe(prefix);
  });

  test.each([
    ['slipway-outcome-v1-linux-CI-build-main-1700000000000-failure', 'failure'],
    ['slipway-outcome-v1-linux-CI-build-main-1700000000000-success', 'success'],
    ['slipway-outcome-v1-linux-CI-build-main-', undefined],
    [undefined, undefined]
  ])('%s records %s', (key, result) => {
    expect(resultOfKey(key)).toBe(result);
  });
});
