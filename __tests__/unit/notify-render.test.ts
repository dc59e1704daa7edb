import { describe, expect, test } from '@jest/globals';
import type { Report, TestCase } from '../../src/model.js';
import { buildNotice, chooseKind, OUTPUT_CHARS, type NoticeKind, type PreviousResult } from '../../src/notify/notice.js';
import { chatBody, DISCORD_CONTENT_MAX, mailBody, SLACK_TEXT_MAX, TEAMS_CARD_MAX_BYTES, GCHAT_TEXT_MAX } from '../../src/notify/render.js';
import type { NotifyEvent } from '../../src/notify/targets.js';

const DEFAULT_ON: NotifyEvent[] = ['failure', 'recovery', 'rollback'];

describe('which event a run announces', () => {
  test.each<[string, Report['result'], PreviousResult, NotifyEvent[], NoticeKind | undefined]>([
    // The recovery decision table: this run's result against the previous one's.
    ['green after red', 'success', 'failure', DEFAULT_ON, 'recovery'],
    ['green after green', 'success', 'success', DEFAULT_ON, undefined],
    ['green, previous unknown', 'success', undefined, DEFAULT_ON, undefined],
    ['red after green', 'failure', 'success', DEFAULT_ON, 'failure'],
    ['red after red', 'failure', 'failure', DEFAULT_ON, 'failure'],
    ['red, previous unknown', 'failure', undefined, DEFAULT_ON, 'failure'],
    ['green after red, recovery not asked for', 'success', 'failure', ['failure'], undefined],
    ['green after red, success asked for instead', 'success', 'failure', ['success'], 'success'],
    ['green after green, success asked for', 'success', 'success', ['success'], 'success'],
    ['red, only success asked for', 'failure', undefined, ['success'], undefined]
  ])('%s', (_, result, previous, notifyOn, expected) => {
    expect(chooseKind({ result, previous, scheduledOutput: false }, notifyOn)).toBe(expected);
  });

  test.each<[string, Parameters<typeof chooseKind>[0], NotifyEvent[], NoticeKind | undefined]>([
    ['a rollback says more than the failure', { result: 'failure', rolledBack: true, previous: undefined, scheduledOutput: false }, DEFAULT_ON, 'rollback'],
    [
      'a rollback without rollback asked for is a failure',
      { result: 'failure', rolledBack: true, previous: undefined, scheduledOutput: false },
      ['failure'],
      'failure'
    ],
    ['a deploy', { result: 'success', deployed: true, previous: 'success', scheduledOutput: false }, ['deploy', 'success'], 'deploy'],
    [
      'a recovery says more than the deploy',
      { result: 'success', deployed: true, previous: 'failure', scheduledOutput: false },
      ['deploy', 'recovery'],
      'recovery'
    ],
    ['scheduled output is delivered on a green run', { result: 'success', previous: 'success', scheduledOutput: true }, DEFAULT_ON, 'scheduled'],
    ['a failed scheduled command is a failure', { result: 'failure', previous: 'success', scheduledOutput: true }, DEFAULT_ON, 'failure']
  ])('%s', (_, facts, notifyOn, expected) => {
    expect(chooseKind(facts, notifyOn)).toBe(expected);
  });
});

const failing = (name: string, file = 'tests/test_app.py', line = 12): TestCase => ({
  name,
  classname: 'tests.test_app',
  file,
  line,
  durationMs: 1,
  outcome: 'failed',
  message: 'AssertionError: 500 != 200'
});

function report(overrides: Partial<Report> = {}): Report {
  return {
    result: 'failure',
    durationMs: 1000,
    cacheHit: false,
    stages: [{ name: 'test', status: 'failure', durationMs: 900, headline: '1 of 3 tests failed' }],
    tests: { passed: 2, failed: 1, skipped: 0, total: 3, durationMs: 900, cases: [failing('test_index')] },
    coverage: { percent: 87.5, linesValid: 8, linesCovered: 7, files: [] },
    ...overrides
  };
}

const EVENT = {
  repository: 'acme/shop',
  ref: 'refs/heads/main',
  sha: '3f786850e387550fdab836ed7e6dc881de23001b',
  actor: 'octo',
  runUrl: 'https://github.com/acme/shop/actions/runs/42'
};

describe('the notice', () => {
  test.each<[NoticeKind, Partial<Report>, string]>([
    ['failure', {}, '❌ acme/shop main failed: 1 test failed'],
    [
      'failure',
      { tests: undefined, stages: [{ name: 'install', status: 'failure', durationMs: 1, headline: 'pip failed' }] },
      '❌ acme/shop main failed: install: pip failed'
    ],
    ['recovery', { result: 'success' }, '✅ acme/shop main recovered: 2 tests passed'],
    ['success', { result: 'success' }, '✅ acme/shop main passed: 2 tests passed'],
    [
      'rollback',
      { stages: [{ name: 'deploy', status: 'failure', durationMs: 1, headline: 'rolled back to ghcr.io/acme/shop:sha-1111111, health check failed' }] },
      '↩ acme/shop main rolled back to ghcr.io/acme/shop:sha-1111111, health check failed'
    ]
  ])('%s: says what happened first', (kind, overrides, headline) => {
    expect(buildNotice({ kind, report: report(overrides), event: EVENT }).headline).toBe(headline);
  });

  test('a long output keeps its last characters and says it was cut', () => {
    const text = `${'x'.repeat(5000)}THE END\n`;
    const notice = buildNotice({ kind: 'scheduled', report: report({ result: 'success' }), event: EVENT, output: { command: 'python report.py', text } });
    expect(notice.output).toEqual({ command: 'python report.py', text: text.trimEnd().slice(-OUTPUT_CHARS), cut: true });
    expect(notice.headline).toBe('📋 acme/shop main: python report.py ran');
  });
});

