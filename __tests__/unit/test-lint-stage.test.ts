// The test and lint stages over fake ports and a fake ecosystem: they run the plan they are given,
// write what it asks, read reports through the Files port, and say how to get a linter.
import { describe, expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { Ports } from '../../src/context.js';
import type { Ecosystem, LintPlan, TestPlan } from '../../src/ecosystems/ecosystem.js';
import { parseLineFindings } from '../../src/reports/findings.js';
import { runLint } from '../../src/stages/lint.js';
import { runTests } from '../../src/stages/test.js';
import { STAGE_PROJECT, STAGE_REPORTS, stageContext, stageEnvironment } from '../fixtures/stage-context.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp, type FakeFiles } from '../fixtures/fake-ports.js';

const project = STAGE_PROJECT;
const REPORTS = STAGE_REPORTS;
const context = stageContext;
const environment = stageEnvironment;
const JUNIT =
  '<testsuites><testsuite name="t" tests="2"><testcase classname="t" name="a"/><testcase classname="t" name="b"><skipped/></testcase></testsuite></testsuites>';

const config = async (overrides: Partial<Config> = {}): Promise<Config> => ({ ...(await buildConfig(() => '', project)), ...overrides });

function ecosystemWith(tests: Partial<TestPlan>, lint?: LintPlan): Ecosystem & { hostEnv: unknown[] } {
  const hostEnv: unknown[] = [];
  return {
    hostEnv,
    name: 'python',
    detect: () => true,
    planInstall: () => Promise.reject(new Error('not asked')),
    planTests: (_, request) => (
      hostEnv.push(request.hostEnv),
      { runner: 'fake', commands: [{ command: 'fake-test', args: [] }], junit: [], notes: [], ...tests }
    ),
    planLint: () => lint,
    addLinter: 'Add a fake linter.',
    isTestFile: (path) => path.endsWith('_test.fake'),
    listInstalled: () => []
  };
}

function ports(files: FakeFiles, code = 0) {
  const runner = fakeRunner(() => ({ code, stdout: 'x.py:3:1: F401 unused\n' }));
  const { reporter, seen } = fakeReporter();
  const all: Ports = { runner, reporter, http: noHttp, files, host: fakeHost([], { PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=64' }) };
  return { ports: all, runner, seen };
}

describe('test stage', () => {
  test("writes the plan's files, runs its commands in the environment, reads the JUnit report it named", async () => {
    const files = fakeFiles({ [`${REPORTS}/junit.xml`]: JUNIT });
    const ecosystem = ecosystemWith({
      junit: [`${REPORTS}/junit.xml`],
      writes: [{ path: `${REPORTS}/runner.py`, text: 'print(1)' }],
      env: { COVERAGE_FILE: 'c' }
    });
    const { ports: p, runner } = ports(files);
    const outcome = await runTests(await config(), context, p, ecosystem, environment);
    expect(files.read(`${REPORTS}/runner.py`)).toBe('print(1)');
    expect(runner.calls[0]?.options.env).toEqual({ PATH: '/env/bin', COVERAGE_FILE: 'c', CI: 'true' });
    expect(ecosystem.hostEnv).toEqual([{ PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=64' }]);
    expect(outcome.stage).toMatchObject({ status: 'success', headline: '1 passed, 0 failed, 1 skipped' });
  });

  test('test-report globs are searched in the project; none found is said once', async () => {
    const files = fakeFiles({ [`${project}/out/a.xml`]: JUNIT });
    const found = await runTests(await config(), context, ports(files).ports, ecosystemWith({ reportPatterns: ['out/*.xml'] }), environment);
    expect(found.results?.total).toBe(2);
    const missing = ports(fakeFiles());
    await runTests(await config(), context, missing.ports, ecosystemWith({ reportPatterns: ['out/*.xml'] }), environment);
    expect(missing.seen.warnings).toEqual(['No test report was found for `test-report`; the verdict comes from the exit code (0).']);
  });

  test('no commands: no tests to run, with the plan’s notes', async () => {
    const outcome = await runTests(
      await config(),
      context,
      ports(fakeFiles()).ports,
      ecosystemWith({ commands: [], notes: ['add a test script'] }),
      environment
    );
    expect(outcome.stage).toMatchObject({ status: 'warning', headline: 'no tests to run', details: ['add a test script'] });
  });

  describe('never green on nothing: test files exist and no test ran', () => {
    const EMPTY_JUNIT = '<testsuites><testsuite name="t" tests="0"></testsuite></testsuites>';
    const withTestFile = (extra: Record<string, string> = {}) => fakeFiles({ [`${project}/tests/a_test.fake`]: '', ...extra });

    test.each([
      ['no commands (the plan says why)', { commands: [], notes: ['add a test script'] }, 0, 'add a test script'],
      ['the runner collected nothing (exit 5)', { junit: [`${REPORTS}/junit.xml`] }, 5, 'fake collected no test'],
      ['the runner passed with no test (exit 0, empty report)', { junit: [`${REPORTS}/junit.xml`] }, 0, 'fake collected no test']
    ])('%s: a failure naming the files', async (_, plan, code, reason) => {
      const files = withTestFile({ [`${REPORTS}/junit.xml`]: EMPTY_JUNIT });
      const outcome = await runTests(await config(), context, ports(files, code).ports, ecosystemWith(plan), environment);
      expect(outcome.stage).toMatchObject({ status: 'failure', headline: 'ran 0 tests, but the project has 1 test file (tests/a_test.fake)' });
      expect(outcome.stage.details?.[0]).toBe(reason);
    });

    test('no test files: the warnings as before', async () => {
      const files = fakeFiles({ [`${project}/tests/helper.fake`]: '', [`${REPORTS}/junit.xml`]: EMPTY_JUNIT });
      const collected = await runTests(await config(), context, ports(files, 5).ports, ecosystemWith({ junit: [`${REPORTS}/junit.xml`] }), environment);
      expect(collected.stage).toMatchObject({ status: 'warning', headline: 'no tests found' });
      const none = await runTests(await config(), context, ports(files).ports, ecosystemWith({ commands: [], notes: ['n'] }), environment);
      expect(none.stage).toMatchObject({ status: 'warning', headline: 'no tests to run' });
    });

    test('tests that ran are judged as always, test files or not', async () => {
      const outcome = await runTests(
        await config(),
        context,
        ports(withTestFile({ [`${REPORTS}/junit.xml`]: JUNIT })).ports,
        ecosystemWith({ junit: [`${REPORTS}/junit.xml`] }),
        environment
      );
      expect(outcome.stage).toMatchObject({ status: 'success', headline: '1 passed, 0 failed, 1 skipped' });
    });
  });

  test("a pull request's coverage lists each file's measured lines (for patch coverage); other runs only the totals", async () => {
    const lcov = `SF:${project}/a.py\nDA:1,1\nDA:2,0\nend_of_record\n`;
    const plan = { lcov: `${REPORTS}/lcov.info` };
    const pullRequest = { number: 7, baseRef: 'main', baseSha: 'b', headSha: 'c' };
    const onPullRequest = { ...context, event: { ...context.event, name: 'pull_request', pullRequest } };
    const files = fakeFiles({ [`${REPORTS}/lcov.info`]: lcov });
    const measured = await runTests(await config(), onPullRequest, ports(files).ports, ecosystemWith(plan), environment);
    expect(measured.coverage?.files).toEqual([{ path: 'a.py', linesValid: 2, linesCovered: 1, percent: 50, lines: { covered: [1], missed: [2] } }]);
    const pushed = await runTests(await config(), context, ports(files).ports, ecosystemWith(plan), environment);
    expect(pushed.coverage?.files[0]?.lines).toBeUndefined();
  });
});

describe('lint stage', () => {
  test("no linter: skipped, with the ecosystem's advice", async () => {
    const outcome = await runLint(await config(), context, ports(fakeFiles()).ports, ecosystemWith({}), environment);
    expect(outcome.stage).toMatchObject({ status: 'skipped', headline: 'no linter installed', details: ['Add a fake linter.'] });
  });

  test('findings parsed from the output; an exit-code-only linter has none to give', async () => {
    const plan: LintPlan = { linter: 'fake', command: { command: 'fake-lint', args: [] }, okExitCodes: [0, 1], parse: parseLineFindings };
    const found = await runLint(await config(), context, ports(fakeFiles(), 1).ports, ecosystemWith({}, plan), environment);
    expect(found.stage.headline).toBe('fake: 1 finding');
    const script = await runLint(
      await config(),
      context,
      ports(fakeFiles(), 1).ports,
      ecosystemWith({}, { ...plan, linter: 'lint script', exitCodeOnly: true }),
      environment
    );
    expect(script).toMatchObject({ stage: { status: 'warning', headline: 'lint script failed (exit code 1)' } });
    expect(script.findings).toBeUndefined(); // not measured: the lint-findings output stays empty
  });

  describe('a linter that crashed is one warning with its reason, even with lint-blocking', () => {
    const FLAKE8_TRACEBACK = 'Traceback (most recent call last):\n  File "c.py", line 1\nValueError: invalid literal for int()\n';
    const ESLINT_CRASH = 'Oops! Something went wrong! :(\n\nESLint: 9.39.5\n\nNo files matching the pattern "src" were found.\n';
    const fatal = (file: string) => ({
      filePath: `${project}/${file}`,
      messages: [{ ruleId: null, fatal: true, severity: 2, message: 'Parsing error: Unexpected token :', line: 1 }]
    });
    const UNPARSED = JSON.stringify([fatal('a.ts'), fatal('b.ts'), fatal('c.ts')]);

    test.each<[string, number, string, string, string]>([
      ['eslint exit 2', 2, '', ESLINT_CRASH, 'fake did not run cleanly (exit code 2): No files matching the pattern "src" were found.'],
      [
        'ruff exit 2',
        2,
        '',
        'ruff failed\n  Cause: Failed to parse pyproject.toml\n',
        'fake did not run cleanly (exit code 2): ruff failed: Failed to parse pyproject.toml'
      ],
      ["flake8's traceback: exit 1 and no finding", 1, '', FLAKE8_TRACEBACK, 'fake did not run cleanly (exit code 1): ValueError: invalid literal for int()'],
      [
        'eslint could parse no file: exit 1 and N fatal errors',
        1,
        UNPARSED,
        '',
        'eslint could not parse 3 of 3 files: Parsing error: Unexpected token : (a.ts:1)'
      ]
    ])('%s', async (_, code, stdout, stderr, message) => {
      const { parseEslintJson } = await import('../../src/reports/findings.js');
      const plan: LintPlan = {
        linter: 'fake',
        command: { command: 'fake-lint', args: [] },
        okExitCodes: [0, 1],
        parse: stdout ? parseEslintJson : parseLineFindings
      };
      const runner = fakeRunner(() => ({ code, stdout, stderr }));
      const { reporter, seen } = fakeReporter();
      const p: Ports = { runner, reporter, http: noHttp, files: fakeFiles(), host: fakeHost([], { PATH: '/bin' }) };
      const outcome = await runLint(await config({ lintBlocking: true }), context, p, ecosystemWith({}, plan), environment);
      expect(outcome.findings).toBeUndefined(); // a crash measured nothing
      expect(outcome.stage).toMatchObject({ status: 'warning', headline: message });
      expect(seen.warnings).toEqual([message]);
    });

    test('findings with exit 1 are findings, not a crash', async () => {
      const plan: LintPlan = { linter: 'fake', command: { command: 'fake-lint', args: [] }, okExitCodes: [0, 1], parse: parseLineFindings };
      const { ports: p, seen } = ports(fakeFiles(), 1);
      const outcome = await runLint(await config(), context, p, ecosystemWith({}, plan), environment);
      expect(outcome.stage).toMatchObject({ status: 'warning', headline: 'fake: 1 finding' });
      expect(seen.warnings).toEqual([]);
    });
  });
});
