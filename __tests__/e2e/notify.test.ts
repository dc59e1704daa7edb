/**
 * End to end, notifications from the BUNDLED action, run the way the runner runs it, to real
 * receivers on loopback: an HTTP server standing in for Slack, Discord, Teams and Google Chat
 * (recognised here by their `slack:`… prefixes), and an SMTP server with AUTH whose mail is parsed.
 *
 * The project is `bare-unittest` (nothing to install); the cache is off except where the recovery
 * marker needs it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { outerEnv, parseYamlSubset, runAction, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { describeRun } from './support/assertions.js';
import { closedPortUrl, startCacheService, type CacheService } from './support/cache-service.js';
import { startMailReceiver, startWebhookReceiver, type MailReceiver, type WebhookReceiver } from './support/notify-receivers.js';
import { createWorkspace, makeTempDir, removeTempDirs, repoRoot } from './support/workspace.js';

const SMTP_USER = 'slipway@example.com';
const SMTP_PASSWORD = 'smtp-Pass-Secret-6620';
const SLACK_KEY = 'T0SLACK11/B0SLACK22/SlackKey9911';
const DISCORD_KEY = '112233445566778899/DiscordToken-7733';
const TEAMS_SIG = 'TeamsSig-4455';

let hooks: WebhookReceiver;
let mail: MailReceiver;
beforeAll(async () => {
  [hooks, mail] = await Promise.all([startWebhookReceiver(), startMailReceiver(SMTP_USER, SMTP_PASSWORD)]);
});
beforeEach(() => {
  hooks.requests.length = 0;
  mail.messages.length = 0;
});
afterAll(async () => {
  await Promise.all([hooks.stop(), mail.stop()]);
  removeTempDirs();
});

const targets = (): Record<string, string> => ({
  slack: `slack:${hooks.url}/services/${SLACK_KEY}`,
  discord: `discord:${hooks.url}/api/webhooks/${DISCORD_KEY}`,
  teams: `teams:${hooks.url}/workflows/flow0001/invoke?sig=${TEAMS_SIG}`,
  gchat: `gchat:${hooks.url}/v1/spaces/room/messages`,
  mail: 'mailto:team@example.com,lead@example.com'
});
type Yaml = Record<string, unknown>;
const SECRETS = [SLACK_KEY, 'SlackKey9911', DISCORD_KEY, 'DiscordToken-7733', TEAMS_SIG, SMTP_PASSWORD];

/** A workspace whose one test fails (at test_calc.py line 8). */
function failingWorkspace(): string {
  const workspace = createWorkspace('bare-unittest');
  const file = path.join(workspace, 'test_calc.py');
  writeFileSync(file, readFileSync(file, 'utf8').replace('add(2, 3), 5', 'add(2, 2), 5'));
  return workspace;
}

function run(options: Partial<RunActionOptions> & { inputs?: RunActionOptions['inputs'] } = {}): Promise<ActionResult> {
  return runAction({ workspace: createWorkspace('bare-unittest'), timeoutMs: 90_000, ...options, inputs: { cache: false, lint: false, ...options.inputs } });
}

/** Everything the step left for people and later steps to read. */
const everything = (result: ActionResult): string =>
  [
    result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n'),
    result.stderr,
    result.summary,
    JSON.stringify(result.outputs),
    JSON.stringify(result.state)
  ].join('\n');

const pathOf = (target: string): string => new URL(target.replace(/^[a-z]+:/, '')).pathname + new URL(target.replace(/^[a-z]+:/, '')).search;