describe('each format', () => {
  const notice = buildNotice({
    kind: 'failure',
    report: report({ image: { repository: 'ghcr.io/acme/shop', image: 'ghcr.io/acme/shop:sha-3f78685', digest: 'sha256:1', tags: [] } }),
    event: EVENT,
    output: { command: 'python report.py', text: 'rows: 12' }
  });

  test.each(['slack', 'discord', 'teams', 'gchat'] as const)(
    '%s: the headline first, then the failing test at its line, coverage, image and the run',
    (format) => {
      const text = JSON.stringify(chatBody[format](notice));
      const at = (part: string): number => text.indexOf(part);
      expect(at('acme/shop main failed: 1 test failed')).toBeGreaterThanOrEqual(0);
      for (const part of ['tests/test_app.py:12', '87.5%', 'ghcr.io/acme/shop:sha-3f78685', 'https://github.com/acme/shop/actions/runs/42', 'rows: 12']) {
        expect(at(part)).toBeGreaterThan(at('1 test failed'));
      }
    }
  );

  test('shapes: Slack text + blocks, Discord content + embeds, Teams an Adaptive Card, Google Chat text', () => {
    expect(chatBody.slack(notice)).toMatchObject({ text: expect.any(String), blocks: expect.any(Array) });
    expect(chatBody.discord(notice)).toMatchObject({ content: expect.any(String), embeds: [expect.any(Object)], allowed_mentions: { parse: [] } });
    expect(chatBody.teams(notice)).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }]
    });
    expect(chatBody.gchat(notice)).toEqual({ text: expect.any(String) });
    expect(chatBody.json(notice)).toMatchObject({
      event: 'failure',
      repository: 'acme/shop',
      ref: 'main',
      sha: EVENT.sha,
      actor: 'octo',
      result: 'failure',
      stages: [{ name: 'test', status: 'failure' }],
      failingTests: [{ name: 'test_index', file: 'tests/test_app.py', line: 12 }],
      coverage: 87.5,
      image: 'ghcr.io/acme/shop:sha-3f78685',
      runUrl: EVENT.runUrl
    });
  });

  test.each<['slack' | 'discord' | 'gchat', string, string]>([
    ['slack', '<!channel> & <b>', '&lt;!channel&gt; &amp; &lt;b&gt;'],
    ['discord', '@everyone *bold*', '@\u200beveryone \\*bold\\*'],
    ['gchat', '<users/all> & co', '&lt;users/all&gt; &amp; co']
  ])('%s escapes what the project wrote', (format, name, escaped) => {
    const body = chatBody[format](buildNotice({ kind: 'failure', report: report({ tests: { ...report().tests!, cases: [failing(name)] } }), event: EVENT }));
    expect(JSON.stringify(body)).toContain(JSON.stringify(escaped).slice(1, -1));
  });

  test('mail: a subject that says it failed, text and HTML with the HTML escaped', () => {
    const mail = mailBody(
      buildNotice({ kind: 'failure', report: report({ tests: { ...report().tests!, cases: [failing('<script>x</script>')] } }), event: EVENT })
    );
    expect(mail.subject).toBe('❌ acme/shop main failed: 1 test failed');
    expect(mail.text).toContain('<script>x</script> tests/test_app.py:12');
    expect(mail.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
  });
});

describe('size limits', () => {
  const huge = buildNotice({
    kind: 'failure',
    report: report({ tests: { ...report().tests!, failed: 500, cases: Array.from({ length: 500 }, (_, i) => failing(`test_${'n'.repeat(300)}_${i}`)) } }),
    event: EVENT,
    output: { command: 'report', text: '<&>*_`'.repeat(20_000) }
  });

  test('Slack: 40,000 characters of text, 3,000 per section', () => {
    const body = chatBody.slack(huge) as { text: string; blocks: { text: { text: string } }[] };
    expect(body.text.length).toBeLessThanOrEqual(SLACK_TEXT_MAX);
    for (const block of body.blocks) expect(block.text.text.length).toBeLessThanOrEqual(3000);
  });

  test('Discord: 2,000 characters of content, 4,096 of embed description', () => {
    const body = chatBody.discord(huge) as { content: string; embeds: { title: string; description: string }[] };
    expect(body.content.length).toBeLessThanOrEqual(DISCORD_CONTENT_MAX);
    expect(body.embeds[0]!.description.length).toBeLessThanOrEqual(4096);
    expect(body.embeds[0]!.title.length).toBeLessThanOrEqual(256);
  });

  test('Teams: the card stays under its size limit', () => {
    const body = JSON.stringify(chatBody.teams(huge));
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_CARD_MAX_BYTES);
  });

  test('Google Chat: 4,096 characters', () => {
    expect((chatBody.gchat(huge) as { text: string }).text.length).toBeLessThanOrEqual(GCHAT_TEXT_MAX);
  });

  test('only the first failing tests are listed, with their number', () => {
    expect(huge.failingTests).toHaveLength(5);
    expect(mailBody(huge).text).toContain('Failing tests (first 5 of 500):');
  });
});
