// vitest: a JUnit report next to its own reporter (and Cobertura coverage with a provider installed).
import { posix } from 'node:path';
import type { TestPlan } from '../../ecosystem.js';
import { COVERAGE_OFF } from '../../shared.js';
import { setOptions, type ScriptCall } from '../scripts.js';
import type { NodeTestPlanInput } from '../tests.js';
import { deliver, resolveIn } from './deliver.js';

export function planVitest(input: NodeTestPlanInput, found: ScriptCall & { call: { args: string[] } }): TestPlan {
  const { call } = found;
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
  const delivery = deliver(input, found, 'vitest', args);
  return {
    runner: 'vitest',
    commands: [delivery.command],
    junit,
    ...(coverageXml ? { coverageXml } : {}),
    ...(coverageNote ? { coverageNote } : {}),
    notes: [...delivery.notes, ...notes],
    ...(delivery.writes.length > 0 ? { writes: delivery.writes } : {})
  };
}
