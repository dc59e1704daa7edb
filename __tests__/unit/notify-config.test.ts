import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { buildConfig } from '../../src/config.js';
import { ConfigError, type InputName } from '../../src/inputs.js';
import { parseTarget, secretsOfWebhook, shownTarget, type NotifyTarget } from '../../src/notify/targets.js';

const repo = mkdtempSync(join(tmpdir(), 'slipway-notify-config-'));
const configOf = (inputs: Partial<Record<InputName, string>>) => buildConfig((name) => inputs[name] ?? '', repo);

const SLACK = 'https://hooks.slack.com/services/T0AAA1111/B0BBB2222/xoxSecretKey123456';
const DISCORD = 'https://discord.com/api/webhooks/123456789012345678/Tok-en_abcdef123';
const TEAMS = 'https://prod-12.westus.logic.azure.com:443/workflows/abc123def456/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SigSecret999';
const GCHAT = 'https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=KeySecret77&token=TokSecret88';

describe('parseTarget', () => {
  test.each<[string, string, NotifyTarget]>([
    ['Slack by host', SLACK, { kind: 'webhook', format: 'slack', url: SLACK }],
    ['Discord by host and path', DISCORD, { kind: 'webhook', format: 'discord', url: DISCORD }],
    ['Teams workflow by host', TEAMS, { kind: 'webhook', format: 'teams', url: TEAMS }],
    ['Google Chat by host', GCHAT, { kind: 'webhook', format: 'gchat', url: GCHAT }],
    ['any other URL: generic JSON', 'https://ops.example.com/hook', { kind: 'webhook', format: 'json', url: 'https://ops.example.com/hook' }],
    ['a prefix forces the format', 'slack:http://127.0.0.1:8080/x', { kind: 'webhook', format: 'slack', url: 'http://127.0.0.1:8080/x' }],
    ['json: forces JSON on a Slack host', `json:${SLACK}`, { kind: 'webhook', format: 'json', url: SLACK }],
    ['mailto with several addresses', 'mailto:a@example.com, b@example.org', { kind: 'mail', to: ['a@example.com', 'b@example.org'] }]
  ])('%s', (_, line, expected) => {
    expect(parseTarget(line)).toEqual(expected);
  });

  test.each([
    ['no URL', 'hooks.slack.com/services/x'],
    ['an ftp URL', 'ftp://example.com/x'],
    ['an unknown prefix', 'matrix:https://example.com/x'],
    ['a mailto without an address', 'mailto:'],
    ['a mailto with a bad address', 'mailto:ops-at-example.com'],
    ['a mailto with a broken escape', 'mailto:%E0']
  ])('%s is a problem', (_, line) => {
    expect(parseTarget(line)).toHaveProperty('problem');
  });
});

describe('what is masked and shown of a webhook', () => {
  test.each([
    [SLACK, ['T0AAA1111', 'B0BBB2222', 'xoxSecretKey123456'], 'slack webhook https://hooks.slack.com/…'],
    [DISCORD, ['123456789012345678', 'Tok-en_abcdef123'], 'discord webhook https://discord.com/…'],
    [GCHAT, ['KeySecret77', 'TokSecret88'], 'gchat webhook https://chat.googleapis.com/…'],
    [TEAMS, ['SigSecret999', 'abc123def456'], 'teams webhook https://prod-12.westus.logic.azure.com/…']
  ])('%s', (url, parts, shown) => {
    const secrets = secretsOfWebhook(url);
    expect(secrets).toEqual(expect.arrayContaining([url, ...parts]));
    // Words of the path stay readable in the log.
    expect(secrets).not.toContain('services');
    expect(secrets).not.toContain('webhooks');
    const target = parseTarget(url) as NotifyTarget;
    expect(shownTarget(target)).toBe(shown);
    for (const part of parts) expect(shownTarget(target)).not.toContain(part);
  });
});

describe('notify inputs in the Config', () => {
  test('defaults: no target, failure, recovery and rollback', async () => {
    const config = await configOf({});
    expect(config).toMatchObject({ notify: [], notifyOn: ['failure', 'recovery', 'rollback'], smtpUrl: undefined, scheduledCommand: undefined });
  });

  test('reads targets one a line, the events and the scheduled command', async () => {
    const config = await configOf({
      notify: `${SLACK}\n# the team's mail\nmailto:ops@example.com\n`,
      'notify-on': 'failure, success,deploy',
      'smtp-url': 'smtp://user:pw@127.0.0.1:2525',
      'mail-from': 'Slipway <ci@example.com>',
      'scheduled-command': 'python report.py --since "1 day"'
    });
    expect(config.notify).toEqual([
      { kind: 'webhook', format: 'slack', url: SLACK },
      { kind: 'mail', to: ['ops@example.com'] }
    ]);
    expect(config.notifyOn).toEqual(['failure', 'success', 'deploy']);
    expect(config.scheduledCommand).toEqual(['python', 'report.py', '--since', '1 day']);
  });

  test.each<[string, Partial<Record<InputName, string>>, RegExp, string]>([
    [
      'a bad target names its line, not its text',
      { notify: `${SLACK}\nhooks.example.com/secret-Value-42` },
      /^Input `notify`: target 2 is not an http\(s\) URL/,
      'secret-Value-42'
    ],
    ['mail without smtp-url', { notify: 'mailto:ops@example.com' }, /^Input `smtp-url`: is empty, but `notify` has a mailto: target/, ''],
    ['an smtp-url that is no SMTP URL', { 'smtp-url': 'https://user:Pw-Secret-9@mail.example.com' }, /^Input `smtp-url`: is not smtp:\/\//, 'Pw-Secret-9'],
    ['an unknown event', { 'notify-on': 'failure,always' }, /^Input `notify-on`: "always" is not an event/, ''],
    ['a bad sender', { 'mail-from': 'nobody' }, /^Input `mail-from`: "nobody" is not a mail address/, ''],
    ['a scheduled command with an open quote', { 'scheduled-command': 'python "x' }, /^Input `scheduled-command`: /, '']
  ])('%s', async (_, inputs, message, secret) => {
    const error = (await configOf(inputs).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
    if (secret) expect(error.message).not.toContain(secret);
  });
});
