// A `test-command` line that runs a test runner Slipway knows (pytest, jest, vitest, node --test) gets
// the same report options as the detected command, so its counts (and, where the runner measures it
// without extra packages, coverage) reach the summary. Pure.
import { posix } from 'node:path';
import type { TestPlan } from './ecosystem.js';

export interface KnownRunnerOptions {
  /** Folder for this command's reports (absolute). */
  reportDir: string;
  /** Measure coverage (the `coverage` input). */
  coverage: boolean;
  /** pytest-cov is installed (pytest's coverage needs it). */
  pytestCov?: boolean;
}

type Reports = Pick<TestPlan, 'runner' | 'junit' | 'jestJson' | 'coverageXml'>;

/** The program's name without its folder (`./node_modules/.bin/jest` → jest). */
const base = (word: string | undefined): string => posix.basename(word ?? '').replace(/\.(cmd|exe)$/i, '');

/** Where the runner's own words start: after `npx`, `pnpm exec`, `yarn`, `python -m`, … Undefined: unknown. */
function runnerAt(command: readonly string[]): { runner: 'pytest' | 'jest' | 'vitest' | 'node'; at: number } | undefined {
  let at = 0;
  const first = base(command[0]);
  if (first === 'npx' || first === 'yarn' || first === 'bunx') at = 1;
  else if ((first === 'pnpm' || first === 'npm') && command[1] === 'exec') at = 2;
  if (command[at] === '--') at++;
  const program = base(command[at]);
  if (/^python(\d(\.\d+)?)?$/.test(program) && command[at + 1] === '-m' && command[at + 2] === 'pytest') return { runner: 'pytest', at: at + 2 };
  if (program === 'pytest' || program === 'py.test') return { runner: 'pytest', at };
  if (program === 'jest') return { runner: 'jest', at };
  if (program === 'vitest') return { runner: 'vitest', at };
  if (program === 'node' && command.slice(at + 1).includes('--test')) return { runner: 'node', at: at + command.slice(at).indexOf('--test') };
  return undefined;
}

const sets = (args: readonly string[], option: string): boolean => args.some((arg) => arg === option || arg.startsWith(`${option}=`));

/**
 * The command with Slipway's report (and coverage) options added right after the runner's name, and
 * the reports it will write; undefined for a command of an unknown runner, or one that sets its own
 * report options (then its reports are the `test-report` globs, as before).
 */
export function withReportOptions(command: readonly string[], options: KnownRunnerOptions): { command: string[]; reports: Reports } | undefined {
  const found = runnerAt(command);
  if (!found) return undefined;
  const { runner, at } = found;
  const own = command.slice(at + 1);
  const dir = options.reportDir;
  const added: string[] = [];
  const reports: Reports = { runner, junit: [] };
  if (runner === 'pytest') {
    if (sets(own, '--junitxml') || sets(own, '--junit-xml')) return undefined;
    reports.junit = [posix.join(dir, 'junit.xml')];
    added.push(`--junitxml=${reports.junit[0]}`, '-o', 'junit_family=xunit1');
    if (options.coverage && options.pytestCov && !sets(own, '--cov-report')) {
      reports.coverageXml = posix.join(dir, 'coverage.xml');
      added.push('--cov', `--cov-report=xml:${reports.coverageXml}`, '--cov-report=term');
    }
  } else if (runner === 'jest') {
    if (sets(own, '--json') || sets(own, '--outputFile') || sets(own, '--coverageDirectory')) return undefined;
    reports.jestJson = posix.join(dir, 'jest.json');
    added.push('--ci', '--json', `--outputFile=${reports.jestJson}`, '--testLocationInResults');
    if (options.coverage) {
      reports.coverageXml = posix.join(dir, 'coverage', 'cobertura-coverage.xml');
      added.push('--coverage', '--coverageReporters=cobertura', '--coverageReporters=text-summary', `--coverageDirectory=${posix.join(dir, 'coverage')}`);
    }
  } else if (runner === 'vitest') {
    if (sets(own, '--reporter') || sets(own, '--outputFile')) return undefined;
    reports.junit = [posix.join(dir, 'junit.xml')];
    // `vitest` alone watches when it sees no CI; `run` first keeps it to one pass.
    const run = own[0] === 'run' ? [] : ['run'];
    const args = [...command.slice(0, at + 1), ...run, '--reporter=default', '--reporter=junit', `--outputFile.junit=${reports.junit[0]}`, ...own];
    return { command: args, reports };
  } else {
    if (sets(own, '--test-reporter') || sets(own, '--test-reporter-destination')) return undefined;
    reports.junit = [posix.join(dir, 'junit.xml')];
    const reporters = [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=junit',
      `--test-reporter-destination=${reports.junit[0]}`
    ];
    return { command: [...command.slice(0, at + 1), ...reporters, ...own], reports };
  }
  return { command: [...command.slice(0, at + 1), ...added, ...own], reports };
}
