// node --test: reporters through NODE_OPTIONS, wherever the script runs it.
import { posix } from 'node:path';
import type { TestPlan } from '../../ecosystem.js';
import { COVERAGE_OFF } from '../../shared.js';
import { runScript } from '../package-manager.js';
import { isRunnerCall, type ScriptCall } from '../scripts.js';
import type { NodeTestPlanInput } from '../tests.js';
import { nodeOption } from './deliver.js';

/**
 * node --test: reporters go in NODE_OPTIONS (allowed there since Node 20), which works whatever
 * the script passes and however many test files run: child test processes report to the parent
 * (NODE_TEST_CONTEXT=child-v8), so one JUnit file holds every test. Coverage needs
 * --experimental-test-coverage, which Node 20 refuses in NODE_OPTIONS: it is passed as an argument
 * when the script's `node --test` comes last and has no file arguments (an option after a file
 * would be read as a file name).
 */
export function planNodeRunner(input: NodeTestPlanInput, calls: ScriptCall[]): TestPlan {
  const testCalls = calls.map((found) => found.call).filter((call) => isRunnerCall(call, 'node'));
  const own = testCalls.flatMap((call) => call.nodeOptions);
  const reporters = own.filter((o, i) => o.startsWith('--test-reporter=') || (o === '--test-reporter' && own[i + 1] !== undefined)).length;
  const destinations = own.filter((o) => o.startsWith('--test-reporter-destination')).length;
  const junit = posix.join(input.reportDir, 'junit.xml');
  const lcov = posix.join(input.reportDir, 'lcov.info');
  const options: string[] = [];
  const args: string[] = [];
  let junitFiles: string[] = [];
  let coverageNote: string | undefined;
  const notes: string[] = [];

  // Reporters and destinations pair up by position, NODE_OPTIONS first; the counts must match.
  const canAddReporters = reporters === destinations || (reporters === 1 && destinations === 0);
  if (canAddReporters) {
    options.push('--test-reporter=junit', nodeOption('--test-reporter-destination', junit));
    junitFiles = [junit];
    if (reporters === 0) options.push('--test-reporter=spec', '--test-reporter-destination=stdout');
  } else {
    notes.push('the `test` script gives node --test several reporters without matching destinations, so Slipway cannot add its JUnit report');
    coverageNote = 'Slipway cannot add the lcov reporter to the `test` script (see above)';
  }

  let lcovFile: string | undefined;
  const last = calls.find((found) => found.direct)?.call;
  const lastIsTest = isRunnerCall(last, 'node');
  if (!input.coverage) coverageNote = COVERAGE_OFF;
  else if (!canAddReporters) {
    // no reporter can be added, lcov included (the note says so)
  } else if (own.includes('--experimental-test-coverage') || input.nodeCoverageInOptions) {
    if (!own.includes('--experimental-test-coverage')) options.push('--experimental-test-coverage');
    lcovFile = lcov;
  } else if (lastIsTest && last.args.length === 0) {
    args.push('--experimental-test-coverage');
    lcovFile = lcov;
  } else {
    coverageNote =
      'node --test measures coverage only with --experimental-test-coverage on its command line (Node 20 refuses it in NODE_OPTIONS), ' +
      'and Slipway cannot append it after the file arguments of the `test` script: add --experimental-test-coverage to the script to measure coverage';
  }
  if (lcovFile) options.push('--test-reporter=lcov', nodeOption('--test-reporter-destination', lcovFile));
  // The trailing stdout destination pairs with the one reporter the script names without a destination.
  if (canAddReporters && reporters === 1 && destinations === 0) options.push('--test-reporter-destination=stdout');

  const command = runScript(input.manager, 'test', args);
  if (options.length > 0) {
    const nodeOptions = [input.nodeOptions?.trim(), ...options].filter(Boolean).join(' ');
    command.env = { ...command.env, NODE_OPTIONS: nodeOptions };
  }
  return {
    runner: 'node',
    commands: [command],
    junit: junitFiles,
    ...(lcovFile ? { lcov: lcovFile } : {}),
    ...(coverageNote ? { coverageNote } : {}),
    notes
  };
}
