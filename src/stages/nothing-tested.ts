// "Never green on nothing": a run that tested nothing while the project has test files did not test
// the project, whatever the runner's exit code says. Pure: the verdict from what was found.
import type { FoundTestFiles } from '../ecosystems/test-files.js';
import type { StageResult } from '../model.js';

type Verdict = Pick<StageResult, 'status' | 'headline' | 'details'>;

/** Failure naming the test files found and why none ran; undefined when the project has none. */
export function nothingTestedVerdict(found: FoundTestFiles, reasons: readonly string[]): Verdict | undefined {
  if (found.files.length === 0) return undefined;
  const count = `${found.files.length}${found.more ? '+' : ''} test file${found.files.length === 1 && !found.more ? '' : 's'}`;
  const named = found.files.slice(0, 3).join(', ') + (found.files.length > 3 || found.more ? ', …' : '');
  return {
    status: 'failure',
    headline: `ran 0 tests, but the project has ${count} (${named})`,
    details: [
      ...reasons,
      'Slipway fails a run that tests nothing while test files exist. Make the runner find them (its configuration, or `test-command`), or remove them.'
    ]
  };
}
