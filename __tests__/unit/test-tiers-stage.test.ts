// The test stage with a multi-line test-command, over fake ports and a fake ecosystem: tiers run in
// order, each planned with its own command and report folder; the first failing tier stops the rest.
import { expect, test } from '@jest/globals';
import { buildConfig, type Config } from '../../src/config.js';
import type { Ports } from '../../src/context.js';
import type { Ecosystem, TestRequest } from '../../src/ecosystems/ecosystem.js';
import { runTests } from '../../src/stages/test.js';
import { STAGE_PROJECT, STAGE_REPORTS, stageContext, stageEnvironment } from '../fixtures/stage-context.js';
import { fakeFiles, fakeHost, fakeReporter, fakeRunner, noHttp } from '../fixtures/fake-ports.js';

const project = STAGE_PROJECT;
const REPORTS = STAGE_REPORTS;
const context = stageContext;
const environment = stageEnvironment;
const junit = (passed: number, failed: number): string =>
  `<testsuite name="t">${[...Array(passed).keys()].map((i) => `<testcase classname="t" name="p${i}"/>`).join('')}${[...Array(failed).keys()]
    .map((i) => `<testcase classname="t" name="f${i}"><failure message="no"/></testcase>`)
    .join('')}</testsuite>`;

/** Each tier's plan runs its own command and names a JUnit report in its own folder. */
function ecosystem(requests: TestRequest[]): Ecosystem {
  return {
    name: 'python',
    detect: () => true,
    planInstall: () => Promise.reject(new Error('not asked')),
    planTests: (_, request) => {
      requests.push(request);
      const [command = 'detected', ...args] = request.config.testCommand ?? [];
      return { runner: 'fake', commands: [{ command, args }], junit: [`${request.reportDir}/junit.xml`], notes: [] };
    },
    planLint: () => undefined,
    addLinter: '',
    isTestFile: () => false,
    listInstalled: () => []
  };
}

async function run(commands: string[][], exitCodes: Record<string, number>) {
  const config: Config = { ...(await buildConfig(() => '', project)), testCommand: commands, coverage: false };
  const files = fakeFiles({
    [`${REPORTS}/tier-1/junit.xml`]: junit(2, exitCodes.unit ? 1 : 0),
    [`${REPORTS}/tier-2/junit.xml`]: junit(3, exitCodes.integration ? 1 : 0),
    [`${REPORTS}/tier-3/junit.xml`]: junit(1, 0)
  });
  const runner = fakeRunner((args) => ({ code: exitCodes[args[0] ?? ''] ?? 0 }));
  const ports: Ports = { runner, reporter: fakeReporter().reporter, http: noHttp, files, host: fakeHost([]) };
  const requests: TestRequest[] = [];
  const outcome = await runTests(config, context, ports, ecosystem(requests), environment);
  return { outcome, requests, ran: runner.calls.map((c) => c.args[0]) };
}

const TIERS = [
  ['pytest', 'unit'],
  ['pytest', 'integration'],
  ['pytest', 'e2e']
];

test('all tiers pass: each planned with its command and folder, in order; counts add up', async () => {
  const { outcome, requests, ran } = await run(TIERS, {});
  expect(requests.map((r) => [r.config.testCommand, r.reportDir])).toEqual([
    [['pytest', 'unit'], `${REPORTS}/tier-1`],
    [['pytest', 'integration'], `${REPORTS}/tier-2`],
    [['pytest', 'e2e'], `${REPORTS}/tier-3`]
  ]);
  expect(ran).toEqual(['unit', 'integration', 'e2e']);
  expect(outcome.results).toMatchObject({ passed: 6, failed: 0, total: 6 });
  expect(outcome.stage).toMatchObject({ status: 'success', headline: '3 tiers · 6 passed, 0 failed, 0 skipped' });
});

test("the first tier fails: the others do not run, the summary lists them, counts are the first tier's", async () => {
  const { outcome, ran } = await run(TIERS, { unit: 1 });
  expect(ran).toEqual(['unit']);
  expect(outcome.results).toMatchObject({ passed: 2, failed: 1, total: 3 });
  expect(outcome.stage.status).toBe('failure');
  expect(outcome.stage.headline).toMatch(/^tier 1 of 3 failed: 1 of 3 tests failed: f0 · 2 later tiers not run$/);
  expect(outcome.stage.details).toEqual(
    expect.arrayContaining(['Not run (tier 1 of 3 failed): tier 2 of 3: pytest integration', 'Not run (tier 1 of 3 failed): tier 3 of 3: pytest e2e'])
  );
});

test('a middle tier fails: the tiers before it count, the last does not run', async () => {
  const { outcome, ran } = await run(TIERS, { integration: 2 });
  expect(ran).toEqual(['unit', 'integration']);
  expect(outcome.results).toMatchObject({ passed: 5, failed: 1 });
  expect(outcome.stage.headline).toMatch(/^tier 2 of 3 failed: .* · 1 later tier not run$/);
});

test('one line is one command, with its reports where they always were', async () => {
  const { requests, outcome } = await run([['pytest']], {});
  expect(requests.map((r) => r.reportDir)).toEqual([REPORTS]);
  expect(outcome.stage.headline).not.toMatch(/tier/);
});