describe('a failing run', () => {
  test('Slack, Discord and Teams get their own bodies, the mail says it failed, a 500 is retried, no secret shows', async () => {
    const t = targets();
    hooks.failNext(1);
    const result = await run({
      workspace: failingWorkspace(),
      inputs: { notify: [t.slack, t.discord, t.teams, t.mail].join('\n'), 'smtp-url': mail.url }
    });
    expect(result.ok).toBe(false);
    expect(result.outputs['result']).toBe('failure');

    const bodies = [pathOf(t.slack), pathOf(t.discord), pathOf(t.teams)].map((p) => hooks.accepted(p));
    for (const accepted of bodies) expect(accepted).toHaveLength(1);
    const [[slack], [discord], [teams]] = bodies as [
      [{ text: string; blocks: unknown[] }],
      [{ content: string; embeds: unknown[] }],
      [Record<string, unknown>]
    ];
    expect(slack.text).toMatch(/^❌ acme\/shop main failed: 1 test failed/);
    expect(slack.text).toContain('test_calc.py:8');
    expect(slack.blocks.length).toBeGreaterThan(0);
    expect(discord.content).toMatch(/^❌ acme\/shop main failed: 1 test failed/);
    expect(teams).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }]
    });
    expect(JSON.stringify(teams)).toContain('acme/shop main failed: 1 test failed');
    // One of the three was answered 500 first, and sent again.
    expect(hooks.requests.filter((r) => r.status === 500)).toHaveLength(1);
    expect(hooks.requests).toHaveLength(4);

    expect(mail.messages).toHaveLength(1);
    const [message] = mail.messages;
    expect(message!.subject).toBe('❌ acme/shop main failed: 1 test failed');
    expect(message!.text).toContain('test_calc.py:8');
    expect(message!.html).toContain('<b>❌ acme/shop main failed: 1 test failed</b>');
    expect(JSON.stringify(message!.to)).toContain('team@example.com');

    // The keys were handed to the runner to mask, and never printed.
    expect(result.masks).toEqual(expect.arrayContaining([SMTP_PASSWORD, 'SlackKey9911', 'DiscordToken-7733', TEAMS_SIG]));
    for (const secret of SECRETS) expect(everything(result)).not.toContain(secret);
  });
});

describe('recovery', () => {
  let cache: CacheService;
  beforeAll(async () => {
    cache = await startCacheService();
  });
  afterAll(() => cache.stop());

  test('green after red says recovered; green after green says nothing by default', async () => {
    const t = targets();
    // One checkout and one RUNNER_TEMP, as on a real runner: the cache tells entries apart by their paths.
    const workspace = createWorkspace('bare-unittest');
    const jobDir = makeTempDir('slipway-job-');
    const tests = path.join(workspace, 'test_calc.py');
    const passing = readFileSync(tests, 'utf8');
    const step = (): Promise<ActionResult> => run({ workspace, jobDir, cacheService: cache, inputs: { cache: true, notify: t.gchat } });
    writeFileSync(tests, passing.replace('add(2, 3), 5', 'add(2, 2), 5'));
    expect((await step()).ok).toBe(false);
    writeFileSync(tests, passing);
    expect((await step()).ok).toBe(true);
    expect((await step()).ok).toBe(true);

    const texts = (hooks.accepted(pathOf(t.gchat)) as { text: string }[]).map((body) => body.text.split('\n')[0]);
    expect(texts).toEqual(['❌ acme/shop main failed: 1 test failed', '✅ acme/shop main recovered: 2 tests passed']);
  });
});

