// What pip says when an install fails, and which of its lines say why: pure patterns over its output.
import type { KeyLinePatterns } from '../../stages/install-failure.js';

export const PIP_FAILURE_LINES: KeyLinePatterns = {
  key: [/^ERROR: /, /^error: (?!subprocess-exited-with-error)/],
  blocks: [
    // Two requirements that cannot both hold, and which ones.
    { start: /^The conflict is caused by:/ },
    // A package's build failed: its own output, between pip's box-drawing lines.
    { start: /^\s*× /, end: /\[end of output\]|See above for output/ }
  ],
  noise: [/^WARNING: Retrying /, /^WARNING: Location '.*' is ignored/, /^\s*note: This error originates from a subprocess/]
};

/** A sentence for the headline when pip's output shows a failure it often makes. */
export function explainPipFailure(output: string): string | undefined {
  const missing = /^ERROR: No matching distribution found for (.+)$/m.exec(output);
  if (missing) return `pip found no release of ${missing[1].trim()} on the package index (No matching distribution found)`;
  const conflict = /^ERROR: Cannot install (.+?) because these package versions have conflicting dependencies\./m.exec(output);
  if (conflict) return `conflicting requirements: ${conflict[1]} cannot all be installed (ResolutionImpossible)`;
  if (/^ERROR: ResolutionImpossible/m.test(output))
    return 'conflicting requirements: pip found no set of versions that satisfies them all (ResolutionImpossible)';
  const build = /^ERROR: (Failed (?:to build|building wheel).*)$/m.exec(output);
  if (build) return `a package failed to build: ${build[1].trim()}`;
  const file = /^ERROR: (Could not open requirements file: .+)$/m.exec(output);
  if (file) return file[1].trim();
  if (/no such option: --group/.test(output)) return 'this pip does not know dependency groups (--group needs pip 25.1 or later)';
  return undefined;
}
