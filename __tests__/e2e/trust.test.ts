/**
 * End to end, the trust promises of the BUNDLED action (README, "Security"), run the way the runner
 * runs it: what the programs Slipway starts can see, what printed text can do, what bad inputs
 * cost, and what a cancelled or killed run leaves behind (with the post step).
 *
 * The project is `bare-unittest` (standard library only: nothing to install), so every case costs
 * a virtualenv at most and the promises, not pip, are what is measured. Cache, registry and hook
 * cases live beside their services (cache-service.test.ts, ship.test.ts).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAction, runPost, type ActionResult, type RunActionOptions } from './support/action-runner.js';
import { describeRun, expectFailure, STACK_FRAME } from './support/assertions.js';
import { createWorkspace, makeTempDir, removeTempDirs } from './support/workspace.js';

afterAll(() => removeTempDirs());

const REGISTRY_PASSWORD = 'pw-Registry-Secret-4821';
const HOOK_KEY = 'rnd_HookKey9357';
const DEPLOY_HOOK = `https://hooks.example.com/deploy/srv-trust01?key=${HOOK_KEY}`;
const RUNTIME_TOKEN = 'runtime-token-Actions-7719';
const SECRETS = [REGISTRY_PASSWORD, HOOK_KEY, RUNTIME_TOKEN];

/** A Python one-liner (as a test-command line) that writes its environment as JSON to `file`. */
const dumpEnv = (file: string): string => `python3 -c "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))" ${file}`;

function run(options: Partial<RunActionOptions> & { inputs?: RunActionOptions['inputs'] } = {}): Promise<ActionResult> {
  return runAction({ workspace: createWorkspace('bare-unittest'), timeoutMs: 60_000, ...options, inputs: { cache: false, ...options.inputs } });
}

/** Everything the step printed except its add-mask commands (which hand secrets to the runner to hide). */
const printed = (result: ActionResult): string =>
  result.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

/** Run folders left under RUNNER_TEMP/slipway (each run's own folder; project state lives elsewhere). */
const runFolders = (result: ActionResult): string[] => {
  const root = path.join(result.runnerTemp, 'slipway');
  return existsSync(root) ? readdirSync(root).filter((name) => name.startsWith('run-')) : [];
};

describe('what programs Slipway starts can see', () => {
  test('install, tests and lint run without INPUT_*, runner tokens or any variable carrying a secret', async () => {
    const dumps = makeTempDir('slipway-env-');
    const file = (stage: string): string => path.join(dumps, `${stage}.json`);
    const result = await run({
      inputs: {
        'install-command': dumpEnv(file('install')),
        'test-command': dumpEnv(file('test')),
        'lint-command': dumpEnv(file('lint')),
        'registry-password': REGISTRY_PASSWORD,
        'registry-username': 'deployer',
        'deploy-hook': DEPLOY_HOOK
      },
      env: {
        ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
        ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/results/',
        ACTIONS_CACHE_URL: 'http://127.0.0.1:9/cache/',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-request-token-5521',
        // A workflow that copies a secret into the step's env: the children must not get it either.
        COPIED_SECRET: `Bearer ${REGISTRY_PASSWORD}`,
        PLAIN_SETTING: 'kept'
      }
    });
    for (const stage of ['install', 'test', 'lint']) {
      if (!existsSync(file(stage))) throw new Error(`the ${stage} command did not run: ${describeRun(result)}`);
      const env = JSON.parse(readFileSync(file(stage), 'utf8')) as Record<string, string>;
      const names = Object.keys(env);
      expect(names.filter((name) => name.startsWith('INPUT_'))).toEqual([]);
      for (const name of [
        'ACTIONS_RUNTIME_TOKEN',
        'ACTIONS_RESULTS_URL',
        'ACTIONS_CACHE_URL',
        'ACTIONS_ID_TOKEN_REQUEST_URL',
        'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
        'COPIED_SECRET'
      ]) {
        expect(names).not.toContain(name);
      }
      const values = JSON.stringify(env);
      for (const secret of SECRETS) expect(values).not.toContain(secret);
      // What a plain `run:` step has, the children have too.
      expect(env['PLAIN_SETTING']).toBe('kept');
      expect(env['GITHUB_WORKSPACE']).toBe(result.options.workspace);
      expect(env['PATH']).toContain(path.sep);
    }
    // The values are masked for the log as well (add-mask hands them to the runner), and never printed.
    expect(result.masks).toEqual(expect.arrayContaining([REGISTRY_PASSWORD, DEPLOY_HOOK]));
    for (const secret of SECRETS) expect(printed(result)).not.toContain(secret);
  });
});

