// The `patch` stage of a pull request, decided purely: coverage of the changed lines, the total's
// change against the base branch's baseline, and the patch-coverage-min gate. The pipeline gathers
// what it reads (pull-request.ts); this only judges.
import type { CoverageResult, StageResult } from '../model.js';
import type { ChangedFile } from '../reports/diff.js';
import { coverageDelta, patchCoverage, patchCoverageGate, type PatchCoverage } from '../reports/patch-coverage.js';

export interface PatchInput {
  /** The pull request's changed files; undefined when they could not be learnt. */
  changes?: readonly ChangedFile[];
  /** Why the changes are unknown (when they are). */
  unknown?: string;
  coverage?: CoverageResult;
  /** Total coverage of the base branch's baseline; undefined without one. */
  baselineCoverage?: number;
  /** The base branch, e.g. `main`. */
  baseRef: string;
  /** Coverage is measured at all (input `coverage`). */
  measuring: boolean;
  /** `patch-coverage-min`; 0: no gate. */
  min: number;
}

export interface PatchVerdict {
  stage: Pick<StageResult, 'status' | 'headline' | 'details'>;
  patch?: PatchCoverage;
  /** Signed, one decimal; undefined without a baseline or a measurement. */
  delta?: string;
}

export function patchVerdict(input: PatchInput): PatchVerdict {
  const { changes, coverage, min } = input;
  const base = input.baseRef || 'the base branch';
  if (!input.measuring) return { stage: { status: 'skipped', headline: 'off (input `coverage: false`)' } };
  if (!coverage) {
    // As coverage-min: a minimum nothing was measured against is a failure, not a pass.
    return min > 0
      ? { stage: { status: 'failure', headline: `patch-coverage-min is ${min}% but no coverage was measured` } }
      : { stage: { status: 'skipped', headline: 'no coverage measured' } };
  }
  const delta = coverageDelta(coverage.percent, input.baselineCoverage);
  const against = delta === undefined ? `no baseline from ${base} yet` : `coverage ${delta} against ${base}`;
  if (!changes) {
    const headline = `changed lines unknown · ${against}`;
    const details = [input.unknown ?? 'the changed lines could not be learnt'];
    // A gate that cannot judge says so, without failing a run for a missing history.
    return { stage: { status: min > 0 ? 'warning' : 'success', headline, details }, delta };
  }
  const patch = patchCoverage(changes, coverage);
  const gate = patchCoverageGate(patch, min);
  if (!gate.pass) return { stage: { status: 'failure', headline: gate.message ?? 'patch coverage is below patch-coverage-min' }, patch, delta };
  const covered =
    patch.percent === undefined
      ? 'no measured line changed'
      : `${patch.covered} of ${patch.total} changed line${patch.total === 1 ? '' : 's'} covered (${patch.percent.toFixed(1)}%)`;
  return { stage: { status: 'success', headline: `${covered} · ${against}` }, patch, delta };
}
