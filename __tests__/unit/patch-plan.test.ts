// The patch stage's decision: what a pull request's changed lines, coverage and baseline make of the
// stage line, the coverage delta and the patch-coverage-min gate.
import { describe, expect, test } from '@jest/globals';
import type { CoverageResult } from '../../src/model.js';
import type { ChangedFile } from '../../src/reports/diff.js';
import { patchVerdict, type PatchInput, type PatchVerdict } from '../../src/stages/patch-plan.js';

const coverage: CoverageResult = {
  percent: 80,
  linesValid: 10,
  linesCovered: 8,
  files: [{ path: 'app/shop.py', linesValid: 10, linesCovered: 8, percent: 80, lines: { covered: [1, 2, 3, 4, 5, 6, 7, 8], missed: [9, 10] } }]
};
const changes: ChangedFile[] = [
  { path: 'app/shop.py', status: 'modified', lines: [7, 8, 9, 10], complete: true },
  { path: 'README.md', status: 'modified', lines: [1], complete: true }
];
const base: PatchInput = { changes, coverage, baselineCoverage: 78.5, baseRef: 'main', measuring: true, min: 0 };

describe('patchVerdict', () => {
  test.each<[string, Partial<PatchInput>, Pick<PatchVerdict, 'stage' | 'delta'> & { percent?: number }]>([
    [
      'changed lines and a baseline',
      {},
      { stage: { status: 'success', headline: '2 of 4 changed lines covered (50.0%) · coverage +1.5 against main' }, delta: '+1.5', percent: 50 }
    ],
    [
      'no baseline yet',
      { baselineCoverage: undefined },
      { stage: { status: 'success', headline: '2 of 4 changed lines covered (50.0%) · no baseline from main yet' }, percent: 50 }
    ],
    [
      'the minimum met',
      { min: 50 },
      { stage: { status: 'success', headline: '2 of 4 changed lines covered (50.0%) · coverage +1.5 against main' }, delta: '+1.5', percent: 50 }
    ],
    [
      'below the minimum: the uncovered lines named',
      { min: 75 },
      {
        stage: { status: 'failure', headline: 'patch coverage 50.0% is below patch-coverage-min 75%: 2 of 4 changed lines not covered: app/shop.py 9–10' },
        delta: '+1.5',
        percent: 50
      }
    ],
    [
      'only unmeasured files changed: nothing to judge, no failure',
      { changes: [changes[1] as ChangedFile], min: 90 },
      { stage: { status: 'success', headline: 'no measured line changed · coverage +1.5 against main' }, delta: '+1.5' }
    ],
    [
      'changes unknown: said, a warning only when a minimum cannot be judged',
      { changes: undefined, unknown: 'no history', min: 80 },
      { stage: { status: 'warning', headline: 'changed lines unknown · coverage +1.5 against main', details: ['no history'] }, delta: '+1.5' }
    ],
    [
      'changes unknown without a minimum',
      { changes: undefined, unknown: 'no history' },
      { stage: { status: 'success', headline: 'changed lines unknown · coverage +1.5 against main', details: ['no history'] }, delta: '+1.5' }
    ],
    ['coverage off', { measuring: false, min: 80 }, { stage: { status: 'skipped', headline: 'off (input `coverage: false`)' } }],
    ['no coverage measured', { coverage: undefined }, { stage: { status: 'skipped', headline: 'no coverage measured' } }],
    [
      'no coverage measured with a minimum: a failure, as coverage-min',
      { coverage: undefined, min: 80 },
      { stage: { status: 'failure', headline: 'patch-coverage-min is 80% but no coverage was measured' } }
    ],
    [
      'no base branch name',
      { baseRef: '', baselineCoverage: 81 },
      { stage: { status: 'success', headline: '2 of 4 changed lines covered (50.0%) · coverage -1.0 against the base branch' }, delta: '-1.0', percent: 50 }
    ]
  ])('%s', (_label, input, expected) => {
    const verdict = patchVerdict({ ...base, ...input });
    expect({ stage: verdict.stage, delta: verdict.delta, percent: verdict.patch?.percent }).toEqual({
      delta: undefined,
      percent: undefined,
      ...expected
    });
  });
});