describe('nothing printed becomes a workflow command', () => {
  const FORGED = /forged/;

  test('a test name with line breaks and command text stays text', async () => {
    const ws = createWorkspace('bare-unittest');
    const report = path.join(ws, 'report.xml');
    // As pytest's record_xml_attribute (or any JUnit writer) can produce: XML entities for line breaks.
    writeFileSync(
      report,
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<testsuite name="evil" tests="2" failures="1">',
        '  <testcase classname="tests.##[add-mask]forged-legacy" name="ok&#10;::add-mask::forged-mask" time="0.01"/>',
        '  <testcase classname="tests.evil" name="breaks&#10;::error::forged-error&#13;&#10;  ::warning file=x.py::forged-warning" time="0.02">',
        '    <failure message="boom&#10;::error::forged-in-message">line one&#10;::notice::forged-in-details</failure>',
        '  </testcase>',
        '</testsuite>'
      ].join('\n')
    );
    const result = await runAction({
      workspace: ws,
      timeoutMs: 60_000,
      inputs: { cache: false, lint: false, 'test-command': 'python3 -c "raise SystemExit(1)"', 'test-report': 'report.xml' }
    });
    expectFailure(result);
    // The text reaches Slipway's own commands only as escaped data (the failing test's annotation,
    // the step's failure, the stage's group title); no other command was forged from the report.
    const forged = result.commands.filter((c) => FORGED.test(c.command) || (FORGED.test(c.message) && !['error', 'group'].includes(c.command)) || c.legacy);
    expect(forged).toEqual([]);
    expect(result.masks).toEqual([expect.stringMatching(/^ghs_/)]);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors.map((a) => a.title ?? '(step failure)')).toEqual([expect.stringMatching(/^Test failed: breaks\n::error::forged-error/), '(step failure)']);
    expect(result.annotations.filter((a) => a.level !== 'error' && FORGED.test(a.message))).toEqual([]);
    // The names are still there for a person to read.
    expect(result.log).toMatch(/forged-error/);
  });

  test.each([
    ['health-url', 'https://shop.example.com/health\n::error::forged-by-input'],
    ['health-expect', 'ok\n::add-mask::forged-by-input'],
    ['image', 'ghcr.io/acme/shop\n##[set-env name=X;]forged-by-input'],
    ['deploy-hook', `${DEPLOY_HOOK}\n::warning::forged-by-input`]
  ])('a line break in `%s` is refused before anything runs, and nothing is forged', async (input, value) => {
    const started = Date.now();
    const result = await run({ inputs: { [input]: value } });
    expectFailure(result);
    expect(result.annotations.map((a) => a.message)).toEqual([
      expect.stringMatching(new RegExp(`^Input \`${input}\`: .*spans several lines; give one value on one line\\.$`))
    ]);
    // A secret input's lines are masked before it is checked (add-mask of its second line is a mask, not a forgery).
    const masked = input === 'deploy-hook' ? value.split('\n') : [];
    expect(
      result.commands.filter((c) => /forged/.test(c.message) && c.command !== 'error' && !(c.command === 'add-mask' && masked.includes(c.message)))
    ).toEqual([]);
    expect(result.commands.some((c) => c.legacy)).toBe(false);
    if (input === 'deploy-hook') expect(printed(result)).not.toContain(HOOK_KEY);
    // Refused at validation: no virtualenv was made, no command ran.
    expect(result.log).not.toMatch(/install/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe('inputs that would reach outside', () => {
  test('a cache-dependency-path that links out of the workspace is refused by name, without a stack trace', async () => {
    const ws = createWorkspace('bare-unittest');
    const outside = makeTempDir('slipway-outside-');
    mkdirSync(path.join(outside, 'deps'));
    writeFileSync(path.join(outside, 'deps', 'requirements.txt'), 'flask\n');
    symlinkSync(path.join(outside, 'deps'), path.join(ws, 'deps'));
    symlinkSync(path.join(outside, 'deps', 'requirements.txt'), path.join(ws, 'requirements-link.txt'));
    for (const pattern of ['deps', 'requirements-link.txt']) {
      const result = await runAction({ workspace: ws, timeoutMs: 60_000, inputs: { 'cache-dependency-path': pattern } });
      expectFailure(result);
      expect(result.annotations.map((a) => a.message)).toEqual([
        expect.stringMatching(/^Input `cache-dependency-path`: .*(leads outside the workspace|is not a file)/)
      ]);
      expect(result.stdout).not.toMatch(STACK_FRAME);
    }
  });

  test.each([
    ['deploy-hook', `http://169.254.169.254/latest/meta-data?key=${HOOK_KEY}`],
    ['health-url', 'http://[fe80::1]/health']
  ])('a link-local `%s` (a cloud metadata address) is refused', async (input, value) => {
    const result = await run({ inputs: { [input]: value } });
    expectFailure(result);
    expect(result.annotations.map((a) => a.message)).toEqual([expect.stringMatching(new RegExp(`^Input \`${input}\`: .*link-local`))]);
    expect(printed(result)).not.toContain(HOOK_KEY);
  });
});

describe('a cancelled or killed run leaves nothing behind', () => {
  /** A test-command that starts a long child, records its pid, then signals Slipway itself. */
  const signalSelf = (pidFile: string, signal: 'TERM' | 'KILL'): string => `bash -c 'sleep 60 & echo $! > ${pidFile}; kill -${signal} $PPID; wait'`;

  test('SIGTERM (a cancel): the running tests are stopped, the run folder removed, exit 143', async () => {
    const pidFile = path.join(makeTempDir('slipway-pid-'), 'sleep.pid');
    const result = await run({ inputs: { lint: false, 'test-command': signalSelf(pidFile, 'TERM') } });
    expect(result.code).toBe(143);
    expect(result.log).toMatch(/Cancelled \(SIGTERM\): stopped 1 running program/);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntilGone(sleeper)).toBe(true);
    expect(runFolders(result)).toEqual([]);
    // The post step then has nothing to do.
    const post = await runPost(result);
    expect(post?.ok).toBe(true);
    expect(post?.log.trim()).toBe('');
  });

  test('SIGKILL (no chance to clean up): the post step stops what was left, logs out and removes the folder', async () => {
    const pidFile = path.join(makeTempDir('slipway-pid-'), 'sleep.pid');
    // A registry login as the image stage leaves it in its private Docker config.
    const loginFile = 'docker-config-test/config.json';
    // What the killed step started keeps running until the job ends (as on a runner): the post step's to stop.
    const result = await run({
      inputs: { lint: false, 'test-command': signalSelf(pidFile, 'KILL') },
      leaveRunning: true
    });
    expect(result.signal ?? result.code).not.toBe(0);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(sleeper)).toBe(true);
    const [folder] = runFolders(result);
    expect(folder).toBeDefined();
    const runDir = path.join(result.runnerTemp, 'slipway', folder!);
    expect(result.state['run-dir']).toBe(runDir);
    mkdirSync(path.dirname(path.join(runDir, loginFile)));
    const auth = Buffer.from(`deployer:${REGISTRY_PASSWORD}`).toString('base64');
    writeFileSync(path.join(runDir, loginFile), JSON.stringify({ auths: { '127.0.0.1:5999': { auth } } }));

    const post = await runPost(result);
    expect(post?.ok).toBe(true);
    expect(post?.log).toMatch(/Stopped 1 program the run left running\./);
    expect(post?.log).toMatch(/Logged out of 127\.0\.0\.1:5999\./);
    expect(await waitUntilGone(sleeper)).toBe(true);
    expect(existsSync(runDir)).toBe(false);
  });

  test('the post step never deletes a folder outside Slipway’s own', async () => {
    const result = await run({ inputs: { lint: false } });
    const precious = makeTempDir('slipway-precious-');
    const post = await runPost(result, { env: { 'STATE_run-dir': precious } });
    expect(post?.ok).toBe(true);
    expect(post?.log).toMatch(/Not cleaning .*: it is not a Slipway run folder\./);
    expect(existsSync(precious)).toBe(true);
  });
});