describe('a scheduled run', () => {
  test("the README's daily report workflow mails the command's output and posts it to the chat webhook", async () => {
    const readme = readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
    const workflow = parseYamlSubset(/### Scheduled runs[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!) as Yaml;
    expect(workflow['on']).toHaveProperty('schedule');
    const steps = (workflow['jobs'] as Yaml)['report'] as Yaml;
    const step = (steps['steps'] as Yaml[]).find((s) => String(s['uses']).includes('slipway'))!;
    // The repository's secrets, as the runner expands them: the Slack URL points at the receiver.
    const slackUrl = `slack:${hooks.url}/services/${SLACK_KEY}`;
    const secrets: Record<string, string> = { 'secrets.SLACK_WEBHOOK_URL': slackUrl, 'secrets.SMTP_URL': mail.url };
    const inputs = Object.fromEntries(
      Object.entries(step['with'] as Record<string, string>).map(([name, value]) => [
        name,
        value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => secrets[key]!)
      ])
    );
    const workspace = createWorkspace('bare-unittest');
    mkdirSync(path.join(workspace, 'scripts'));
    writeFileSync(path.join(workspace, 'scripts', 'daily_report.py'), 'import sys\nfrom calc import add\nprint("orders since", sys.argv[2], add(40, 2))\n');
    const result = await run({ event: 'schedule', workspace, env: { PYTHONPATH: workspace }, inputs });
    expect(result.ok).toBe(true);

    const [slack] = hooks.accepted(pathOf(slackUrl)) as { text: string }[];
    expect(slack?.text).toMatch(/^📋 acme\/shop main: python scripts\/daily_report.py --since yesterday ran/);
    expect(slack?.text).toContain('orders since yesterday 42');
    expect(mail.messages).toHaveLength(1);
    const [message] = mail.messages;
    expect(message!.subject).toBe('📋 acme/shop main: python scripts/daily_report.py --since yesterday ran');
    expect(message!.text).toContain('orders since yesterday 42');
    expect(message!.from?.value).toEqual([{ name: 'Shop reports', address: 'reports@example.com' }]);
    expect(JSON.stringify(message!.to)).toContain('lead@example.com');
    for (const secret of SECRETS) expect(everything(result)).not.toContain(secret);
  });

  test('a failing scheduled command is a failure notification and fails the step; it never sees the targets', async () => {
    const t = targets();
    // It names every variable whose value holds a piece of the test's secrets (each has one of these words).
    const command = `python3 -c "import os, sys; print('leaked:', [k for k, v in os.environ.items() if any(w in v for w in ('Secret', 'Key', 'Token', 'Sig'))]); print('export broke'); sys.exit(3)"`;
    const result = await run({
      event: 'workflow_dispatch',
      inputs: { notify: [t.slack, t.mail].join('\n'), 'smtp-url': mail.url, 'scheduled-command': command }
    });
    expect(result.ok).toBe(false);
    const [slack] = hooks.accepted(pathOf(t.slack)) as { text: string }[];
    expect(slack?.text).toMatch(/^❌ acme\/shop main failed: scheduled: python3 -c .* failed \(exit code 3\)/);
    expect(slack?.text).toContain('export broke');
    expect(slack?.text).toContain('leaked: []');
    expect(mail.messages.map((m) => m.subject)).toEqual([expect.stringMatching(/failed: scheduled: python3/)]);
    for (const secret of SECRETS) expect(JSON.stringify(slack) + mail.messages[0]!.text).not.toContain(secret);
  });
});

describe('a target that cannot be reached', () => {
  test('the run stays green with one warning naming the target, its key masked', async () => {
    const dead = `slack:${(await closedPortUrl()).replace(/\/$/, '')}/services/${SLACK_KEY}`;
    const result = await run({ inputs: { notify: dead, 'notify-on': 'success' } });
    expect(result.ok).toBe(true);
    expect(result.outputs['result']).toBe('success');
    const warnings = result.annotations.filter((a) => a.level === 'warning' && /Notification/.test(a.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^Notification to slack webhook http:\/\/127\.0\.0\.1:\d+\/… failed: could not be reached/);
    for (const secret of SECRETS) expect(everything(result)).not.toContain(secret);
    if (!result.ok) throw new Error(describeRun(result));
  });
});

describe('untrusted events', () => {
  test('a fork pull request sends nothing', async () => {
    const t = targets();
    const result = await run({
      workspace: failingWorkspace(),
      event: 'pull_request',
      payload: { pull_request: { head: { repo: { full_name: 'fork/shop' } } } },
      inputs: { notify: t.slack }
    });
    expect(result.ok).toBe(false);
    expect(hooks.requests).toEqual([]);
  });
});

describe('the CLI', () => {
  test('--notify and --smtp-url work from a laptop', async () => {
    const t = targets();
    const args = ['run', failingWorkspace(), '--no-cache', '--no-lint', '--no-audit', '--notify', `${t.slack}\n${t.mail}`, '--smtp-url', mail.url];
    // A laptop's environment: nothing of the runner's.
    const env = outerEnv();
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(repoRoot(), 'dist', 'cli.js'), ...args],
        { env: { ...env, NO_COLOR: '1' }, timeout: 90_000 },
        (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: stdout + stderr })
      );
    });
    expect(code).toBe(1);
    const [slack] = hooks.accepted(pathOf(t.slack)) as { text: string }[];
    expect(slack?.text).toMatch(/^❌ .*failed: 1 test failed/);
    expect(mail.messages.map((m) => m.subject)).toEqual([expect.stringMatching(/failed: 1 test failed$/)]);
    for (const secret of SECRETS) expect(output).not.toContain(secret);
  });
});
