// jest: its --json report (and Cobertura coverage), whatever the `test` script already sets.
import { posix } from 'node:path';
import type { TestPlan } from '../../ecosystem.js';
import { COVERAGE_OFF } from '../../shared.js';
import { setOptions, type ScriptCall } from '../scripts.js';
import type { NodeTestPlanInput } from '../tests.js';
import { deliver, resolveIn } from './deliver.js';

export function planJest(input: NodeTestPlanInput, found: ScriptCall & { call: { args: string[] } }): TestPlan {
  const set = setOptions(found.call.args);
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
  const { command, writes, notes } = deliver(input, found, 'jest', args);
  return {
    runner: 'jest',
    commands: [command],
    junit: [],
    jestJson,
    ...(coverageXml ? { coverageXml } : { coverageNote: COVERAGE_OFF }),
    notes,
    ...(writes.length > 0 ? { writes } : {})
  };
}
