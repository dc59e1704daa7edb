import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { GitEvent, Ports, RunContext } from '../../src/context.js';
import type { InputName } from '../../src/inputs.js';
import type { Report } from '../../src/model.js';
import type { CacheStore } from '../../src/ports.js';
import { StageLog } from '../../src/stage-log.js';
import { notify } from '../../src/stages/notify.js';
import { runScheduledCommand, runsScheduledCommand } from '../../src/stages/scheduled.js';
import { fakeFiles, fakeHost, fakeHttp, fakeReporter, fakeRunner, type HttpAnswer } from '../fixtures/fake-ports.js';

const repo = mkdtempSync(join(tmpdir(), 'slipway-notify-stage-'));
const SLACK_KEY = 'SlackKey-Secret-5512';
const SLACK = `https://hooks.slack.com/services/T0AAA1111/B0BBB2222/${SLACK_KEY}`;
const configOf = (inputs: Partial<Record<InputName, string>>): Promise<Config> => buildConfig((name) => inputs[name] ?? '', repo);

const EVENT: GitEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  sha: 'abc1234',
  defaultBranch: 'main',
  repository: 'acme/shop',
  serverUrl: 'https://github.com',
  workflow: 'CI',
  job: 'build'
};
const context = (event: Partial<GitEvent> = {}): RunContext => ({
  repositoryRoot: repo,
  stateDir: '/state',
  tempDir: '/tmp/run',
  os: 'linux',
  arch: 'x64',
  image: 'ubuntu24',
  event: { ...EVENT, ...event },
  inActions: true
});
const report = (result: Report['result']): Report => ({
  result,
  durationMs: 1,
  cacheHit: false,
  stages: [{ name: 'test', status: result, durationMs: 1, headline: result === 'success' ? '2 passed' : '1 of 2 tests failed' }]
});

/** A cache holding the given keys; restore answers the newest one with the prefix. */
function fakeCache(keys: string[] = [], broken = false): CacheStore & { saved: string[] } {
  return {
    description: 'the test cache',
    saved: [] as string[],
    async restore(_paths, key, restoreKeys = []) {
      if (broken) throw new Error('the cache service answered 500');
      return [...keys].reverse().find((k) => k === key || restoreKeys.some((prefix) => k.startsWith(prefix)));
    },
    async save(_paths, key) {
      this.saved.push(key);
      return true;
    }
  };
}

function ports(answer: (index: number) => HttpAnswer = () => ({ status: 200 }), cache?: CacheStore) {
  const { reporter, seen } = fakeReporter();
  const http = fakeHttp((_, index) => answer(index));
  const runner = fakeRunner();
  const all: Ports = { runner, reporter, http: http.http, files: fakeFiles(), host: fakeHost(), cache };
  return { all, seen, http, log: new StageLog(runner) };
}

describe('notify stage', () => {
  test('an untrusted event sends nothing', async () => {
    const p = ports();
    await notify(await configOf({ notify: SLACK }), context({ untrusted: 'a pull request from a fork' }), p.all, report('failure'), p.log);
    expect(p.http.requests).toEqual([]);
    expect(p.log.lines).toEqual(['No notification is sent: this is a pull request from a fork.']);
  });

  test('a target that refuses is one warning naming it without its key, and nothing throws', async () => {
    const p = ports(() => ({ status: 404, body: 'no_service' }));
    await notify(await configOf({ notify: SLACK }), context(), p.all, report('failure'), p.log);
    expect(p.http.requests).toHaveLength(1);
    expect(p.seen.warnings).toEqual([
      "Notification to slack webhook https://hooks.slack.com/… failed: answered 404: no_service. The run's result is unchanged."
    ]);
  });

  test.each<[string, string[], Report['result'], string | undefined]>([
    [
      'green after a failure marker: recovered',
      ['slipway-outcome-v1-linux-CI-build-main-1-failure'],
      'success',
      '✅ acme/shop main recovered: all stages passed'
    ],
    [
      'green after a success marker: nothing',
      ['slipway-outcome-v1-linux-CI-build-main-1-failure', 'slipway-outcome-v1-linux-CI-build-main-2-success'],
      'success',
      undefined
    ],
    ['green with no marker: nothing', [], 'success', undefined],
    ['red: failed', ['slipway-outcome-v1-linux-CI-build-main-1-success'], 'failure', '❌ acme/shop main failed: test: 1 of 2 tests failed']
  ])('%s, and this run leaves its own marker', async (_, keys, result, headline) => {
    const cache = fakeCache(keys);
    const p = ports(undefined, cache);
    await notify(await configOf({ notify: `json:${SLACK}` }), context(), p.all, report(result), p.log);
    expect(p.http.requests.length).toBe(headline ? 1 : 0);
    if (headline) expect(p.log.lines).toContain(`Announcing: ${headline}`);
    expect(cache.saved).toEqual([expect.stringMatching(new RegExp(`^slipway-outcome-v1-linux-CI-build-main-\\d+-${result}$`))]);
  });

  test('a broken cache is a warning, and the failure is still announced', async () => {
    const p = ports(undefined, fakeCache([], true));
    await notify(await configOf({ notify: SLACK }), context(), p.all, report('failure'), p.log);
    expect(p.http.requests).toHaveLength(1);
    expect(p.seen.warnings).toEqual([expect.stringMatching(/^The test cache failed/)]);
  });
});

describe('scheduled command', () => {
  test.each([
    ['schedule', 'python report.py', true],
    ['workflow_dispatch', 'python report.py', true],
    ['push', 'python report.py', false],
    ['pull_request', 'python report.py', false],
    ['schedule', '', false]
  ])('on %s with "%s": runs %s', async (name, command, runs) => {
    expect(runsScheduledCommand(await configOf({ 'scheduled-command': command }), context({ name }))).toBe(runs);
  });

  const environment = { root: '/venv', env: { PATH: '/venv/bin:/usr/bin' }, data: undefined };

  test('runs in the environment, without a shell, and keeps what it printed', async () => {
    const runner = fakeRunner(() => ({ code: 0, stdout: 'rows: 12\ndone' }));
    const r = report('success');
    const stages = await runScheduledCommand(
      await configOf({ 'scheduled-command': 'python report.py --since "1 day"' }),
      { ...ports().all, runner },
      environment,
      r
    );
    expect(runner.calls[0]).toMatchObject({ command: 'python', args: ['report.py', '--since', '1 day'], options: { env: { PATH: '/venv/bin:/usr/bin' } } });
    expect(stages).toMatchObject([{ name: 'scheduled', status: 'success' }]);
    expect(r.scheduled).toEqual({ command: "python report.py --since '1 day'", output: 'rows: 12\ndone' });
  });

  test('its failure fails the stage with its last lines', async () => {
    const runner = fakeRunner(() => ({ code: 3, stderr: 'export broke' }));
    const stages = await runScheduledCommand(
      await configOf({ 'scheduled-command': 'python report.py' }),
      { ...ports().all, runner },
      environment,
      report('success')
    );
    expect(stages).toMatchObject([{ name: 'scheduled', status: 'failure', headline: 'python report.py failed (exit code 3)', details: ['export broke'] }]);
  });

  test('after failed tests it does not run', async () => {
    const runner = fakeRunner();
    const stages = await runScheduledCommand(
      await configOf({ 'scheduled-command': 'python report.py' }),
      { ...ports().all, runner },
      environment,
      report('failure')
    );
    expect(runner.calls).toEqual([]);
    expect(stages).toMatchObject([{ name: 'scheduled', status: 'skipped' }]);
  });
});
