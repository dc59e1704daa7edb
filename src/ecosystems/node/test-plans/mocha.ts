// mocha: a JUnit (xunit) report next to the spec output, and coverage through c8 or nyc.
import { posix } from 'node:path';
import type { Command, TestPlan } from '../../ecosystem.js';
import { COVERAGE_OFF } from '../../shared.js';
import { mochaReporterText } from '../mocha-reporter.js';
import { managerCommand } from '../package-manager.js';
import type { ScriptCall } from '../scripts.js';
import type { NodeTestPlanInput } from '../tests.js';
import { deliver, resolveIn } from './deliver.js';

export function planMocha(input: NodeTestPlanInput, found: ScriptCall & { call: { args: string[]; via: string[] } }): TestPlan {
  const args = found.call.args;
  const own = optionValues(args, ['--reporter', '-R']);
  const reporterOptions = optionValues(args, ['--reporter-option', '--reporter-options', '-O']);
  const ownOutput = reporterOptions.map((o) => /^output=(.+)$/.exec(o)?.[1]).find((o) => o !== undefined);
  const notes: string[] = [];
  let junit: string[] = [];
  let added: string[] = [];
  const writes: Array<{ path: string; text: string }> = [];
  if (own.length === 0) {
    // mocha accepts one --reporter: Slipway's runs its spec and xunit reporters together.
    const reporter = posix.join(input.reportDir, 'slipway-mocha-reporter.cjs');
    junit = [posix.join(input.reportDir, 'junit.xml')];
    writes.push({ path: reporter, text: mochaReporterText(junit[0]) });
    added = [`--reporter=${reporter}`];
  } else if (own[0] === 'xunit' && ownOutput) {
    junit = [resolveIn(input.root, ownOutput)];
  } else {
    notes.push(
      `the \`test\` script chooses mocha's reporter (${own[0]}) and mocha takes only one, so Slipway cannot add its JUnit report and reads only the exit code (use \`--reporter xunit --reporter-option output=<file>\` and Slipway reads that file)`
    );
  }
  const delivery = deliver(input, found, 'mocha', added);
  const coverage = mochaCoverage(input, [...found.via, ...found.call.via]);
  const test = delivery.command;
  if (coverage.env) test.env = { ...test.env, ...coverage.env };
  return {
    runner: 'mocha',
    commands: [test, ...coverage.commands],
    junit,
    ...(coverage.lcov ? { lcov: coverage.lcov } : {}),
    ...(coverage.note ? { coverageNote: coverage.note } : {}),
    notes: [...delivery.notes, ...notes],
    writes: [...writes, ...delivery.writes, ...(coverage.writes ?? [])]
  };
}

interface MochaCoverage {
  commands: Command[];
  env?: Record<string, string>;
  writes?: Array<{ path: string; text: string }>;
  lcov?: string;
  note?: string;
}

/**
 * c8 or nyc around mocha (`c8 mocha`, `nyc npm run unit`) keep their raw data after the run: a
 * `report` command turns it into LCOV. Without a wrapper but with c8 installed, node itself writes
 * V8 coverage for every process of the script (NODE_V8_COVERAGE) and c8 reports the project's
 * files of it (node_modules, tests and files outside the project are left out, as `c8 mocha` does).
 */
function mochaCoverage(input: NodeTestPlanInput, via: string[]): MochaCoverage {
  if (!input.coverage) return { commands: [], note: COVERAGE_OFF };
  const dir = posix.join(input.reportDir, 'coverage');
  const lcov = posix.join(dir, 'lcov.info');
  const report = ['--reporter=lcov', `--report-dir=${dir}`];
  const c8 = wrapperOptions(via, 'c8');
  if (c8) {
    const temp = optionValues(c8, ['--temp-directory']).map((t) => `--temp-directory=${t}`);
    return { commands: [binCommand(input, 'c8', ['report', ...temp, ...report])], lcov };
  }
  const nyc = wrapperOptions(via, 'nyc');
  if (nyc) {
    const temp = optionValues(nyc, ['--temp-dir', '--temp-directory', '-t']).map((t) => `--temp-dir=${t}`);
    return { commands: [binCommand(input, 'nyc', ['report', ...temp, ...report])], lcov };
  }
  if (input.hasC8) {
    const raw = posix.join(input.reportDir, 'v8-coverage');
    return {
      env: { NODE_V8_COVERAGE: raw },
      // The folder exists even when no node process ran (c8 report would print a stack); c8 skips non-JSON files.
      writes: [{ path: posix.join(raw, 'README.txt'), text: 'V8 coverage of the test run (NODE_V8_COVERAGE), read by c8 report.\n' }],
      commands: [binCommand(input, 'c8', ['report', `--temp-directory=${raw}`, '--reporter=text-summary', ...report])],
      lcov
    };
  }
  return {
    commands: [],
    note: input.hasNyc
      ? 'nyc measures coverage only when it runs mocha (`nyc mocha` in the script); or add c8 to devDependencies and Slipway measures it'
      : 'mocha measures no coverage itself: add c8 to devDependencies and Slipway measures it (or run mocha under c8 or nyc)'
  };
}

/** The options a wrapper is given (`c8 --temp-directory t mocha` → c8's words), undefined without it. */
function wrapperOptions(via: string[], wrapper: string): string[] | undefined {
  const at = via.lastIndexOf(wrapper);
  if (at < 0) return undefined;
  const rest = via.slice(at + 1);
  const end = rest.findIndex((word, i) => !word.startsWith('-') && (i === 0 || !rest[i - 1].startsWith('-') || rest[i - 1].includes('=')));
  return end < 0 ? rest : rest.slice(0, end);
}

/** Values of an option written `--name value`, `--name=value` or `-X value`. */
function optionValues(args: string[], names: string[]): string[] {
  const values: string[] = [];
  args.forEach((arg, i) => {
    const name = names.find((n) => arg === n || arg.startsWith(`${n}=`));
    if (name === undefined) return;
    const value = arg === name ? args[i + 1] : arg.slice(name.length + 1);
    if (value !== undefined) values.push(value);
  });
  return values;
}

/** The project's own binary (`node_modules/.bin/c8`), through the manager under Plug'n'Play. */
function binCommand(input: NodeTestPlanInput, bin: string, args: string[]): Command {
  if (input.pnp || input.root === undefined) {
    const { manager } = input.manager;
    return managerCommand(input.manager, manager === 'npm' ? ['exec', '--', bin, ...args] : manager === 'pnpm' ? ['exec', bin, ...args] : [bin, ...args]);
  }
  return { command: posix.join(input.root, 'node_modules', '.bin', bin), args };
}
