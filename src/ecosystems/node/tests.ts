// How a Node project's tests run: its `test` script, with jest, vitest or node --test told to
// write reports Slipway reads (and to measure coverage).
import { posix } from 'node:path';
import type { TestPlan } from '../ecosystem.js';
import { COVERAGE_OFF, customTestPlan } from '../shared.js';
import { runScript, type ScriptRunner } from './package-manager.js';
import { programOf, setOptions, splitScript, type NodeTestRunner, type ProgramCall } from './scripts.js';

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
  testCommand?: string[];
  testReportPatterns: string[];
  /** The NODE_OPTIONS the tests would inherit; Slipway's additions for node's runner go after it. */
  nodeOptions?: string;
  /**
   * The project's `node` accepts --experimental-test-coverage in NODE_OPTIONS
   * (`process.allowedNodeEnvironmentFlags.has('--experimental-test-coverage')`; false on Node 20).
   */
  nodeCoverageInOptions?: boolean;
}

export function planNodeTests(input: NodeTestPlanInput): TestPlan {
  const { manager, scripts, runner, testCommand, testReportPatterns } = input;
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
  const calls = splitScript(scripts.test ?? '').map(programOf);
  const last = calls[calls.length - 1];
  if (runner === 'jest' && last) return planJest(input, last);
  if (runner === 'vitest' && last) return planVitest(input, last);
  if (runner === 'node') return planNodeRunner(input, calls);
  return {
    runner: 'other',
    commands: [runScript(manager, 'test', [])],
    junit: [],
    reportPatterns: testReportPatterns,
    coverageNote: 'coverage is measured only when the `test` script runs jest, vitest or node --test',
    notes:
      testReportPatterns.length > 0
        ? []
        : [
            'the `test` script does not run jest, vitest or node --test directly, so Slipway reads only its exit code (set `test-report` to the JUnit files it writes)'
          ]
  };
}

function planJest(input: NodeTestPlanInput, call: ProgramCall): TestPlan {
  const set = setOptions(call.args);
  const args = ['--ci'];
  // jest rejects a string option given twice (outputFile, coverageDirectory): read the script's own.
  const ownOutput = set.value('outputFile');
  const jestJson = ownOutput ? resolveIn(input.root, ownOutput) : posix.join(input.reportDir, 'jest.json');
  if (!set.has('json')) args.push('--json');
  if (!ownOutput) args.push(`--outputFile=${jestJson}`);
  args.push('--testLocationInResults');
  let coverageXml: string | undefined;
  if (input.coverage) {
    const ownDir = set.value('coverageDirectory');
    coverageXml = posix.join(ownDir ? resolveIn(input.root, ownDir) : posix.join(input.reportDir, 'coverage'), 'cobertura-coverage.xml');
    args.push('--coverage', '--coverageReporters=cobertura', '--coverageReporters=text-summary');
    if (!ownDir) args.push(`--coverageDirectory=${posix.join(input.reportDir, 'coverage')}`);
  }
  return {
    runner: 'jest',
    commands: [runScript(input.manager, 'test', args)],
    junit: [],
    jestJson,
    ...(coverageXml ? { coverageXml } : { coverageNote: COVERAGE_OFF }),
    notes: []
  };
}

function planVitest(input: NodeTestPlanInput, call: ProgramCall): TestPlan {
  const set = setOptions(call.args);
  const args: string[] = [];
  // vitest rejects any single-valued option given twice (`--run`, `--coverage.enabled`, …).
  if (call.args[0] !== 'run' && !set.has('run') && !set.has('watch')) args.push('--run');
  const reporters = set.values('reporter');
  let junit: string[] = [];
  const notes: string[] = [];
  const ownJunit = set.value('outputFile.junit') ?? (reporters.includes('junit') ? set.value('outputFile') : undefined);
  if (ownJunit) {
    junit = [resolveIn(input.root, ownJunit)];
    if (!reporters.includes('junit')) args.push('--reporter=junit');
  } else if (set.has('outputFile')) {
    notes.push('the `test` script sets --outputFile, so Slipway cannot add its JUnit report; test details come from the exit code only');
  } else {
    junit = [posix.join(input.reportDir, 'junit.xml')];
    if (reporters.length === 0) args.push('--reporter=default');
    args.push('--reporter=junit', `--outputFile.junit=${junit[0]}`);
  }
  let coverageXml: string | undefined;
  let coverageNote: string | undefined;
  if (!input.coverage) coverageNote = COVERAGE_OFF;
  else if (!input.hasVitestCoverage) coverageNote = 'no coverage provider installed: add @vitest/coverage-v8 to devDependencies to measure coverage';
  else {
    const ownDir = set.value('coverage.reportsDirectory');
    coverageXml = posix.join(ownDir ? resolveIn(input.root, ownDir) : posix.join(input.reportDir, 'coverage'), 'cobertura-coverage.xml');
    if (!set.has('coverage.enabled')) args.push('--coverage.enabled');
    // Without it vitest writes no coverage when a test fails, and coverage-min could not be judged.
    if (!set.has('coverage.reportOnFailure')) args.push('--coverage.reportOnFailure');
    args.push('--coverage.reporter=cobertura', '--coverage.reporter=text-summary');
    if (!ownDir) args.push(`--coverage.reportsDirectory=${posix.join(input.reportDir, 'coverage')}`);
  }
  return {
    runner: 'vitest',
    commands: [runScript(input.manager, 'test', args)],
    junit,
    ...(coverageXml ? { coverageXml } : {}),
    ...(coverageNote ? { coverageNote } : {}),
    notes
  };
}

/**
 * node --test: reporters go in NODE_OPTIONS (allowed there since Node 20), which works whatever
 * the script passes and however many test files run: child test processes report to the parent
 * (NODE_TEST_CONTEXT=child-v8), so one JUnit file holds every test. Coverage needs
 * --experimental-test-coverage, which Node 20 refuses in NODE_OPTIONS: it is passed as an argument
 * when the script's `node --test` comes last and has no file arguments (an option after a file
 * would be read as a file name).
 */
function planNodeRunner(input: NodeTestPlanInput, calls: Array<ProgramCall | undefined>): TestPlan {
  const testCalls = calls.filter((call): call is ProgramCall => call?.program === 'node' && call.nodeOptions.includes('--test'));
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
  const last = calls[calls.length - 1];
  const lastIsTest = last !== undefined && testCalls.includes(last);
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

/** A report path the test script names, relative to the project. */
function resolveIn(root: string | undefined, path: string): string {
  if (path.startsWith('/') || root === undefined) return path;
  return posix.join(root, path);
}

/** `--name=value` for NODE_OPTIONS, double-quoted when the value has blanks or quotes. */
function nodeOption(name: string, value: string): string {
  return /[\s"'\\]/.test(value) ? `${name}="${value.replace(/(["\\])/g, '\\$1')}"` : `${name}=${value}`;
}
