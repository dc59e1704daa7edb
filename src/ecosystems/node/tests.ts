// How a Node project's tests run: its `test` script, with jest, vitest, mocha or node --test told to
// write reports Slipway reads (and to measure coverage). Each runner's plan is in test-plans/.
import type { TestPlan } from '../ecosystem.js';
import { customTestPlan } from '../shared.js';
import { runScript, type ScriptRunner } from './package-manager.js';
import { isRunnerCall, scriptCalls, type NodeTestRunner, type ProgramCall, type ScriptCall } from './scripts.js';
import { severalRunsNote } from './test-plans/deliver.js';
import { planJest } from './test-plans/jest.js';
import { planMocha } from './test-plans/mocha.js';
import { planNodeRunner } from './test-plans/node-runner.js';
import { planVitest } from './test-plans/vitest.js';

export interface NodeTestPlanInput {
  manager: ScriptRunner;
  scripts: Record<string, string>;
  runner: NodeTestRunner;
  /** Absolute folder for the reports. */
  reportDir: string;
  /** Absolute project directory: a report path the test script already sets is relative to it. */
  root?: string;
  coverage: boolean;
  /** @vitest/coverage-v8 (or -istanbul) is installed. */
  hasVitestCoverage: boolean;
  /** c8 / nyc are installed (coverage for mocha). */
  hasC8?: boolean;
  hasNyc?: boolean;
  /** Yarn Plug'n'Play: the project's binaries run through the manager. */
  pnp?: boolean;
  testCommand?: string[];
  testReportPatterns: string[];
  /** The NODE_OPTIONS the tests would inherit; Slipway's additions go after it. */
  nodeOptions?: string;
  /**
   * The project's `node` accepts --experimental-test-coverage in NODE_OPTIONS
   * (`process.allowedNodeEnvironmentFlags.has('--experimental-test-coverage')`; false on Node 20).
   */
  nodeCoverageInOptions?: boolean;
}

type RunnerCall = ScriptCall & { call: ProgramCall };

export function planNodeTests(input: NodeTestPlanInput): TestPlan {
  const { scripts, runner, testCommand, testReportPatterns } = input;
  if (testCommand && testCommand.length > 0) return customTestPlan(testCommand, testReportPatterns, { reportDir: input.reportDir, coverage: input.coverage });
  if (runner === 'none') {
    return {
      runner,
      commands: [],
      junit: [],
      coverageNote: 'no `test` script in package.json',
      notes: ['package.json has no `test` script (or only npm\'s placeholder): add one, e.g. "test": "jest"']
    };
  }
  const calls = scriptCalls(scripts);
  if (runner === 'node') return planNodeRunner(input, calls);
  if (runner === 'other') return otherPlan(input, []);
  const found = calls.filter((c): c is RunnerCall => isRunnerCall(c.call, runner));
  if (found.length === 0) return otherPlan(input, []);
  // Each run would write its report over the last one's: partial counts would mislead.
  if (found.length > 1) {
    return {
      ...otherPlan(input, [severalRunsNote(runner, found.length)]),
      runner,
      coverageNote: `coverage is not measured when the script runs ${runner} more than once`
    };
  }
  if (runner === 'jest') return planJest(input, found[0]);
  if (runner === 'vitest') return planVitest(input, found[0]);
  return planMocha(input, found[0]);
}

function otherPlan(input: NodeTestPlanInput, notes: string[]): TestPlan {
  const { manager, testReportPatterns } = input;
  return {
    runner: 'other',
    commands: [runScript(manager, 'test', [])],
    junit: [],
    reportPatterns: testReportPatterns,
    coverageNote: 'coverage is measured only when the `test` script runs jest, vitest, mocha or node --test',
    notes:
      notes.length > 0 || testReportPatterns.length > 0
        ? notes
        : [
            'the `test` script runs no test runner Slipway knows (jest, vitest, mocha, node --test), so Slipway reads only its exit code (set `test-report` to the JUnit files it writes)'
          ]
  };
}
